"""The Para family's baseline: the same network as a plain `nn.Sequential`, its weights copied
from a Para morphism's value, so that a benchmark compares the two on one computation
(`scripts/bench_para.py`)."""

from __future__ import annotations

import copy
from typing import Any

import torch
from torch import nn

from archlaw.models.para.modules import Layer, Para, Seq

__all__ = ["sequential_of"]


def _layers(m: Para, value: Any) -> list[tuple[Layer, Any]]:
    if isinstance(m, Layer):
        return [(m, value)]
    if isinstance(m, Seq):
        return _layers(m.f, value[0]) + _layers(m.g, value[1])
    raise TypeError(f"sequential_of: {m.name} is not a chain of layers")


def sequential_of(m: Para, value: Any) -> nn.Sequential:
    """An `nn.Sequential` of each `Layer`'s own module for the chain `m` (a `Seq` of layers),
    materialised on `value`'s device with `value`'s parameters (copied, so the two train
    apart)."""
    mods = []
    for layer, v in _layers(m, value):
        first = next(iter(v.values()))
        mod = copy.deepcopy(layer.template).to_empty(device=first.device).to(first.dtype)
        with torch.no_grad():
            for name, t in mod.named_parameters():
                t.copy_(v[name])
        mods.append(mod)
    return nn.Sequential(*mods)
