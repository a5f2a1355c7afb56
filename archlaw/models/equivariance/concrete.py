"""Bindings of the network `f` alone, for the laws whose action is the library's Lean definition
(``lean/ArchLaw/Symmetries.lean``): the check runs ``rotate``, ``permute``, ``c4Act``/``gridAct``
(and ``C4.toD4``, ``D4.pt``, ``reflect``, ``swapIf``) from their Lean bodies, so nothing in Python
re-tells the group action. Also a binding's own grid action checked against Lean's ``D4.mul``.

Values (the law's sorts as tables, docs/semantics.md): a signal ``Fin n → Float[c]`` is a
(N, n, c) tensor, a grid ``Fin k × Fin k → Float[c]`` a (N, k, k, c) one; a ``D4`` value is the
tuple of its three ``Bool`` fields ``(swap, flipRow, flipCol)``, each bool (N,).

=======================  ======================  =============================================
binding                  law                     model
=======================  ======================  =============================================
`shift_binding`          ``ShiftEquivariant``    ``nn.Conv1d``, circular (passes) or zero
                                                 padding (fails)
`perm_binding`           ``PermEquivariant``     a DeepSets layer ``x W + mean(x) V`` (passes)
                                                 or with a causal (prefix) mean (fails)
`grid_binding`           ``C4Equivariant``,      ``nn.Conv2d`` whose 5×5 kernel is averaged
                         ``D4Equivariant``       over the 4 rotations (C4) or the 8 symmetries
                                                 (D4), or not averaged (fails)
`grid_action_binding`    ``D4GridAction``        a torch grid action read off the ``D4`` flags
                                                 (transpose, then flip rows / columns), or one
                                                 flipping first (fails ``mul_act``)
=======================  ======================  =============================================
"""

from __future__ import annotations

import torch

from archlaw.bridge.binding import Binding
from archlaw.bridge.sorts import FloatTensor

__all__ = ["shift_binding", "perm_binding", "grid_binding", "grid_action_binding", "grid_act"]


def _only_f(module: torch.nn.Module, c: int, name: str, **params: int) -> Binding:
    module.eval()
    return Binding(sorts={"X": FloatTensor((c,)), "Y": FloatTensor((c,))}, params=params,
                   symbols={"f": lambda s: module(s)}, model_symbols=frozenset({"f"}),
                   module=module, metadata={"name": name})


class _Conv1dLast(torch.nn.Module):
    """``nn.Conv1d`` on channels-last signals (N, n, c) → (N, n, c)."""

    def __init__(self, c: int, padding_mode: str, gen: torch.Generator):
        super().__init__()
        self.conv = torch.nn.Conv1d(c, c, 5, padding=2, padding_mode=padding_mode)
        with torch.no_grad():
            for p in self.conv.parameters():
                p.copy_(torch.randn(p.shape, generator=gen) / 3)

    def forward(self, s: torch.Tensor) -> torch.Tensor:
        return self.conv(s.transpose(1, 2)).transpose(1, 2)


def shift_binding(circular: bool = True, n: int = 12, c: int = 3, seed: int = 0) -> Binding:
    """``ShiftEquivariant`` at ``n``: a circular 1-D convolution (passes) or the same weights
    with zero padding (fails at the signal's ends)."""
    gen = torch.Generator().manual_seed(seed)
    m = _Conv1dLast(c, "circular" if circular else "zeros", gen)
    return _only_f(m, c, f"conv1d-{'circular' if circular else 'zeros'}", n=n)


class _DeepSets(torch.nn.Module):
    """``x W + mean(x) V`` over the set axis of (N, n, c); `causal`: the mean over the prefix
    ``x[:i+1]`` instead (depends on positions: not permutation-equivariant)."""

    def __init__(self, c: int, causal: bool, gen: torch.Generator):
        super().__init__()
        self.w = torch.nn.Parameter(torch.randn(c, c, generator=gen) / c ** 0.5)
        self.v = torch.nn.Parameter(torch.randn(c, c, generator=gen) / c ** 0.5)
        self.causal = causal

    def forward(self, s: torch.Tensor) -> torch.Tensor:
        if self.causal:
            steps = torch.arange(1, s.shape[1] + 1, dtype=s.dtype, device=s.device)
            pooled = s.cumsum(1) / steps[:, None]
        else:
            pooled = s.mean(1, keepdim=True)
        return torch.tanh(s @ self.w + pooled @ self.v)


