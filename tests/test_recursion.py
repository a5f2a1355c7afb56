"""Recursion (issue 6), torch side: folds over lists and trees, Mealy and Moore machines.

Every law of the family is checked on a conforming model and on a seeded violation through the
conformance engine, on the laws as read from ``lean/`` (statement labels asserted against the
export's producer: ``source`` without Lean, ``lean`` after ``archlaw export`` with Lean).
Models are the tiny seeded fixtures of `archlaw.models.recursion.fixtures` (trained once per
session, one thread). Budget: well under a minute on one core.
"""

from __future__ import annotations

import pytest
import torch
from hypothesis import given, settings, strategies as st

from archlaw.bridge.binding import ListBatch
from archlaw.bridge.conformance import check_law, check_theorem
from archlaw.bridge.domains import default_config
from archlaw.bridge.library import load_export
from archlaw.models.recursion import fixtures as fx
from archlaw.models.recursion.modules import (
    FiniteCell, MealyRunner, MooreRunner, fold_left, fold_tree, straight_through,
)
from archlaw.models.recursion.baselines import LSTMTagger, SinusoidalTransformer
from archlaw.models.recursion.bindings import (
    mealy_binding, sample_trees, spec_mealy_binding, state_map,
)
from archlaw.models.recursion.data import ArithTreeTask, NoTwoOnesTask
from archlaw.models.recursion.train import evaluate
from archlaw.models.registry import one_thread


@pytest.fixture(scope="module")
def export():
    return load_export()


@pytest.fixture(autouse=True)
def _one_thread():
    with one_thread():
        yield


# ------------------------------------------------------------------------------------------
# Runners are the laws' folds, batched


def test_fold_left_masks_ragged_lengths():
    g = torch.Generator().manual_seed(0)
    xs = torch.randint(0, 5, (7, 9), generator=g)
    lengths = torch.tensor([0, 1, 9, 4, 3, 8, 2])
    cell = lambda h, a: (3 * h + a) % 101  # noqa: E731
    out, states = fold_left(cell, torch.zeros(7, dtype=torch.long), xs, lengths, collect=True)
    for i in range(7):
        h = 0
        for t in range(int(lengths[i])):
            h = (3 * h + int(xs[i, t])) % 101
            assert int(states[i, t]) == h
        assert int(out[i]) == h


def _eval_nested(t, task: ArithTreeTask) -> int:
    if isinstance(t, int):
        return t
    o, l, r = t
    a, b = _eval_nested(l, task), _eval_nested(r, task)
    return (a + b) % task.p if o == 0 else (a * b) % task.p


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10**6), depth=st.integers(0, 6))
def test_fold_tree_by_levels_is_the_recursive_fold(seed, depth):
    task = ArithTreeTask(5)
    g = torch.Generator().manual_seed(seed)
    trees = task.random_trees(4, depth, g)
    got = fold_tree(trees, task.leaf, task.node)
    for i in range(4):
        assert int(got[i]) == _eval_nested(trees.to_nested(i), task)
    # take (with repeats) and where keep each tree's fold
    idx = torch.tensor([3, 0, 3])
    assert torch.equal(fold_tree(trees.take(idx), task.leaf, task.node), got[idx])
    mask = torch.tensor([True, False, True, False])
    other = sample_trees(torch.tensor([2, 1, 0, 3]), 5, 2, g)
    both = trees.where(mask, other)
    assert torch.equal(fold_tree(both, task.leaf, task.node),
                       torch.where(mask, got, fold_tree(other, task.leaf, task.node)))


def test_caterpillar_trees_have_linear_size_and_postfix_agrees():
    task = ArithTreeTask(5)
    d = task.sample(8, 1, 40, torch.Generator().manual_seed(1))
    assert torch.equal(fold_tree(d.trees, task.leaf, task.node), d.answers)
    assert d.trees.num_nodes == int((2 * d.trees.depths + 1).sum())
    for i in range(8):  # evaluate the postfix serialisation with a stack
        stack = []
        for tok in d.postfix.xs[i, : int(d.postfix.lengths[i])].tolist():
            if tok < task.p:
                stack.append(tok)
            else:
                b, a = stack.pop(), stack.pop()
                stack.append((a + b) % task.p if tok == task.p else (a * b) % task.p)
        assert stack == [int(d.answers[i])]


