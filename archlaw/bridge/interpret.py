"""Interpretation: a law's terms evaluated as batched torch computations.

Every term is evaluated for a whole batch of N cases at once (the cases of a check): a variable
bound by the law's binders holds N values, a numeral is broadcast to N values, and an application
maps batches to batches. Values use the batched forms of `archlaw.bridge.binding` (see
`archlaw.bridge.sorts` for the table); propositions evaluate to ``torch.bool`` (N,).

The registry
------------
Lean constants get their meaning from a registry of batched torch functions, keyed by the
constant's full name and, where the meaning differs by sort, by the *kind* of the node's sort:
``+`` on ``Fin B`` wraps (kind ``"Fin"``), ``+`` on ``Nat`` does not (``"Nat"``), ``+`` on a float
sort adds tensors (``"Float"``). For a proposition-valued node (``≤``) the kind of its first
argument's sort is used. Users and family modules extend it::

    from archlaw.bridge.interpret import interpretation

    @interpretation("ArchLaw.carry", arity=2)
    def _carry(ctx, a, b):                  # a, b: long (N,) digits in Fin B
        B = ctx.arg_enc(0).n
        return (a + b >= B).long()           # a Fin 2 value, long (N,)

``fn(ctx, *args)`` gets the evaluated explicit arguments and an `EvalContext` (``ctx.enc``: the
encoding of the node's sort; ``ctx.arg_enc(i)``; ``ctx.n``, ``ctx.device``, ``ctx.dtype``). With
``arity=k`` the engine curries: fewer arguments give a partial application, more apply the result
to the rest. A later registration for the same (name, sort) wins over an earlier one.

A binding may also supply a constant directly: ``binding.symbols["HSMul.hSMul"]`` (a group action,
whose instance argument Lean elides) takes precedence over the registry.

Built-ins: ``List.cons List.nil HAppend.hAppend List.foldr List.foldl List.map List.length
List.take List.drop List.reverse List.sum``, ``HAdd HSub HMul HDiv HMod HPow`` on Fin/Nat and
(not HMod/HPow) on floats, ``Nat.succ Fin.val Fin.mk Prod.mk Prod.fst Prod.snd Function.comp id
ite Decidable.decide``, ``Eq Ne And Or Not Iff True False Exists LE.le LT.lt GE.ge GT.gt``,
numerals, ``fun``, ``∀`` over finite sorts inside a statement, and variable-headed application of
binding symbols (partial application included).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

import torch

from .binding import ListBatch
from .errors import ArchLawError
from .ir import ARROW_VAR, App, Lam, Lit, Pi, Sort, Term, Var, is_prop, pretty
from .hoist import MISS as _MISS
from .outputs import check_precision, validate_output
from .semantics import RAN_BODY, RAN_REGISTERED_ONLY, instantiate, weaker_ran
from .tables import TableSort, from_output, symbol_arity, tabulate, to_tensor
from .sorts import (
    Encoding, Finite, FunctionSort, ListOf, ProdOf, Tolerance, list_width, flatten_list, pad_list,
    resolve_sort, take, unflatten, where as vwhere, batch_size, map_leaves,
)

__all__ = [
    "interpretation", "Interpretation", "EvalContext", "Evaluator", "Fn", "SymbolFn",
    "registered", "PROP_HEADS", "append_lists",
]

SortMatch = None | str | Callable[[Encoding], bool]


@dataclass(frozen=True)
class Interpretation:
    """A registered meaning: `fn(ctx, *args)` for constant `head` at sorts matching `sort`."""

    head: str
    fn: Callable[..., Any]
    sort: SortMatch = None
    arity: int | None = None

    def matches(self, enc: Encoding | None) -> bool:
        if self.sort is None:
            return True
        if enc is None:
            return False
        if isinstance(self.sort, str):
            return enc.kind == self.sort or type(enc).__name__ == self.sort
        return bool(self.sort(enc))


_REGISTRY: dict[str, list[Interpretation]] = {}


def interpretation(head: str, *, sort: SortMatch = None, arity: int | None = None):
    """Decorator registering ``fn(ctx, *args)`` as the meaning of Lean constant `head`.

    `sort`: None (any sort), an encoding kind (``"Fin"``, ``"Nat"``, ``"Float"``, ``"List"``,
    ``"Prod"``, ``"Bool"``, an encoding class name) or a predicate on the node's `Encoding`.
    `arity`: the number of explicit arguments `fn` takes (None: whatever the term gives).
    """

    def deco(fn: Callable[..., Any]) -> Callable[..., Any]:
        _REGISTRY.setdefault(head, []).append(Interpretation(head, fn, sort, arity))
        return fn

    return deco


def registered() -> dict[str, tuple[Interpretation, ...]]:
    """A snapshot of the registry (for `archlaw` listings and tests)."""
    return {k: tuple(v) for k, v in _REGISTRY.items()}


#: Heads the evaluator itself gives meaning to (propositional structure).
PROP_HEADS = frozenset({"Eq", "Ne", "And", "Or", "Not", "Iff", "True", "False", "Exists"})


# --------------------------------------------------------------------------------------------
# Function values


class Fn:
    """A batched function value of known arity; calling it with fewer arguments gives a partial
    application, with more applies the result to the rest."""

    arity: int = 1

    def invoke(self, *args: Any) -> Any:
        raise NotImplementedError

    def __call__(self, *args: Any) -> Any:
        if len(args) < self.arity:
            return Partial(self, tuple(args))
        out = self.invoke(*args[: self.arity])
        rest = args[self.arity:]
        return apply(out, rest) if rest else out

    def take(self, idx: torch.Tensor) -> "Fn":
        return self


def apply(f: Any, args: tuple[Any, ...] | list[Any]) -> Any:
    """Apply a function value (a `Fn` or a plain batched callable) to arguments."""
    if not args:
        return f
    if callable(f):  # a `Fn` (its __call__ curries) or a binding's callable
        return f(*args)
    raise TypeError(f"cannot apply a value of type {type(f).__name__}")


class Partial(Fn):
    def __init__(self, fn: Fn, args: tuple[Any, ...]):
        self.fn, self.args = fn, args
        self.arity = fn.arity - len(args)

    def invoke(self, *args: Any) -> Any:
        return self.fn.invoke(*self.args, *args)

    def take(self, idx):
        return Partial(take(self.fn, idx), tuple(take(a, idx) for a in self.args))


class SymbolFn(Fn):
    """A binding's callable for a symbol of arity k (from its sort ``A₁ → … → Aₖ → R``).

    Results are validated against the declared result sort (`result`, when known) by
    `archlaw.bridge.outputs.validate_output`: shape, dtype family and batch size, and for a
    ``Fin n``/``Nat`` sort an integer tensor within range, since a decoded model never produces
    anything else (``Fin`` arithmetic would otherwise wrap an out-of-range value into a plausible
    one). Without a known sort, a tensor must still have the batch's leading dimension."""

    def __init__(self, name: str, f: Callable[..., Any], arity: int, where: str = "",
                 result: Encoding | None = None, arg_encs: tuple[Encoding | None, ...] = ()):
        self.name, self.f, self.arity, self.where, self.result = name, f, arity, where, result
        self.arg_encs = arg_encs

    def invoke(self, *args: Any) -> Any:
        n = _first_batch(args) if args else None
        if n is not None and any(isinstance(e, TableSort) for e in self.arg_encs):
            # a table argument reaches the model as its raw tensor (`archlaw.bridge.tables`)
            args = tuple(to_tensor(e, a, n) if e is not None else a
                         for e, a in zip(self.arg_encs + (None,) * len(args), args))
        out = _guard(lambda: self.f(*args), f"symbol {self.name!r}", args, self.where)
        check_precision(out, args, self.name, self.where)
        if isinstance(self.result, TableSort):
            return from_output(self.result, out, n, self.name, self.where)
        if self.result is not None:
            # checked here, where the value came from, so no later symbol takes the blame
            validate_output(out, self.result, n, self.name, self.where)
        elif n is not None and isinstance(out, torch.Tensor) and (out.dim() == 0
                                                                 or out.shape[0] != n):
            raise ArchLawError(f"symbol {self.name!r} returned shape {tuple(out.shape)} for a "
                               f"batch of {n} cases; a binding's callables are batched "
                               "(leading dim N)", where=self.where or None)
        return out


