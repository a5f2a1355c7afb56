"""The pathfinding models meet their laws: bindings for the conformance engine.

The laws are on branch ``pathlean`` under ``lean/ArchLaw/Graph/`` (``Semiring``,
``MessagePassing``, ``BellmanFord``); `LAW_NAMES` lists the ones bound here. All values are
decoded: distances and node ids ``torch.long``; an edge list of m edges is a set of tables
``Fin m → …``, which a callable receives as (N, m) tensors (N cases of a batched check).

* `cell_binding(cell)`       ``RelaxCell K W cell``: the decoded cell on all K²·W inputs
                             (``exhaustive``; K = 250, W = 16 is 10^6 cases, the default budget).
                             Also the theorem-level binding of ``bellmanFord_walks`` (its ``K``,
                             ``W`` and ``cell``).
* `aggregation_binding(agg, m, n, k)`  ``EdgeOrderInvariant``, ``DuplicateInvariant``,
                             ``EmptyAggregation`` with ``X = Fin K`` and ``one = K - 1``: the
                             aggregation (`archlaw.models.pathfinding.modules.aggregate_min`, or
                             a seeded fault) on m edges into n nodes, the N cases run as one
                             disjoint union in one call.
* `step_binding(cell, m, n)`  ``StepEdgeOrderInvariant``, ``RelabelEquivariant`` with
                             ``W = Fin W``, ``X = Fin K``: one round of the finite GNN
                             (`relax_round` with the decoded cell and the min aggregation, the
                             step `MinGNN.run` iterates).
* `message_binding(psi)`     ``MinDistributive psi`` with ``W = Fin W``: the float message
                             ψ(d_u, w), checked by sampling the floats (every weight enumerated).

What is *not* bound to a Lean statement: Lean's ``bfRound`` folds the cell over a node's incoming
edges one at a time from ``d v``; `MinGNN` applies the cell to every edge in parallel and takes
the min (`relax_round`). For a cell meeting ``RelaxCell`` both are ``min(d_v, min_e (d_u + w_e))``
(``tmin`` is an idempotent commutative monoid: ``tmin_monoid``, ``tmin_comm``, ``tmin_idem``),
but that step is argued, not proved in Lean; tests compare the runner with a transcription of
``bellmanFord`` and with networkx.
"""

from __future__ import annotations

from typing import Any, Callable

import torch

from archlaw.bridge.binding import Binding
from archlaw.bridge.sorts import Finite
from archlaw.models.pathfinding.modules import aggregate_min, relax_round

__all__ = ["LAW_NAMES", "cell_binding", "aggregation_binding", "step_binding",
           "message_binding", "batched_aggregate", "batched_step"]

#: Full names of the Lean declarations this module binds.
LAW_NAMES = {
    "cell": "ArchLaw.RelaxCell",
    "k_rounds": "ArchLaw.bellmanFord_walks",
    "order": "ArchLaw.EdgeOrderInvariant",
    "duplicate": "ArchLaw.DuplicateInvariant",
    "empty": "ArchLaw.EmptyAggregation",
    "step_order": "ArchLaw.StepEdgeOrderInvariant",
    "relabel": "ArchLaw.RelabelEquivariant",
    "monotone": "ArchLaw.MinDistributive",
}


def _meta(obj: Any, **extra: Any) -> dict:
    name = obj.__name__ if callable(obj) and hasattr(obj, "__name__") else type(obj).__name__
    return {"model": name, **extra}


def _offsets(n_cases: int, n: int, device) -> torch.Tensor:
    return (torch.arange(n_cases, device=device) * n)[:, None]


def batched_aggregate(aggregate: Callable, n: int, identity: int
                      ) -> Callable[[torch.Tensor, torch.Tensor], torch.Tensor]:
    """``agg dst msg`` for N cases: dst, msg (N, m) long -> (N, n) long, the N edge lists run
    as one disjoint union through `aggregate` (signature of `aggregate_min`)."""

    def agg(dst: torch.Tensor, msg: torch.Tensor) -> torch.Tensor:
        cases = dst.shape[0]
        idx = (dst + _offsets(cases, n, dst.device)).reshape(-1)
        return aggregate(msg.reshape(-1), idx, cases * n, identity).reshape(cases, n)

    return agg


def batched_step(relax: Callable, n: int, k: int, aggregate: Callable = aggregate_min
                 ) -> Callable[..., torch.Tensor]:
    """``step src dst w d`` for N cases: src, dst, w (N, m) and d (N, n) long -> (N, n) long,
    one `relax_round` over the disjoint union of the N graphs."""

    def step(src: torch.Tensor, dst: torch.Tensor, w: torch.Tensor, d: torch.Tensor
             ) -> torch.Tensor:
        cases = d.shape[0]
        off = _offsets(cases, n, d.device)
        out = relax_round(relax, (src + off).reshape(-1), (dst + off).reshape(-1), w.reshape(-1),
                          d.reshape(-1), k, aggregate)
        return out.reshape(cases, n)

    return step


def cell_binding(cell: torch.nn.Module, **metadata: Any) -> Binding:
    """``RelaxCell K W cell``: the decoded cell ``(dv, du, w) -> min dv (du + w)``, saturated."""
    module = getattr(cell, "cell", cell)    # a FaultyCell hashes the cell it wraps
    return Binding(sorts={}, params={"K": cell.k, "W": cell.w},
                   symbols={"cell": lambda dv, du, w: cell.decode(dv, du, w)},
                   model_symbols=frozenset({"cell"}), module=module,
                   metadata=_meta(cell, K=cell.k, W=cell.w, **metadata))


def aggregation_binding(aggregate: Callable = aggregate_min, m: int = 5, n: int = 2, k: int = 3,
                        **metadata: Any) -> Binding:
    """The aggregation laws on m edges into n nodes with messages in ``Fin K``; ``agg'`` (the
    duplicate law's m + 1 edges) is the same function, and ``one`` is ``K - 1``."""
    agg = batched_aggregate(aggregate, n, k - 1)
    return Binding(sorts={"X": Finite(k)}, params={"m": m, "n": n},
                   symbols={"agg": agg, "agg'": agg, "one": torch.tensor(k - 1)},
                   model_symbols=frozenset({"agg", "agg'"}),
                   metadata=_meta(aggregate, m=m, n=n, K=k, **metadata))


def step_binding(cell: torch.nn.Module, m: int = 5, n: int = 4, aggregate: Callable = aggregate_min,
                 step: Callable | None = None, **metadata: Any) -> Binding:
    """The step laws: one round of the finite GNN over m edges on n nodes (``W = Fin W``,
    ``X = Fin K`` from the cell). `step` replaces the round (a seeded violation)."""
    fn = step if step is not None else batched_step(cell.decode, n, cell.k, aggregate)
    return Binding(sorts={"W": Finite(cell.w), "X": Finite(cell.k)}, params={"m": m, "n": n},
                   symbols={"step": fn}, model_symbols=frozenset({"step"}),
                   module=getattr(cell, "cell", cell),
                   metadata=_meta(cell, m=m, n=n, K=cell.k, W=cell.w, **metadata))


def message_binding(psi: torch.nn.Module, **metadata: Any) -> Binding:
    """``MinDistributive psi`` with ``W = Fin W``: ψ(x, w) for float distances x (N,) and
    weights w (N,) long -> (N,) float."""
    return Binding(sorts={"W": Finite(psi.w)}, params={},
                   symbols={"psi": lambda x, w: psi(x, w)}, model_symbols=frozenset({"psi"}),
                   module=psi, metadata=_meta(psi, W=psi.w, **metadata))
