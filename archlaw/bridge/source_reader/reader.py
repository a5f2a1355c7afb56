"""Stage 7 of the source reader: Lean files to declarations.

In: ``(path, module, text)`` of each Lean file (`SourceReader.add_file`). Out:
`SourceReader.declarations`, the `Law`s and `Theorem`s (IR, statement provenance ``source``) of
the ``@[arch_law]``/``@[arch_theorem]`` declarations. Pass 1 tokenizes each file, splits it into
commands, tracks scopes and registers every header in the `Library`; pass 2 elaborates the
tagged declarations. A located error (`_Fail`) becomes one `ArchLawError` line quoting
`ACCEPTED`; `ReadProblem` is the form lint-lean reports.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field as dc_field
from typing import Callable, Optional

from ..errors import ArchLawError
from ..ir import (
    PROP, TYPE, App, Declaration, Definition, Field, Law, Param, Pi, SourceRange, Sort, Term,
    Structure, Theorem, Var, children, definitions_used, is_prop, sort_of_pi, split_telescope,
    substitute, with_uses,
)
from .bodies import read_definition
from .commands import Command, Scope, VarDecl, _split_modifiers, split_commands
from .constants import _CORE, _CORE_FIELDS, ConstEntry, Library
from .elaboration import _close, _Elab, _split_name
from .unification import _subst
from .terms import S, BinderGroup, _Fail, _Parser
from .tokens import Tok, tokenize
from .unification import TermM, _fv, _normalize

#: What the reader accepts, quoted in every "outside the fragment" error.
ACCEPTED = ("∀/∃/fun binders with explicit types, → = ≠ ∧ ∨ ¬ ↔ ≤ < ≥ > ×, application, "
            "+ - * / % ^ ∘ • ++ ::, numerals, [] [a, b] (a, b), .1 .2 .val .fst .snd x.f, "
            "if-then-else, (e : T), Prop, Type")


@dataclass
class _Header:
    """Parsed header of a declaration: binders and the type after the colon."""

    binders: list[BinderGroup]
    type: Optional[S]
    rest: int        # index (in the command's tokens) where the header ended


@dataclass(frozen=True)
class ReadProblem:
    """A tagged declaration (or file) the reader cannot read, for ``archlaw lint-lean``."""

    file: str
    line: int
    col: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}: {self.message}"


@dataclass
class _FileCtx:
    path: str          # relative to the root, as shown in errors and ranges
    module: str
    toks: list[Tok]
    commands: list[Command] = dc_field(default_factory=list)


class SourceReader:
    """Reads a set of Lean files: pass 1 collects headers and scopes, pass 2 reads tagged decls."""

    def __init__(self) -> None:
        self.lib = Library()
        self.files: list[_FileCtx] = []
        #: every def/abbrev under the root: its file and command, for `definition`
        self._def_cmds: dict[str, tuple[_FileCtx, Command]] = {}
        #: every data structure under the root: its file and constructor, for `structure`
        self._struct_cmds: dict[str, tuple[_FileCtx, str]] = {}
        self._structs: dict[str, Optional[Structure]] = {}
        #: `definition`'s results: a Definition, or the one line saying why there is none
        self._defs: dict[str, Definition | str] = {}
        self._core()

    # -- core table
    def _core(self) -> None:
        for line in _CORE.strip().splitlines():
            line = line.strip()
            if not line:
                continue
            name = line.split()[0]

            def compute(line: str = line, name: str = name) -> Term:
                toks = tokenize(line, "<core>")
                p = _Parser(toks, 1)
                binders = p.binders(allow_bare=False, stop=(":",))if p.peek() and p.peek().text != ":" else []
                p.expect(":")
                ty = p.term(0)
                return self._signature("<core>", Scope(), binders, ty, (1, 0), name)
            self.lib.add(ConstEntry(name, "<core>", compute,
                                    fields=_CORE_FIELDS.get(name, ())))

    # -- pass 1
    def add_file(self, path: str, module: str, text: str) -> None:
        self.add_tokens(path, module, tokenize(text, path))

    def add_tokens(self, path: str, module: str, toks: list[Tok]) -> None:
        """`add_file` for a file already tokenized (`tokenize(text, path)`)."""
        ctx = _FileCtx(path, module, toks)
        self.files.append(ctx)
        scope = Scope()
        stack: list[tuple[str, Scope]] = []
        pending_in: Optional[Scope] = None
        for ctoks in split_commands(toks):
            doc, attrs, attrs_pos, ki = _split_modifiers(ctoks)
            if ki >= len(ctoks):
                continue
            kwt = ctoks[ki]
            kw = kwt.text
            body = ctoks[ki:]
            use_scope = pending_in or scope
            pending_in = None
            cmd = Command(kw, body, ctoks, doc, attrs, attrs_pos, use_scope)
            if kw == "namespace" and len(body) >= 2:
                stack.append(("namespace", scope))
                ns = body[1].text
                base = scope.current
                new_ns = list(scope.namespaces)
                for part in _split_name(ns):
                    base = f"{base}.{part}" if base else part
                    new_ns.append(base)
                scope = Scope(tuple(new_ns), scope.opens, scope.variables)
                self.lib.namespaces.add(scope.current)
            elif kw == "section":
                stack.append(("section", scope))
                scope = Scope(scope.namespaces, scope.opens, scope.variables)
            elif kw == "end":
                if stack:
                    _, scope = stack.pop()
            elif kw == "open":
                names = [t.text for t in body[1:] if t.kind == "ident"]
                if body[-1].text == "in":
                    pending_in = Scope(scope.namespaces, scope.opens + tuple(names), scope.variables)
                else:
                    scope = Scope(scope.namespaces, scope.opens + tuple(names), scope.variables)
            elif kw == "set_option" and body[-1].text == "in":
                pending_in = scope
            elif kw == "variable":
                p = _Parser(body, 1)
                try:
                    groups = p.binders(allow_bare=True, stop=())
                except _Fail:
                    groups = []
                snapshot = Scope(scope.namespaces, scope.opens, scope.variables)
                new = list(scope.variables)
                for g in groups:
                    if g.type is None:
                        # `variable {x}`: a binder update of an existing variable
                        for name, _ in g.names:
                            for idx, vd in enumerate(new):
                                if any(n == name for n, _ in vd.group.names):
                                    old = vd.group
                                    rest = tuple((n, p0) for n, p0 in old.names if n != name)
                                    mine = tuple((n, p0) for n, p0 in old.names if n == name)
                                    repl = []
                                    if rest:
                                        repl.append(VarDecl(BinderGroup(rest, old.type, old.binder, old.pos), vd.file, 0))
                                    repl.append(VarDecl(BinderGroup(mine, old.type, g.binder, old.pos), vd.file, 0))
                                    new[idx:idx + 1] = repl
                                    break
                        continue
                    new.append(VarDecl(g, path, 0))
                scope = Scope(snapshot.namespaces, snapshot.opens, tuple(new))
            elif kw in ("def", "abbrev", "theorem", "lemma", "structure", "class", "inductive",
                        "axiom", "opaque", "instance"):
                cmd.scope = use_scope
                ctx.commands.append(cmd)
                self._register(ctx, cmd)
            elif kw == "attribute":
                txt = " ".join(t.text for t in body)
                if "arch_law" in txt or "arch_theorem" in txt:
                    ctx.commands.append(cmd)
            elif kw == "mutual":
                stack.append(("mutual", scope))

    def _decl_name(self, cmd: Command) -> Optional[tuple[str, Tok]]:
        if len(cmd.toks) < 2 or cmd.toks[1].kind != "ident":
            return None
        t = cmd.toks[1]
        raw = t.text
        if raw.startswith("_root_."):
            return raw[len("_root_."):], t
        ns = cmd.scope.current
        return (f"{ns}.{raw}" if ns else raw), t

    def _register(self, ctx: _FileCtx, cmd: Command) -> None:
        if cmd.keyword == "instance":
            return
        got = self._decl_name(cmd)
        if got is None:
            return
        full, _ = got
        kw = cmd.keyword
        if kw in ("def", "abbrev"):
            self._def_cmds.setdefault(full, (ctx, cmd))
        if kw in ("def", "abbrev", "theorem", "lemma", "axiom", "opaque"):
            reducible = kw == "abbrev" or any(a.split()[:1] == ["reducible"] for a in cmd.attrs)
            self.lib.add(ConstEntry(
                full, ctx.path, lambda: self._def_sig(ctx, cmd, full),
                unfold=(lambda: self._abbrev_body(ctx, cmd, full)) if reducible else None))
        elif kw in ("structure", "class"):
            self._register_structure(ctx, cmd, full)
        elif kw == "inductive":
            self._register_inductive(ctx, cmd, full)

    # -- header parsing
    def _header(self, cmd: Command, stops: tuple[str, ...]) -> _Header:
        p = _Parser(cmd.toks, 2)
        binders: list[BinderGroup] = []
        t = p.peek()
        if t is not None and t.text in ("(", "{", "⦃", "["):
            binders = p.binders(allow_bare=False, stop=(":",))
        ty = None
        if p.at(":"):
            p.i += 1
            ty = p.term(0)
        nt = p.peek()
        if nt is not None and nt.text not in stops:
            raise _Fail(nt.pos(), f"unexpected {p._describe(nt)} in a declaration header "
                                  f"(expected {' or '.join(stops)})", True)
        return _Header(binders, ty, p.i)

    def _elab_ctx(self, ctx: _FileCtx, cmd: Command, full: str) -> _Elab:
        extra: tuple[str, ...] = ()
        got = self._decl_name(cmd)
        if got is not None:
            raw = got[1].text
            if "." in raw and not raw.startswith("_root_."):
                # Lean elaborates `def Foo.bar` inside `namespace Foo`
                prefix = full.rsplit(".", 1)[0]
                extra = (prefix,)
        return _Elab(self, ctx.path, cmd.scope, extra)

    def _wrap(self, ctx: _FileCtx, f: _Fail) -> ArchLawError:
        return _wrap(ctx.path, f)

    def _with_vars(self, el: _Elab, path: str, scope: Scope) -> list[tuple[Var, str]]:
        """Bind the section variables in the elaborator; returns them with their binder info."""
        out: list[tuple[Var, str]] = []
        for vd in scope.variables:
            g = vd.group
            try:
                ty = el.elab_type(g.type) if g.type is not None else None
            except (_Fail, ArchLawError) as e:
                err = e if isinstance(e, ArchLawError) else _wrap(path, e)
                for name, _ in g.names:
                    el.broken_vars[name] = err
                continue
            for name, npos in g.names:
                if ty is None:
                    el.broken_vars[name] = ArchLawError(
                        f"{path}:{npos[0]}:{npos[1]}: variable {name} has no type")
                    continue
                out.append((el.bind(name, ty), g.binder))
        return out

    def _bind_groups(self, el: _Elab, groups: list[BinderGroup], what: str) -> list[tuple[Var, str]]:
        out = []
        for g in groups:
            if g.type is None:
                raise _Fail(g.pos, f"binder {g.names[0][0]} of {what} needs a type", True)
            ty = el.elab_type(g.type)
            for name, _ in g.names:
                out.append((el.bind(name, ty), g.binder))
        return out

    @staticmethod
    def _included(vars_: list[tuple[Var, str]], used: set[str]) -> list[tuple[Var, str]]:
        """Lean's rule: a section variable is a parameter when mentioned (transitively), and an
        instance variable when all the variables it mentions are."""
        names = {v.name for v, _ in vars_}
        inc = set(used) & names
        changed = True
        while changed:
            changed = False
            for v, b in vars_:
                if v.name in inc:
                    extra = (_fv(v.sort) & names) - inc
                    if extra:
                        inc |= extra
                        changed = True
            for v, b in vars_:
                if b == "inst_implicit" and v.name not in inc:
                    deps = _fv(v.sort) & names
                    if deps and deps <= inc:
                        inc.add(v.name)
                        changed = True
        return [(v, b) for v, b in vars_ if v.name in inc]

    def _signature(self, file: str, scope: Scope, binders: list[BinderGroup], ty: S,
                   pos: tuple[int, int], name: str, el: Optional[_Elab] = None,
                   body_names: set[str] = frozenset()) -> Term:
        el = el or _Elab(self, file, scope)
        try:
            vars_ = self._with_vars(el, file, scope) if scope.variables else []
            own = self._bind_groups(el, binders, name)
            res = el.elab_type(ty)
            used = _fv(el.metas.zonk(res)) | set(body_names)
            for v, _ in own:
                used |= _fv(el.metas.zonk(v.sort))
            params = self._included(vars_, used - {v.name for v, _ in own}) + own
            t: TermM = res
            t = _close(el, params, t)
            return _normalize(el.finish(t))
        except _Fail as f:
            raise _wrap(file, f) from None

    def _abbrev_parts(self, ctx: _FileCtx, cmd: Command, full: str):
        """Elaborate an abbrev's header and body: (elaborator, params, body, result type)."""
        h = self._header(cmd, (":=", "|", "where"))
        if h.rest >= len(cmd.toks) or cmd.toks[h.rest].text != ":=":
            raise _Fail(cmd.toks[0].pos(), f"abbrev {full} needs `:= body`", True)
        el = self._elab_ctx(ctx, cmd, full)
        vars_ = self._with_vars(el, ctx.path, cmd.scope) if cmd.scope.variables else []
        own = self._bind_groups(el, h.binders, full)
        res = el.elab_type(h.type) if h.type is not None else None
        p = _Parser(cmd.toks, h.rest + 1)
        body_s = p.term(0)
        if p.peek() is not None:
            raise _Fail(p.peek().pos(), f"unexpected '{p.peek().text}' after the body of "
                                        f"abbrev {full}", True)
        body = el.elab(body_s, res) if res is not None else el._elab(body_s, None)
        if res is None:
            res = el.metas.zonk(el.sort_of(body))
        used = _fv(el.metas.zonk(res)) | _fv(el.metas.zonk(body))
        for v, _ in own:
            used |= _fv(el.metas.zonk(v.sort))
        params = self._included(vars_, used - {v.name for v, _ in own}) + own
        return el, params, body, res

    def _abbrev_body(self, ctx: _FileCtx, cmd: Command, full: str
                     ) -> Optional[tuple[list[tuple[str, str]], Term]]:
        """Parameters and body of an ``abbrev``, for unfolding."""
        el, params, body, _ = self._abbrev_parts(ctx, cmd, full)
        return [(v.name, b) for v, b in params], _normalize(el.finish(body))

    def _def_sig(self, ctx: _FileCtx, cmd: Command, full: str) -> Term:
        try:
            h = self._header(cmd, (":=", "|", "where"))
        except _Fail as f:
            raise self._wrap(ctx, f) from None
        if h.type is None and cmd.keyword == "abbrev":
            # `abbrev Digits (B : Nat) := List (Fin B)`: the type is the body's
            try:
                el, params, _, res = self._abbrev_parts(ctx, cmd, full)
                t: TermM = res
                for v, b in reversed(params):
                    t = Pi(v, t, b, PROP)
                return _normalize(el.finish(t))
            except _Fail as f:
                raise self._wrap(ctx, f) from None
        if h.type is None:
            t = cmd.toks[1]
            raise ArchLawError(f"{ctx.path}:{t.line}:{t.col}: the header of {full} has no result "
                               "type; write `def f (x : A) : B := ...`")
        body_names = {t.text.split(".")[0] for t in cmd.toks[h.rest:] if t.kind == "ident"}
        el = self._elab_ctx(ctx, cmd, full)
        return self._signature(ctx.path, cmd.scope, h.binders, h.type, cmd.toks[0].pos(), full,
                               el=el, body_names=body_names)

    def _structure_parts(self, cmd: Command) -> tuple[_Header, Optional[str], list[tuple[str, Tok, list[Tok]]]]:
        """Header, constructor name, and fields (name, name token, tokens of `binders : type`)."""
        h = self._header(cmd, ("where", "extends", ":=", "deriving"))
        toks = cmd.toks
        i = h.rest
        if i < len(toks) and toks[i].text == "extends":
            raise _Fail(toks[i].pos(), "structure extends is outside the fragment", True)
        if i < len(toks) and toks[i].text == ":=":
            raise _Fail(toks[i].pos(), "write `structure ... where` (the `:=` form is outside "
                                       "the fragment)", True)
        fields: list[tuple[str, Tok, list[Tok]]] = []
        ctor = None
        if i < len(toks) and toks[i].text == "where":
            i += 1
            body = []
            for t in toks[i:]:
                if t.text == "deriving" and t.first_on_line:
                    break
                body.append(t)
            # constructor name `mk ::`
            if len(body) >= 2 and body[0].kind == "ident" and body[1].text == "::":
                ctor = body[0].text
                body = body[2:]
            # group by lines starting at or left of the first field's column
            base_col = None
            groups: list[list[Tok]] = []
            for t in body:
                if t.kind == "doc":
                    if base_col is None or t.col <= base_col:
                        base_col = t.col if base_col is None else base_col
                        groups.append([])
                    continue
                if base_col is None:
                    base_col = t.col
                if t.first_on_line and t.col <= base_col and (not groups or groups[-1]):
                    groups.append([t])
                elif not groups:
                    groups.append([t])
                else:
                    groups[-1].append(t)
            for g in groups:
                if not g:
                    continue
                if g[0].kind != "ident":
                    raise _Fail(g[0].pos(), f"expected a field name, found '{g[0].text}'", True)
                fields.append((g[0].text, g[0], g[1:]))
        return h, ctor, fields

    def _register_structure(self, ctx: _FileCtx, cmd: Command, full: str) -> None:
        try:
            _, ctor, fields = self._structure_parts(cmd)
        except _Fail:
            self.lib.add(ConstEntry(full, ctx.path, lambda: self._struct_sig(ctx, cmd, full)))
            return
        names = tuple(f[0] for f in fields)
        self.lib.add(ConstEntry(full, ctx.path, lambda: self._struct_sig(ctx, cmd, full),
                                fields=names))
        if cmd.keyword == "structure":
            self._struct_cmds[full] = (ctx, f"{full}.{ctor or 'mk'}")
        for fname in names:
            self.lib.add(ConstEntry(f"{full}.{fname}", ctx.path,
                                    lambda s=fname: self._proj_sig(ctx, cmd, full, s)))
        self.lib.add(ConstEntry(f"{full}.{ctor or 'mk'}", ctx.path,
                                lambda: self._ctor_sig(ctx, cmd, full)))

    def _struct_params(self, ctx: _FileCtx, cmd: Command, full: str, el: _Elab
                       ) -> tuple[list[tuple[Var, str]], TermM, list[tuple[str, Tok, TermM]]]:
        """Parameters (section variables included by use), sort, and field types."""
        h, _, fields = self._structure_parts(cmd)
        vars_ = self._with_vars(el, ctx.path, cmd.scope)
        own = self._bind_groups(el, h.binders, full)
        srt = el.elab_type(h.type) if h.type is not None else TYPE
        ftypes: list[tuple[str, Tok, TermM]] = []
        for fname, ftok, ftoks in fields:
            ftypes.append((fname, ftok, self._field_type(el, ftoks, ftok, full)))
            # as in Lean, a field is in scope in the later fields' types (`Perm.left_inv`
            # speaks of `toFun` and `invFun`); `_proj_sig` replaces it by its projection
            el.bind(fname, ftypes[-1][2])
        used: set[str] = set()
        for v, _ in own:
            used |= _fv(el.metas.zonk(v.sort))
        for _, _, fty in ftypes:
            used |= _fv(el.metas.zonk(fty))
        used -= {f[0] for f in fields}
        params = self._included(vars_, used - {v.name for v, _ in own}) + own
        return params, srt, ftypes

    def _field_type(self, el: _Elab, ftoks: list[Tok], ftok: Tok, full: str) -> TermM:
        """The type of field `ftok`: `name binders : type` (one field per line: `(a b : T)`
        groups are not fields)."""
        p = _Parser(ftoks, 0)
        binders: list[BinderGroup] = []
        t = p.peek()
        if t is not None and t.text in ("(", "{", "⦃", "["):
            binders = p.binders(allow_bare=False, stop=(":",))
        if not p.at(":"):
            nt = p.peek()
            raise _Fail(nt.pos() if nt else (ftok.end_line, ftok.end_col),
                        f"field {ftok.text} of {full} needs `: type`", True)
        p.i += 1
        ty_s = p.term(0)
        nt = p.peek()
        if nt is not None:
            if nt.text == ":=":
                raise _Fail(nt.pos(), "default values of fields are outside the fragment", True)
            raise _Fail(nt.pos(), f"unexpected '{nt.text}' after the type of field {ftok.text}", True)
        ty = el.binders_then(binders, lambda: el.elab_type(ty_s), "pi")
        return ty

    def _struct_sig(self, ctx: _FileCtx, cmd: Command, full: str) -> Term:
        el = self._elab_ctx(ctx, cmd, full)
        try:
            params, srt, _ = self._struct_params(ctx, cmd, full, el)
            t: TermM = srt
            t = _close(el, params, t)
            return _normalize(el.finish(t))
        except _Fail as f:
            raise self._wrap(ctx, f) from None

    def _self_type(self, full: str, params: list[tuple[Var, str]], srt: TermM) -> TermM:
        return App(full, tuple(v for v, b in params if b == "explicit"), srt)

    def _proj_sig(self, ctx: _FileCtx, cmd: Command, full: str, fname: str) -> Term:
        el = self._elab_ctx(ctx, cmd, full)
        try:
            params, srt, ftypes = self._struct_params(ctx, cmd, full, el)
            self_binder = "inst_implicit" if cmd.keyword == "class" else "explicit"
            selfv = Var("self", self._self_type(full, params, srt))
            # an earlier field mentioned in this one's type is the projection of `self`
            projs: dict[str, TermM] = {}
            for n, _, ft in ftypes:
                ft = _subst(el.metas.zonk(ft), projs) if projs else ft
                if n == fname:
                    fty = ft
                    break
                projs[n] = App(f"{full}.{n}", (selfv,), ft)
            t: TermM = Pi(selfv, fty, self_binder, sort_of_pi(el._sort_now(fty)))
            t = _close(el, params, t, implicit=True)
            return _normalize(el.finish(t))
        except _Fail as f:
            raise self._wrap(ctx, f) from None

    def _ctor_sig(self, ctx: _FileCtx, cmd: Command, full: str) -> Term:
        el = self._elab_ctx(ctx, cmd, full)
        try:
            params, srt, ftypes = self._struct_params(ctx, cmd, full, el)
            t: TermM = self._self_type(full, params, srt)
            for n, _, fty in reversed(ftypes):
                t = Pi(Var(n, fty), t, "explicit", sort_of_pi(el._sort_now(t)))
            t = _close(el, params, t, implicit=True)
            return _normalize(el.finish(t))
        except _Fail as f:
            raise self._wrap(ctx, f) from None

    def _register_inductive(self, ctx: _FileCtx, cmd: Command, full: str) -> None:
        self.lib.add(ConstEntry(full, ctx.path, lambda: self._ind_sig(ctx, cmd, full)))
        toks = cmd.toks
        depth = 0
        for i, t in enumerate(toks):
            if t.text in ("(", "[", "{", "⦃"):
                depth += 1
            elif t.text in (")", "]", "}", "⦄"):
                depth -= 1
            elif t.text == "|" and depth == 0 and i + 1 < len(toks) and toks[i + 1].kind == "ident":
                cname = toks[i + 1].text
                self.lib.add(ConstEntry(f"{full}.{cname}", ctx.path,
                                        lambda i=i: self._inductive_ctor(ctx, cmd, full, i)))

    def _ind_header(self, ctx: _FileCtx, cmd: Command, full: str, el: _Elab):
        h = self._header(cmd, ("where", "|", "deriving"))
        vars_ = self._with_vars(el, ctx.path, cmd.scope)
        own = self._bind_groups(el, h.binders, full)
        srt = el.elab_type(h.type) if h.type is not None else TYPE
        used: set[str] = set()
        for v, _ in own:
            used |= _fv(el.metas.zonk(v.sort))
        params = self._included(vars_, used - {v.name for v, _ in own}) + own
        return params, srt

    def _ind_sig(self, ctx: _FileCtx, cmd: Command, full: str) -> Term:
        el = self._elab_ctx(ctx, cmd, full)
        try:
            params, srt = self._ind_header(ctx, cmd, full, el)
            t: TermM = srt
            t = _close(el, params, t)
            return _normalize(el.finish(t))
        except _Fail as f:
            raise self._wrap(ctx, f) from None

    def _inductive_ctor(self, ctx: _FileCtx, cmd: Command, full: str, bar: int) -> Term:
        el = self._elab_ctx(ctx, cmd, full)
        try:
            params, srt = self._ind_header(ctx, cmd, full, el)
            toks = cmd.toks
            end = bar + 2
            depth = 0
            while end < len(toks):
                t = toks[end]
                if t.text in ("(", "[", "{", "⦃"):
                    depth += 1
                elif t.text in (")", "]", "}", "⦄"):
                    depth -= 1
                elif depth == 0 and (t.text == "|" or (t.text == "deriving" and t.first_on_line)):
                    break
                end += 1
            p = _Parser(toks, bar + 2, end)
            binders: list[BinderGroup] = []
            if p.peek() is not None and p.peek().text in ("(", "{", "⦃", "["):
                binders = p.binders(allow_bare=False, stop=(":",))
            own = self._bind_groups(el, binders, f"{full}.{toks[bar + 1].text}")
            if p.at(":"):
                p.i += 1
                res = el.elab_type(p.term(0))
            else:
                res = App(full, tuple(v for v, b in params if b == "explicit"), srt)
            t: TermM = res
            t = _close(el, own, t)
            t = _close(el, params, t, implicit=True)
            return _normalize(el.finish(t))
        except _Fail as f:
            raise self._wrap(ctx, f) from None

    # -- definitions that run from their bodies
    def definition(self, name: str) -> Definition | str:
        """The `Definition` of the def/abbrev `name` under the root, or one line saying why it
        has none (not a def of the library, or its body outside the definition fragment:
        `bodies.py`). Read once, on first use."""
        if name not in self._defs:
            got = self._def_cmds.get(name)
            if got is None:
                self._defs[name] = f"{name} is not a def or abbrev under the root"
            else:
                ctx, cmd = got
                self._defs[name] = f"{name}: reading its body"   # a cycle reads as no body
                try:
                    self._defs[name] = read_definition(self, ctx, cmd, name)
                except _Fail as f:
                    self._defs[name] = str(self._wrap(ctx, f))
                except (ArchLawError, RecursionError) as e:
                    self._defs[name] = str(e) or type(e).__name__
        return self._defs[name]

    def structure(self, name: str) -> Optional[Structure]:
        """The `Structure` of the data structure `name` under the root (its parameters and
        fields, read from its constructor's signature), or None: not a structure here, a
        proposition (an ``@[arch_law]``), or a declaration the reader cannot elaborate."""
        if name not in self._structs:
            self._structs[name] = None
            got = self._struct_cmds.get(name)
            if got is not None:
                ctx, ctor = got
                try:
                    sig = self.lib.signature(ctor, (0, 0))
                except (ArchLawError, _Fail, RecursionError):
                    sig = None
                if sig is not None:
                    self._structs[name] = _structure_of(name, ctx.module, ctor, sig,
                                                        self.lib.consts[name].fields)
        return self._structs[name]

    def known_definitions(self, terms: list[Term]) -> tuple[Definition, ...]:
        """The readable definitions `terms` use, transitively (`ir.definitions_used`)."""
        return definitions_used(terms, _AllDefs(self))  # type: ignore[arg-type]

    def _with_definitions(self, d: Declaration) -> Declaration:
        if not isinstance(d, Law):
            return d
        return with_uses(d, _AllDefs(self), _AllStructs(self))

    # -- pass 2: tagged declarations
    def declarations(self, on_error: Optional[Callable[[ArchLawError], None]] = None
                     ) -> list[Declaration]:
        out: list[Declaration] = []
        for ctx in self.files:
            for cmd in ctx.commands:
                tag = _tag(cmd)
                if tag is None:
                    continue
                try:
                    try:
                        d = self._read_tagged(ctx, cmd, tag)
                    except RecursionError:
                        # the last resort behind MAX_DEPTH (e.g. abbrevs unfolding into abbrevs)
                        kwt = cmd.toks[0]
                        raise ArchLawError(f"{ctx.path}:{kwt.line}:{kwt.col}: nested too deeply "
                                           "to read (Python's recursion limit)") from None
                    _check_export_depth(d, ctx.path, cmd.toks[0])
                    out.append(self._with_definitions(d))
                except ArchLawError as e:
                    if on_error is None:
                        raise
                    on_error(e)
        return out

    def _range(self, ctx: _FileCtx, cmd: Command) -> SourceRange:
        a, b = cmd.all_toks[0], cmd.all_toks[-1]
        return SourceRange(ctx.path, a.line, a.col, b.end_line, b.end_col)

    def _read_tagged(self, ctx: _FileCtx, cmd: Command, tag: str) -> Declaration:
        kwt = cmd.toks[0]
        if cmd.keyword == "attribute":
            raise ArchLawError(f"{ctx.path}:{kwt.line}:{kwt.col}: `attribute [{tag}] ...` after the "
                               f"declaration is not read; put @[{tag}] on the declaration itself")
        got = self._decl_name(cmd)
        if got is None:
            raise ArchLawError(f"{ctx.path}:{kwt.line}:{kwt.col}: @[{tag}] needs a named declaration")
        full, _ = got
        if tag == "arch_law":
            if cmd.keyword != "structure":
                raise ArchLawError(f"{ctx.path}:{kwt.line}:{kwt.col}: @[arch_law] marks a Prop-valued "
                                   f"structure; found `{cmd.keyword}`")
            return self._read_law(ctx, cmd, full)
        if cmd.keyword != "theorem":
            raise ArchLawError(f"{ctx.path}:{kwt.line}:{kwt.col}: @[arch_theorem] marks a theorem; "
                               f"found `{cmd.keyword}`")
        return self._read_theorem(ctx, cmd, full)

    def _read_law(self, ctx: _FileCtx, cmd: Command, full: str) -> Law:
        el = self._elab_ctx(ctx, cmd, full)
        try:
            params, srt, ftypes = self._struct_params(ctx, cmd, full, el)
            if not (isinstance(srt, Sort) and srt.name == "Prop"):
                raise _Fail(cmd.toks[1].pos(), f"@[arch_law] structure {full} must be `: Prop`")
            fin_params = [Param(v.name, _normalize(el.finish(v.sort)), b) for v, b in params]
            fields = tuple(Field(n, _normalize(el.finish(ft))) for n, _, ft in ftypes)
        except _Fail as f:
            raise self._wrap(ctx, f) from None
        return Law(name=full, module=ctx.module, range=self._range(ctx, cmd), doc=cmd.doc,
                   params=tuple(fin_params), statement_provenance="source", axioms=None,
                   fields=fields)

    def _read_theorem(self, ctx: _FileCtx, cmd: Command, full: str) -> Theorem:
        el = self._elab_ctx(ctx, cmd, full)
        try:
            h = self._header(cmd, (":=", "|", "where"))
            if h.type is None:
                t = cmd.toks[1]
                raise _Fail(t.pos(), f"theorem {full} needs `: statement`")
            vars_ = self._with_vars(el, ctx.path, cmd.scope)
            own = self._bind_groups(el, h.binders, full)
            stmt = el.elab_type(h.type)
            if not el.metas.unify(el.sort_of(el.metas.zonk(stmt)), PROP):
                raise _Fail(h.type.pos, f"the statement of {full} is not a proposition")
            used = _fv(el.metas.zonk(stmt))
            for v, _ in own:
                used |= _fv(el.metas.zonk(v.sort))
            params = self._included(vars_, used - {v.name for v, _ in own}) + own
            # the whole telescope: declared binders, then the ∀s of the statement
            tele: list[tuple[str, TermM, str]] = [(v.name, v.sort, b) for v, b in params]
            body: TermM = el.metas.zonk(stmt)
            while isinstance(body, Pi):
                tele.append((body.var.name, body.var.sort, body.binder))
                body = body.body
            fin = [(n, el.finish(s), b) for n, s, b in tele]
            whole: Term = el.finish(body)
            for n, s, b in reversed(fin):
                whole = Pi(Var(n, s), whole, b, sort_of_pi(whole.sort))  # type: ignore[arg-type]
            keep, concl = split_telescope(whole)   # the parameters end at the last hypothesis
            out_params = tuple(Param(p.name, _normalize(p.sort), p.binder) for p in keep)
            concl = _normalize(concl)
        except _Fail as f:
            raise self._wrap(ctx, f) from None
        return Theorem(name=full, module=ctx.module, range=self._range(ctx, cmd), doc=cmd.doc,
                       params=out_params, statement_provenance="source", axioms=None,
                       conclusion=concl)