def _guard(call: Callable[[], Any], what: str, args: tuple[Any, ...], where: str) -> Any:
    """Run `call`; an exception other than `ArchLawError` (a model or interpretation that fails
    on the law's inputs) becomes one `ArchLawError` line naming `what` (the cause is chained)."""
    try:
        return call()
    except ArchLawError:
        raise
    except Exception as e:  # noqa: BLE001 - reported as a user-facing one-line error
        shapes = ", ".join(_shape(a) for a in args)
        first = str(e).strip().splitlines()[0] if str(e).strip() else ""
        raise ArchLawError(f"{what} raised {type(e).__name__} on arguments ({shapes}): {first}"
                           f"{_dtype_hint(first, args)}", where=where or None) from e


#: How torch words a clash between an input's dtype and a module's parameters.
_DTYPE_CLASH = ("should be the same", "expected scalar type", "must have the same dtype",
                "expected both vectors to have same dtype", "found dtype")


def _dtype_hint(message: str, args: tuple[Any, ...]) -> str:
    """A hint when `message` is torch's dtype clash: the samples' dtype is set by the check
    (float32 unless asked), so a half- or double-precision module needs ``--dtype``."""
    floats = sorted({str(a.dtype).replace("torch.", "") for a in args
                     if isinstance(a, torch.Tensor) and a.is_floating_point()})
    if not floats or not any(k in message for k in _DTYPE_CLASH):
        return ""
    return (f" (the check's samples are {', '.join(floats)}: a model in another precision needs "
            "--dtype float16/bfloat16/float64, or check_law(..., dtype=...), which casts the "
            "module and the samples together)")


