"""Stock torch modules bound to ``ArchLaw.Equivariant`` (``f (actX g x) = actY g (f x)``): the
set on which the float tolerance rule (`archlaw.bridge.sorts.Tolerance`, per group) must raise
no false alarm, and one module it must catch.

Conforming, in float32, for any seed:

* `transformer_binding`: ``nn.TransformerEncoderLayer`` (no positional encoding, eval mode, no
  dropout) on (N, L, d) under the permutations of the L sequence positions (``Fin L!``);
* `conv1d_binding`: ``nn.Conv1d`` with circular padding on (N, C, n) under cyclic shifts
  (``Fin n``);
* `c4_conv2d_binding`: ``nn.Conv2d`` whose kernel is averaged over the four rotations, zero
  'same' padding, on (N, C, H, H) under rotations by 90° (``Fin 4``).

Seeded violation: `big_channel_binding`, a circular convolution whose first output channel is
1e8 times the others while every other channel adds a fixed positional pattern (so it is not
equivariant at all). Under a scale taken over the whole output the error of the small channels
hides below ``rtol · 1e8``; per channel group it is caught.
"""

from __future__ import annotations

import itertools
import math

import torch

from archlaw.bridge.binding import Binding
from archlaw.bridge.sorts import Finite, FloatTensor
from archlaw.models.training import seed_everything

__all__ = ["transformer_binding", "conv1d_binding", "c4_conv2d_binding", "big_channel_binding",
           "STOCK", "roll", "rotate"]


def _bind(module: torch.nn.Module, order: int, shape: tuple[int, ...], act, name: str) -> Binding:
    module.eval()
    return Binding(sorts={"G": Finite(order), "X": FloatTensor(shape), "Y": FloatTensor(shape)},
                   params={}, symbols={"actX": act, "actY": act, "f": lambda x: module(x)},
                   model_symbols=frozenset({"f"}), module=module, metadata={"name": name})


def roll(g: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    """Batched cyclic shift of x (N, ..., n) by g (N,) along the last axis."""
    n = x.shape[-1]
    idx = (torch.arange(n, device=x.device) - g.unsqueeze(1)) % n  # (N, n)
    idx = idx.reshape(x.shape[0], *([1] * (x.dim() - 2)), n).expand(x.shape)
    return torch.gather(x, -1, idx)


def rotate(g: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    """Batched rotation by g·90° (g (N,) in 0..3) of x (N, C, H, H) in its last two axes."""
    out = x.clone()
    for k in range(1, 4):
        hit = g == k
        if bool(hit.any()):
            out[hit] = torch.rot90(x[hit], k, dims=(-2, -1))
    return out


def transformer_binding(seed: int = 0, length: int = 4, d_model: int = 16,
                        nhead: int = 4) -> Binding:
    """A TransformerEncoderLayer (batch first) under permutations of its `length` positions."""
    seed_everything(seed)
    layer = torch.nn.TransformerEncoderLayer(d_model, nhead, dim_feedforward=2 * d_model,
                                             dropout=0.0, batch_first=True)
    perms = torch.tensor(list(itertools.permutations(range(length))))  # (L!, L)

    def permute(g: torch.Tensor, x: torch.Tensor) -> torch.Tensor:  # x (N, L, d)
        idx = perms.to(x.device)[g]  # (N, L)
        return torch.gather(x, 1, idx.unsqueeze(-1).expand(x.shape))

    return _bind(layer, math.factorial(length), (length, d_model), permute,
                 f"TransformerEncoderLayer(seed={seed})")


def conv1d_binding(seed: int = 0, channels: int = 4, n: int = 8) -> Binding:
    """A circular Conv1d (kernel 3) under cyclic shifts of its n positions."""
    seed_everything(seed)
    conv = torch.nn.Conv1d(channels, channels, 3, padding=1, padding_mode="circular")
    return _bind(conv, n, (channels, n), roll, f"Conv1d-circular(seed={seed})")


class _C4Conv(torch.nn.Module):
    """A Conv2d (kernel 3, zero 'same' padding) whose kernel is averaged over its 4 rotations."""

    def __init__(self, channels: int):
        super().__init__()
        self.conv = torch.nn.Conv2d(channels, channels, 3, padding=1)
        with torch.no_grad():
            w = self.conv.weight
            w.copy_(sum(torch.rot90(w, k, dims=(2, 3)) for k in range(4)) / 4)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.conv(x)


def c4_conv2d_binding(seed: int = 0, channels: int = 3, size: int = 7) -> Binding:
    """A C4-symmetric Conv2d under rotations of its (size, size) grid."""
    seed_everything(seed)
    return _bind(_C4Conv(channels), 4, (channels, size, size), rotate, f"C4-Conv2d(seed={seed})")


class _BigChannel(torch.nn.Module):
    """A circular conv whose channel 0 is scaled by 1e8 and whose other channels add a fixed
    positional pattern (not equivariant)."""

    def __init__(self, channels: int, n: int):
        super().__init__()
        self.conv = torch.nn.Conv1d(channels, channels, 3, padding=1, padding_mode="circular")
        scale = torch.ones(channels, 1)
        scale[0] = 1e8
        self.register_buffer("scale", scale)
        self.register_buffer("pos", torch.linspace(0.0, 1.0, n))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = self.conv(x) * self.scale
        return torch.cat([y[:, :1], y[:, 1:] + self.pos], dim=1)


def big_channel_binding(seed: int = 0, channels: int = 4, n: int = 8) -> Binding:
    """The seeded violation: see the module docstring."""
    seed_everything(seed)
    return _bind(_BigChannel(channels, n), n, (channels, n), roll, f"BigChannel(seed={seed})")


#: The conforming stock modules, by name.
STOCK = {"transformer-perm": transformer_binding, "conv1d-circular": conv1d_binding,
         "conv2d-c4": c4_conv2d_binding}
