"""Functions over finite types are data (issue 14, point 4): a value of ``Fin n → X`` is one
tensor holding its table; application gathers, ``fun`` is evaluated on the whole domain at
once, equality is pointwise under X's rule, binders are sampled or enumerated as tables."""
from __future__ import annotations

from pathlib import Path

import pytest
import torch
from hypothesis import given, settings, strategies as st

from archlaw.bridge import ir, source_reader as sr
from archlaw.bridge import sorts as S
from archlaw.bridge.binding import Binding
from archlaw.bridge.conformance import check_law
from archlaw.bridge.errors import ArchLawError
from archlaw.bridge.semantics import RAN_BODY
from archlaw.bridge.tables import Table, TableSort, tabulate

DEFS = Path(__file__).parent / "fixtures" / "defs"
NAT = ir.App("Nat", (), ir.TYPE)


def _fin(n: int) -> ir.Term:
    return ir.App("Fin", (ir.Lit(n, NAT),), ir.TYPE)


def _arrow(*sorts: ir.Term) -> ir.Term:
    out = sorts[-1]
    for s in reversed(sorts[:-1]):
        out = ir.Pi(ir.Var("_", s), out, "explicit", ir.TYPE)
    return out


BOOL = ir.App("Bool", (), ir.TYPE)
X = ir.Var("X", ir.TYPE)


def _resolve(t: ir.Term) -> S.Encoding:
    return S.resolve_sort(t, {"X": S.FloatTensor((3,))}, {})


def test_function_sorts_over_finite_types_resolve_to_tables():
    sig = _resolve(_arrow(_fin(8), X))
    assert isinstance(sig, TableSort) and sig.axes == (8,) and sig.cod == S.FloatTensor((3,))
    grid = _resolve(_arrow(ir.App("Prod", (_fin(3), _fin(4)), ir.TYPE), X))
    curried = _resolve(_arrow(_fin(3), _fin(4), X))
    assert grid.axes == curried.axes == (3, 4)
    flags = _resolve(_arrow(BOOL, _fin(5)))
    assert flags.axes == (2,) and flags.cardinality == 25
    # a Nat codomain has no table: it stays a function (a model's symbol may have it)
    assert isinstance(_resolve(_arrow(_fin(3), NAT)), S.FunctionSort)


def _law(name: str) -> ir.Law:
    law = sr.read_root(DEFS).find(name)
    assert isinstance(law, ir.Law)
    return law


def _signal_binding(f, n=6, c=2) -> Binding:
    return Binding({"X": S.FloatTensor((c,)), "Y": S.FloatTensor((c,))}, {"n": n}, {"f": f},
                   frozenset({"f"}))


def test_a_law_over_signals_runs_end_to_end_from_the_fixture_bodies():
    law = _law("Reverses")
    seen = []

    def f(s):  # (N, n, c) signals in, pointwise map out: commutes with any reindexing
        seen.append(tuple(s.shape))
        return torch.tanh(s) * 2
    good = check_law(law, _signal_binding(f), samples=40)
    assert good.passed, good.summary()
    assert good.ran == (("Defs.reverse", RAN_BODY),)
    # the model saw whole signals, batch first: (N, n, c), never one entry at a time
    assert all(len(s) == 3 and s[1:] == (6, 2) for s in seen)

    def shifted(s):  # a causal running sum: reversing the signal changes it
        return s.cumsum(1)
    bad = check_law(law, _signal_binding(shifted), samples=40)
    f0 = bad.fields[0]
    assert not f0.passed and f0.counterexample is not None
    assert f0.counterexample.values[0][0] == "s" and f0.counterexample.values[0][1].startswith("[")


def test_a_binder_over_a_finite_table_is_enumerated():
    law = _law("Palindromic")
    b = Binding({}, {"n": 3}, {"g": lambda t: t.sum(1) >= 2}, frozenset({"g"}))  # majority
    r = check_law(law, b)
    f = r.fields[0]
    assert r.passed and f.check == "exhaustive" and f.cases == 8
    # first-entry-only is not symmetric: the first failing table in enumeration order
    bad = check_law(law, Binding({}, {"n": 3}, {"g": lambda t: t[:, 0]}, frozenset({"g"})))
    f = bad.fields[0]
    assert f.violations == 4 and f.counterexample.values == (("b", "[false, false, true]"),)