def perm_binding(causal: bool = False, n: int = 4, c: int = 3, seed: int = 0) -> Binding:
    """``PermEquivariant`` at ``n`` (all n! permutations when the budget allows): a DeepSets
    layer (passes) or its causal variant (fails)."""
    m = _DeepSets(c, causal, torch.Generator().manual_seed(seed))
    return _only_f(m, c, "deepsets-causal" if causal else "deepsets", n=n)


class _Conv2dLast(torch.nn.Module):
    """``nn.Conv2d`` ('same' zero padding) on channels-last grids (N, k, k, c), its kernel
    averaged over `group` (``"C4"``: the 4 rotations; ``"D4"``: also their transposes; ``""``:
    none)."""

    def __init__(self, c: int, group: str, gen: torch.Generator):
        super().__init__()
        w = torch.randn(c, c, 5, 5, generator=gen) / 5
        if group:
            w = sum(_orbit(w, group)) / (4 if group == "C4" else 8)
            # the sum's rounding differs by an ulp within an orbit: make it exactly invariant
            for v in _orbit(w, group):
                w = torch.maximum(w, v)
        self.weight = torch.nn.Parameter(w)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = torch.nn.functional.conv2d(x.permute(0, 3, 1, 2), self.weight, padding=2)
        return out.permute(0, 2, 3, 1)


def _orbit(w: torch.Tensor, group: str) -> list[torch.Tensor]:
    """The kernel `w` (c, c, 5, 5) under the 4 rotations (``"C4"``), and their transposes
    (``"D4"``)."""
    rots = [torch.rot90(w, r, dims=(2, 3)) for r in range(4)]
    return rots + [r.transpose(2, 3) for r in rots] if group == "D4" else rots


def grid_binding(group: str = "C4", k: int = 5, c: int = 2, seed: int = 0) -> Binding:
    """``C4Equivariant`` / ``D4Equivariant`` at side ``k``: a convolution averaged over `group`
    (``"C4"``, ``"D4"``) or not averaged (``""``)."""
    m = _Conv2dLast(c, group, torch.Generator().manual_seed(seed))
    return _only_f(m, c, f"conv2d-{group or 'plain'}", k=k)


def grid_act(g: tuple[torch.Tensor, torch.Tensor, torch.Tensor], x: torch.Tensor,
             flip_first: bool = False) -> torch.Tensor:
    """A torch action of ``D4`` (flags ``(swap, flipRow, flipCol)``, bool (N,)) on grids
    (N, k, k, c): transpose when ``swap``, then reverse the rows when ``flipRow`` and the
    columns when ``flipCol``, i.e. ``out[i, j] = x[D4.pt g (i, j)]``. `flip_first`: flip
    before transposing (a different labelling of the group's elements: its composition is not
    Lean's ``D4.mul``)."""
    swap, flip_row, flip_col = (t.view(-1, 1, 1, 1) for t in g)
    if not flip_first:
        x = torch.where(swap, x.transpose(1, 2), x)
    x = torch.where(flip_row, x.flip(1), x)
    x = torch.where(flip_col, x.flip(2), x)
    if flip_first:
        x = torch.where(swap, x.transpose(1, 2), x)
    return x


def grid_action_binding(flip_first: bool = False, k: int = 4, c: int = 2) -> Binding:
    """``D4GridAction`` at side ``k``: `grid_act` as the binding's action (fixed meaning, no
    module), checked against Lean's ``D4.mul`` and ``D4.one``."""
    return Binding(sorts={"X": FloatTensor((c,))}, params={"k": k},
                   symbols={"act": lambda g, x: grid_act(g, x, flip_first)},
                   model_symbols=frozenset(),
                   metadata={"name": "grid-act" + ("-flip-first" if flip_first else "")})
