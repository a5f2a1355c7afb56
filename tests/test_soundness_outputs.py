"""Issue 9, point 2: every value a bound symbol returns is checked against its declared sort
(shape, dtype family, batch size) before anything compares or consumes it; a mismatch is one
`ArchLawError` line (exit 2 from the CLI) naming the symbol that returned it, the sort and what
came back."""

from __future__ import annotations

import dataclasses

import pytest
import torch

import conformance_toys as T
from archlaw.bridge import interchange
from archlaw.bridge.binding import Binding, ListBatch
from archlaw.cli.app import main
from archlaw.bridge.conformance import check_law
from archlaw.bridge.errors import ArchLawError
from archlaw.bridge.ir import TYPE, App, Export, Field, Law, Param, Var, arrow
from archlaw.bridge.outputs import validate_output
from archlaw.bridge.sorts import Finite, FloatTensor, ListOf, ProdOf

G, X, Y = Var("G", TYPE), Var("X", TYPE), Var("Y", TYPE)
_g, _x = Var("g", G), Var("x", X)
_f = Var("f", arrow(X, Y))
_actX, _actY = Var("actX", arrow(G, X, X)), Var("actY", arrow(G, Y, Y))
_SORTS = (Param("G", TYPE, "implicit"), Param("X", TYPE, "implicit"), Param("Y", TYPE, "implicit"))

#: ``f (actX g x) = actY g (f x)``
EQUIV2 = Law("Toy.Equivariant2", "Toy", None, "", (*_SORTS, Param("actX", _actX.sort),
             Param("actY", _actY.sort), Param("f", _f.sort)), "source", None,
             (Field("equivariant", T.forall(_g, _x, body=T.eq(
                 App(_f, (App(_actX, (_g, _x), X),), Y),
                 App(_actY, (_g, App(_f, (_x,), Y)), Y)))),))
#: ``f (actX g x) = f x``
INVARIANT = Law("Toy.Invariant", "Toy", None, "", (*_SORTS, Param("actX", _actX.sort),
                Param("f", _f.sort)), "source", None,
                (Field("invariant", T.forall(_g, _x, body=T.eq(
                    App(_f, (App(_actX, (_g, _x), X),), Y), App(_f, (_x,), Y)))),))


def _bind(f, x_shape=(6, 15), y_shape=(6, 15), n=15) -> Binding:
    return Binding(sorts={"G": Finite(n), "X": FloatTensor(x_shape), "Y": FloatTensor(y_shape)},
                   params={}, symbols={"actX": T.roll, "actY": T.roll, "f": f},
                   model_symbols=frozenset({"f"}))


def _one_line_error(law, binding) -> str:
    with pytest.raises(ArchLawError) as e:
        check_law(law, binding, samples=20)
    msg = str(e.value)
    assert "\n" not in msg
    return msg


def test_wrong_shape_for_a_float_sort_is_refused_at_the_symbol():
    """(N, 6, 16) for ``Float[6, 15]``: rolled and compared against itself it is equivariant,
    so only the check against the declared sort catches it."""
    pad = lambda x: torch.nn.functional.pad(x, (0, 1), mode="circular")  # noqa: E731
    msg = _one_line_error(EQUIV2, dataclasses.replace(
        _bind(pad), symbols={"actX": T.roll, "actY": T.roll, "f": pad}))
    assert "symbol 'f' returned shape (" in msg and ", 6, 16) float32" in msg
    assert "declared sort Float[6, 15]" in msg and "expected a Float[6, 15] batch of shape" in msg


def test_integer_tensor_for_a_float_sort_is_refused():
    msg = _one_line_error(EQUIV2, _bind(lambda x: (x * 10).long()))
    assert "symbol 'f' returned shape" in msg and "int64" in msg
    assert "Float[6, 15]: expected a floating tensor, got dtype int64" in msg


def test_three_values_for_a_declared_float2_are_refused():
    """An invariant that returns 3 numbers where the law declares ``Float[2]``."""
    f = lambda x: torch.stack([x.sum((1, 2)), x.pow(2).sum((1, 2)), x.abs().sum((1, 2))], 1)  # noqa: E731
    msg = _one_line_error(INVARIANT, _bind(f, y_shape=(2,)))
    assert "symbol 'f' returned shape (" in msg and ", 3) float32" in msg
    assert "declared sort Float[2]" in msg


def test_the_blame_goes_to_the_symbol_that_returned_a_tuple():
    """`f` returns (y, aux) for ``Float[6, 15]``: the error names `f`, not `actY` that would
    have received the tuple."""
    msg = _one_line_error(EQUIV2, _bind(lambda x: (torch.tanh(x), x)))
    assert msg.startswith("law Toy.Equivariant2, field equivariant: symbol 'f' returned a tuple "
                          "of 2 values"), msg
    assert "actY" not in msg


def test_conforming_binding_still_passes():
    assert check_law(EQUIV2, _bind(torch.tanh), samples=20).passed


@pytest.mark.parametrize("value, enc, why", [
    ((torch.zeros(4), torch.zeros(4), torch.zeros(4)), ProdOf(FloatTensor(()), FloatTensor(())),
     "expected a pair"),
    (torch.zeros(4, 2), ListOf(FloatTensor((2,))), "expected a ListBatch"),
    (ListBatch(torch.zeros(4, 3, 5), torch.full((4,), 3)), ListOf(FloatTensor((2,))),
     "expected a Float[2] batch of shape (12, 2)"),
    (ListBatch(torch.zeros(4, 3, 2), torch.full((4,), 7)), ListOf(FloatTensor((2,))),
     "list lengths must lie in [0, 3]"),
    (torch.zeros(4, 1, dtype=torch.long), Finite(3), "expected a Fin 3 batch of shape (4,)"),
    (torch.zeros(5), FloatTensor(()), "expected a Float batch of shape (4,)"),
])
def test_validate_output_table(value, enc, why):
    with pytest.raises(ArchLawError) as e:
        validate_output(value, enc, 4, "f")
    assert why in str(e.value) and f"declared sort {enc.describe()}" in str(e.value)


def bad_shape_binding() -> Binding:
    """For the CLI test: `f` returns (N, 6, 16) for ``Float[6, 15]``."""
    return _bind(lambda x: torch.nn.functional.pad(x, (0, 1)))


def test_cli_reports_a_binding_error_on_one_line_and_exits_2(tmp_path, capsys):
    proj = tmp_path / "proj"
    proj.mkdir()
    (proj / "lean-toolchain").write_text("leanprover/lean4:v4.20.0\n")
    path = tmp_path / "laws.sexp"
    interchange.write(Export("source", None, (), (EQUIV2,)), path)
    rc = main(["check", "Toy.Equivariant2", "--root", str(proj), "--from", str(path), "--model",
               "test_soundness_outputs:bad_shape_binding", "--samples", "10"])
    err = capsys.readouterr().err.strip()
    assert rc == 2 and "\n" not in err, err
    assert "symbol 'f' returned shape (" in err and "Float[6, 15]" in err
