"""The library's concrete symmetries with Lean's actions inside the law (issue 14, point 5): a
binding supplies only `f`; `rotate`, `permute`, `c4Act`/`gridAct` run from their Lean bodies;
`D4` and `Perm n` are finite sorts (``Perm n``: exactly its n! permutations)."""
from __future__ import annotations

from pathlib import Path

import pytest
import torch
import torch.nn.functional as F

from archlaw.bridge import ir, sorts as S
from archlaw.bridge import source_reader as sr
from archlaw.bridge.binding import Binding
from archlaw.bridge.conformance import check_law
from archlaw.bridge.library import load_export
from archlaw.bridge.semantics import RAN_BODY
from archlaw.bridge.structures import D4_SORT, perm_sort

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def export() -> ir.Export:
    return load_export()


def _only_f(f, *, c: int, **params) -> Binding:
    """A binding of `f` alone: the action is the law's own (Lean's)."""
    return Binding({"X": S.FloatTensor((c,)), "Y": S.FloatTensor((c,))}, params, {"f": f},
                   frozenset({"f"}))


def _bodies(report) -> set[str]:
    return {name for name, how in report.ran if how == RAN_BODY}


def test_circular_conv1d_passes_the_cyclic_shift_law_and_zero_padding_fails(export):
    torch.manual_seed(0)
    circ = torch.nn.Conv1d(3, 3, 5, padding=2, padding_mode="circular").double()
    zero = torch.nn.Conv1d(3, 3, 5, padding=2).double()
    zero.load_state_dict(circ.state_dict())

    def f(m):  # a signal Fin n → Float[c] is (N, n, c); Conv1d wants (N, c, n)
        return lambda s: m(s.transpose(1, 2)).transpose(1, 2)
    law = export.find("ArchLaw.ShiftEquivariant")
    good = check_law(law, _only_f(f(circ), c=3, n=12), samples=30, dtype=torch.float64)
    assert good.passed, good.summary()
    assert "ArchLaw.rotate" in _bodies(good)
    assert good.fields[0].domains[0].kind == "exhaustive"     # every shift k : Fin 12
    bad = check_law(law, _only_f(f(zero), c=3, n=12), samples=30, dtype=torch.float64)
    fld = bad.fields[0]
    assert not fld.passed and fld.counterexample is not None
    assert [name for name, _ in fld.counterexample.values] == ["k", "s"]


def _rot_avg(w: torch.Tensor) -> torch.Tensor:
    return sum(torch.rot90(w, r, dims=(2, 3)) for r in range(4)) / 4


def _conv2d(w):  # a grid Fin k × Fin k → Float[c] is (N, k, k, c)
    pad = w.shape[-1] // 2
    return lambda x: F.conv2d(x.permute(0, 3, 1, 2), w, padding=pad).permute(0, 2, 3, 1)


def test_a_rotation_averaged_kernel_passes_c4_and_a_random_one_fails(export):
    torch.manual_seed(1)
    # 5×5: a rotation-averaged 3×3 kernel would be reflection-symmetric too
    w = torch.randn(2, 2, 5, 5, dtype=torch.float64)
    law = export.find("ArchLaw.C4Equivariant")
    good = check_law(law, _only_f(_conv2d(_rot_avg(w)), c=2, k=5), samples=20,
                     dtype=torch.float64)
    assert good.passed, good.summary()
    assert {"ArchLaw.c4Act", "ArchLaw.C4.toD4", "ArchLaw.gridAct", "ArchLaw.D4.pt"} <= _bodies(good)
    bad = check_law(law, _only_f(_conv2d(w), c=2, k=5), samples=20, dtype=torch.float64)
    assert not bad.passed and bad.fields[0].counterexample is not None
    # the averaged kernel is not reflection-symmetric: D4 (with gridAct) tells them apart
    d4 = check_law(export.find("ArchLaw.D4Equivariant"), _only_f(_conv2d(_rot_avg(w)), c=2, k=5),
                   samples=20, dtype=torch.float64)
    assert not d4.passed
    g = dict(d4.fields[0].counterexample.values)["g"]
    assert g.startswith("⟨") and g != "⟨false, false, false⟩"