def test_straight_through_forward_is_exactly_one_hot():
    logits = torch.randn(6, 4, requires_grad=True)
    y = straight_through(logits)
    assert torch.equal(y.detach(), torch.nn.functional.one_hot(logits.argmax(-1), 4).float())
    (y * torch.arange(4.0)).sum().backward()
    assert logits.grad is not None and logits.grad.abs().sum() > 0


def test_finite_cell_table_is_its_decoded_map():
    cell = FiniteCell([3, 2], 4, hidden=8)
    table = cell.table()
    s, a = torch.meshgrid(torch.arange(3), torch.arange(2), indexing="ij")
    assert torch.equal(table, cell.decoded(s.reshape(-1), a.reshape(-1)).reshape(3, 2))


def test_machine_runners_match_the_specification():
    task = NoTwoOnesTask()
    b = task.sample(16, 1, 30, torch.Generator().manual_seed(2))
    _, ys = MealyRunner(task.step, task.out)(task.init(16), b.xs, b.lengths)
    live = b.targets != -100
    assert torch.equal(ys[live], b.targets[live])
    _, zs = MooreRunner(task.step, task.moore_out)(task.init(16), b.xs, b.lengths)
    assert zs.shape[1] == b.xs.shape[1] + 1
    assert torch.equal(zs[:, 1:][live], b.targets[live])  # Moore output i+1 = Mealy output i


def test_baselines_are_causal():
    xs = torch.randint(0, 2, (3, 12))
    lengths = torch.full((3,), 12)
    for m in (SinusoidalTransformer(2, 3, d_model=16, heads=2, layers=1, ff=32), LSTMTagger(2, 3, 16)):
        m.eval()
        with torch.no_grad():
            a = m(xs, lengths)
            ys = xs.clone()
            ys[:, 7:] = 1 - ys[:, 7:]
            b = m(ys, lengths)
        assert torch.allclose(a[:, :7], b[:, :7], atol=1e-5)


# ------------------------------------------------------------------------------------------
# Every law on a conforming model and on a seeded violation (the registry fixtures)

def _run(export, law, theorem, binding):
    if theorem:
        rep = check_theorem(export.find(theorem), export, binding, **fx.CHECK)
        return rep.passed, rep
    rep = check_law(export.find(law), binding, **fx.CHECK)
    return rep.passed, rep


@pytest.mark.parametrize("name,law,theorem,make,expect", fx.FIXTURES,
                         ids=[f"{f[1].split('.')[-1]}[{f[0]}]" for f in fx.FIXTURES])
def test_fixture(export, name, law, theorem, make, expect):
    passed, rep = _run(export, law, theorem, make())
    text = rep.verdict() if theorem else rep.summary()
    assert passed == expect, text
    if not expect:  # caught for the right reason: that field, and for one wrong case that case
        from archlaw.models.recursion.fixtures import EXPECT

        field, ce = EXPECT[(name, law)]
        failing = {f.field: f for f in rep.fields if not f.passed}
        assert field in failing, text
        if ce is not None:
            assert ce in failing[field].counterexample.text(), text
    if theorem:
        # the label is the export's (`source` from the source reader, `lean` after `archlaw
        # export` with Lean); source statements are never certified, however exhaustive the
        # check; the certificate theorems also assume the run laws, which can only be sampled
        assert rep.statement == export.producer
        assert rep.check == ("sampled" if theorem.endswith("_certificate") else "exhaustive")
        if rep.statement != "lean" or rep.check != "exhaustive" or not rep.passed:
            assert not rep.certified and "not certified" in rep.verdict()


