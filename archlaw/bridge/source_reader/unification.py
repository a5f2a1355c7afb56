"""Stage 4 of the source reader: metavariables and first-order unification over IR terms.

In: typed IR terms (`archlaw.bridge.ir`) that may hold `Meta` unknowns, and a function that
unfolds an ``abbrev`` (from the library). Out: `_Metas` (new unknowns, unification, zonking),
substitution and free variables (`_subst`, `_fv`), the sort of a ∀ by Lean's universe rule
(`_pi_sort`), and `_normalize`, which names the variable of every non-dependent ∀ ``_``.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from typing import Callable, Optional, Union

from ..ir import ARROW_VAR, PROP, TYPE, App, Lam, Lit, Pi, Sort, Term, Var, sort_of_pi
from .terms import _Fail


@dataclass(frozen=True)
class Meta:
    """An unknown term, solved by unification (internal; never leaves this package)."""

    id: int
    origin: tuple[int, int]
    what: str
    numeral: bool = False

    @property
    def sort(self) -> None:
        return None


TermM = Union[Term, Meta]


def _map_term(t: TermM, f: Callable[[TermM], TermM],
              pi_sort: Optional[Callable[[Pi, Var, TermM], TermM]] = None) -> TermM:
    """`t` (a `Var`, `App`, `Lit`, `Lam` or `Pi`) rebuilt with `f` applied to each child term (a
    string head stays); a `Pi`'s sort is ``pi_sort(t, var, body)``, by default recomputed from the
    new children (`_pi_sort`). The leaves (`Sort`, `Meta`) are the caller's to handle."""
    if isinstance(t, Var):
        return Var(t.name, f(t.sort))
    if isinstance(t, App):
        head = t.head if isinstance(t.head, str) else f(t.head)
        return App(head, tuple(f(a) for a in t.args), f(t.sort))
    if isinstance(t, Lit):
        return Lit(t.value, f(t.sort))
    if isinstance(t, (Lam, Pi)):
        var = Var(t.var.name, f(t.var.sort))
        body = f(t.body)
        if isinstance(t, Lam):
            return Lam(var, body)
        return Pi(var, body, t.binder,
                  pi_sort(t, var, body) if pi_sort is not None else _pi_sort(var.sort, body))
    raise TypeError(t)


def _fv(t: TermM) -> set[str]:
    if isinstance(t, (Sort, Meta)):
        return set()
    if isinstance(t, Var):
        return {t.name} | _fv(t.sort)
    if isinstance(t, App):
        out = _fv(t.sort)
        if isinstance(t.head, Var):
            out |= _fv(t.head)
        for a in t.args:
            out |= _fv(a)
        return out
    if isinstance(t, Lit):
        return _fv(t.sort)
    if isinstance(t, Lam):
        return _fv(t.var.sort) | (_fv(t.body) - {t.var.name})
    if isinstance(t, Pi):
        return _fv(t.var.sort) | (_fv(t.body) - {t.var.name}) | _fv(t.sort)
    return set()


def _subst(t: TermM, env: dict[str, TermM]) -> TermM:
    if not env or isinstance(t, (Sort, Meta)):
        return t
    if isinstance(t, Var):
        if t.name in env:
            return env[t.name]
        return Var(t.name, _subst(t.sort, env))
    if isinstance(t, App):
        head = t.head
        args = tuple(_subst(a, env) for a in t.args)
        if isinstance(head, Var):
            new = env.get(head.name)
            if new is not None:
                if isinstance(new, Var):
                    head = new
                elif isinstance(new, App) and not args:
                    return new
                elif isinstance(new, App):
                    return App(new.head, new.args + args, _subst(t.sort, env))
                else:
                    raise _Fail((0, 0), f"cannot substitute {head.name} in head position")
            else:
                head = Var(head.name, _subst(head.sort, env))
        return App(head, args, _subst(t.sort, env))
    if isinstance(t, Lit):
        return Lit(t.value, _subst(t.sort, env))
    inner = {k: v for k, v in env.items() if k != t.var.name}
    var = Var(t.var.name, _subst(t.var.sort, env))
    if isinstance(t, Lam):
        return Lam(var, _subst(t.body, inner))
    return Pi(var, _subst(t.body, inner), t.binder, _subst(t.sort, env))


