"""The baseline: a small standard transformer that adds aligned, reversed digits.

Formulation (encoder-only, aligned, causal). For operands of L digits, position i (0 ≤ i ≤ L) of
the input carries the pair of digits ``(x_i, y_i)`` of weight ``B**i`` (little-endian, so the
carry flows left to right; position L holds ``(0, 0)``), embedded as
``emb_x[x_i] + emb_y[y_i] + PE(i)`` (the shared table,
`archlaw.models.positions.sinusoidal_positions`). Causal self-attention lets the prediction for sum
digit i see input positions ``≤ i``, which is exactly the information the sum digit depends on.
Output: logits (N, L + 1, B), one per sum digit, trained with per-digit cross-entropy.

No output is fed back, so one forward pass *is* the greedy decode: a sum is exactly right when the
argmax at every position is right (the encoder-only counterpart of "a teacher-forced pass in which
every argmax is right is a greedy exact match").

Sinusoidal positions are defined at every length, so the model can be run on any length; whether
it *computes* anything there is what the benchmark measures. Attention uses
`torch.nn.functional.scaled_dot_product_attention` (memory-efficient kernels where available), so
memory grows with length as the kernel allows; the benchmark reports where it stops.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import torch
import torch.nn.functional as F
from torch import nn

from archlaw.bridge.sorts import decode_argmax
from archlaw.models.positions import sinusoidal_positions

__all__ = ["TransformerConfig", "AlignedAdderTransformer"]


@dataclass(frozen=True)
class TransformerConfig:
    """Shape of the baseline. `base`: digit base B; `d_model`, `n_heads`, `n_layers`, `d_ff`."""

    base: int = 10
    d_model: int = 64
    n_heads: int = 4
    n_layers: int = 2
    d_ff: int = 256

    def to_dict(self) -> dict:
        return asdict(self)


class _Block(nn.Module):
    """Pre-norm causal self-attention + MLP. (N, T, d) -> (N, T, d)."""

    def __init__(self, cfg: TransformerConfig):
        super().__init__()
        self.n_heads = cfg.n_heads
        self.ln1 = nn.LayerNorm(cfg.d_model)
        self.qkv = nn.Linear(cfg.d_model, 3 * cfg.d_model)
        self.proj = nn.Linear(cfg.d_model, cfg.d_model)
        self.ln2 = nn.LayerNorm(cfg.d_model)
        self.mlp = nn.Sequential(nn.Linear(cfg.d_model, cfg.d_ff), nn.GELU(),
                                 nn.Linear(cfg.d_ff, cfg.d_model))

    def forward(self, h: torch.Tensor) -> torch.Tensor:
        n, t, d = h.shape
        q, k, v = self.qkv(self.ln1(h)).view(n, t, 3, self.n_heads, d // self.n_heads) \
            .permute(2, 0, 3, 1, 4)
        a = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        h = h + self.proj(a.transpose(1, 2).reshape(n, t, d))
        return h + self.mlp(self.ln2(h))


class AlignedAdderTransformer(nn.Module):
    """Causal transformer over aligned digit pairs (see the module docstring).

    forward(xs, ys): xs, ys (N, L) long little-endian digits -> logits (N, L + 1, B).
    """

    def __init__(self, cfg: TransformerConfig):
        super().__init__()
        self.cfg = cfg
        self.emb_x = nn.Embedding(cfg.base, cfg.d_model)
        self.emb_y = nn.Embedding(cfg.base, cfg.d_model)
        self.blocks = nn.ModuleList(_Block(cfg) for _ in range(cfg.n_layers))
        self.ln = nn.LayerNorm(cfg.d_model)
        self.head = nn.Linear(cfg.d_model, cfg.base)

    def forward(self, xs: torch.Tensor, ys: torch.Tensor) -> torch.Tensor:
        pad = xs.new_zeros(xs.shape[0], 1)
        xs = torch.cat([xs, pad], 1)
        ys = torch.cat([ys, pad], 1)
        h = self.emb_x(xs) + self.emb_y(ys)
        h = h + sinusoidal_positions(h.shape[1], self.cfg.d_model, h.device, h.dtype)
        for b in self.blocks:
            h = b(h)
        return self.head(self.ln(h))

    @torch.no_grad()
    def predict(self, xs: torch.Tensor, ys: torch.Tensor) -> torch.Tensor:
        """Greedy sum digits (one pass, argmax at each position): (N, L + 1) long."""
        return decode_argmax(self(xs, ys))
