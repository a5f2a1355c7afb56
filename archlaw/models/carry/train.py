"""Training the carry family: the cell from additions of at most 4 digits (supervised on the sum's
digits only; no cell table is ever shown), the combine from the trained cell's generators, and
the exhaustive acceptance checks that decide whether a seed is kept. Both run through the shared
loop (`archlaw.models.training`): this module supplies only the models, batches, losses and
acceptance tests.

During training the carry is relaxed to a probability vector (soft mixture, then
straight-through); after training, the decoded cell is checked exhaustively against the
arithmetic it must compute (`cell_table_errors`), and the next seed (deterministically
``seed + 1000·k``) is tried if it fails.
"""

from __future__ import annotations

import dataclasses
from dataclasses import asdict, dataclass
from typing import Callable

import torch
import torch.nn.functional as F
from torch import nn

from archlaw.bridge.devices import resolve_device
from archlaw.bridge.errors import ArchLawError
from archlaw.models.carry.data import random_operands, reference_add
from archlaw.models.carry.modules import (
    CarryCellMLP, CombineMLP, LookaheadAdder, MealyAdder, gen_eval)
from archlaw.models.training import LoopConfig, Recipe, Schedule, TrainReport, fit

__all__ = [
    "MAX_BASE", "CellConfig", "default_steps", "cell_table_errors", "cocycle_errors",
    "combine_law_errors", "CarryTrainingError", "TrainReport", "cell_loop", "cell_recipe", "train_cell",
    "train_combine",
]


#: Largest base of a trained cell (as ``archlaw add --base``): the cell has 2B+2 inputs, its
#: laws 2·B² (cell) and B³ (cocycle) cases, and training steps grow as 50·B past base 16, so a
#: base from a flag or a certificate (``--param base=100000``) would train for hours and fill GBs.
MAX_BASE = 36


@dataclass(frozen=True)
class CellConfig:
    """Shape and training of a carry cell. `base` B from 2 to `MAX_BASE`; `hidden` width of the
    two hidden layers. A base outside that range is an `ArchLawError` (it may come from a flag or
    a certificate's recorded parameters)."""

    base: int = 10
    hidden: int = 128
    steps: int = 800
    batch: int = 256
    lr: float = 3e-3
    max_digits: int = 4
    #: fraction of the final steps trained straight-through (hard carry forward, soft gradient)
    hard_fraction: float = 0.3
    seed: int = 0

    def __post_init__(self) -> None:
        if isinstance(self.base, bool) or not isinstance(self.base, int) \
                or not 2 <= self.base <= MAX_BASE:
            from archlaw.bridge.limits import shorten_numerals

            raise ArchLawError(f"base {shorten_numerals(repr(self.base)[:200])} is not accepted; "
                               f"expected an integer from 2 to {MAX_BASE}")

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def for_base(cls, base: int, seed: int = 0) -> "CellConfig":
        """The configuration `archlaw add` trains for `base`: the defaults, with
        `default_steps(base)` optimiser steps (more for bases above 16, which have more cell
        entries to learn from the same 4-digit sums)."""
        return cls(base=base, seed=seed, steps=default_steps(base))


def default_steps(base: int) -> int:
    """Training steps of the cell for `base`: 800 up to base 16, then 50·B (1,800 for base 36).

    Measured: at 800 steps two base-36 seeds left 58 and 10 of the 2,592 cases wrong; at 1,600
    both were exact. ``scripts/bench_carry.py --train-sweep`` reproduces the per-base figures."""
    return 800 if base <= 16 else 50 * base


# ---------------------------------------------------------------------------------------------
# Exhaustive self-checks used to accept a training run (the conformance engine re-checks the
# trained model against the laws read from Lean; these only decide whether to retry a seed).