def test_c4_rotates_by_quarter_turns(export):
    """`c4Act r` is rotation by r quarter turns: rot90 is C4-equivariant with the action
    exactly when the action is a rotation (a flip would fail)."""
    law = export.find("ArchLaw.C4Equivariant")
    turn = _only_f(lambda x: torch.rot90(x, 1, dims=(1, 2)), c=1, k=4)
    flip = _only_f(lambda x: torch.flip(x, dims=(1,)), c=1, k=4)
    assert check_law(law, turn, samples=10, dtype=torch.float64).passed
    assert not check_law(law, flip, samples=10, dtype=torch.float64).passed


def test_a_layer_without_positions_passes_s_n_and_a_causal_mask_fails(export):
    torch.manual_seed(2)
    n, d = 4, 3
    q, k, v = (torch.randn(d, d, dtype=torch.float64) for _ in range(3))

    def attention(mask: bool):
        def f(s):  # (N, n, d): self-attention without positional information
            scores = (s @ q) @ (s @ k).transpose(1, 2)
            if mask:
                scores = scores.masked_fill(torch.ones(n, n).triu(1).bool(), float("-inf"))
            return torch.softmax(scores, -1) @ (s @ v)
        return f
    law = export.find("ArchLaw.PermEquivariant")
    good = check_law(law, _only_f(attention(False), c=d, n=n), samples=20, dtype=torch.float64)
    assert good.passed, good.summary()
    assert "ArchLaw.permute" in _bodies(good)
    dom = good.fields[0].domains[0]
    assert dom.kind == "exhaustive" and dom.size == 24              # all of S_4
    bad = check_law(law, _only_f(attention(True), c=d, n=n), samples=20, dtype=torch.float64)
    assert not bad.passed and bad.fields[0].counterexample is not None


@pytest.mark.parametrize("n", [1, 3, 4])
def test_perm_n_is_exactly_its_permutations(n):
    enc = perm_sort(n)
    to, inv = enc.enumerate(torch.device("cpu"))
    import math
    assert enc.cardinality == math.factorial(n) == to.batch_size
    rows = to.dense()
    assert len({tuple(r.tolist()) for r in rows}) == math.factorial(n)
    assert all(sorted(r.tolist()) == list(range(n)) for r in rows)
    # invFun undoes toFun (the Prop fields hold on every value)
    i = torch.arange(n).repeat(to.batch_size)
    rep = torch.arange(to.batch_size).repeat_interleave(n)
    assert torch.equal(inv.take(rep)(to.take(rep)(i)), i)
    sampled = enc.materialize(torch.zeros(500, dtype=torch.long),
                              torch.Generator().manual_seed(0), S.SampleConfig())
    assert all(sorted(r.tolist()) == list(range(n)) for r in sampled[0].dense())


def test_d4_has_its_eight_elements():
    vals = D4_SORT.enumerate(torch.device("cpu"))
    assert D4_SORT.cardinality == 8
    assert len({tuple(int(v[i]) for v in vals) for i in range(8)}) == 8


def test_the_perm_structure_signature_reads_with_fields_in_scope():
    """`Perm.left_inv` mentions the earlier fields `toFun` and `invFun`: the reader puts earlier
    fields in scope of later ones (it failed to read `ArchLaw.Perm` before)."""
    r = sr.SourceReader()
    for key, module, text in sr.load_files(ROOT):
        r.add_file(key, module, text)
    sig = ir.pretty(r.lib.signature("ArchLaw.Perm.left_inv", (0, 0)))
    assert "ArchLaw.Perm.invFun self (ArchLaw.Perm.toFun self i)" in sig.replace("(self)", "self")