def test_wrong_beyond_training_length_is_caught_beyond_it(export):
    rep = check_law(export.find("FoldlLaws"), fx.b_fold_wrong_beyond(), **fx.CHECK)
    f = rep.fields[1]
    assert not f.passed and f.check == "sampled" and f.counterexample is not None
    as_text = dict(f.counterexample.values)["as"]
    assert as_text.count(",") + 1 >= fx.MAX_LEN  # the shortest failing list has length ≥ L
    # and the same run is fine up to L: no violation when sampling only up to the limit
    ok = check_law(export.find("FoldlLaws"), fx.b_fold_wrong_beyond(), max_length=fx.MAX_LEN - 1,
                   **fx.CHECK)
    assert ok.passed


def test_tree_wrong_beyond_depth_is_caught(export):
    rep = check_law(export.find("TreeFoldLaws"), fx.b_tree_wrong_beyond(), **fx.CHECK)
    assert not rep.passed
    ok = check_law(export.find("TreeFoldLaws"), fx.b_tree_wrong_beyond(),
                   max_depth=fx.MAX_DEPTH - 1, **fx.CHECK)
    assert ok.passed


@pytest.mark.parametrize("make,law,where,count", [
    (fx.b_fold_one_wrong, "LeftAlgHomLaw", {"x": "2", "a": "1"}, 6),
    (fx.b_tree_one_wrong, "TreeAlgHomLaw", {"o": "1", "x1": "3", "x2": "4"}, 50),
])
def test_one_wrong_case_is_found_exhaustively(export, make, law, where, count):
    rep = check_law(export.find(law), make(), **fx.CHECK)
    bad = rep.failures()
    assert len(bad) == 1 and bad[0].violations == 1
    assert bad[0].check == "exhaustive" and bad[0].cases == count
    assert dict(bad[0].counterexample.values) == where


def test_mealy_one_wrong_case_is_the_counterexample(export):
    m = fx.tiny_mealy()
    rep = check_law(export.find("MealyHomLaw"), fx.b_mealy_one_wrong(), **fx.CHECK)
    nxt = rep.fields[0]
    assert nxt.field == "map_next" and nxt.violations == 1 and nxt.check == "exhaustive"
    assert dict(nxt.counterexample.values) == {"s": str(int(m.init_state(1)[0])), "i": "1"}


def test_restart_and_causality_violations_are_caught(export):
    r = check_law(export.find("RestartLaws"), fx.b_mealy_positional(), **fx.CHECK)
    assert not r.passed and r.check == "sampled"
    c = check_law(export.find("CausalLaw"), fx.b_mealy_peeking(), **fx.CHECK)
    assert not c.passed and c.failures()[0].counterexample is not None


# ------------------------------------------------------------------------------------------
# Generalisation: finite decoded models are right at 10× and 100× the training length


def test_finite_models_pass_at_10x_and_100x():
    g = torch.Generator().manual_seed(7)
    assert evaluate(fx.tiny_fold(), fx.COUNTER.sample(64, 10 * fx.MAX_LEN, 10 * fx.MAX_LEN, g)) == 1.0
    assert evaluate(fx.tiny_fold(), fx.COUNTER.sample(16, 100 * fx.MAX_LEN, 100 * fx.MAX_LEN, g)) == 1.0
    assert evaluate(fx.tiny_tree(), fx.TREE.sample(64, 10 * fx.MAX_DEPTH, 10 * fx.MAX_DEPTH, g)) == 1.0
    assert evaluate(fx.tiny_tree(), fx.TREE.sample(16, 100 * fx.MAX_DEPTH, 100 * fx.MAX_DEPTH, g)) == 1.0
    assert evaluate(fx.tiny_mealy(), fx.LANG.sample(64, 10 * fx.MAX_LEN, 10 * fx.MAX_LEN, g)) == 1.0
    assert evaluate(fx.tiny_moore(), fx.LANG.sample(64, 10 * fx.MAX_LEN, 10 * fx.MAX_LEN, g)) == 1.0