def _shape(v: Any) -> str:
    if isinstance(v, torch.Tensor):
        return f"{str(v.dtype).replace('torch.', '')}{list(v.shape)}"
    if isinstance(v, ListBatch):
        return f"ListBatch(lengths{list(v.lengths.shape)})"
    if isinstance(v, tuple):
        return "(" + ", ".join(_shape(x) for x in v) + ")"
    return type(v).__name__


def _first_batch(args: tuple[Any, ...]) -> int | None:
    for a in args:
        try:
            return batch_size(a)
        except TypeError:
            continue
    return None


class Closure(Fn):
    """``fun x => body`` closed over a batched environment."""

    arity = 1

    def __init__(self, ev: "Evaluator", lam: Lam, env: Mapping[str, Any]):
        self.ev, self.lam, self.env = ev, lam, env

    @property
    def batch_size(self) -> int:
        """N: a `fun` stands for one function per case (a table, once tabulated)."""
        return self.ev.n

    def invoke(self, x: Any) -> Any:
        n = _first_batch((x,))
        ev = self.ev if n is None or n == self.ev.n else self.ev.with_n(n)
        return ev.eval(self.lam.body, {**self.env, self.lam.var.name: x})

    def take(self, idx):
        return Closure(self.ev.with_n(int(idx.shape[0])), self.lam,
                       {k: take(v, idx) for k, v in self.env.items()})


class InterpFn(Fn):
    """A registered interpretation, curried at its declared arity."""

    def __init__(self, interp: Interpretation, ctx: "EvalContext", arity: int):
        self.interp, self.ctx, self.arity = interp, ctx, arity

    def invoke(self, *args: Any) -> Any:
        n = _first_batch(args)
        ctx = self.ctx if n is None or n == self.ctx.n else self.ctx.with_n(n)
        return _guard(lambda: self.interp.fn(ctx, *args), f"interpretation of `{self.interp.head}`",
                      args, ctx.ev.where)


class BodyFn(Fn):
    """A definition run from its Lean body (`archlaw.bridge.semantics.instantiate`): its
    explicit parameters bound to the batched argument values, the body evaluated batched."""

    def __init__(self, ev: "Evaluator", inst, arity: int):
        self.ev, self.inst, self.arity = ev, inst, arity

    def invoke(self, *args: Any) -> Any:
        n = _first_batch(args)
        ev = self.ev if n is None or n == self.ev.n else self.ev.with_n(n)
        return ev.eval(self.inst.body, {v.name: a for v, a in zip(self.inst.params, args)})


class Composed(Fn):
    arity = 1

    def __init__(self, f: Any, g: Any):
        self.f, self.g = f, g

    def invoke(self, x: Any) -> Any:
        return apply(self.f, (apply(self.g, (x,)),))

    def take(self, idx):
        return Composed(take(self.f, idx), take(self.g, idx))


# --------------------------------------------------------------------------------------------
# Evaluation


@dataclass
class EvalContext:
    """What an interpretation sees besides its arguments."""

    node: App
    enc: Encoding | None  # the encoding of the node's sort (None for a proposition)
    ev: "Evaluator"
    arg_sorts: tuple[Term, ...] = ()

    @property
    def n(self) -> int:
        return self.ev.n

    @property
    def device(self) -> torch.device:
        return self.ev.device

    @property
    def dtype(self) -> torch.dtype:
        return self.ev.dtype

    def arg_enc(self, i: int) -> Encoding:
        """The encoding of the sort of explicit argument `i`."""
        return self.ev.resolve(self.arg_sorts[i])

    def result_enc(self, extra_args: int = 0) -> Encoding:
        """The encoding of the result after `extra_args` more arguments (for curried nodes)."""
        s = self.node.sort
        for _ in range(extra_args):
            assert isinstance(s, Pi)
            s = s.body
        return self.ev.resolve(s)

    def with_n(self, n: int) -> "EvalContext":
        return EvalContext(self.node, self.enc, self.ev.with_n(n), self.arg_sorts)


def _arity_of_sort(s: Term) -> int:
    k = 0
    while isinstance(s, Pi) and not is_prop(s):
        k += 1
        s = s.body
    return k


