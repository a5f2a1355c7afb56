"""Models built from a law: ``archlaw.build(LAW, **law_params_and_sorts)``.

The law's signature gives the interface (its spec, `archlaw.bridge.spec.law_spec`); the law
itself picks the architecture, so that the built model meets the law before any training:

=================================  ==========================================================
law                                built as
=================================  ==========================================================
``ShiftEquivariant`` (C_n)         a circular convolution stack (`build_symmetry`)
``PermEquivariant`` (S_n)          DeepSets layers
``C4Equivariant``, ``D4Equivariant``  group convolutions on the grid
``FoldlLaws``, ``FoldLaws``,       a decoded cell inside the matching runner
``TreeFoldLaws`` (finite sorts)    (`build_recursion`)
``MealyLaws``, ``MooreLaws`` and   a finite Mealy or Moore machine
their restart and causal laws
``Carry.CarryCell``                the decoded carry cell, exact after training (`build_carry`)
=================================  ==========================================================

::

    import archlaw
    f = archlaw.build("ArchLaw.ShiftEquivariant", n=16, X=(), Y=(4,))   # (N, 16) -> (N, 16, 4)
    archlaw.models.build.check(f).passed                               # True, untrained

Keywords are the law's parameters by name, as for `archlaw.assert_law`: a Nat law parameter
as an int, a sort as a float shape (``X=(3,)``; ``()`` a scalar) or an encoding of
`archlaw.bridge.sorts` (``Finite(3)`` for ``fin[3]``). ``arch={...}`` sets architecture options
(``width``, ``depth``, ``kernel``, ``hidden``: each construction lists its own). A law with no
construction is one error line listing the laws that have one.

`check` holds a built model to its law through the spec-derived binding; `save` writes it with
its spec (`archlaw.models.saved`) and its blueprint, and `load` builds it again from the file and
loads the weights. Training: `archlaw.models.build_tasks` (the one loop, `fit`).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any, Mapping

from archlaw.bridge.errors import ArchLawError
from archlaw.models.build_base import Blueprint, Construction, LawModel, arch_options

__all__ = ["build", "constructions", "construction_for", "binding", "check", "save", "load"]


def constructions() -> dict[str, Construction]:
    """Every law with a construction, by full Lean name."""
    from archlaw.models import build_carry, build_recursion, build_symmetry

    return {c.law: c for mod in (build_symmetry, build_recursion, build_carry)
            for c in mod.CONSTRUCTIONS}


def construction_for(law_name: str) -> Construction:
    """The construction of `law_name` (a full name), or one line listing the laws that have one."""
    found = constructions().get(law_name)
    if found is None:
        raise ArchLawError(f"no known construction for {law_name}; laws that have one: "
                           f"{', '.join(short(n) for n in constructions())}",
                           where=f"build({law_name})")
    return found


def short(name: str) -> str:
    """``ArchLaw.FoldlLaws`` -> ``FoldlLaws`` (``Carry.CarryCell`` keeps its namespace)."""
    return name.removeprefix("ArchLaw.")


def build(law: Any, *assignments: str, arch: Mapping[str, Any] | None = None, export: Any = None,
          **given: Any) -> Any:
    """An untrained `nn.Module` meeting `law`'s interface, its architecture read off the law.

    `law`: a law name (full or a unique suffix) or an `archlaw.bridge.ir.Law`; `given`: every law
    parameter and sort by name (module docstring), or `assignments` in the command line's form
    (``"n=16"``, ``"X=float[3]"``, as `archlaw spec` takes them); `arch`: architecture options;
    `export`: where to look the name up (default the library's laws). The weights come from
    torch's global generator (seed it, or train through `archlaw.models.training.fit`, which
    does).

    The module carries ``blueprint`` (`Blueprint`) and ``law_symbols()``. Raises `ArchLawError`
    (one line) for an unknown law, a law with no construction, a missing or wrong-kind
    parameter, a sort the construction cannot take, or a bad architecture option.
    """
    from archlaw.bridge.spec import find_law, law_spec, parse_assignment, split_given

    found = find_law(law, export, where="build")
    c = construction_for(found.name)
    for a in assignments:
        k, v = parse_assignment(a, found)
        if k in given:
            raise ArchLawError(f"{k} given twice", where=f"build({c.law}, {a!r})")
        given[k] = v
    bad = [k for k, v in given.items() if callable(v) and not isinstance(v, type)]
    if bad:
        raise ArchLawError(f"{', '.join(bad)}: build takes the law's parameters and sorts, not "
                           "its model symbols (build makes those)", where=f"build({c.law})")
    params, sorts, _ = split_given(found, given)  # names, kinds and missing ones: one line each
    options = arch_options(c, arch)  # every option, defaults filled in: a saved model is rebuilt
    model = c.make(params, sorts, options)  # the same even if a default changes later
    model.blueprint = Blueprint(found.name, params, sorts, options,
                                tuple(s.name for s in law_spec(found, **given).symbols))
    return model


def _law_of(model: Any, export: Any = None) -> Any:
    from archlaw.bridge.spec import find_law

    if not isinstance(model, LawModel) or not hasattr(model, "blueprint"):
        raise ArchLawError(f"{type(model).__name__} was not made by archlaw.build (it has no "
                           "blueprint)")
    return find_law(model.blueprint.law, export, where="build")


def binding(model: Any, *, export: Any = None, **meta: Any) -> Any:
    """The `Binding` of a built model to its law, derived from the spec
    (`archlaw.bridge.spec.derive_binding`) from the model's `law_symbols`, with the model itself
    as the binding's module (hashed, cast by ``dtype``, put in eval mode for the check)."""
    from archlaw.bridge.spec import derive_binding

    law = _law_of(model, export)
    b = derive_binding(law, **model.blueprint.given(), **model.law_symbols())
    return dataclasses.replace(b, module=model, metadata={
        **b.metadata, "name": f"{type(model).__name__} built from {short(law.name)}", **meta})


