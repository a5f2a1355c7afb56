"""Stage 6b of the source reader: the bodies of definitions, in the definition fragment.

In: a ``def``/``abbrev`` command, read in its scope against the `Library` (as the reader's
`_Elab` reads statements). Out: an `archlaw.bridge.ir.Definition` whose body the interpreter
runs (`archlaw.bridge.semantics`), or a `_Fail` saying why the body is outside the fragment.

The definition fragment is the statement fragment plus (docs/semantics.md):

* ``match e₁, …, eₖ with | p₁, …, pₖ => rhs | …`` and equation-style definitions
  ``def f (params) : A → B → C | p, q => rhs | …`` (read as ``fun a b => match a, b with …``);
* patterns: ``_``, a variable, a constructor without arguments (``true``, ``Gen.kill``,
  ``.kill``), a numeral, a pair ``(p, q)``, an anonymous constructor ``⟨p, q, …⟩`` of ``Prod``,
  ``Fin`` (``⟨k, _⟩``: the value) or a structure (``⟨false, a, b⟩`` on ``D4``);
* anonymous constructors ``⟨a, b⟩`` at a known type (``Prod``, ``Fin``, a structure);
* ``!b`` (core's ``not``); proof arguments (an explicit argument whose type is a proposition:
  ``⟨1, by decide⟩``, ``fun _ => rfl``) are skipped, a proof carries no data.

A ``match`` becomes a chain of ``ite``: each alternative but the last is guarded by the
conjunction of equations its patterns impose on the scrutinees and their projections
(``Eq x Bool.true``, ``Eq (D4.swap g) Bool.false``, ``Eq (Prod.fst p) 3``); its pattern variables
are replaced by those projections; the last alternative is the ``else`` (Lean has checked
coverage where Lean ran; the source reader does not, like everything it reads). Recursive
definitions (the name in its own body) are outside the fragment: they keep registered
interpretations.
"""

from __future__ import annotations

from typing import Optional

from ..ir import PROP, TYPE, App, Definition, Lam, Lit, Param, Pi, Term, Var, constants_in
from .terms import S, _Fail, _Parser
from .elaboration import _Elab
from .unification import Meta, TermM, _fv, _head_const, _normalize, _subst

__all__ = ["read_definition", "BodyElab"]