class _AllDefs:
    """The reader's definitions as the mapping `ir.definitions_used` looks names up in: only
    readable ones are found."""

    def __init__(self, reader: SourceReader):
        self.reader = reader

    def get(self, name: str) -> Optional[Definition]:
        d = self.reader.definition(name) if name in self.reader._def_cmds else None
        return d if isinstance(d, Definition) else None


class _AllStructs:
    """The reader's data structures as the mapping `ir.structures_used` looks names up in."""

    def __init__(self, reader: SourceReader):
        self.reader = reader

    def get(self, name: str) -> Optional[Structure]:
        return self.reader.structure(name)


def _structure_of(name: str, module: str, ctor: str, sig: Term, names: tuple[str, ...]
                  ) -> Optional[Structure]:
    """The `Structure` read off its constructor's signature ``∀ {params} (fields), name params``
    (the parameters are implicit there, the fields explicit, named `names`: a binder no later
    sort mentions may have lost its name); None for a proposition."""
    params: list[Param] = []
    fields: list[Param] = []
    t = sig
    while isinstance(t, Pi):
        if t.binder == "explicit":
            if len(fields) >= len(names):
                return None
            new = names[len(fields)]
            fields.append(Param(new, t.var.sort))
            body = t.body if t.var.name == new else substitute(t.body, {t.var.name: Var(new, t.var.sort)})
        else:
            params.append(Param(t.var.name, t.var.sort))
            body = t.body
        t = body
    if is_prop(t) or len(fields) != len(names):
        return None
    return Structure(name, module, tuple(params), tuple(fields), ctor)