class _Metas:
    def __init__(self, delta: Optional[Callable[[App], Optional[TermM]]] = None) -> None:
        self.assign: dict[int, TermM] = {}
        self.all: list[Meta] = []
        self._ids = itertools.count()
        #: unfolds an application of an ``abbrev`` (None when it cannot)
        self.delta = delta

    def new(self, origin: tuple[int, int], what: str, numeral: bool = False) -> Meta:
        m = Meta(next(self._ids), origin, what, numeral)
        self.all.append(m)
        return m

    def shallow(self, t: TermM) -> TermM:
        while isinstance(t, Meta) and t.id in self.assign:
            t = self.assign[t.id]
        return t

    def zonk(self, t: TermM) -> TermM:
        t = self.shallow(t)
        if isinstance(t, (Sort, Meta)):
            return t
        return _map_term(t, self.zonk)

    def occurs(self, m: Meta, t: TermM) -> bool:
        t = self.shallow(t)
        if isinstance(t, Meta):
            return t.id == m.id
        if isinstance(t, Sort):
            return False
        if isinstance(t, Var):
            return self.occurs(m, t.sort)
        if isinstance(t, App):
            return any(self.occurs(m, a) for a in t.args) or self.occurs(m, t.sort) or (
                isinstance(t.head, Var) and self.occurs(m, t.head))
        if isinstance(t, Lit):
            return self.occurs(m, t.sort)
        return self.occurs(m, t.var.sort) or self.occurs(m, t.body)

    def unify(self, a: TermM, b: TermM) -> bool:
        """First-order unification up to renaming of bound variables; all-or-nothing."""
        saved = dict(self.assign)
        ok = self._unify(a, b)
        if not ok:
            self.assign = saved
        return ok

    def _unify(self, a: TermM, b: TermM) -> bool:
        a, b = self.shallow(a), self.shallow(b)
        if a is b or a == b:
            return True
        if isinstance(a, Meta) or isinstance(b, Meta):
            if isinstance(b, Meta) and not isinstance(a, Meta):
                a, b = b, a
            assert isinstance(a, Meta)
            if isinstance(b, Meta) and a.numeral and not b.numeral:
                # the representative (end of the chain) keeps the "numeral" flag, so that
                # defaulting to Nat still applies
                a, b = b, a
                assert isinstance(a, Meta)
            if self.occurs(a, b):
                return False
            self.assign[a.id] = b
            return True
        if isinstance(a, Sort) and isinstance(b, Sort):
            return (a.name == "Prop") == (b.name == "Prop")
        if isinstance(a, Var) and isinstance(b, Var):
            return a.name == b.name
        if isinstance(a, Lit) and isinstance(b, Lit):
            return a.value == b.value and self._unify(a.sort, b.sort)
        if isinstance(a, App) and isinstance(b, App):
            ha = a.head if isinstance(a.head, str) else a.head.name
            hb = b.head if isinstance(b.head, str) else b.head.name
            if ha == hb and isinstance(a.head, str) == isinstance(b.head, str) \
                    and len(a.args) == len(b.args):
                saved = dict(self.assign)
                if all(self._unify(x, y) for x, y in zip(a.args, b.args)):
                    return True
                self.assign = saved
            return self._unfold_and_unify(a, b)
        if isinstance(a, Pi) and isinstance(b, Pi) or isinstance(a, Lam) and isinstance(b, Lam):
            if not self._unify(a.var.sort, b.var.sort):
                return False
            bb = b.body
            if b.var.name != a.var.name:
                bb = _subst(bb, {b.var.name: Var(a.var.name, a.var.sort)})
            return self._unify(a.body, bb)
        return self._unfold_and_unify(a, b)

    def _unfold_and_unify(self, a: TermM, b: TermM) -> bool:
        """Definitional unfolding of ``abbrev``s, as Lean's `isDefEq` would (one side at a time)."""
        if self.delta is None:
            return False
        for x, y, flip in ((a, b, False), (b, a, True)):
            if isinstance(x, App) and isinstance(x.head, str):
                d = self.delta(x)
                if d is not None:
                    return self._unify(y, d) if flip else self._unify(d, y)
        return False


def _sort_level(s: TermM) -> Optional[int]:
    """The level u of a universe ``Sort u``: Prop 0, Type 1, Type n n+1 (None if symbolic)."""
    if isinstance(s, Sort):
        if s.name == "Prop":
            return 0
        if s.name == "Type":
            return 1
        m = re.fullmatch(r"Type (\d+)", s.name)
        if m:
            return int(m.group(1)) + 1
    return None


def _univ(t: TermM) -> Optional[int]:
    """The u with ``t : Sort u`` for a type `t` (None when it involves universe variables)."""
    if isinstance(t, Sort):
        lv = _sort_level(t)
        return None if lv is None else lv + 1
    if isinstance(t, Pi):
        b = _univ(t.body)
        if b == 0:
            return 0
        a = _univ(t.var.sort)
        return None if a is None or b is None else max(a, b)
    if isinstance(t, Meta):
        return None
    return _sort_level(t.sort) if t.sort is not None else None


def _pi_sort(var_sort: TermM, body: TermM) -> Sort:
    """The sort of ``∀ (x : var_sort), body`` as Lean computes it (``imax``): ``Prop`` for a
    proposition, ``Type`` for ``A → B`` with ``A B : Type``, ``Type 1`` for ``Type → Type``."""
    b = _univ(body)
    if b == 0:
        return PROP
    a = _univ(var_sort)
    if a is None or b is None:
        return sort_of_pi(getattr(body, "sort", None))
    u = max(a, b)
    return PROP if u == 0 else TYPE if u == 1 else Sort(f"Type {u - 1}")


def _normalize(t: Term) -> Term:
    """Name the variable of every non-dependent ∀ ``_`` (the convention both producers follow)."""
    if isinstance(t, (Sort,)):
        return t
    if isinstance(t, Pi):
        body = _normalize(t.body)
        name = t.var.name if t.var.name in _fv(body) else ARROW_VAR
        dom = _normalize(t.var.sort)
        return Pi(Var(name, dom), body, t.binder, _pi_sort(dom, body))
    return _map_term(t, _normalize)


def _head_const(t: TermM) -> Optional[str]:
    if isinstance(t, App) and isinstance(t.head, str):
        return t.head
    return None
