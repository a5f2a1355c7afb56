"""Extraction: a model's finite symbol, enumerated on its whole domain, as a canonical table.

A model symbol whose argument sorts and result sort are all finite after decoding (``cell : Fin B
→ Fin B → Fin 2 → Fin B × Fin 2``, decoded by argmax as the model is run) *is* a finite table.
`symbol_table(law, binding, name)` reads it off: every case of the domain, in enumeration order
(the first argument varying slowest, as `itertools.product`), run through the binding's callable
exactly as a check runs it, the result decoded to integers.

`Table` is that table as data (a frozen dataclass): the law and symbol it came from, its Lean
signature, the domain sizes, the result's component sizes and the entries, one tuple of
integers per case. `Table.serialise()` is its canonical JSON (sorted keys, no spaces, one line),
`Table.sha256()` the SHA-256 of that text: the same table always hashes the same, and one
flipped entry changes the hash. (`archlaw verify` recomputes it from the weights.)

Size limit. A symbol whose domain has more than `MAX_TABLE_CASES` cases is refused with one line
before anything runs. The limit is **unmeasured**: no Lean toolchain exists where this was
written, so it is a conservative guess at what ``lake build`` of a generated module checks in
about a minute (the lean CI job times a module at the limit, `scripts/to_lean_at_limit.py`);
it changes only from that figure.

`table_from_term(term, like)` reads a table back from the IR of a generated module's ``table``
definition (the source reader's `Definition.body`: a nested list literal of numerals and
pairs), for the round trip (`archlaw.bridge.tolean.read_back`).
"""

from __future__ import annotations

import hashlib
import itertools
import json
from dataclasses import dataclass
from typing import Any, Mapping

import torch

from .errors import ArchLawError
from .ir import App, Law, Lit, Term, pretty
from .sorts import Encoding, ProdOf
from .tables import index_axes

__all__ = ["Table", "MAX_TABLE_CASES", "symbol_table", "symbol_value", "symbol_domain", "table_json", "table_from_term"]

#: Most cases a symbol's domain may have to be extracted (unmeasured: see the module docstring).
MAX_TABLE_CASES = 4096


@dataclass(frozen=True)
class Table:
    """A finite model symbol on its whole domain.

    `law`, `symbol`: where it came from (``ArchLaw.Carry.CarryCell``, ``cell``); `signature`: its
    Lean sort with the law's parameters given (``Fin 10 → Fin 10 → Fin 2 → Fin 10 × Fin 2``);
    `domain`: the size of each argument sort, in order; `result`: the size of each component of
    the result (one for a ``Fin m`` result, two for a pair); `entries`: one tuple of `result`'s
    length per case, the cases in enumeration order (first argument slowest)."""

    law: str
    symbol: str
    signature: str
    domain: tuple[int, ...]
    result: tuple[int, ...]
    entries: tuple[tuple[int, ...], ...]

    @property
    def cases(self) -> int:
        return len(self.entries)

    def to_json(self) -> dict:
        return {"law": self.law, "symbol": self.symbol, "signature": self.signature,
                "domain": list(self.domain), "result": list(self.result),
                "entries": [list(e) for e in self.entries]}

    def serialise(self) -> str:
        """Canonical JSON: sorted keys, no whitespace, one line (what `sha256` hashes)."""
        return json.dumps(self.to_json(), sort_keys=True, separators=(",", ":"))

    def sha256(self) -> str:
        return hashlib.sha256(self.serialise().encode("utf-8")).hexdigest()

    def case(self, i: int) -> tuple[int, ...]:
        """The arguments of case `i` (its position in enumeration order)."""
        out = []
        for n in reversed(self.domain):
            out.append(i % n)
            i //= n
        return tuple(reversed(out))

    def nested(self) -> list:
        """The entries as nested lists, one level per argument (``t[a][b][c]``)."""
        def build(level: int, start: int) -> Any:
            if level == len(self.domain):
                return self.entries[start]
            stride = 1
            for n in self.domain[level + 1:]:
                stride *= n
            return [build(level + 1, start + k * stride) for k in range(self.domain[level])]
        return build(0, 0)

    def differences(self, other: "Table") -> list[str]:
        """``a=…: x, not y`` for each case where `other` differs (first 3), for error lines."""
        out = []
        for i, (x, y) in enumerate(zip(self.entries, other.entries)):
            if x != y:
                out.append(f"{self.symbol} {' '.join(map(str, self.case(i)))} = {_show(y)}, "
                           f"not {_show(x)}")
        return out[:3]


