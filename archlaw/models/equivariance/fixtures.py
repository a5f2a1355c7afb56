"""The equivariance family's registry fixtures (tiny, seeded) and seeded violations, for
``pytest --archlaw`` and ``archlaw check``: each layer checked in float32 and float64, a seeded
1e-3 symmetry break that must be caught, the group tables and the actions."""

from __future__ import annotations

from typing import Any, Callable

import torch

from archlaw.bridge.errors import ArchLawError
from archlaw.models.equivariance import concrete
from archlaw.models.equivariance.bindings import action_binding, binding_for, group_binding
from archlaw.models.equivariance.modules import (
    CyclicGroupConv, CyclicLifting, DeepSetsLayer, EquivariantLayer, FieldSort, GridGroupConv,
    GridLifting, Group, SymmetryBreak, c4_cnn, c4_group, cyclic_gcnn, cyclic_group, d4_cnn,
    d4_group, deepsets_net, symmetric_group)
from archlaw.models.registry import register


def _fixtures() -> dict[str, Callable[[], EquivariantLayer]]:
    return {
        "d4-lift": lambda: GridLifting(d4_group(), 2, 3, 3, torch.Generator().manual_seed(1)),
        "d4-gconv": lambda: GridGroupConv(d4_group(), 2, 3, 3, torch.Generator().manual_seed(2)),
        "d4-gconv-filterbank": lambda: GridGroupConv(d4_group(), 2, 3, 3, torch.Generator().manual_seed(2),
                                                     mode="filter"),
        "c4-cnn": lambda: c4_cnn(width=3, classes=2, seed=3),
        "d4-cnn": lambda: d4_cnn(width=3, classes=2, seed=4),
        "c5-lift": lambda: CyclicLifting(cyclic_group(5), 2, 3, 3, torch.Generator().manual_seed(5)),
        "c8-gconv": lambda: CyclicGroupConv(cyclic_group(8), 2, 3, 5, torch.Generator().manual_seed(6)),
        "c8-gcnn": lambda: cyclic_gcnn(8, width=3, classes=2, seed=7),
        "deepsets-s5-layer": lambda: DeepSetsLayer(symmetric_group(5), 2, 3, torch.Generator().manual_seed(8)),
        "deepsets-s5-net": lambda: deepsets_net(5, width=4, seed=9),
    }


def _register_fixtures() -> None:
    law = "ArchLaw.Equivariant"

    def make(build: Callable[[], EquivariantLayer], name: str, size: int = 5):
        def binding():
            return binding_for(build(), size=size, name=name)
        return binding

    for name, build in _fixtures().items():
        for f64 in (False, True):
            tag = "f64" if f64 else "f32"
            register(f"{name}-{tag}", law=law, binding=make(build, name),
                     check={"samples": 8, "seed": 0, "float64": f64})
    # the checker must catch a seeded 1e-3 symmetry break, in both dtypes
    for f64 in (False, True):
        tag = "f64" if f64 else "f32"
        register(f"d4-cnn-broken-1e-3-{tag}", law=law, expect_pass=False, expect_field="map_act",
                 binding=make(lambda: SymmetryBreak(d4_cnn(width=3, classes=2, seed=4), 1e-3, seed=0),
                              "d4-cnn-broken"),
                 check={"samples": 8, "seed": 0, "float64": f64})

    def group_b(g: Callable[[], Group]):
        def binding():
            return group_binding(g())
        return binding

    def action_b(g: Callable[[], Group], sort: Callable[[Group], FieldSort]):
        def binding():
            grp = g()
            return action_binding(grp, sort(grp), size=5)
        return binding

    for gname, g in (("D4", d4_group), ("C4", c4_group), ("C6", lambda: cyclic_group(6)),
                     ("S4", lambda: symmetric_group(4))):
        register(f"{gname}-table", law="ArchLaw.GroupLaws", binding=group_b(g))
    for gname, g, sort in (
        ("D4-image", d4_group, lambda G: FieldSort(G.name, "grid", "trivial", 2)),
        ("D4-regular", d4_group, lambda G: FieldSort(G.name, "grid", "regular", 2)),
        ("C6-signal", lambda: cyclic_group(6), lambda G: FieldSort(G.name, "cyclic", "trivial", 2)),
        ("C6-regular", lambda: cyclic_group(6), lambda G: FieldSort(G.name, "point", "regular", 2)),
        ("S4-set", lambda: symmetric_group(4), lambda G: FieldSort(G.name, "set", "trivial", 2)),
    ):
        register(f"{gname}-action", law="ArchLaw.GroupAction", binding=action_b(g, sort),
                 check={"samples": 4, "seed": 0})
    _register_concrete()


