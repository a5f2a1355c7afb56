"""A layer equivariant only up to rounding, for the precision tests (`--dtype`, `--rtol/--atol`):
importable by `archlaw check --model precision_toys:attention_binding`."""

from __future__ import annotations

import torch

from archlaw.bridge.binding import Binding
from archlaw.bridge.sorts import Finite, FloatTensor
from conformance_toys import roll


class SelfAttention(torch.nn.Module):
    """One head of dot-product self-attention over positions, without positional encoding:
    x (N, C, L) -> (N, C, L), ``y[:, l] = Σ_m softmax_m(⟨W x_l, x_m⟩ / √C) x_m``. It commutes
    with every permutation of the L positions (cyclic shifts included) in real arithmetic, and
    only up to rounding in floating point: a shift reorders each softmax's and each sum's terms
    (in float16 by up to about 7e-4 relative: more than float32's rtol 1e-5, within float16's
    1e-3). Its scores are products of two inputs, so inputs of 1e4 overflow float16 (max 65504)."""

    def __init__(self, channels: int = 4, seed: int = 0):
        super().__init__()
        g = torch.Generator().manual_seed(seed)
        self.w = torch.nn.Parameter(torch.randn(channels, channels, generator=g) / channels ** 0.5)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        q = torch.einsum("dc,ncl->ndl", self.w, x)
        a = torch.softmax(torch.einsum("ncl,ncm->nlm", q, x) / x.shape[1] ** 0.5, dim=-1)
        return torch.einsum("ncm,nlm->ncl", x, a)


def attention_binding(channels: int = 4, length: int = 16, seed: int = 0, half: int = 0) -> Binding:
    """`SelfAttention` bound to ``ArchLaw.Equivariant`` (G = C_length acting by `roll` on X = Y
    = Float[channels, length]); `half=1` converts the module to float16 first (a model that is
    half precision by itself, not cast by ``--dtype``)."""
    m = SelfAttention(channels, seed)
    if half:
        m = m.half()
    sort = FloatTensor((channels, length))
    return Binding(sorts={"G": Finite(length), "X": sort, "Y": sort}, params={},
                   symbols={"actX": roll, "actY": roll, "f": m}, model_symbols=frozenset({"f"}),
                   module=m, metadata={"name": "SelfAttention"})
