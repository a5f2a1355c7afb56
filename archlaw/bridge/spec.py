"""The torch interface a law's signature implies, and the binding derived from it.

A law such as ``ShiftEquivariant {n} {X Y} (f : (Fin n → X) → (Fin n → Y))`` fixes everything
about how a network meets it once its law parameters (``n = 12``) and sort encodings
(``X = Float[3]``) are given: `f` takes one float tensor (N, 12, 3) and returns one (N, 12, *Y);
the shift is the library's `rotate`, run from its Lean body. `law_spec` states that interface
(`LawSpec`, what `archlaw spec` prints); `derive_binding` builds the `Binding` from it, so a
stock `nn.Module` binds with no binding code:

* **batching**: every tensor has the batch axis N (the check's cases) first;
* **dtype and device**: the samples follow the module's device, and ``--dtype`` / ``dtype=``
  casts the module tree (`Binding.module`, a `ModuleDict` of the given modules, also what a
  certificate hashes);
* **finite outputs**: a result of sort ``Fin m`` (or a table of them) may be returned as long
  values or as logits over a trailing axis of m, decoded here by argmax (what the law speaks of);
* **fixed symbols**: the constants the law's fields use run from their Lean bodies (or a Python
  registration, checked against the body where there is one): nothing else is bound;
* **layout** (`LAYOUTS` below): at the binding boundary only, never in the sort;
* **stock sequence modules**: an `nn.RNN` / `nn.GRU` / `nn.LSTM` or a causal transformer
  encoder given for one symbol of a fold or machine law supplies the law's other symbols and
  its sorts (`archlaw.bridge.sequence`).

Layout letters. A table value of a float sort of at most one axis has the spec layout ``N`` (the
batch), then one letter per index axis (``L`` for one axis, ``HW`` for two, ``DHW`` for three),
then ``C`` for X's axis when it has one: a signal is ``NLC``, a grid ``NHWC``. A symbol's layout
is a permutation of those letters, e.g. ``NCL`` for ``nn.Conv1d``, ``NCHW`` for ``nn.Conv2d``,
``LNC`` for a sequence-first ``nn.TransformerEncoderLayer``; arguments are permuted into it and
the result back. Without one, a module with ``batch_first = False`` (on itself or its first
submodule that has the attribute, as torch's attention layers do) gets the sequence-first layout
``LNC``, since that is how torch will call it; anything else gets the spec layout.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Mapping

import torch

from .binding import Binding
from . import structures  # the fast paths of D4 and Perm n; a law's own structures
from .errors import ArchLawError
from .instances import is_instance
from .ir import App, Law, Pi, constants_in, is_prop, pretty
from .sequence import adapt, batch_first_of
from .sorts import BoolEnc, Encoding, Finite, FloatTensor, ListOf, ProdOf, resolve_sort
from .tables import TableSort, symbol_arity

__all__ = ["TensorSpec", "SymbolSpec", "FixedSymbol", "LawSpec", "law_spec", "binding_spec",
           "derive_binding", "spec_difference", "check_model_symbols", "encoding_of",
           "parse_encoding", "parse_assignment", "encoding_text", "split_given", "find_law",
           "AXIS_LETTERS", "symbol_sorts"]

#: the spec's letters for k index axes of a table
AXIS_LETTERS = {1: "L", 2: "HW", 3: "DHW"}


@dataclass(frozen=True)
class TensorSpec:
    """One argument or the result of a model symbol, as torch sees it.

    `shape`: ``N`` (the batch) then ints, in the spec layout; `dtype`: ``float`` (the check's
    dtype), ``long`` or ``bool``; `layout`: the spec's letters (empty where none applies);
    `decode`: how a finite result is read (None for a float or an argument)."""

    sort: str
    shape: tuple[str | int, ...]
    dtype: str
    layout: str = ""
    decode: str | None = None

    def text(self) -> str:
        dims = ", ".join(str(d) for d in self.shape)
        return (f"{self.sort}: tensor ({dims}) {self.dtype}"
                + (f", layout {self.layout}" if self.layout else "")
                + (f"; {self.decode}" if self.decode else ""))

    def to_json(self) -> dict:
        return {"sort": self.sort, "shape": list(self.shape), "dtype": self.dtype,
                "layout": self.layout, "decode": self.decode}

    @staticmethod
    def from_json(d: Mapping[str, Any]) -> "TensorSpec":
        return TensorSpec(str(d["sort"]), tuple(x if isinstance(x, int) else str(x)
                                                for x in d["shape"]),
                          str(d["dtype"]), str(d.get("layout") or ""), d.get("decode"))


@dataclass(frozen=True)
class SymbolSpec:
    """A symbol the network supplies: its Lean sort, its arguments and its result."""

    name: str
    sort: str
    arguments: tuple[TensorSpec, ...]
    result: TensorSpec

    @property
    def signature(self) -> str:
        """The sort under the given encodings, e.g. ``Float[3] → Float[4] → Float[4]``."""
        parts = [f"({a.sort})" if "→" in a.sort else a.sort for a in self.arguments]
        return " → ".join([*parts, self.result.sort])

    def to_json(self) -> dict:
        return {"name": self.name, "sort": self.sort,
                "arguments": [a.to_json() for a in self.arguments], "result": self.result.to_json()}

    @staticmethod
    def from_json(d: Mapping[str, Any]) -> "SymbolSpec":
        return SymbolSpec(str(d["name"]), str(d["sort"]),
                          tuple(TensorSpec.from_json(a) for a in d["arguments"]),
                          TensorSpec.from_json(d["result"]))


@dataclass(frozen=True)
class FixedSymbol:
    """A constant the law fixes, and where its meaning comes from (``Lean body``,
    ``Lean body and a registration checked against it``, or ``registration``)."""

    name: str
    source: str


@dataclass(frozen=True)
class LawSpec:
    """The torch interface of one law at given law parameters and sort encodings."""

    law: str
    statement: str
    params: Mapping[str, int]
    sorts: Mapping[str, str]
    symbols: tuple[SymbolSpec, ...]
    fixed: tuple[FixedSymbol, ...]

    def text(self) -> str:
        """What `archlaw spec` prints: one block per model symbol, then the fixed symbols."""
        given = [f"{k} = {v}" for k, v in self.params.items()] + \
                [f"{k} = {v}" for k, v in self.sorts.items()]
        lines = [f"{self.law} (statement {self.statement})"
                 + (f" with {', '.join(given)}" if given else "")]
        for s in self.symbols:
            lines.append(f"  model symbol {s.name} : {s.sort}")
            for i, a in enumerate(s.arguments, 1):
                lines.append(f"    argument {i}: {a.text()}")
            lines.append(f"    result: {s.result.text()}")
        lines.append("  fixed by the law: " + (", ".join(f"{f.name} ({f.source})"
                                                         for f in self.fixed) or "nothing"))
        return "\n".join(lines)

    def to_json(self) -> dict:
        return {"law": self.law, "statement": self.statement, "params": dict(self.params),
                "sorts": dict(self.sorts), "symbols": [s.to_json() for s in self.symbols],
                "fixed": [{"name": f.name, "source": f.source} for f in self.fixed]}

    @staticmethod
    def from_json(d: Mapping[str, Any]) -> "LawSpec":
        """The inverse of `to_json` (a saved model's metadata records it); a malformed value
        raises KeyError, TypeError or ValueError for the reader to report."""
        return LawSpec(str(d["law"]), str(d["statement"]),
                       {str(k): int(v) for k, v in d["params"].items()},
                       {str(k): str(v) for k, v in d["sorts"].items()},
                       tuple(SymbolSpec.from_json(x) for x in d["symbols"]),
                       tuple(FixedSymbol(str(f["name"]), str(f["source"])) for f in d["fixed"]))


# --------------------------------------------------------------------------------------------
# What the user gives: law parameters and sort encodings


def parse_encoding(text: str, where: str) -> Encoding:
    """A sort encoding written on a command line: ``float`` (a scalar), ``float[3]``,
    ``float[3,4]``, ``fin[10]`` or ``bool``; the keyword in any case, so that the form `archlaw
    spec` prints (``Float[3]``, ``Fin 10``, ``Bool``) reads back too."""
    t = text.strip().replace(" ", "").lower()
    try:
        if t.startswith("fin") and t[3:].isdigit() and int(t[3:]) >= 1:  # `Fin 10`, as printed
            return Finite(int(t[3:]))
        if t in ("float", "float[]"):
            return FloatTensor(())
        if t.startswith("float[") and t.endswith("]"):
            dims = tuple(int(d) for d in t[6:-1].split(","))
            if all(d >= 1 for d in dims):
                return FloatTensor(dims)
        if t.startswith("fin[") and t.endswith("]") and int(t[4:-1]) >= 1:
            return Finite(int(t[4:-1]))
        if t == "bool":
            return BoolEnc()
    except ValueError:
        pass
    raise ArchLawError(f"{text!r} is not a sort encoding; accepted: float, float[3], float[3,4], "
                       "fin[10], bool", where=where)


def encoding_text(enc: Encoding) -> str:
    """The command-line form of an encoding `parse_encoding` reads back (``float[3]``,
    ``fin[10]``, ``bool``); ArchLawError for one it cannot write."""
    if isinstance(enc, FloatTensor) and enc.dtype is None:
        return "float" + (f"[{','.join(str(d) for d in enc.shape)}]" if enc.shape else "")
    if isinstance(enc, Finite):
        return f"fin[{enc.n}]"
    if isinstance(enc, BoolEnc):
        return "bool"
    raise ArchLawError(f"sort {enc.describe()} has no command-line form; accepted: float, "
                       "float[3], float[3,4], fin[10], bool")


def find_law(law: Any, export: Any = None, where: str = "") -> Law:
    """`law` as an `archlaw.bridge.ir.Law`: one already, or a name (full or a unique suffix)
    looked up in `export` (default the library's `load_export()`). An unknown name, a theorem or
    another type is one `ArchLawError` line."""
    if isinstance(law, Law):
        return law
    if not isinstance(law, str):
        raise ArchLawError(f"expected a law name or an archlaw Law, not {type(law).__name__}",
                           where=where or None)
    if export is None:
        from .library import load_export
        export = load_export()
    found = export.find(law)  # an unknown name: ArchLawError with the closest names
    if not isinstance(found, Law):
        raise ArchLawError(f"{found.name} is a {found.kind}, not a law", where=where or None)
    return found


def parse_assignment(text: str, law: Law) -> tuple[str, int | Encoding]:
    """``NAME=VALUE`` for one of `law`'s parameters: a law parameter ``n=12`` (a Nat: an integer
    >= 0) or a sort ``X=float[3]`` (`parse_encoding`). The law's signature decides which."""
    name, eq, value = text.partition("=")
    where = f"argument {text!r}"
    kinds = _param_kinds(law)
    if not eq or name not in kinds or kinds[name] == "symbol":
        names = ", ".join(k for k, v in kinds.items() if v != "symbol") or "none"
        raise ArchLawError(f"expected NAME=VALUE with NAME one of {law.name}'s law parameters "
                           f"or sorts ({names})", where=where)
    if kinds[name] == "sort":
        return name, parse_encoding(value, where)
    if not value.strip().isdigit():
        raise ArchLawError(f"{name} is a Nat law parameter: give an integer >= 0", where=where)
    return name, int(value)


def _param_kinds(law: Law) -> dict[str, str]:
    """Each parameter of `law` that a user gives: ``sort``, ``nat`` or ``symbol``."""
    out: dict[str, str] = {}
    for p in law.params:
        if p.is_sort:
            out[p.name] = "sort"
        elif is_prop(p.sort) or is_instance(p):
            continue
        elif isinstance(p.sort, App) and p.sort.head_name == "Nat" and not p.sort.args:
            out[p.name] = "nat"
        elif not is_prop(_final(p.sort)):
            out[p.name] = "symbol"
    return out


def _final(t: Any) -> Any:
    while isinstance(t, Pi):
        t = t.body
    return t


# --------------------------------------------------------------------------------------------
# The spec


def _spec_letters(enc: Encoding) -> str:
    """The spec layout of a value of `enc` ('' where no layout applies)."""
    if isinstance(enc, TableSort) and isinstance(enc.cod, FloatTensor) and len(enc.cod.shape) <= 1 \
            and len(enc.axes) in AXIS_LETTERS:
        return "N" + AXIS_LETTERS[len(enc.axes)] + ("C" if enc.cod.shape else "")
    if isinstance(enc, FloatTensor) and len(enc.shape) == 1:
        return "NC"
    return ""


def _tensor_spec(enc: Encoding, result: bool) -> TensorSpec:
    axes: tuple[int, ...] = enc.axes if isinstance(enc, TableSort) else ()
    leaf = enc.cod if isinstance(enc, TableSort) else enc
    if isinstance(leaf, FloatTensor):
        return TensorSpec(enc.describe(), ("N", *axes, *leaf.shape), "float", _spec_letters(enc))
    if isinstance(leaf, Finite):
        return TensorSpec(enc.describe(), ("N", *axes), "long", "",
                          f"or logits (N, {', '.join(str(a) for a in (*axes, leaf.n))}) float, "
                          f"decoded by argmax over the last axis" if result else None)
    if isinstance(leaf, BoolEnc):
        return TensorSpec(enc.describe(), ("N", *axes), "bool")
    if isinstance(enc, ListOf):  # padded to a common length L; padding is never read
        e = _tensor_spec(enc.elem, False)
        return TensorSpec(enc.describe(), ("N", "L", *e.shape[1:]),
                          f"{e.dtype}, a ListBatch (values padded to a common L, lengths (N,) "
                          "long)")
    if isinstance(enc, ProdOf):  # a pair is a tuple of its parts' batched values
        parts = [_tensor_spec(e, False) for e in (enc.fst, enc.snd)]
        return TensorSpec(enc.describe(), ("N",), "a tuple of 2: " + "; ".join(
            f"({', '.join(str(d) for d in t.shape)}) {t.dtype}" for t in parts))
    return TensorSpec(enc.describe(), ("N", "..."), "see docs/conformance.md (batched values)")


def _fixed(law: Law) -> tuple[FixedSymbol, ...]:
    from .interpret import PROP_HEADS, registered

    bodies = {d.name for d in law.definitions}
    regs = registered()
    used: set[str] = set()
    for f in law.fields:
        used |= constants_in(f.statement)
    for d in law.definitions:
        used |= constants_in(d.body)
    out = []
    for name in sorted(used - PROP_HEADS):
        if name in bodies:
            out.append(FixedSymbol(name, "Lean body and a registration checked against it"
                                   if name in regs else "Lean body"))
        elif name in regs:
            out.append(FixedSymbol(name, "registration"))
    return tuple(out)


def _symbol_shape(law: Law, p: Any, sorts: Mapping[str, Encoding], params: Mapping[str, int]
                  ) -> tuple[tuple[Encoding, ...], Encoding]:
    where = f"law {law.name}, symbol {p.name}"
    structures.register_structures(law.structures, {d.name: d for d in law.definitions})

    def resolve(t: Any) -> Encoding:
        return resolve_sort(t, sorts, params, where=where)
    k = symbol_arity(p.sort, resolve)
    args, s = [], p.sort
    for _ in range(k):
        args.append(resolve(s.var.sort))
        s = s.body
    return tuple(args), resolve(s)


def symbol_sorts(law: Law, name: str, sorts: Mapping[str, Encoding], params: Mapping[str, int]
                 ) -> tuple[tuple[Encoding, ...], Encoding]:
    """(argument encodings, result encoding) of `law`'s symbol `name`, with the law's sorts and
    Nat parameters given (as a binding gives them); `ArchLawError` for a name that is not one of
    the law's parameters."""
    for p in law.params:
        if p.name == name:
            return _symbol_shape(law, p, sorts, params)
    raise ArchLawError(f"{law.name} has no symbol {name!r}", where=f"law {law.name}")


def split_given(law: Law, given: Mapping[str, Any], *, complete: bool = True
                ) -> tuple[dict[str, int], dict[str, Encoding], dict[str, Any]]:
    """Sort `given` (law parameter name -> value) into params, sorts and symbols, refusing a
    name the law does not have or a value of the wrong kind with one line; with `complete`,
    also a law parameter or sort not given (`_require`)."""
    kinds = _param_kinds(law)
    params: dict[str, int] = {}
    sorts: dict[str, Encoding] = {}
    symbols: dict[str, Any] = {}
    for name, v in given.items():
        kind = kinds.get(name)
        where = f"law {law.name}, {name}"
        if kind is None:
            raise ArchLawError(f"{law.name} has no parameter {name!r}; its parameters: "
                               f"{', '.join(f'{k} ({v})' for k, v in kinds.items())}", where=where)
        if kind == "nat":
            if isinstance(v, bool) or not isinstance(v, int) or v < 0:
                raise ArchLawError(f"{name} is a Nat law parameter: give an int >= 0, not {v!r}",
                                   where=where)
            params[name] = v
        elif kind == "sort":
            if isinstance(v, tuple) and all(isinstance(d, int) and d >= 1 for d in v):
                v = FloatTensor(v)
            if not isinstance(v, Encoding):
                raise ArchLawError(f"{name} is a sort: give a float shape such as (3,) or an "
                                   f"encoding from archlaw.bridge.sorts, not {v!r}", where=where)
            sorts[name] = v
        else:
            if not callable(v):
                raise ArchLawError(f"{name} is a model symbol: give a callable or nn.Module, "
                                   f"not {type(v).__name__}", where=where)
            symbols[name] = v
    if complete:
        _require(law, params, sorts)
    return params, sorts, symbols


def _require(law: Law, params: Mapping[str, int], sorts: Mapping[str, Encoding]) -> None:
    missing = [f"{k} ({v})" for k, v in _param_kinds(law).items()
               if v != "symbol" and k not in params and k not in sorts]
    if missing:
        raise ArchLawError(f"give {', '.join(missing)}", where=f"law {law.name}")


def law_spec(law: Law, *, statement: str | None = None, **given: Any) -> LawSpec:
    """The torch interface of `law` with its law parameters and sorts given by name
    (``n=12, X=(3,)``: a float sort by its shape, or any encoding; see `parse_assignment` for the
    command-line form); `statement`: the label to show (`Export.statement_label`; default the
    law's provenance). Raises `ArchLawError` for a missing or wrong-kind value."""
    params, sorts, _ = split_given(law, given)
    return _spec(law, params, sorts, statement, None)


def _spec(law: Law, params: Mapping[str, int], sorts: Mapping[str, Encoding],
          statement: str | None, only: Any) -> LawSpec:
    """`law_spec` once the values are sorted out; `only`: the model symbols to list (None:
    every symbol of the law). The spec records the law's own parameters and sorts only."""
    kinds = _param_kinds(law)
    syms = []
    for p in law.params:
        if kinds.get(p.name) == "symbol" and (only is None or p.name in only):
            args, res = _symbol_shape(law, p, sorts, params)
            syms.append(SymbolSpec(p.name, pretty(p.sort),
                                   tuple(_tensor_spec(a, False) for a in args),
                                   _tensor_spec(res, True)))
    return LawSpec(law.name, statement or law.statement_provenance,
                   {k: int(v) for k, v in params.items() if kinds.get(k) == "nat"},
                   {k: v.describe() for k, v in sorts.items() if kinds.get(k) == "sort"},
                   tuple(syms), _fixed(law))


def binding_spec(law: Law, binding: Binding, *, statement: str | None = None) -> LawSpec:
    """The spec of `law` as `binding` meets it: its encodings and parameters, and the symbols
    the network supplies (`binding.model_symbols`; the others are fixed by the binding's author).
    What a saved model records (`archlaw.models.saved`)."""
    return _spec(law, binding.params, binding.sorts, statement, binding.model_symbols)


def encoding_of(text: str) -> Encoding | None:
    """The encoding a spec's sort text names (``Float``, ``Float[3, 4]``, ``Fin 10``, ``Bool``,
    ``Nat``), as `Encoding.describe` writes it; None for any other (a registered or user
    encoding, known here by its text only)."""
    from .sorts import NatEnc

    t = text.strip()
    if t == "Float":
        return FloatTensor(())
    if t.startswith("Float[") and t.endswith("]"):
        try:
            return FloatTensor(tuple(int(d) for d in t[6:-1].split(",")))
        except ValueError:
            return None
    if t.startswith("Fin ") and t[4:].isdigit() and int(t[4:]) >= 1:
        return Finite(int(t[4:]))
    return {"Bool": BoolEnc(), "Nat": NatEnc()}.get(t)


def spec_difference(saved: LawSpec, now: LawSpec, *, shapes: bool = True) -> str | None:
    """The first difference between two specs of one model, as one phrase naming it (None when
    they agree): the law, a law parameter, a sort, a model symbol missing or extra, a symbol's
    Lean sort, an argument's or the result's tensor (sort, shape, dtype, layout, decoding), the
    constants the law fixes. The statement label and where a fixed constant's meaning comes
    from are not the model's, and are not compared. `shapes=False` compares each tensor's sort
    only (`now` was derived from sort texts that name no known encoding)."""
    if saved.law != now.law:
        return f"the spec is of law {saved.law}, not {now.law}"
    for what, a, b in (("law parameter", saved.params, now.params), ("sort", saved.sorts,
                                                                      now.sorts)):
        for k in sorted(set(a) | set(b)):
            if a.get(k) != b.get(k):
                return (f"{what} {k} is {a.get(k, 'not given')} in the saved spec, "
                        f"{b.get(k, 'not given')} now")
    mine = {s.name: s for s in saved.symbols}
    theirs = {s.name: s for s in now.symbols}
    for k in mine:
        if k not in theirs:
            return f"symbol {k} is in the saved spec but is not a model symbol of {now.law} now"
    for k in theirs:
        if k not in mine:
            return f"symbol {k} is a model symbol of {now.law} but missing from the saved spec"
    for k, a in mine.items():
        b = theirs[k]
        if a.sort != b.sort:
            return f"symbol {k} was saved as {a.sort}, the law now gives {b.sort}"
        if len(a.arguments) != len(b.arguments):
            return (f"symbol {k} was saved taking {len(a.arguments)} argument(s), the law now "
                    f"gives {len(b.arguments)}")
        for what, x, y in [*((f"argument {i}", x, y) for i, (x, y) in
                             enumerate(zip(a.arguments, b.arguments), 1)),
                           ("result", a.result, b.result)]:
            if (x != y) if shapes else (x.sort != y.sort):
                return (f"symbol {k}, {what}: saved {x.text() if shapes else x.sort}, now "
                        f"{y.text() if shapes else y.sort}")
    fa, fb = [f.name for f in saved.fixed], [f.name for f in now.fixed]
    if fa != fb:
        return f"the law fixed {', '.join(fa) or 'nothing'} when saved, now {', '.join(fb) or 'nothing'}"
    return None


def check_model_symbols(law: Law, binding: Binding) -> None:
    """Refuse, with one line naming the symbols, a hand-written binding (``--model``) that
    lacks one of `law`'s model symbols, naming what it binds instead (a typo, or a binding
    written for another law) with the closest name. A binding that binds every symbol of the
    law may bind more: one binding serves all the laws of a theorem's hypotheses."""
    import difflib

    kinds = _param_kinds(law)
    want = [k for k, v in kinds.items() if v == "symbol"]
    missing = [k for k in want if k not in binding.symbols]
    if not missing:
        return
    extra = sorted(set(binding.model_symbols) - set(want))
    hints = []
    for k in missing:
        close = difflib.get_close_matches(k, extra, n=1)
        hints.append(f"{k} (did you mean to bind {close[0]!r} as {k!r}?)" if close else k)
    raise ArchLawError(f"the binding has no symbol {', '.join(hints)}; the law's model symbols: "
                       f"{', '.join(want)}" + (f"; the binding's model symbols the law does not "
                                               f"have: {', '.join(extra)}" if extra else "")
                       + f" (`archlaw spec {law.name}` prints the law's)", where=f"law {law.name}")


def involves_float(law: Law, binding: Binding) -> bool:
    """Whether the check's dtype can change anything: a float among the binding's sorts, the
    spec's tensors or the law's statements, or a floating tensor in the module. False for a
    finite law on a lookup table, say: its report then names no dtype. When in doubt (a sort
    that does not resolve, a value of an opaque encoding), True."""
    mod = binding.module
    if mod is not None and any(t.is_floating_point() for t in (*mod.parameters(), *mod.buffers())):
        return True
    if any("Float" in pretty(f.statement) for f in law.fields) or \
            any("Float" in e.describe() for e in binding.sorts.values() if isinstance(e, Encoding)):
        return True
    kinds = _param_kinds(law)
    try:
        encs = [e for p in law.params if kinds.get(p.name) == "symbol"
                for shape in [_symbol_shape(law, p, binding.sorts, binding.params)]
                for e in (*shape[0], shape[1])]
    except (ArchLawError, NotImplementedError):
        return True
    return any(_has_float(e) for e in encs)


def _has_float(enc: Encoding) -> bool:
    """Whether values of `enc` hold floats (True for an encoding not known here)."""
    from .sorts import ListOf, LongScalar

    if isinstance(enc, (LongScalar, BoolEnc)):
        return False
    if isinstance(enc, TableSort):
        return _has_float(enc.cod)
    if isinstance(enc, ProdOf):
        return _has_float(enc.fst) or _has_float(enc.snd)
    if isinstance(enc, ListOf):
        return _has_float(enc.elem)
    return True


# --------------------------------------------------------------------------------------------
# The binding


def default_layout(module: Any) -> str | None:
    """``LNC`` for a module whose ``batch_first`` (its own, or its first submodule's that has
    one) is False, as torch calls a sequence-first layer; else None (the spec layout)."""
    return "LNC" if batch_first_of(module) is False else None


def _permutation(spec: str, layout: str, name: str) -> tuple[int, ...]:
    if sorted(spec) != sorted(layout):
        raise ArchLawError(f"layout {layout!r} is not an order of the spec's letters {spec!r}",
                           where=f"symbol {name}")
    return tuple(spec.index(ch) for ch in layout)


def _decode(out: Any, enc: Encoding) -> Any:
    """Logits over a trailing axis of m for a ``Fin m`` result (or table of them) -> argmax."""
    leaf = enc.cod if isinstance(enc, TableSort) else enc
    if isinstance(leaf, Finite) and isinstance(out, torch.Tensor) and out.is_floating_point():
        lead = 1 + (len(enc.axes) if isinstance(enc, TableSort) else 0)
        if out.dim() == lead + 1 and out.shape[-1] == leaf.n:
            return out.argmax(-1)
    return out


def _check_layout_against_module(name: str, module: Any, layout: str) -> None:
    """A layout given for a module that reads its own: refused for a stock recurrent module
    (`archlaw.bridge.sequence` calls it as its ``batch_first`` says), and when it puts the batch
    and sequence axes in the other order than the module's ``batch_first``."""
    from torch import nn

    if isinstance(module, nn.RNNBase):
        raise ArchLawError(f"layout {layout!r}: recurrent modules take no --layout (batch_first "
                           "is read from the module)", where=f"symbol {name}")
    bf = batch_first_of(module)
    if bf is None or "N" not in layout or "L" not in layout:
        return
    if bf != (layout.index("N") < layout.index("L")):
        raise ArchLawError(f"layout {layout!r} contradicts the module's batch_first={bf} (it "
                           f"takes {'(N, L, C)' if bf else '(L, N, C)'}): leave the layout out, "
                           "it is read from the module", where=f"symbol {name}")


#: The layout a stock convolution takes, by its number of spatial axes.
_CONV_LAYOUTS = {1: "NCL", 2: "NCHW"}


def _layout_hint(module: Any, name: str, args: tuple[Encoding, ...], res: Encoding
                 ) -> str | None:
    """`` (an nn.Conv1d takes (N, C, L): ...)`` for a module whose first layer is a stock
    convolution given no layout, where its channel-first layout fits the spec's tensors; a
    failure inside it is most likely the axes' order. None otherwise."""
    from torch import nn

    if not isinstance(module, nn.Module):
        return None
    conv = next((m for m in module.modules() if isinstance(m, nn.modules.conv._ConvNd)), None)
    want = _CONV_LAYOUTS.get(len(getattr(conv, "kernel_size", ()))) if conv is not None else None
    if want is None or not any(len(_spec_letters(e) or "") == len(want) for e in (*args, res)):
        return None
    return (f" (an nn.{type(conv).__name__} takes ({', '.join(want)}): try --layout {name}={want}"
            f", or layout={{{name!r}: {want!r}}})")


def _wrap(fn: Callable[..., Any], name: str, args: tuple[Encoding, ...], res: Encoding,
          layout: str | None, hint: str | None = None) -> Callable[..., Any]:
    """`fn` seen through the spec: arguments permuted from the spec layout into `layout`, the
    result permuted back and finite logits decoded. `hint` is appended to an error raised by
    `fn` (a layout that would likely fix it: `_layout_hint`)."""
    perms = []
    for a in args:
        spec = _spec_letters(a)
        perms.append(_permutation(spec, layout, name) if layout and spec and len(spec) == len(layout)
                     else None)
    rspec = _spec_letters(res)
    back = None
    if layout and rspec and len(rspec) == len(layout):
        fwd = _permutation(rspec, layout, name)
        back = tuple(fwd.index(i) for i in range(len(fwd)))
    if layout and all(p is None for p in perms) and back is None:
        raise ArchLawError(f"layout {layout!r} fits none of its tensors (spec layouts: "
                           f"{', '.join(_spec_letters(e) or '-' for e in (*args, res))})",
                           where=f"symbol {name}")

    def call(*xs: Any) -> Any:
        xs = tuple(x.permute(*p) if p is not None and isinstance(x, torch.Tensor) else x
                   for x, p in zip(xs, perms))
        if hint is None:
            out = fn(*xs)
        else:
            try:
                out = fn(*xs)
            except (RuntimeError, ValueError) as e:  # torch's channel-count error
                first = (str(e).strip().splitlines() or [""])[0]
                if "channels" not in first:  # a dtype clash, a rank error: not the layout's
                    raise
                shapes = ", ".join(f"{tuple(x.shape)}" for x in xs if isinstance(x, torch.Tensor))
                raise ArchLawError(f"symbol {name!r} raised {type(e).__name__} on arguments "
                                   f"({shapes}): {first}{hint}") from e
        if back is not None and isinstance(out, torch.Tensor):
            if out.dim() != len(back):
                raise ArchLawError(f"returned a tensor of shape {tuple(out.shape)} where its "
                                   f"layout {layout} has {len(back)} axes",
                                   where=f"symbol {name}")
            out = out.permute(*back)
        out = _decode(out, res)
        _check_dtype(out, xs, res, name)
        return out
    return call


def _check_dtype(out: Any, xs: tuple[Any, ...], res: Encoding, name: str) -> None:
    """A float result comes in the dtype its float arguments came in (the check's dtype)."""
    from .outputs import check_precision

    leaf = res.cod if isinstance(res, TableSort) else res
    if isinstance(leaf, FloatTensor):
        check_precision(out, xs, name, exact=True)


def derive_binding(law: Law, *, layout: Mapping[str, str] | None = None, **given: Any) -> Binding:
    """The `Binding` of `law` built from its spec: `given` names every law parameter and sort
    (as for `law_spec`) and every model symbol (a callable or `nn.Module`, taking and returning
    the tensors of `law_spec`); `layout` maps a symbol to its layout letters (module
    docstring). The binding's module is the given modules (a `ModuleDict` when several).

    A stock sequence module (`nn.RNN`, `nn.GRU`, `nn.LSTM`, a transformer encoder) given for a
    symbol of a fold or machine law supplies the law's other model symbols and its sorts
    (`archlaw.bridge.sequence.adapt`)."""
    params, sorts, given_symbols = split_given(law, given, complete=False)
    for k, lay in (layout or {}).items():
        if k in given_symbols:
            _check_layout_against_module(k, given_symbols[k], lay)
    symbols, sorts = adapt(law, given_symbols, sorts)
    _require(law, params, sorts)
    kinds = _param_kinds(law)
    layout = dict(layout or {})
    unknown = set(layout) - set(symbols)
    if unknown:
        raise ArchLawError(f"layout given for {', '.join(sorted(unknown))}, which is not a model "
                           f"symbol given here ({', '.join(symbols) or 'none'})",
                           where=f"law {law.name}")
    missing = [k for k, v in kinds.items() if v == "symbol" and k not in symbols]
    if missing:
        raise ArchLawError(f"give the model symbol(s) {', '.join(missing)} (a callable or "
                           f"nn.Module)", where=f"law {law.name}")
    wrapped = {}
    for p in law.params:
        if p.name in symbols:
            args, res = _symbol_shape(law, p, sorts, params)
            lay = layout.get(p.name)
            if lay is None and any(_spec_letters(e) == "NLC" for e in (*args, res)):
                lay = default_layout(symbols[p.name])
            hint = None if lay is not None else _layout_hint(symbols[p.name], p.name, args, res)
            wrapped[p.name] = _wrap(symbols[p.name], p.name, args, res, lay, hint)
    mods: dict[str, torch.nn.Module] = {}
    for k, v in given_symbols.items():  # one module given for several symbols counts once
        if isinstance(v, torch.nn.Module) and all(v is not m for m in mods.values()):
            mods[k] = v
    module = (next(iter(mods.values())) if len(mods) == 1 else
              torch.nn.ModuleDict(mods) if mods else None)
    names = ", ".join(f"{k}={type(v).__name__}" for k, v in given_symbols.items())
    return Binding(sorts, params, wrapped, frozenset(symbols), module=module,
                   metadata={"name": names, "layout": {k: v for k, v in layout.items()}})
