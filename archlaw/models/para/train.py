"""Training a `ParaModule`: the Para family checks laws on sampled parameters and needs no
trained model; the one training step it uses shows what an optimiser does to tied and cloned
weights (a tied parameter is one tensor, stepped once with the summed gradient)."""

from __future__ import annotations

import torch

from archlaw.models.para.modules import ParaModule
from archlaw.models.training import LoopConfig, Recipe, fit

__all__ = ["sgd_step"]


def sgd_step(module: ParaModule, x: torch.Tensor, target: torch.Tensor, lr: float = 0.1) -> float:
    """One SGD step, through the shared loop, on the mean squared error of ``module(x)`` against
    `target`; the loss before the step. The module is stepped in place; the caller's random
    state is left as it was (the loop seeds, and nothing here draws)."""
    device = next(module.parameters()).device
    recipe = Recipe(make=lambda: module, batch=lambda gen, step, dev: (x, target),
                    loss=lambda m, b, step: torch.nn.functional.mse_loss(m(b[0]), b[1]),
                    accept=lambda m: True, name="one SGD step")
    with torch.random.fork_rng(devices=[]):
        _, report = fit(recipe, LoopConfig(steps=1, lr=lr, optimizer="sgd", device=device),
                        progress=False)
    return float(report.final_loss)
