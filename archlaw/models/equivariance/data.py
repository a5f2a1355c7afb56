"""Symmetric tasks generated in code (nothing is downloaded).

Task (`PatternTask`): classify which of K fixed random 5×5 binary patterns appears in a noisy
square image. Each image places one pattern, transformed by a random D4 element, at a random
position, then adds Gaussian noise. The label is invariant under D4 by construction, so a
D4-invariant network (`archlaw.models.equivariance.modules.d4_cnn`) needs no data to learn the
symmetry; the baseline (`archlaw.models.equivariance.baselines.BaselineCNN`) must learn it.
Patterns are drawn so that no two are related by a D4 symmetry (labels are well defined).
`MotifTask`: a ±1 motif at a random circular shift of a noisy signal; `DiskCountTask`: whether
most points of a set lie in the unit disk.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from archlaw.models.equivariance.modules import D4_ELEMENTS, grid_act

__all__ = ["PatternTask", "MotifTask", "DiskCountTask"]


@dataclass(frozen=True)
class PatternTask:
    """K classes of 5×5 binary patterns in `size`×`size` images (1 channel), noise `noise`."""

    classes: int = 4
    size: int = 12
    pattern: int = 5
    noise: float = 0.3
    seed: int = 0

    def patterns(self) -> torch.Tensor:
        """(K, p, p) patterns, pairwise not D4-related and without D4 self-symmetry."""
        g = torch.Generator().manual_seed(self.seed)
        out: list[torch.Tensor] = []
        while len(out) < self.classes:
            p = (torch.rand(self.pattern, self.pattern, generator=g) < 0.5).float()
            orbit = [grid_act(e, p) for e in D4_ELEMENTS]
            if len({tuple(o.flatten().tolist()) for o in orbit}) < 8:
                continue  # symmetric pattern: skip
            if any(torch.equal(o, q) for o in orbit for q in out):
                continue
            out.append(p)
        return torch.stack(out)

    def sample(self, n: int, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
        """(x, y): x (n, 1, size, size) float32, y (n,) long."""
        g = torch.Generator().manual_seed(seed)
        pats = self.patterns()
        y = torch.randint(0, self.classes, (n,), generator=g)
        els = torch.randint(0, 8, (n,), generator=g)
        r = self.size - self.pattern + 1
        pos = torch.randint(0, r, (n, 2), generator=g)
        x = torch.randn(n, 1, self.size, self.size, generator=g) * self.noise
        for i in range(n):
            p = grid_act(D4_ELEMENTS[int(els[i])], pats[int(y[i])])
            a, b = int(pos[i, 0]), int(pos[i, 1])
            x[i, 0, a:a + self.pattern, b:b + self.pattern] += p
        return x, y


@dataclass(frozen=True)
class MotifTask:
    """Cyclic signals: which of K random ±1 motifs (length `motif`) sits, at a random circular
    shift, in a noisy signal of length n. The label is C_n-invariant. x (N, 1, n), y (N,)."""

    classes: int = 4
    n: int = 16
    motif: int = 5
    noise: float = 0.5
    seed: int = 0

    def motifs(self) -> torch.Tensor:
        g = torch.Generator().manual_seed(self.seed)
        return torch.randint(0, 2, (self.classes, self.motif), generator=g).float() * 2 - 1

    def sample(self, n: int, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
        g = torch.Generator().manual_seed(seed)
        mot = self.motifs()
        y = torch.randint(0, self.classes, (n,), generator=g)
        shift = torch.randint(0, self.n, (n,), generator=g)
        x = torch.randn(n, 1, self.n, generator=g) * self.noise
        base = torch.zeros(n, self.n)
        base[:, : self.motif] = mot[y]
        idx = (torch.arange(self.n).view(1, -1) - shift.view(-1, 1)) % self.n
        x[:, 0] += base.gather(1, idx)
        return x, y


@dataclass(frozen=True)
class DiskCountTask:
    """Sets of n points in the plane (N(0, 0.85²), so that a point is inside the unit disk with
    probability ≈ 1/2 and the classes are balanced): is the majority inside the unit disk? The
    label is S_n-invariant. x (N, n, 2), y (N,) in {0, 1}."""

    n: int = 7
    scale: float = 0.85

    def sample(self, n: int, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
        g = torch.Generator().manual_seed(seed)
        x = torch.randn(n, self.n, 2, generator=g) * self.scale
        inside = (x.norm(dim=-1) < 1.0).sum(dim=1)
        return x, (inside * 2 > self.n).long()
