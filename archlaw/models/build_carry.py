"""``CarryCell B`` built as the decoded carry cell (`archlaw.models.build`).

``cell : Fin B → Fin B → Fin 2 → Fin B × Fin 2`` is a `CarryCellMLP` (an MLP over one-hot digits
and carry), decoded by argmax: a function on exactly those finite sorts, bound as the carry
family binds it (`cell_binding`). Unlike the symmetry and fold laws, no architecture makes this
law hold by construction: exactly one table (the full adder's) satisfies it, so a built cell
passes once trained (`archlaw.models.build_tasks`, task ``sums``). Architecture option:
``hidden``, the width of the MLP's two hidden layers.
"""

from __future__ import annotations

from typing import Any, Callable

from archlaw.bridge.errors import ArchLawError
from archlaw.models.build_base import Construction, LawModel, arch_options
from archlaw.models.carry.bindings import cell_binding
from archlaw.models.carry.modules import CarryCellMLP
from archlaw.models.carry.train import MAX_BASE

__all__ = ["BuiltCarryCell", "CONSTRUCTIONS"]


class BuiltCarryCell(LawModel, CarryCellMLP):
    """A `CarryCellMLP` as ``CarryCell``'s ``cell`` (`cell_binding`)."""

    def all_symbols(self) -> dict[str, Callable[..., Any]]:
        return dict(cell_binding(self).symbols)


def _cell(params, sorts, arch) -> BuiltCarryCell:
    b = params["B"]
    if not 2 <= b <= MAX_BASE:
        raise ArchLawError(f"B={b}: a carry cell's base is an integer from 2 to {MAX_BASE}",
                           where="build(ArchLaw.Carry.CarryCell)")
    return BuiltCarryCell(b, arch_options(CARRY, arch)["hidden"])


CARRY = Construction("ArchLaw.Carry.CarryCell", "the decoded carry cell (CarryCellMLP), exact "
                     "after training", "B from 2 to 36", lambda p, s, a: _cell(p, s, a),
                     {"hidden": 128}, ("B=10",), "sums")

CONSTRUCTIONS = (CARRY,)
