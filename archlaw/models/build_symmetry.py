"""Symmetry laws built as equivariant networks (`archlaw.models.build`).

The group a law names picks the layers, in the spirit of the geometric deep learning blueprint;
every layer is an `archlaw.models.equivariance.modules.EquivariantLayer`, composed by
`EquivariantNetwork` (which refuses mismatched field sorts), so the law holds by construction:

==========================  =================================  ================================
law                         group, acting on                   layers
==========================  =================================  ================================
``ShiftEquivariant {n}``    C_n, cyclic shifts of ``Fin n``     `CyclicLifting`, `CyclicGroupConv`
                                                               (circular convolutions)
``PermEquivariant {n}``     S_n, permutations of ``Fin n``      `DeepSetsLayer`
``C4Equivariant {k}``       C4, rotations of a k×k grid         `GridLifting`, `GridGroupConv`,
                                                               `GroupPool` (over C4)
``D4Equivariant {k}``       D4, rotations and reflections       the same over D4
==========================  =================================  ================================

A `FieldModel` takes and returns the law's spec tensors: ``f : (index → X) → (index → Y)`` is a
tensor (N, *index, *X) in and (N, *index, *Y) out (index ``n`` for a signal or a set, ``k, k``
for a grid); X's shape is flattened into the channels (a scalar sort is one channel). A finite
``X = fin[m]`` is read one-hot; a finite ``Y = fin[m]`` is returned as logits (N, *index, m),
decoded by argmax by the binding. The layers' own layouts (channels first for convolutions) stay
inside. Architecture options: ``width`` (hidden channels), ``depth`` (equivariant layers, at
least 1) and, for convolutions, ``kernel`` (odd on grids).
"""

from __future__ import annotations

import math
from typing import Any, Callable, Mapping

import torch
from torch import nn

from archlaw.bridge.errors import ArchLawError
from archlaw.bridge.sorts import Encoding, Finite, FloatTensor, one_hot
from archlaw.models.build_base import Construction, LawModel, arch_options
from archlaw.models.equivariance.modules import (
    CyclicGroupConv, CyclicLifting, DeepSetsLayer, EquivariantLayer, EquivariantNetwork,
    GridGroupConv, GridLifting, Group, GroupPool, Pointwise, c4_group, cyclic_group, d4_group,
    symmetric_group,
)

__all__ = ["FieldModel", "CONSTRUCTIONS"]


def _channels(c: Construction, sorts: Mapping[str, Encoding], name: str) -> int:
    enc = sorts[name]
    if isinstance(enc, FloatTensor):
        return math.prod(enc.shape)
    if isinstance(enc, Finite):
        return enc.n
    raise ArchLawError(f"{c.law} is built as {c.architecture}, which needs {c.needs}; "
                       f"{name} is {enc.describe()}", where=f"build({c.law}, {name}=...)")


class FieldModel(LawModel, nn.Module):
    """``f : (index → X) → (index → Y)`` as an equivariant network (module docstring).

    forward(x): (N, *index, *X) float, or (N, *index) long for ``X = fin[m]`` ->
    (N, *index, *Y) float, or logits (N, *index, m) for ``Y = fin[m]``. `channels_first`: the
    network's layers take (N, C, *index) (convolutions) rather than (N, *index, C) (DeepSets).
    """

    def __init__(self, net: EquivariantNetwork, axes: int, x: Encoding, y: Encoding,
                 channels_first: bool):
        super().__init__()
        self.net, self.axes, self.x, self.y = net, axes, x, y
        self.channels_first = channels_first

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        n, index = x.shape[0], tuple(x.shape[1:1 + self.axes])
        if isinstance(self.x, Finite):
            h = one_hot(x.long(), self.x.n, next(self.parameters()).dtype)
        else:
            h = x.reshape(n, *index, -1)
        h = self.net(h.movedim(-1, 1) if self.channels_first else h)
        h = h.movedim(1, -1) if self.channels_first else h
        return h if isinstance(self.y, Finite) else h.reshape(n, *index, *self.y.shape)

    def all_symbols(self) -> dict[str, Callable[..., Any]]:
        return {"f": self}


Layer = Callable[[int, int], EquivariantLayer]


def _stack(first: Layer, then: Layer, cin: int, width: int, cout: int,
           depth: int) -> list[EquivariantLayer]:
    """`depth` layers cin -> width -> ... -> width -> cout, a ReLU between two."""
    sizes = [cin] + [width] * (depth - 1) + [cout]
    layers: list[EquivariantLayer] = []
    for i in range(depth):
        if i:
            layers.append(Pointwise())
        layers.append((first if i == 0 else then)(sizes[i], sizes[i + 1]))
    return layers


