"""The one training loop, shared by every family (it imports none).

A family supplies a `Recipe`: how to build its model (`make`, which never seeds), how to draw a
batch from the run's data generator, the loss of a batch, and the acceptance test that decides
whether a trained seed is kept. `fit` owns everything else, the same way for every family:

* **seeding**: `seed_everything(seed)` before the model is built, so the initial weights and
  the data stream are functions of the seed alone, whatever ran before in the process;
* **retries**: seeds ``seed, seed + seed_stride, …`` (`LoopConfig.max_tries` of them), the first
  one whose model passes `Recipe.accept` kept; every seed tried is in the report;
* the **optimiser** (Adam or AdamW), the **schedule** (`Schedule`: warm-up, then constant, linear
  or cosine decay), gradient clipping;
* the **device** (`archlaw.bridge.devices.resolve_device`: ``auto`` is cuda when available);
* the **budget**: `LoopConfig.steps` optimiser steps, and optionally `max_seconds` of wall time
  per try (the run then stops early and says so in the report);
* **progress**: a rich bar on stderr (`archlaw.bridge.console.make_console`), shown only on a
  terminal, or a caller's ``progress(step, total)`` callback.

A try is: ``gen = seed_everything(seed)``; ``model = make()``; then for each step ``batch =
recipe.batch(gen, step, device)``, ``loss = recipe.loss(model, batch, step)``, backward, clip,
optimiser step at the scheduled learning rate. Hooks let a long run resume (`on_start`, which may
load a checkpoint into the live `Run` and move its step) and observe each step (`on_step`).
"""

from __future__ import annotations

import math
import time
from dataclasses import asdict, dataclass, field
from typing import Any, Callable, Iterable

import torch
from torch import nn

from archlaw.bridge.devices import resolve_device

__all__ = ["seed_everything", "Schedule", "LoopConfig", "Recipe", "TrainReport", "Run", "fit",
           "seeds_for"]


def seed_everything(seed: int) -> torch.Generator:
    """Seed every random source a run uses, and return the run's data generator.

    `torch.manual_seed` seeds torch's CPU generator and every CUDA device's (the initial weights
    and any global draw during training); the returned CPU `torch.Generator`, seeded with the same
    `seed`, is the data stream. No family draws from Python's `random` or numpy while training,
    so they are left alone. Call it before any model is built: constructors never seed.
    """
    torch.manual_seed(seed)
    return torch.Generator().manual_seed(seed)


def seeds_for(seed: int, tries: int, stride: int = 1000) -> tuple[int, ...]:
    """The seeds a run with `tries` tries uses, in order: ``seed + stride·k`` for k < tries."""
    return tuple(seed + stride * k for k in range(tries))


@dataclass(frozen=True)
class Schedule:
    """The learning rate at step t (0-based) of T, as a factor of `LoopConfig.lr`.

    ``warm(t) = min(1, (t + 1) / warmup)`` (1 when `warmup` is 0), times
    ``decay``: ``constant`` 1; ``linear`` ``floor + (1 - floor)·(1 - t/T)``; ``cosine``
    ``floor + (1 - floor)·(1 + cos(π·min(1, t/T)))/2``.
    """

    warmup: int = 0
    decay: str = "constant"
    floor: float = 0.0

    def __post_init__(self) -> None:
        if self.decay not in ("constant", "linear", "cosine"):
            raise ValueError(f"Schedule.decay {self.decay!r}: expected constant, linear or cosine")

    def factor(self, step: int, steps: int) -> float:
        warm = min(1.0, (step + 1) / self.warmup) if self.warmup else 1.0
        if self.decay == "constant":
            return warm
        frac = min(1.0, step / steps)
        shape = 1 - frac if self.decay == "linear" else 0.5 * (1 + math.cos(math.pi * frac))
        return warm * (self.floor + (1 - self.floor) * shape)