def test_application_is_a_gather_and_fun_is_one_batched_call():
    enc = TableSort((S.Finite(4),), S.FloatTensor((2,)))
    vals = torch.arange(3 * 4 * 2, dtype=torch.float32).reshape(3, 4, 2)
    t = Table(enc, vals)
    i = torch.tensor([3, 0, 2])
    assert torch.equal(t(i), vals[torch.arange(3), i])
    # selecting cases keeps row indices, not copies; the gather sees the selected rows
    sel = t.take(torch.tensor([2, 2, 0]))
    assert torch.equal(sel(torch.tensor([1, 1, 1])), vals[[2, 2, 0], 1])
    calls = []

    def fn(k):
        calls.append(k.shape)
        return torch.stack([k.float(), -k.float()], 1)
    dense = tabulate(enc, fn, 3)
    assert calls == [torch.Size([12])]          # the whole domain of 3 cases at once
    assert torch.equal(dense[1, :, 0], torch.arange(4.0))


def test_equality_is_pointwise_with_one_tolerance_group_per_entry():
    enc = TableSort((S.Finite(2),), S.FloatTensor(()))
    big = torch.tensor([[1e8, 1.0]], dtype=torch.float64)
    off = big.clone()
    off[0, 1] += 1e-3                            # the small entry is wrong by 0.1%
    ok, err = enc.equal(Table(enc, big), Table(enc, off), S.Tolerance(1e-6, 0.0))
    # a scale over the whole table (1e8) would hide the error; per entry it is caught
    assert not bool(ok[0]) and float(err[0]) == pytest.approx(1e-3 / 1.001, rel=1e-6)


@settings(max_examples=25, deadline=None)
@given(st.integers(1, 4), st.integers(1, 4), st.integers(1, 5))
def test_curried_and_pair_tables_gather_the_same_entry(h, w, n):
    pair = TableSort((S.ProdOf(S.Finite(h), S.Finite(w)),), S.Finite(7))
    curried = TableSort((S.Finite(h), S.Finite(w)), S.Finite(7))
    gen = torch.Generator().manual_seed(h * 100 + w * 10 + n)
    vals = torch.randint(0, 7, (n, h, w), generator=gen)
    i = torch.randint(0, h, (n,), generator=gen)
    j = torch.randint(0, w, (n,), generator=gen)
    assert torch.equal(Table(pair, vals)((i, j)), Table(curried, vals)(i)(j))
    assert torch.equal(Table(pair, vals)((i, j)), vals[torch.arange(n), i, j])


def test_a_table_with_nat_values_is_refused_in_one_line():
    src = ("import Defs.Attr\n@[arch_law] structure T (f : (Fin 3 → Nat) → Nat) : Prop where\n"
           "  spec : ∀ (s : Fin 3 → Nat), f s = f s\n")
    law, = sr.read_text(src)
    with pytest.raises(ArchLawError) as e:
        check_law(law, Binding({}, {}, {"f": lambda s: s}, frozenset({"f"})))
    msg = str(e.value)
    assert "\n" not in msg and "binder s" in msg and "not a list, Nat or a tree" in msg


def test_a_model_returning_the_wrong_table_shape_is_one_line():
    with pytest.raises(ArchLawError) as e:
        check_law(_law("Reverses"), _signal_binding(lambda s: s[:, :-1]), samples=5)
    msg = str(e.value)
    assert "\n" not in msg and "symbol 'f'" in msg and "leading dims" in msg


def test_a_cell_from_data_and_an_index_still_takes_both_arguments():
    """``cell : H → Fin 3 → H`` (H floats) is a fold cell, not a network into tables: it is
    called with both arguments (an earlier rule returned a table after H and broke the GRU
    folds)."""
    from archlaw.bridge.tables import symbol_arity

    h = ir.Var("H", ir.TYPE)
    sorts = {"H": S.FloatTensor((4,)), "X": S.FloatTensor((3,))}

    def resolve(t):
        return S.resolve_sort(t, sorts, {})
    assert symbol_arity(_arrow(h, _fin(3), h), resolve) == 2
    assert symbol_arity(_arrow(_fin(3), _fin(3), _fin(2)), resolve) == 2
    assert symbol_arity(_arrow(_arrow(_fin(5), X), _fin(5), X), resolve) == 1
