"""Training and evaluation of the recursion models and baselines (seeded, CPU or CUDA).

Every model trains through the shared loop (`archlaw.models.training`); this module supplies its
batches and loss: each step draws a fresh batch from the task's generator (lengths or depths
uniform in ``[1, max_train]``) and minimises the cross-entropy of the answer after *every* prefix
(lists) or at *every* subtree (trees), the fold's value at every point it is defined.

`evaluate` measures the accuracy of the *final* answer (the whole list's, or the root's) at a
fixed length or depth, with the model run exactly as deployed (finite models decoded at every
step).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from archlaw.bridge.devices import resolve_device
from archlaw.bridge.sorts import decode_argmax

from archlaw.models.recursion.modules import (
    FiniteMealy, FiniteMoore, FloatMealy, LeftFold, TreeFold,
)
from archlaw.models.recursion.baselines import LSTMTagger, SinusoidalTransformer
from archlaw.models.recursion.data import (
    ArithTreeTask, CounterTask, NoTwoOnesTask, SeqBatch, TreeData,
)
from archlaw.models.training import LoopConfig, Recipe, Schedule, TrainReport, fit

__all__ = ["TrainConfig", "recipe", "train", "evaluate", "predict_final", "answers"]


@dataclass(frozen=True)
class TrainConfig:
    """`steps` Adam steps of `batch` fresh examples with lengths/depths in [1, `max_train`];
    `seed` the first seed (`archlaw.models.training.seed_everything`)."""

    steps: int = 400
    batch: int = 64
    lr: float = 3e-3
    max_train: int = 10
    seed: int = 0
    device: str = "cpu"  #: any `--device` value (`archlaw.bridge.devices.resolve_device`)
    #: finite Mealy/Moore machines: the first fraction of steps trains the exact relaxation
    #: (`mixture_step`: a distribution over states), the rest straight-through on decoded states.
    soft_fraction: float = 0.0


def _seq_loss(model: nn.Module, b: SeqBatch, dev: torch.device, hard: bool = True) -> Tensor:
    xs, lengths, targets = b.xs.to(dev), b.lengths.to(dev), b.targets.to(dev)
    if isinstance(model, FiniteMoore):
        logits = model(xs, lengths, hard=hard)
        targets = torch.cat([b.first.to(dev)[:, None], targets], 1)
        return F.cross_entropy(logits.reshape(-1, logits.shape[-1]), targets.reshape(-1),
                               ignore_index=-100)
    logits = model(xs, lengths, hard=hard) if isinstance(model, FiniteMealy) else model(xs, lengths)
    loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), targets.reshape(-1),
                           ignore_index=-100)
    if isinstance(model, LeftFold):  # the empty prefix: run [] = init
        loss = loss + F.cross_entropy(model.init_logits_batch(xs.shape[0]), b.first.to(dev)) / 4
    return loss


def recipe(make: Callable[[], nn.Module], task, cfg: TrainConfig,
           accept: Callable[[nn.Module], bool] | None = None, name: str = "model") -> Recipe:
    """The family's part of the loop: each step draws `cfg.batch` fresh examples of `task`
    (lengths or depths uniform in [1, `cfg.max_train`]) from the run's generator; the loss is
    described in the module docstring; `accept` (default: always) decides whether a seed is kept."""
    soft_until = cfg.soft_fraction * cfg.steps

    def draw(g: torch.Generator, step: int, dev: torch.device):
        return task.sample(cfg.batch, 1, cfg.max_train, g)

    def loss(model: nn.Module, data, step: int) -> Tensor:
        dev = next(model.parameters()).device
        if isinstance(model, TreeFold):
            assert isinstance(data, TreeData)
            return F.cross_entropy(model(data.trees.to(dev)), data.values.to(dev))
        b = data.postfix if isinstance(data, TreeData) else data
        return _seq_loss(model, b, dev, hard=step >= soft_until)

    return Recipe(make=make, batch=draw, loss=loss, name=name,
                  **({"accept": accept} if accept is not None else {}))


def train(make: Callable[[], nn.Module], task, cfg: TrainConfig,
          accept: Callable[[nn.Module], bool] | None = None, max_tries: int = 1,
          name: str = "model", progress: Callable[[int, int], None] | bool | None = None
          ) -> tuple[nn.Module, TrainReport]:
    """Train a model built by `make()` on `task` through the shared loop (see the module
    docstring): Adam, cosine decay, gradient norm clipped to 1, seeds ``cfg.seed + 1000·k`` for
    k < `max_tries` until `accept(model)`. Tree models train on `TreeData`; sequence models on a
    `SeqBatch` (a tree task's postfix serialisation for baselines). Returns the kept model (eval
    mode) and the report (``accepted`` False when no seed passed: the last model is returned)."""
    loop = LoopConfig(steps=cfg.steps, lr=cfg.lr, schedule=Schedule(decay="cosine"), clip=1.0,
                      seed=cfg.seed, max_tries=max_tries, device=cfg.device)
    return fit(recipe(make, task, cfg, accept, name), loop, progress=progress)


@torch.no_grad()
def predict_final(model: nn.Module, data, device: str = "cpu", chunk: int = 64) -> Tensor:
    """The model's final answers (N,) long, run as deployed (decoded at every step)."""
    dev = resolve_device(device, what="device")
    model.to(dev).eval()
    if isinstance(model, TreeFold):
        return model.predict(data.trees.to(dev)).cpu()
    b: SeqBatch = data.postfix if isinstance(data, TreeData) else data
    outs = []
    if isinstance(model, SinusoidalTransformer):  # keep attention maps near 2**25 floats a chunk
        chunk = max(1, min(chunk, 2 ** 25 // (4 * b.xs.shape[1] ** 2)))
    for i in range(0, b.xs.shape[0], chunk):
        xs, lengths = b.xs[i:i + chunk].to(dev), b.lengths[i:i + chunk].to(dev)
        last = (lengths - 1).clamp(min=0)
        if isinstance(model, LeftFold):
            outs.append(model.predict(xs, lengths))
        elif isinstance(model, (FiniteMealy, FloatMealy)):
            outs.append(model.predict(xs, lengths).gather(1, last[:, None]).squeeze(1))
        elif isinstance(model, FiniteMoore):
            outs.append(model.predict(xs, lengths).gather(1, lengths[:, None]).squeeze(1))
        elif isinstance(model, (SinusoidalTransformer, LSTMTagger)):
            L = int(lengths.max())
            logits = model(xs[:, :L], lengths)
            outs.append(decode_argmax(logits).gather(1, last[:, None]).squeeze(1))
        else:
            raise TypeError(f"predict_final: unknown model {type(model).__name__}")
    return torch.cat(outs).cpu()


def answers(data) -> Tensor:
    """The true final answers of a batch (N,)."""
    return data.answers if isinstance(data, TreeData) else data.final


def evaluate(model: nn.Module, data, device: str = "cpu") -> float:
    """Accuracy of the final answer on `data` (a `SeqBatch` or `TreeData`)."""
    pred = predict_final(model, data, device)
    return float((pred == answers(data)).float().mean())