@dataclass(frozen=True)
class LoopConfig:
    """Optimiser, schedule, seeds, device and budget of a run (see the module docstring).

    `steps` optimiser steps per try; `lr` the peak learning rate; `optimizer` ``adam``, ``adamw``
    (with `weight_decay`) or plain ``sgd``; `clip` the gradient-norm bound (None: no clipping); `seed` the
    first seed, `max_tries` seeds in all, `seed_stride` apart; `max_seconds` a wall-time budget
    per try (None: none); `device` any ``--device`` value.
    """

    steps: int
    lr: float
    optimizer: str = "adam"
    weight_decay: float = 0.0
    schedule: Schedule = Schedule()
    clip: float | None = None
    seed: int = 0
    max_tries: int = 1
    seed_stride: int = 1000
    max_seconds: float | None = None
    device: str | torch.device = "auto"

    def __post_init__(self) -> None:
        if self.optimizer not in ("adam", "adamw", "sgd"):
            raise ValueError(f"LoopConfig.optimizer {self.optimizer!r}: expected adam, adamw or "
                             "sgd")
        if self.max_tries < 1:
            raise ValueError(f"LoopConfig.max_tries {self.max_tries}: expected at least 1")

    def to_dict(self) -> dict:
        d = asdict(self)
        d["device"] = str(self.device)
        return d


def _always(model: nn.Module) -> bool:
    return True


@dataclass(frozen=True)
class Recipe:
    """What a family supplies to `fit`.

    `make()` builds a fresh model (it must not seed: `fit` has seeded already). `batch(gen, step,
    device)` draws step `step`'s batch from the run's data generator `gen`, on `device`.
    `loss(model, batch, step)` is the scalar loss to minimise. `accept(model)` (after training, in
    eval mode) decides whether the seed is kept. `parameters(model)` are the parameters trained
    (default: all of them; e.g. a combine trained over a frozen cell). `name` labels progress.
    """

    make: Callable[[], nn.Module]
    batch: Callable[[torch.Generator, int, torch.device], Any]
    loss: Callable[[nn.Module, Any, int], torch.Tensor]
    accept: Callable[[nn.Module], bool] = _always
    parameters: Callable[[nn.Module], Iterable[nn.Parameter]] | None = None
    name: str = "model"


@dataclass(frozen=True)
class TrainReport:
    """What a run did: the seed kept (the last tried when none passed), every seed tried in
    order, wall seconds over all tries, the final training loss, the configuration, whether the
    kept seed passed the acceptance test, the steps its try ran, the device, and why its try
    stopped (``steps`` or ``time``)."""

    seed: int
    seeds_tried: tuple[int, ...]
    seconds: float
    final_loss: float
    config: dict = field(default_factory=dict)
    accepted: bool = True
    steps: int = 0
    device: str = "cpu"
    stopped: str = "steps"


class Run:
    """The live state of one try, handed to the `on_start` and `on_step` hooks. `step` counts
    the optimiser steps done; a hook that restores a checkpoint sets it (and the model's,
    optimiser's and generator's state) to resume there."""

    def __init__(self, model: nn.Module, optimizer: torch.optim.Optimizer,
                 generator: torch.Generator, device: torch.device, seed: int):
        self.model, self.optimizer, self.generator = model, optimizer, generator
        self.device, self.seed = device, seed
        self.step = 0
        self.lr = 0.0
        self.started = time.perf_counter()
        self._loss: torch.Tensor | None = None

    @property
    def loss(self) -> float:
        """The last step's training loss (NaN before the first step). Read on demand: turning it
        into a float waits for the device, so the loop itself never does so mid-run."""
        return float("nan") if self._loss is None else float(self._loss)

    @property
    def seconds(self) -> float:
        """Wall seconds since this try started."""
        return time.perf_counter() - self.started


def _optimizer(cfg: LoopConfig, params: list[nn.Parameter]) -> torch.optim.Optimizer:
    if cfg.optimizer == "adamw":
        return torch.optim.AdamW(params, lr=cfg.lr, weight_decay=cfg.weight_decay)
    if cfg.optimizer == "sgd":
        return torch.optim.SGD(params, lr=cfg.lr, weight_decay=cfg.weight_decay)
    return torch.optim.Adam(params, lr=cfg.lr, weight_decay=cfg.weight_decay)


