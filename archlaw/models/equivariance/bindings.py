"""The equivariance family's layers, group tables and actions bound to the laws.

Law (``ArchLaw.Equivariant.map_act``): ``∀ (g : G) (x : X), f (actX g x) = actY g (f x)``.
`binding_for(layer)` binds a layer (an `EquivariantLayer`, whose `group`, `in_sort` and `out_sort`
define the two actions) to it; the conformance engine (`archlaw.bridge.conformance.check_law`)
then enumerates the group and samples the inputs (check ``sampled``), batched, in any dtype::

    check_law(load_export().find(LAW_NAME), binding_for(layer, size=9), samples=16, dtype=...)

The engine is the one measurer: its error of a case is the worst relative difference over the
output's tolerance groups (`archlaw.bridge.sorts.float_close`), and a NaN or Inf is a violation.
`group_binding` and `action_binding` bind a group's table to ``GroupLaws`` and an action to
``GroupAction``.
"""

from __future__ import annotations

from typing import Any

import torch

from archlaw.bridge.errors import ArchLawError
from archlaw.models.equivariance.modules import FieldSort, Group, act_batched

__all__ = ["input_shape", "binding_for", "group_binding", "action_binding", "LAW_NAME"]

LAW_NAME = "ArchLaw.Equivariant"


def input_shape(group: Group, sort: FieldSort, size: int) -> tuple[int, ...]:
    """Per-case shape of a field of `sort`; `size` is the grid side (grid bases) and is ignored
    where the group fixes the size (C_n signals, S_n sets)."""
    c, order = sort.channels, group.order
    if sort.base == "grid":
        return (c, order, size, size) if sort.rep == "regular" else (c, size, size)
    if sort.base == "cyclic":
        return (c, group.n)
    if sort.base == "set":
        return (group.n, c)
    if sort.base == "point":
        return (c, order) if sort.rep == "regular" else (c,)
    raise ArchLawError(f"unknown base {sort.base!r}; accepted: grid, cyclic, set, point")


def binding_for(model: torch.nn.Module, size: int = 9, name: str = "model") -> Any:
    """A `archlaw.bridge.binding.Binding` of `model` to the law ``ArchLaw.Equivariant``:
    sorts ``G = Finite(|G|)``, ``X``/``Y`` float tensors of the layer's field shapes; symbols
    ``actX``/``actY`` (fixed meaning: the Lean actions, batched by `act_batched`) and ``f`` (the
    model, supplied by the network)."""
    from archlaw.bridge.binding import Binding
    from archlaw.bridge import sorts as S

    group, sin, sout = model.group, model.in_sort, model.out_sort
    x_shape = input_shape(group, sin, size)
    with torch.no_grad():
        w = next(model.parameters())
        probe = torch.zeros((1, *x_shape), dtype=w.dtype, device=w.device)
        y_shape = tuple(model(probe).shape[1:])
    return Binding(
        sorts={"G": S.Finite(group.order), "X": S.FloatTensor(x_shape), "Y": S.FloatTensor(y_shape)},
        params={},
        symbols={
            "actX": lambda g, x: act_batched(group, sin, g, x),
            "actY": lambda g, y: act_batched(group, sout, g, y),
            "f": lambda x: model(x),
        },
        model_symbols=frozenset({"f"}),
        module=model,
        metadata={"model": name, "group": group.name, "in_sort": str(sin), "out_sort": str(sout)},
    )


def _mul_table(group: Group) -> torch.Tensor:
    """(|G|, |G|) long tensor: index of g*h (S_n tables built on demand, n <= 5)."""
    if group.table is not None:
        return torch.tensor(group.table, dtype=torch.long)
    if group.order > 120:
        raise ArchLawError(f"group {group.name}: a multiplication table of {group.order}² entries "
                           "is too large; accepted: S_n with n <= 5")
    return torch.tensor([[group.mul(i, j) for j in range(group.order)] for i in range(group.order)])


def group_binding(group: Group) -> Any:
    """Binding of the group's own multiplication table to ``ArchLaw.GroupLaws`` (symbols
    ``mul``, ``one``, ``inv``, all of fixed meaning): every binder is finite, so the engine checks
    the group axioms *exhaustively* over G³."""
    from archlaw.bridge import sorts as S
    from archlaw.bridge.binding import Binding

    table = _mul_table(group)
    inv = torch.tensor(group.inverse, dtype=torch.long)
    return Binding(
        sorts={"G": S.Finite(group.order)}, params={},
        symbols={"mul": lambda g, h: table.to(g.device)[g, h], "one": torch.tensor(0),
                 "inv": lambda g: inv.to(g.device)[g]},
        model_symbols=frozenset(), metadata={"model": f"{group.name}-table", "group": group.name})


def action_binding(group: Group, sort: FieldSort, size: int = 7) -> Any:
    """Binding of the torch action on fields of `sort` to ``ArchLaw.GroupAction`` (symbols
    ``mul``, ``one``, ``act``): the unit and multiplication laws of the action the layers are
    checked against, G×G enumerated, fields sampled."""
    from archlaw.bridge import sorts as S
    from archlaw.bridge.binding import Binding


    table = _mul_table(group)
    return Binding(
        sorts={"G": S.Finite(group.order), "X": S.FloatTensor(input_shape(group, sort, size))},
        params={},
        symbols={"mul": lambda g, h: table.to(g.device)[g, h], "one": torch.tensor(0),
                 "act": lambda g, x: act_batched(group, sort, g, x)},
        model_symbols=frozenset(),
        metadata={"model": f"{group.name}-action-{sort}", "group": group.name, "sort": str(sort)})