def _show(e: tuple[int, ...]) -> str:
    return str(e[0]) if len(e) == 1 else "(" + ", ".join(map(str, e)) + ")"


def _components(v: Any) -> list[torch.Tensor]:
    if isinstance(v, tuple):
        return [c for part in v for c in _components(part)]
    return [v]


def symbol_domain(law: Law, binding: Any, name: str, *, limit: int = MAX_TABLE_CASES
                  ) -> tuple[tuple[Encoding, ...], Encoding, tuple[int, ...], tuple[int, ...]]:
    """(argument encodings, result encoding, domain sizes, result component sizes) of model
    symbol `name`, refused with one line when a sort is not finite or the domain has more than
    `limit` cases. Runs nothing: `to_lean` calls it before any check."""
    from .spec import symbol_sorts

    where = f"law {law.name}, symbol {name}"
    if name not in binding.symbols:
        raise ArchLawError(f"the binding supplies no symbol {name!r} (it has: "
                           f"{', '.join(sorted(binding.symbols))})", where=where)
    args, res = symbol_sorts(law, name, binding.sorts, binding.params)
    bad = [a.describe() for a in args if index_axes(a) is None or isinstance(a, ProdOf)]
    sizes = index_axes(res)
    if bad or sizes is None or not args:
        raise ArchLawError("to-lean extracts a function of finite arguments with a finite result "
                           f"(Fin n, Bool, pairs of them); this symbol's sort is "
                           f"{' → '.join(a.describe() for a in args + (res,))}", where=where)
    domain = tuple(int(index_axes(a)[0]) for a in args)  # type: ignore[index]
    total = 1
    for n in domain:
        total *= n
    if total > limit:
        raise ArchLawError(f"its domain has {total:,} cases, over the limit of {limit:,} that "
                           "to-lean extracts (unmeasured: a guess at what Lean's kernel checks "
                           "quickly; docs/to-lean.md)", where=where)
    return args, res, domain, sizes


def symbol_table(law: Law, binding: Any, name: str, *, limit: int = MAX_TABLE_CASES) -> Table:
    """Model symbol `name` of `binding` (for `law`) on its whole domain: see the module docstring.
    `ArchLawError` (one line) when a sort is not finite, the domain exceeds `limit`, or the
    callable returns something other than in-range integers of the result's sort."""
    where = f"law {law.name}, symbol {name}"
    args, res, domain, sizes = symbol_domain(law, binding, name, limit=limit)
    total = 1
    for n in domain:
        total *= n
    dev = _device(binding)
    cols = list(zip(*itertools.product(*(range(n) for n in domain))))
    xs = [torch.tensor(c, dtype=torch.long, device=dev) for c in cols]
    with torch.no_grad():
        out = binding.symbols[name](*xs)
    parts = _components(out)
    if len(parts) != len(sizes) or any(not isinstance(p, torch.Tensor) or p.shape != (total,)
                                       for p in parts):
        raise ArchLawError(f"the symbol returned {type(out).__name__}, expected "
                           f"{len(sizes)} long tensor(s) of shape ({total},) (the decoded "
                           f"{res.describe()})", where=where)
    cols_out = []
    for p, n in zip(parts, sizes):
        if p.dtype == torch.bool:
            p = p.long()
        if p.dtype.is_floating_point or p.dtype.is_complex:
            raise ArchLawError(f"the symbol returned {p.dtype} values, expected decoded long "
                               f"values of {res.describe()}", where=where)
        vals = p.detach().to("cpu").tolist()
        off = [v for v in vals if not 0 <= v < n]
        if off:
            raise ArchLawError(f"the symbol returned {off[0]}, outside 0..{n - 1} of "
                               f"{res.describe()}", where=where)
        cols_out.append(vals)
    entries = tuple(tuple(int(c[i]) for c in cols_out) for i in range(total))
    sig = " → ".join(a.describe() for a in args) + " → " + res.describe()
    return Table(law.name, name, sig, domain, tuple(sizes), entries)


