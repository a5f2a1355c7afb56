"""Equivariant layers generated from the Lean spec `ArchLaw.Equivariance`, with typed composition.

The law (``lean/ArchLaw/Equivariance.lean``)::

    @[arch_law] structure Equivariant {G X Y : Type} (actX : G → X → X) (actY : G → Y → Y)
        (f : X → Y) : Prop where
      map_act : ∀ (g : G) (x : X), f (actX g x) = actY g (f x)

A layer is lawful when it is a homomorphism of G-actions (an algebra homomorphism of the monad
``G × -``). Every layer here declares the *sort* of its input and output fields (`FieldSort`:
group, base space, representation, channels); `EquivariantNetwork` composes layers only where
the sorts match, and refuses otherwise with an `ArchLawError` naming both sorts.

Groups and their actions, exactly as in the Lean definitions
--------------------------------------------------------------
* ``C_n`` on cyclic signals (``ArchLaw.rotate``): ``(rotate k s) i = s (i + k)``, i.e.
  ``torch.roll(s, -k)`` along the signal axis. The group is ``Fin n`` under ``+``.
* ``S_n`` on sets (``ArchLaw.permute``): ``(permute σ s) i = s (σ⁻¹ i)``, i.e. ``x[:, σ⁻¹]``
  along the set axis.
* ``D_4`` (and its rotation subgroup ``C_4``) on square grids (``ArchLaw.gridAct``): an element
  is a signed permutation of the two axes ``(swap, flipRow, flipCol)``, and
  ``gridAct g x = x ∘ pt g`` with ``pt g (i, j) = swapIf swap (rev? flipRow i, rev? flipCol j)``.
  In torch: transpose the last two dims when ``swap``, then flip dim -2 when ``flipRow`` and dim
  -1 when ``flipCol``. Only index permutations: no interpolation, so equivariance is exact up to
  floating-point summation order.

Tensor layouts by sort (B = batch, C = channels, |G| = group order):

=================  ==================  ===========================
base               rep ``trivial``     rep ``regular``
=================  ==================  ===========================
``grid``           (B, C, H, W)        (B, C, |G|, H, W)
``cyclic``         (B, C, n)           --
``set``            (B, n, C)           --
``point``          (B, C)              (B, C, |G|)
=================  ==================  ===========================

The regular representation acts by ``(g·f)(h) = f(g⁻¹h)`` (on the group axis) together with the
base action. For the abelian ``C_n`` the Lean convention ``s (i + k)`` is used on both the signal
and the group axis (``f(k + h)``), which is a left action because ``C_n`` is abelian.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from typing import Callable, Iterable, Sequence

import torch
import torch.nn as nn
import torch.nn.functional as F

from archlaw.bridge.errors import ArchLawError

__all__ = [
    "Group", "cyclic_group", "symmetric_group", "grid_group", "d4_group", "c4_group",
    "D4_ELEMENTS", "C4_ELEMENTS", "symmetric_mean", "d4_mul_lean", "grid_act",
    "FieldSort", "EquivariantLayer", "act", "act_batched",
    "GridLifting", "GridGroupConv", "GroupPool", "SpatialPool",
    "CyclicLifting", "CyclicGroupConv", "DeepSetsLayer", "SetPool", "InvariantLinear", "Pointwise",
    "EquivariantNetwork", "compose", "set_mode", "SymmetryBreak",
    "d4_cnn", "c4_cnn", "cyclic_gcnn", "deepsets_net", "count_parameters",
]


# ============================================================================================
# Groups


def grid_act(g: tuple[bool, bool, bool], x: torch.Tensor) -> torch.Tensor:
    """``ArchLaw.gridAct``: act by the D4 element ``g = (swap, flipRow, flipCol)`` on the last two
    (square) dims of `x`: transpose when swap, then reverse rows / columns. Exact (a gather)."""
    s, a, b = g
    if s:
        x = x.transpose(-1, -2)
    dims = [d for d, on in ((-2, a), (-1, b)) if on]
    return x.flip(dims) if dims else x


#: D4 as in the Lean file: every (swap, flipRow, flipCol); index 0 is the identity.
D4_ELEMENTS: tuple[tuple[bool, bool, bool], ...] = tuple(
    (s, a, b) for s in (False, True) for a in (False, True) for b in (False, True)
)
#: C4, the rotations inside D4 (determinant +1): identity, rot180, and the two quarter turns.
C4_ELEMENTS: tuple[tuple[bool, bool, bool], ...] = (
    (False, False, False), (True, True, False), (False, True, True), (True, False, True),
)


def d4_mul_lean(g: tuple[bool, bool, bool], h: tuple[bool, bool, bool]) -> tuple[bool, bool, bool]:
    """``ArchLaw.D4.mul`` transcribed from the Lean definition (tests compare it with the table
    computed from `grid_act`)."""
    s1, a1, b1 = g
    s2, a2, b2 = h
    if not s1:
        return (s2, a2 != a1, b2 != b1)
    return (not s2, b2 != a1, a2 != b1)


@dataclass(frozen=True)
class Group:
    """A finite group given by its elements and how it acts on the base spaces.

    `kind`: ``"grid"`` (a subgroup of D4 acting on square grids), ``"cyclic"`` (C_n on Z_n) or
    ``"symmetric"`` (S_n on n points). `elements[i]` is element i's label (a D4 triple, an int
    k, or a permutation tuple); element 0 is the identity. `table[i][j]` is the index of
    ``elements[i] * elements[j]`` (None for S_n, whose regular representation is not used).
    """

    name: str
    kind: str
    elements: tuple
    table: tuple[tuple[int, ...], ...] | None
    inverse: tuple[int, ...]
    n: int = 0

    @property
    def order(self) -> int:
        return len(self.elements)

    def mul(self, i: int, j: int) -> int:
        if self.table is None:  # symmetric: compose permutations (σ τ)(k) = σ(τ(k))
            s, t = self.elements[i], self.elements[j]
            return self.elements.index(tuple(s[t[k]] for k in range(len(s))))
        return self.table[i][j]

    def act_base(self, i: int, x: torch.Tensor, base: str) -> torch.Tensor:
        """Act by element i on the base-space axes of a field laid out as in the module doc."""
        if base == "point":
            return x
        if base == "grid" and self.kind == "grid":
            return grid_act(self.elements[i], x)
        if base == "cyclic" and self.kind == "cyclic":
            return torch.roll(x, -int(self.elements[i]), dims=-1)
        if base == "set" and self.kind == "symmetric":
            sigma = self.elements[i]
            inv = [0] * len(sigma)
            for k, v in enumerate(sigma):
                inv[v] = k
            return x[:, torch.tensor(inv, device=x.device)]
        raise ArchLawError(f"group {self.name} does not act on base {base!r}")

    def regular_perm(self, i: int) -> list[int]:
        """Index map of the regular action on the group axis: new[h] = old[perm[h]]."""
        if self.kind == "cyclic":  # Lean convention, as on signals: f(k + h)
            return [self.mul(i, h) for h in range(self.order)]
        assert self.table is not None
        return [self.table[self.inverse[i]][h] for h in range(self.order)]


def _table_from_action(elements: Sequence, action: Callable[[object, torch.Tensor], torch.Tensor],
                       probe: torch.Tensor) -> tuple[tuple[tuple[int, ...], ...], tuple[int, ...]]:
    images = [action(e, probe) for e in elements]
    if len({tuple(im.flatten().tolist()) for im in images}) != len(elements):
        raise ValueError("the probe does not separate the group elements")

    def find(t: torch.Tensor) -> int:
        for k, im in enumerate(images):
            if torch.equal(im, t):
                return k
        raise ValueError("the action is not closed on these elements")

    table = tuple(tuple(find(action(g, action(h, probe))) for h in elements) for g in elements)
    inverse = tuple(row.index(0) for row in table)
    return table, inverse


def grid_group(name: str, elements: Sequence[tuple[bool, bool, bool]]) -> Group:
    """A subgroup of D4 acting on square grids; the table is read off the action itself, so
    ``grid_act(g, grid_act(h, x)) == grid_act(g*h, x)`` holds by construction."""
    probe = torch.arange(9.0).reshape(3, 3)
    table, inverse = _table_from_action(elements, grid_act, probe)
    return Group(name, "grid", tuple(elements), table, inverse)


def d4_group() -> Group:
    """D4 (order 8) on square grids."""
    return grid_group("D4", D4_ELEMENTS)


def c4_group() -> Group:
    """C4 (order 4), the rotations of square grids."""
    return grid_group("C4", C4_ELEMENTS)


def cyclic_group(n: int) -> Group:
    """C_n = Fin n under + (mod n), acting on Z_n-indexed signals by ``s ↦ s(· + k)``."""
    if n < 1:
        raise ArchLawError(f"cyclic_group: n={n}; accepted: n >= 1")
    table = tuple(tuple((i + j) % n for j in range(n)) for i in range(n))
    inverse = tuple((-i) % n for i in range(n))
    return Group(f"C{n}", "cyclic", tuple(range(n)), table, inverse, n=n)


def symmetric_group(n: int) -> Group:
    """S_n, all n! permutations (for exhaustive checks keep n <= 7), acting on Fin n-indexed
    sets by ``s ↦ s ∘ σ⁻¹``."""
    if not 1 <= n <= 7:
        raise ArchLawError(f"symmetric_group: n={n}; accepted: 1 <= n <= 7 (n! elements are enumerated)")
    elements = tuple(itertools.permutations(range(n)))
    inverse = []
    for s in elements:
        inv = [0] * n
        for k, v in enumerate(s):
            inv[v] = k
        inverse.append(elements.index(tuple(inv)))
    return Group(f"S{n}", "symmetric", elements, None, tuple(inverse), n=n)


# ============================================================================================
# Sorts and actions on fields


@dataclass(frozen=True)
class FieldSort:
    """The type of a feature field: which group acts, on which base space (``grid``,
    ``cyclic``, ``set``, ``point``), through which fibre representation (``trivial`` or
    ``regular``), with how many channels. Printed as ``D4:regular[8]@grid``."""

    group: str
    base: str
    rep: str
    channels: int

    def __str__(self) -> str:
        return f"{self.group}:{self.rep}[{self.channels}]@{self.base}"


def act(group: Group, sort: FieldSort, g: int, x: torch.Tensor) -> torch.Tensor:
    """The action of element index `g` on a batch of fields of `sort` (layouts in module doc)."""
    y = group.act_base(g, x, sort.base)
    if sort.rep == "regular":
        axis = 2 if sort.base == "grid" else -1
        perm = torch.tensor(group.regular_perm(g), device=x.device)
        y = y.index_select(axis if axis >= 0 else y.dim() + axis, perm)
    elif sort.rep != "trivial":
        raise ArchLawError(f"unknown representation {sort.rep!r}; accepted: trivial, regular")
    return y


def act_batched(group: Group, sort: FieldSort, g: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    """Batched action: case k is acted on by element ``g[k]`` (a long tensor of shape (N,)).
    This is the binding's ``actX`` / ``actY`` symbol for the conformance engine."""
    out = torch.empty_like(x)
    for e in torch.unique(g).tolist():
        idx = (g == e).nonzero(as_tuple=True)[0].to(x.device)
        out[idx] = act(group, sort, int(e), x[idx])
    return out


