"""`assert_law` and the binding derived from a law's spec (issue 16): stock torch modules get the
right verdict with zero lines of binding code; the layout is a binding-boundary option."""
from __future__ import annotations

import pytest
import torch
from torch import nn

from archlaw.bridge.errors import ArchLawError
from archlaw.bridge.library import load_export
from archlaw.bridge.spec import law_spec, parse_assignment
from archlaw.testing import assert_law


def _conv1d(padding_mode: str) -> nn.Conv1d:
    torch.manual_seed(0)
    return nn.Conv1d(3, 3, 5, padding=2, padding_mode=padding_mode)


def test_circular_conv1d_passes_the_shift_law_and_zero_padding_fails_with_a_replay():
    rep = assert_law("ShiftEquivariant", f=_conv1d("circular"), n=12, X=(3,), Y=(3,),
                     layout={"f": "NCL"})
    assert rep.passed and ("ArchLaw.rotate", "body") in rep.ran
    with pytest.raises(AssertionError) as e:
        assert_law("ShiftEquivariant", f=_conv1d("zeros"), n=12, X=(3,), Y=(3,),
                   layout={"f": "NCL"})
    assert "counterexample: k := " in str(e.value) and "replay: seed=0" in str(e.value)


def test_without_the_layout_a_conv1d_is_called_on_the_wrong_axes_and_fails():
    """The layout matters: (N, 12, 3) read as (N, C, L) is a 12-channel signal, which this
    3-channel Conv1d refuses; one line naming the symbol, no traceback."""
    with pytest.raises(ArchLawError, match="symbol 'f' raised RuntimeError"):
        assert_law("ShiftEquivariant", f=_conv1d("circular"), n=12, X=(3,), Y=(3,))


@pytest.mark.parametrize("batch_first", [False, True])
def test_a_transformer_layer_without_positions_passes_s_n_as_the_user_has_it(batch_first):
    torch.manual_seed(1)
    layer = nn.TransformerEncoderLayer(4, 2, dim_feedforward=8, dropout=0.0,
                                       batch_first=batch_first)
    rep = assert_law("PermEquivariant", f=layer, n=4, X=(4,), Y=(4,), samples=20)
    assert rep.fields[0].domains[0].kind == "exhaustive"          # all of S_4
    # the layout comes from batch_first: forcing the other one (which would mix the batch's
    # cases) is refused up front, naming the module's batch_first
    wrong = "NLC" if not batch_first else "LNC"
    with pytest.raises(ArchLawError, match=f"contradicts the module's batch_first={batch_first}"):
        assert_law("PermEquivariant", f=layer, n=4, X=(4,), Y=(4,), samples=20,
                   layout={"f": wrong})


class Causal(nn.Module):
    """A user's wrapper: the same layer with a causal mask."""

    def __init__(self, layer: nn.Module):
        super().__init__()
        self.layer = layer

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        mask = nn.Transformer.generate_square_subsequent_mask(x.shape[1], dtype=x.dtype)
        return self.layer(x, src_mask=mask)


def test_a_causal_mask_wrapper_fails_s_n():
    torch.manual_seed(1)
    layer = nn.TransformerEncoderLayer(4, 2, dim_feedforward=8, dropout=0.0, batch_first=True)
    with pytest.raises(AssertionError, match="counterexample"):
        assert_law("PermEquivariant", f=Causal(layer), n=4, X=(4,), Y=(4,), samples=20)


def _conv2d(averaged: bool) -> nn.Conv2d:
    torch.manual_seed(2)
    conv = nn.Conv2d(2, 2, 5, padding=2).double()  # averaged in float64: exact to its rounding
    if averaged:  # 5x5: an averaged 3x3 kernel would be reflection-symmetric as well
        with torch.no_grad():
            conv.weight.copy_(sum(torch.rot90(conv.weight, r, dims=(2, 3)) for r in range(4)) / 4)
    return conv


def test_a_rotation_averaged_conv2d_passes_c4_and_a_random_one_fails():
    assert_law("C4Equivariant", f=_conv2d(True), k=5, X=(2,), Y=(2,), layout={"f": "NCHW"},
               samples=20)
    with pytest.raises(AssertionError, match="counterexample"):
        assert_law("C4Equivariant", f=_conv2d(False), k=5, X=(2,), Y=(2,),
                   layout={"f": "NCHW"}, samples=20)


@pytest.mark.parametrize("f, what", [
    (lambda s: s[:, :-1], "shape"),               # drops a position
    (lambda s: s.to(torch.float16), "dtype"),     # a float16 output in a float64 check
])
def test_a_wrong_shaped_or_wrong_dtype_output_is_one_line_naming_the_symbol(f, what):
    with pytest.raises(ArchLawError) as e:
        assert_law("ShiftEquivariant", f=f, n=6, X=(2,), Y=(2,), samples=5)
    msg = str(e.value)
    assert "\n" not in msg and "symbol 'f'" in msg and what in msg, msg


