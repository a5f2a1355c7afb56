"""Conformance: a law read from Lean, checked on a torch model through a `Binding`.

``check_law(law, binding)`` checks every field ``∀ binders, hyps → lhs = rhs`` of an
``@[arch_law]`` on the model: the binders' domain is enumerated or sampled
(`archlaw.bridge.domains`), both sides are evaluated *batched* (`archlaw.bridge.interpret`) chunk
by chunk, and compared: discrete sorts exactly after decoding, float sorts under the per-dtype
tolerance policy (`archlaw.bridge.sorts.TOLERANCES`), a NaN or Inf always a violation. Cases
where a hypothesis of the field is false are counted as vacuous.

Each field gives a `FieldResult`: passed or not; the check kind (``exhaustive`` or ``sampled``),
which is a property of the check and is kept apart from the law's statement provenance (``lean``
or ``source``); the number of cases, violations and vacuous cases; the worst error (the relative
error for float sorts, 0/1 for discrete ones); the per-binder domains; and the smallest
counterexample (first in enumeration order for finite domains, shortest or shallowest first for
sampled ones), rendered as Lean-like text with the binder values, with the seed that replays it.

``check_theorem(theorem, export, bindings)`` decides certification: a theorem is *certified* for
a model only when its statement is ``lean`` (kernel-checked export, axioms within
`ALLOWED_AXIOMS`, no ``sorryAx``), every assumed law's statement is ``lean`` too (axioms
known and allowed), every law hypothesis held ``exhaustive``ly on the model with every field
compared exactly (a field compared up to a float tolerance is not Lean's ``=``), and every side
condition (a closed decidable proposition such as ``2 ≤ B``) evaluates to true. The module runs in
eval mode (switched and restored if it was training), and the report records it.
Anything less is a `ConformanceReport` that says what it is on both axes, with the reasons.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import math
import time
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Iterator, Mapping, Protocol, Sequence

import torch

from .binding import Binding, ListBatch
from .crosscheck import agree
from .domains import (
    DEFAULT_BUDGET, DEFAULT_SAMPLES, BinderDomain, CheckKind, build_domain, default_config,
)
from .errors import ArchLawError
from .instances import is_instance, resolve_instance
from .hoist import Hoist
from .interpret import Evaluator
from .ir import (
    App, Export, Law, Lit, Param, Pi, Term, Theorem, Var, TYPE, declaration_text, free_vars, is_prop,
    pretty, substitute,
)
from .sorts import Encoding, Tolerance, resolve_sort, static_nat, tolerance_for
from .outputs import record_nonfinite
from .replay import full_text
from .spec import involves_float
from .tables import refusal
from . import structures  # registers the fast paths of D4 and Perm n; derives the others
from .words import plural

__all__ = [
    "check_law", "check_theorem", "LawReport", "FieldResult", "Counterexample",
    "ConformanceReport", "SideCondition", "ALLOWED_AXIOMS", "split_field", "law_binding",
    "binding_device", "assumed_laws", "statement_sha256", "statement_text", "export_sha256",
    "FieldTally", "Shard", "merge_ran",
]

#: Axioms a certified theorem may depend on (Lean's standard classical axioms).
ALLOWED_AXIOMS = frozenset({"propext", "Quot.sound", "Classical.choice"})


# --------------------------------------------------------------------------------------------
# Results


@dataclass(frozen=True)
class Counterexample:
    """A failing case: its index in check order, the binder values, the field instantiated with
    them, both sides' values when the conclusion is an equation, and its error."""

    case: int
    values: tuple[tuple[str, str], ...]
    instance: str
    lhs: str | None
    rhs: str | None
    error: float
    #: for float tensors, where the two sides differ most, at full precision (their rendering
    #: shows 4 significant digits of the first entries, which may not tell them apart)
    difference: str | None = None
    #: the case failed in its batch but holds when run alone (a batch of 1): the model's output
    #: for it depends on the rest of the batch, so the values shown (computed alone) agree
    passes_alone: bool = False
    #: each binder and side (``lhs``, ``rhs``) at full precision (`archlaw.bridge.replay`), for
    #: a case re-run on its own (``check_law(..., case=K)``); empty otherwise
    tensors: tuple[tuple[str, str], ...] = ()
    #: the model symbols that returned NaN or inf on this case (run alone)
    nonfinite: tuple[str, ...] = ()

    def text(self) -> str:
        vals = ", ".join(f"{k} := {v}" for k, v in self.values) or "(no binders)"
        out = f"{vals}\n  {self.instance}"
        if self.lhs is not None:
            out += f"\n  lhs = {self.lhs}\n  rhs = {self.rhs}"
        if self.difference is not None:
            out += f"\n  {self.difference}"
        for name in self.nonfinite:
            out += f"\n  note: {name} returned non-finite values (NaN or inf) on this case"
        if self.passes_alone:
            out += ("\n  note: this case FAILED in its batch but holds when run alone (the values "
                    "above are computed alone): the model's output for one input depends on the "
                    "other inputs of the batch (batch statistics such as BatchNorm in train mode, "
                    "mixing across the batch axis, or batch-size-dependent rounding)")
        return out

    def to_json(self) -> dict:
        return {"case": self.case, "values": dict(self.values), "instance": self.instance,
                "lhs": self.lhs, "rhs": self.rhs, "difference": self.difference,
                "error": _num(self.error), "passes_alone": self.passes_alone,
                **({"tensors": dict(self.tensors)} if self.tensors else {}),
                **({"nonfinite": list(self.nonfinite)} if self.nonfinite else {})}


