"""Training for the equivariance family: Adam for a fixed number of minibatch steps, and
accuracy on held-out data (tasks in `archlaw.models.equivariance.data`)."""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn as nn
import torch.nn.functional as F

__all__ = ["TrainConfig", "train", "accuracy"]


@dataclass(frozen=True)
class TrainConfig:
    """Adam with fixed step count (independent of the training-set size), batch `batch`."""

    steps: int = 300
    batch: int = 32
    lr: float = 3e-3
    seed: int = 0


def train(model: nn.Module, x: torch.Tensor, y: torch.Tensor, cfg: TrainConfig,
          device: torch.device) -> nn.Module:
    """Train `model` on (x, y) with cross-entropy for `cfg.steps` minibatch steps."""
    model = model.to(device).train()
    x, y = x.to(device), y.to(device)
    opt = torch.optim.Adam(model.parameters(), lr=cfg.lr)
    g = torch.Generator().manual_seed(cfg.seed)
    n = x.shape[0]
    for _ in range(cfg.steps):
        idx = torch.randint(0, n, (min(cfg.batch, n),), generator=g).to(device)
        loss = F.cross_entropy(model(x[idx]), y[idx])
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
    return model.eval()


@torch.no_grad()
def accuracy(model: nn.Module, x: torch.Tensor, y: torch.Tensor, device: torch.device,
             batch: int = 500) -> float:
    model = model.eval()
    correct = 0
    for i in range(0, x.shape[0], batch):
        correct += int((model(x[i:i + batch].to(device)).argmax(-1).cpu() == y[i:i + batch]).sum())
    return correct / x.shape[0]