def cell_table_errors(cell: CarryCellMLP) -> list[tuple[int, int, int]]:
    """All (a, b, c) among the 2·B² inputs where the decoded cell is not ``divmod(a+b+c, B)``."""
    base = cell.base
    dev = next(cell.parameters()).device
    a, b, c = torch.meshgrid(torch.arange(base), torch.arange(base), torch.arange(2), indexing="ij")
    a, b, c = (t.reshape(-1).to(dev) for t in (a, b, c))
    d, k = cell.decode(a, b, c)
    s = a + b + c
    bad = (d != s % base) | (k != s // base)
    return [tuple(int(v) for v in t) for t in torch.stack([a, b, c], 1)[bad].tolist()]


def cocycle_errors(carry: Callable[[torch.Tensor, torch.Tensor], torch.Tensor], base: int,
                   device: torch.device | str = "cpu") -> list[tuple[int, int, int]]:
    """All (a, b, d) among the B³ triples where ``c a b + c (a+b) d ≠ c b d + c a (b+d)``
    (digit sums wrap mod B; the two sides compared as naturals)."""
    a, b, d = torch.meshgrid(*(torch.arange(base, device=device),) * 3, indexing="ij")
    a, b, d = a.reshape(-1), b.reshape(-1), d.reshape(-1)
    lhs = carry(a, b) + carry((a + b) % base, d)
    rhs = carry(b, d) + carry(a, (b + d) % base)
    bad = lhs != rhs
    return [tuple(int(v) for v in t) for t in torch.stack([a, b, d], 1)[bad].tolist()]


def combine_law_errors(combine: Callable[[torch.Tensor, torch.Tensor], torch.Tensor]
                       ) -> dict[str, list[tuple[int, ...]]]:
    """Failures of associativity (27 triples) and of the eval law (18 cases) of a combine."""
    x, y, z = torch.meshgrid(*(torch.arange(3),) * 3, indexing="ij")
    x, y, z = x.reshape(-1), y.reshape(-1), z.reshape(-1)
    bad_assoc = combine(combine(x, y), z) != combine(x, combine(y, z))
    u, v, c = torch.meshgrid(torch.arange(3), torch.arange(3), torch.arange(2), indexing="ij")
    u, v, c = u.reshape(-1), v.reshape(-1), c.reshape(-1)
    bad_eval = gen_eval(combine(u, v), c) != gen_eval(v, gen_eval(u, c))
    return {
        "assoc": [tuple(int(t) for t in r) for r in torch.stack([x, y, z], 1)[bad_assoc].tolist()],
        "eval": [tuple(int(t) for t in r) for r in torch.stack([u, v, c], 1)[bad_eval].tolist()],
    }


# ---------------------------------------------------------------------------------------------
# Training


class CarryTrainingError(ArchLawError, RuntimeError):
    """No seed gave an exact cell (or a lawful combine): a one-line error naming the base, the
    seeds tried and the training budget (a `RuntimeError` too, for callers that catch that)."""


def cell_loop(cfg: CellConfig, device: str | torch.device, max_tries: int) -> LoopConfig:
    """The cell's loop: Adam, 50 steps of linear warm-up, then linear decay to a tenth of
    `cfg.lr`; `max_tries` seeds from `cfg.seed`, 1000 apart."""
    return LoopConfig(steps=cfg.steps, lr=cfg.lr, schedule=Schedule(warmup=50, decay="linear",
                      floor=0.1), seed=cfg.seed, max_tries=max_tries, device=device)


def cell_recipe(cfg: CellConfig) -> Recipe:
    """The carry cell's part of the shared loop: a fresh `CarryCellMLP`, sums of 1 to
    `cfg.max_digits` digits (10% of positions forced to sum to B − 1), the sum digits' NLL through
    the relaxed `MealyAdder` (straight-through for the last `hard_fraction` of the steps), and
    acceptance when the decoded cell is right on all 2·B² inputs."""
    hard_from = int(cfg.steps * (1 - cfg.hard_fraction))

    def batch(g: torch.Generator, step: int, dev: torch.device):
        xs, ys = random_operands(cfg.batch, cfg.max_digits, cfg.base, g, min_length=1,
                                 chain_prob=0.1, device=dev)
        return xs, ys, reference_add(xs, ys, cfg.base)

    def loss(cell: nn.Module, b, step: int) -> torch.Tensor:
        xs, ys, target = b
        logp = MealyAdder(cell)(xs, ys, hard=step >= hard_from)
        return F.nll_loss(logp.reshape(-1, cfg.base), target.reshape(-1))

    return Recipe(make=lambda: CarryCellMLP(cfg.base, cfg.hidden), batch=batch, loss=loss,
                  accept=lambda cell: not cell_table_errors(cell),
                  name=f"the base-{cfg.base} carry cell")


def train_cell(cfg: CellConfig = CellConfig(), device: str | torch.device = "auto",
               max_tries: int = 5, progress: Callable[[int, int], None] | bool | None = None
               ) -> tuple[CarryCellMLP, TrainReport]:
    """Learn a carry cell end to end from sums of at most `cfg.max_digits` digits, through the
    shared loop (`archlaw.models.training.fit`).

    Accepts the first seed in ``cfg.seed, cfg.seed + 1000, …`` whose decoded cell is right on all
    2·B² inputs; raises `CarryTrainingError` after `max_tries` failures. `progress(step, total)`
    is called after every optimiser step (None: the loop's own bar, on a terminal only).
    """
    cell, rep = fit(cell_recipe(cfg), cell_loop(cfg, device, max_tries), progress=progress)
    if not rep.accepted:
        raise CarryTrainingError(
            f"no exact carry cell for base {cfg.base} after seeds {list(rep.seeds_tried)} "
            f"({cfg.steps} steps, hidden {cfg.hidden} each); try another --seed or a smaller --base")
    return cell, dataclasses.replace(rep, config=cfg.to_dict())


def train_combine(cell: CarryCellMLP, steps: int = 400, batch: int = 256, max_digits: int = 4,
                  seed: int = 0, lr: float = 1e-2, hidden: int = 32, max_tries: int = 5,
                  device: str | torch.device | None = None) -> tuple[CombineMLP, TrainReport]:
    """Learn the lookahead combine with the cell frozen, from sum digits of ``x + y + c_in``,
    through the shared loop (constant-rate Adam).

    Additions of at most `max_digits` digits (the scan's bracketings differ with length, so a
    few lengths exercise all nine entries), carry-in drawn at random so that P and K are told
    apart. Accepts the first seed (``seed + 1000·k``) whose decoded combine passes all 27
    associativity and 18 eval cases.
    """
    dev = next(cell.parameters()).device if device is None else resolve_device(device)
    base = cell.base

    def draw(g: torch.Generator, step: int, d: torch.device):
        xs, ys = random_operands(batch, max_digits, base, g, min_length=1, chain_prob=0.3,
                                 device=d)
        ci = torch.randint(0, 2, (batch,), generator=g).to(d)
        return xs, ys, ci, reference_add(xs, ys, base, carry_in=ci)

    def loss(comb: nn.Module, b, step: int) -> torch.Tensor:
        xs, ys, ci, target = b
        return F.nll_loss(LookaheadAdder(cell, comb)(xs, ys, ci).reshape(-1, base),
                          target.reshape(-1))

    def lawful(comb: nn.Module) -> bool:
        errs = combine_law_errors(comb.decode)
        return not errs["assoc"] and not errs["eval"]

    recipe = Recipe(make=lambda: CombineMLP(hidden), batch=draw, loss=loss, accept=lawful,
                    name=f"the base-{base} combine")
    comb, rep = fit(recipe, LoopConfig(steps=steps, lr=lr, seed=seed, max_tries=max_tries,
                                       device=dev), progress=False)
    if not rep.accepted:
        raise CarryTrainingError(
            f"no lawful combine for the base-{base} cell after seeds {list(rep.seeds_tried)} "
            f"({steps} steps each); try another --seed")
    return comb, dataclasses.replace(rep, config={"steps": steps, "batch": batch,
                                                  "max_digits": max_digits, "lr": lr,
                                                  "hidden": hidden})
