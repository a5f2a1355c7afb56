"""Registered interpretations are fast paths, checked against the Lean body.

Where a constant has both a readable Lean body (`archlaw.bridge.ir.Definition`) and a registered
interpretation (`archlaw.bridge.interpret.interpretation`), the interpretation runs, as the
faster of the two, but only after `agree` has compared it with the body on the domain of the
application's explicit arguments: every case when that domain is finite and has at most
`CROSS_CHECK_BUDGET` values (exhaustive), else `CROSS_CHECK_SAMPLES` samples (sampled, seed 0,
degenerate inputs first, as a check draws them). A disagreement is one `ArchLawError` line
naming the constant and the first disagreeing case with both values.

Tables (``s : Fin n → X`` in ``rotate k s``) are drawn like any binder's values; an
equation-style definition is compared at the arguments of its leading ``fun``s; an explicit
parameter that a later sort mentions (``D4.pt (k : Nat) … (p : Fin k × Fin k)``) keeps its one
value at the application (`_fixed`). The outcome is cached once per (definition,
interpretation, argument and result encodings, dtype, fixed values) for the life of the
process, so a constant is compared once however many fields, chunks and laws apply it. An
application whose arguments or value are functions other than tables, or that is partial,
cannot be compared on a drawn domain: it runs as ``registered only``, and reports say so.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import torch

from .domains import build_domain
from .errors import ArchLawError
from .interpret import BodyFn, EvalContext, Evaluator, Interpretation, apply
from .ir import App, Definition, Lam, free_vars
from .semantics import RAN_REGISTERED_AGREES, RAN_REGISTERED_ONLY, instantiate
from .sorts import SampleConfig

__all__ = ["agree", "CROSS_CHECK_BUDGET", "CROSS_CHECK_SAMPLES"]

#: Largest finite argument domain compared exhaustively.
CROSS_CHECK_BUDGET = 4096
#: Samples compared when the argument domain is infinite or larger than the budget.
CROSS_CHECK_SAMPLES = 256

_OUTCOMES: dict[tuple, str] = {}


def agree(ev: Evaluator, node: App, interp: Interpretation, d: Definition) -> str:
    """How the registered `interp` of `d` runs at `node`: ``registered, agrees with body`` once
    compared (cached), ``registered only`` where it cannot be compared. Raises `ArchLawError`
    at the first case where the two disagree."""
    if not len(d.explicit) <= len(node.args) <= _arity(d):
        return RAN_REGISTERED_ONLY  # partial: a function value, compared nowhere
    try:
        encs = tuple(ev.resolve(a.sort) for a in node.args)
        out = ev.resolve(node.sort)
        fixed = _fixed(ev, node, d)
    except ArchLawError:
        return RAN_REGISTERED_ONLY
    if fixed is None or out.kind == "Fun" or any(e.kind == "Fun" for e in encs):
        return RAN_REGISTERED_ONLY
    key = (d, interp.fn, encs, out, str(ev.dtype), tuple(sorted(fixed.items())))
    got = _OUTCOMES.get(key)
    if got is not None:
        return got
    names = [f"#{i}" for i in range(len(encs))]
    cfg = SampleConfig(dtype=ev.dtype, device=ev.device)
    drawn = [(n, e) for i, (n, e) in enumerate(zip(names, encs)) if i not in fixed]
    dom = build_domain(drawn, budget=CROSS_CHECK_BUDGET, samples=CROSS_CHECK_SAMPLES, seed=0,
                       tag=f"cross-check {d.name}", cfg=cfg)
    env = dom.materialize(0, dom.total)
    for i, v in fixed.items():  # a parameter a later sort mentions: its one value here
        env[names[i]] = torch.full((dom.total,), v, dtype=torch.long, device=ev.device)
    vals = tuple(env[n] for n in names)
    # its own record of what ran: running the body here is not the field running it
    sub = dataclasses.replace(ev.with_n(dom.total), ran={})
    arg_sorts = tuple(a.sort for a in node.args)
    ctx = EvalContext(node, out, sub, arg_sorts)
    fast = _run(lambda: interp.fn(ctx, *vals), f"interpretation of `{d.name}`", sub)
    inst = instantiate(d, arg_sorts, node.sort, sub._cache, ev.where)
    slow = _run(lambda: apply(BodyFn(sub, inst, len(inst.params)), vals),
                f"the Lean body of `{d.name}`", sub)
    ok, _ = out.equal(fast, slow, ev.tol)
    bad = (~ok).nonzero()
    if bad.numel():
        i = int(bad[0, 0])
        case = ", ".join(e.render(v, i) for e, v in zip(encs, vals))
        raise ArchLawError(
            f"the registered interpretation of `{d.name}` disagrees with its Lean body at "
            f"({case}): registered {out.render(fast, i)}, body {out.render(slow, i)} "
            f"({dom.kind} comparison of {dom.total} cases); fix or remove the registration",
            where=ev.where or None)
    _OUTCOMES[key] = RAN_REGISTERED_AGREES
    return RAN_REGISTERED_AGREES


def _arity(d: Definition) -> int:
    """The most explicit arguments `d` takes before its body is no longer a ``fun``: its
    explicit parameters, then the binders of the ``fun`` its body starts with (an
    equation-style ``def D4.mul : D4 → D4 → D4 | …`` has none of the first and two of the
    second)."""
    k, body = len(d.explicit), d.body
    while isinstance(body, Lam):
        k, body = k + 1, body.body
    return k


def _fixed(ev: Evaluator, node: App, d: Definition) -> dict[int, int] | None:
    """The explicit parameters of `d` that a later sort mentions (``D4.pt (k : Nat) … (p : Fin
    k × Fin k)``), by position, with the one value their argument has at `node` (a law
    parameter or a numeral): comparing them on drawn values would pair a `k` with points of
    another `Fin k`. None when such an argument has no single value."""
    explicit = d.explicit
    later = [p.sort for p in explicit] + [d.type]
    out: dict[int, int] = {}
    for i, p in enumerate(explicit):
        if not any(p.name in free_vars(s) for s in later[i + 1:]):
            continue
        v = ev.eval(node.args[i], {})
        if not isinstance(v, torch.Tensor) or v.numel() == 0 or bool((v != v.flatten()[0]).any()):
            return None
        out[i] = int(v.flatten()[0])
    return out


def _run(call: Any, what: str, ev: Evaluator) -> Any:
    try:
        return call()
    except ArchLawError:
        raise
    except Exception as e:  # noqa: BLE001 - one line for the user
        raise ArchLawError(f"comparing a registration with its body: {what} raised "
                           f"{type(e).__name__}: {str(e).strip().splitlines()[0] if str(e).strip() else ''}",
                           where=ev.where or None) from e
