"""What every model built from a law shares (`archlaw.models.build`): its blueprint and its symbols.

A built model is an ordinary `nn.Module` of an existing family (a circular convolution stack, a
`LeftFold`, a `FiniteMealy`, a `CarryCellMLP` ...) that also carries

* ``blueprint``: a `Blueprint`, the law it was built from, the law parameters and sort
  encodings it was built for, and the architecture options (``arch``), enough to build it again
  (`archlaw.models.build.load` does, before loading saved weights);
* ``law_symbols()``: the law's model symbols as callables taking and returning the tensors of
  the law's spec (`archlaw spec`), which `archlaw.bridge.spec.derive_binding` binds with no
  further code.

The per-law constructions (`Construction`) live in ``build_symmetry``, ``build_recursion`` and
``build_carry``; each reuses its family's modules, and each law holds by construction of the
architecture (for ``CarryCell``, after training: exactly one table satisfies it).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

from archlaw.bridge.errors import ArchLawError
from archlaw.bridge.sorts import Encoding, Finite

__all__ = ["Blueprint", "Construction", "LawModel", "arch_options", "finite_size"]


@dataclass(frozen=True)
class Blueprint:
    """What a model was built from: `law` (the full Lean name), `params` (Nat law parameters by
    name), `sorts` (sort encodings by name) and `arch` (architecture options, e.g. ``width``)."""

    law: str
    params: Mapping[str, int]
    sorts: Mapping[str, Encoding]
    arch: Mapping[str, Any] = field(default_factory=dict)
    #: the law's model symbols, in the law's order
    symbols: tuple[str, ...] = ()

    def given(self) -> dict[str, Any]:
        """The law parameters and sorts as `build` / `derive_binding` keywords."""
        return {**self.params, **self.sorts}

    def assignments(self) -> list[str]:
        """The same as command-line ``NAME=VALUE`` arguments (``n=12``, ``X=float[3]``)."""
        from archlaw.bridge.spec import encoding_text

        return [f"{k}={v}" for k, v in self.params.items()] + \
               [f"{k}={encoding_text(v)}" for k, v in self.sorts.items()]

    def to_json(self) -> dict:
        return {"law": self.law, "given": self.assignments(), "arch": dict(self.arch)}


class LawModel:
    """Mixin of the built models: `blueprint` (set by `archlaw.models.build.build`) and
    `law_symbols`, from the symbols every construction defines (`all_symbols`: a machine has
    ``nextState output state out``, of which ``CausalLaw`` uses ``out``)."""

    blueprint: Blueprint

    def all_symbols(self) -> dict[str, Callable[..., Any]]:
        """Every symbol the model supplies -> a callable in the spec (batched tensors)."""
        raise NotImplementedError

    def law_symbols(self) -> dict[str, Callable[..., Any]]:
        """The law's model symbols -> callables taking and returning the law's spec tensors."""
        own = self.all_symbols()
        return {k: own[k] for k in self.blueprint.symbols}


@dataclass(frozen=True)
class Construction:
    """How one law's architecture is read off it.

    `law`: the full Lean name; `architecture`: one line naming the modules; `needs`: what the
    sorts must be, shown when they are not; `make(params, sorts, arch)`: the untrained model (it
    never seeds: weights come from torch's global generator, which the training loop seeds);
    `arch`: the architecture options and their defaults; `example`: law parameters and sorts for
    docs and `archlaw new`'s default (``NAME=VALUE``); `task`: the shipped task it trains on by
    default (`archlaw.models.build_tasks`)."""

    law: str
    architecture: str
    needs: str
    make: Callable[[Mapping[str, int], Mapping[str, Encoding], Mapping[str, Any]], Any]
    arch: Mapping[str, Any]
    example: tuple[str, ...]
    task: str


def arch_options(c: Construction, arch: Mapping[str, Any] | None) -> dict[str, Any]:
    """`c`'s defaults updated with `arch`; an unknown option or a value that is not a positive
    int is one line naming the accepted ones."""
    out = dict(c.arch)
    for k, v in (arch or {}).items():
        if k not in out:
            raise ArchLawError(f"no architecture option {k!r} for {c.law}; accepted: "
                               f"{', '.join(f'{n} (default {d})' for n, d in c.arch.items())}",
                               where="build(arch=...)")
        if isinstance(v, bool) or not isinstance(v, int) or v < 1:
            raise ArchLawError(f"architecture option {k}={v!r}: expected an int >= 1",
                               where="build(arch=...)")
        out[k] = v
    return out


def finite_size(c: Construction, sorts: Mapping[str, Encoding], name: str) -> int:
    """The m of a sort given as ``fin[m]``; anything else is one line saying what `c` needs."""
    enc = sorts[name]
    if isinstance(enc, Finite):
        return enc.n
    raise ArchLawError(f"{c.law} is built as {c.architecture}, which needs {c.needs}; "
                       f"{name} is {enc.describe()}", where=f"build({c.law}, {name}=...)")