@pytest.mark.parametrize("given, words", [
    (dict(n=6, X=(2,)), "Y (sort)"),                          # a sort missing
    (dict(n=6, X=(2,), Y=(2,), m=3), "no parameter 'm'"),     # not the law's
    (dict(n="6", X=(2,), Y=(2,)), "Nat law parameter"),       # wrong kind
    (dict(n=6, X=2, Y=(2,)), "is a sort"),
    (dict(n=6, X=(2,), Y=(2,), f=3), "model symbol"),
])
def test_bad_arguments_are_one_line(given, words):
    with pytest.raises(ArchLawError, match=words.replace("(", r"\(").replace(")", r"\)")):
        assert_law("ShiftEquivariant", **{"f": lambda s: s, **given})


def test_a_missing_symbol_or_a_layout_for_no_symbol_is_one_line():
    with pytest.raises(ArchLawError, match="give the model symbol"):
        assert_law("ShiftEquivariant", n=6, X=(2,), Y=(2,))
    with pytest.raises(ArchLawError, match="not an order of the spec's letters"):
        assert_law("ShiftEquivariant", f=lambda s: s, n=6, X=(2,), Y=(2,), layout={"f": "NCW"})


def test_finite_logits_are_decoded_by_argmax():
    """A result of sort Fin m may come as logits over a trailing axis of m: the binding decodes
    them (argmax), so a model is checked as it is run."""
    ex = load_export()
    law = ex.find("ArchLaw.PermEquivariant")
    ident = lambda s: torch.nn.functional.one_hot(s, 3).double()  # noqa: E731  Fin 3 -> logits
    from archlaw.bridge.sorts import Finite
    rep = assert_law(law, f=ident, n=3, X=Finite(3), Y=Finite(3), samples=10)
    assert rep.passed
    spec = law_spec(law, n=3, X=Finite(3), Y=Finite(3))
    assert spec.symbols[0].result.decode.startswith("or logits (N, 3, 3)")


def test_every_shipped_law_has_a_spec_once_given_its_parameters():
    """The families' own sorts (the carry's generate/propagate, trees) are registered by their
    bindings modules, as `archlaw spec` imports them.
    Each shipped law's spec prints from the command-line grammar: Nat parameters 3, sorts
    float[2] (a law whose sorts must be finite is given fin[3])."""
    import archlaw.models.carry.bindings  # noqa: F401
    import archlaw.models.recursion.bindings  # noqa: F401
    ex = load_export()
    for law in ex.laws:
        from archlaw.bridge.spec import _param_kinds
        kinds = _param_kinds(law)
        args = [f"{k}=3" if v == "nat" else f"{k}=float[2]" for k, v in kinds.items()
                if v != "symbol"]
        given = dict(parse_assignment(a, law) for a in args)
        try:
            text = law_spec(law, **given).text()
        except ArchLawError:
            given = {k: (parse_assignment(f"{k}=fin[3]", law)[1] if kinds[k] == "sort" else v)
                     for k, v in given.items()}
            text = law_spec(law, **given).text()
        assert text.startswith(law.name) and "fixed by the law" in text


from hypothesis import given, settings, strategies as st  # noqa: E402


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=20))
def test_any_assignment_text_parses_or_is_one_line(text):
    """Fuzz the command-line grammar: a value, or one ArchLawError line; nothing else escapes."""
    law = load_export().find("ArchLaw.ShiftEquivariant")
    try:
        name, value = parse_assignment(text, law)
    except ArchLawError as e:
        assert "\n" not in str(e)
    else:
        assert name in ("n", "X", "Y")


@settings(max_examples=6, deadline=None)
@given(st.permutations("NLC"))
def test_every_layout_round_trips(order):
    """A layout is only a view at the boundary: the identity, called in any layout, is still
    the identity (a wrong inverse permutation would move entries or fail the shape check)."""
    seen = []

    def ident(x):
        seen.append(tuple(x.shape))
        return x
    assert_law("ShiftEquivariant", f=ident, n=4, X=(3,), Y=(3,), layout={"f": "".join(order)},
               samples=3)
    sizes = {"N": seen[0][order.index("N")], "L": 4, "C": 3}
    assert seen[0] == tuple(sizes[ch] for ch in order)


# Argument validation and pytest ergonomics (a new user's report): wrong-type options are one
# ArchLawError line naming the option; a failure points at the caller's line; `case=K` replays.