def test_law_checks_sample_up_to_10x_training():
    assert default_config(fx.b_fold()).max_length == 10 * fx.MAX_LEN
    assert default_config(fx.b_tree()).max_depth == 10 * fx.MAX_DEPTH


def test_finite_cells_are_checked_exhaustively(export):
    rep = check_theorem(export.find("foldl_fusion"), export, fx.b_fold_hom(), **fx.CHECK)
    assert rep.passed and rep.check == "exhaustive"
    assert [r.cases for _, r in rep.hypotheses] == [3 * 2, 1]  # states × inputs, and init
    rep = check_theorem(export.find("tree_fusion"), export, fx.b_tree_hom(), **fx.CHECK)
    assert rep.passed and rep.check == "exhaustive"
    assert [f.cases for f in rep.hypotheses[0][1].fields] == [5, 2 * 5 * 5]
    hom = check_law(export.find("MealyHomLaw"), fx.b_mealy_hom(), **fx.CHECK)
    assert hom.passed and hom.check == "exhaustive" and hom.cases == 2 * 3 * 2


def test_mealy_theorem_needs_sampled_run_laws(export):
    """``MealyHomLaw.preserves_out`` also assumes the run laws of both machines: sampled, so the
    verdict says exactly that."""
    m = fx.tiny_mealy()
    b = {"hS": fx.b_mealy(), "hT": spec_mealy_binding(fx.LANG, max_train_length=fx.MAX_LEN),
         "hh": fx.b_mealy_hom()}
    rep = check_theorem(export.find("MealyHomLaw.preserves_out"), export, b, **fx.CHECK)
    assert rep.passed and rep.check == "sampled" and not rep.certified
    assert state_map(m.step_decoded, int(m.init_state(1)[0]), 3, 2, fx.LANG.step, 0).unique().numel() == 3


def test_a_binding_that_does_not_fit_is_refused(export):
    from archlaw.bridge.errors import ArchLawError

    b = mealy_binding(fx.tiny_mealy(), max_train_length=fx.MAX_LEN)
    with pytest.raises(ArchLawError, match="does not bind"):
        check_law(export.find("FoldlLaws"), b)


def test_float_fold_state_is_compared_with_tolerance(export):
    rep = check_law(export.find("FoldlLaws"), fx.b_fold_gru(), **fx.CHECK)
    assert rep.passed and rep.fields[1].tolerance is not None


def test_empty_lists_run_to_init():
    m = fx.tiny_fold()
    empty = ListBatch(torch.zeros(3, 0, dtype=torch.long), torch.zeros(3, dtype=torch.long))
    assert torch.equal(m.run(empty.values, empty.lengths), m.init_state(3))


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5])
def test_no_false_alarm_across_seeds(export, seed):
    for law, make in (("FoldlLaws", fx.b_fold), ("FoldlLaws", fx.b_fold_gru),
                      ("TreeFoldLaws", fx.b_tree), ("TreeFoldLaws", fx.b_tree_mlp),
                      ("RestartLaws", fx.b_mealy), ("RestartLaws", fx.b_mealy_gru),
                      ("CausalLaw", fx.b_mealy_gru), ("MooreRestartLaws", fx.b_moore)):
        rep = check_law(export.find(law), make(), seed=seed, samples=200)
        assert rep.passed, rep.summary()


def test_every_seeded_violation_is_registered_with_its_reason():
    """The registry entries carry the reason (field, counterexample) a seeded violation must be
    caught for, so `pytest --archlaw` refuses one caught for another reason."""
    from archlaw.models import registry
    from archlaw.models.recursion.fixtures import EXPECT, TABLE

    seeded = {(n, law) for n, law, _, _, expect in TABLE if not expect}
    assert seeded == set(EXPECT)
    by_key = {(e.name, e.law_name): e for e in registry.entries()}
    for key in seeded:
        e = by_key[key]
        assert (e.expect_field, e.expect_counterexample) == EXPECT[key]

