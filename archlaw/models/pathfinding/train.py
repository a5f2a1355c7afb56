"""Training the pathfinding family through the shared loop (`archlaw.models.training.fit`):
this module supplies the models, batches, losses and acceptance tests only.

* The finite cell (`train_cell`): supervised on relaxations ``(dv, du, w) -> min(dv, du + w)``
  (saturated at K - 1), half drawn uniformly from the whole range ``Fin K × Fin K × Fin W`` and
  half read off Bellman-Ford rounds on random graphs of at most 16 nodes
  (`archlaw.models.pathfinding.data.relaxation_triples`); binary cross-entropy on the K - 1
  unary bits of the result. A seed is kept only when the decoded cell is right on all K²·W
  inputs (`cell_table_errors`); the conformance engine then checks it against the Lean law.
* The float GNN (`train_float`): its message ψ regressed on ``du + w`` over the same
  relaxations as the finite cell.
* The baselines (`train_baseline`), which have no cell: end to end on random graphs of at most
  16 nodes, n - 1 rounds, mean squared error of the distances (scaled by 1/K) on every node,
  saturated targets included.

`score` compares a model's distances with the reference: exact-distance accuracy and mean
absolute error over the nodes whose true distance is below K - 1, and the saturated nodes apart.
"""

from __future__ import annotations

import dataclasses
from dataclasses import asdict, dataclass

import torch
import torch.nn.functional as F
from torch import nn

from archlaw.bridge.errors import ArchLawError
from archlaw.models.pathfinding.baselines import AggGNN
from archlaw.models.pathfinding.data import (
    random_graph, reference_distances, relaxation_triples, union)
from archlaw.models.pathfinding.modules import (
    FloatMinGNN, MonotoneMessage, RelaxCellNet, relax_reference, thermometer)
from archlaw.models.training import LoopConfig, Recipe, Schedule, TrainReport, fit

__all__ = ["CellConfig", "GraphConfig", "cell_table_errors", "train_cell", "train_float",
           "train_baseline", "score", "Score", "PathTrainingError", "graph_batch"]


class PathTrainingError(ArchLawError, RuntimeError):
    """No seed gave an exact cell: one line naming K, W, the seeds tried and the budget."""


@dataclass(frozen=True)
class CellConfig:
    """The finite cell: `k` distances (K - 1 = unreachable), `w` weights, `hidden` units of the
    shared per-bit network; `steps` Adam steps of `batch` relaxations at peak rate `lr`;
    `max_nodes` the largest training graph; `seed` the first seed."""

    k: int = 250
    w: int = 16
    hidden: int = 32
    steps: int = 600
    batch: int = 512
    lr: float = 1e-2
    max_nodes: int = 16
    seed: int = 0

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class GraphConfig:
    """End-to-end training on graphs: `graphs` random graphs of 2 to `max_nodes` nodes per step
    (one disjoint union), `steps` Adam steps at `lr`, `hidden` width; `k`, `w` as the cell's."""

    k: int = 250
    w: int = 16
    hidden: int = 16
    steps: int = 1000
    graphs: int = 16
    max_nodes: int = 16
    lr: float = 1e-2
    seed: int = 0

    def to_dict(self) -> dict:
        return asdict(self)


def cell_table_errors(cell: nn.Module, limit: int = 10) -> tuple[int, list[tuple[int, int, int]]]:
    """The decoded cell against ``min(dv, du + w)`` (saturated) on all K²·W inputs: (number of
    wrong cases, the first `limit` of them in enumeration order, dv slowest)."""
    k, w = cell.k, cell.w
    dev = next(cell.parameters()).device
    dv, du, ww = (t.reshape(-1) for t in torch.meshgrid(
        torch.arange(k, device=dev), torch.arange(k, device=dev), torch.arange(w, device=dev),
        indexing="ij"))
    bad = cell.decode(dv, du, ww) != relax_reference(dv, du, ww, k)
    first = torch.stack([dv, du, ww], 1)[bad][:limit].tolist()
    return int(bad.sum()), [tuple(int(x) for x in t) for t in first]


def train_cell(cfg: CellConfig = CellConfig(), device: str | torch.device = "auto",
               max_tries: int = 3, progress=None) -> tuple[RelaxCellNet, TrainReport]:
    """Learn a finite relaxation cell (see the module docstring); the first seed in
    ``cfg.seed, cfg.seed + 1000, …`` whose decoded cell is exact on all K²·W inputs is kept.
    Raises `PathTrainingError` after `max_tries` failures."""

    def batch(g: torch.Generator, step: int, dev: torch.device):
        dv, du, w = relaxation_triples(cfg.batch, cfg.k, cfg.w, g, cfg.max_nodes)
        target = thermometer(relax_reference(dv, du, w, cfg.k), cfg.k - 1)
        return dv.to(dev), du.to(dev), w.to(dev), target.to(dev)

    def loss(cell: nn.Module, b, step: int) -> torch.Tensor:
        dv, du, w, target = b
        return F.binary_cross_entropy_with_logits(cell(dv, du, w), target)

    recipe = Recipe(make=lambda: RelaxCellNet(cfg.k, cfg.w, cfg.hidden), batch=batch, loss=loss,
                    accept=lambda cell: cell_table_errors(cell, 0)[0] == 0,
                    name=f"the K={cfg.k}, W={cfg.w} relaxation cell")
    loop = LoopConfig(steps=cfg.steps, lr=cfg.lr, schedule=Schedule(warmup=20, decay="linear",
                      floor=0.1), seed=cfg.seed, max_tries=max_tries, device=device)
    cell, rep = fit(recipe, loop, progress=progress)
    if not rep.accepted:
        raise PathTrainingError(
            f"no exact relaxation cell for K={cfg.k}, W={cfg.w} after seeds "
            f"{list(rep.seeds_tried)} ({cfg.steps} steps, hidden {cfg.hidden}); try another seed "
            "or more steps")
    return cell, dataclasses.replace(rep, config=cfg.to_dict())