def check(model: Any, *, samples: int = 100, seed: int = 0, budget: int = 10**6,
          dtype: Any = None, export: Any = None) -> Any:
    """Check a built model against its law (`archlaw.bridge.conformance.check_law`); returns the
    `LawReport` (``report.passed``, ``report.summary()``). `dtype` None: float64 for float sorts
    (as `assert_law`), so that a float32 rounding is not mistaken for a violation."""
    import torch

    from archlaw.bridge.conformance import check_law

    law = _law_of(model, export)
    return check_law(law, binding(model, export=export), samples=samples, seed=seed,
                     budget=budget, dtype=dtype or torch.float64)


def save(path: str | Path, model: Any, *, report: Any = None, training: Mapping[str, Any] | None
         = None, export: Any = None) -> tuple[Path, Path]:
    """Write a built model (`archlaw.models.saved.save`): its weights, its `ModelSpec` (the
    law's spec as `archlaw spec` prints it), its blueprint and, when given, the check's verdict
    and the training report. Returns (weights path, metadata path)."""
    from archlaw.models import saved

    law = _law_of(model, export)
    b = binding(model, export=export)
    extra = {"blueprint": model.blueprint.to_json()}
    if report is not None:
        extra["check"] = {"passed": bool(report.passed), "summary": report.summary()}
    return saved.save(path, model, spec=saved.spec_of([law], b), training=training or {},
                      seeds={"seed": (training or {}).get("seed")}, extra=extra)


def load(path: str | Path, *, export: Any = None) -> Any:
    """Build the model a file written by `save` describes, and load its weights (refused, one
    line naming the file, when the saved spec no longer matches the law)."""
    from archlaw.bridge.spec import find_law
    from archlaw.models import saved

    meta = saved.read_meta(path)
    bp = meta.extra.get("blueprint")
    where = str(path)
    if not isinstance(bp, dict) or not isinstance(bp.get("law"), str):
        raise ArchLawError("not a model written by archlaw.models.build.save (no blueprint)",
                           where=where)
    law = find_law(bp["law"], export, where=where)
    model = build(law, *bp.get("given", []), arch=bp.get("arch") or {})
    # the saved spec must be the spec of this model under the law as it is now (signatures,
    # sorts, parameters), computed the same way as when it was saved
    saved.load(path, model, expect=saved.spec_of([law], binding(model, export=export)))
    return model
