"""The bridge's intermediate representation of laws and theorems read from Lean.

Everything here is an immutable, typed value. Both producers of the interchange format (the Lean
exporter and the Python reader of Lean source) yield exactly these values, so the rest of ArchLaw
never knows which one ran, except through the `statement` provenance label that every declaration
carries.

Terms
-----
Lean is dependently typed, so sorts (types) are terms too. Four node kinds cover the fragment:

* `Var(name, sort)`       a bound variable or a declaration parameter.
* `App(head, args, sort)` a constant or variable applied to its *explicit* arguments. Implicit and
                          instance arguments are elided (``@HAdd.hAdd (Fin B) (Fin B) (Fin B) i a b``
                          becomes ``App("HAdd.hAdd", (a, b), Fin B)``), constants are fully
                          qualified, and a constant on its own is an `App` with no arguments
                          (``Nat`` is ``App("Nat", (), Type)``).
* `Lit(value, sort)`      a numeral at its sort (``(1 : Fin B)`` is ``Lit(1, Fin B)``).
* `Lam(var, body)` and `Pi(var, body, binder, sort)`: ``fun`` and ``∀`` / ``→``.
* `Sort(name)`            ``Prop`` or ``Type`` (the sorts of sorts; they carry no sort themselves).

Every node keeps its sort, so ``+`` on ``Fin B`` (which wraps) and ``+`` on ``Nat`` stay distinct:
they are the same head ``HAdd.hAdd`` at different sorts. An arrow ``A → B`` is a `Pi` whose body
does not mention its variable; its variable is always named ``_`` so that both producers agree.

Declarations
------------
`Law` is an ``@[arch_law]`` Prop-valued structure: parameters (`Param`) and fields (`Field`, each
an equation under binders). `Theorem` is an ``@[arch_theorem]``: its statement is one `Term`; its
hypotheses are the Prop-typed binders of its leading ∀-telescope, its conclusion what follows them.

Trust
-----
`Declaration.statement` is ``"lean"`` (exported from a kernel-checked environment) or ``"source"``
(parsed from Lean source; the proof was not checked). It never changes after reading.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any, Iterator, Literal, Union

__all__ = [
    "Sort", "Var", "App", "Lit", "Lam", "Pi", "Term",
    "Param", "Field", "SourceRange", "Law", "Theorem", "Declaration", "Export", "Definition",
    "definitions_used", "Structure", "structures_used", "with_uses",
    "ATTESTED_IN_MEMORY", "ATTESTED_BY_LAKE",
    "PROP", "TYPE", "ARROW_VAR", "StatementProvenance", "BinderInfo",
    "const", "arrow", "is_prop", "free_vars", "substitute", "pretty",
]

StatementProvenance = Literal["lean", "source"]
BinderInfo = Literal["explicit", "implicit", "strict_implicit", "inst_implicit"]

#: Name given to the variable of a non-dependent arrow ``A → B`` by both producers.
ARROW_VAR = "_"


@dataclass(frozen=True)
class Sort:
    """A universe: ``"Prop"`` or ``"Type"`` (``"Type u"`` for a universe variable ``u``)."""

    name: str

    @property
    def sort(self) -> None:
        return None


PROP = Sort("Prop")
TYPE = Sort("Type")


@dataclass(frozen=True)
class Var:
    """A variable: a declaration parameter or a bound variable. `sort` is its type."""

    name: str
    sort: "Term"


@dataclass(frozen=True)
class App:
    """`head` (a fully qualified constant name, or a `Var`) applied to its explicit `args`.

    `sort` is the type of the whole application. ``App("Nat", (), TYPE)`` is the constant ``Nat``.
    """

    head: Union[str, Var]
    args: tuple["Term", ...]
    sort: "Term"

    @property
    def head_name(self) -> str:
        return self.head if isinstance(self.head, str) else self.head.name


@dataclass(frozen=True)
class Lit:
    """A numeral (``int``) or string literal at its sort."""

    value: Union[int, str]
    sort: "Term"


@dataclass(frozen=True)
class Lam:
    """``fun (var : var.sort) => body``. Its sort is ``var.sort → body.sort``."""

    var: Var
    body: "Term"

    @property
    def sort(self) -> "Term":
        return Pi(self.var, self.body.sort, "explicit", sort_of_pi(self.body.sort))


@dataclass(frozen=True)
class Pi:
    """``∀ (var : var.sort), body`` or, when `body` does not mention `var`, ``var.sort → body``.

    `binder` records how the binder was written (explicit ``( )``, implicit ``{ }``, ...).
    `sort` is ``Prop`` when `body` is a proposition and ``Type`` otherwise.
    """

    var: Var
    body: "Term"
    binder: BinderInfo = "explicit"
    sort: "Term" = PROP


Term = Union[Sort, Var, App, Lit, Lam, Pi]


def const(name: str, sort: Term, *args: Term) -> App:
    """``App(name, args, sort)``: a constant applied to explicit arguments."""
    return App(name, tuple(args), sort)


def sort_of_pi(body_sort: Term | None) -> Sort:
    """A ∀ whose body is a proposition is a proposition (impredicativity); else a type."""
    return PROP if body_sort == PROP else TYPE


def arrow(*sorts: Term) -> Term:
    """``arrow(A, B, C)`` is ``A → B → C`` (right-associated, variables named ``_``)."""
    if not sorts:
        raise ValueError("arrow() needs at least one sort")
    out = sorts[-1]
    for dom in reversed(sorts[:-1]):
        out = Pi(Var(ARROW_VAR, dom), out, "explicit", sort_of_pi(_sort_of(out)))
    return out


def _sort_of(t: Term) -> Term | None:
    return t.sort


def is_prop(t: Term) -> bool:
    """True when `t` is a proposition (its sort is ``Prop``)."""
    return _sort_of(t) == PROP


def children(t: Term) -> Iterator[Term]:
    """The immediate sub-terms of `t`, sorts included."""
    if isinstance(t, Var):
        yield t.sort
    elif isinstance(t, App):
        if isinstance(t.head, Var):
            yield t.head
        yield from t.args
        yield t.sort
    elif isinstance(t, Lit):
        yield t.sort
    elif isinstance(t, (Lam, Pi)):
        yield t.var.sort
        yield t.body


def free_vars(t: Term) -> frozenset[str]:
    """Names of the variables occurring free in `t` (including inside sorts)."""
    if isinstance(t, Sort):
        return frozenset()
    if isinstance(t, Var):
        return frozenset({t.name}) | free_vars(t.sort)
    if isinstance(t, (Lam, Pi)):
        return free_vars(t.var.sort) | (free_vars(t.body) - {t.var.name})
    out: frozenset[str] = frozenset()
    for c in children(t):
        out |= free_vars(c)
    return out


def substitute(t: Term, env: dict[str, Term]) -> Term:
    """Replace free variables by terms (capture is not an issue: binders in laws are distinct)."""
    if not env or isinstance(t, Sort):
        return t
    if isinstance(t, Var):
        return env.get(t.name, Var(t.name, substitute(t.sort, env)))
    if isinstance(t, App):
        head = t.head
        if isinstance(head, Var):
            new = env.get(head.name)
            if new is not None and not isinstance(new, Var):
                # A variable head replaced by a compound term: keep it as a Var-headed
                # application of a fresh name would lose information, so refuse loudly.
                raise ValueError(f"cannot substitute {head.name} in head position by {pretty(new)}")
            head = new if new is not None else Var(head.name, substitute(head.sort, env))
        return App(head, tuple(substitute(a, env) for a in t.args), substitute(t.sort, env))
    if isinstance(t, Lit):
        return Lit(t.value, substitute(t.sort, env))
    inner = {k: v for k, v in env.items() if k != t.var.name}
    var = Var(t.var.name, substitute(t.var.sort, env))
    if isinstance(t, Lam):
        return Lam(var, substitute(t.body, inner))
    return Pi(var, substitute(t.body, inner), t.binder, t.sort)


# --------------------------------------------------------------------------------------------
# Declarations


@dataclass(frozen=True)
class SourceRange:
    """Where a declaration is written: `file` relative to the Lake root, 1-based lines,
    0-based columns (Lean's convention)."""

    file: str
    line: int
    column: int
    end_line: int
    end_column: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


@dataclass(frozen=True)
class Param:
    """A parameter of a law or theorem: a sort (``A : Type``), a law parameter (``B : Nat``) or a
    symbol (``cell : A → H → H``). Which symbols a network supplies is said by the model's
    binding, not by the law."""

    name: str
    sort: Term
    binder: BinderInfo = "explicit"

    @property
    def is_sort(self) -> bool:
        """True for type parameters such as ``A : Type``."""
        return isinstance(self.sort, Sort) and self.sort != PROP

    @property
    def var(self) -> Var:
        return Var(self.name, self.sort)


@dataclass(frozen=True)
class Field:
    """One field of a law: a named proposition, usually ``∀ binders, lhs = rhs``."""

    name: str
    statement: Term


@dataclass(frozen=True)
class _Decl:
    name: str
    module: str
    range: SourceRange | None
    doc: str
    params: tuple[Param, ...]
    statement_provenance: StatementProvenance
    #: Axioms the proof depends on (``collectAxioms``); None when unknown (source reader).
    axioms: tuple[str, ...] | None

    @property
    def short_name(self) -> str:
        return self.name.rsplit(".", 1)[-1]

    @property
    def uses_sorry(self) -> bool | None:
        """Whether the proof depends on ``sorryAx``; None (unknown) when the axioms are unknown
        (source reader): absence of evidence is not a sorry-free proof."""
        if self.axioms is None:
            return None
        return "sorryAx" in self.axioms


@dataclass(frozen=True)
class Definition:
    """A ``def`` or ``abbrev`` whose body is in the definition fragment (docs/semantics.md).

    ``name params : type := body``: `params` are the binders written before the colon (implicit
    ones included, as in `Law`); `body` has sort `type`. An application ``App(name, args)``
    supplies the *explicit* parameters first (implicit ones are elided in terms and found again
    from the arguments' sorts); any further argument applies `body` itself (an equation-style
    ``def f : A → B → C | p, q => e`` is read as ``fun a b => match a, b with ...``, and a
    ``match`` as a chain of ``ite`` whose conditions are equations on the scrutinee and its
    projections). The interpreter runs these bodies by substitution (`archlaw.bridge.semantics`).
    """

    name: str
    module: str
    params: tuple[Param, ...]
    type: Term
    body: Term

    @property
    def explicit(self) -> tuple[Param, ...]:
        return tuple(p for p in self.params if p.binder == "explicit")


def constants_in(t: Term) -> frozenset[str]:
    """Names of the constants applied anywhere in `t` (sorts included)."""
    out: set[str] = set()
    stack: list[Term] = [t]
    while stack:
        u = stack.pop()
        if isinstance(u, App) and isinstance(u.head, str):
            out.add(u.head)
        if not isinstance(u, Sort):
            stack.extend(children(u))
    return frozenset(out)


def definitions_used(terms: "tuple[Term, ...] | list[Term]",
                     known: "dict[str, Definition]") -> tuple[Definition, ...]:
    """The definitions of `known` that `terms` use, transitively (through the bodies and
    types of the definitions found), sorted by name."""
    seen: dict[str, Definition] = {}
    todo = set().union(*(constants_in(t) for t in terms)) if terms else set()
    while todo:
        name = todo.pop()
        d = known.get(name)
        if d is None or name in seen:
            continue
        seen[name] = d
        todo |= constants_in(d.body) | constants_in(d.type)
        for p in d.params:
            todo |= constants_in(p.sort)
    return tuple(seen[k] for k in sorted(seen))


@dataclass(frozen=True)
class Structure:
    """A ``structure`` that a law's sorts use: ``structure name params where fields``, read from
    its Lean declaration (docs/semantics.md, "Finite structures").

    `params` are the structure's parameters (``n : Nat`` of ``Perm n``); `fields` its fields in
    order, each sort possibly mentioning the parameters and the earlier fields (as variables of
    those names, as in Lean); `ctor` the constructor's full name. A field whose sort is a
    proposition carries no data: a value is the tuple of its `data` fields, and the values are
    those whose data satisfies every `props` field."""

    name: str
    module: str
    params: tuple[Param, ...]
    fields: tuple[Param, ...]
    ctor: str

    @property
    def data(self) -> tuple[Param, ...]:
        return tuple(f for f in self.fields if not is_prop(f.sort))

    @property
    def props(self) -> tuple[Param, ...]:
        return tuple(f for f in self.fields if is_prop(f.sort))


def structures_used(terms: "tuple[Term, ...] | list[Term]", known: Any
                    ) -> tuple[Structure, ...]:
    """The structures of `known` (a mapping by name, ``.get``) that `terms` use, transitively
    (through their fields' sorts), sorted by name."""
    seen: dict[str, Structure] = {}
    todo = set().union(*(constants_in(t) for t in terms)) if terms else set()
    while todo:
        name = todo.pop()
        st = known.get(name) if name not in seen else None
        if st is None:
            continue
        seen[name] = st
        for p in st.params + st.fields:
            todo |= constants_in(p.sort)
    return tuple(seen[k] for k in sorted(seen))


@dataclass(frozen=True)
class Law(_Decl):
    """An ``@[arch_law]`` structure: ``structure name params : Prop where fields``.

    `definitions`: the readable definitions its terms use (transitively), which the
    interpreter runs from their bodies (`Definition`); empty when none is used or known.
    `structures`: likewise the structures (`Structure`) its sorts and definitions use."""

    fields: tuple[Field, ...] = ()
    definitions: tuple[Definition, ...] = ()
    #: the finite structures its sorts use (read from their declarations: `Structure`)
    structures: tuple[Structure, ...] = ()

    kind = "law"

    def field(self, name: str) -> Field:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(f"law {self.name} has no field {name!r}; fields: {[f.name for f in self.fields]}")


def with_uses(law: Law, definitions: Any, structures: Any) -> Law:
    """`law` carrying the definitions (of `definitions`, a mapping by name with ``.get``) its
    terms use and the structures (of `structures`, likewise) those terms and definitions use,
    transitively: the one place both producers (source reader, interchange reader) do it."""
    terms = [p.sort for p in law.params] + [f.statement for f in law.fields]
    used = definitions_used(terms, definitions)
    terms += [t for df in used for t in (df.type, df.body, *(p.sort for p in df.params))]
    return dataclasses.replace(law, definitions=used,
                               structures=structures_used(terms, structures))


@dataclass(frozen=True)
class Theorem(_Decl):
    """An ``@[arch_theorem]``: ``theorem name params : conclusion``.

    `params` are the binders written before the colon (hypotheses included); `conclusion` is the
    type after the colon. The exporter cannot see where the colon was, so it splits the ∀-telescope
    after its last Prop-typed binder; the source reader does the same, so both agree.
    """

    conclusion: Term = PROP

    kind = "theorem"

    @property
    def hypotheses(self) -> tuple[Param, ...]:
        """The Prop-typed parameters: law hypotheses and side conditions such as ``2 ≤ B``."""
        return tuple(p for p in self.params if is_prop(p.sort))

    def law_hypotheses(self, law_names: set[str] | frozenset[str]) -> tuple[Param, ...]:
        """Hypotheses whose type is one of the given laws applied to arguments."""
        return tuple(
            p for p in self.hypotheses if isinstance(p.sort, App) and p.sort.head_name in law_names
        )


Declaration = Union[Law, Theorem]


def split_telescope(statement: Term) -> tuple[tuple[Param, ...], Term]:
    """Split ``∀ xs, body`` after the last Prop-typed binder (see `Theorem`)."""
    binders: list[Param] = []
    t = statement
    while isinstance(t, Pi):
        binders.append(Param(t.var.name, t.var.sort, t.binder))
        t = t.body
    last_prop = max((i for i, p in enumerate(binders) if is_prop(p.sort)), default=-1)
    keep = binders[: last_prop + 1]
    rest = statement
    for _ in keep:
        assert isinstance(rest, Pi)
        rest = rest.body
    return tuple(keep), rest


#: `Export.attestation` of an export built in memory by the Python API (tests, fixtures): its
#: ``lean`` producer is taken as given. The interchange reader never sets it.
ATTESTED_IN_MEMORY = "in-memory"
#: `Export.attestation` of an export that lake re-derived from the Lean files of this tree: in
#: this run (``archlaw export``), or in an earlier run recorded in ArchLaw's cache
#: (`archlaw.bridge.attestation`).
ATTESTED_BY_LAKE = "lake"


@dataclass(frozen=True)
class Export:
    """A whole interchange file: header plus declarations, in source order."""

    producer: StatementProvenance
    lean_version: str | None
    #: SHA-256 of each file under ``lean/`` when the export was made: ((path, hexdigest), ...)
    hashes: tuple[tuple[str, str], ...]
    declarations: tuple[Declaration, ...]
    version: int = 1
    #: why a ``lean`` producer is believed: `ATTESTED_IN_MEMORY` or `ATTESTED_BY_LAKE`; None when
    #: only the text it was read from says so (anyone can write ``(producer "lean")`` and correct
    #: hashes). Not part of the value: never written, not compared.
    attestation: str | None = field(default=None, compare=False)
    #: the Lean modules the exporter imported when more than its default were asked for
    #: (``archlaw export --module M`` / ``--with-blind``; written ``(modules "ArchLaw" ...)``);
    #: empty when the file does not say (the default module only, or a ``source`` export). Their
    #: files, with their imports, are hashed too (`archlaw.bridge.library.hash_lean_files`).
    modules: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        # interchange version 2 carries definitions (docs/interchange.md): an export whose laws
        # carry any is version 2 however it was built; one without stays as given (1)
        if self.version < 2 and any(isinstance(d, Law) and (d.definitions or d.structures)
                                    for d in self.declarations):
            object.__setattr__(self, "version", 2)

    @property
    def lean_verified(self) -> bool:
        """A ``lean`` export that lake re-derived here, or one built in memory by the API."""
        return self.producer == "lean" and self.attestation in (ATTESTED_IN_MEMORY, ATTESTED_BY_LAKE)

    def statement_label(self, provenance: str) -> str:
        """How a declaration's statement provenance is shown: ``lean (declared)`` for ``lean``
        from an export that is not `lean_verified`, else the provenance itself."""
        return "lean (declared)" if provenance == "lean" and not self.lean_verified else provenance

    @property
    def laws(self) -> tuple[Law, ...]:
        return tuple(d for d in self.declarations if isinstance(d, Law))

    @property
    def theorems(self) -> tuple[Theorem, ...]:
        return tuple(d for d in self.declarations if isinstance(d, Theorem))

    def closest_names(self, name: str, n: int = 5) -> tuple[str, ...]:
        """At most `n` full names of declarations closest to `name` (`difflib`, ignoring case),
        closest first; `name` is compared with each full name and each of its dotted suffixes
        (``FoldLaw`` is close to ``ArchLaw.FoldLaws``)."""
        import difflib

        by_key: dict[str, list[str]] = {}
        for d in self.declarations:
            parts = d.name.split(".")
            for i in range(len(parts)):
                by_key.setdefault(".".join(parts[i:]).lower(), []).append(d.name)
        out: list[str] = []
        for key in difflib.get_close_matches(name.lower(), list(by_key), n=4 * n, cutoff=0.6):
            for full in by_key[key]:
                if full not in out:
                    out.append(full)
        return tuple(out[:n])

    def find(self, name: str) -> Declaration:
        """Look a declaration up by full name, or by a unique suffix (``FoldLaws``)."""
        exact = [d for d in self.declarations if d.name == name]
        if exact:
            return exact[0]
        suffix = [d for d in self.declarations if d.name.endswith("." + name)]
        if len(suffix) == 1:
            return suffix[0]
        from .errors import ArchLawError

        if not suffix:
            close = self.closest_names(name)
            raise ArchLawError(f"no law or theorem named {name!r}; "
                               + (f"closest: {', '.join(close)}; " if close else "")
                               + f"`archlaw laws` lists all {len(self.declarations)}")
        raise ArchLawError(
            f"{name!r} is ambiguous: {', '.join(d.name for d in suffix)}; give the full name"
        )


# --------------------------------------------------------------------------------------------
# Printing back as Lean-like text

_INFIX = {
    "HAdd.hAdd": ("+", 65), "HSub.hSub": ("-", 65), "HMul.hMul": ("*", 70),
    "HDiv.hDiv": ("/", 70), "HMod.hMod": ("%", 70), "HAppend.hAppend": ("++", 65),
    "List.cons": ("::", 67), "Function.comp": ("∘", 90), "HSMul.hSMul": ("•", 73),
    "Eq": ("=", 50), "Ne": ("≠", 50), "LE.le": ("≤", 50), "LT.lt": ("<", 50),
    "GE.ge": ("≥", 50), "GT.gt": (">", 50), "And": ("∧", 35), "Or": ("∨", 30),
    "Iff": ("↔", 20), "Prod": ("×", 35),
}
_RIGHT_ASSOC = {"HAppend.hAppend", "List.cons", "Function.comp", "And", "Or", "Prod", "HSMul.hSMul"}


def _list_literal(t: Term) -> list[Term] | None:
    """The elements of ``a :: b :: … :: []`` (`List.cons` down to `List.nil`), else None."""
    items: list[Term] = []
    while isinstance(t, App) and t.head_name == "List.cons" and len(t.args) == 2:
        items.append(t.args[0])
        t = t.args[1]
    if isinstance(t, App) and t.head_name == "List.nil" and not t.args:
        return items
    return None


def pretty(t: Term, prec: int = 0) -> str:
    """Lean-like text for a term (binder types shown, instances elided)."""

    def paren(s: str, p: int) -> str:
        return f"({s})" if p < prec else s

    if isinstance(t, Sort):
        return t.name
    if isinstance(t, Var):
        return t.name
    if isinstance(t, Lit):
        return str(t.value) if isinstance(t.value, int) else f'"{t.value}"'
    if isinstance(t, Lam):
        return paren(f"fun ({t.var.name} : {pretty(t.var.sort)}) => {pretty(t.body)}", 1)
    if isinstance(t, Pi):
        if t.var.name == ARROW_VAR:
            return paren(f"{pretty(t.var.sort, 26)} → {pretty(t.body, 25)}", 25)
        names = [t.var.name]
        dom = t.var.sort
        body = t.body
        # group ∀ (x y : T) when consecutive binders share a type
        while isinstance(body, Pi) and body.var.name != ARROW_VAR and body.var.sort == dom \
                and body.binder == t.binder:
            names.append(body.var.name)
            body = body.body
        o, c = ("{", "}") if t.binder == "implicit" else ("[", "]") if t.binder == "inst_implicit" else ("(", ")")
        return paren(f"∀ {o}{' '.join(names)} : {pretty(dom)}{c}, {pretty(body)}", 1)
    assert isinstance(t, App)
    name = t.head_name
    if name == "Not" and len(t.args) == 1:
        return paren(f"¬{pretty(t.args[0], 40)}", 40)
    if name == "ite" and len(t.args) == 3:
        c, a, b = (pretty(x) for x in t.args)
        return paren(f"if {c} then {a} else {b}", 1)
    if name == "Exists" and len(t.args) == 1 and isinstance(t.args[0], Lam):
        lam = t.args[0]
        return paren(f"∃ ({lam.var.name} : {pretty(lam.var.sort)}), {pretty(lam.body)}", 1)
    if name == "List.nil" and not t.args:
        return "[]"
    if name == "List.cons" and len(t.args) == 2:
        items = _list_literal(t)
        if items is not None:  # a :: b :: [] is the list literal [a, b]
            return f"[{', '.join(pretty(x) for x in items)}]"
    if name == "Prod.mk" and len(t.args) == 2:
        return f"({pretty(t.args[0])}, {pretty(t.args[1])})"
    if name in _INFIX and len(t.args) == 2:
        sym, p = _INFIX[name]
        lp, rp = (p + 1, p) if name in _RIGHT_ASSOC else (p, p + 1)
        return paren(f"{pretty(t.args[0], lp)} {sym} {pretty(t.args[1], rp)}", p)
    if name in ("Prod.fst", "Prod.snd", "Fin.val") and len(t.args) == 1:
        suffix = {"Prod.fst": "1", "Prod.snd": "2", "Fin.val": "val"}[name]
        return f"{pretty(t.args[0], 1024)}.{suffix}"
    if not t.args:
        return name
    return paren(" ".join([name] + [pretty(a, 1024) for a in t.args]), 1023)


def _params_text(params: tuple[Param, ...]) -> str:
    out = []
    for p in params:
        o, c = ("{", "}") if p.binder in ("implicit", "strict_implicit") else ("[", "]") \
            if p.binder == "inst_implicit" else ("(", ")")
        out.append(f"{o}{p.name} : {pretty(p.sort)}{c}")
    return " ".join(out)


def declaration_text(d: Declaration) -> str:
    """The declaration as Lean-like text, as `archlaw laws` shows it."""
    if isinstance(d, Law):
        lines = [f"structure {d.name} {_params_text(d.params)} : Prop where"]
        lines += [f"  {f.name} : {pretty(f.statement)}" for f in d.fields]
        return "\n".join(lines)
    return f"theorem {d.name} {_params_text(d.params)} :\n    {pretty(d.conclusion)}"
