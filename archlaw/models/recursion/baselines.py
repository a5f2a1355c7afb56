"""Baselines trained end to end *without* the recursion's structure, on the same tasks.

Both read a token sequence (a list, or a tree's postfix serialisation) and emit class logits at
every position, causally, so the logits at position t answer for the prefix of length t + 1: the
same per-prefix supervision the fold models get.

* `SinusoidalTransformer`: a causal transformer encoder with the fixed sinusoidal positions of
  Vaswani et al. (the shared `archlaw.models.positions.sinusoidal_positions`, computed for any
  length, so longer inputs are at least well defined).
* `LSTMTagger`: a plain LSTM with a linear head.

Shapes: xs (N, L) long, lengths (N,) long → logits (N, L, C). Positions past a length are padding
(masked out of attention as keys; their outputs are never read).
"""

from __future__ import annotations

import math

import torch
from torch import Tensor, nn

from archlaw.models.positions import sinusoidal_positions

__all__ = ["SinusoidalTransformer", "LSTMTagger"]


class SinusoidalTransformer(nn.Module):
    """Causal pre-norm transformer encoder over tokens with sinusoidal positions."""

    def __init__(self, n_tokens: int, n_classes: int, d_model: int = 64, heads: int = 4,
                 layers: int = 2, ff: int = 128):
        super().__init__()
        self.embed = nn.Embedding(n_tokens, d_model)
        layer = nn.TransformerEncoderLayer(d_model, heads, ff, dropout=0.0, batch_first=True,
                                           norm_first=True)
        self.encoder = nn.TransformerEncoder(layer, layers, enable_nested_tensor=False)
        self.head = nn.Linear(d_model, n_classes)
        self.d_model = d_model

    def forward(self, xs: Tensor, lengths: Tensor) -> Tensor:
        n, L = xs.shape
        h = self.embed(xs) * math.sqrt(self.d_model)
        h = h + sinusoidal_positions(L, self.d_model, xs.device, h.dtype)[None]
        causal = torch.triu(torch.ones(L, L, dtype=torch.bool, device=xs.device), 1)  # True: masked
        pad = torch.arange(L, device=xs.device)[None] >= lengths.to(xs.device)[:, None]
        out = self.encoder(h, mask=causal, src_key_padding_mask=pad)
        return self.head(out)


class LSTMTagger(nn.Module):
    """A one-layer LSTM with a linear head at every position."""

    def __init__(self, n_tokens: int, n_classes: int, hidden: int = 64):
        super().__init__()
        self.embed = nn.Embedding(n_tokens, hidden)
        self.lstm = nn.LSTM(hidden, hidden, batch_first=True)
        self.head = nn.Linear(hidden, n_classes)

    def forward(self, xs: Tensor, lengths: Tensor) -> Tensor:
        out, _ = self.lstm(self.embed(xs))
        return self.head(out)
