"""The one sinusoidal position table, shared by the transformer baselines of every family (the
carry adder's and the recursion tagger's); it imports no family."""

from __future__ import annotations

import torch

__all__ = ["sinusoidal_positions"]


def sinusoidal_positions(length: int, dim: int, device=None, dtype=torch.float32) -> torch.Tensor:
    """The fixed position table of Vaswani et al.: (length, dim), in `dtype` on `device`.

    ``PE[t, 2i] = sin(t / 10000^(2i/dim))`` and ``PE[t, 2i+1] = cos(t / 10000^(2i/dim))``; an odd
    `dim` ends with a sine column. Computed in float64 and then cast: the baselines are run far
    past their training lengths (100,000 positions for the adder), where a float32 angle
    ``t / 10000^(2i/dim)`` would already be off by about t·6e-8 radians.
    """
    pos = torch.arange(length, device=device, dtype=torch.float64)[:, None]
    i = torch.arange(0, dim, 2, device=device, dtype=torch.float64)
    angle = pos / torch.pow(10000.0, i / dim)
    pe = torch.zeros(length, dim, device=device, dtype=torch.float64)
    pe[:, 0::2] = torch.sin(angle)
    pe[:, 1::2] = torch.cos(angle[:, : dim // 2])
    return pe.to(dtype)
