"""Issue 9, point 3: a check's first samples are the degenerate float inputs (all zeros, all
equal, one non-zero entry), the classic failure points of norms and softmax, so a layer that is
NaN only there is caught."""

from __future__ import annotations

import dataclasses

import torch

import conformance_toys as T
from archlaw.bridge.binding import ListBatch
from archlaw.bridge.conformance import check_law
from archlaw.bridge.domains import build_domain
from archlaw.bridge.sorts import Finite, FloatTensor, ListOf, NatEnc, ProdOf


def _norm_no_eps(x: torch.Tensor) -> torch.Tensor:
    """Equivariant to cyclic shifts, and NaN exactly at x = 0 (a norm without an epsilon)."""
    return x / x.flatten(1).norm(dim=1).reshape(-1, 1, 1)


def _standardize_no_eps(x: torch.Tensor) -> torch.Tensor:
    """Equivariant; NaN exactly where all entries are equal and not all zero (zero variance;
    the zero input is passed through, so only the all-equal input can catch it)."""
    flat = x.flatten(1)
    mu, sd = flat.mean(1).reshape(-1, 1, 1), flat.std(1).reshape(-1, 1, 1)
    zero = (flat == 0).all(1).reshape(-1, 1, 1)
    return torch.where(zero, x, (x - mu) / sd)


def _bind(f):
    b = T.equivariant_binding()
    return dataclasses.replace(b, symbols={**b.symbols, "f": f})


def test_nan_only_at_zero_is_caught_on_the_first_sample():
    rep = check_law(T.EQUIVARIANT, _bind(_norm_no_eps), samples=50)
    (f,) = rep.fields
    assert not f.passed and f.worst_error == float("inf")
    assert f.counterexample is not None and f.counterexample.case == 0
    assert "x := tensor[4, 8][0, 0, 0, 0, 0, 0, …]" in f.counterexample.text()


def test_nan_only_at_all_equal_is_caught():
    rep = check_law(T.EQUIVARIANT, _bind(_standardize_no_eps), samples=50)
    (f,) = rep.fields
    # the second sample, crossed with each of the 8 shifts, and nothing else
    assert not f.passed and f.violations == 8 and f.counterexample.case == 8


def test_conforming_model_still_passes_on_degenerate_inputs():
    assert check_law(T.EQUIVARIANT, T.equivariant_binding(), samples=50).passed


def test_first_three_samples_are_the_degenerate_inputs_in_every_float_position():
    binders = [("g", Finite(3)), ("x", FloatTensor((2, 3))),
               ("p", ProdOf(NatEnc(), FloatTensor((2,)))), ("xs", ListOf(FloatTensor((2,))))]
    dom = build_domain(binders, samples=40, seed=5)
    P = 3  # the finite binder is crossed with each sample
    env = dom.materialize(0, 3 * P)
    zeros, ones = torch.zeros(2, 3), torch.ones(2, 3)
    onehot = torch.zeros(2, 3)
    onehot[0, 0] = 1
    for k, want in enumerate((zeros, ones, onehot)):
        for c in range(k * P, (k + 1) * P):
            assert torch.equal(env["x"][c], want)
            assert torch.equal(env["p"][1][c], want.flatten()[:2])
            xs: ListBatch = env["xs"]
            assert torch.equal(xs.values[c], want.flatten()[:2].expand(xs.values.shape[1], 2))
    # later samples are drawn as before: Gaussian
    rest = dom.materialize(3 * P, 4 * P)["x"]
    assert (rest != 0).all() and rest.std() > 0.1


def test_degenerate_inputs_do_not_depend_on_chunking():
    dom = build_domain([("x", FloatTensor((4,)))], samples=10, seed=1)
    whole = dom.materialize(0, 10)["x"]
    assert all(torch.equal(dom.materialize(k, k + 1)["x"][0], whole[k]) for k in range(10))
