"""A float counterexample says where its two sides differ most, at full precision: a 1e-3
symmetry break is invisible in the 4-digit rendering of the tensors themselves."""

import torch

import conformance_toys as T
from archlaw.bridge.conformance import _largest_difference, check_law


def test_a_broken_symmetry_shows_where_the_sides_differ():
    rep = check_law(T.EQUIVARIANT, T.equivariant_binding(break_by=1e-3), float64=True)
    assert not rep.passed
    ce = next(f.counterexample for f in rep.fields if f.counterexample is not None)
    assert ce.difference is not None and ce.difference.startswith("max |lhs − rhs| = ")
    assert ce.difference in ce.text() and ce.to_json()["difference"] == ce.difference


def test_largest_difference_names_the_entry():
    l = torch.tensor([[[1.0, 2.0], [3.0, 4.0]]], dtype=torch.float64)
    r = l.clone()
    r[0, 1, 0] += 0.25
    assert _largest_difference(l, r) == "max |lhs − rhs| = 0.25 at [1, 0]: 3 vs 3.25"
    assert _largest_difference(torch.tensor([1]), torch.tensor([2])) is None  # discrete: exact


def test_a_nan_is_the_largest_difference():
    l = torch.tensor([[0.0, float("nan")]])
    assert _largest_difference(l, torch.zeros(1, 2)).endswith("at [1]: nan vs 0")
