"""Functions over finite types are data: a value of ``Fin n → X`` is one tensor, its table.

A sort ``A₁ → … → Aₖ → X`` whose arguments are *index sorts* (``Fin n``, ``Bool``, and pairs of
index sorts such as ``Fin h × Fin w``) and whose codomain X is a float tensor sort or a finite
sort (``Fin m``, ``Bool``, pairs of them, a finite structure) resolves to a `TableSort`. Its
batched value for N cases is a `Table`: X's batched value with leading dims
``(N, *axes)``, one axis per index of each argument (``Fin n`` one axis of n, ``Bool`` one of 2,
``Fin h × Fin w`` two axes h and w), then X's own shape. So a signal ``Fin 16 → Float[c]`` is a
float tensor (N, 16, c), a grid ``Fin k × Fin k → Float[c]`` is (N, k, k, c), and the curried
``Fin h → Fin w → X`` has the same layout as ``Fin h × Fin w → X``.

* **Application is indexing**: ``s i`` gathers ``values[row, i]`` (`Table.__call__`); fewer
  arguments than the table has give the sub-table.
* **A function term becomes a table in one batched call** (`tabulate`): ``fun i => body``, a
  partial application or a model's callable is applied to the whole finite domain at once
  (N·E cases for E table entries), never in a Python loop per case or entry.
* **Equality is pointwise**, under X's rule (`TableSort.equal`): the N·E entries are compared as
  values of X, then a case holds iff all its entries do and its error is the worst entry's. For
  a float X of at most one axis, one table entry is one tolerance group
  (`archlaw.bridge.sorts.Tolerance`); an X of two or more axes keeps its own groups per entry.
* **Binders** of a table sort are enumerated when X is finite and the |X|^E tables fit the
  budget, else sampled: a float table as one Gaussian tensor of shape ``(*axes, *X)`` per case
  (scaled extremes and degenerate inputs as for `FloatTensor`), a finite table entry by entry.
* **The model boundary**: a binding's callable for ``f : (Fin n → X) → (Fin n → Y)`` receives the
  raw tensor (N, n, *X) and returns the raw tensor (N, n, *Y) (`symbol_arity`, `to_tensor`,
  `from_output`).

A function sort whose arguments are index sorts but whose values are a list, ``Nat`` or a tree
has no table: a binder of it is refused with one line (`refusal`).

`take` of a `Table` (the engine's case selection) stores row indices instead of copying the
table: evaluating ``fun i => s (i + k)`` over n entries selects each case's table n times, which
would otherwise copy it n times.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Callable

import torch

from .errors import ArchLawError
from .ir import Pi, Term
from .sorts import (
    BoolEnc, Encoding, Finite, FloatTensor, FunctionSort, ProdOf, SampleConfig, Tolerance,
    batch_size, degenerate, map_leaves, register_arrow, take,
)

__all__ = ["TableSort", "Table", "tabulate", "to_tensor", "from_output", "symbol_arity",
           "index_axes", "refusal"]


def index_axes(enc: Encoding) -> tuple[int, ...] | None:
    """The table axes an argument of sort `enc` indexes (``Fin n``: (n,); ``Bool``: (2,); a pair:
    its parts' axes), or None when `enc` is not an index sort."""
    if isinstance(enc, Finite):
        return (enc.n,)
    if isinstance(enc, BoolEnc):
        return (2,)
    if isinstance(enc, ProdOf):
        a, b = index_axes(enc.fst), index_axes(enc.snd)
        return None if a is None or b is None else a + b
    return None


def _indices(enc: Encoding, v: Any) -> list[torch.Tensor]:
    """The long index (one per axis of `index_axes(enc)`) of batched argument values `v`."""
    if isinstance(enc, ProdOf):
        return _indices(enc.fst, v[0]) + _indices(enc.snd, v[1])
    return [v.long()]


def _table_cod(enc: Encoding) -> bool:
    """Whether values of `enc` can fill a table: floats, or a finite sort."""
    if isinstance(enc, (FloatTensor, TableSort)):
        return True
    if isinstance(enc, ProdOf):
        return _table_cod(enc.fst) and _table_cod(enc.snd)
    return enc.cardinality is not None and enc.kind != "Fun"


@dataclass(frozen=True)
class TableSort(Encoding):
    """``A₁ → … → Aₖ → X`` with index-sort arguments: values are `Table`s (module docstring).
    `args`: the argument encodings in order; `cod`: X (never itself a table: curried tables
    are flattened)."""

    args: tuple[Encoding, ...]
    cod: Encoding
    kind = "Table"

    @property
    def discrete(self) -> bool:  # type: ignore[override]
        return self.cod.discrete

    @property
    def axes(self) -> tuple[int, ...]:
        return tuple(a for e in self.args for a in index_axes(e))  # type: ignore[union-attr]

    @property
    def entries(self) -> int:
        """E, the number of table entries."""
        return math.prod(self.axes)

    def describe(self) -> str:
        return " → ".join([*(f"({e})" if e.kind in ("Prod", "Table") else str(e)
                             for e in self.args), self.cod.describe()])

    def rest(self, used: int) -> "TableSort | Encoding":
        """The sort after `used` arguments: a smaller table, or X."""
        return TableSort(self.args[used:], self.cod) if used < len(self.args) else self.cod

    # -- enumeration and sampling
    @property
    def cardinality(self) -> int | None:
        c = self.cod.cardinality
        return None if c is None else c ** self.entries

    def enumerate(self, device: torch.device) -> "Table":
        """All |X|^E tables, lexicographic with the first entry slowest."""
        c, e = self.cod.cardinality, self.entries
        assert c is not None
        k = torch.arange(c ** e, device=device)
        digits = torch.stack([torch.div(k, c ** (e - 1 - j), rounding_mode="floor") % c
                              for j in range(e)], dim=1)          # (c^e, e)
        vals = take(self.cod.enumerate(device), digits.reshape(-1))
        return Table(self, _unflat(vals, c ** e, self.axes))

    def plan(self, n, gen, cfg):
        return torch.zeros(n, dtype=torch.long)

    def numel(self, plan):
        unit = self.cod.numel(torch.zeros(1, dtype=torch.long))
        return torch.full_like(plan, self.entries * int(unit[0]))

    def materialize(self, plan, gen, cfg: SampleConfig) -> "Table":
        n = int(plan.shape[0])
        if isinstance(self.cod, FloatTensor):
            whole = FloatTensor(self.axes + tuple(self.cod.shape), self.cod.dtype)
            return Table(self, whole.materialize(plan, gen, cfg))
        m = n * self.entries
        vals = self.cod.materialize(self.cod.plan(m, gen, cfg), gen, cfg)
        return Table(self, _unflat(vals, n, self.axes))

    def degenerate(self, v: "Table", kinds: torch.Tensor) -> "Table":
        """The degenerate float inputs (`archlaw.bridge.sorts.degenerate`), the whole table as
        one value."""
        if not isinstance(self.cod, FloatTensor):
            return v
        whole = FloatTensor(self.axes + tuple(self.cod.shape), self.cod.dtype)
        return Table(self, degenerate(whole, v.dense(), kinds))

    # -- comparison and printing
    def equal(self, x: Any, y: Any, tol: Tolerance | None) -> tuple[torch.Tensor, torch.Tensor]:
        n = _cases(x, y)
        a, b = tabulate(self, x, n), tabulate(self, y, n)
        e = self.entries
        na = len(self.axes)
        ok, err = self.cod.equal(_flat(a, n * e, na), _flat(b, n * e, na), tol)
        return ok.reshape(n, e).all(1), err.reshape(n, e).amax(1)

    def render(self, v: Any, i: int) -> str:
        t = tabulate(self, take(v, torch.tensor([i])), 1)
        flat = _flat(t, self.entries, len(self.axes))
        items = [self.cod.render(flat, j) for j in range(min(self.entries, 8))]
        more = f", … ({self.entries} entries)" if self.entries > 8 else ""
        return "[" + ", ".join(items) + more + "]"

    def broadcast(self, v, n, device, dtype):
        t = torch.as_tensor(v, device=device)
        return Table(self, t.unsqueeze(0).expand(n, *t.shape).clone())


def _cases(*vs: Any) -> int:
    """N, from whichever of the values is a table rather than a function."""
    for v in vs:
        if isinstance(v, (Table, torch.Tensor, tuple)) or hasattr(v, "batch_size"):
            return batch_size(v)
    raise ArchLawError("comparing two functions over a finite type needs one of them as a "
                       "table")


def _flat(v: Any, m: int, naxes: int) -> Any:
    """A dense table value (N, *axes, ...) with `naxes` table axes as m = N·E values of X."""
    return map_leaves(v, lambda t: t.reshape(m, *t.shape[1 + naxes:]))


def _unflat(v: Any, n: int, axes: tuple[int, ...]) -> Any:
    """n·E values of X as a batched table value (n, *axes, ...)."""
    return map_leaves(v, lambda t: t.reshape(n, *axes, *t.shape[1:]))


class Table:
    """A batch of tables of a `TableSort`: `values` holds X's batched value with leading dims
    ``(M, *axes)``; case i is the table ``values[rows[i]]`` (`rows` None: case i is row i)."""

    def __init__(self, enc: TableSort, values: Any, rows: torch.Tensor | None = None):
        self.enc, self.values, self.rows = enc, values, rows

    @property
    def batch_size(self) -> int:
        return int(self.rows.shape[0]) if self.rows is not None else batch_size(self.values)

    def dense(self) -> Any:
        """The tables as one value with leading dims (N, *axes) (a copy only when selected)."""
        if self.rows is None:
            return self.values
        rows = self.rows
        return map_leaves(self.values, lambda t: t[rows.to(t.device)])

    def take(self, idx: torch.Tensor) -> "Table":
        idx = idx.long()
        return Table(self.enc, self.values, idx if self.rows is None else self.rows[idx.to(
            self.rows.device)])

    def where(self, mask: torch.Tensor, other: Any) -> "Table":
        from .sorts import where as vwhere
        n = int(mask.shape[0])
        return Table(self.enc, vwhere(mask, self.dense(), tabulate(self.enc, other, n)))

    def __call__(self, *args: Any) -> Any:
        """Application: gather the entries at the arguments' indices (curried: the remaining
        arguments index the sub-table, or apply its values)."""
        k = min(len(args), len(self.enc.args))
        idx: list[torch.Tensor] = []
        for e, a in zip(self.enc.args[:k], args[:k]):
            idx += _indices(e, a)
        n = int(idx[0].shape[0])
        rows = self.rows if self.rows is not None else torch.arange(n)
        out = map_leaves(self.values, lambda t: t[(rows.to(t.device),
                                                    *(i.to(t.device) for i in idx))])
        rest = self.enc.rest(k)
        res = Table(rest, out) if isinstance(rest, TableSort) else out
        extra = args[k:]
        if extra:
            raise ArchLawError(f"a table of sort {self.enc.describe()} applied to "
                               f"{len(args)} arguments")
        return res


def tabulate(enc: TableSort, f: Any, n: int) -> Any:
    """The dense table value (n, *axes, ...) of `f`: a `Table`, or any function value (a
    `fun`, a partial application, a binding's callable) applied once to the whole domain,
    n·E cases in one batched call."""
    if isinstance(f, Table):
        return f.dense()
    if isinstance(f, torch.Tensor):
        return f
    if not callable(f):
        raise ArchLawError(f"a value of sort {enc.describe()} must be a table or a function, "
                           f"got {type(f).__name__}")
    e = enc.entries
    dev = torch.device("cpu")
    outer = torch.arange(n).repeat_interleave(e)
    fx = take(f, outer) if hasattr(f, "take") else f
    # the domain, lexicographic with the first argument slowest (the axes' order)
    cards = [math.prod(index_axes(a)) for a in enc.args]  # type: ignore[arg-type]
    k = torch.arange(e)
    args = []
    stride = e
    for a, c in zip(enc.args, cards):
        stride //= c
        digit = torch.div(k, stride, rounding_mode="floor") % c
        args.append(take(a.enumerate(dev), digit.repeat(n)))
    out = fx(*args)
    if isinstance(out, Table) or callable(out):
        raise ArchLawError(f"a function of sort {enc.describe()} applied to its whole domain "
                           f"gave a {type(out).__name__}, not its values")
    return _unflat(out, n, enc.axes)


def to_tensor(enc: Encoding, v: Any, n: int) -> Any:
    """What a binding's callable receives for an argument of sort `enc`: a table's raw value
    (n, *axes, ...); any other value unchanged."""
    return tabulate(enc, v, n) if isinstance(enc, TableSort) else v


def from_output(enc: TableSort, out: Any, n: int | None, name: str, where: str = "") -> "Table":
    """A binding's callable's result at table sort `enc` (a raw value (n, *axes, ...)) as a
    `Table`, after checking it: leading dims (n, *axes), then a valid value of X per entry
    (`archlaw.bridge.outputs.validate_output`)."""
    from .outputs import validate_output, value_text

    if isinstance(out, Table):
        return out
    lead = None if n is None else (n, *enc.axes)
    for leaf in (out if isinstance(out, tuple) else (out,)):
        if not isinstance(leaf, torch.Tensor) or (
                lead is not None and tuple(leaf.shape[:len(lead)]) != lead):
            raise ArchLawError(f"symbol {name!r} returned {value_text(out)} for its declared "
                               f"sort {enc.describe()}: expected a table with leading dims "
                               f"{lead} (batch, then one axis per finite argument), then "
                               f"{enc.cod.describe()}'s own shape", where=where or None)
    if n is not None:
        try:
            validate_output(_flat(out, n * enc.entries, len(enc.axes)), enc.cod,
                            n * enc.entries, name, where)
        except ArchLawError as e:
            # said of the value the model returned, not of its entries flattened into one batch
            shape = getattr(enc.cod, "shape", None)
            if not isinstance(shape, tuple) or isinstance(out, tuple) \
                    or tuple(out.shape) == (*lead, *shape):  # not the shape: said as it was
                raise
            raise ArchLawError(f"symbol {name!r} returned {value_text(out)} for its declared "
                               f"sort {enc.describe()}: expected shape {(*lead, *shape)} (batch, "
                               f"one axis per finite argument, then {enc.cod.describe()}'s own "
                               "shape)", where=where or None) from e
    return Table(enc, out)


def symbol_arity(sort: Term, resolve: Callable[[Term], Encoding]) -> int:
    """How many arguments a binding's callable of `sort` takes. All its arrows, as always, except
    that a network from tables into tables stops before the result's: ``f : (Fin n → X) →
    Fin n → Y`` takes the signal and returns a table (arity 1). A function of index sorts
    (``c : Fin B → Fin B → Fin 2``) or of other data (``cell : H → Fin n → H``, H floats) still
    takes all its arguments, as before tables existed."""
    k, s, table_arg = 0, sort, False
    while isinstance(s, Pi) and not _is_prop(s):
        if table_arg:
            try:
                if isinstance(resolve(s), TableSort):
                    return k
            except ArchLawError:
                pass
        try:
            table_arg = table_arg or isinstance(resolve(s.var.sort), TableSort)
        except ArchLawError:
            pass
        k += 1
        s = s.body
    return k


def _is_prop(s: Term) -> bool:
    from .ir import is_prop
    return is_prop(s)


def refusal(enc: Encoding) -> str | None:
    """Why a binder of function sort `enc` cannot be checked (one line), or None."""
    if isinstance(enc, FunctionSort):
        if index_axes(enc.dom) is not None:
            return (f"ranges over functions of a finite type whose values are {enc.cod} "
                    f"({enc.describe()}): a function over a finite type is data (a table) only "
                    "when its values are floats or a finite sort (Fin n, Bool, pairs, finite "
                    "structures), not a list, Nat or a tree")
        return (f"ranges over functions ({enc.describe()}); make it a law parameter bound by "
                "the model")
    return None


def _arrow(dom: Encoding, cod: Encoding) -> Encoding | None:
    """The table sort of ``dom → cod``, when it is one (`register_arrow`)."""
    if index_axes(dom) is None or not _table_cod(cod):
        return None
    if isinstance(cod, TableSort):
        return TableSort((dom, *cod.args), cod.cod)
    return TableSort((dom,), cod)


register_arrow(_arrow)
