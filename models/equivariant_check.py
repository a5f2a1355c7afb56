"""The equivariance law checked on a torch layer: exhaustive over the finite group, sampled over
inputs, batched, in float32 and float64.

Law (``ArchLaw.Equivariant.map_act``): ``∀ (g : G) (x : X), f (actX g x) = actY g (f x)``.

Error of one case (g, x): ``‖f(g·x) − g·f(x)‖∞ / ‖f(x)‖∞`` (∞-norms over all non-batch entries);
the reported error is the max over every group element and every sampled input. A NaN or Inf on
either side makes the error ``inf`` (a violation, never a pass).

Targets (`TARGETS`): 1e-6 in float32 and 1e-12 in float64. Check kind: the group is enumerated
(`group_exhaustive=True`), the inputs are sampled (Gaussian plus scaled extremes), so the check
as a whole is ``sampled``; statement provenance is the law's own, as the library reads it
(``load_export().find(LAW_NAME).statement_provenance``: ``source`` from the source reader, ``lean``
from a fresh Lean export). Only ``lean`` + ``exhaustive`` may be called certified, which this
check never is.

The conformance engine (`archlaw.bridge.conformance`) runs the same law through its generic
interpreter with `binding_for` below; this module is the family's own batched fast path, used by
the benchmark and the tests, and it measures exactly the quantity the issue defines.
"""

from __future__ import annotations

import copy
import time
from dataclasses import dataclass, field
from typing import Any

import torch

from archlaw.bridge.errors import ArchLawError

from .equivariant import FieldSort, Group, act

__all__ = ["TARGETS", "EquivarianceResult", "sample_inputs", "input_shape", "equivariance_error",
           "check_layer", "binding_for", "LAW_NAME", "law_statement"]

LAW_NAME = "ArchLaw.Equivariant"
#: Pass thresholds for the relative error, by dtype.
TARGETS: dict[torch.dtype, float] = {torch.float32: 1e-6, torch.float64: 1e-12}


@dataclass(frozen=True)
class EquivarianceResult:
    """One (law, model, dtype) check.

    `error`: max relative error; `worst`: (group element index, sample index) attaining it;
    `cases`: |G| × samples; `passed`: error <= target; `seconds`: wall time of the check.
    """

    model: str
    group: str
    dtype: str
    error: float
    target: float
    passed: bool
    cases: int
    group_order: int
    samples: int
    seed: int
    worst: tuple[int, int]
    seconds: float
    #: the law's statement provenance as read (``lean`` | ``source``); never assumed
    statement: str
    check: str = "sampled"
    group_exhaustive: bool = True
    extra: dict[str, Any] = field(default_factory=dict)

    def line(self) -> str:
        verdict = "pass" if self.passed else "FAIL"
        return (f"{verdict} {self.model} [{self.group}, {self.dtype}] error={self.error:.3g} "
                f"(target {self.target:g}) cases={self.cases} (|G|={self.group_order} exhaustive x "
                f"{self.samples} sampled inputs) seed={self.seed} worst g={self.worst[0]} "
                f"sample={self.worst[1]} statement={self.statement} check={self.check}")


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