@pytest.mark.parametrize("kw, words", [
    (dict(layout="NCL"), "layout='NCL': give a mapping from a model symbol to its layout "
                         "letters, e.g. layout={'f': 'NCL'}"),
    (dict(layout={"f": 3}), "layout={'f': 3}: give a mapping"),
    (dict(dtype="float33"), "dtype='float33': give a torch floating dtype or its name"),
    (dict(dtype=torch.int64), "dtype=torch.int64: give a torch floating dtype or its name"),
    (dict(dtype=torch.float8_e4m3fn), "accepted: float64, float32, float16, bfloat16"),
    (dict(f=nn.Identity), "f=Identity is a class: pass an instance: nn.Identity()"),
    (dict(f=nn.Conv1d), "pass an instance: nn.Conv1d(...)"),
    (dict(samples="10"), "samples='10': give an int >= 1"),
    (dict(seed=-1), "seed=-1: give an int >= 0"),
    (dict(case=-1), "case=-1: give an int >= 0"),
    (dict(case=True), "case=True: give an int >= 0"),
])
def test_a_wrong_type_option_is_one_line_naming_it(kw, words):
    with pytest.raises(ArchLawError) as e:
        assert_law("ShiftEquivariant", **{"f": _conv1d("circular"), "n": 6, "X": (3,),
                                          "Y": (3,), "samples": 5, **kw})
    msg = str(e.value)
    assert "\n" not in msg and msg.startswith("assert_law('ShiftEquivariant'): ") and words in msg


def test_a_law_given_as_an_object_is_named_by_its_name_in_an_option_error():
    law = load_export().find("ArchLaw.ShiftEquivariant")
    with pytest.raises(ArchLawError) as e:
        assert_law(law, f=lambda s: s, n=6, X=(3,), Y=(3,), layout="NCL")
    assert str(e.value).startswith("assert_law(ArchLaw.ShiftEquivariant): layout='NCL'")


@pytest.mark.parametrize("name", ["float32", "torch.float32"])
def test_a_dtype_may_be_given_by_name(name):
    conv = _conv1d("circular")
    rep = assert_law("ShiftEquivariant", f=conv, n=6, X=(3,), Y=(3,), layout={"f": "NCL"},
                     samples=5, dtype=name)
    assert rep.dtype == "float32" and conv.weight.dtype == torch.float32
    rep64 = assert_law("ShiftEquivariant", f=conv, n=6, X=(3,), Y=(3,), layout={"f": "NCL"},
                       samples=5, dtype="float64")
    assert rep64.dtype == "float64"


def _shown_frames(excinfo) -> list[str]:
    """The files of the frames pytest shows for `excinfo`: those without ``__tracebackhide__``."""
    import traceback
    return [f.f_code.co_filename for f, _ in traceback.walk_tb(excinfo.tb)
            if not f.f_locals.get("__tracebackhide__", False)]


def test_pytest_shows_the_callers_line_not_archlaws_source():
    with pytest.raises(AssertionError) as fail:
        assert_law("ShiftEquivariant", f=_conv1d("zeros"), n=12, X=(3,), Y=(3,),
                   layout={"f": "NCL"}, samples=10)
    with pytest.raises(ArchLawError) as bad:  # raised deep in the engine (the spec's layout)
        assert_law("ShiftEquivariant", f=lambda s: s, n=6, X=(2,), Y=(2,), layout={"f": "NCW"})
    for e in (fail, bad):
        assert _shown_frames(e) == [__file__], _shown_frames(e)


def test_case_k_replays_the_counterexample_its_failure_names():
    """The failure names `assert_law(..., case=K)`; re-run with it, exactly that case is checked
    (one case, the same counterexample, its values now at full precision), as the CLI's
    ``--case K`` does."""
    import re
    kw = dict(f=_conv1d("zeros"), n=12, X=(3,), Y=(3,), layout={"f": "NCL"}, samples=10)
    with pytest.raises(AssertionError) as e:
        assert_law("ShiftEquivariant", **kw)
    text = str(e.value)
    k = int(re.search(r"replay: seed=0 .* case (\d+)\n", text).group(1))
    assert f"in this test: assert_law('ArchLaw.ShiftEquivariant', ..., case={k})" in text
    with pytest.raises(AssertionError) as again:
        assert_law("ShiftEquivariant", case=k, **kw)
    one = str(again.value)
    assert "map_act: FAIL sampled 1 case, 1 violation" in one
    assert f"case {k}\n" in one and f"case={k})" in one
    first = text.split("counterexample: ")[1].split(",")[0]       # its first binder, k := ...
    assert one.split("counterexample: ")[1].startswith(first)
    assert "\n    lhs = tensor (12, 3) float64 [[" in one                # every value in full
    assert "\n    lhs = " not in text                                  # (only when run alone)
    with pytest.raises(ArchLawError, match="no field of ArchLaw.ShiftEquivariant has that many"):
        assert_law("ShiftEquivariant", case=10**5, **kw)