@dataclass
class Evaluator:
    """Evaluates terms for a batch of `n` cases.

    `sorts`: encodings of the law's sort parameters; `params`: Nat law parameters;
    `symbols`: the binding's symbols (callables, or values for 0-ary symbols) plus any constants
    it overrides by full name; `symbol_sorts`: each symbol's sort (for its arity);
    `tol`: float tolerance; `where`: "law X, field y" for error messages; `definitions`: the
    law's definitions by name, run from their bodies where no interpretation is registered
    (`archlaw.bridge.semantics`). `ran` records how each constant ran (shared by `with_n`).
    """

    sorts: Mapping[str, Any]
    params: Mapping[str, int]
    symbols: Mapping[str, Any]
    symbol_sorts: Mapping[str, Term]
    n: int
    device: torch.device = torch.device("cpu")
    dtype: torch.dtype = torch.float32
    tol: Tolerance | None = None
    where: str = ""
    _cache: dict = field(default_factory=dict, repr=False)
    definitions: Mapping[str, Any] = field(default_factory=dict)
    ran: dict = field(default_factory=dict, repr=False)
    #: `cross_check(ev, node, interp, definition)`, called before a registered interpretation
    #: of a constant that also has a body runs (`archlaw.bridge.crosscheck.agree`): returns how
    #: it ran (`semantics.HOW_RAN`) or raises naming the first disagreeing case
    cross_check: Callable[..., str] | None = None
    #: this chunk's binder values and ids (`archlaw.bridge.hoist`): terms that mention only
    #: some binders run once per distinct value; dropped by `with_n` to another size
    hoist: Any = None

    def with_n(self, n: int) -> "Evaluator":
        if n == self.n:
            return self
        return Evaluator(self.sorts, self.params, self.symbols, self.symbol_sorts, n, self.device,
                         self.dtype, self.tol, self.where, self._cache, self.definitions,
                         self.ran, self.cross_check)

    def resolve(self, sort: Term) -> Encoding:
        key = ("sort", sort)
        if key not in self._cache:
            self._cache[key] = resolve_sort(sort, self.sorts, self.params, where=self.where)
        return self._cache[key]

    def error(self, msg: str, node: Term | None = None) -> ArchLawError:
        at = f" in `{pretty(node)}`" if node is not None else ""
        return ArchLawError(msg + at, where=self.where or None)

    # -- values -------------------------------------------------------------------------------

    def eval(self, t: Term, env: Mapping[str, Any]) -> Any:
        """The batched value of term `t` (a proposition gives torch.bool (N,))."""
        if isinstance(t, Lit):
            if not isinstance(t.value, int):
                raise self.error("string literals have no interpretation", t)
            return self.resolve(t.sort).lit(t.value, self.n, self.device, self.dtype)
        if isinstance(t, Var):
            return self._var(t, env)
        if isinstance(t, Lam):
            return Closure(self, t, dict(env))
        if isinstance(t, Pi) or (isinstance(t, App) and t.head_name in PROP_HEADS):
            return self.prop(t, env)[0]
        if isinstance(t, Sort):
            raise self.error(f"a universe ({t.name}) has no value", t)
        assert isinstance(t, App)
        if self.hoist is not None:
            got = self.hoist.run(self, t, env)
            if got is not _MISS:
                return got
        if isinstance(t.head, Var):
            f = self._var(t.head, env)
            return apply(f, tuple(self.eval(a, env) for a in t.args))
        return self._const(t, env)

    def _var(self, v: Var, env: Mapping[str, Any]) -> Any:
        if v.name in env:
            return env[v.name]
        if v.name in self.symbols:
            val = self.symbols[v.name]
            sort = self.symbol_sorts.get(v.name, v.sort)
            k = symbol_arity(sort, self.resolve)
            if k > 0:
                if not callable(val):
                    raise self.error(f"binding.symbols[{v.name!r}] must be a batched callable of "
                                     f"{k} arguments, got {type(val).__name__}", v)
                return val if isinstance(val, Fn) else SymbolFn(v.name, val, k, self.where,
                                                                self._codomain(sort, k),
                                                                self._domains(sort, k))
            return self._constant(v.name, val, sort)
        if v.name in self.params:
            return torch.full((self.n,), int(self.params[v.name]), dtype=torch.long, device=self.device)
        raise self.error(f"variable {v.name!r} has no value: bind it in binding.symbols "
                         f"(symbols) or binding.params (Nat parameters)", v)

    def _constant(self, name: str, val: Any, sort: Term) -> Any:
        """A 0-ary symbol's value (or 0-argument callable's result) broadcast to n cases."""
        enc = self.resolve(sort)
        if callable(val) and not isinstance(val, (torch.Tensor, ListBatch, tuple)):
            val = _guard(val, f"symbol {name!r}", (), self.where)
        out = _guard(lambda: enc.broadcast(val, self.n, self.device, self.dtype),
                     f"broadcasting symbol {name!r} to {enc.describe()}", (val,), self.where)
        validate_output(out, enc, self.n, name, self.where)
        return out

    def _codomain(self, sort: Term, k: int) -> Encoding | None:
        """The encoding after k arrows of `sort` (None when it cannot be resolved)."""
        for _ in range(k):
            if not isinstance(sort, Pi):
                return None
            sort = sort.body
        try:
            return None if isinstance(sort, Sort) else self.resolve(sort)
        except ArchLawError:
            return None

    def _domains(self, sort: Term, k: int) -> tuple[Encoding | None, ...]:
        """The encodings of the first k argument sorts of `sort` (None where unresolvable)."""
        out: list[Encoding | None] = []
        for _ in range(k):
            if not isinstance(sort, Pi):
                break
            try:
                out.append(self.resolve(sort.var.sort))
            except ArchLawError:
                out.append(None)
            sort = sort.body
        return tuple(out)

    def _const(self, t: App, env: Mapping[str, Any]) -> Any:
        head = t.head
        assert isinstance(head, str)
        args = tuple(self.eval(a, env) for a in t.args)
        if head in self.symbols:  # a constant supplied by the binding (a group action, ...)
            val = self.symbols[head]
            arity = len(args) + _arity_of_sort(t.sort)
            if arity == 0:
                return self._constant(head, val, t.sort)
            if not callable(val):
                raise self.error(f"binding.symbols[{head!r}] must be callable (it takes {arity} "
                                 "arguments)", t)
            f = val if isinstance(val, Fn) else SymbolFn(head, val, arity, self.where,
                                                         self._codomain(t.sort, arity - len(args)))
            return apply(f, args)
        prop = is_prop(t)
        arg_sorts = tuple(a.sort for a in t.args)
        match_enc = None
        if prop:
            if t.args and not isinstance(t.args[0].sort, Sort):
                match_enc = self.resolve(t.args[0].sort)
            enc = None
        else:
            enc = match_enc = self._node_enc(t)
        interp = self._lookup(head, match_enc, t, none_ok=head in self.definitions)
        if interp is None:
            return self._body(t, args)
        if head in self.definitions and self.cross_check is not None:
            how = self.cross_check(self, t, interp, self.definitions[head])
            self.ran[head] = weaker_ran(self.ran.get(head), how)
        elif head in self.definitions or getattr(interp.fn, "__module__", None) != __name__:
            # a library's or user's constant (not one of the built-ins below): reports list it
            self.ran[head] = weaker_ran(self.ran.get(head), RAN_REGISTERED_ONLY)
        ctx = EvalContext(t, enc, self, arg_sorts)
        what = f"interpretation of `{head}`"
        if interp.arity is None:
            return _guard(lambda: interp.fn(ctx, *args), what, args, self.where)
        if len(args) < interp.arity:
            missing = interp.arity - len(args)
            ctx = EvalContext(t, ctx.result_enc(missing), self, arg_sorts)
            return Partial(InterpFn(interp, ctx, interp.arity), args) if args else InterpFn(interp, ctx, interp.arity)
        out = _guard(lambda: interp.fn(ctx, *args[: interp.arity]), what, args, self.where)
        return apply(out, args[interp.arity:])

    def _node_enc(self, t: App) -> Encoding | None:
        if isinstance(t.sort, Sort):
            return None
        return self.resolve(t.sort)

    def _body(self, t: App, args: tuple[Any, ...]) -> Any:
        """`t` (a definition's application) run from the definition's Lean body."""
        d = self.definitions[t.head]
        inst = instantiate(d, tuple(a.sort for a in t.args), t.sort, self._cache, self.where)
        self.ran[d.name] = weaker_ran(self.ran.get(d.name), RAN_BODY)
        fn = BodyFn(self, inst, len(inst.params))
        # a definition without parameters (a table, a constant) is its body's value, applied
        # or not; before, unapplied, it stayed an unevaluated function of no arguments
        return apply(fn.invoke() if fn.arity == 0 else fn, args)

    def _lookup(self, head: str, enc: Encoding | None, node: App,
                none_ok: bool = False) -> Interpretation | None:
        cands = _REGISTRY.get(head, [])
        # for partial applications the node's sort is an arrow: match on its final codomain too
        encs = [enc]
        e = enc
        while isinstance(e, (FunctionSort, TableSort)):
            e = e.cod
            encs.append(e)
        for cand in reversed(cands):
            if any(cand.matches(x) for x in encs):
                return cand
        if none_ok:
            return None
        at = f" at sort {enc.describe()}" if enc is not None else ""
        known = "" if not cands else f" (registered only for other sorts: {[c.sort for c in cands]})"
        raise self.error(
            f"no interpretation for constant `{head}`{at}{known}, and no Lean body of it in the "
            "definition fragment (docs/semantics.md); register one with "
            f"@archlaw.bridge.interpret.interpretation({head!r}, sort=...) or supply it as "
            f"binding.symbols[{head!r}]", node)

    # -- propositions --------------------------------------------------------------------------

    def prop(self, t: Term, env: Mapping[str, Any]) -> tuple[torch.Tensor, torch.Tensor]:
        """(holds bool (N,), error float64 (N,)). The error is the comparison error of the
        equations involved (0 where the proposition holds exactly, 0/1 for discrete sorts)."""
        n, dev = self.n, self.device
        zeros = torch.zeros(n, dtype=torch.float64, device=dev)
        if isinstance(t, Pi):
            if is_prop(t.var.sort):  # implication
                h, _ = self.prop(t.var.sort, env)
                inner = dict(env)
                if t.var.name != ARROW_VAR:
                    inner[t.var.name] = h
                c, e = self.prop(t.body, inner)
                return (~h) | c, torch.where(h, e, zeros)
            return self._quantify(t.var, t.body, env, forall=True)
        if isinstance(t, App) and isinstance(t.head, str):
            h, a = t.head, t.args
            if h == "True" and not a:
                return torch.ones(n, dtype=torch.bool, device=dev), zeros
            if h == "False" and not a:
                return torch.zeros(n, dtype=torch.bool, device=dev), zeros + 1
            if h in ("Eq", "Ne") and len(a) == 2:
                enc = self.resolve(a[0].sort)
                lhs, rhs = self.eval(a[0], env), self.eval(a[1], env)
                if isinstance(enc, TableSort):  # functions compared as their tables
                    lhs, rhs = tabulate(enc, lhs, n), tabulate(enc, rhs, n)
                ok, err = _guard(lambda: enc.equal(lhs, rhs, self.tol),
                                 f"comparing values of sort {enc.describe()}", (lhs, rhs), self.where)
                if h == "Eq":
                    return ok, err
                return ~ok, torch.where(ok, zeros + 1, zeros)
            if h == "And" and len(a) == 2:
                (p, ep), (q, eq) = self.prop(a[0], env), self.prop(a[1], env)
                return p & q, torch.maximum(ep, eq)
            if h == "Or" and len(a) == 2:
                (p, ep), (q, eq) = self.prop(a[0], env), self.prop(a[1], env)
                ok = p | q
                return ok, torch.where(ok, zeros, torch.minimum(ep, eq))
            if h == "Not" and len(a) == 1:
                p, _ = self.prop(a[0], env)
                return ~p, torch.where(p, zeros + 1, zeros)
            if h == "Iff" and len(a) == 2:
                p, _ = self.prop(a[0], env)
                q, _ = self.prop(a[1], env)
                ok = p == q
                return ok, torch.where(ok, zeros, zeros + 1)
            if h == "Exists" and len(a) == 1 and isinstance(a[0], Lam):
                return self._quantify(a[0].var, a[0].body, env, forall=False)
        v = self.eval(t, env)
        if not (isinstance(v, torch.Tensor) and v.dtype == torch.bool):
            raise self.error("a proposition must evaluate to a torch.bool tensor", t)
        return v, torch.where(v, zeros, zeros + 1)

    def _quantify(self, var: Var, body: Term, env: Mapping[str, Any], *, forall: bool):
        enc = self.resolve(var.sort)
        k = enc.cardinality
        q = "∀" if forall else "∃"
        if k is None:
            raise self.error(f"{q} over the infinite sort {enc.describe()} inside a statement "
                             "cannot be decided; make it a leading binder of the field", body)
        n = self.n
        outer = torch.arange(n, device=self.device).repeat_interleave(k)
        inner = torch.arange(k, device=self.device).repeat(n)
        env2 = {name: take(v, outer) for name, v in env.items()}
        env2[var.name] = take(enc.enumerate(self.device), inner)
        ok, err = self.with_n(n * k).prop(body, env2)
        ok, err = ok.reshape(n, k), err.reshape(n, k)
        if forall:
            return ok.all(1), err.amax(1)
        hit = ok.any(1)
        return hit, torch.where(hit, torch.zeros_like(err[:, 0]), err.amin(1))