# ============================================================================================
# Layers


class EquivariantLayer(nn.Module):
    """Base class: a layer that declares `in_sort` and `out_sort` and the `group` it commutes
    with. ``in_sort is None`` marks a sort-polymorphic pointwise layer (its output sort is its
    input sort)."""

    group: Group
    in_sort: FieldSort | None
    out_sort: FieldSort | None

    def describe(self) -> str:
        return f"{type(self).__name__}: {self.in_sort} -> {self.out_sort}"


def symmetric_mean(x: torch.Tensor, dims: Sequence[int]) -> torch.Tensor:
    """Mean over `dims` computed on the *sorted* values, so the floating-point result does not
    depend on the order of the entries: a permutation of those entries (a group action) gives
    a bit-identical mean. Differentiable (sort routes gradients back)."""
    nd = x.dim()
    dims = sorted(d % nd for d in dims)
    keep = [d for d in range(nd) if d not in dims]
    y = x.permute(*keep, *dims).reshape(*[x.shape[d] for d in keep], -1)
    return torch.sort(y, dim=-1).values.mean(dim=-1)


def _init(t: torch.Tensor, fan_in: int, gen: torch.Generator | None) -> torch.Tensor:
    bound = 1.0 / math.sqrt(max(fan_in, 1))
    with torch.no_grad():
        t.uniform_(-bound, bound, generator=gen)
    return t


