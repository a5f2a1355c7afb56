"""Issue 9, point 4: the float rule ``max|l − r| ≤ atol + rtol · max(|l|, |r|)`` takes its scale
per group (one per index of the first axis of a ``Float[C, …]``, a list element, a list of
scalars), never over the whole output: a channel 1e8 times larger no longer hides a wrong small
one, the stock conforming modules raise no false alarm (a few seeds here; 20 in
scripts/sweep_tolerance.py), and ``List (Float[d])`` and ``Float[L, d]`` get the same verdict
and error."""

from __future__ import annotations

import math

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from archlaw.bridge.binding import ListBatch
from archlaw.bridge.conformance import check_law
from archlaw.bridge.library import load_export
from archlaw.bridge.sorts import FloatTensor, ListOf, Tolerance, float_close
from archlaw.models.equivariance.stock import STOCK, big_channel_binding

TOL = Tolerance(1e-5, 1e-6)


@pytest.fixture(scope="module")
def equivariant():
    return load_export().find("ArchLaw.Equivariant")


def test_a_large_channel_does_not_hide_a_wrong_small_one(equivariant):
    rep = check_law(equivariant, big_channel_binding(0), samples=50)
    (f,) = rep.fields
    assert rep.dtype == "float32" and not f.passed
    assert f.worst_error > 0.1  # the small channels' own relative error, not ~1e-8


@pytest.mark.parametrize("name", sorted(STOCK))
@pytest.mark.parametrize("seed", [0, 1])
def test_stock_conforming_modules_raise_no_false_alarm(equivariant, name, seed):
    rep = check_law(equivariant, STOCK[name](seed), seed=seed, samples=100)
    assert rep.passed, rep.summary()


def test_one_group_per_row():
    big = torch.tensor([[[1e8, 1e8], [1.0, 2.0]]])
    off = big.clone()
    off[0, 1, 1] += 0.5  # wrong in the small row only
    ok, err = float_close(big, off, TOL)
    assert not bool(ok[0]) and float(err[0]) == pytest.approx(0.5 / 2.5)
    assert bool(float_close(big, big.clone(), TOL)[0][0])


def test_nan_in_any_group_is_a_violation():
    a = torch.tensor([[[1.0, 2.0], [3.0, float("nan")]]])
    ok, err = float_close(a, a.clone(), TOL)
    assert not bool(ok[0]) and math.isinf(float(err[0]))


def _as_list(t: torch.Tensor) -> ListBatch:
    return ListBatch(t, torch.full((t.shape[0],), t.shape[1], dtype=torch.long))


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 4), st.integers(1, 5), st.integers(0, 4), st.integers(0, 2**31 - 1),
       st.sampled_from([0.0, 1e-7, 1e-5, 1e-3]), st.floats(1e-4, 1e8))
def test_list_of_rows_and_matrix_get_the_same_tolerance(n, length, d, seed, noise, spread):
    """The same data as ``List (Float[d])`` and ``Float[L, d]`` (and, for d = 0, ``List Float``
    and ``Float[L]``) passes or fails alike, with the same error."""
    g = torch.Generator().manual_seed(seed)
    shape = (n, length, d) if d else (n, length)
    rows = torch.logspace(0, math.log10(spread), length).reshape(1, length, *([1] if d else []))
    x = torch.randn(shape, generator=g) * rows
    y = x + noise * torch.randn(shape, generator=g) * x.abs()
    elem = FloatTensor((d,)) if d else FloatTensor(())
    tensor = FloatTensor((length, d)) if d else FloatTensor((length,))
    ok_l, err_l = ListOf(elem).equal(_as_list(x), _as_list(y), TOL)
    ok_t, err_t = tensor.equal(x, y, TOL)
    assert torch.equal(ok_l, ok_t)
    assert torch.allclose(err_l, err_t, rtol=0, atol=0)


def test_padding_is_not_compared_in_a_list_of_scalars():
    x = ListBatch(torch.tensor([[1.0, 2.0, 99.0]]), torch.tensor([2]))
    y = ListBatch(torch.tensor([[1.0, 2.0, -5.0]]), torch.tensor([2]))
    assert bool(ListOf(FloatTensor(())).equal(x, y, TOL)[0][0])
    z = ListBatch(torch.tensor([[1.0, 2.0, -5.0]]), torch.tensor([3]))
    ok, err = ListOf(FloatTensor(())).equal(x, z, TOL)
    assert not bool(ok[0]) and math.isinf(float(err[0]))