# --------------------------------------------------------------------------------------------
# Built-in interpretations

def _fin_n(ctx: EvalContext) -> int:
    enc = ctx.enc
    assert isinstance(enc, Finite)
    return enc.n


@interpretation("HAdd.hAdd", sort="Fin", arity=2)
def _fin_add(ctx, a, b):
    return (a + b) % _fin_n(ctx)


@interpretation("HSub.hSub", sort="Fin", arity=2)
def _fin_sub(ctx, a, b):
    n = _fin_n(ctx)
    return (a - b) % n


@interpretation("HMul.hMul", sort="Fin", arity=2)
def _fin_mul(ctx, a, b):
    return (a * b) % _fin_n(ctx)


def _nat_div(ctx, a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    return torch.where(b == 0, torch.zeros_like(a), torch.div(a, b.clamp_min(1), rounding_mode="floor"))


def _nat_mod(ctx, a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    return torch.where(b == 0, a, torch.remainder(a, b.clamp_min(1)))


# `/` and `%` mean the same on Fin and Nat (on the values: `x / 0 = 0`, `x % 0 = x`; a Fin quotient
# or remainder stays below n), so one definition serves both sorts (Fin registered first, as before).
for _sort in ("Fin", "Nat"):
    interpretation("HDiv.hDiv", sort=_sort, arity=2)(_nat_div)
    interpretation("HMod.hMod", sort=_sort, arity=2)(_nat_mod)


@interpretation("HAdd.hAdd", sort="Nat", arity=2)
def _nat_add(ctx, a, b):
    return a + b


@interpretation("HSub.hSub", sort="Nat", arity=2)
def _nat_sub(ctx, a, b):
    return (a - b).clamp_min(0)


@interpretation("HMul.hMul", sort="Nat", arity=2)
def _nat_mul(ctx, a, b):
    return a * b


@interpretation("HPow.hPow", sort="Nat", arity=2)
def _nat_pow(ctx, a, b):
    return a ** b


@interpretation("Nat.succ", arity=1)
def _succ(ctx, a):
    return a + 1


@interpretation("HAdd.hAdd", sort="Float", arity=2)
def _f_add(ctx, a, b):
    return a + b


@interpretation("HSub.hSub", sort="Float", arity=2)
def _f_sub(ctx, a, b):
    return a - b


@interpretation("HMul.hMul", sort="Float", arity=2)
def _f_mul(ctx, a, b):
    return a * b


@interpretation("HDiv.hDiv", sort="Float", arity=2)
def _f_div(ctx, a, b):
    return a / b


@interpretation("Neg.neg", sort="Float", arity=1)
def _f_neg(ctx, a):
    return -a


@interpretation("Fin.val", arity=1)
def _fin_val(ctx, a):
    return a


@interpretation("Fin.mk", arity=1)
def _fin_mk(ctx, a):  # the proof argument is elided
    return a


@interpretation("Bool.true", arity=0)
def _true(ctx):
    return torch.ones(ctx.n, dtype=torch.bool, device=ctx.device)


@interpretation("Bool.false", arity=0)
def _false(ctx):
    return torch.zeros(ctx.n, dtype=torch.bool, device=ctx.device)


@interpretation("not", arity=1)
def _bnot(ctx, b):
    return ~b


@interpretation("and", arity=2)
def _band(ctx, a, b):
    return a & b


@interpretation("or", arity=2)
def _bor(ctx, a, b):
    return a | b


@interpretation("Fin.rev", arity=1)
def _fin_rev(ctx, i):  # Fin.rev i = n - 1 - i
    return _fin_n(ctx) - 1 - i


@interpretation("Decidable.decide", arity=1)
def _decide(ctx, p):
    return p


def _cmp(op):
    def fn(ctx, a, b):
        return op(a, b)
    return fn


for _name, _op in (("LE.le", torch.le), ("LT.lt", torch.lt), ("GE.ge", torch.ge), ("GT.gt", torch.gt)):
    interpretation(_name, arity=2)(_cmp(_op))


@interpretation("ite", arity=3)
def _ite(ctx, c, a, b):
    return vwhere(c, a, b)


@interpretation("Prod.mk", arity=2)
def _pmk(ctx, a, b):
    return (a, b)


@interpretation("Prod.fst", arity=1)
def _fst(ctx, p):
    return p[0]


@interpretation("Prod.snd", arity=1)
def _snd(ctx, p):
    return p[1]


@interpretation("Function.comp", arity=2)
def _comp(ctx, f, g):
    return Composed(f, g)


@interpretation("id", arity=1)
def _id(ctx, x):
    return x


# -- lists ---------------------------------------------------------------------------------------

def _leaves2(a: Any, b: Any, f: Callable[[torch.Tensor, torch.Tensor], torch.Tensor]) -> Any:
    if isinstance(a, torch.Tensor):
        return f(a, b)
    if isinstance(a, tuple):
        return tuple(_leaves2(x, y, f) for x, y in zip(a, b))
    if isinstance(a, ListBatch):  # lengths per position (nested lists) are leaves too
        return ListBatch(_leaves2(a.values, b.values, f),
                         f(a.lengths, b.lengths) if b.lengths.dim() > 1 else a.lengths)
    raise TypeError(f"unsupported list element value {type(a).__name__}")


def _pad_to(t: torch.Tensor, dims: list[int]) -> torch.Tensor:
    """Zero-pad the axes after the first two of `t` to `dims` (a nested list's inner widths)."""
    pad: list[int] = []
    for axis in range(t.dim() - 1, 1, -1):
        pad += [0, dims[axis - 2] - t.shape[axis]]
    return torch.nn.functional.pad(t, pad) if any(pad) else t


def _cat_front(x: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
    """`x` (N, ...) put in front of `t` (N, L, ...) along axis 1, inner widths padded alike."""
    x = x.unsqueeze(1).to(t.dtype)
    if x.shape[2:] != t.shape[2:]:
        dims = [max(a, b) for a, b in zip(x.shape[2:], t.shape[2:])]
        x, t = _pad_to(x, dims), _pad_to(t, dims)
    return torch.cat([x, t], dim=1)


def _elem_enc(ctx: EvalContext, enc: Encoding | None = None) -> Encoding:
    enc = enc or ctx.enc
    if not isinstance(enc, ListOf):
        raise ctx.ev.error(f"expected a list sort, got {enc}", ctx.node)
    return enc.elem


def _at(lb: ListBatch, p: int) -> Any:
    return map_leaves(lb.values, lambda t: t[:, p])


def _gather(lb: ListBatch, idx: torch.Tensor) -> Any:
    """values[i, idx[i, j]] for an index (N, L') into positions."""

    def g(t: torch.Tensor) -> torch.Tensor:
        ix = idx.reshape(*idx.shape, *([1] * (t.dim() - 2))).expand(*idx.shape, *t.shape[2:])
        return torch.gather(t, 1, ix)

    return map_leaves(lb.values, g)


@interpretation("List.nil", arity=0)
def _nil(ctx):
    elem = _elem_enc(ctx)
    return ListBatch(elem.empty(ctx.n, ctx.device, ctx.dtype),
                     torch.zeros(ctx.n, dtype=torch.long, device=ctx.device))


@interpretation("List.cons", arity=2)
def _cons(ctx, a, xs: ListBatch):
    return ListBatch(_leaves2(a, xs.values, _cat_front), xs.lengths + 1)


@interpretation("HAppend.hAppend", sort="List", arity=2)
def _append(ctx, xs: ListBatch, ys: ListBatch):
    return append_lists(xs, ys)


def append_lists(xs: ListBatch, ys: ListBatch) -> ListBatch:
    """Case-wise ``xs ++ ys`` of two list batches of the same N."""
    lx, ly = list_width(xs), list_width(ys)
    if ly == 0:
        return ListBatch(xs.values, xs.lengths + ys.lengths)
    total = lx + ly
    xs_p = pad_list(xs, total)
    pos = torch.arange(total, device=xs.lengths.device).unsqueeze(0)
    from_x = pos < xs.lengths.unsqueeze(1)
    yidx = (pos - xs.lengths.unsqueeze(1)).clamp(0, ly - 1)
    ypart = _gather(ys, yidx)
    vals = _leaves2(xs_p.values, ypart, lambda a, b: torch.where(
        from_x.reshape(*from_x.shape, *([1] * (a.dim() - 2))), a, b))
    return ListBatch(vals, xs.lengths + ys.lengths)


@interpretation("List.foldr", arity=3)
def _foldr(ctx, f, init, xs: ListBatch):
    acc = init
    for p in reversed(range(list_width(xs))):
        live = p < xs.lengths
        if not bool(live.any()):
            continue
        acc = vwhere(live, apply(f, (_at(xs, p), acc)), acc)
    return acc


@interpretation("List.foldl", arity=3)
def _foldl(ctx, f, init, xs: ListBatch):
    acc = init
    for p in range(list_width(xs)):
        live = p < xs.lengths
        if not bool(live.any()):
            break
        acc = vwhere(live, apply(f, (acc, _at(xs, p))), acc)
    return acc


@interpretation("List.map", arity=2)
def _map(ctx, f, xs: ListBatch):
    n, length = xs.batch_size, list_width(xs)
    out_elem = _elem_enc(ctx)
    if length == 0:
        return ListBatch(out_elem.empty(n, ctx.device, ctx.dtype), xs.lengths)
    idx = torch.arange(n, device=xs.lengths.device).repeat_interleave(length)
    fx = take(f, idx) if isinstance(f, Fn) else f
    out = apply(fx, (flatten_list(xs),))
    return ListBatch(unflatten(out, n, length), xs.lengths)


@interpretation("List.length", arity=1)
def _length(ctx, xs: ListBatch):
    return xs.lengths


@interpretation("List.take", arity=2)
def _take(ctx, k, xs: ListBatch):
    return ListBatch(xs.values, torch.minimum(xs.lengths, k))


@interpretation("List.drop", arity=2)
def _drop(ctx, k, xs: ListBatch):
    length = list_width(xs)
    if length == 0:
        return xs
    pos = torch.arange(length, device=xs.lengths.device).unsqueeze(0)
    idx = (pos + k.unsqueeze(1)).clamp(max=length - 1)
    return ListBatch(_gather(xs, idx), (xs.lengths - k).clamp_min(0))


@interpretation("List.reverse", arity=1)
def _reverse(ctx, xs: ListBatch):
    length = list_width(xs)
    if length == 0:
        return xs
    pos = torch.arange(length, device=xs.lengths.device).unsqueeze(0)
    idx = (xs.lengths.unsqueeze(1) - 1 - pos).clamp(0, length - 1)
    return ListBatch(_gather(xs, idx), xs.lengths)


@interpretation("List.sum", arity=1)
def _sum(ctx, xs: ListBatch):
    length = list_width(xs)
    vals = xs.values
    if not isinstance(vals, torch.Tensor):
        raise ctx.ev.error("List.sum needs a list of numbers", ctx.node)
    live = torch.arange(length, device=vals.device).unsqueeze(0) < xs.lengths.unsqueeze(1)
    live = live.reshape(*live.shape, *([1] * (vals.dim() - 2)))
    out = torch.where(live, vals, torch.zeros_like(vals)).sum(1)
    if isinstance(ctx.enc, Finite):
        out = out % ctx.enc.n
    return out