_MODES = ("exact", "filter")


def _check_mode(layer: str, mode: str) -> None:
    if mode not in _MODES:
        raise ArchLawError(f"{layer}: mode={mode!r}; accepted: {', '.join(_MODES)}")


class GridLifting(EquivariantLayer):
    """Lifting convolution on square images: (B, Cin, H, W) trivial fields -> (B, Cout, |G|, H, W)
    regular fields, ``out[:, :, g] = x ⋆ (g·ψ)``. Odd kernel, zero padding ``K//2``, stride 1,
    so every D4 symmetry of the square maps the computation onto itself (H == W required for
    the symmetry to act; the layer itself runs on any H, W).

    `mode="exact"` (default) computes the same function as ``g·(g⁻¹x ⋆ ψ)``: the input is
    transformed instead of the filter, so ``f(u·x)`` performs *the same floating-point
    operations on the same numbers* as ``u·f(x)`` and equivariance holds bit for bit (up to
    the conv backend choosing different kernels for different batch sizes). `mode="filter"`
    builds the transformed filter bank (one conv with |G|·Cout filters), exact only up to
    summation order (~1e-6 relative in float32)."""

    def __init__(self, group: Group, cin: int, cout: int, kernel: int = 3,
                 generator: torch.Generator | None = None, mode: str = "exact"):
        super().__init__()
        if kernel % 2 != 1:
            raise ArchLawError(f"GridLifting: kernel={kernel}; accepted: an odd kernel size")
        _check_mode("GridLifting", mode)
        self.group, self.kernel, self.mode = group, kernel, mode
        self.in_sort = FieldSort(group.name, "grid", "trivial", cin)
        self.out_sort = FieldSort(group.name, "grid", "regular", cout)
        self.weight = nn.Parameter(_init(torch.empty(cout, cin, kernel, kernel), cin * kernel * kernel, generator))
        self.bias = nn.Parameter(torch.zeros(cout))

    def filter_bank(self) -> torch.Tensor:
        """(Cout*|G|, Cin, K, K): the filter transformed by every group element."""
        bank = torch.stack([grid_act(e, self.weight) for e in self.group.elements], dim=1)
        return bank.reshape(-1, *self.weight.shape[1:])

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        b, _, h, w = x.shape
        cout, order, els = self.weight.shape[0], self.group.order, self.group.elements
        if self.mode == "filter":
            y = F.conv2d(x, self.filter_bank(), padding=self.kernel // 2).view(b, cout, order, h, w)
        else:
            inv = self.group.inverse
            xs = torch.cat([grid_act(els[inv[g]], x) for g in range(order)])  # (|G|·B, Cin, H, W)
            z = F.conv2d(xs, self.weight, padding=self.kernel // 2).view(order, b, cout, h, w)
            y = torch.stack([grid_act(els[g], z[g]) for g in range(order)], dim=2)
        return y + self.bias.view(1, -1, 1, 1, 1)


class GridGroupConv(EquivariantLayer):
    """Group convolution on regular fields over a square grid: (B, Cin, |G|, H, W) ->
    (B, Cout, |G|, H, W), ``out[g] = Σ_h f[h] ⋆ (g·ψ[g⁻¹h])`` (Cohen & Welling's G-CNN)."""

    def __init__(self, group: Group, cin: int, cout: int, kernel: int = 3,
                 generator: torch.Generator | None = None, mode: str = "exact"):
        super().__init__()
        if kernel % 2 != 1:
            raise ArchLawError(f"GridGroupConv: kernel={kernel}; accepted: an odd kernel size")
        _check_mode("GridGroupConv", mode)
        self.group, self.kernel, self.mode = group, kernel, mode
        self.in_sort = FieldSort(group.name, "grid", "regular", cin)
        self.out_sort = FieldSort(group.name, "grid", "regular", cout)
        order = group.order
        self.weight = nn.Parameter(_init(torch.empty(cout, cin, order, kernel, kernel),
                                         cin * order * kernel * kernel, generator))
        self.bias = nn.Parameter(torch.zeros(cout))
        idx = torch.tensor([group.regular_perm(g) for g in range(order)])  # [g][h] = g⁻¹h
        self.register_buffer("index", idx, persistent=False)

    def filter_bank(self) -> torch.Tensor:
        """(Cout*|G|, Cin*|G|, K, K)."""
        cout, cin, order, k, _ = self.weight.shape
        bank = torch.stack([grid_act(e, self.weight[:, :, self.index[g]])
                            for g, e in enumerate(self.group.elements)], dim=1)
        return bank.reshape(cout * order, cin * order, k, k)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        b, cin, order, h, w = x.shape
        if self.mode == "filter":
            y = F.conv2d(x.reshape(b, cin * order, h, w), self.filter_bank(), padding=self.kernel // 2)
            y = y.view(b, -1, order, h, w)
        else:  # out[g] = g·((g⁻¹·f) ⋆ ψ), see GridLifting
            els, inv = self.group.elements, self.group.inverse
            xs = torch.cat([grid_act(els[inv[g]], x[:, :, self.index[inv[g]]]) for g in range(order)])
            cout = self.weight.shape[0]
            z = F.conv2d(xs.reshape(order * b, cin * order, h, w),
                         self.weight.reshape(cout, cin * order, self.kernel, self.kernel),
                         padding=self.kernel // 2).view(order, b, cout, h, w)
            y = torch.stack([grid_act(els[g], z[g]) for g in range(order)], dim=2)
        return y + self.bias.view(1, -1, 1, 1, 1)


class GroupPool(EquivariantLayer):
    """Invariant pooling over the group axis: regular -> trivial fields on the same base;
    `reduce` is ``"mean"`` (order-independent sorted mean) or ``"max"``."""

    def __init__(self, group: Group, channels: int, base: str = "grid", reduce: str = "mean"):
        super().__init__()
        if reduce not in ("mean", "max"):
            raise ArchLawError(f"GroupPool: reduce={reduce!r}; accepted: mean, max")
        self.group, self.base, self.reduce = group, base, reduce
        self.in_sort = FieldSort(group.name, base, "regular", channels)
        self.out_sort = FieldSort(group.name, base, "trivial", channels)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        dim = 2 if self.base == "grid" else -1
        return x.amax(dim=dim) if self.reduce == "max" else symmetric_mean(x, [dim])


class SpatialPool(EquivariantLayer):
    """Global pooling over the grid: (B, C, H, W) trivial@grid -> (B, C) trivial@point;
    `reduce` is ``"mean"`` (order-independent sorted mean) or ``"max"`` (exact in any order)."""

    def __init__(self, group: Group, channels: int, reduce: str = "mean"):
        super().__init__()
        if reduce not in ("mean", "max"):
            raise ArchLawError(f"SpatialPool: reduce={reduce!r}; accepted: mean, max")
        self.group, self.reduce = group, reduce
        self.in_sort = FieldSort(group.name, "grid", "trivial", channels)
        self.out_sort = FieldSort(group.name, "point", "trivial", channels)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.reduce == "max":
            return x.amax(dim=(-2, -1))
        return symmetric_mean(x, [-2, -1])


class _CyclicConv(EquivariantLayer):
    def __init__(self, group: Group, cin: int, cout: int, kernel: int, in_sort: FieldSort,
                 generator: torch.Generator | None):
        super().__init__()
        if group.kind != "cyclic":
            raise ArchLawError(f"{type(self).__name__}: group {group.name}; accepted: a cyclic group C_n")
        if not 1 <= kernel <= group.n:
            raise ArchLawError(f"{type(self).__name__}: kernel={kernel}; accepted: 1 <= kernel <= n={group.n}")
        self.group, self.kernel = group, kernel
        self.in_sort = in_sort
        self.out_sort = FieldSort(group.name, "point", "regular", cout)
        self.weight = nn.Parameter(_init(torch.empty(cout, cin, kernel), cin * kernel, generator))
        self.bias = nn.Parameter(torch.zeros(cout))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(B, Cin, n) -> (B, Cout, n): ``out[g] = Σ_k x[g + k - K//2] w[k]`` (indices mod n),
        as one matmul over gathered windows: rotating x permutes the windows' rows, so every
        output is the same dot product of the same numbers (bit-exact equivariance)."""
        n, k = x.shape[-1], self.kernel
        idx = (torch.arange(n, device=x.device).view(n, 1) + torch.arange(k, device=x.device) - k // 2) % n
        win = x[:, :, idx].permute(0, 2, 1, 3).reshape(x.shape[0], n, -1)  # (B, n, Cin·K)
        y = win @ self.weight.reshape(self.weight.shape[0], -1).t()
        return y.transpose(1, 2) + self.bias.view(1, -1, 1)


class CyclicLifting(_CyclicConv):
    """Lifting layer of C_n: a signal on Z_n (B, Cin, n) -> a function on C_n (B, Cout, n),
    regular representation. Sorts: ``Cn:trivial[Cin]@cyclic -> Cn:regular[Cout]@point``."""

    def __init__(self, group: Group, cin: int, cout: int, kernel: int = 3,
                 generator: torch.Generator | None = None):
        super().__init__(group, cin, cout, kernel, FieldSort(group.name, "cyclic", "trivial", cin), generator)


class CyclicGroupConv(_CyclicConv):
    """Group convolution on C_n: ``Cn:regular[Cin]@point -> Cn:regular[Cout]@point``."""

    def __init__(self, group: Group, cin: int, cout: int, kernel: int = 3,
                 generator: torch.Generator | None = None):
        super().__init__(group, cin, cout, kernel, FieldSort(group.name, "point", "regular", cin), generator)


class DeepSetsLayer(EquivariantLayer):
    """Permutation-equivariant set layer (Zaheer et al.): (B, n, Cin) -> (B, n, Cout),
    ``y_i = x_i Λ + mean_j(x_j) Γ + b``. Sort ``Sn:trivial[C]@set`` (features on a set of n
    points; S_n permutes the points)."""

    def __init__(self, group: Group, cin: int, cout: int, generator: torch.Generator | None = None):
        super().__init__()
        self.group = group
        self.in_sort = FieldSort(group.name, "set", "trivial", cin)
        self.out_sort = FieldSort(group.name, "set", "trivial", cout)
        self.lam = nn.Parameter(_init(torch.empty(cin, cout), cin, generator))
        self.gam = nn.Parameter(_init(torch.empty(cin, cout), cin, generator))
        self.bias = nn.Parameter(torch.zeros(cout))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x @ self.lam + symmetric_mean(x, [1]).unsqueeze(1) @ self.gam + self.bias


class SetPool(EquivariantLayer):
    """Invariant pooling of a set: (B, n, C) -> (B, C), mean over the points."""

    def __init__(self, group: Group, channels: int):
        super().__init__()
        self.group = group
        self.in_sort = FieldSort(group.name, "set", "trivial", channels)
        self.out_sort = FieldSort(group.name, "point", "trivial", channels)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return symmetric_mean(x, [1])


class InvariantLinear(EquivariantLayer):
    """A linear map between invariant vectors: (B, Cin) -> (B, Cout) on ``trivial@point``."""

    def __init__(self, group: Group, cin: int, cout: int, generator: torch.Generator | None = None):
        super().__init__()
        self.group = group
        self.in_sort = FieldSort(group.name, "point", "trivial", cin)
        self.out_sort = FieldSort(group.name, "point", "trivial", cout)
        self.weight = nn.Parameter(_init(torch.empty(cout, cin), cin, generator))
        self.bias = nn.Parameter(torch.zeros(cout))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.linear(x, self.weight, self.bias)


class Pointwise(EquivariantLayer):
    """A pointwise nonlinearity (ReLU by default): commutes with every permutation action, so
    it is sort-polymorphic (its output sort is its input sort)."""

    def __init__(self, fn: Callable[[torch.Tensor], torch.Tensor] = torch.relu):
        super().__init__()
        self.fn = fn
        self.in_sort = None
        self.out_sort = None

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fn(x)


# ============================================================================================
# Typed composition


def _name(layer: nn.Module, i: int) -> str:
    return f"layer {i} ({type(layer).__name__})"


class EquivariantNetwork(EquivariantLayer):
    """Layers composed in order where sorts match; the composition of equivariant maps is
    equivariant (``ArchLaw.Equivariant.comp``), so the network's law follows from its layers'.

    Raises `ArchLawError` naming both sorts when one layer's output sort differs from the next
    layer's input sort (group, base, representation or channels)."""

    def __init__(self, *layers: EquivariantLayer):
        super().__init__()
        if not layers:
            raise ArchLawError("EquivariantNetwork: no layers; accepted: one or more EquivariantLayer")
        sorts: list[tuple[FieldSort, FieldSort]] = []
        current: FieldSort | None = None
        first_in: FieldSort | None = None
        group: Group | None = None
        prev_name = "the input"
        for i, layer in enumerate(layers):
            if not isinstance(layer, EquivariantLayer):
                raise ArchLawError(f"EquivariantNetwork: {_name(layer, i)} declares no sorts; "
                                   "accepted: EquivariantLayer instances")
            if layer.in_sort is None:  # polymorphic
                if current is None:
                    raise ArchLawError(f"EquivariantNetwork: {_name(layer, i)} is sort-polymorphic "
                                       "and cannot come first")
            else:
                if current is not None and current != layer.in_sort:
                    raise ArchLawError(
                        f"cannot compose {_name(layer, i)} after {prev_name}: it outputs sort "
                        f"{current} but {type(layer).__name__} expects sort {layer.in_sort}")
                if first_in is None:
                    first_in = layer.in_sort
                current = layer.out_sort
                group = layer.group
            prev_name = _name(layer, i)
        assert first_in is not None and current is not None and group is not None
        self.layers = nn.ModuleList(layers)
        self.group = group
        self.in_sort = first_in
        self.out_sort = current

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        for layer in self.layers:
            x = layer(x)
        return x

    def describe(self) -> str:
        return " ; ".join(l.describe() for l in self.layers)


def set_mode(net: nn.Module, mode: str) -> nn.Module:
    """Switch every grid convolution in `net` to `mode` (``"exact"`` or ``"filter"``), in place.
    Both modes compute the same function of the same parameters, so a network can be trained in
    the faster filter-bank mode and run and checked in the bit-exact mode."""
    _check_mode("set_mode", mode)
    for m in net.modules():
        if isinstance(m, (GridLifting, GridGroupConv)):
            m.mode = mode
    return net


def compose(*layers: EquivariantLayer) -> EquivariantNetwork:
    """`EquivariantNetwork` (typed composition, refuses mismatched sorts)."""
    return EquivariantNetwork(*layers)


class SymmetryBreak(EquivariantLayer):
    """A deliberately non-equivariant wrapper for testing the checker (a seeded symmetry break
    of relative size `eps`): ``y = f(x) + eps · ‖f(x)‖∞ · (x₀ / ‖x‖∞) · d``, where x₀ is the
    input's first entry (one base position: a pixel, a signal sample, a set element) and `d` a
    fixed seeded direction with ‖d‖∞ = 1. So the relative equivariance error is at most about
    2·eps and, for generic inputs, of order eps."""

    def __init__(self, inner: EquivariantLayer, eps: float = 1e-3, seed: int = 0):
        super().__init__()
        self.inner, self.eps, self.seed = inner, eps, seed
        self.group, self.in_sort, self.out_sort = inner.group, inner.in_sort, inner.out_sort

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = self.inner(x)
        flat = x.reshape(x.shape[0], -1)
        probe = flat[:, 0] / flat.abs().amax(dim=1).clamp_min(torch.finfo(x.dtype).tiny)
        scale = y.detach().reshape(y.shape[0], -1).abs().amax(dim=1)
        g = torch.Generator().manual_seed(self.seed)
        d = torch.rand(y.shape[1:], generator=g, dtype=torch.float64).mul(2).sub(1)
        d = (d / d.abs().max()).to(device=y.device, dtype=y.dtype)
        return y + self.eps * (probe * scale).view(-1, *([1] * (y.dim() - 1))) * d


# ============================================================================================
# Networks generated from the spec


def count_parameters(m: nn.Module) -> int:
    return sum(p.numel() for p in m.parameters())


def _gen(seed: int | None) -> torch.Generator | None:
    """A private generator for a factory given an explicit `seed` (a fixture's fixed draw, which
    leaves torch's global generator alone); with None the weights come from torch's global
    generator, which the training loop seeds before building (`archlaw.models.training`)."""
    return None if seed is None else torch.Generator().manual_seed(seed)


def d4_cnn(cin: int = 1, width: int = 8, classes: int = 4, depth: int = 2, kernel: int = 3,
           seed: int | None = None, group: Group | None = None, pool: str = "mean") -> EquivariantNetwork:
    """A D4-invariant classifier on square images: lift, (depth-1) group convs, group pool,
    spatial pool, linear head. Sorts ``D4:trivial[cin]@grid -> D4:trivial[classes]@point``."""
    g = group or d4_group()
    gen = _gen(seed)
    layers: list[EquivariantLayer] = [GridLifting(g, cin, width, kernel, gen), Pointwise()]
    for _ in range(depth - 1):
        layers += [GridGroupConv(g, width, width, kernel, gen), Pointwise()]
    layers += [GroupPool(g, width), SpatialPool(g, width, pool), InvariantLinear(g, width, classes, gen)]
    return EquivariantNetwork(*layers)


def c4_cnn(cin: int = 1, width: int = 8, classes: int = 4, depth: int = 2, kernel: int = 3,
           seed: int | None = None, pool: str = "mean") -> EquivariantNetwork:
    """The same network for C4 (rotations only)."""
    return d4_cnn(cin, width, classes, depth, kernel, seed, group=c4_group(), pool=pool)


def cyclic_gcnn(n: int, cin: int = 1, width: int = 8, classes: int = 4, depth: int = 2,
                kernel: int = 3, seed: int | None = None, pool: str = "mean") -> EquivariantNetwork:
    """A C_n-invariant classifier of cyclic signals: lift, group convs, group pool, linear."""
    g = cyclic_group(n)
    gen = _gen(seed)
    layers: list[EquivariantLayer] = [CyclicLifting(g, cin, width, kernel, gen), Pointwise()]
    for _ in range(depth - 1):
        layers += [CyclicGroupConv(g, width, width, kernel, gen), Pointwise()]
    layers += [GroupPool(g, width, base="point", reduce=pool), InvariantLinear(g, width, classes, gen)]
    return EquivariantNetwork(*layers)


def deepsets_net(n: int, cin: int = 2, width: int = 16, classes: int = 2, depth: int = 2,
                 seed: int | None = None) -> EquivariantNetwork:
    """A permutation-invariant set classifier: DeepSets layers, mean pooling, linear head.
    `n` only fixes the group S_n used for checks (the layers run on sets of any size)."""
    g = symmetric_group(n)
    gen = _gen(seed)
    layers: list[EquivariantLayer] = []
    c = cin
    for _ in range(depth):
        layers += [DeepSetsLayer(g, c, width, gen), Pointwise()]
        c = width
    layers += [SetPool(g, width), InvariantLinear(g, width, classes, gen)]
    return EquivariantNetwork(*layers)
