"""`archlaw to-lean`'s engine: a model's finite symbols as a Lean module whose laws the kernel proves.

`to_lean(decl, export, binding, module=...)`, for a law, or for a theorem whose law hypotheses are
laws with a table check (`TABLE_LAWS`):

1. checks the law(s) on the model first, through the engine (`check_law` / `check_theorem`):
   every field must be checked ``exhaustive`` and pass, else `ArchLawError` (one line, the first
   counterexample) and nothing is written;
2. extracts every model symbol of those laws as a `Table` (`archlaw.bridge.extraction`);
3. renders one deterministic Lean module (`render_module`): the table as a ``def`` (nested list
   literal), the symbol as a ``def`` over it (the library's function, e.g.
   ``ArchLaw.Tables.cellOf``), for each law a theorem proved by the library's soundness lemma
   and ``decide +kernel`` on its one-walk check, and, tagged ``@[arch_theorem]``, every theorem
   of the library whose hypotheses are those laws (and closed side conditions, proved by
   ``decide``) instantiated for the table. No hash, version or time is in the text: the same
   table gives the same bytes. They are in the sidecar JSON the CLI writes beside it.

The lookahead combine (``CombineLaws`` and its parts, 9 cases) is proved field by field by
``decide +kernel`` (`TableLaw.proof` ``"decide"``). Laws with list binders (``FoldlLaws``,
``FoldLaws``, ``MealyLaws``, ``MooreLaws``) are not proved by a table check: they are stated for
Lean's own runner of the tables and proved by the library's runner lemma
(`archlaw.bridge.tolean_runs`); the law is checked on the model first, where ``sampled`` is
accepted and recorded (`ToLean.checked`). Other laws are refused with one line naming those
that are supported.

`read_back(root, module, tables, runs)` is the round trip: the source reader reads the generated
module under `root`, the ``table`` definitions' bodies are read back into tables
(`extraction.table_from_term`) and compared with the extracted ones.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Callable, Mapping

from .errors import ArchLawError
from .extraction import Table, symbol_domain, symbol_table
from .ir import App, Export, Law, Lit, Sort, Term, Theorem, Var, is_prop, pretty, substitute

__all__ = ["TableLaw", "TABLE_LAWS", "ToLean", "to_lean", "render_module", "read_back", "recheck",
           "ReadBack", "interpreted",
           "default_module", "module_path"]


@dataclass(frozen=True)
class TableLaw:
    """How the library proves a law for a table (``lean/ArchLaw/Tables.lean``): the check
    function, its soundness lemma, the function a table tabulates and the table's Lean type.

    `proof`: ``"check"`` (the soundness lemma applied to ``decide +kernel`` on the one-walk
    check) or ``"decide"`` (each field by ``decide +kernel`` on the quantified statement, for a
    domain small enough that lookups per case do not matter; `check` and `sound` unused).
    `lean_type`: the symbol's Lean type when the table's signature (its sorts' descriptions) is
    not Lean text (``Gen``). `companions`: laws over the same symbol that follow from this one
    (their fields are among its fields), proved the same way so that theorems assuming them
    are instantiated too."""

    check: str
    sound: str
    function: str
    table_type: str
    proof: str = "check"
    lean_type: str | None = None
    companions: tuple[str, ...] = ()


_GEN = "ArchLaw.Carry.Gen"
_COMBINE = TableLaw("", "", "ArchLaw.Tables.combineOf", "List (List Nat)", proof="decide",
                    lean_type=f"{_GEN} → {_GEN} → {_GEN}")

#: The laws a table check exists for, by law name.
TABLE_LAWS: Mapping[str, TableLaw] = {
    "ArchLaw.Carry.CarryCell": TableLaw("ArchLaw.Tables.checkCarryCell",
                                        "ArchLaw.Tables.checkCarryCell_sound",
                                        "ArchLaw.Tables.cellOf",
                                        "List (List (List (Nat × Nat)))"),
    # the lookahead combine: 9 cases, each law by `decide +kernel` (Tables.genForallDec)
    "ArchLaw.Carry.CombineLaws": replace(_COMBINE, companions=(
        "ArchLaw.Carry.LookaheadLaws", "ArchLaw.Carry.EvalLaw")),
    "ArchLaw.Carry.LookaheadLaws": _COMBINE,
    "ArchLaw.Carry.EvalLaw": _COMBINE,
}


@dataclass(frozen=True)
class ToLean:
    """A generated module: its name, its text, the tables in it (by symbol), the theorems proving
    the laws and the corollaries (full Lean names). The sidecar is the CLI's
    (`archlaw.cli.to_lean.sidecar`)."""

    module: str
    text: str
    tables: Mapping[str, Table]
    laws: tuple[str, ...]
    corollaries: tuple[str, ...]
    #: how each law was checked on the model before anything was written (law name ->
    #: ``exhaustive`` / ``sampled``); a table law is always exhaustive
    checked: Mapping[str, str] = dataclasses.field(default_factory=dict)
    #: the run definitions of a list law (``run``; ``state``, ``out``), Lean's runner of the
    #: tables, which the round trip runs from their bodies too
    runs: tuple[str, ...] = ()


def default_module(law: Law, binding: Any) -> str:
    """``ArchLawExamples.<Law short name><parameter values>``, e.g. ``ArchLawExamples.CarryCell10``."""
    vals = "".join(str(binding.params[p.name]) for p in law.params if p.name in binding.params)
    return f"ArchLawExamples.{law.short_name}{vals}"


def module_path(module: str) -> Path:
    """``A.B.C`` -> ``A/B/C.lean``."""
    return Path(*module.split(".")).with_suffix(".lean")


def _check_module_name(module: str) -> None:
    parts = module.split(".")
    if not all(p and (p[0].isalpha() or p[0] == "_") and all(c.isalnum() or c == "_" for c in p)
               for p in parts) or parts[0] in ("ArchLaw", "Lean", "Init", "Std", "Lake"):
        raise ArchLawError(f"--module {module!r}: expected a Lean module name of ASCII letters, "
                           "digits and _ separated by dots, outside ArchLaw, Lean, Init, Std and "
                           "Lake, e.g. ArchLawExamples.CarryCell10")


def _laws_of(decl: Any, export: Export, binding: Any) -> list[tuple[Law, dict[str, Any]]]:
    """(law, its explicit parameters by name -> binding value name) for each law to prove."""
    if isinstance(decl, Law):
        return [(decl, {p.name: p.name for p in decl.params})]
    from .conformance import assumed_laws

    out = []
    for hyp, law in assumed_laws(decl, export):
        app = hyp.sort
        assert isinstance(app, App)
        explicit = [p for p in law.params if p.binder == "explicit"]
        names = {}
        for p, a in zip(explicit, app.args):
            if not isinstance(a, Var):
                raise ArchLawError(f"hypothesis {hyp.name} of {decl.name} applies {law.name} to "
                                   f"{pretty(a)}; to-lean takes hypotheses applied to the "
                                   "theorem's own parameters", where=decl.name)
            names[p.name] = a.name
        out.append((law, names))
    if not out:
        raise ArchLawError(f"{decl.name} has no law hypotheses: nothing to extract")
    return out


def _refuse_unless_exhaustive(what: str, reports: list[Any], *, exhaustive: bool = True
                              ) -> None:
    """Refuse (one line, nothing written) a failing field, or, with `exhaustive`, a field
    checked on samples only."""
    for rep in reports:
        for f in rep.fields:
            if not f.passed:
                ce = f.counterexample.text().split("\n")[0] if f.counterexample else "no case"
                raise ArchLawError(f"refused, no Lean written: {rep.law}.{f.field} fails on the "
                                   f"model (check {f.check}, {f.violations} of {f.cases:,} "
                                   f"cases; first: {ce})", where=what)
            if exhaustive and f.check != "exhaustive":
                raise ArchLawError(f"refused, no Lean written: {rep.law}.{f.field} was checked "
                                   f"{f.check}, not exhaustive (to-lean needs every case)",
                                   where=what)


def to_lean(decl: Any, export: Export, binding: Any, *, module: str | None = None,
            tables_only: bool = False) -> ToLean:
    """See the module docstring. `tables_only`: extract and render without re-running the law
    checks (for `verify`, which re-derives the Lean file's hash after its own checks)."""
    from .tolean_runs import RUNNER_LAWS

    laws = _laws_of(decl, export, binding)
    if any(law.name in RUNNER_LAWS for law, _ in laws):
        return _to_lean_runs(decl, export, binding, laws, module=module, tables_only=tables_only)
    for law, _ in laws:
        if law.name not in TABLE_LAWS:
            raise ArchLawError(f"no table check for {law.name} in ArchLaw.Tables; to-lean proves "
                               f"{', '.join(sorted(TABLE_LAWS))} by the table, and "
                               f"{', '.join(sorted(RUNNER_LAWS))} for Lean's runner of the "
                               "tables (a law needs a check or a runner lemma in "
                               "lean/ArchLaw/Tables.lean first)", where=decl.name)
    symbols = _model_symbols(laws, binding)
    for law, sym in symbols:  # the size limit and the reader's nesting, before anything runs
        _check_readable(symbol_domain(law, binding, sym)[2], f"law {law.name}, symbol {sym}")
    if not tables_only:
        _refuse_unless_exhaustive(decl.name, check_on_model(decl, export, binding))
    tables = {sym: symbol_table(law, binding, sym) for law, sym in symbols}
    if not tables:
        raise ArchLawError(f"the binding supplies none of the model symbols of "
                           f"{', '.join(law.name for law, _ in laws)}", where=decl.name)
    if len(tables) != len(laws):
        raise ArchLawError(f"to-lean proves a law with one model symbol; got {len(tables)} "
                           f"symbols for {len(laws)} laws", where=decl.name)
    name = module or default_module(laws[0][0], binding)
    _check_module_name(name)
    text, proved, cors = render_module(name, decl.name, laws, tables, export, binding)
    return ToLean(name, text, tables, proved, cors,
                  {} if tables_only else {law.name: "exhaustive" for law, _ in laws})


def _to_lean_runs(decl: Any, export: Any, binding: Any, laws: list[tuple[Law, dict[str, Any]]],
                 *, module: str | None, tables_only: bool) -> ToLean:
    """`to_lean` for laws with list binders (`RUNNER_LAWS`): the law is
    checked on the model first (it must pass; sampled is accepted, and recorded), the finite
    symbols are read off as tables, and the module states the law for Lean's runner of them."""
    from .extraction import symbol_value
    from .spec import symbol_sorts
    from .tolean_runs import RUNNER_LAWS, RUNS_INTRO, finite_params, render_runner_law

    for law, names in laws:
        if law.name not in RUNNER_LAWS:
            raise ArchLawError(f"to-lean writes {law.name} and a list law in one module only "
                               "when both are list laws; run it on each law", where=decl.name)
        if any(names.get(p.name, p.name) != p.name for p in law.params):
            raise ArchLawError(f"to-lean writes {law.name} for symbols named as the law's "
                               f"parameters ({', '.join(p.name for p in law.params)})",
                               where=decl.name)
    finite: dict[str, Law] = {}
    for law, _ in laws:  # finiteness, the size limit and the reader's nesting, before anything runs
        for name in finite_params(law):
            where = f"law {law.name}, symbol {name}"
            if name not in binding.symbols:
                raise ArchLawError(f"the binding supplies no symbol {name!r}", where=where)
            if symbol_sorts(law, name, binding.sorts, binding.params)[0]:
                _check_readable(symbol_domain(law, binding, name)[2], where)
            finite.setdefault(name, law)
    checked: dict[str, str] = {}
    if not tables_only:
        reps = check_on_model(decl, export, binding)
        _refuse_unless_exhaustive(decl.name, reps, exhaustive=False)
        for rep in reps:
            checked[rep.law] = ("exhaustive" if all(f.check == "exhaustive" for f in rep.fields)
                                else "sampled")
    tables: dict[str, Table] = {}
    for name, law in finite.items():
        args = symbol_sorts(law, name, binding.sorts, binding.params)[0]
        tables[name] = (symbol_table(law, binding, name) if args
                        else symbol_value(law, binding, name))
    lines: list[str] = []
    proved: dict[str, str] = {}
    taken: set[str] = set()
    for law, _ in laws:
        got, tname = render_runner_law(law, tables, binding, taken, _table_defs)
        lines += got
        proved[law.name] = tname
        taken.add(tname)
    name = module or default_module(laws[0][0], binding)
    _check_module_name(name)
    defs = {p.name: p.name for law, _ in laws for p in law.params if p.binder == "explicit"}
    text, proved_names, cors = finish_module(name, decl.name, lines, proved, defs, laws, export,
                                             binding, RUNS_INTRO, taken=set(taken))
    runs = tuple(dict.fromkeys(r for law, _ in laws for r in RUNNER_LAWS[law.name].runs))
    return ToLean(name, text, tables, proved_names, cors, checked, runs)


def check_on_model(decl: Any, export: Export, binding: Any) -> list[Any]:
    """The `LawReport` of the law, or of each law hypothesis of the theorem, on the model;
    a false side condition of the theorem is refused (one line, nothing written)."""
    from .conformance import check_law, check_theorem

    if isinstance(decl, Law):
        return [check_law(decl, binding)]
    report = check_theorem(decl, export, binding)
    bad = [s for s in report.side_conditions if s.holds is False]
    if bad:
        raise ArchLawError(f"refused, no Lean written: side condition {bad[0].name} : "
                           f"{bad[0].statement} is false for the model", where=decl.name)
    return [r for _, r in report.hypotheses]


def _model_symbols(laws: list[tuple[Law, dict[str, Any]]], binding: Any) -> list[tuple[Law, str]]:
    """(law, symbol) for each model symbol of the binding that the laws take, first use first."""
    out: dict[str, Law] = {}
    for law, names in laws:
        for p in law.params:
            sym = names.get(p.name, p.name)
            if sym in binding.model_symbols and sym not in out:
                out[sym] = law
    return [(law, sym) for sym, law in out.items()]


def _lean_value(v: Any) -> str:
    if isinstance(v, bool) or not isinstance(v, int):
        raise ArchLawError(f"parameter value {v!r}: to-lean writes Nat parameters only")
    return str(v)


#: Most list items, summed over the levels of one definition's literal, that the source reader
#: reads back: it nests at most 64 levels and counts each list item as one (`terms.MAX_DEPTH`),
#: and an entry and the definition take the rest (measured: a 3-level literal of 29 + 29 + 2
#: items reads back, of 30 + 30 + 2 does not).
READER_ITEMS = 60


def _check_readable(domain: tuple[int, ...], where: str) -> None:
    """Refuse a table of these domain sizes whose top-level list or row literal would be nested
    deeper than the source reader reads back (`READER_ITEMS`)."""
    rows = sum(domain[1:]) if len(domain) > 1 else domain[0]
    if domain[0] > READER_ITEMS or rows > READER_ITEMS:
        raise ArchLawError(f"a table of shape {' × '.join(map(str, domain))} is nested deeper "
                           f"than the source reader reads back (at most {READER_ITEMS} list items "
                           "summed over a definition's levels)", where=where)


def _leaf(e: tuple[int, ...]) -> str:
    return str(e[0]) if len(e) == 1 else "(" + ", ".join(map(str, e)) + ")"


def _literal(x: Any, levels: int, indent: str) -> str:
    """A nested list literal of `levels` levels, one innermost list per line."""
    if levels == 1:
        return "[" + ", ".join(_leaf(e) for e in x) + "]"
    inner = indent + " "
    return "[" + (",\n" + inner).join(_literal(y, levels - 1, inner) for y in x) + "]"


def _row_type(table_type: str) -> str:
    """``List (List (List X))`` -> ``List (List X)``: the type of one top-level row."""
    assert table_type.startswith("List (") and table_type.endswith(")")
    return table_type[len("List ("):-1]


def _table_defs(t: Table, name: str, table_type: str, doc: str) -> list[str]:
    """The table as Lean definitions: each top-level row its own ``def`` (``name_0`` ...), and
    ``name`` the list of them, so that no definition nests deeper than the reader reads back."""
    nested = t.nested()
    if len(t.domain) == 1:
        return [doc, f"def {name} : {table_type} :=", "  " + _literal(nested, 1, "  "), ""]
    out = []
    for i, row in enumerate(nested):
        out += [f"/-- Row {i} of `{name}`. -/",
                f"def {name}_{i} : {_row_type(table_type)} :=",
                "  " + _literal(row, len(t.domain) - 1, "  "), ""]
    rows = [f"{name}_{i}" for i in range(len(nested))]
    lines = ["  [" + ",\n   ".join(", ".join(rows[k:k + 8]) for k in range(0, len(rows), 8)) + "]"]
    return out + [doc, f"def {name} : {table_type} :="] + lines + [""]


def render_module(module: str, source: str, laws: list[tuple[Law, dict[str, Any]]],
                  tables: Mapping[str, Table], export: Export, binding: Any
                  ) -> tuple[str, tuple[str, ...], tuple[str, ...]]:
    """(text, proved law theorems, corollaries) of the generated module (deterministic)."""
    lines: list[str] = []
    proved: dict[str, str] = {}   # law name -> theorem name
    defs: dict[str, str] = {}     # symbol -> def name
    law_text: dict[str, str] = {}
    all_laws = list(laws)
    for law, names in laws:
        tl = TABLE_LAWS[law.name]
        sym = next(names.get(p.name, p.name) for p in law.params
                   if names.get(p.name, p.name) in tables)
        t = tables[sym]
        defs[sym] = sym
        doc = (f"/-- The table of `{sym}` read off the model on all {t.cases:,} cases of its "
               f"domain (decoded as it is run): `table_{sym}"
               + "".join(f"[{v}]" for v in "abcdefgh"[:len(t.domain)]) + "`. -/")
        lines += _table_defs(t, f"table_{sym}", tl.table_type, doc)
        lines += [
            f"/-- `{sym} : {t.signature}`, the function the table gives. -/",
            f"def {sym} : {tl.lean_type or t.signature} :=",
            f"  {tl.function} table_{sym}",
            "",
        ]
        extra = [(export.find(c), names) for c in tl.companions
                 if not any(x.name == c for x, _ in all_laws)]
        all_laws += extra
        for lw, nm in [(law, names)] + extra:
            args = []
            for p in lw.params:
                if p.binder != "explicit":
                    continue
                v = nm.get(p.name, p.name)
                args.append(sym if v == sym else _lean_value(binding.params[v]))
            law_text[lw.name] = f"{lw.name} {' '.join(args)}"
            tname = f"{sym}_{lw.short_name}"
            proved[lw.name] = tname
            if tl.proof == "decide":
                fields = ", ".join("by decide +kernel" for _ in lw.fields)
                lines += [
                    f"/-- `{law_text[lw.name]}`: each field by `decide +kernel` over its "
                    f"finite binders (`ArchLaw.Tables.genForallDec`, `fin2ForallDec`), the "
                    f"table looked up per case. -/",
                    f"theorem {tname} : {law_text[lw.name]} :=",
                    f"  ⟨{fields}⟩",
                    "",
                ]
            else:
                lines += [
                    f"/-- `{law_text[lw.name]}`: the kernel evaluates `{tl.check}` on the table "
                    f"in one walk (`decide +kernel`); `{tl.sound}` turns that into the law. -/",
                    f"theorem {tname} : {law_text[lw.name]} :=",
                    f"  {tl.sound} table_{sym} (by decide +kernel)",
                    "",
                ]
    return finish_module(module, source, lines, proved, defs, all_laws, export, binding,
                         _TABLE_INTRO)


#: What a module of table laws says about itself (between its first and last docstring lines).
_TABLE_INTRO = (
    "read off the model on its whole domain, decoded as the model is run; each law is proved for",
    "it by the library's one-walk check (`decide +kernel`) and soundness lemma",
    "(`lean/ArchLaw/Tables.lean`); each `@[arch_theorem]` below is a library theorem whose",
    "hypotheses are those laws, instantiated for the table. The SHA-256 of the weights, of the",
    "tables and of this file are in the sidecar JSON beside it, not here: the same table always",
    "gives the same file.",
)


def finish_module(module: str, source: str, lines: list[str], proved: Mapping[str, str],
                  defs: Mapping[str, str], laws: list[tuple[Law, dict[str, Any]]],
                  export: Export, binding: Any, intro: tuple[str, ...],
                  taken: set[str] | None = None) -> tuple[str, tuple[str, ...], tuple[str, ...]]:
    """(text, proved law theorems, corollaries): the module's header (its docstring's middle
    lines `intro`), the law `lines` written so far, and every library ``@[arch_theorem]`` whose
    hypotheses are the laws of `proved` (law name -> theorem name), instantiated for `defs`
    (symbol -> def name). `taken`: the names already written (default: defs, tables, laws)."""
    short = module.split(".")[-1]
    lines = list(lines)
    cors = []
    taken = set(taken) if taken is not None else (
        set(defs) | set(proved.values()) | {f"table_{sym}" for sym in defs})
    for thm in (d for d in export.declarations if isinstance(d, Theorem)):
        got = _instantiate(thm, export, proved, binding, defs, laws)
        if got is None:
            continue
        binders, statement, proof = got
        cname = thm.short_name
        if cname in taken:  # a generated name, or another namespace's theorem of that name
            cname = thm.name.replace(".", "_")
        taken.add(cname)
        cors.append(f"{module}.{cname}")
        lines += [
            f"/-- `{thm.name}` for the table: its hypotheses are the laws proved above. -/",
            f"@[arch_theorem] theorem {cname}{binders} :",
            f"    {statement} :=",
            f"  {proof}",
            "",
        ]
    head = [
        "import ArchLaw.Attr",
        "import ArchLaw.Tables",
        "",
        "/-!",
        f"# {short}: a model's finite symbols as tables, their laws proved by the kernel",
        "",
        f"Generated by `archlaw to-lean {source}` (docs/to-lean.md). Each model symbol is a table",
        *intro,
        "",
        "Generated without a Lean toolchain: not compiled here.",
        "-/",
        "",
        f"namespace {module}",
        "",
    ]
    return "\n".join(head + lines + [f"end {module}", ""]), tuple(
        f"{module}.{v}" for v in proved.values()), tuple(cors)


def _instantiate(thm: Theorem, export: Export, proved: Mapping[str, str], binding: Any,
                 defs: Mapping[str, str],
                 laws: list[tuple[Law, dict[str, Any]]]) -> tuple[str, str, str] | None:
    """(binders, statement, proof) of `thm` for the table, or None when its hypotheses are not
    exactly laws proved here (by the same parameter values) and closed side conditions. The
    binders (``" {B : Nat}"`` or empty) are the implicit parameters the laws leave free."""
    from .conformance import assumed_laws

    assumed = assumed_laws(thm, export)
    if not assumed or any(law.name not in proved for _, law in assumed):
        return None
    values: dict[str, str] = {}
    lawvals = {law.name: names for law, names in laws}
    for hyp, law in assumed:
        app = hyp.sort
        explicit = [p for p in law.params if p.binder == "explicit"]
        for p, a in zip(explicit, app.args):  # type: ignore[union-attr]
            if not isinstance(a, Var):
                return None
            v = lawvals[law.name].get(p.name, p.name)
            values[a.name] = defs[v] if v in defs else _lean_value(binding.params[v])
    hyp_names = {h.name for h, _ in assumed}
    args: list[str] = []
    free: list[str] = []
    env: dict[str, Term] = {}
    # the explicit binders after the last law hypothesis belong to the conclusion
    # (`scan_correct`'s `t ps cin` and its premise on them): quantified again in the statement
    last = max(i for i, p in enumerate(thm.params) if p.name in hyp_names)
    trailing = [p for p in thm.params[last + 1:]]
    if any(p.binder != "explicit" for p in trailing):
        return None
    for p in thm.params[:last + 1]:
        if p.name in hyp_names:
            law = next(law for h, law in assumed if h.name == p.name)
            args.append(f"({p.name} := {proved[law.name]})")
        elif is_prop(p.sort):
            args.append(f"({p.name} := by decide)")
        elif p.name in values:
            args.append(f"({p.name} := {values[p.name]})")
            env[p.name] = (Lit(int(values[p.name]), p.sort) if values[p.name].isdigit()
                           else Var(values[p.name], p.sort))  # a def of that name: head too
        elif isinstance(p.sort, Sort):
            # a sort parameter: the binding's finite sort of that name (`A := Fin 2`)
            from .tolean_runs import sort_terms

            sorts = {k: v for law in {id(x): x for _, x in assumed}.values()
                     for k, v in sort_terms(law, binding).items()}
            if p.name not in sorts:
                return None
            args.append(f"({p.name} := {pretty(sorts[p.name])})")
            env[p.name] = sorts[p.name]
        elif p.binder == "implicit" and not _vars_in(p.sort):
            # a parameter the laws leave free (`lookahead_correct`'s base `B`): it stays a
            # parameter of the instantiated theorem, passed through by name
            free.append(f"{{{p.name} : {pretty(p.sort)}}}")
            args.append(f"({p.name} := {p.name})")
        else:
            return None
    from .conformance import _closed_prop

    nats = {k: int(v) for k, v in values.items() if v.isdigit()}
    for p in thm.params[:last + 1]:  # a side condition must be closed, and true, with values
        if is_prop(p.sort) and p.name not in hyp_names and (
                not _vars_in(p.sort) <= set(env) or _closed_prop(p.sort, nats, {}) is not True):
            return None
    try:
        statement = "".join(
            f"{pretty(substitute(p.sort, env))} → " if is_prop(p.sort)
            else f"∀ ({p.name} : {pretty(substitute(p.sort, env))}), " for p in trailing
        ) + pretty(substitute(thm.conclusion, env))
    except ValueError:
        return None
    return "".join(f" {b}" for b in free), statement, f"{thm.name} " + " ".join(args)


def _vars_in(t: Term) -> set[str]:
    """Names of the free variables of `t` (bound ones left out)."""
    from .ir import Lam, Pi, children

    if isinstance(t, Var):
        return {t.name}
    if isinstance(t, (Lam, Pi)):
        return _vars_in(t.var.sort) | (_vars_in(t.body) - {t.var.name})
    out: set[str] = set()
    if isinstance(t, App) and isinstance(t.head, Var):
        out.add(t.head.name)
    for c in children(t):
        out |= _vars_in(c)
    return out


def _body(r: Any, name: str) -> Term | None:
    d = r.definition(name)
    return None if isinstance(d, str) else d.body


@dataclass(frozen=True)
class ReadBack:
    """A generated module as the source reader reads it back: each symbol's table, from the
    ``table_<symbol>`` bodies, and each symbol's ``def`` as a batched callable that the
    interpreter runs from its Lean body (`interpreted`)."""

    tables: Mapping[str, Table]
    functions: Mapping[str, Callable[..., Any]]


def read_back(root: Path, module: str, tables: Mapping[str, Table], runs: tuple[str, ...] = ()
              ) -> ReadBack:
    """The generated `module` under `root`, read back by the source reader: its tables (from the
    ``table_<symbol>`` definitions' bodies) must equal `tables`, else `ArchLawError` naming the
    first differing cases; its symbol definitions, and the run definitions `runs` of a list law
    (`ToLean.runs`), become interpreted callables. A constant (a table of no arguments, such as
    ``init``) has no table definition: its ``def``, run from its body, must be its value."""
    from .extraction import table_from_term
    from .source_reader import SourceReader, resolve_imports

    r = SourceReader()
    for lf in resolve_imports(Path(root)):
        r.add_file(lf.key, lf.module, lf.text)
    out = {}
    fns = {sym: interpreted(r, f"{module}.{sym}") for sym in (*tables, *runs)}
    for sym, t in tables.items():
        if not t.domain:
            got_v = int(fns[sym]().reshape(()).item())
            if (got_v,) != t.entries[0]:
                raise ArchLawError(f"the generated {sym}, run from its Lean body, is {got_v}, "
                                   f"not {t.entries[0][0]} as extracted")
            out[sym] = t
            continue
        d = r.definition(f"{module}.table_{sym}")
        if isinstance(d, str):
            raise ArchLawError(f"the generated table of {sym} was not read back: {d}")
        got = table_from_term(d.body, t, resolve=lambda n: _body(r, n))
        if got != t:
            raise ArchLawError(f"the table of {sym} read back differs from the one extracted: "
                               + "; ".join(t.differences(got)))
        out[sym] = got
    return ReadBack(out, fns)


def interpreted(reader: Any, name: str) -> Callable[..., Any]:
    """Definition `name` (a function of finite arguments, as a generated module writes a symbol)
    as a batched callable: each call evaluates ``name x₀ … xₖ`` with the interpreter, from the
    definitions' Lean bodies (`archlaw.bridge.interpret.Evaluator`; ``ArchLaw.Tables.nth``,
    recursive, by its registration below). Its attribute ``ran`` records how each constant ran
    (`archlaw.bridge.semantics.HOW_RAN`) over all calls."""
    import torch

    from .interpret import Evaluator
    from .ir import Pi, constants_in

    d = reader.definition(name)
    if isinstance(d, str):
        raise ArchLawError(f"the generated {name} was not read back: {d}")
    xs, sort = [], d.type
    while isinstance(sort, Pi):
        xs.append(Var(f"x{len(xs)}", sort.var.sort))
        sort = sort.body
    term = App(name, tuple(xs), sort)
    defs = {x.name: x for x in reader.known_definitions([term])}
    ran: dict[str, str] = {}
    where = f"the generated {name}"
    # the tables the definition names (definitions without parameters or arrows), evaluated from
    # their bodies once, for one case, and then broadcast to each call's cases: building the
    # literal once per case would cost the table's size times the number of cases, in copies
    tables = {}
    for c in sorted(constants_in(d.body)):
        x = defs.get(c)
        if x is not None and not x.params and not isinstance(x.type, Pi):
            one = Evaluator({}, {}, {}, {}, 1, where=where, definitions=defs, ran=ran)
            tables[c] = one.eval(App(c, (), x.type), {})

    def fn(*args: Any) -> Any:
        # a constant (no arguments) is evaluated for one case and returned as its value
        first = getattr(args[0], "lengths", args[0]) if args else torch.zeros(1)
        ev = Evaluator({}, {}, tables, {}, int(first.shape[0]), device=first.device,
                       where=where, definitions=defs, ran=ran)
        got = ev.eval(term, {v.name: a for v, a in zip(xs, args)})
        return got if args else got[0]

    fn.ran = ran  # type: ignore[attr-defined]  # constant -> how it ran, over every call
    return fn


def recheck(decl: Any, export: Export, binding: Any, back: ReadBack) -> list[Any]:
    """The law(s) of `decl` checked again by the engine on the module read back, in place of the
    model: each symbol is its generated ``def``, run by the interpreter (`ReadBack.functions`).
    That function, on its whole domain, must be the table read back (else `ArchLawError` naming
    the cases), and every field must pass exhaustively. Returns the `LawReport`s."""
    from .binding import Binding
    from .conformance import check_law

    from .tolean_runs import RUNNER_LAWS, runner_recheck_binding

    reps = []
    for law, names in _laws_of(decl, export, binding):
        if law.name in RUNNER_LAWS:
            b = runner_recheck_binding(law, binding, back.functions)
            for p in back.tables:
                if p in b.symbols:
                    _same_table(law, b, p, back.tables[p])
            rep = check_law(law, b)
            _refuse_unless_exhaustive(f"{law.name} on the module read back", [rep],
                                      exhaustive=False)
            reps.append(rep)
            continue
        syms = {p.name: back.functions[names.get(p.name, p.name)]
                for p in law.params if names.get(p.name, p.name) in back.functions}
        params = {p.name: binding.params[names.get(p.name, p.name)] for p in law.params
                  if names.get(p.name, p.name) in binding.params}
        b = Binding(sorts=dict(binding.sorts), params=params, symbols=syms,
                    model_symbols=frozenset(syms))
        for p, f in syms.items():
            _same_table(law, b, p, back.tables[names.get(p, p)])
        rep = check_law(law, b)
        _refuse_unless_exhaustive(f"{law.name} on the module read back", [rep])
        reps.append(rep)
    return reps


def _same_table(law: Law, b: Any, p: str, want: Table) -> None:
    """Symbol `p` of `b` (a generated def, run from its body) on its whole domain must be
    `want`, else `ArchLawError` naming the cases where they differ."""
    from .extraction import symbol_value

    ran = symbol_table(law, b, p) if want.domain else symbol_value(law, b, p)
    if ran.entries != want.entries:
        raise ArchLawError(f"the generated {p}, run from its Lean body, is not its table: "
                           + "; ".join(want.differences(ran)))


def _register_nth() -> None:
    """``ArchLaw.Tables.nth d xs j`` (structural recursion on the list, outside the definition
    fragment): the `j`-th entry of each case's list, `d` past its end; ``genIdx`` and ``genOf``
    (matches, outside it too): a status's code and back. Registered only: nothing checks them
    against a body (`archlaw.bridge.semantics`)."""
    import torch

    from .binding import ListBatch
    from .interpret import interpretation
    from .sorts import list_width, map_leaves, where

    @interpretation("ArchLaw.Tables.nth", arity=3)
    def _nth(ctx: Any, d: Any, xs: ListBatch, j: Any) -> Any:
        width = list_width(xs)
        if width == 0:
            return d
        rows = torch.arange(int(xs.lengths.shape[0]), device=xs.lengths.device)
        got = map_leaves(xs.values, lambda t: t[rows, j.clamp(0, width - 1)])
        inside = j < xs.lengths
        if bool(inside.all()):
            return got
        if isinstance(got, ListBatch):
            raise ctx.ev.error("ArchLaw.Tables.nth past the end of a list of lists is not "
                               "interpreted", ctx.node)
        return where(inside, got, d)


    @interpretation("ArchLaw.Tables.genIdx", arity=1)
    def _gen_idx(ctx: Any, x: Any) -> Any:
        """A status's code: the long codes a ``Gen`` is run as (K = 0, P = 1, G = 2)."""
        return x

    @interpretation("ArchLaw.Tables.genOf", arity=1)
    def _gen_of(ctx: Any, n: Any) -> Any:
        """The status of a code: 0 and 1 as they are, anything larger is G (2)."""
        return n.clamp(max=2)


_register_nth()


