"""The pathfinding family's registry fixtures for ``pytest --archlaw`` (built on first use, cached
for the session) and its seeded violations, each caught for its stated reason.

Sizes: a trained cell at K = 32, W = 8 (8,192 cases, trained in seconds) and the exact table cell
at the same size; the aggregation laws at sizes whose whole domain fits the default budget
(every ordering of 5 edges into 2 nodes with messages in ``Fin 3``: 933,120 cases); the step laws
exhaustive on small graphs (4 edges on 2 nodes, 3 edges on 3 nodes, K = 3, W = 2) and sampled
on 6 edges on 5 nodes with the trained cell. The stated size, the table cell at K = 250, W = 16
(10^6 cases, about 15 s), is registered as not tiny (`tests/test_pathfinding_laws.py` runs it).
"""

from __future__ import annotations

import functools
from typing import Callable

import torch

from archlaw.bridge.binding import Binding
from archlaw.models.pathfinding.bindings import (
    LAW_NAMES, aggregation_binding, batched_step, cell_binding, message_binding, step_binding)
from archlaw.models.pathfinding.modules import (
    FaultyCell, MonotoneMessage, NonMonotoneMessage, RelaxCellNet, aggregate_last,
    aggregate_min_zero_empty, aggregate_sum, table_relax_cell)
from archlaw.models.pathfinding.train import CellConfig, TrainReport, train_cell
from archlaw.models.registry import one_thread, register
from archlaw.models.training import seed_everything

__all__ = ["TINY_CELL", "tiny_cell", "saturating_sum", "source_pinned_step", "register_fixtures"]

#: The trained fixture's configuration: K = 32, W = 8, 300 steps (exact at seed 0, seconds).
TINY_CELL = CellConfig(k=32, w=8, steps=300, seed=0)


@functools.lru_cache(maxsize=None)
def tiny_cell() -> tuple[RelaxCellNet, TrainReport]:
    """The K = 32, W = 8 cell trained with `TINY_CELL` on the CPU, one thread, once per
    process."""
    with one_thread():
        return train_cell(TINY_CELL, device="cpu")


def saturating_sum(messages: torch.Tensor, dst: torch.Tensor, n: int, identity: int
                   ) -> torch.Tensor:
    """A sum aggregation kept in ``Fin K`` (saturated at the identity K - 1): a seeded violation
    of duplicate invariance, as every sum aggregation is."""
    return aggregate_sum(messages, dst, n).clamp_max(identity)


def source_pinned_step(cell: torch.nn.Module, n: int) -> Callable[..., torch.Tensor]:
    """One round of the finite GNN that then pins node 0 to distance 0 ("the source is node 0",
    hard-coded): a seeded violation of relabelling equivariance."""
    step = batched_step(cell.decode, n, cell.k)

    def pinned(src, dst, w, d):
        out = step(src, dst, w, d).clone()
        out[:, 0] = 0
        return out

    return pinned


def _monotone_message() -> MonotoneMessage:
    seed_everything(0)
    return MonotoneMessage(16, 8, 250).eval()


