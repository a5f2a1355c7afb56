"""Non-equivariant baselines of similar size to the generated models: they must learn the
symmetry from data. Constructors never seed: the initial weights come from torch's global
generator, which the training loop seeds (`archlaw.models.training.seed_everything`)."""

from __future__ import annotations

import torch
import torch.nn as nn

__all__ = ["BaselineMLP", "BaselineCNN"]


class BaselineMLP(nn.Module):
    """Non-equivariant baseline for signals and sets: flatten -> Linear -> ReLU -> Linear."""

    def __init__(self, din: int, hidden: int, classes: int):
        super().__init__()
        self.net = nn.Sequential(nn.Flatten(), nn.Linear(din, hidden), nn.ReLU(), nn.Linear(hidden, classes))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x)


class BaselineCNN(nn.Module):
    """Non-equivariant baseline: conv3×3 → ReLU → conv3×3 → ReLU → global pool (mean or max) → linear.
    Translation-invariant (global pooling) but not rotation/flip-invariant.
    (B, cin, H, W) -> (B, classes)."""

    def __init__(self, cin: int = 1, width: int = 22, classes: int = 4, depth: int = 2,
                 pool: str = "mean"):
        super().__init__()
        self.pool = pool
        convs = [nn.Conv2d(cin, width, 3, padding=1)]
        convs += [nn.Conv2d(width, width, 3, padding=1) for _ in range(depth - 1)]
        self.convs = nn.ModuleList(convs)
        self.head = nn.Linear(width, classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        for c in self.convs:
            x = torch.relu(c(x))
        return self.head(x.amax(dim=(-2, -1)) if self.pool == "max" else x.mean(dim=(-2, -1)))
