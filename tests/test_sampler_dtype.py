"""The float sampler draws in the check's dtype (issue 14's speed point): same seed, same
samples; the share at extreme scales and the degenerate first inputs are kept."""
from __future__ import annotations

import pytest
import torch

from archlaw.bridge.domains import build_domain
from archlaw.bridge.sorts import FloatTensor, SampleConfig, extreme_scales


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64, torch.float16, torch.bfloat16])
def test_samples_come_in_the_checks_dtype_and_repeat_per_seed(dtype):
    enc = FloatTensor((4,))
    cfg = SampleConfig(dtype=dtype)
    draw = lambda: enc.materialize(torch.zeros(4000, dtype=torch.long),  # noqa: E731
                                   torch.Generator().manual_seed(7), cfg)
    a, b = draw(), draw()
    assert a.dtype == dtype and torch.equal(a, b) and torch.isfinite(a).all()
    # about one sample in eight at one of the extreme scales the dtype keeps
    peak = a.abs().amax(1).double()
    scales = extreme_scales(dtype)
    big = max(scales)
    if big > 1:
        assert 0 < int((peak > 50).sum()) < 4000 // 4


def test_the_degenerate_inputs_come_first_in_the_checks_dtype():
    dom = build_domain([("x", FloatTensor((3,)))], samples=10, seed=0,
                       cfg=SampleConfig(dtype=torch.float32))
    x = dom.materialize(0, dom.total)["x"]
    assert x.dtype == torch.float32
    assert torch.equal(x[0], torch.zeros(3))                       # zeros
    assert torch.equal(x[1], torch.ones(3))                        # all equal
    assert torch.equal(x[2], torch.tensor([1.0, 0.0, 0.0]))        # one non-zero entry
    assert not torch.equal(x[3], torch.zeros(3))                   # the rest as drawn
