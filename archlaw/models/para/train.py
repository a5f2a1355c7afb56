"""Training a `ParaModule`: the Para family checks laws on sampled parameters and needs no
trained model; the one training step it uses shows what an optimiser does to tied and cloned
weights (a tied parameter is one tensor, stepped once with the summed gradient)."""

from __future__ import annotations

import torch

from archlaw.models.para.modules import ParaModule

__all__ = ["sgd_step"]


def sgd_step(module: ParaModule, x: torch.Tensor, target: torch.Tensor, lr: float = 0.1) -> float:
    """One SGD step on the mean squared error of ``module(x)`` against `target`; the loss before
    the step."""
    opt = torch.optim.SGD(module.parameters(), lr=lr)
    opt.zero_grad()
    loss = torch.nn.functional.mse_loss(module(x), target)
    loss.backward()
    opt.step()
    return float(loss.detach())
