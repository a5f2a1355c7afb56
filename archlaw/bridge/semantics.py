"""Definitions run from their Lean bodies: instantiation by substitution.

A law's terms may apply constants that the library (or the user) *defines* in Lean: ``rotate``,
``ArchLaw.Carry.carry``, a user's ``twice``. Their bodies travel with the law
(`archlaw.bridge.ir.Law.definitions`, read by the source reader's `bodies` stage or exported by
Lean), and the interpreter (`archlaw.bridge.interpret`) runs them: an application
``App(c, args, sort)`` of a definition ``c params : type := body`` is evaluated as `body` with

* its implicit parameters found again from the sorts of `args` and of the node (first-order
  matching: ``carry {B} (a b : Fin B)`` applied to digits of ``Fin 10`` has ``B := 10``), and
* its explicit parameters replaced by fresh variables that the evaluator binds to the batched
  values of `args` (so an argument, a model's output say, is computed once however often the
  body mentions it).

The instantiated body is an ordinary term, evaluated batched over all cases at once like the
law's own terms: no Python loop per case. `instantiate` caches it per (constant, implicit
arguments), so a body is elaborated once per check.

How each constant ran is recorded (`RAN_BODY`, `RAN_REGISTERED`, ...) so that reports list
which constants ran from their Lean bodies.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

from .errors import ArchLawError
from .ir import App, Definition, Lam, Lit, Pi, Sort, Term, Var, free_vars, pretty, substitute

__all__ = [
    "Instance", "instantiate", "match_term", "RAN_BODY", "RAN_REGISTERED_AGREES",
    "RAN_REGISTERED_ONLY", "HOW_RAN", "definitions_by_name",
]

#: How a constant ran, as reports list it (issue 14): from its Lean body; through a registered
#: interpretation checked against the body; through a registration alone (no readable body).
RAN_BODY = "body"
RAN_REGISTERED_AGREES = "registered, agrees with body"
RAN_REGISTERED_ONLY = "registered only"
HOW_RAN = (RAN_BODY, RAN_REGISTERED_AGREES, RAN_REGISTERED_ONLY)


def weaker_ran(a: str | None, b: str) -> str:
    """Of two ways one constant ran, the one that leaves more trusted (later in `HOW_RAN`): a
    constant run from its body at one node and by an unchecked registration at another is
    reported ``registered only``, never ``body``."""
    return b if a is None else max(a, b, key=HOW_RAN.index)


def match_term(pat: Term, tgt: Term, holes: frozenset[str], subst: dict[str, Term]) -> bool:
    """First-order matching of `pat` (whose free variables named in `holes` are unknowns)
    against `tgt`; extends `subst`. Sorts of variables are not matched (they follow)."""
    if isinstance(pat, Var) and pat.name in holes:
        if pat.name in subst:
            return subst[pat.name] == tgt
        subst[pat.name] = tgt
        return True
    if isinstance(pat, Var):
        return isinstance(tgt, Var) and tgt.name == pat.name
    if isinstance(pat, Sort):
        return isinstance(tgt, Sort)
    if isinstance(pat, Lit):
        return isinstance(tgt, Lit) and tgt.value == pat.value
    if isinstance(pat, App):
        if not isinstance(tgt, App) or len(pat.args) != len(tgt.args):
            return False
        if isinstance(pat.head, Var) and pat.head.name in holes:
            return False
        if pat.head_name != tgt.head_name:
            return False
        return all(match_term(a, b, holes, subst) for a, b in zip(pat.args, tgt.args))
    if isinstance(pat, (Pi, Lam)):
        if type(tgt) is not type(pat):
            return False
        return match_term(pat.var.sort, tgt.var.sort, holes, subst) and match_term(
            pat.body, substitute(tgt.body, {tgt.var.name: pat.var}) if tgt.var.name != pat.var.name
            else tgt.body, holes, subst)
    return False


@dataclass(frozen=True)
class Instance:
    """A definition's body instantiated at one application: `body` mentions `params` (fresh
    variables, one per explicit parameter, in order) and no implicit parameter."""

    name: str
    params: tuple[Var, ...]
    body: Term


def _fresh(d: Definition, name: str) -> str:
    # '#' never occurs in a Lean name: no capture of a law's or body's own variables
    return f"{d.name}#{name}"


def instantiate(d: Definition, arg_sorts: tuple[Term, ...], node_sort: Term,
                cache: dict, where: str = "") -> Instance:
    """The body of `d` at an application whose explicit arguments have `arg_sorts` (fewer than
    `d`'s explicit parameters for a partial application, more for an over-application) and
    whose value has sort `node_sort`. Raises `ArchLawError` when an implicit parameter the
    body needs cannot be found from these sorts."""
    explicit = d.explicit
    holes = frozenset(p.name for p in d.params if p.binder != "explicit")
    # an explicit parameter that a later sort mentions (`reflect (k : Nat) : Bool → Fin k → …`)
    # is matched too: its value comes from the argument, its sorts from the match (`_in_sorts`)
    dep = frozenset(p.name for p in explicit)
    subst: dict[str, Term] = {}
    # explicit parameters stand for themselves while matching (a dependent sort `Fin n`
    # mentions one); each is replaced by its fresh variable below
    ty = d.type
    k = min(len(explicit), len(arg_sorts))
    for p, s in zip(explicit[:k], arg_sorts[:k]):
        match_term(p.sort, s, holes | dep, subst)
    # the node's sort is the rest: the remaining explicit parameters, then `type` applied to
    # any extra arguments
    rest: Term = ty
    for extra in arg_sorts[len(explicit):]:
        if isinstance(rest, Pi):
            match_term(rest.var.sort, extra, holes | dep, subst)
            rest = rest.body
    for p in reversed(explicit[k:]):
        rest = Pi(Var(p.name, p.sort), rest)
    match_term(rest, node_sort, holes | dep, subst)
    key = ("body", d.name, tuple(sorted(subst.items(), key=lambda kv: kv[0])))
    got = cache.get(key)
    if got is not None:
        return got
    fresh = {p.name: Var(_fresh(d, p.name), substitute(p.sort, subst)) for p in explicit}
    env: dict[str, Term] = {**subst, **fresh}
    body = substitute(d.body, env)
    known = {fresh[n].name: subst[n] for n in dep if n in subst}
    if known:
        body = _in_sorts(body, known)
    missing = sorted(n for n in holes if n not in subst and n in free_vars(body))
    if missing:
        raise ArchLawError(f"cannot run {d.name} from its body: its implicit parameter(s) "
                           f"{', '.join(missing)} are not determined by the sorts of its "
                           f"arguments here ({', '.join(pretty(s) for s in arg_sorts) or 'none'})",
                           where=where or None)
    inst = Instance(d.name, tuple(fresh[p.name] for p in explicit), body)
    cache[key] = inst
    return inst


def _in_sorts(t: Term, env: dict[str, Term]) -> Term:
    """`t` with the variables of `env` replaced inside the sorts of its nodes only (their
    values stay the bound arguments)."""
    if isinstance(t, Var):
        return Var(t.name, substitute(t.sort, env))
    if isinstance(t, App):
        head = t.head if isinstance(t.head, str) else Var(t.head.name, substitute(t.head.sort, env))
        return App(head, tuple(_in_sorts(a, env) for a in t.args), substitute(t.sort, env))
    if isinstance(t, Lit):
        return Lit(t.value, substitute(t.sort, env))
    if isinstance(t, Lam):
        return Lam(Var(t.var.name, substitute(t.var.sort, env)), _in_sorts(t.body, env))
    return substitute(t, env)  # a Pi or a universe is a sort throughout


def definitions_by_name(defs: tuple[Definition, ...] | Mapping[str, Definition]
                        ) -> dict[str, Definition]:
    """`defs` as a mapping by name."""
    if isinstance(defs, Mapping):
        return dict(defs)
    return {d.name: d for d in defs}
