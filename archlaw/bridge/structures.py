"""Finite structures as sorts, derived from their Lean declarations.

A structure whose data fields are all finite (``Fin n``, ``Bool``, finite structures, tables of
functions between finite types) is a finite sort. Its values are those that satisfy its Prop
fields, so a value is the tuple of its data fields' batched values (Prop fields carry no data):

===================  =====================================  ================================
sort                 batched value (N cases)                values
===================  =====================================  ================================
``ArchLaw.D4``       (swap, flipRow, flipCol): bool (N,)    the 8 symmetries of the square
``ArchLaw.Perm n``   (toFun, invFun): two `Table`\\ s       exactly the n! permutations, with
                     of ``Fin n → Fin n`` (long (N, n))     their inverses (not every pair of
                                                            maps)
===================  =====================================  ================================

`derived_sort` reads a structure (`archlaw.bridge.ir.Structure`, which a law carries: the source
reader reads it from the ``structure`` declaration, an export writes it as a ``(structure ...)``
entry) and derives its values: it enumerates every combination of its data fields' values (at
most `DERIVE_BUDGET`) and keeps those on which every Prop field holds, each Prop field evaluated
batched by the interpreter like a law's statement (so it must lie in the statement fragment).
Anything else is refused with one line naming the structure and why. A user's finite structure
needs no Python line: `register_structures` (called by every check) registers the derived sort
of each structure a law carries, with its constructor (proof fields skipped) and projections.

Fast paths: ``D4`` and ``Perm n`` keep registered enumerators and samplers (`finite_structure`;
``Perm n`` sampled as the argsort of n uniform draws, enumerated as its n! permutations in
lexicographic order, where the derivation would enumerate (n^n)² candidates). Where the
structure is also known from its declaration and the derivation fits the budget (``Perm n`` for
n ≤ 4), the fast path's values are compared with the derived ones, once per sort in a process,
and a disagreement is an error naming the structure and a value only one side has.

Binders are enumerated when the budget allows, else sampled uniformly (a derived sort as a
uniform draw among its enumerated values).
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from typing import Any, Callable

import torch

from .errors import ArchLawError
from .interpret import interpretation
from .ir import Structure, free_vars
from .sorts import _SORTS, BoolEnc, Encoding, Finite, register_sort, take
from .tables import Table, TableSort

__all__ = ["StructSort", "D4_SORT", "perm_sort", "finite_structure", "derived_sort",
           "register_structures", "DERIVE_BUDGET"]

#: Most candidate values (the product of the data fields' value counts) a structure's values
#: are derived from.
DERIVE_BUDGET = 1 << 16


@dataclass(frozen=True)
class StructSort(Encoding):
    """A finite structure: `fields` (name, encoding) of its data fields; `values` builds all
    valid values as one batch (smallest first); `sample` draws n uniform valid values."""

    name: str
    fields: tuple[tuple[str, Encoding], ...]
    count: int
    values: Callable[[torch.device], tuple] = None  # type: ignore[assignment]
    sample: Callable[[int, torch.Generator, torch.device], tuple] | None = None
    #: `render` of one value, in place of the anonymous constructor of every field (``Perm n``:
    #: ``(perm [images])``, its inverse omitted)
    show: Callable[[tuple, int], str] | None = None
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
        if self.show is not None:
            return self.show(v, i)
        return "⟨" + ", ".join(e.render(a, i) for (_, e), a in zip(self.fields, v)) + "⟩"


def _n(v: tuple) -> int:
    first = v[0]
    return first.batch_size if isinstance(first, Table) else int(first.shape[0])


def _dev(v: tuple) -> torch.device:
    first = v[0]
    return first.values.device if isinstance(first, Table) else first.device


def finite_structure(sort: StructSort) -> None:
    """Register `sort` as the (fast-path) encoding of its Lean structure, with its constructor
    (`.mk`, data fields in order) and projections."""
    register_sort(sort.name)(lambda args, params, s=sort: s)
    _accessors(sort.name, tuple(f for f, _ in sort.fields))
    _FAST.add(sort.name)


def _accessors(name: str, fields: tuple[str, ...], ctor: str | None = None) -> None:
    interpretation(ctor or f"{name}.mk", arity=len(fields))(lambda ctx, *vs: tuple(vs))
    for i, f in enumerate(fields):
        interpretation(f"{name}.{f}", arity=1)(lambda ctx, v, i=i: v[i])


#: Structures whose registered encoding is a fast path (`finite_structure`, `register_sort`).
_FAST: set[str] = set()
#: Derived sorts, per (structure, arguments): a `StructSort` or the one line why there is none.
_DERIVED: dict[tuple, StructSort | str] = {}
#: Fast paths already compared with their derivation, per (structure, arguments).
_COMPARED: set[tuple] = set()


def _bind_args(st: Structure, args: tuple) -> tuple[dict, dict]:
    """The structure's parameters bound to a sort's arguments: encodings (type parameters) as
    sorts, integers (``n : Nat``) as parameters."""
    if len(args) != len(st.params):
        raise ArchLawError(f"structure {st.name} takes {len(st.params)} argument(s), "
                           f"got {len(args)}")
    sorts = {p.name: a for p, a in zip(st.params, args) if isinstance(a, Encoding)}
    params = {p.name: int(a) for p, a in zip(st.params, args) if not isinstance(a, Encoding)}
    return sorts, params


def derived_sort(st: Structure, args: tuple = (), definitions: Any = None) -> StructSort:
    """The finite sort of structure `st` at `args` (its parameters' values), derived from its
    declaration (the module docstring). Raises `ArchLawError` (one line) when it is not a finite
    structure whose Prop fields can be evaluated within `DERIVE_BUDGET` candidates."""
    key = (st, tuple(args))
    got = _DERIVED.get(key)
    if got is None:
        try:
            got = _derive(st, tuple(args), dict(definitions or {}))
        except ArchLawError as e:
            got = str(e)
        _DERIVED[key] = got
    if isinstance(got, str):
        raise ArchLawError(got)
    return got


def _derive(st: Structure, args: tuple, definitions: dict) -> StructSort:
    from .domains import build_domain
    from .interpret import Evaluator
    from .sorts import resolve_sort

    shown = st.name + "".join(f" {a}" for a in args)
    head = f"structure {shown} is not a finite sort"
    sorts, params = _bind_args(st, args)
    names = {f.name for f in st.fields}
    encs: list[tuple[str, Encoding]] = []
    for f in st.data:
        if free_vars(f.sort) & names:
            raise ArchLawError(f"{head}: the sort of its field {f.name} depends on another field")
        try:
            enc = resolve_sort(f.sort, sorts, params)
        except ArchLawError as e:
            raise ArchLawError(f"{head}: its field {f.name}: {e}") from None
        if enc.cardinality is None:
            raise ArchLawError(f"{head}: its field {f.name} has infinitely many values "
                               f"({enc.describe()})")
        encs.append((f.name, enc))
    total = math.prod(e.cardinality for _, e in encs)
    if total > DERIVE_BUDGET:
        raise ArchLawError(f"{head} within budget: {total:,} candidate values (the product of "
                           f"its data fields' values) exceed the {DERIVE_BUDGET:,} its values are "
                           "derived from; register a fast enumerator "
                           "(archlaw.bridge.structures.finite_structure)")
    dom = build_domain(encs, budget=DERIVE_BUDGET, samples=1, seed=0, tag=f"structure {shown}")
    env = dom.materialize(0, dom.total)
    ok = torch.ones(dom.total, dtype=torch.bool)
    ev = Evaluator(sorts, params, {}, {}, dom.total, where=f"structure {shown}",
                   definitions=definitions)
    for f in st.props:
        try:
            held, _ = ev.prop(f.sort, env)
        except ArchLawError as e:
            raise ArchLawError(f"{head}: its Prop field {f.name} cannot be evaluated: "
                               f"{str(e).splitlines()[0]}") from None
        ok = ok & held.to(ok.device)
    idx = ok.nonzero().flatten()
    if not idx.numel():
        raise ArchLawError(f"{head}: no value meets its Prop fields")
    values = tuple(take(env[n], idx) for n, _ in encs)
    return StructSort(shown, tuple(encs), int(idx.numel()),
                      lambda device, v=values: _to(v, device))


def _to(v: Any, device: torch.device) -> Any:
    if isinstance(v, tuple):
        return tuple(_to(x, device) for x in v)
    if isinstance(v, Table):
        return Table(v.enc, _to(v.dense(), device))
    return v.to(device)


def register_structures(structures: tuple[Structure, ...], definitions: Any = None) -> None:
    """Make each structure of `structures` (a law's) a sort: derived from its declaration, or,
    for a registered fast path, that path compared with the derivation where it fits the
    budget. Called by every check (`archlaw.bridge.conformance.check_law`)."""
    for st in structures:
        if st.name in _FAST:
            fast = _SORTS[st.name]
            if getattr(fast, "compared_with", None) != st:
                register_sort(st.name)(_compared(st, getattr(fast, "fast", fast), definitions))
            continue
        if st.name in _SORTS and getattr(_SORTS[st.name], "derived_from", None) == st:
            continue
        factory = (lambda args, params, st=st, d=definitions: derived_sort(st, tuple(args), d))
        factory.derived_from = st  # type: ignore[attr-defined]
        register_sort(st.name)(factory)
        _accessors(st.name, tuple(f.name for f in st.data), st.ctor)


def _compared(st: Structure, fast: Any, definitions: Any) -> Any:
    def factory(args, params):
        enc = fast(args, params)
        key = (st, tuple(args))
        if key not in _COMPARED:
            _COMPARED.add(key)
            try:
                derived = derived_sort(st, tuple(args), definitions)
            except ArchLawError:
                return enc  # beyond the budget (or not derivable): the fast path runs alone
            compare_values(enc, derived)
        return enc
    factory.compared_with, factory.fast = st, fast  # type: ignore[attr-defined]
    return factory


def _rows(enc: StructSort) -> list[tuple]:
    vals = enc.enumerate(torch.device("cpu"))
    flat = []
    for v in vals:
        t = v.dense() if isinstance(v, Table) else v
        flat.append(t.reshape(t.shape[0], -1).long())
    rows = torch.cat(flat, dim=1) if flat else torch.zeros(0, 0, dtype=torch.long)
    return [tuple(r) for r in rows.tolist()]


def compare_values(fast: StructSort, derived: StructSort) -> None:
    """Raise `ArchLawError` unless the registered enumerator `fast` gives exactly the values
    of the `derived` sort (as sets, each value once)."""
    a, b = _rows(fast), _rows(derived)
    sa, sb = set(a), set(b)
    if len(a) == len(sa) and sa == sb and fast.count == derived.count:
        return
    only = sorted(sa - sb) or sorted(sb - sa)
    side = "the registered enumerator" if sorted(sa - sb) else "the Lean declaration"
    what = f"a value only {side} has: {only[0]}" if only else "a value listed twice"
    raise ArchLawError(f"the registered enumerator of {derived.name} disagrees with the values "
                       f"derived from its Lean declaration ({fast.count} vs {derived.count} "
                       f"values; {what}); fix or remove the registration")


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
    uniformly; a value is printed ``(perm [p 0, ..., p (n-1)])``, the images of toFun (invFun,
    its inverse, is omitted)."""
    def values(device: torch.device) -> tuple:
        to = torch.tensor(list(itertools.permutations(range(n))), dtype=torch.long,
                          device=device).reshape(-1, n)
        return _perm_value(n, to)

    def sample(m: int, gen: torch.Generator, device: torch.device) -> tuple:
        to = torch.argsort(torch.rand((m, n), generator=gen), dim=1).to(device)
        return _perm_value(n, to)

    table = TableSort((Finite(n),), Finite(n))
    return StructSort(f"ArchLaw.Perm {n}", (("toFun", table), ("invFun", table)),
                      math.factorial(n), values, sample,
                      show=lambda v, i: f"(perm {table.render(v[0], i)})")


register_sort("ArchLaw.Perm")(lambda args, params: perm_sort(int(args[0])))
_accessors("ArchLaw.Perm", ("toFun", "invFun"))
_FAST.add("ArchLaw.Perm")
