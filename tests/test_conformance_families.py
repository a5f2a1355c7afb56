"""The checker is itself checked, per law family: seeded violations are all caught (a symmetry
broken by 1e-3, a fold right up to length L and wrong beyond, NaN on 1% of inputs) and
conforming models raise no false alarm across 20 seeds."""

from __future__ import annotations

import math

import pytest
import torch

import conformance_toys as T
from archlaw.bridge.conformance import check_law

SEEDS = range(20)


# -- symmetry ------------------------------------------------------------------------------------

def test_symmetry_broken_by_1e_3_is_caught():
    rep = check_law(T.EQUIVARIANT, T.equivariant_binding(break_by=1e-3), samples=200)
    (f,) = rep.fields
    assert not f.passed and f.check == "sampled"
    # every group element is enumerated for each sampled input
    assert [(d.name, d.kind, d.size) for d in f.domains] == [("g", "exhaustive", 8),
                                                            ("x", "sampled", 200)]
    # the break is 1e-3 of the whole output's scale; the error is relative to each channel's
    # own (smaller) scale, so it is 1e-3 or a few times more
    assert 5e-4 < f.worst_error < 5e-2
    # g = 0 (the identity) commutes with anything: the smallest counterexample has g = 1
    assert dict(f.counterexample.values)["g"] == "1"


@pytest.mark.parametrize("float64", [False, True])
def test_symmetry_broken_by_1e_3_is_caught_in_both_dtypes(float64):
    rep = check_law(T.EQUIVARIANT, T.equivariant_binding(break_by=1e-3, seed=3), samples=50,
                    float64=float64, seed=5)
    assert not rep.passed


def test_equivariant_layer_has_no_false_alarm_across_20_seeds():
    for seed in SEEDS:
        rep = check_law(T.EQUIVARIANT, T.equivariant_binding(seed=seed), samples=100, seed=seed)
        assert rep.passed, rep.summary()
        assert rep.worst_error <= 1e-6


def test_equivariant_layer_float64_error_is_tiny():
    rep = check_law(T.EQUIVARIANT, T.equivariant_binding(seed=1), samples=100, float64=True)
    assert rep.passed and rep.worst_error <= 1e-12


# -- NaN -------------------------------------------------------------------------------------------

def test_nan_on_one_percent_of_inputs_is_caught():
    rep = check_law(T.EQUIVARIANT, T.equivariant_binding(nan_frac=0.01), samples=1000)
    (f,) = rep.fields
    assert not f.passed and f.worst_error == math.inf
    frac = f.violations / f.cases
    assert 0.002 < frac < 0.05  # about 1% of inputs, each failing for every g
    assert "nan" in (f.counterexample.lhs + f.counterexample.rhs)


def test_nan_on_both_sides_is_still_a_violation():
    b = T.equivariant_binding()
    b = type(b)(**{**b.__dict__, "symbols": {**b.symbols,
                                             "f": lambda x: torch.full_like(x, float("nan"))}})
    rep = check_law(T.EQUIVARIANT, b, samples=10)
    assert not rep.passed and rep.fields[0].violations == rep.fields[0].cases


# -- folds -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("law,left", [(T.FOLDR, False), (T.FOLDL, True)])
def test_fold_right_up_to_L_and_wrong_beyond_is_caught(law, left):
    L = 8
    rep = check_law(law, T.fold_binding(left=left, wrong_beyond=L, train_length=L), samples=300)
    nil, step = rep.fields
    assert nil.passed and nil.check == "exhaustive" and nil.cases == 1
    assert not step.passed and step.check == "sampled"
    # lists are sampled up to 10x the training length, shortest first: the counterexample is a
    # list of exactly L elements (the step builds one of length L + 1)
    lst = dict(step.counterexample.values)["as"]
    assert lst.count("tensor") == L
    # every failing case has a list beyond L; all shorter ones pass
    assert step.violations > 0
    short = check_law(law, T.fold_binding(left=left, wrong_beyond=L, train_length=L),
                      samples=300, max_length=L - 1, fields=(step.field,))
    assert short.passed and short.lengths == (0, L - 1), short.summary()
    long = check_law(law, T.fold_binding(left=left, wrong_beyond=L, train_length=L),
                     samples=100, min_length=L, max_length=3 * L, fields=(step.field,))
    (f,) = long.fields
    assert long.lengths[0] == L and f.violations == f.cases, long.summary()


@pytest.mark.parametrize("law,left", [(T.FOLDR, False), (T.FOLDL, True)])
def test_fold_has_no_false_alarm_across_20_seeds(law, left):
    for seed in SEEDS:
        rep = check_law(law, T.fold_binding(seed=seed, left=left, train_length=4), samples=60,
                        seed=seed)
        assert rep.passed, rep.summary()


def test_fold_samples_reach_ten_times_training_length():
    from archlaw.bridge.domains import build_domain, default_config

    b = T.fold_binding(train_length=5)
    dom = build_domain([("as", __import__("archlaw.bridge.sorts", fromlist=["ListOf"]).ListOf(
        b.sorts["A"]))], samples=400, seed=0, tag="t", cfg=default_config(b))
    lengths = torch.cat([dom.materialize(s, e)["as"].lengths for s, e in dom.chunks()])
    assert int(lengths.max()) == 50 and int(lengths.min()) == 0
    assert torch.equal(lengths, lengths.sort().values)  # shortest first


# -- finite family across seeds ------------------------------------------------------------------

def test_finite_laws_no_false_alarm_across_bases():
    for base in range(2, 22):
        assert check_law(T.CELL, T.cell_binding(base)).passed
        assert check_law(T.COCYCLE, T.cocycle_binding(base)).passed