def _register_concrete() -> None:
    """The laws whose action is the library's Lean definition (`concrete`): the binding supplies
    `f` alone (or, for ``D4GridAction``, its own grid action), and the check runs ``rotate``,
    ``permute``, ``c4Act``, ``gridAct``, ``D4.pt`` and ``D4.mul`` from their Lean bodies."""
    f64 = {"samples": 8, "seed": 0, "float64": True}
    for name, law, bind, ok in (
            ("conv1d-circular", "ArchLaw.ShiftEquivariant", concrete.shift_binding, True),
            ("conv1d-zero-padding", "ArchLaw.ShiftEquivariant",
             lambda: concrete.shift_binding(circular=False), False),
            ("deepsets-s4", "ArchLaw.PermEquivariant", concrete.perm_binding, True),
            ("deepsets-causal-s4", "ArchLaw.PermEquivariant",
             lambda: concrete.perm_binding(causal=True), False),
            ("conv2d-c4-averaged", "ArchLaw.C4Equivariant", concrete.grid_binding, True),
            ("conv2d-plain-c4", "ArchLaw.C4Equivariant", lambda: concrete.grid_binding(""), False),
            ("conv2d-d4-averaged", "ArchLaw.D4Equivariant", lambda: concrete.grid_binding("D4"),
             True),
            ("conv2d-c4-averaged-d4", "ArchLaw.D4Equivariant", concrete.grid_binding, False),
            ("grid-act", "ArchLaw.D4GridAction", concrete.grid_action_binding, True),
            ("grid-act-flip-first", "ArchLaw.D4GridAction",
             lambda: concrete.grid_action_binding(flip_first=True), False)):
        kw = {} if ok else {"expect_pass": False,
                            "expect_field": "mul_act" if law.endswith("GridAction") else "map_act"}
        register(name, law=law, binding=bind, check=f64, **kw)



#: Largest grid side `model_binding` accepts (the fixtures are trained and checked at 7).
MAX_SIZE = 64


def model_binding(model: str = "d4-cnn", size: int = 7, broken: float = 0.0, seed: int = 0) -> Any:
    """For ``archlaw check ArchLaw.Equivariant --model archlaw.models.equivariance.fixtures:model_binding
    --param model=d4-cnn [--param broken=1e-3]``: one of the registry's tiny fixtures (names as in
    `_fixtures`), optionally wrapped in a seeded `SymmetryBreak`."""
    fx = _fixtures()
    if model not in fx:
        raise ArchLawError(f"--param model={model!r}; accepted: {', '.join(fx)}")
    if isinstance(size, bool) or not isinstance(size, int) or not 1 <= size <= MAX_SIZE:
        # bounded work: the checks run the model on size×size grids, whatever --param asks
        raise ArchLawError(f"--param size={repr(size)[:50]}; expected an integer from 1 to "
                           f"{MAX_SIZE}")
    m = fx[model]()
    if broken:
        m = SymmetryBreak(m, float(broken), seed=int(seed))
    return binding_for(m, size=int(size), name=model + (f"-broken-{broken}" if broken else ""))


_register_fixtures()