def register_fixtures() -> None:
    name = LAW_NAMES
    trained = lambda: cell_binding(tiny_cell()[0], seed=tiny_cell()[1].seed,  # noqa: E731
                                   steps=TINY_CELL.steps)
    register("relax-cell-trained-k32", law=name["cell"], theorem=name["k_rounds"],
             binding=trained)
    register("relax-cell-table-k32", law=name["cell"], theorem=name["k_rounds"],
             binding=lambda: cell_binding(table_relax_cell(32, 8)))
    register("relax-cell-table-k250", law=name["cell"], theorem=name["k_rounds"], tiny=False,
             binding=lambda: cell_binding(table_relax_cell(250, 16)))
    register("min-aggregation-5-edges", law=name["order"], binding=aggregation_binding)
    register("min-aggregation-4-edges", law=name["duplicate"],
             binding=lambda: aggregation_binding(m=4, n=2, k=5))
    register("min-aggregation-3-edges", law=name["empty"],
             binding=lambda: aggregation_binding(m=3, n=3, k=8))
    for law in ("step_order", "relabel"):
        register("min-gnn-step-table-4-edges", law=name[law],
                 binding=lambda: step_binding(table_relax_cell(3, 2), m=4, n=2))
        register("min-gnn-step-table-3-edges", law=name[law],
                 binding=lambda: step_binding(table_relax_cell(3, 2), m=3, n=3))
        register("min-gnn-step-trained-6-edges", law=name[law],
                 binding=lambda: step_binding(tiny_cell()[0], m=6, n=5))
    # Lean's `Float` is a double: the message's parameters move to float64 with the check's
    # arguments, so its result is compared at the law's precision, not float32's rounding
    register("float-message-monotone", law=name["monotone"], check={"float64": True},
             binding=lambda: message_binding(_monotone_message()))

    # seeded violations, each caught by its field with the counterexample it must have:
    # one wrong case of the cell is the counterexample (and breaks the k-round theorem's
    # hypothesis); the last-edge-wins aggregation changes when the last two edges swap; a sum
    # counts a duplicated edge twice; PyG's empty min gives 0, not K - 1, at the isolated node;
    # a step that pins node 0 breaks when a relabelling moves node 0; a parabola is not monotone
    faulty = lambda: cell_binding(FaultyCell(table_relax_cell(32, 8), {(3, 4, 1): 2}))  # noqa: E731
    register("relax-cell-one-fault-k32", law=name["cell"], expect_pass=False,
             expect_field="relax", expect_counterexample="dv := 3, du := 4, w := 1",
             binding=faulty)
    register("relax-cell-one-fault-k32-theorem", law=name["cell"], theorem=name["k_rounds"],
             expect_pass=False, expect_field="relax",
             expect_counterexample="dv := 3, du := 4, w := 1", binding=faulty)
    register("last-edge-aggregation", law=name["order"], expect_pass=False,
             expect_field="reorder", expect_counterexample="msg := [0, 0, 0, 0, 1]",
             binding=lambda: aggregation_binding(aggregate_last))
    register("sum-aggregation", law=name["duplicate"], expect_pass=False, expect_field="dup",
             expect_counterexample="k := 0, dst := [0, 0, 0, 0], msg := [1, 0, 0, 0]",
             binding=lambda: aggregation_binding(saturating_sum, m=4, n=2, k=5))
    register("pyg-empty-min", law=name["empty"], expect_pass=False, expect_field="isolated",
             expect_counterexample="u := 0, v := 1, dst := [0, 0, 0]",
             binding=lambda: aggregation_binding(aggregate_min_zero_empty, m=3, n=3, k=8))
    register("last-edge-step", law=name["step_order"], expect_pass=False,
             expect_field="reorder", expect_counterexample="σ := (perm [0, 1, 3, 2]",
             binding=lambda: step_binding(table_relax_cell(3, 2), m=4, n=2,
                                          aggregate=aggregate_last))
    register("source-pinned-step", law=name["relabel"], expect_pass=False,
             expect_field="relabel", expect_counterexample="τ := (perm [1, 0, 2]",
             binding=lambda: step_binding(table_relax_cell(3, 2), m=3, n=3,
                                          step=source_pinned_step(table_relax_cell(3, 2), 3)))
    register("non-monotone-message", law=name["monotone"], expect_pass=False,
             check={"float64": True}, expect_field="map_min",
             binding=lambda: message_binding(NonMonotoneMessage(16)))


#: Bounds of `cell_binding_for`'s parameters (a table cell has W hidden units and decodes
#: K - 1 bits a case, so a K or W from the command line is kept to what checks in seconds).
MAX_K, MAX_W = 1000, 64


def cell_binding_for(k: int = 250, w: int = 16, fault: int = 0) -> Binding:
    """The exact table cell as a theorem-level binding, for ``archlaw check
    ArchLaw.bellmanFord_walks --model archlaw.models.pathfinding.fixtures:cell_binding_for
    --param k=32 --param w=8``; ``fault=1`` makes case (3, 4, 1) wrong (it returns 2, not 3): a
    seeded violation to see caught. K from 5 to `MAX_K`, W from 2 to `MAX_W`."""
    from archlaw.bridge.errors import ArchLawError

    for name, v, lo, hi in (("k", k, 5, MAX_K), ("w", w, 2, MAX_W), ("fault", fault, 0, 1)):
        if isinstance(v, bool) or not isinstance(v, int) or not lo <= v <= hi:
            raise ArchLawError(f"--param {name}={v!r} is not accepted; expected an integer from "
                               f"{lo} to {hi}")
    cell = table_relax_cell(k, w)
    return cell_binding(FaultyCell(cell, {(3, 4, 1): 2}) if fault else cell)


register_fixtures()