def graph_batch(cfg: GraphConfig, g: torch.Generator, dev: torch.device):
    """One training batch: the disjoint union of `cfg.graphs` random graphs of 2 to
    `cfg.max_nodes` nodes, its sources, its reference distances (float), and n - 1 rounds for
    the largest graph."""
    graphs = [random_graph(int(torch.randint(2, cfg.max_nodes + 1, (), generator=g)), cfg.w, g)
              for _ in range(cfg.graphs)]
    target = torch.cat([reference_distances(gr, cfg.k) for gr in graphs]).float()
    u, sources = union(graphs)
    rounds = max(gr.n for gr in graphs) - 1
    return (u.src.to(dev), u.dst.to(dev), u.w.to(dev), u.n, sources.to(dev), rounds,
            target.to(dev))


def _fit_graphs(make, forward, cfg: GraphConfig, name: str, device) -> tuple[nn.Module, TrainReport]:
    def loss(model: nn.Module, b, step: int) -> torch.Tensor:
        src, dst, w, n, sources, rounds, target = b
        return F.mse_loss(forward(model, src, dst, w, n, sources, rounds) / cfg.k, target / cfg.k)

    recipe = Recipe(make=make, batch=lambda g, step, dev: graph_batch(cfg, g, dev), loss=loss,
                    name=name)
    loop = LoopConfig(steps=cfg.steps, lr=cfg.lr, schedule=Schedule(warmup=20, decay="linear",
                      floor=0.1), seed=cfg.seed, clip=1.0, device=device)
    model, rep = fit(recipe, loop, progress=False)
    return model, dataclasses.replace(rep, config=cfg.to_dict())


def train_float(cfg: CellConfig = CellConfig(hidden=8, steps=3000, lr=3e-2),
                device: str | torch.device = "auto"
                ) -> tuple[FloatMinGNN, TrainReport]:
    """The float GNN: its message ψ (a `MonotoneMessage`, `cfg.hidden` units) regressed on
    ``du + w`` (mean squared error scaled by 1/K) over the same relaxations as the finite cell
    (`relaxation_triples`: half uniform over the whole range, half from Bellman-Ford rounds on
    graphs of at most `cfg.max_nodes` nodes), then run under the min aggregation."""

    def batch(g: torch.Generator, step: int, dev: torch.device):
        dv, du, w = relaxation_triples(cfg.batch, cfg.k, cfg.w, g, cfg.max_nodes)
        return du.to(dev).float(), w.to(dev), (du + w).to(dev).float()

    def loss(msg: nn.Module, b, step: int) -> torch.Tensor:
        du, w, target = b
        return F.mse_loss(msg(du, w) / cfg.k, target / cfg.k)

    recipe = Recipe(make=lambda: MonotoneMessage(cfg.w, cfg.hidden, cfg.k), batch=batch,
                    loss=loss, name="the float message")
    loop = LoopConfig(steps=cfg.steps, lr=cfg.lr, schedule=Schedule(warmup=20, decay="linear",
                      floor=0.1), seed=cfg.seed, device=device)
    msg, rep = fit(recipe, loop, progress=False)
    return FloatMinGNN(msg, cfg.k).eval(), dataclasses.replace(rep, config=cfg.to_dict())


def train_baseline(aggr: str, cfg: GraphConfig = GraphConfig(), device: str | torch.device = "auto"
                   ) -> tuple[AggGNN, TrainReport]:
    """A sum- or mean-aggregation baseline (`AggGNN`), end to end on the same graphs."""
    return _fit_graphs(lambda: AggGNN(aggr, cfg.hidden, cfg.k, cfg.w),
                       lambda m, *a: m(*a), cfg, f"the {aggr}-aggregation GNN", device)


@dataclass(frozen=True)
class Score:
    """A model's distances against the reference on one graph. `below` nodes have a true
    distance below K - 1; `exact` of them are predicted exactly (after rounding a float
    prediction to the nearest integer) with absolute error summing to `abs_error`; `saturated`
    nodes have true distance K - 1 (unreachable or too far), `saturated_right` of them
    predicted K - 1; `non_finite` nodes (any) got NaN or ±inf, which count as K - 1 (NaN, +inf)
    or 0 (-inf) in the error and are never exact."""

    nodes: int
    below: int
    exact: int
    abs_error: float
    saturated: int
    saturated_right: int
    non_finite: int = 0

    @property
    def accuracy(self) -> float:
        return self.exact / self.below if self.below else 1.0

    @property
    def mae(self) -> float:
        return self.abs_error / self.below if self.below else 0.0


def score(pred: torch.Tensor, true: torch.Tensor, k: int) -> Score:
    """Score predicted distances (long, or float rounded to the nearest integer) against the
    reference `true` (long, saturated at K - 1)."""
    p = pred.double()
    bad = ~torch.isfinite(p)
    p = torch.nan_to_num(p, nan=k - 1.0, posinf=k - 1.0, neginf=0.0)
    below = true < k - 1
    err = (p[below] - true[below].double()).abs()
    rounded = p.round().clamp(0, k - 1).long()
    ok = (rounded == true) & ~bad
    sat = ~below
    return Score(int(true.numel()), int(below.sum()), int(ok[below].sum()), float(err.sum()),
                 int(sat.sum()), int(ok[sat].sum()), int(bad.sum()))