class BodyElab(_Elab):
    """The elaborator of the definition fragment (see the module docstring)."""

    skip_proofs = True

    def _elab(self, s: S, expected: Optional[TermM]) -> TermM:
        k = s.kind
        if k == "anon":
            return self.anon(s, expected)
        if k == "match":
            scr_s, alts = s.args
            scrs = [self._elab(x, None) for x in scr_s]
            return self.match_terms(scrs, alts, s.pos, expected)
        if k == "dotident":
            ty = self._known(expected, s.pos, f".{s.text}")
            return self.app_const_full(self._member(ty, s.text, s.pos), s.pos, [], expected)
        if k == "proof":
            self.fail(s.pos, "a proof (`by ...`) where data is expected")
        if k == "hole":
            self.fail(s.pos, "a hole `_` outside a pattern is outside the fragment", True)
        return super()._elab(s, expected)

    # -- helpers
    def _known(self, expected: Optional[TermM], pos: tuple[int, int], what: str) -> TermM:
        ty = self.metas.shallow(self.metas.zonk(expected)) if expected is not None else None
        if ty is None or isinstance(ty, Meta) or _head_const(ty) is None:
            self.fail(pos, f"{what} needs a known type here (add a type ascription)")
        return ty

    def _member(self, ty: TermM, name: str, pos: tuple[int, int]) -> str:
        full = f"{_head_const(ty)}.{name}"
        if full not in self.lib.consts:
            self.fail(pos, f"unknown constructor {full}")
        return full

    def _ctor_name(self, tname: str, pos: tuple[int, int]) -> str:
        if tname == "Prod":
            return "Prod.mk"
        if tname == "Fin":
            return "Fin.mk"
        e = self.lib.consts.get(tname)
        if e is None or not e.fields:
            self.fail(pos, f"⟨..⟩ at type {tname}: not a structure the reader knows")
        for cand in (f"{tname}.mk", *(n for n in self.lib.consts if n.startswith(tname + "."))):
            sig = self.lib.consts.get(cand)
            if sig is not None and cand.rsplit(".", 1)[-1] not in e.fields \
                    and cand.count(".") == tname.count(".") + 1:
                return cand
        self.fail(pos, f"⟨..⟩ at type {tname}: no constructor found")

    # -- anonymous constructors
    def anon(self, s: S, expected: Optional[TermM]) -> TermM:
        ty = self._known(expected, s.pos, "an anonymous constructor ⟨..⟩")
        tname = _head_const(ty)
        items = list(s.args)
        if tname == "Prod":
            return self._elab(S("tuple", s.pos, tuple(items)), expected)
        return self.app_const_full(self._ctor_name(tname, s.pos), s.pos, items, expected)

    # -- match
    def match_terms(self, scrs: list[TermM], alts: tuple, pos: tuple[int, int],
                    expected: Optional[TermM]) -> TermM:
        """The ``ite`` chain of ``match scrs with alts`` (see the module docstring)."""
        res = expected if expected is not None else self.metas.new(pos, "the type of the match")
        branches: list[tuple[list[TermM], TermM]] = []
        for pats, rhs in alts:
            conds: list[TermM] = []
            binds: list[tuple[str, TermM]] = []
            for scr, pat in zip(scrs, pats):
                ty = self.metas.shallow(self.metas.zonk(self.sort_of(scr)))
                self.pattern(pat, scr, ty, conds, binds)
            n0 = len(self.locals)
            try:
                for name, term in binds:
                    self.bind(name, self.metas.zonk(self.sort_of(term)))
                r = self.elab(rhs, res)
            finally:
                del self.locals[n0:]
            r = _subst(self.metas.zonk(r), {n: t for n, t in binds})
            branches.append((conds, r))
            if not conds:
                break      # a catch-all: later alternatives are unreachable
        out = branches[-1][1]
        for conds, r in reversed(branches[:-1]):
            c = conds[-1]
            for more in reversed(conds[:-1]):
                c = App("And", (more, c), PROP)
            out = App("ite", (c, r, out), self.metas.zonk(res))
        return out

    def pattern(self, pat: S, scr: TermM, ty: TermM, conds: list[TermM],
                binds: list[tuple[str, TermM]]) -> None:
        """Add the equations `pat` imposes on `scr` (of type `ty`) and its variables."""
        k = pat.kind
        if k == "hole":
            return
        if k == "paren":
            return self.pattern(pat.args[0], scr, ty, conds, binds)
        if k == "num":
            conds.append(App("Eq", (scr, Lit(int(pat.text), ty)), PROP))
            return
        if k in ("ident", "dotident"):
            ctor = self._pattern_ctor(pat, ty)
            if ctor is not None:
                conds.append(App("Eq", (scr, App(ctor, (), ty)), PROP))
            elif "." in pat.text or k == "dotident":
                self.fail(pat.pos, f"{pat.text} is not a constructor of {self.show(ty)}")
            else:
                binds.append((pat.text, scr))
            return
        if k in ("tuple", "anon"):
            tname = _head_const(ty)
            items = list(pat.args)
            if tname == "Prod":
                a, b = ty.args  # type: ignore[union-attr]
                if len(items) > 2:
                    items = [items[0], S("tuple", items[1].pos, tuple(items[1:]))]
                if len(items) != 2:
                    self.fail(pat.pos, "a pair pattern needs two components")
                self.pattern(items[0], App("Prod.fst", (scr,), a), a, conds, binds)
                self.pattern(items[1], App("Prod.snd", (scr,), b), b, conds, binds)
                return
            if k == "anon" and tname == "Fin":
                nat = App("Nat", (), TYPE)
                self.pattern(items[0], App("Fin.val", (scr,), nat), nat, conds, binds)
                return
            if k == "anon" and tname is not None:
                fields = self.struct_fields(tname)
                if len(items) != len(fields):
                    self.fail(pat.pos, f"⟨..⟩ pattern on {tname}: {len(items)} components for "
                                       f"{len(fields)} fields")
                for fname, item in zip(fields, items):
                    proj = self.field_app(scr, fname, item.pos, [], None)
                    pty = self.metas.shallow(self.metas.zonk(self.sort_of(proj)))
                    if self._sort_now(pty) == PROP:
                        continue       # a proof field carries no data
                    self.pattern(item, proj, pty, conds, binds)
                return
        self.fail(pat.pos, f"this pattern ({k}) is outside the fragment (patterns: _, variables, "
                           "constructors without arguments, numerals, (p, q), ⟨p, q, …⟩)", True)

    def _pattern_ctor(self, pat: S, ty: TermM) -> Optional[str]:
        """The constant a name pattern denotes (a constructor without arguments of `ty`), or
        None for a variable."""
        tname = _head_const(ty)
        cands = [] if tname is None else [f"{tname}.{pat.text}"]
        if pat.kind == "ident":
            g = self.resolve_global(pat.text)
            if g is not None:
                cands.insert(0, g)
        for c in cands:
            if c in self.lib.consts:
                sig = self.signature(c, pat.pos)
                if not isinstance(sig, Pi) and _head_const(sig) == tname:
                    return c
        return None

    # -- equation-style definitions
    def equations(self, res: TermM, alts: tuple, pos: tuple[int, int]) -> TermM:
        """``| p₁, …, pₖ => rhs | …`` at type `res`: ``fun x₁ … xₖ => match x₁, …, xₖ with …``."""
        arity = len(alts[0][0])
        t = self.metas.shallow(self.metas.zonk(res))
        vars_: list[Var] = []
        n0 = len(self.locals)
        try:
            for i in range(arity):
                if not isinstance(t, Pi):
                    self.fail(pos, f"{arity} patterns but the type {self.show(res)} takes fewer "
                                   "arguments")
                v = self.bind(f"x✝{i + 1}", t.var.sort)
                vars_.append(v)
                t = _subst(t.body, {t.var.name: v}) if t.var.name != "_" else t.body
                t = self.metas.shallow(t)
            body = self.match_terms(list(vars_), alts, pos, t)
        finally:
            del self.locals[n0:]
        for v in reversed(vars_):
            body = Lam(v, body)
        return body


