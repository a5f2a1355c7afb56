"""The pathfinding models meet their laws: bindings for the conformance engine.

All on decoded values (``torch.long`` distances and weights):

* `cell_binding(cell)`   law ``RelaxCell K W cell`` with ``cell : Fin K → Fin K → Fin W → Fin K``:
                         the decoded cell on all K²·W inputs (check ``exhaustive`` within the
                         default budget of 10^6 cases: K = 250, W = 16 is exactly 10^6).
"""

from __future__ import annotations

from typing import Any

import torch

from archlaw.bridge.binding import Binding

__all__ = ["cell_binding"]


def _meta(module: torch.nn.Module, **extra: Any) -> dict:
    return {"model": type(module).__name__, **extra}


def cell_binding(cell: torch.nn.Module, **metadata: Any) -> Binding:
    """``RelaxCell K W cell``: the decoded cell ``(dv, du, w) -> min dv (du + w)``, saturated."""
    module = getattr(cell, "cell", cell)    # a FaultyCell hashes the cell it wraps
    return Binding(sorts={}, params={"K": cell.k, "W": cell.w},
                   symbols={"cell": lambda dv, du, w: cell.decode(dv, du, w)},
                   model_symbols=frozenset({"cell"}), module=module,
                   metadata=_meta(cell, K=cell.k, W=cell.w, **metadata))