class _Bar:
    """A rich progress bar on stderr, live only when stderr is a terminal (a pipe or CI log gets
    no bar), or the caller's ``callback(step, total)``; `False` shows nothing."""

    def __init__(self, progress: Callable[[int, int], None] | bool | None):
        self.callback = progress if callable(progress) else None
        self.prog = None
        if progress is None:
            from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

            from archlaw.bridge.console import make_console

            con = make_console(stderr=True)
            if con.is_terminal:
                self.prog = Progress(TextColumn("{task.description}"), BarColumn(),
                                     TextColumn("{task.completed}/{task.total}"),
                                     TimeElapsedColumn(), console=con, transient=True)
        self.task = None

    def __enter__(self) -> "_Bar":
        if self.prog is not None:
            self.prog.__enter__()
        return self

    def __exit__(self, *exc) -> None:
        if self.prog is not None:
            self.prog.__exit__(*exc)

    def start(self, label: str, total: int) -> None:
        if self.prog is not None:
            self.task = self.prog.add_task(label, total=total)

    def update(self, step: int, total: int) -> None:
        if self.callback is not None:
            self.callback(step, total)
        if self.prog is not None and self.task is not None:
            self.prog.update(self.task, completed=step)


def fit(recipe: Recipe, cfg: LoopConfig, *,
        progress: Callable[[int, int], None] | bool | None = None,
        on_start: Callable[[Run], None] | None = None,
        on_step: Callable[[Run], None] | None = None) -> tuple[nn.Module, TrainReport]:
    """Train `recipe`'s model under `cfg`; return the kept model (eval mode) and its report.

    Tries the seeds `seeds_for(cfg.seed, cfg.max_tries, cfg.seed_stride)` in order and keeps the
    first whose model `recipe.accept`s; when none does, the last one is returned with
    ``report.accepted`` False (the family decides whether that is an error). `progress`: None a
    rich bar on a terminal (none otherwise), False none, a callable ``(step, total)`` after every
    step. `on_start(run)` runs once per try after the optimiser is built (it may restore a
    checkpoint and set ``run.step``); `on_step(run)` after every optimiser step.
    """
    dev = resolve_device(cfg.device, what="LoopConfig.device")
    t0 = time.perf_counter()
    tried: list[int] = []
    model: nn.Module | None = None
    run: Run | None = None
    stopped, accepted = "steps", False
    with _Bar(progress) as bar:
        for seed in seeds_for(cfg.seed, cfg.max_tries, cfg.seed_stride):
            tried.append(seed)
            gen = seed_everything(seed)
            model = recipe.make().to(dev)
            params = list(recipe.parameters(model) if recipe.parameters else model.parameters())
            run = Run(model, _optimizer(cfg, params), gen, dev, seed)
            if on_start is not None:
                on_start(run)
            model.train()
            bar.start(f"training {recipe.name} (seed {seed})", cfg.steps)
            stopped = "steps"
            while run.step < cfg.steps:
                if cfg.max_seconds is not None and run.seconds >= cfg.max_seconds:
                    stopped = "time"
                    break
                run.lr = cfg.lr * cfg.schedule.factor(run.step, cfg.steps)
                for group in run.optimizer.param_groups:
                    group["lr"] = run.lr
                loss = recipe.loss(model, recipe.batch(gen, run.step, dev), run.step)
                run.optimizer.zero_grad(set_to_none=True)
                loss.backward()
                if cfg.clip is not None:
                    nn.utils.clip_grad_norm_(params, cfg.clip)
                run.optimizer.step()
                run.step += 1
                run._loss = loss.detach()
                bar.update(run.step, cfg.steps)
                if on_step is not None:
                    on_step(run)
            model.eval()
            with torch.no_grad():
                accepted = bool(recipe.accept(model))
            if accepted:
                break
    assert model is not None and run is not None
    report = TrainReport(run.seed, tuple(tried), time.perf_counter() - t0, run.loss,
                         cfg.to_dict(), accepted, run.step, str(dev), stopped)
    return model, report