def _sexp_depth(t: Term) -> int:
    """Parenthesis nesting of `t` as the interchange format writes it (sorts included; a leaf
    sort is one level), computed without recursion."""
    deepest, stack = 0, [(t, 1)]
    while stack:
        u, d = stack.pop()
        deepest = max(deepest, d)
        stack.extend((c, d + 1) for c in children(u))
    return deepest


def _check_export_depth(d: Declaration, path: str, at: Tok) -> None:
    """Refuse a declaration whose export would nest deeper than the interchange reader accepts
    (`archlaw.bridge.interchange.MAX_DEPTH`): what the source reader writes must read back. A
    term sits four levels down: (archlaw-export (law (fields (field NAME TERM))))."""
    from ..interchange import MAX_DEPTH as FILE_DEPTH

    terms = [p.sort for p in d.params]
    terms += [f.statement for f in d.fields] if isinstance(d, Law) else [d.conclusion]
    depth = 4 + max((_sexp_depth(t) for t in terms), default=0)
    if depth > FILE_DEPTH:
        raise ArchLawError(f"{path}:{at.line}:{at.col}: {d.name} would nest {depth} levels deep in "
                           f"the export, past the {FILE_DEPTH} an export may have (its terms and "
                           "their sorts together are too deep; name the parts with a def)")


def _wrap(path: str, f: _Fail) -> ArchLawError:
    msg = " ".join(f.msg.split())       # always one line
    if f.accepted:
        msg += f"; accepted: {ACCEPTED}"
    return ArchLawError(f"{path}:{f.pos[0]}:{f.pos[1]}: {msg}")


def _tag(cmd: Command) -> Optional[str]:
    if cmd.keyword == "attribute":
        txt = " ".join(t.text for t in cmd.toks)
        return "arch_law" if "arch_law" in txt else "arch_theorem"
    found = [a.split()[0] for a in cmd.attrs if a.split() and a.split()[0] in ("arch_law", "arch_theorem")]
    return found[0] if found else None