def _largest_difference(l: Any, r: Any) -> str | None:
    """``max |lhs − rhs| = d at [i, j]: a vs b`` for one case's float tensors, else None."""
    if not (isinstance(l, torch.Tensor) and isinstance(r, torch.Tensor)) \
            or not (l.is_floating_point() and r.is_floating_point()) or l.shape != r.shape \
            or l.numel() == 0:
        return None
    l0, r0 = l[0].detach().double().cpu(), r[0].detach().double().cpu()
    diff = (l0 - r0).abs().nan_to_num(nan=float("inf"))
    flat = int(diff.flatten().argmax())
    idx = list(torch.unravel_index(torch.tensor(flat), l0.shape)) if l0.dim() else []
    at = f" at [{', '.join(str(int(i)) for i in idx)}]" if idx else ""
    a, b = float(l0.flatten()[flat]), float(r0.flatten()[flat])
    return f"max |lhs − rhs| = {float(diff.flatten()[flat]):.3g}{at}: {a:.9g} vs {b:.9g}"


@dataclass(frozen=True)
class FieldResult:
    """The check of one field of a law on a model (see the module docstring)."""

    field: str
    statement: str
    passed: bool
    check: CheckKind
    cases: int
    violations: int
    vacuous: int
    worst_error: float
    discrete: bool
    tolerance: Tolerance | None
    domains: tuple[BinderDomain, ...]
    counterexample: Counterexample | None
    seed: int
    replay: str
    #: (shortest, longest) list length among the cases checked, over every list binder; None
    #: when the field has no list binder.
    lengths: tuple[int, int] | None = None
    #: wall-clock seconds the field's check took (in ``to_json(timing=True)``, as ``--json``
    #: prints; never part of a verdict nor of equality)
    seconds: float = dataclasses.field(default=0.0, compare=False)
    #: the library's and user's constants the field evaluated, and how each ran
    #: (`archlaw.bridge.semantics.HOW_RAN`: from its Lean body, or registered), sorted by name
    ran: tuple[tuple[str, str], ...] = ()

    def to_json(self, timing: bool = False) -> dict:
        """JSON-ready data; `timing` adds ``seconds`` (it differs run to run, so it is left out
        by default: the same seed gives the same JSON)."""
        return {
            "ran": [{"constant": n, "how": how} for n, how in self.ran],
            "lengths_sampled": list(self.lengths) if self.lengths is not None else None,
            "field": self.field, "statement": self.statement, "passed": self.passed,
            "check": self.check, "cases": self.cases, "violations": self.violations,
            "vacuous": self.vacuous, "worst_error": _num(self.worst_error),
            "comparison": "exact" if self.discrete else
            {"rtol": self.tolerance.rtol, "atol": self.tolerance.atol} if self.tolerance else None,
            "domains": [d.to_json() for d in self.domains],
            "counterexample": self.counterexample.to_json() if self.counterexample else None,
            "seed": self.seed, "replay": self.replay,
            **({"seconds": self.seconds} if timing else {}),
        }