def read_definition(reader, ctx, cmd, full: str) -> Definition:
    """The `Definition` of the ``def``/``abbrev`` command `cmd` named `full`; raises `_Fail` (at
    a source position) when its body is outside the definition fragment."""
    h = reader._header(cmd, (":=", "|", "where"))
    got = reader._decl_name(cmd)
    extra: tuple[str, ...] = ()
    if got is not None and "." in got[1].text and not got[1].text.startswith("_root_."):
        extra = (full.rsplit(".", 1)[0],)
    el = BodyElab(reader, ctx.path, cmd.scope, extra)
    vars_ = reader._with_vars(el, ctx.path, cmd.scope) if cmd.scope.variables else []
    own = reader._bind_groups(el, h.binders, full)
    res = el.elab_type(h.type) if h.type is not None else None
    at = cmd.toks[h.rest] if h.rest < len(cmd.toks) else cmd.toks[-1]
    p = _Parser(cmd.toks, h.rest + 1, bodies=True)
    if at.text == ":=":
        body_s = p.term(0)
        body = el.elab(body_s, res) if res is not None else el._elab(body_s, None)
        if res is None:
            res = el.sort_of(body)
    elif at.text == "|":
        if res is None:
            raise _Fail(at.pos(), f"equation-style {full} needs its type (`: A → B`)")
        p.i = h.rest
        body = el.equations(res, p.alternatives(None), at.pos())
    else:
        raise _Fail(at.pos(), f"the body of {full} (`{at.text}`) is outside the definition "
                              "fragment (`:= term` or `| patterns => term`)", True)
    nt = p.peek()
    if nt is not None:
        raise _Fail(nt.pos(), f"unexpected {p._describe(nt)} after the body of {full} "
                              "(termination_by, decreasing_by and where are outside the fragment)")
    body = el.metas.zonk(body)
    if full in constants_in(el.finish(body)):
        raise _Fail(cmd.toks[1].pos(), f"{full} is recursive: recursive definitions keep their "
                                       "registered interpretations")
    used = _fv(el.metas.zonk(res)) | _fv(body)
    for v, _ in own:
        used |= _fv(el.metas.zonk(v.sort))
    params = reader._included(vars_, used - {v.name for v, _ in own}) + own
    return Definition(
        name=full, module=ctx.module,
        params=tuple(Param(v.name, _normalize(el.finish(v.sort)), b) for v, b in params),
        type=_normalize(el.finish(res)), body=_normalize(el.finish(body)))