def symbol_value(law: Law, binding: Any, name: str) -> Table:
    """Model symbol `name`, a constant of a finite sort (``init : H`` with ``H = Fin m``), as a
    table of no arguments and one entry; `ArchLawError` (one line) otherwise."""
    from .spec import symbol_sorts

    where = f"law {law.name}, symbol {name}"
    if name not in binding.symbols:
        raise ArchLawError(f"the binding supplies no symbol {name!r}", where=where)
    args, res = symbol_sorts(law, name, binding.sorts, binding.params)
    sizes = index_axes(res)
    if args or sizes is None or len(sizes) != 1:
        raise ArchLawError(f"to-lean reads a constant of a finite sort (Fin n); this symbol's "
                           f"sort is {' → '.join(a.describe() for a in args + (res,))}",
                           where=where)
    with torch.no_grad():
        v = binding.symbols[name]()
    if not isinstance(v, torch.Tensor) or v.numel() != 1 or v.dtype.is_floating_point:
        raise ArchLawError(f"the symbol returned {type(v).__name__}, expected one decoded long "
                           f"value of {res.describe()}", where=where)
    x = int(v.reshape(()).item())
    if not 0 <= x < sizes[0]:
        raise ArchLawError(f"the symbol returned {x}, outside 0..{sizes[0] - 1} of "
                           f"{res.describe()}", where=where)
    return Table(law.name, name, res.describe(), (), tuple(sizes), ((x,),))


def _device(binding: Any) -> torch.device:
    m = getattr(binding, "module", None)
    if m is not None:
        for t in list(m.parameters()) + list(m.buffers()):
            return t.device
    return torch.device("cpu")


def table_from_term(term: Term, like: Table, resolve: Any = None) -> Table:
    """The table a nested list literal denotes (the IR of a generated ``table`` definition),
    with `like`'s law, symbol, signature and sizes; `ArchLawError` when its shape or values do
    not fit them. `resolve(name)`: the body of a constant the literal names in place of a row
    (a generated module writes each top-level row as its own ``def``), or None."""
    def items(t: Term) -> list[Term]:
        if isinstance(t, App) and isinstance(t.head, str) and not t.args and resolve is not None:
            body = resolve(t.head)
            if body is not None:
                t = body
        out = []
        while isinstance(t, App) and t.head_name == "List.cons" and len(t.args) == 2:
            out.append(t.args[0])
            t = t.args[1]
        if not (isinstance(t, App) and t.head_name == "List.nil"):
            raise ArchLawError(f"not a list literal: {pretty(t)[:80]}")
        return out

    def leaf(t: Term) -> tuple[int, ...]:
        if isinstance(t, Lit) and isinstance(t.value, int):
            return (t.value,)
        if isinstance(t, App) and t.head_name == "Prod.mk" and len(t.args) == 2:
            return leaf(t.args[0]) + leaf(t.args[1])
        raise ArchLawError(f"not a numeral or a pair of numerals: {pretty(t)[:80]}")

    entries: list[tuple[int, ...]] = []

    def walk(t: Term, level: int) -> None:
        if level == len(like.domain):
            e = leaf(t)
            if len(e) != len(like.result):
                raise ArchLawError(f"entry {_show(e)} has {len(e)} components, expected "
                                   f"{len(like.result)}")
            entries.append(e)
            return
        row = items(t)
        if len(row) != like.domain[level]:
            raise ArchLawError(f"a row of {len(row)} entries at depth {level + 1}, expected "
                               f"{like.domain[level]}")
        for x in row:
            walk(x, level + 1)

    walk(term, 0)
    return Table(like.law, like.symbol, like.signature, like.domain, like.result, tuple(entries))


def table_json(tables: Mapping[str, Table]) -> list[dict]:
    """The sidecar's and certificate's record of each table: law, symbol, cases, SHA-256."""
    return [{"law": t.law, "symbol": t.symbol, "cases": t.cases, "sha256": t.sha256()}
            for _, t in sorted(tables.items())]