def sample_inputs(group: Group, sort: FieldSort, samples: int, size: int, dtype: torch.dtype,
                  seed: int, device: torch.device | str = "cpu") -> torch.Tensor:
    """`samples` inputs: Gaussian, with the last quarter scaled to extremes (×1e3 and ×1e-3)."""
    gen = torch.Generator().manual_seed(seed)
    x = torch.randn((samples, *input_shape(group, sort, size)), generator=gen, dtype=torch.float64)
    q = samples // 4
    if q:
        x[samples - q: samples - q // 2] *= 1e3
        x[samples - q // 2:] *= 1e-3
    return x.to(dtype=dtype, device=device)


def _inf_norm(t: torch.Tensor) -> torch.Tensor:
    return t.reshape(t.shape[0], -1).abs().amax(dim=1)


@torch.no_grad()
def equivariance_error(f: torch.nn.Module, group: Group, in_sort: FieldSort, out_sort: FieldSort,
                       x: torch.Tensor, chunk: int = 1 << 30) -> tuple[float, tuple[int, int]]:
    """Max over g ∈ G and samples of ``‖f(g·x) − g·f(x)‖∞ / ‖f(x)‖∞``, batched: all |G|·N
    transformed inputs go through `f` in one forward pass (split when larger than `chunk`
    elements); element 0 of every `Group` is the identity, so ``f(x)`` is the first block of
    that pass. Returns (error, (g, sample)) of the worst case."""
    n = x.shape[0]
    # element 0 is the identity, so f(x) is computed in the same batched pass as every f(g·x)
    gx = torch.cat([act(group, in_sort, g, x) for g in range(group.order)])  # (|G|·N, ...)
    if gx.numel() <= chunk:
        fgx = f(gx)
    else:
        per = max(1, chunk // max(1, x[0].numel()))
        fgx = torch.cat([f(gx[i:i + per]) for i in range(0, gx.shape[0], per)])
    fx = fgx[:n]
    gfx = torch.cat([act(group, out_sort, g, fx) for g in range(group.order)])
    num = _inf_norm(fgx - gfx)
    den = _inf_norm(fx).repeat(group.order)
    err = num / den
    bad = ~torch.isfinite(fgx.reshape(fgx.shape[0], -1)).all(dim=1) | ~torch.isfinite(err)
    err = torch.where(bad, torch.full_like(err, float("inf")), err)
    k = int(torch.argmax(err))
    return float(err[k]), (k // n, k % n)


def check_layer(model: torch.nn.Module, *, name: str | None = None, dtype: torch.dtype = torch.float32,
                samples: int = 16, size: int = 9, seed: int = 0,
                device: torch.device | str | None = None, target: float | None = None,
                export: Any = None) -> EquivarianceResult:
    """Check the equivariance law on `model` (an `EquivariantLayer`, whose `group`, `in_sort` and
    `out_sort` define the two actions) in `dtype`. The model is copied and cast, never changed.
    The result's statement label is that of ``ArchLaw.Equivariant`` in `export` (default: the
    library's, `load_export`)."""
    for attr in ("group", "in_sort", "out_sort"):
        if getattr(model, attr, None) is None:
            raise ArchLawError(f"check_layer: model {type(model).__name__} has no {attr}; "
                               "accepted: an EquivariantLayer with declared sorts")
    if dtype not in TARGETS:
        raise ArchLawError(f"check_layer: dtype {dtype}; accepted: torch.float32, torch.float64")
    statement = law_statement(export)
    if device is None:
        device = next((p.device for p in model.parameters()), torch.device("cpu"))
    m = copy.deepcopy(model).to(device=device, dtype=dtype).eval()
    x = sample_inputs(m.group, m.in_sort, samples, size, dtype, seed, device)
    t0 = time.perf_counter()
    err, worst = equivariance_error(m, m.group, m.in_sort, m.out_sort, x)
    secs = time.perf_counter() - t0
    tgt = TARGETS[dtype] if target is None else target
    return EquivarianceResult(
        model=name or type(model).__name__, group=m.group.name, dtype=str(dtype).replace("torch.", ""),
        error=err, target=tgt, passed=err <= tgt, cases=m.group.order * samples,
        group_order=m.group.order, samples=samples, seed=seed, worst=worst, seconds=secs,
        statement=statement)


def binding_for(model: torch.nn.Module, size: int = 9, name: str = "model") -> Any:
    """A `archlaw.bridge.binding.Binding` of `model` to the law ``ArchLaw.Equivariant``:
    sorts ``G = Finite(|G|)``, ``X``/``Y`` float tensors of the layer's field shapes; symbols
    ``actX``/``actY`` (fixed meaning: the Lean actions, batched by `act_batched`) and ``f`` (the
    model, supplied by the network)."""
    from archlaw.bridge.binding import Binding
    from archlaw.bridge import sorts as S

    from .equivariant import act_batched

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


def law_statement(export: Any = None, name: str = LAW_NAME) -> str:
    """The statement provenance (``lean`` | ``source``) of the law `name` in `export` (default:
    the library's): the label every result of this module carries."""
    from archlaw.bridge.library import load_export

    return (export if export is not None else load_export()).find(name).statement_provenance


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

    from .equivariant import act_batched

    table = _mul_table(group)
    return Binding(
        sorts={"G": S.Finite(group.order), "X": S.FloatTensor(input_shape(group, sort, size))},
        params={},
        symbols={"mul": lambda g, h: table.to(g.device)[g, h], "one": torch.tensor(0),
                 "act": lambda g, x: act_batched(group, sort, g, x)},
        model_symbols=frozenset(),
        metadata={"model": f"{group.name}-action-{sort}", "group": group.name, "sort": str(sort)})


#: Largest grid side `model_binding` accepts (the fixtures are trained and checked at 7).
MAX_SIZE = 64


def model_binding(model: str = "d4-cnn", size: int = 7, broken: float = 0.0, seed: int = 0) -> Any:
    """For ``archlaw check ArchLaw.Equivariant --model archlaw.models.equivariant_check:model_binding
    --param model=d4-cnn [--param broken=1e-3]``: one of the registry's tiny fixtures (names as in
    `archlaw.models.equivariant._fixtures`), optionally wrapped in a seeded `SymmetryBreak`."""
    from .equivariant import SymmetryBreak, _fixtures

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