def _cycles(n: int) -> Group:
    if n <= 1024:
        return cyclic_group(n)  # n = 0: one line from cyclic_group
    # circular convolutions use the group only for n and to name their field sorts: for a long
    # signal the n × n multiplication table is not built
    return Group(f"C{n}", "cyclic", (), None, (), n=n)


def _shift(params, sorts, arch) -> FieldModel:
    n = params["n"]
    o = arch_options(SHIFT, arch)
    g = _cycles(n)
    k = min(o["kernel"], n)
    layers = _stack(lambda a, b: CyclicLifting(g, a, b, k),
                    lambda a, b: CyclicGroupConv(g, a, b, k), _channels(SHIFT, sorts, "X"),
                    o["width"], _channels(SHIFT, sorts, "Y"), o["depth"])
    return FieldModel(EquivariantNetwork(*layers), 1, sorts["X"], sorts["Y"], True)


def _sets(n: int) -> Group:
    if n < 1:
        raise ArchLawError(f"n={n}: a set of n points needs n >= 1", where="build(PermEquivariant)")
    if n <= 7:
        return symmetric_group(n)
    # DeepSets layers use the group only to name their field sorts (they never enumerate it),
    # so for n > 7 the n! elements are not listed
    return Group(f"S{n}", "symmetric", (), None, (), n=n)


def _perm(params, sorts, arch) -> FieldModel:
    o = arch_options(PERM, arch)
    g = _sets(params["n"])
    layers = _stack(lambda a, b: DeepSetsLayer(g, a, b), lambda a, b: DeepSetsLayer(g, a, b),
                    _channels(PERM, sorts, "X"), o["width"], _channels(PERM, sorts, "Y"),
                    o["depth"])
    return FieldModel(EquivariantNetwork(*layers), 1, sorts["X"], sorts["Y"], False)


def _grid(c: Construction, group: Callable[[], Group]) -> Callable[..., FieldModel]:
    def make(params, sorts, arch) -> FieldModel:
        if params["k"] < 1:
            raise ArchLawError(f"k={params['k']}: a k×k grid needs k >= 1",
                               where=f"build({c.law})")
        o = arch_options(c, arch)
        if o["kernel"] % 2 != 1:
            raise ArchLawError(f"kernel={o['kernel']}: grid convolutions need an odd kernel",
                               where="build(arch=...)")
        g, k, cout = group(), o["kernel"], _channels(c, sorts, "Y")
        layers = _stack(lambda a, b: GridLifting(g, a, b, k),
                        lambda a, b: GridGroupConv(g, a, b, k), _channels(c, sorts, "X"),
                        o["width"], cout, o["depth"])
        layers.append(GroupPool(g, cout))  # regular fields -> the grid of Y's channels
        return FieldModel(EquivariantNetwork(*layers), 2, sorts["X"], sorts["Y"], True)
    return make


_NEEDS = "float or finite sorts X and Y (X=float[c], X=float or X=fin[m])"

SHIFT = Construction(
    "ArchLaw.ShiftEquivariant", "a circular convolution stack (CyclicLifting, CyclicGroupConv)",
    _NEEDS, lambda p, s, a: _shift(p, s, a), {"width": 16, "depth": 3, "kernel": 3},
    ("n=16", "X=float", "Y=float[4]"), "motif")
PERM = Construction(
    "ArchLaw.PermEquivariant", "DeepSets layers (DeepSetsLayer)", _NEEDS,
    lambda p, s, a: _perm(p, s, a), {"width": 16, "depth": 3},
    ("n=7", "X=float[2]", "Y=float[2]"), "disks")
C4 = Construction(
    "ArchLaw.C4Equivariant", "C4 group convolutions (GridLifting, GridGroupConv, GroupPool)",
    _NEEDS, lambda p, s, a: _grid(C4, c4_group)(p, s, a), {"width": 8, "depth": 2, "kernel": 3},
    ("k=12", "X=float", "Y=float[4]"), "patterns")
D4 = Construction(
    "ArchLaw.D4Equivariant", "D4 group convolutions (GridLifting, GridGroupConv, GroupPool)",
    _NEEDS, lambda p, s, a: _grid(D4, d4_group)(p, s, a), {"width": 8, "depth": 2, "kernel": 3},
    ("k=12", "X=float", "Y=float[4]"), "patterns")

CONSTRUCTIONS = (SHIFT, PERM, C4, D4)
