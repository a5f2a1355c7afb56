"""Finite structures as sorts: the library's ``D4`` and ``Perm n``, enumerable and sampled.

A structure whose data fields are all finite is a finite sort. Its values are those that satisfy
its Prop fields, so a value is the tuple of its data fields' batched values (Prop fields carry no
data), and the encoding enumerates exactly the valid ones:

===============  =====================================  ==================================
sort             batched value (N cases)                values
===============  =====================================  ==================================
``ArchLaw.D4``   (swap, flipRow, flipCol): bool (N,)    the 8 symmetries of the square
``ArchLaw.Perm n``  (toFun, invFun): two `Table`\\ s     exactly the n! permutations, with
                 of ``Fin n → Fin n`` (long (N, n))     their inverses (not every pair of maps)
===============  =====================================  ==================================

Binders are enumerated when the budget allows (``Perm n`` in lexicographic order of its point
map), else sampled uniformly (``Perm n`` as uniform permutations: the argsort of n uniform
draws). The constructor (``ArchLaw.D4.mk``, ``ArchLaw.Perm.mk`` with its proofs skipped) and the
projections are interpreted as building and reading the tuple.

The structures are registered here by name with their fields (`finite_structure`); reading a
structure's fields from its Lean declaration, so that a user's finite structure needs no such
line, is not done yet (docs/semantics.md).
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from typing import Any, Callable

import torch

from .interpret import interpretation
from .sorts import BoolEnc, Encoding, Finite, register_sort, take
from .tables import Table, TableSort

__all__ = ["StructSort", "D4_SORT", "perm_sort", "finite_structure"]


@dataclass(frozen=True)
class StructSort(Encoding):
    """A finite structure: `fields` (name, encoding) of its data fields; `values` builds all
    valid values as one batch (smallest first); `sample` draws n uniform valid values."""

    name: str
    fields: tuple[tuple[str, Encoding], ...]
    count: int
    values: Callable[[torch.device], tuple] = None  # type: ignore[assignment]
    sample: Callable[[int, torch.Generator, torch.device], tuple] | None = None
    kind = "Struct"
    discrete = True

    def describe(self) -> str:
        return self.name

    @property
    def cardinality(self) -> int:
        return self.count

    def enumerate(self, device):
        return self.values(device)

    def plan(self, n, gen, cfg):
        if self.sample is None:
            return torch.randint(0, self.count, (n,), generator=gen)
        return torch.zeros(n, dtype=torch.long)

    def materialize(self, plan, gen, cfg):
        if self.sample is None:
            return take(self.values(cfg.device), plan.to(cfg.device))
        return self.sample(int(plan.shape[0]), gen, cfg.device)

    def equal(self, x, y, tol):
        ok = torch.ones(_n(x), dtype=torch.bool, device=_dev(x))
        for (_, e), a, b in zip(self.fields, x, y):
            ok = ok & e.equal(a, b, None)[0]
        return ok, (~ok).to(torch.float64)

    def render(self, v, i):
        return "⟨" + ", ".join(e.render(a, i) for (_, e), a in zip(self.fields, v)) + "⟩"


def _n(v: tuple) -> int:
    first = v[0]
    return first.batch_size if isinstance(first, Table) else int(first.shape[0])


def _dev(v: tuple) -> torch.device:
    first = v[0]
    return first.values.device if isinstance(first, Table) else first.device


def finite_structure(sort: StructSort) -> None:
    """Register `sort` as the encoding of its Lean structure, with its constructor (`.mk`, data
    fields in order) and projections."""
    register_sort(sort.name)(lambda args, params, s=sort: s)
    _accessors(sort.name, tuple(f for f, _ in sort.fields))


def _accessors(name: str, fields: tuple[str, ...]) -> None:
    interpretation(f"{name}.mk", arity=len(fields))(lambda ctx, *vs: tuple(vs))
    for i, f in enumerate(fields):
        interpretation(f"{name}.{f}", arity=1)(lambda ctx, v, i=i: v[i])


# -- D4 -------------------------------------------------------------------------------------

def _d4_values(device: torch.device) -> tuple:
    bits = torch.tensor(list(itertools.product([False, True], repeat=3)), device=device)
    return (bits[:, 0].clone(), bits[:, 1].clone(), bits[:, 2].clone())


D4_SORT = StructSort("ArchLaw.D4", (("swap", BoolEnc()), ("flipRow", BoolEnc()),
                                    ("flipCol", BoolEnc())), 8, _d4_values)
finite_structure(D4_SORT)


# -- Perm n ---------------------------------------------------------------------------------

def _perm_value(n: int, to: torch.Tensor) -> tuple:
    """(toFun, invFun) tables of the permutations `to` (long (N, n))."""
    inv = torch.argsort(to, dim=1)
    enc = TableSort((Finite(n),), Finite(n))
    return (Table(enc, to), Table(enc, inv))


def perm_sort(n: int) -> StructSort:
    """``ArchLaw.Perm n``: exactly its n! permutations (enumerated lexicographically), sampled
    uniformly."""
    def values(device: torch.device) -> tuple:
        to = torch.tensor(list(itertools.permutations(range(n))), dtype=torch.long,
                          device=device).reshape(-1, n)
        return _perm_value(n, to)

    def sample(m: int, gen: torch.Generator, device: torch.device) -> tuple:
        to = torch.argsort(torch.rand((m, n), generator=gen), dim=1).to(device)
        return _perm_value(n, to)

    table = TableSort((Finite(n),), Finite(n))
    return StructSort(f"ArchLaw.Perm {n}", (("toFun", table), ("invFun", table)),
                      math.factorial(n), values, sample)


register_sort("ArchLaw.Perm")(lambda args, params: perm_sort(int(args[0])))
_accessors("ArchLaw.Perm", ("toFun", "invFun"))
