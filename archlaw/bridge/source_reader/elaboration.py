"""Stage 6 of the source reader: syntax trees to typed IR terms.

In: the `S` trees of one command, read in its `Scope` of one file, against the `Library`. Out:
IR terms (`archlaw.bridge.ir`) in which every node keeps its sort, implicit and instance
arguments are solved by unification and elided, and numerals default to ``Nat``
(`_Elab.finish`); `_close` wraps a declaration's parameters around its type. Errors are `_Fail`
at a source position.
"""

from __future__ import annotations

from typing import Callable, Iterable, NoReturn, Optional, Union

from ..errors import ArchLawError
from ..ir import ARROW_VAR, PROP, TYPE, App, Lam, Lit, Pi, Sort, Term, Var, children, sort_of_pi
from .commands import Scope
from .constants import _ALIASES, _CORE_FIELDS
from .terms import S, BinderGroup, _Fail
from .unification import Meta, TermM, _head_const, _map_term, _Metas, _subst

# `_Elab` takes the `SourceReader` (reader.py) that owns the library; it is named, not imported,
# so that the stages stay in layers (reader.py imports this module).


class _Elab:
    """Elaborates syntax of the fragment to typed IR terms in one scope of one file."""

    #: skip explicit arguments whose type is a proposition (definition bodies, `bodies.py`:
    #: a proof carries no data); statements keep them
    skip_proofs = False

    def __init__(self, reader: "SourceReader", file: str, scope: Scope, extra_ns: tuple[str, ...] = ()):
        self.reader = reader
        self.lib = reader.lib
        self.file = file
        self.scope = scope
        self.namespaces = scope.namespaces + extra_ns
        self.metas = _Metas(self.lib.delta)
        self.locals: list[Var] = []
        self.broken_vars: dict[str, ArchLawError] = {}

    # -- errors
    def fail(self, pos: tuple[int, int], msg: str, accepted: bool = False) -> NoReturn:
        raise _Fail(pos, msg, accepted)

    # -- names
    def lookup_local(self, name: str) -> Optional[Var]:
        for v in reversed(self.locals):
            if v.name == name:
                return v
        return None

    def resolve_global(self, name: str) -> Optional[str]:
        if name.startswith("_root_."):
            n = name[len("_root_."):]
            return n if n in self.lib.consts else None
        for ns in reversed(self.namespaces):
            cand = f"{ns}.{name}"
            if cand in self.lib.consts:
                return cand
        if name in self.lib.consts:
            return name
        for o in reversed(self.scope.opens):
            for base in [*(f"{ns}.{o}" for ns in reversed(self.namespaces)), o]:
                cand = f"{base}.{name}"
                if cand in self.lib.consts:
                    return cand
        if name in _ALIASES:
            return _ALIASES[name]
        return None

    def signature(self, name: str, pos: tuple[int, int]) -> Term:
        try:
            return self.lib.signature(name, pos)
        except _Fail as f:
            raise _Fail(pos, f"{f.msg} (in the header of {name})") from None

    # -- entry points
    def elab(self, s: S, expected: Optional[TermM]) -> TermM:
        t = self._elab(s, expected)
        if expected is not None:
            self.expect_sort(t, expected, s.pos)
        return t

    def sort_of(self, t: TermM) -> TermM:
        if isinstance(t, Meta):
            return self.metas.new((0, 0), "sort")
        s = t.sort
        return s if s is not None else TYPE

    def expect_sort(self, t: TermM, expected: TermM, pos: tuple[int, int]) -> None:
        if isinstance(t, Sort):
            return   # `Prop`/`Type` where a type is expected
        if not self.metas.unify(self.sort_of(t), expected):
            got = self.show(self.sort_of(t))
            want = self.show(expected)
            self.fail(pos, f"type mismatch: {self.show(t)} has type {got} but {want} is expected"
                           " (no coercions are inserted: write .val where Lean would insert ↑)")

    def show(self, t: TermM) -> str:
        from ..ir import pretty
        z = self.metas.zonk(t)
        try:
            return pretty(self._hide_metas(z))
        except Exception:
            return "?"

    def _hide_metas(self, t: TermM) -> Term:
        if isinstance(t, Meta):
            return Var("?", TYPE)
        if isinstance(t, (Sort,)):
            return t
        return _map_term(t, self._hide_metas,
                         lambda pi, var, body: pi.sort if not isinstance(pi.sort, Meta) else PROP)

    def elab_type(self, s: S) -> TermM:
        t = self._elab(s, None)
        if not isinstance(t, Sort):
            srt = self.metas.shallow(self.sort_of(t))
            if not isinstance(srt, (Sort, Meta)):
                self.fail(s.pos, f"expected a type, got {self.show(t)} of type {self.show(srt)}")
        return t

    # -- the cases
    def _elab(self, s: S, expected: Optional[TermM]) -> TermM:
        k = s.kind
        if k == "paren":
            return self._elab(s.args[0], expected)
        if k == "num":
            v = int(s.text)
            exp = self.metas.shallow(expected) if expected is not None else None
            if exp is not None and not isinstance(exp, Meta):
                return Lit(v, exp)
            if isinstance(exp, Meta):
                m = self.metas.new(s.pos, f"the type of the numeral {v}", numeral=True)
                self.metas.unify(exp, m)
                return Lit(v, m)
            return Lit(v, self.metas.new(s.pos, f"the type of the numeral {v}", numeral=True))
        if k == "str":
            return Lit(s.text, App("String", (), TYPE))
        if k == "sort":
            if s.text in ("Prop", "Type"):
                return Sort(s.text)
            if s.text.startswith("Type ") or s.text == "Sort" or s.text.startswith("Sort "):
                return Sort(s.text)
            self.fail(s.pos, f"unknown sort {s.text}")
        if k == "ascribe":
            ty = self.elab_type(s.args[1])
            return self.elab(s.args[0], ty)
        if k in ("ident", "app", "proj"):
            return self.elab_app(s, [], expected)
        if k == "binop":
            return self.app_const(s.text, s.pos, list(s.args), expected)
        if k == "not":
            return self.app_const("Not", s.pos, [s.args[0]], expected)
        if k == "ite":
            return self.app_const("ite", s.pos, list(s.args), expected)
        if k == "arrow":
            dom = self.elab_type(s.args[0])
            cod = self.elab_type(s.args[1])
            return Pi(Var(ARROW_VAR, dom), cod, "explicit", sort_of_pi(self._sort_now(cod)))
        if k == "forall":
            groups, body = s.args
            return self.binders_then(groups, lambda: self.elab_type(body), "pi")
        if k == "exists":
            groups, body = s.args
            return self.exists(list(groups), body)
        if k == "fun":
            groups, body = s.args
            return self.fun(list(groups), body, expected)
        if k == "tuple":
            items = list(s.args)
            if len(items) > 2:
                items = [items[0], S("tuple", items[1].pos, tuple(items[1:]))]
            return self.app_const("Prod.mk", s.pos, items, expected)
        if k == "list":
            return self.list_lit(list(s.args), s.pos, expected)
        self.fail(s.pos, f"{k} is outside the fragment", True)

    def _sort_now(self, t: TermM) -> Optional[TermM]:
        t = self.metas.shallow(t)
        if isinstance(t, Meta):
            return None
        s = t.sort
        return self.metas.shallow(s) if s is not None else None

    def list_lit(self, items: list[S], pos: tuple[int, int], expected: Optional[TermM]) -> TermM:
        if not items:
            return self.app_const("List.nil", pos, [], expected)
        head, rest = items[0], items[1:]
        return self.app_const("List.cons", pos, [head, S("list", pos, tuple(rest))], expected)

    def bind(self, name: str, ty: TermM) -> Var:
        v = Var(name, ty)
        self.locals.append(v)
        return v

    def binders_then(self, groups: Iterable[BinderGroup], body: Callable[[], TermM], kind: str) -> TermM:
        bound: list[tuple[Var, str]] = []
        n0 = len(self.locals)
        try:
            for g in groups:
                ty = self.elab_type(g.type) if g.type is not None else None
                for name, npos in g.names:
                    t = ty if ty is not None else self.metas.new(npos, f"the type of {name}")
                    bound.append((self.bind(name, t), g.binder))
            b = body()
        finally:
            del self.locals[n0:]
        for v, binder in reversed(bound):
            if kind == "pi":
                b = Pi(v, b, binder, sort_of_pi(self._sort_now(b)))
            else:
                b = Lam(v, b)
        return b

    def exists(self, groups: list[BinderGroup], body: S) -> TermM:
        flat = [(name, npos, g) for g in groups for name, npos in g.names]
        for _, npos, g in flat:
            if g.binder != "explicit":
                self.fail(npos, "∃ takes explicit binders: ∃ (x : T), p", True)
        n0 = len(self.locals)
        vars_: list[Var] = []
        try:
            tys: dict[int, TermM] = {}
            for name, npos, g in flat:
                key = id(g)
                if key not in tys:
                    tys[key] = self.elab_type(g.type) if g.type is not None else \
                        self.metas.new(npos, f"the type of {name}")
                vars_.append(self.bind(name, tys[key]))
            b = self.elab(body, PROP)
        finally:
            del self.locals[n0:]
        out = b
        for v in reversed(vars_):
            out = App("Exists", (Lam(v, out),), PROP)
        return out

    def fun(self, groups: list[BinderGroup], body: S, expected: Optional[TermM]) -> TermM:
        flat = [(name, npos, g) for g in groups for name, npos in g.names]
        n0 = len(self.locals)
        vars_: list[Var] = []
        exp = expected
        try:
            for name, npos, g in flat:
                if g.binder != "explicit":
                    self.fail(npos, "fun takes explicit binders in the fragment", True)
                exp = self.metas.shallow(exp) if exp is not None else None
                dom: Optional[TermM] = None
                if isinstance(exp, Pi):
                    dom = exp.var.sort
                if g.type is not None:
                    ty = self.elab_type(g.type)
                    if dom is not None and not self.metas.unify(ty, dom):
                        self.fail(npos, f"binder {name} : {self.show(ty)} but the expected type "
                                        f"wants {self.show(dom)}")
                else:
                    ty = dom if dom is not None else self.metas.new(npos, f"the type of {name}")
                v = self.bind(name, ty)
                vars_.append(v)
                if isinstance(exp, Pi):
                    exp = _subst(exp.body, {exp.var.name: v}) if exp.var.name != ARROW_VAR else exp.body
                else:
                    exp = None
            b = self.elab(body, exp) if exp is not None else self._elab(body, None)
        finally:
            del self.locals[n0:]
        out = b
        for v in reversed(vars_):
            out = Lam(v, out)
        return out

    # -- applications
    def elab_app(self, s: S, extra: list[S], expected: Optional[TermM]) -> TermM:
        """Elaborate `s` applied to `extra` arguments, flattening nested applications."""
        if s.kind == "app":
            fn, *args = s.args
            return self.elab_app(fn, list(args) + extra, expected)
        if s.kind == "paren":
            return self.elab_app(s.args[0], extra, expected)
        if s.kind == "ident":
            return self.ident_app(s, extra, expected)
        if s.kind == "proj":
            base = self._elab(s.args[0], None)
            return self.field_app(base, s.text, s.pos, extra, expected)
        if not extra:
            return self._elab(s, expected)
        if s.kind == "fun":
            self.fail(s.pos, "a fun applied to arguments (a β-redex) is outside the fragment", True)
        head = self._elab(s, None)
        return self.apply_term(head, s.pos, extra, expected)

    def apply_term(self, head: TermM, pos: tuple[int, int], extra: list[S],
                   expected: Optional[TermM]) -> TermM:
        """Apply an elaborated term (a constant application or a variable) to more arguments."""
        if not extra:
            return head
        head = self.metas.shallow(head)
        if isinstance(head, Var):
            return self.spine(head, head.sort, [], pos, extra, expected)
        if isinstance(head, App):
            return self.spine(head.head, head.sort, list(head.args), pos, extra, expected)
        self.fail(pos, "only a constant or a variable can be applied in the fragment", True)

    def ident_app(self, s: S, extra: list[S], expected: Optional[TermM]) -> TermM:
        name = s.text
        comps = _split_name(name)
        v = self.lookup_local(comps[0])
        if v is not None:
            t: TermM = v
            fields = comps[1:]
            if not fields:
                return self.spine(v, v.sort, [], s.pos, extra, expected) if extra else v
            for f in fields[:-1]:
                t = self.field_app(t, f, s.pos, [], None)
            return self.field_app(t, fields[-1], s.pos, extra, expected)
        if comps[0] in self.broken_vars:
            raise self.broken_vars[comps[0]]
        for k in range(len(comps), 0, -1):
            full = self.resolve_global(".".join(comps[:k]))
            if full is not None:
                rest = comps[k:]
                if not rest:
                    return self.app_const_full(full, s.pos, extra, expected)
                t = self.app_const_full(full, s.pos, [], None)
                for f in rest[:-1]:
                    t = self.field_app(t, f, s.pos, [], None)
                return self.field_app(t, rest[-1], s.pos, extra, expected)
        self.fail(s.pos, f"unknown identifier '{name}' (not a local, not a constant of the "
                         f"library under the root, not in the reader's table of Lean core)")

    def app_const(self, name: str, pos: tuple[int, int], args: list[S],
                  expected: Optional[TermM]) -> TermM:
        return self.app_const_full(name, pos, args, expected)

    def app_const_full(self, name: str, pos: tuple[int, int], args: list, expected: Optional[TermM],
                       pre: Optional[tuple[int, TermM]] = None) -> TermM:
        sig = self.signature(name, pos)
        return self.spine(name, sig, [], pos, args, expected, pre)

    def field_app(self, base: TermM, fname: str, pos: tuple[int, int], extra: list[S],
                  expected: Optional[TermM]) -> TermM:
        """``base.fname extra...``: projections and generalized field notation."""
        srt = self.metas.shallow(self.metas.zonk(self.sort_of(base)))
        if isinstance(srt, Pi):
            tname = "Function"
        else:
            tname = _head_const(srt)
        if tname is None:
            self.fail(pos, f"cannot resolve .{fname}: the type of {self.show(base)} is "
                           f"{self.show(srt)}, not a named type (add a type ascription)")
        if fname.isdigit():
            fields = self.struct_fields(tname)
            i = int(fname)
            if not fields or not (1 <= i <= len(fields)):
                self.fail(pos, f".{fname} on {tname}: not a structure field index")
            fname = fields[i - 1]
        full = f"{tname}.{fname}"
        if full not in self.lib.consts:
            self.fail(pos, f"unknown field or function {full} (for .{fname} on {self.show(base)} : "
                           f"{self.show(srt)})")
        sig = self.signature(full, pos)
        # the base goes to the first explicit argument whose type is headed by tname
        t = sig
        j = 0
        while isinstance(t, Pi):
            if t.binder == "explicit":
                if _head_const(t.var.sort) == tname or (tname == "Function" and isinstance(t.var.sort, Pi)):
                    return self.spine(full, sig, [], pos, extra, expected, pre=(j, base))
                j += 1
            t = t.body
        self.fail(pos, f"{full} has no explicit argument of type {tname} for field notation")

    def struct_fields(self, tname: str) -> tuple[str, ...]:
        if tname in _CORE_FIELDS:
            return _CORE_FIELDS[tname]
        e = self.lib.consts.get(tname)
        return e.fields if e else ()

    def spine(self, head: Union[str, Var], sig: TermM, done: list[TermM], pos: tuple[int, int],
              args: list, expected: Optional[TermM], pre: Optional[tuple[int, TermM]] = None) -> TermM:
        """Apply `head` (of type `sig`, already applied to `done`) to explicit `args`.

        Implicit and instance arguments become metavariables (solved by unification, elided);
        `pre` = (index, term) puts an already-elaborated term at that explicit position.
        """
        hname = head if isinstance(head, str) else head.name
        named = {a.text: a for a in args if isinstance(a, S) and a.kind == "named"}
        args = [a for a in args if not (isinstance(a, S) and a.kind == "named")]
        t: TermM = sig
        slots: list[tuple[Union[S, TermM], TermM, Meta]] = []
        k = 0            # next syntax argument
        j = 0            # explicit position
        pending_pre = pre

        def flush() -> None:
            for i, (a, ty, ph) in enumerate(slots):
                if ph.id in self.metas.assign:
                    continue
                self._fill(a, ty, ph)

        while True:
            t = self.metas.shallow(t)
            if isinstance(t, Pi):
                if t.var.name in named and t.var.name != ARROW_VAR:
                    na = named.pop(t.var.name)
                    v = self.elab(na.args[0], self.metas.zonk(t.var.sort))
                    if t.binder == "explicit":
                        ph = self.metas.new(pos, f"argument {j + 1} of {hname}")
                        self.metas.assign[ph.id] = v
                        slots.append((v, t.var.sort, ph))
                        j += 1
                    t = _subst(t.body, {t.var.name: v})
                    continue
                if t.binder != "explicit":
                    m = self.metas.new(pos, f"the implicit argument {t.var.name} of {hname}")
                    t = _subst(t.body, {t.var.name: m})
                    continue
                arg: Union[S, TermM, None] = None
                if pending_pre is not None and pending_pre[0] == j:
                    arg = pending_pre[1]
                    pending_pre = None
                elif k < len(args):
                    arg = args[k]
                    k += 1
                if arg is None:
                    break
                if self.skip_proofs and isinstance(arg, S) and self._sort_now(t.var.sort) == PROP:
                    j += 1
                    t = _subst(t.body, {t.var.name: Var("_proof", t.var.sort)}) \
                        if t.var.name != ARROW_VAR else t.body
                    continue
                ph = self.metas.new(pos, f"argument {j + 1} of {hname}")
                slots.append((arg, t.var.sort, ph))
                t = _subst(t.body, {t.var.name: ph})
                j += 1
                continue
            if isinstance(t, App) and (k < len(args) or pending_pre is not None):
                d = self.lib.delta(t)          # a function type behind an abbrev
                if d is not None:
                    t = d
                    continue
            if isinstance(t, Meta) and (k < len(args) or pending_pre is not None):
                flush()
                t2 = self.metas.zonk(t)
                if isinstance(t2, Meta):
                    self.fail(pos, f"cannot apply {hname}: its type is not known here "
                                   "(add a type ascription)")
                t = t2
                continue
            break
        if named:
            na = next(iter(named.values()))
            self.fail(na.pos, f"{hname} has no argument named {na.text}")
        if k < len(args) or pending_pre is not None:
            extra_pos = args[k].pos if k < len(args) and isinstance(args[k], S) else pos
            self.fail(extra_pos, f"too many arguments for {hname} : {self.show(sig)}")
        if expected is not None:
            self.metas.unify(expected, t)   # propagate; a mismatch is reported by the caller
        # lambdas last, so that their binder types are known from the other arguments
        order = sorted(range(len(slots)), key=lambda i: isinstance(slots[i][0], S)
                       and slots[i][0].kind == "fun")
        for i in order:
            a, ty, ph = slots[i]
            if ph.id not in self.metas.assign:
                self._fill(a, ty, ph)
        new_args = [self.metas.shallow(ph) for _, _, ph in slots]
        return App(head, tuple(done) + tuple(new_args), t)

    def _fill(self, a: Union[S, TermM], ty: TermM, ph: Meta) -> None:
        if isinstance(a, S):
            v = self.elab(a, self.metas.zonk(ty))
        else:
            v = a
            self.expect_sort(v, ty, ph.origin)
        self.metas.assign[ph.id] = v

    # -- finishing
    def finish(self, t: TermM, where: str = "") -> Term:
        """Zonk, default numerals to Nat, refuse unsolved metavariables."""
        z = self.metas.zonk(t)
        changed = True
        while changed:
            changed = False
            for m in self._metas_in(z):
                if m.numeral:
                    self.metas.assign[m.id] = App("Nat", (), TYPE)
                    changed = True
            if changed:
                z = self.metas.zonk(z)
        left = self._metas_in(z)
        if left:
            m = min(left, key=lambda m: m.origin)
            self.fail(m.origin, f"cannot infer {m.what}; give it explicitly (e.g. with a type "
                                "ascription (e : T))")
        return z  # type: ignore[return-value]

    def _metas_in(self, t: TermM) -> list[Meta]:
        out: list[Meta] = []

        def go(x: TermM) -> None:
            x = self.metas.shallow(x)
            if isinstance(x, Meta):
                out.append(x)
            else:
                for c in children(x):  # type: ignore[arg-type]
                    go(c)
        go(t)
        return out


def _split_name(name: str) -> list[str]:
    parts: list[str] = []
    cur = ""
    i = 0
    while i < len(name):
        c = name[i]
        if c == "«":
            k = name.index("»", i)
            cur += name[i + 1:k]
            i = k + 1
            continue
        if c == ".":
            parts.append(cur)
            cur = ""
        else:
            cur += c
        i += 1
    parts.append(cur)
    return parts


def _close(el: "_Elab", params: list[tuple[Var, str]], t: TermM, implicit: bool = False) -> TermM:
    """``∀ params, t`` (the first parameter outermost), each ∀'s sort as the elaborator has it
    now; `implicit` makes the explicit binders implicit (a structure's parameters, as its
    projections and constructor take them)."""
    for v, b in reversed(params):
        t = Pi(v, t, "implicit" if implicit and b == "explicit" else b, sort_of_pi(el._sort_now(t)))
    return t

