"""Training for the equivariance family, through the shared loop (`archlaw.models.training`):
this module supplies the batches (minibatches drawn with replacement from a fixed training set),
the loss (cross-entropy) and accuracy on held-out data (tasks in
`archlaw.models.equivariance.data`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import torch
import torch.nn as nn
import torch.nn.functional as F

from archlaw.models.training import LoopConfig, Recipe, TrainReport, fit

__all__ = ["TrainConfig", "recipe", "train", "accuracy"]


@dataclass(frozen=True)
class TrainConfig:
    """Adam with fixed step count (independent of the training-set size), batch `batch`; `seed`
    seeds the initial weights and the minibatch draws (`archlaw.models.training.seed_everything`)."""

    steps: int = 300
    batch: int = 32
    lr: float = 3e-3
    seed: int = 0


def recipe(make: Callable[[], nn.Module], x: torch.Tensor, y: torch.Tensor, batch: int,
           name: str = "model") -> Recipe:
    """The family's part of the loop: `make()` builds the model (never seeding); each step draws
    ``min(batch, N)`` indices of the N examples (x (N, ...), y (N,) long class labels) with
    replacement from the run's generator; the loss is the cross-entropy of the logits."""
    n = x.shape[0]
    cache: dict[torch.device, tuple[torch.Tensor, torch.Tensor]] = {}

    def draw(g: torch.Generator, step: int, dev: torch.device):
        if dev not in cache:  # the training set moves to the device once, not every step
            cache[dev] = (x.to(dev), y.to(dev))
        xd, yd = cache[dev]
        idx = torch.randint(0, n, (min(batch, n),), generator=g).to(dev)
        return xd[idx], yd[idx]

    def loss(model: nn.Module, b, step: int) -> torch.Tensor:
        return F.cross_entropy(model(b[0]), b[1])

    return Recipe(make=make, batch=draw, loss=loss, name=name)


def train(make: Callable[[], nn.Module], x: torch.Tensor, y: torch.Tensor, cfg: TrainConfig,
          device: torch.device | str = "auto", name: str = "model",
          progress: Callable[[int, int], None] | bool | None = None
          ) -> tuple[nn.Module, TrainReport]:
    """Seed with `cfg.seed`, build `make()`, train it on (x, y) with cross-entropy for
    `cfg.steps` minibatch steps; return the model (eval mode) and the loop's report."""
    return fit(recipe(make, x, y, cfg.batch, name),
               LoopConfig(steps=cfg.steps, lr=cfg.lr, seed=cfg.seed, device=device),
               progress=progress)


@torch.no_grad()
def accuracy(model: nn.Module, x: torch.Tensor, y: torch.Tensor, device: torch.device,
             batch: int = 500) -> float:
    model = model.eval()
    correct = 0
    for i in range(0, x.shape[0], batch):
        correct += int((model(x[i:i + batch].to(device)).argmax(-1).cpu() == y[i:i + batch]).sum())
    return correct / x.shape[0]
