"""Instance binders are not symbols (issue 9, point 7): `[Add V]` in a law is resolved from V's
encoding (float `+` on a float sort) and never asked of the binding; a class with no known
meaning, or an operation with none at the sort, is one error naming the class and saying how to
register it."""

from __future__ import annotations

import textwrap

import pytest
import torch

from archlaw.bridge import instances, interpret
from archlaw.bridge.binding import Binding
from archlaw.cli.app import main
from archlaw.bridge.conformance import check_law, check_theorem
from archlaw.bridge.errors import ArchLawError
from archlaw.bridge.library import load_export
from archlaw.bridge.sorts import FloatTensor, ListOf

LAWS = textwrap.dedent("""
    import ArchLaw.Attr

    namespace Inst

    /-- A class with no meaning known to ArchLaw. -/
    class Frob (V : Type) where
      frob : V → V

    /-- `f` is additive. -/
    @[arch_law] structure Additive {V : Type} [Add V] (f : V → V) : Prop where
      /-- f preserves sums. -/
      map_add : ∀ (x y : V), f (x + y) = f x + f y

    /-- `f` commutes with `frob`. -/
    @[arch_law] structure Frobby {V : Type} [Frob V] (f : V → V) : Prop where
      /-- f preserves frob. -/
      map_frob : ∀ (x : V), f (Frob.frob x) = Frob.frob (f x)

    /-- An additive map sends a sum of two to the sum of the images. -/
    @[arch_theorem] theorem Additive.two {V : Type} [Add V] {f : V → V} (h : Additive f) :
        ∀ (x y : V), f (x + y) = f x + f y := h.map_add

    end Inst
""")

MODELS = textwrap.dedent("""
    import torch
    from archlaw.bridge.binding import Binding
    from archlaw.bridge.sorts import FloatTensor

    def linear(d: int = 3):
        m = torch.nn.Linear(d, d, bias=False)
        return Binding(sorts={"V": FloatTensor((d,))}, params={}, symbols={"f": m},
                       model_symbols=frozenset({"f"}), module=m)
""")


@pytest.fixture(scope="module")
def root(tmp_path_factory):
    root = tmp_path_factory.mktemp("inst")
    (root / "lean-toolchain").write_text("leanprover/lean4:v4.20.0\n")
    (root / "Inst").mkdir()
    (root / "Inst" / "Laws.lean").write_text(LAWS)
    (root / "inst_models_fh.py").write_text(MODELS)
    return root


@pytest.fixture(scope="module")
def export(root):
    return load_export(root)


def _binding(enc=None, f=None) -> Binding:
    lin = torch.nn.Linear(3, 3, bias=False)
    return Binding(sorts={"V": enc or FloatTensor((3,))}, params={},
                   symbols={"f": f or lin}, model_symbols=frozenset({"f"}), module=lin)


def test_an_add_instance_is_resolved_from_the_float_sort(export):
    """Before the fix: `the binding does not bind symbol inst : Add V`."""
    rep = check_law(export.find("Additive"), _binding(), samples=50)
    assert rep.passed, rep.summary()
    bad = check_law(export.find("Additive"), _binding(f=lambda x: x * x), samples=50)
    assert not bad.passed  # the resolved + is float +: a square is not additive


def test_a_theorem_over_a_law_with_an_instance_is_checked(export):
    """Before the fix: `cannot infer law parameter inst from Inst.Additive f`."""
    rep = check_theorem(export.find("Additive.two"), export, _binding(), samples=50)
    assert rep.passed and not rep.certified
    assert [h for h, _ in rep.hypotheses] == ["h"]


def test_the_cli_never_asks_for_the_instance(root, monkeypatch, capsys):
    monkeypatch.chdir(root)
    assert main(["check", "Additive", "--root", str(root), "--model", "inst_models_fh:linear",
                 "--samples", "50", "--json"]) == 0
    assert '"passed": true' in capsys.readouterr().out


def test_a_class_with_no_known_meaning_is_one_error_saying_how_to_register(export):
    with pytest.raises(ArchLawError) as e:
        check_law(export.find("Frobby"), _binding(), samples=10)
    msg = str(e.value)
    assert "\n" not in msg
    assert "class Inst.Frob has no known meaning" in msg
    assert "register_instance_class('Inst.Frob'" in msg and "@archlaw.bridge.interpret" in msg


def test_an_operation_with_no_meaning_at_the_sort_names_class_op_and_sort(export):
    with pytest.raises(ArchLawError) as e:
        check_law(export.find("Additive"), _binding(enc=ListOf(FloatTensor((3,))),
                                                    f=lambda xs: xs), samples=10)
    msg = str(e.value)
    assert "class Add needs HAdd.hAdd at V = List Float[3], which has no meaning" in msg
    assert "interpretation('HAdd.hAdd', sort='List')" in msg


def test_a_registered_class_resolves(export, monkeypatch):
    monkeypatch.setitem(instances.INSTANCE_CLASSES, "Inst.Frob", ())
    monkeypatch.setattr(interpret, "_REGISTRY", dict(interpret._REGISTRY))
    instances.register_instance_class("Inst.Frob", ("Inst.Frob.frob",))

    @interpret.interpretation("Inst.Frob.frob", sort="Float", arity=1)
    def _frob(ctx, x):
        return 2 * x

    assert check_law(export.find("Frobby"), _binding(), samples=20).passed


def test_a_saved_model_of_a_law_with_an_instance_loads(export, tmp_path):
    """The saved spec lists model symbols only: before the fix, `load(..., laws=...)` tried to
    resolve `Add V` as a symbol's sort and refused the file."""
    from archlaw.models.saved import load, save, spec_of

    law = export.find("Additive")
    b = _binding()
    save(tmp_path / "m", b.module, spec=spec_of([law], b))
    load(tmp_path / "m", torch.nn.Linear(3, 3, bias=False), laws=[law])
