"""`assert_law`: hold a model to a law inside any test suite, with no binding code.

In the spirit of `torch.testing.assert_close` and e3nn's `assert_equivariant`: one call in a
user's own pytest (or unittest) file, no plugin, registry or CLI. The binding is derived from the
law's signature (`archlaw.bridge.spec.derive_binding`): the user names the law parameters, the
sorts and the model symbols, and the law's fixed symbols (its actions) run from their Lean
bodies::

    from archlaw.testing import assert_law
    assert_law("ArchLaw.ShiftEquivariant", f=conv, n=12, X=(3,), Y=(3,), layout={"f": "NCL"})
"""

from __future__ import annotations

from typing import Any, Mapping

import torch

__all__ = ["assert_law"]


def assert_law(law: Any, *, layout: Mapping[str, str] | None = None, samples: int = 100,
               budget: int = 10**6, seed: int = 0, dtype: torch.dtype | None = torch.float64,
               export: Any = None, **given: Any) -> Any:
    """Check `law` on the given model symbols; return the `LawReport` when every field holds.

    `law`: a law name (full or a unique suffix, looked up in `export`, default the library's
    `load_export()`) or an `archlaw.bridge.ir.Law`. `given`: the law's parameters by name: a Nat
    law parameter as an int (``n=12``), a sort as a float shape (``X=(3,)``) or an encoding from
    `archlaw.bridge.sorts`, a model symbol as a callable or `nn.Module` (``f=conv``) taking and
    returning tensors as `archlaw spec` prints them. `layout`: a symbol's layout letters at the
    binding boundary (``{"f": "NCL"}`` for `nn.Conv1d`; docs/specs.md). `samples`, `budget`,
    `seed`, `dtype`: as for `archlaw.bridge.conformance.check_law` (float64 by default, so that
    a float32 rounding is not mistaken for a violation).

    Raises `AssertionError` carrying the report's summary (each counterexample and its replay
    line) when a field fails, and `ArchLawError` (one line) when the model does not fit the
    law's spec: a missing or wrong-kind argument, a wrong-shaped or wrong-dtype output.
    """
    from archlaw.bridge.conformance import check_law
    from archlaw.bridge.spec import derive_binding, find_law

    law = find_law(law, export, where=f"assert_law({law!r})")
    binding = derive_binding(law, layout=layout, **given)
    report = check_law(law, binding, samples=samples, budget=budget, seed=seed, dtype=dtype)
    if not report.passed:
        raise AssertionError(report.summary())
    return report
