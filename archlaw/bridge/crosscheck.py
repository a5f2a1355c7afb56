"""Registered interpretations are fast paths, checked against the Lean body.

Where a constant has both a readable Lean body (`archlaw.bridge.ir.Definition`) and a registered
interpretation (`archlaw.bridge.interpret.interpretation`), the interpretation runs, as the
faster of the two, but only after `agree` has compared it with the body on the domain of the
application's explicit arguments: every case when that domain is finite and has at most
`CROSS_CHECK_BUDGET` values (exhaustive), else `CROSS_CHECK_SAMPLES` samples (sampled, seed 0,
degenerate inputs first, as a check draws them). A disagreement is one `ArchLawError` line
naming the constant and the first disagreeing case with both values.

The outcome is cached once per (definition, interpretation, argument and result encodings,
dtype) for the life of the process, so a constant is compared once however many fields, chunks
and laws apply it. An application whose arguments include functions (``rotate k s``), or that
is partial, cannot be compared on a drawn domain: it runs as ``registered only``, and reports
say so.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from .domains import build_domain
from .errors import ArchLawError
from .interpret import BodyFn, EvalContext, Evaluator, Interpretation, apply
from .ir import App, Definition
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
    if len(node.args) != len(d.explicit):
        return RAN_REGISTERED_ONLY
    try:
        encs = tuple(ev.resolve(a.sort) for a in node.args)
        out = ev.resolve(node.sort)
    except ArchLawError:
        return RAN_REGISTERED_ONLY
    if out.kind == "Fun" or any(e.kind == "Fun" for e in encs):
        return RAN_REGISTERED_ONLY
    key = (d, interp.fn, encs, out, str(ev.dtype))
    got = _OUTCOMES.get(key)
    if got is not None:
        return got
    names = [f"#{i}" for i in range(len(encs))]
    cfg = SampleConfig(dtype=ev.dtype, device=ev.device)
    dom = build_domain(list(zip(names, encs)), budget=CROSS_CHECK_BUDGET,
                       samples=CROSS_CHECK_SAMPLES, seed=0, tag=f"cross-check {d.name}", cfg=cfg)
    env = dom.materialize(0, dom.total)
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


def _run(call: Any, what: str, ev: Evaluator) -> Any:
    try:
        return call()
    except ArchLawError:
        raise
    except Exception as e:  # noqa: BLE001 - one line for the user
        raise ArchLawError(f"comparing a registration with its body: {what} raised "
                           f"{type(e).__name__}: {str(e).strip().splitlines()[0] if str(e).strip() else ''}",
                           where=ev.where or None) from e
