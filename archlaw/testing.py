"""`assert_law`: hold a model to a law inside any test suite, with no binding code.

In the spirit of `torch.testing.assert_close` and e3nn's `assert_equivariant`: one call in a
user's own pytest (or unittest) file, no plugin, registry or CLI. The binding is derived from the
law's signature (`archlaw.bridge.spec.derive_binding`): the user names the law parameters, the
sorts and the model symbols, and the law's fixed symbols (its actions) run from their Lean
bodies::

    from archlaw.testing import assert_law
    assert_law("ArchLaw.ShiftEquivariant", f=conv, n=12, X=(3,), Y=(3,), layout={"f": "NCL"})

Under pytest a failure points at the user's own line: `assert_law` hides its frame
(``__tracebackhide__``), and an `ArchLawError` from the engine is re-raised from it, so the
report shows the calling line and the one-line message, not ArchLaw's source.
"""

from __future__ import annotations

import inspect
from typing import Any, Mapping

import torch

from archlaw.bridge.errors import ArchLawError

__all__ = ["assert_law"]


def assert_law(law: Any, *, layout: Mapping[str, str] | None = None, samples: int = 100,
               budget: int = 10**6, seed: int = 0, dtype: torch.dtype | str | None = torch.float64,
               case: int | None = None, export: Any = None, **given: Any) -> Any:
    """Check `law` on the given model symbols; return the `LawReport` when every field holds.

    `law`: a law name (full or a unique suffix, looked up in `export`, default the library's
    `load_export()`) or an `archlaw.bridge.ir.Law`. `given`: the law's parameters by name: a Nat
    law parameter as an int (``n=12``), a sort as a float shape (``X=(3,)``) or an encoding from
    `archlaw.bridge.sorts`, a model symbol as a callable or `nn.Module` instance (``f=conv``)
    taking and returning tensors as `archlaw spec` prints them. `layout`: a mapping from a model
    symbol to its layout letters at the binding boundary (``{"f": "NCL"}`` for `nn.Conv1d`;
    docs/specs.md). `samples`, `budget`, `seed`: as for
    `archlaw.bridge.conformance.check_law`. `dtype`: a torch floating dtype or its name
    (``torch.float32`` or ``"float32"``; float64 by default, so that a float32 rounding is not
    mistaken for a violation). `case`: re-run exactly case K of each field (the number a failure's
    replay line ends with; same arguments otherwise), its values printed at full precision.

    Raises `AssertionError` carrying the report's summary (each counterexample, its replay line
    and the `assert_law(..., case=K)` call that re-runs it) when a field fails, and
    `ArchLawError` (one line) for a bad argument (a missing or wrong-kind law parameter, a
    model class given where an instance is wanted, an option of the wrong type) or a model that
    does not fit the law's spec (a wrong-shaped or wrong-dtype output).
    """
    __tracebackhide__ = True  # pytest: show the caller's line, not this function's source
    from archlaw.bridge.conformance import check_law
    from archlaw.bridge.spec import derive_binding, find_law

    where = (f"assert_law({law!r})" if isinstance(law, str) else  # a Law: its name, not its repr
             f"assert_law({getattr(law, 'name', type(law).__name__)})")
    try:
        dtype = _options(where, layout, samples, budget, seed, dtype, case, given)
        law = find_law(law, export, where=where)
        binding = derive_binding(law, layout=layout, **given)
        report = check_law(law, binding, samples=samples, budget=budget, seed=seed, dtype=dtype,
                           case=case)
    except ArchLawError as e:  # one line from the caller's frame: drop ArchLaw's own frames
        raise e.with_traceback(None)
    if not report.passed:
        raise AssertionError(_failure_text(report, law.name))
    return report


def _failure_text(report: Any, law_name: str) -> str:
    """The report's summary with, around each field's replay line, what ``archlaw check --case
    K`` adds: the case's values in full when it was re-run alone (``case=K``), and the
    `assert_law` call that re-runs it (the same arguments, plus ``case=K``)."""
    lines = report.summary().split("\n")
    for f in report.fields:
        cex = f.counterexample
        if cex is None:
            continue
        full = [f"    {name} = {text}" for name, text in cex.tensors]
        call = (f"    in this test: assert_law({law_name!r}, ..., case={cex.case})"
                f"  (the same arguments, plus case={cex.case})")
        replay = f"    replay: {f.replay}"
        at = lines.index(replay) if replay in lines else len(lines)
        lines[at:at + 1] = [*full, *lines[at:at + 1], call]
    return "\n".join(lines)


def _options(where: str, layout: Any, samples: Any, budget: Any, seed: Any, dtype: Any,
             case: Any, given: Mapping[str, Any]) -> torch.dtype | None:
    """Refuse an option or argument of the wrong type with one line naming it and what it
    accepts; return `dtype` as a torch dtype (a name such as ``"float32"`` looked up)."""
    if layout is not None and not (isinstance(layout, Mapping) and all(
            isinstance(k, str) and isinstance(v, str) for k, v in layout.items())):
        raise ArchLawError(f"layout={layout!r}: give a mapping from a model symbol to its layout "
                           "letters, e.g. layout={'f': 'NCL'}", where=where)
    for name, v, least in (("samples", samples, 1), ("budget", budget, 1), ("seed", seed, 0),
                           ("case", case, 0)):
        if not (v is None and name == "case") and (
                isinstance(v, bool) or not isinstance(v, int) or v < least):
            raise ArchLawError(f"{name}={v!r}: give an int >= {least}", where=where)
    for name, v in given.items():
        if isinstance(v, type) and issubclass(v, torch.nn.Module):
            raise ArchLawError(f"{name}={v.__name__} is a class: pass an instance: "
                               f"{_instance_hint(v)}", where=where)
    return _dtype(dtype, where)


def _instance_hint(cls: type) -> str:
    """How to write an instance of `cls`: ``nn.Identity()``, ``nn.Conv1d(...)``."""
    qual = f"nn.{cls.__name__}" if getattr(torch.nn, cls.__name__, None) is cls else cls.__name__
    try:
        params = list(inspect.signature(cls).parameters.values())
    except (TypeError, ValueError):
        params = []
    required = any(p.default is p.empty and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD,
                                                       p.KEYWORD_ONLY) for p in params)
    return f"{qual}({'...' if required else ''})"


def _dtype(dtype: Any, where: str) -> torch.dtype | None:
    """`dtype` as one of the floating dtypes with a tolerance policy row
    (`archlaw.bridge.sorts.TOLERANCES`): the dtype, its name (``"float32"``,
    ``"torch.float32"``), or None (the module as it is, float32 samples)."""
    from archlaw.bridge.sorts import TOLERANCES

    found = getattr(torch, dtype.removeprefix("torch."), None) if isinstance(dtype, str) else dtype
    if dtype is None or (isinstance(found, torch.dtype) and found in TOLERANCES):
        return found
    names = ", ".join(str(d).replace("torch.", "") for d in TOLERANCES)
    raise ArchLawError(f"dtype={dtype!r}: give a torch floating dtype or its name, e.g. "
                       f"torch.float64 or 'float64' (accepted: {names})", where=where)
