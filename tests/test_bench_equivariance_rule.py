"""scripts/bench_equivariance.py measures the escnn/e3nn comparison targets by the engine's own
rule (`archlaw.bridge.sorts.float_close`: worst relative error per tolerance group, a channel),
so that the page's comparison table compares like with like. Before, those rows took one ∞-norm
over the whole output, which hides an error in a small channel behind a large one."""

from __future__ import annotations


import pytest

from lawtools import load_script
import torch

from archlaw.bridge.sorts import float_close, tolerance_for



@pytest.fixture(scope="module")
def bench():
    return load_script("bench_equivariance")


def test_an_error_in_a_small_channel_is_not_hidden_by_a_large_one(bench):
    # (N=2, C=2, 3x3): channel 0 of size 1, channel 1 of size 1e-6 with one entry off by 1e-7
    gfx = torch.ones(2, 2, 3, 3, dtype=torch.float64)
    gfx[:, 1] *= 1e-6
    fgx = gfx.clone()
    fgx[1, 1, 2, 0] += 1e-7
    err = bench._rel_err(fgx, gfx)
    assert err == pytest.approx(1e-7 / 1.1e-6, rel=1e-9)  # relative to that channel's own scale
    # the same figure the engine reports for this case, grouped by channel
    _, engine = float_close(fgx.reshape(2, 2, -1), gfx.reshape(2, 2, -1),
                            tolerance_for(torch.float64))
    assert err == float(engine.max())


def test_a_vector_output_is_one_group(bench):
    # e3nn's o3.Linear gives (N, d): one tolerance group per case, scale max(max|l|, max|r|)
    gfx = torch.tensor([[2.0, -4.0, 1.0], [1.0, 1.0, 1.0]], dtype=torch.float64)
    fgx = gfx.clone()
    fgx[0, 2] = 1.5
    assert bench._rel_err(fgx, gfx) == pytest.approx(0.5 / 4.0, rel=1e-12)
    assert bench._rel_err(gfx, gfx) == 0.0