def merge_ran(pairs: Iterable[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    """(constant, how it ran) pairs from several fields or laws merged into one entry per
    constant, sorted by name: a constant that ran two ways keeps the one that leaves more trusted
    (`archlaw.bridge.semantics.weaker_ran`: ``registered only`` over ``registered, agrees with
    body`` over ``body``)."""
    from .semantics import weaker_ran

    out: dict[str, str] = {}
    for n, how in pairs:
        out[n] = weaker_ran(out.get(n), how)
    return tuple(sorted(out.items()))


@dataclass(frozen=True)
class LawReport:
    """All fields of one law checked on one model."""

    law: str
    statement: str  # statement provenance of the law: "lean" or "source"
    fields: tuple[FieldResult, ...]
    model: str
    device: str
    dtype: str
    seed: int
    budget: int
    samples: int
    #: sampling bounds the check ran with (`archlaw.bridge.sorts.SampleConfig`) and whether
    #: its dtype was float64 (`dtype` says which)
    max_length: int = 0
    min_length: int = 0
    max_depth: int = 0
    nat_max: int = 0
    float64: bool = False
    #: the module's mode during the check: "eval", "eval (switched from train for the check;
    #: restored after)", or "no module"
    mode: str = "no module"
    #: the tolerance given in place of the dtype's policy row (`--rtol/--atol`), None for the
    #: policy; recorded so that a replay is exact
    tolerance_override: Tolerance | None = None
    #: how many processes shared the check (`archlaw.bridge.distributed`); the only field in
    #: which a sharded report differs from the single-process one
    workers: int = 1
    #: whether the dtype could change anything (`archlaw.bridge.spec.involves_float`); when
    #: not, the header names only the device
    floats: bool = True

    @property
    def runs_on(self) -> str:
        """``float32 on cpu``, or ``no floats, on cpu`` when no float was involved."""
        return f"{self.dtype if self.floats else 'no floats,'} on {self.device}"

    @property
    def passed(self) -> bool:
        return all(f.passed for f in self.fields)

    @property
    def ran(self) -> tuple[tuple[str, str], ...]:
        """Each library or user constant evaluated by any field, and how it ran (a constant
        registered in one field and run from its body in none is ``registered only``)."""
        return merge_ran(p for f in self.fields for p in f.ran)

    @property
    def lengths(self) -> tuple[int, int] | None:
        """(shortest, longest) list length checked over every field; None without lists."""
        got = [f.lengths for f in self.fields if f.lengths is not None]
        return (min(a for a, _ in got), max(b for _, b in got)) if got else None

    def settings_text(self) -> str:
        """The replay settings in one line (what `--seed ... --max-length ...` reproduces)."""
        lens = self.lengths
        return (_replay_settings(self.seed, self.budget, self.samples, self.max_length,
                                 self.min_length, self.max_depth, self.nat_max, self.dtype,
                                 self.tolerance_override)
                + (f" lengths sampled {lens[0]}..{lens[1]}" if lens else "")
                + f" mode={self.mode}")

    @property
    def check(self) -> CheckKind:
        """``exhaustive`` only when every field's check was exhaustive."""
        return "exhaustive" if all(f.check == "exhaustive" for f in self.fields) else "sampled"

    @property
    def cases(self) -> int:
        return sum(f.cases for f in self.fields)

    @property
    def worst_error(self) -> float:
        return max((f.worst_error for f in self.fields), default=0.0)

    def failures(self) -> tuple[FieldResult, ...]:
        return tuple(f for f in self.fields if not f.passed)

    def to_json(self, timing: bool = False) -> dict:
        """JSON-ready data; `timing` adds each field's and the law's wall time (``seconds``)."""
        return {
            "law": self.law, "statement": self.statement, "check": self.check,
            "passed": self.passed, "cases": self.cases, "worst_error": _num(self.worst_error),
            "model": self.model, "device": self.device, "dtype": self.dtype, "seed": self.seed,
            "budget": self.budget, "samples": self.samples, "max_length": self.max_length,
            "min_length": self.min_length, "max_depth": self.max_depth, "nat_max": self.nat_max,
            "float64": self.float64, "mode": self.mode, "workers": self.workers,
            "tolerance_override": None if self.tolerance_override is None else
            {"rtol": self.tolerance_override.rtol, "atol": self.tolerance_override.atol},
            **({"seconds": sum(f.seconds for f in self.fields)} if timing else {}),
            "lengths_sampled": list(self.lengths) if self.lengths is not None else None,
            "ran": [{"constant": n, "how": how} for n, how in self.ran],
            "fields": [f.to_json(timing) for f in self.fields],
        }

    def summary(self) -> str:
        """One line per field, plus counterexamples: what a test failure prints."""
        lines = [f"{self.law} on {self.model}: {'PASS' if self.passed else 'FAIL'} "
                 f"(statement {self.statement}, check {self.check}, {self.runs_on}"
                 + (f", {self.workers} workers)" if self.workers > 1 else ")"),
                 f"  settings: {self.settings_text()}"]
        if self.ran:
            lines.append("  ran: " + ", ".join(f"{n} ({how})" for n, how in self.ran))
        for f in self.fields:
            lines.append(f"  {f.field}: {'pass' if f.passed else 'FAIL'} {f.check} "
                         f"{plural(f.cases, 'case')}, {plural(f.violations, 'violation')}, "
                         "worst error "
                         f"{f.worst_error:.3g}")
            if f.counterexample is not None:
                lines.append("    counterexample: " + f.counterexample.text().replace("\n", "\n    "))
                lines.append(f"    replay: {f.replay}")
        return "\n".join(lines)


def _replay_settings(seed: int, budget: int, samples: int, max_length: int, min_length: int,
                     max_depth: int, nat_max: int, dtype: str,
                     tolerance: Tolerance | None = None) -> str:
    """The settings that replay a check, in one line: a counterexample's `replay` and the start
    of `LawReport.settings_text`. Each is the `archlaw check` flag of that name (``dtype`` is
    ``--dtype``); ``rtol``/``atol`` appear only when given in place of the dtype's policy row,
    at full precision (repr) so that a replay compares alike."""
    tol = "" if tolerance is None else f" rtol={tolerance.rtol!r} atol={tolerance.atol!r}"
    return (f"seed={seed} budget={budget} samples={samples} max_length={max_length} "
            f"min_length={min_length} max_depth={max_depth} nat_max={nat_max} dtype={dtype}"
            + tol)


def _num(x: float) -> float | str:
    return x if math.isfinite(x) else ("inf" if x > 0 else "nan" if x != x else "-inf")


# --------------------------------------------------------------------------------------------
# Helpers


def split_field(statement: Term) -> tuple[tuple[Var, ...], tuple[Term, ...], Term]:
    """``∀ xs, h₁ → … → conclusion`` -> (binders, hypotheses, conclusion). Binders written
    after a hypothesis are hoisted (``h → ∀ x, p`` is ``∀ x, h → p`` as x is not free in h)."""
    binders: list[Var] = []
    hyps: list[Term] = []
    t = statement
    while isinstance(t, Pi):
        if is_prop(t.var.sort):
            hyps.append(t.var.sort)
        else:
            binders.append(t.var)
        t = t.body
    return tuple(binders), tuple(hyps), t


def binding_device(binding: Binding) -> torch.device:
    """The device of the binding's module (its first parameter or buffer), else cpu."""
    m = binding.module
    if m is not None:
        for t in list(m.parameters()) + list(m.buffers()):
            return t.device
    return torch.device("cpu")


@contextlib.contextmanager
def _module_dtype(module: torch.nn.Module | None, dtype: torch.dtype | None) -> Iterator[None]:
    """Run `module` with its floating parameters and buffers cast to `dtype` for the duration
    (None: as it is). Restored exactly after to the very tensors it held: the originals are
    kept, not converted back, since a round trip through float16 or bfloat16 loses bits."""
    if dtype is None or module is None:
        yield
        return
    params = [(m, k, p, p.data) for m in module.modules() for k, p in m._parameters.items()
              if p is not None]
    buffers = [(m, k, b) for m in module.modules() for k, b in m._buffers.items() if b is not None]
    module.to(dtype)
    try:
        yield
    finally:
        for m, k, p, data in params:
            p.data = data
            m._parameters[k] = p
        for m, k, b in buffers:
            m._buffers[k] = b


def _check_binding(law: Law, binding: Binding) -> None:
    missing = []
    instances = []
    for p in law.params:
        if is_instance(p):  # [Add V]: resolved from V's encoding below, never a symbol
            instances.append(p)
        elif p.is_sort:
            if p.name not in binding.sorts:
                missing.append(f"sort {p.name} (binding.sorts)")
        elif is_prop(p.sort):
            continue
        elif isinstance(p.sort, App) and p.sort.head_name == "Nat" and not p.sort.args:
            if p.name not in binding.params and p.name not in binding.symbols:
                missing.append(f"parameter {p.name} : Nat (binding.params)")
        elif p.name not in binding.symbols:
            missing.append(f"symbol {p.name} : {pretty(p.sort)} (binding.symbols)")
    if missing:
        raise ArchLawError(f"the binding does not bind {', '.join(missing)}", where=f"law {law.name}")
    for p in instances:
        resolve_instance(p, binding.sorts, binding.params, binding.symbols, where=f"law {law.name}")


def _model_name(binding: Binding) -> str:
    return str(binding.metadata.get("name") or (type(binding.module).__name__ if binding.module
                                                  is not None else "binding"))


# --------------------------------------------------------------------------------------------
# check_law


def check_law(law: Law, binding: Binding, *, budget: int = DEFAULT_BUDGET,
              samples: int = DEFAULT_SAMPLES, seed: int = 0, dtype: torch.dtype | None = None,
              max_length: int | None = None, max_depth: int | None = None,
              min_length: int = 0, float64: bool = False, tolerance: Tolerance | None = None,
              fields: tuple[str, ...] | None = None, chunk_cases: int | None = None,
              device: torch.device | str | None = None,
              progress: Callable[[str, int, int], None] | None = None,
              shard: "Shard | None" = None, case: int | None = None) -> LawReport:
    """Check every field of `law` on the model bound by `binding`.

    `budget`: most cases per field (a finite domain up to this size is enumerated: check kind
    ``exhaustive``); `samples`: samples of infinite binders; `seed`: everything sampled derives
    from it (replay with the same seed, budget and samples); `dtype`: run the module and the
    samples in this dtype (the module's floating tensors are cast for the duration and restored
    exactly; the float sampler's extreme scales are those that fit it, and the tolerance is its
    policy row); None: float32 samples and the module as it is; `float64`: the same as
    ``dtype=torch.float64`` (an alias); `max_length` / `max_depth`: sampling bounds
    (default 10x the binding's training maxima); `min_length`: shortest sampled list;
    `tolerance`: override the dtype's default (`archlaw.bridge.sorts.TOLERANCES`; recorded in
    the report and its replay line); `fields`: a subset of field names; `chunk_cases`: cap
    on cases per batch (memory is bounded anyway); `progress(field, done, total)` is called after
    every chunk (the CLI draws a rich progress bar with it); `shard`: this process's share of a
    check run by several (`archlaw.bridge.distributed.Sharding`): it checks only its chunks, and
    the counts, worst error and first violation are reduced over all of them before the report is
    built, so every process returns the single-process report (``workers`` aside); `case`: check
    only case K of each field that has one (a counterexample's ``case``, in check order; the
    same settings draw the same domain), its values kept in full (`Counterexample.tensors`): a
    report of one case a field, whose check is never ``exhaustive``. Raises `ArchLawError` when
    the binding does not fit the law.
    """
    if not isinstance(law, Law):
        raise ArchLawError(f"check_law takes a law (an archlaw.bridge.ir.Law, e.g. "
                           f"load_export().find(name)), not {type(law).__name__} "
                           f"{str(law)[:60]!r}")
    if not isinstance(binding, Binding):
        raise ArchLawError(f"check_law takes an archlaw.bridge.binding.Binding, not "
                           f"{type(binding).__name__}")
    if budget < 1 or samples < 1:
        raise ArchLawError(f"budget and samples must be at least 1 (got budget={budget}, "
                           f"samples={samples})")
    if max_length is not None and max_length < 1:
        raise ArchLawError(f"max_length must be at least 1 (got {max_length})")
    if min_length < 0 or (max_length is not None and min_length > max_length):
        raise ArchLawError(f"min_length must be in [0, max_length] (got {min_length})")
    structures.register_structures(law.structures, {d.name: d for d in law.definitions})
    _check_binding(law, binding)
    if float64 and dtype not in (None, torch.float64):
        raise ArchLawError(f"float64=True is an alias of dtype=torch.float64; got dtype={dtype} "
                           "too")
    if float64:
        dtype = torch.float64
    dt = dtype or torch.float32
    dev = torch.device(device) if device is not None else binding_device(binding)
    cfg = default_config(binding, max_length=max_length, max_depth=max_depth, dtype=dt, device=dev,
                         min_length=min_length)
    tol = tolerance or tolerance_for(dt)
    symbol_sorts = {p.name: p.sort for p in law.params}
    params = dict(binding.params)
    chosen = law.fields if fields is None else tuple(law.field(f) for f in fields)
    dt_name = str(dt).replace("torch.", "")
    settings = _replay_settings(seed, budget, samples, cfg.max_length, cfg.min_length,
                                cfg.max_depth, cfg.nat_max, dt_name, tolerance)
    if shard is not None:  # every rank counts its cases into the progress of all of them
        progress = shard.track(progress)
    results = []
    with _eval_mode(binding.module) as mode, _module_dtype(binding.module, dtype), \
            torch.no_grad():
        for fld in chosen:
            t0 = time.perf_counter()
            res = _check_field(law, fld, binding, params, symbol_sorts, cfg, tol, budget,
                               samples, seed, chunk_cases, progress, settings, shard, case)
            if res is not None:
                results.append(dataclasses.replace(res, seconds=time.perf_counter() - t0))
    if case is not None and not results:
        raise ArchLawError(f"case {case}: no field of {law.name} has that many cases (a case "
                           "is a counterexample's number, below its field's count of cases)")
    return LawReport(law.name, law.statement_provenance, tuple(results), _model_name(binding),
                     str(dev), dt_name, seed, budget, samples, cfg.max_length, cfg.min_length,
                     cfg.max_depth, cfg.nat_max, dt == torch.float64, mode, tolerance,
                     shard.workers if shard is not None else 1, involves_float(law, binding))


@contextlib.contextmanager
def _eval_mode(module: torch.nn.Module | None) -> Iterator[str]:
    """Run `module` in eval mode for the duration: in train mode dropout and batch norm make
    the checked function random or input-batch dependent, so no law about "the model" could be
    checked. Every submodule's own mode is restored after. Yields the mode to record."""
    if module is None:
        yield "no module"
        return
    modes = [(m, m.training) for m in module.modules()]
    if not any(t for _, t in modes):
        yield "eval"
        return
    module.eval()
    try:
        yield "eval (switched from train for the check; restored after)"
    finally:
        for m, t in modes:
            m.training = t


def _check_field(law, fld, binding, params, symbol_sorts, cfg, tol, budget, samples, seed,
                 chunk_cases, progress, settings: str, shard: "Shard | None" = None,
                 case: int | None = None) -> FieldResult | None:
    where = f"law {law.name}, field {fld.name}"
    binders, hyps, concl = split_field(fld.statement)
    names: set[str] = set()
    encs: list[tuple[str, Encoding]] = []
    for v in binders:
        dep = free_vars(v.sort) & names
        if dep:
            raise ArchLawError(f"binder {v.name} has a sort depending on {sorted(dep)}: dependent "
                               "binder sorts are not supported", where=where)
        enc = resolve_sort(v.sort, binding.sorts, params, where=where)
        why = refusal(enc)
        if why is not None:
            raise ArchLawError(f"binder {v.name} {why}", where=where)
        if enc.cardinality == 0:  # a check of nothing is not a pass: refused, as `Fin 0` is
            raise ArchLawError(f"binder {v.name} ranges over {enc.describe()}, which is empty: "
                               "the field has no cases to check", where=where)
        encs.append((v.name, enc))
        names.add(v.name)
    dom = build_domain(encs, budget=budget, samples=samples, seed=seed,
                       tag=f"{law.name}.{fld.name}", cfg=cfg)
    base = Evaluator(binding.sorts, params, binding.symbols, symbol_sorts, 1, cfg.device, cfg.dtype,
                     tol, where, definitions={d.name: d for d in law.definitions},
                     cross_check=agree)
    discrete = _is_discrete((*hyps, concl), base)
    cases = violations = vacuous = 0
    worst = 0.0
    first_bad: int | None = None
    lengths: tuple[int, int] | None = None
    if case is not None and not 0 <= case < dom.total:
        return None  # `check_law(case=K)`: this field has no case K
    chunks = list(dom.chunks(chunk_cases)) if case is None else [(case, case + 1)]
    for start, stop in (chunks if shard is None else shard.select(chunks)):
        env = dom.materialize(start, stop)
        for val in env.values():
            if isinstance(val, ListBatch) and val.lengths.numel():
                lo, hi = int(val.lengths.min()), int(val.lengths.max())
                lengths = (lo, hi) if lengths is None else (min(lengths[0], lo), max(lengths[1], hi))
        ev = dataclasses.replace(base.with_n(stop - start),
                                 hoist=Hoist(env, dom.keys(start, stop)))
        ok, err, held = _eval_case(ev, hyps, concl, env)
        cases += stop - start
        vacuous += int((~held).sum())
        bad = ~ok
        nbad = int(bad.sum())
        if nbad:
            violations += nbad
            if first_bad is None:
                first_bad = start + int(bad.nonzero()[0, 0])
        if progress is not None:
            progress(fld.name, cases, dom.total)
        live = err[held]
        if live.numel():
            w = float(live.max())
            worst = max(worst, w if w == w else math.inf)  # a NaN error counts as infinite
    if shard is not None:  # every process goes on with the whole domain's tally
        cases, violations, vacuous, worst, first_bad, lengths = dataclasses.astuple(shard.reduce(
            fld.name, dom.total, FieldTally(cases, violations, vacuous, worst, first_bad, lengths)))
    cex = None
    if first_bad is not None:
        cex = _counterexample(dom, first_bad, base, binders, hyps, concl, fld.statement, encs,
                              full=case is not None, model_symbols=binding.model_symbols)
    replay = f"{settings} case {first_bad}" if first_bad is not None else settings
    kind = dom.kind if case is None else "sampled"  # one case of the domain, never all of it
    return FieldResult(fld.name, pretty(fld.statement), violations == 0, kind, cases,
                       violations, vacuous, worst, discrete, None if discrete else tol,
                       dom.describe(), cex, seed, replay, lengths, ran=tuple(sorted(base.ran.items())))


@dataclass(frozen=True)
class FieldTally:
    """What a field's check found on some of its chunks: cases, violations, vacuous cases, the
    worst error, the first violation (a case index in check order, None: none) and the (shortest,
    longest) list length. `merge` gives the tally of the union of the chunks, exactly: counts
    add, the worst error and longest length are maxima, the first violation a minimum."""

    cases: int = 0
    violations: int = 0
    vacuous: int = 0
    worst: float = 0.0
    first_bad: int | None = None
    lengths: tuple[int, int] | None = None

    def merge(self, other: "FieldTally") -> "FieldTally":
        bad = [k for k in (self.first_bad, other.first_bad) if k is not None]
        lens = [x for x in (self.lengths, other.lengths) if x is not None]
        return FieldTally(self.cases + other.cases, self.violations + other.violations,
                          self.vacuous + other.vacuous, max(self.worst, other.worst),
                          min(bad) if bad else None,
                          (min(a for a, _ in lens), max(b for _, b in lens)) if lens else None)


class Shard(Protocol):
    """One process's share of a field check run by several (implemented by
    `archlaw.bridge.distributed.Sharding`): `select` picks this process's chunks, in order, from
    the single-process chunk list; `track` wraps the caller's progress callback (called with every
process's cases summed, on one process); `reduce` returns the merged `FieldTally` of every process's
    chunks (a collective: every process calls it once per field, in the same order)."""

    workers: int

    def track(self, progress: Callable[[str, int, int], None] | None
              ) -> Callable[[str, int, int], None]: ...

    def select(self, chunks: Sequence[tuple[int, int]]) -> Sequence[tuple[int, int]]: ...

    def reduce(self, field: str, total: int, tally: FieldTally) -> FieldTally: ...


def _is_discrete(props: tuple[Term, ...], ev: Evaluator) -> bool:
    """True when every equation in `props` (a field's hypotheses and conclusion: an equation
    compared up to a tolerance in a hypothesis decides which cases count, so it matters too) is
    at a sort whose encoding compares exactly (`Encoding.discrete`, derived from the sort's
    parts). A sort that cannot be resolved counts as not exact; an encoding that does not
    declare `discrete` is an `ArchLawError`."""
    ok = True

    def walk(t: Term) -> None:
        nonlocal ok
        if isinstance(t, App):
            if t.head_name in ("Eq", "Ne") and len(t.args) == 2:
                try:
                    enc = ev.resolve(t.args[0].sort)
                except ArchLawError:
                    enc = None
                if enc is None or not enc.discrete:
                    ok = False
            for a in t.args:
                walk(a)
        elif isinstance(t, Pi):
            walk(t.var.sort)
            walk(t.body)

    for p in props:
        walk(p)
    return ok


def _eval_case(ev: Evaluator, hyps, concl, env):
    held = torch.ones(ev.n, dtype=torch.bool, device=ev.device)
    for h in hyps:
        held = held & ev.prop(h, env)[0]
    ok, err = ev.prop(concl, env)
    ok = ok | ~held
    err = torch.where(held, err, torch.zeros_like(err))
    return ok.cpu(), err.cpu(), held.cpu()


def _counterexample(dom, k, base: Evaluator, binders, hyps, concl, statement, encs,
                    full: bool = False, model_symbols: Iterable[str] = ()) -> Counterexample:
    env = dom.materialize(k, k + 1)
    symbols, nonfinite = record_nonfinite(base.symbols, model_symbols)
    ev = dataclasses.replace(base.with_n(1), symbols=symbols, _cache={})
    values = tuple((name, enc.render(env[name], 0)) for name, enc in encs)
    tensors = [(name, full_text(env[name], enc)) for name, enc in encs] if full else []
    ok, err, _ = _eval_case(ev, hyps, concl, env)
    lhs = rhs = difference = None
    if isinstance(concl, App) and concl.head_name == "Eq" and len(concl.args) == 2:
        enc = ev.resolve(concl.args[0].sort)
        lv, rv = ev.eval(concl.args[0], env), ev.eval(concl.args[1], env)
        lhs, rhs = enc.render(lv, 0), enc.render(rv, 0)
        difference = _largest_difference(lv, rv)
        tensors += [("lhs", full_text(lv, enc)), ("rhs", full_text(rv, enc))] if full else []
    # short values are written into the statement; long ones (tensors, lists) stay as names
    sub: dict[str, Term] = {k: Lit(int(v), Var("Nat", TYPE)) for k, v in base.params.items()}
    sub.update({v.name: Var(text, v.sort) for v, (_, text) in zip(binders, values) if len(text) <= 24})
    body = statement
    while isinstance(body, Pi) and not is_prop(body.var.sort):
        body = body.body
    instance = pretty(substitute(body, sub))
    return Counterexample(k, values, instance, lhs, rhs, float(err[0]), difference,
                          passes_alone=bool(ok[0]), tensors=tuple(tensors),
                          nonfinite=tuple(sorted(nonfinite)))


# --------------------------------------------------------------------------------------------
# Theorems and certification


@dataclass(frozen=True)
class SideCondition:
    """A Prop hypothesis that is not a law (``2 ≤ B``): `holds` None when it is not closed."""

    name: str
    statement: str
    holds: bool | None


@dataclass(frozen=True)
class ConformanceReport:
    """A theorem checked on a model, on both axes: `statement` (``lean``/``source``, or ``lean
    (declared)`` from a lean export that lake did not re-derive here) and
    `check` (``exhaustive`` iff every law hypothesis was checked exhaustively). `certified` is
    True only for statement lean + allowed axioms + every hypothesis exhaustive and passed +
    every side condition true; `reasons` says what is missing otherwise."""

    theorem: str
    statement: str
    axioms: tuple[str, ...] | None
    conclusion: str
    hypotheses: tuple[tuple[str, LawReport], ...]
    side_conditions: tuple[SideCondition, ...]
    certified: bool
    reasons: tuple[str, ...]
    #: SHA-256 of the statement text (`statement_text`: the theorem's and each assumed law's)
    statement_sha256: str = ""
    #: the export the statement came from: SHA-256 of its interchange text, producer, Lean version
    export_sha256: str = ""
    export_producer: str = ""
    lean_version: str | None = None

    @property
    def passed(self) -> bool:
        return all(r.passed for _, r in self.hypotheses) and all(
            s.holds is not False for s in self.side_conditions)

    @property
    def check(self) -> CheckKind:
        return "exhaustive" if all(r.check == "exhaustive" for _, r in self.hypotheses) else "sampled"

    def verdict(self) -> str:
        """``certified``, or exactly what it is: e.g. ``passed (statement source, check exhaustive)
        — not certified``."""
        if self.certified:
            return "certified"
        state = "passed" if self.passed else "FAILED"
        return f"{state} (statement {self.statement}, check {self.check}) — not certified"

    def to_json(self, timing: bool = False) -> dict:
        """JSON-ready data; `timing` adds each hypothesis's wall times (``seconds``)."""
        return {
            "theorem": self.theorem, "statement": self.statement,
            "axioms": list(self.axioms) if self.axioms is not None else None,
            "conclusion": self.conclusion, "statement_sha256": self.statement_sha256,
            "export": {"sha256": self.export_sha256, "producer": self.export_producer,
                       "lean_version": self.lean_version},
            "check": self.check, "passed": self.passed,
            "certified": self.certified, "verdict": self.verdict(), "reasons": list(self.reasons),
            "hypotheses": [{"name": n, **r.to_json(timing)} for n, r in self.hypotheses],
            "side_conditions": [{"name": s.name, "statement": s.statement, "holds": s.holds}
                                for s in self.side_conditions],
        }


def _match(pat: Term, tgt: Term, holes: set[str], subst: dict[str, Term]) -> bool:
    if isinstance(pat, Var) and pat.name in holes:
        if pat.name in subst:
            return subst[pat.name] == tgt
        subst[pat.name] = tgt
        return True
    if isinstance(pat, App) and isinstance(tgt, App):
        if pat.head_name != tgt.head_name or len(pat.args) != len(tgt.args):
            return False
        return all(_match(a, b, holes, subst) for a, b in zip(pat.args, tgt.args))
    if isinstance(pat, Pi) and isinstance(tgt, Pi):
        return _match(pat.var.sort, tgt.var.sort, holes, subst) and _match(pat.body, tgt.body, holes, subst)
    if isinstance(pat, Var) and isinstance(tgt, Var):
        return pat.name == tgt.name
    return pat == tgt


def law_binding(law: Law, hypothesis: Term, binding: Binding) -> Binding:
    """The binding of `law` implied by a theorem-level `binding` and the hypothesis term
    ``Law arg₁ … argₖ`` (explicit arguments; implicit ones are inferred by matching sorts)."""
    where = f"law {law.name}"
    assert isinstance(hypothesis, App)
    explicit = [p for p in law.params if p.binder == "explicit"]
    if len(hypothesis.args) != len(explicit):
        raise ArchLawError(f"hypothesis {pretty(hypothesis)} gives {len(hypothesis.args)} "
                           f"arguments for {len(explicit)} explicit parameters", where=where)
    subst: dict[str, Term] = {p.name: a for p, a in zip(explicit, hypothesis.args)}
    holes = {p.name for p in law.params if p.binder != "explicit"}
    for p, a in zip(explicit, hypothesis.args):
        if not isinstance(a.sort, type(None)):
            _match(p.sort, a.sort, holes, subst)
    sorts: dict[str, Any] = {}
    params: dict[str, int] = {}
    symbols: dict[str, Any] = {}
    for p in law.params:
        if is_instance(p):  # resolved by check_law from the sort's encoding
            continue
        if p.name not in subst:
            if is_prop(p.sort):
                continue
            raise ArchLawError(f"cannot infer law parameter {p.name} from {pretty(hypothesis)}; "
                               "pass a Binding for this hypothesis by name", where=where)
        t = subst[p.name]
        if p.is_sort:  # named as the law states it: its H is the theorem's S here
            try:
                sorts[p.name] = resolve_sort(t, binding.sorts, binding.params)
            except ArchLawError as e:
                raise ArchLawError(f"the law's sort {p.name}, given as {pretty(t)} by hypothesis "
                                   f"{pretty(hypothesis)}: {e}", where=where) from None
        elif isinstance(p.sort, App) and p.sort.head_name == "Nat" and not p.sort.args:
            params[p.name] = static_nat(t, binding.params, where=where)
        elif is_prop(p.sort):
            continue
        elif isinstance(t, Var) and t.name in binding.symbols:
            symbols[p.name] = binding.symbols[t.name]
        else:
            raise ArchLawError(f"argument {pretty(t)} for {p.name} is not a bound symbol; pass a "
                               "Binding for this hypothesis by name", where=where)
    # constants the binding overrides by full name travel along
    for k, v in binding.symbols.items():
        if "." in k:
            symbols.setdefault(k, v)
    return Binding(sorts=sorts, params=params, symbols=symbols,
                   model_symbols=frozenset(s for s in symbols if s in binding.model_symbols or
                                           _arg_name(subst.get(s)) in binding.model_symbols),
                   max_train_length=binding.max_train_length,
                   max_train_depth=binding.max_train_depth, module=binding.module,
                   metadata=binding.metadata)


def _arg_name(t: Term | None) -> str | None:
    return t.name if isinstance(t, Var) else None


def _closed_prop(t: Term, params: Mapping[str, int], sorts: Mapping[str, Any]) -> bool | None:
    if free_vars(t) - set(params):
        return None
    ev = Evaluator(sorts, params, {}, {}, 1)
    try:
        return bool(ev.prop(t, {})[0][0])
    except ArchLawError:
        return None


def check_theorem(theorem: Theorem, export: Export, bindings: Binding | Mapping[str, Binding],
                  **check_kwargs: Any) -> ConformanceReport:
    """Check every law hypothesis of `theorem` on the model and decide certification.

    `bindings`: one theorem-level `Binding` (its sorts, params and symbols named as in the
    theorem), or a mapping from hypothesis name, law name or law short name to a law-level
    `Binding`. Keyword arguments go to `check_law` (budget, seed, float64 ...).
    """
    assumed = assumed_laws(theorem, export)
    hyps = [h for h, _ in assumed]
    reports: list[tuple[str, LawReport]] = []
    reasons: list[str] = []
    single = bindings if isinstance(bindings, Binding) else None
    for h, law in assumed:
        assert isinstance(h.sort, App)
        if single is not None:
            b = law_binding(law, h.sort, single)
        else:
            assert isinstance(bindings, Mapping)
            b = bindings.get(h.name) or bindings.get(law.name) or bindings.get(law.short_name)
            if b is None:
                raise ArchLawError(f"no binding for hypothesis {h.name} : {pretty(h.sort)}; give "
                                   f"one under {h.name!r} or {law.short_name!r}",
                                   where=f"theorem {theorem.name}")
        rep = check_law(law, b, **check_kwargs)
        # a law from a lean export that lake did not re-derive here shows as `lean (declared)`
        rep = dataclasses.replace(rep, statement=export.statement_label(law.statement_provenance))
        reports.append((h.name, rep))
        reasons.extend(_law_trust_reasons(h.name, law))
        for f in rep.fields:
            if not f.discrete:
                tol = f.tolerance
                reasons.append(f"field {f.field} of {law.short_name} compared up to rtol/atol, not "
                               "exactly" + (f" (rtol={tol.rtol:g}, atol={tol.atol:g}): Lean's = "
                                            "is exact equality" if tol is not None else ""))
        if not rep.passed:
            reasons.append(f"hypothesis {h.name} ({law.short_name}) failed on the model")
        elif rep.check != "exhaustive":
            reasons.append(f"hypothesis {h.name} ({law.short_name}) was only sampled, not "
                           "checked exhaustively")
    if not hyps:
        reasons.append("the theorem has no law hypotheses to check on a model")
    params = dict(single.params) if single is not None else {}
    sorts = dict(single.sorts) if single is not None else {}
    if single is None and isinstance(bindings, Mapping):
        for b in bindings.values():
            params.update(b.params)
    sides = []
    for p in theorem.hypotheses:
        if p in hyps:
            continue
        holds = _closed_prop(p.sort, params, sorts)
        sides.append(SideCondition(p.name, pretty(p.sort), holds))
        if holds is None:
            reasons.append(f"side condition {p.name} : {pretty(p.sort)} could not be decided")
        elif not holds:
            reasons.append(f"side condition {p.name} : {pretty(p.sort)} is false")
    if theorem.statement_provenance != "lean":
        reasons.append(f"statement provenance is {theorem.statement_provenance!r}: the proof was "
                       "not checked by Lean")
    elif not export.lean_verified:
        reasons.append("statement is lean (declared): the export says it was made by Lean, but "
                       "lake did not re-derive it from these Lean files here (`archlaw laws` says "
                       "why; `archlaw export` with Lean re-derives it)")
    if theorem.axioms is None:
        reasons.append("the theorem's axioms are unknown")
    else:
        bad = sorted(set(theorem.axioms) - ALLOWED_AXIOMS)
        if bad:
            reasons.append(f"axioms outside the allowed list: {', '.join(bad)}")
    conclusion = instantiate(theorem, single)
    return ConformanceReport(theorem.name, export.statement_label(theorem.statement_provenance),
                             theorem.axioms,
                             conclusion, tuple(reports), tuple(sides), not reasons, tuple(reasons),
                             statement_sha256(theorem, [law for _, law in assumed]),
                             export_sha256(export),
                             export.producer, export.lean_version)


def assumed_laws(theorem: Theorem, export: Export) -> tuple[tuple[Param, Law], ...]:
    """The theorem's law hypotheses (parameters whose type is a law of `export` applied to
    arguments), each with that law, in parameter order."""
    law_names = {law.name for law in export.laws}
    out = []
    for h in theorem.law_hypotheses(law_names):
        law = export.find(h.sort.head_name)  # type: ignore[union-attr]
        assert isinstance(law, Law)
        out.append((h, law))
    return tuple(out)


def _law_trust_reasons(hyp: str, law: Law) -> list[str]:
    """Why an assumed law's statement cannot be trusted as Lean's: a theorem proved from a law
    is only as good as the law's own statement, so it too must come from a kernel-checked export
    with allowed axioms."""
    out = []
    if law.statement_provenance != "lean":
        out.append(f"hypothesis {hyp}: law {law.name} has statement provenance "
                   f"{law.statement_provenance!r}, not 'lean'")
    if law.axioms is None:
        out.append(f"hypothesis {hyp}: the axioms of law {law.name} are unknown")
    else:
        bad = sorted(set(law.axioms) - ALLOWED_AXIOMS)
        if bad:
            out.append(f"hypothesis {hyp}: law {law.name} uses axioms outside the allowed list: "
                       f"{', '.join(bad)}")
    return out


def statement_text(theorem: Theorem, laws: Any = ()) -> str:
    """The text a certificate's `statement_sha256` hashes: the theorem's declaration text, then
    each assumed law's, separated by blank lines (`archlaw.bridge.ir.declaration_text`)."""
    return "\n\n".join([declaration_text(theorem), *(declaration_text(law) for law in laws)])


def statement_sha256(theorem: Theorem, laws: Any = ()) -> str:
    """SHA-256 (hex) of `statement_text`."""
    return hashlib.sha256(statement_text(theorem, laws).encode("utf-8")).hexdigest()


#: The last export hashed and its hash: exports are immutable, and every `check_theorem` of a
#: run (the registry's theorem entries, a verify's re-check) records the hash of the same one,
#: which costs a full serialisation (about 0.1 s for this repository's library).
_LAST_EXPORT_SHA: tuple[Export, str] | None = None


def export_sha256(export: Export) -> str:
    """SHA-256 (hex) of the export's interchange text (`archlaw.bridge.interchange.dumps`): the
    same export, read from a file or built in memory, hashes the same."""
    global _LAST_EXPORT_SHA
    from .interchange import dumps

    if _LAST_EXPORT_SHA is not None and _LAST_EXPORT_SHA[0] is export:
        return _LAST_EXPORT_SHA[1]
    digest = hashlib.sha256(dumps(export).encode("utf-8")).hexdigest()
    _LAST_EXPORT_SHA = (export, digest)
    return digest


def instantiate(theorem: Theorem, binding: Binding | None) -> str:
    """The theorem's conclusion with the model's parameters substituted (Nat parameters as
    numerals, sort parameters as their encodings)."""
    env: dict[str, Term] = {}
    if binding is not None:
        for p in theorem.params:
            if p.name in binding.params:
                env[p.name] = Lit(int(binding.params[p.name]), p.sort)
            elif p.is_sort and p.name in binding.sorts:
                env[p.name] = Var(f"({binding.sorts[p.name].describe()})", TYPE)
    try:
        return pretty(substitute(theorem.conclusion, env))
    except ValueError:
        return pretty(theorem.conclusion)
