"""`archlaw to-lean` for laws with list binders: the finite cells as tables, the runs as Lean's own.

A law such as ``FoldlLaws cell init run`` or ``MealyLaws nextState output state out`` speaks of
a *run* over lists of every length: no table holds it and ``decide`` cannot prove it. What a
generated module can prove is the law for Lean's own runner applied to the table:

* the finite symbols (``cell``, ``init``; ``nextState``, ``output``) are read off the model as
  tables (`archlaw.bridge.extraction.symbol_table`, `symbol_value` for a constant such as
  ``init``) and written as ``def``s over them (``ArchLaw.Tables.tab1`` / ``tab2`` / ``finOf``);
* each run symbol is a ``def`` equal to Lean's runner of those definitions (`RunnerLaw.runs`:
  ``run := List.foldl cell init``; ``state := ArchLaw.Tables.mealyState nextState``,
  ``out := ArchLaw.Tables.mealyOut nextState output``);
* the law is proved by the library's lemma for that runner, once for every cell
  (`RunnerLaw.lemma`: ``ArchLaw.Tables.foldl_laws cell init``; ``lean/ArchLaw/Tables.lean``).

So the theorem is about the table's runner, not the network's: the network's own run is checked
against the law by the engine first (``exhaustive`` or ``sampled``: lists of every length are
infinitely many, so a list law is sampled, and the command says so), and the tables are the
network's cells, exhaustively. What remains trusted is that the network's run composes its
cells as the Lean runner does.

`render_runner_law` writes one law's part of the module (`archlaw.bridge.tolean.to_lean`
assembles it); `runner_recheck_binding` binds the law
to the module read back (each symbol its generated ``def``, run by the interpreter from its Lean
body) for the engine's re-check; `_register_runners` gives the interpreter the two runners that
are defined by structural recursion (``mealyOut``, ``mooreOut``), outside its definition
fragment.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Mapping

from .errors import ArchLawError
from .extraction import Table
from .ir import App, Law, Lit, Sort, Term, pretty, substitute

__all__ = ["RunnerLaw", "RUNNER_LAWS", "render_runner_law", "runner_recheck_binding",
           "sort_terms", "finite_params", "RUNS_INTRO"]


@dataclass(frozen=True)
class RunnerLaw:
    """How the library proves a list law for Lean's runner of tables: `lemma` applied to the
    finite symbols (in the law's parameter order) proves the law with each run symbol of
    `runs` replaced by its Lean expression (over the law's parameter names)."""

    lemma: str
    runs: Mapping[str, str]


#: The list laws a runner lemma exists for, by law name.
RUNNER_LAWS: Mapping[str, RunnerLaw] = {
    "ArchLaw.FoldlLaws": RunnerLaw("ArchLaw.Tables.foldl_laws", {"run": "List.foldl cell init"}),
    "ArchLaw.FoldLaws": RunnerLaw("ArchLaw.Tables.foldr_laws", {"run": "List.foldr cell init"}),
    "ArchLaw.MealyLaws": RunnerLaw("ArchLaw.Tables.mealy_laws", {
        "state": "ArchLaw.Tables.mealyState nextState",
        "out": "ArchLaw.Tables.mealyOut nextState output"}),
    "ArchLaw.MooreLaws": RunnerLaw("ArchLaw.Tables.moore_laws", {
        "state": "ArchLaw.Tables.mealyState nextState",
        "out": "ArchLaw.Tables.mooreOut nextState output"}),
}

_NAT = App("Nat", (), Sort("Type"))


def sort_terms(law: Law, binding: Any) -> dict[str, Term]:
    """``A ↦ Fin 2``, ... for each sort parameter of `law` that the binding gives as a finite
    ``Fin n`` (the only sorts a generated module writes for a list law)."""
    from .sorts import Finite

    out: dict[str, Term] = {}
    for p in law.params:
        enc = binding.sorts.get(p.name)
        if isinstance(p.sort, Sort) and type(enc) is Finite:
            out[p.name] = App("Fin", (Lit(int(enc.n), _NAT),), Sort("Type"))
    return out


def finite_params(law: Law) -> list[str]:
    """The law's explicit parameters that are not runs: the finite symbols, in order."""
    runs = RUNNER_LAWS[law.name].runs
    return [p.name for p in law.params if p.binder == "explicit" and p.name not in runs]


def _fin(t: Table, where: str) -> int:
    if len(t.result) != 1:
        raise ArchLawError(f"to-lean writes a list law's cells with one Fin result; {t.symbol} "
                           f"returns {t.signature.split(' → ')[-1]}", where=where)
    return t.result[0]


def render_runner_law(law: Law, tables: Mapping[str, Table], binding: Any, taken: set[str],
                      table_defs: Callable[..., list[str]]) -> tuple[list[str], str]:
    """(lines, theorem name) of `law`'s part of a generated module: its finite symbols' tables
    (written by `table_defs`, `archlaw.bridge.tolean`'s) and ``def``s (those not already in
    `taken`, the names written so far, which it extends), its runs as ``def``s of Lean's runner,
    and the law for them proved by the library's lemma."""
    rl = RUNNER_LAWS[law.name]
    where = f"law {law.name}"
    env = sort_terms(law, binding)
    lines: list[str] = []
    for name in finite_params(law):
        if name in taken:
            continue
        t = tables[name]
        n = _fin(t, where)
        if not t.domain:
            lines += [f"/-- `{name} : {t.signature}`, read off the model. -/",
                      f"def {name} : {t.signature} :=",
                      f"  ArchLaw.Tables.finOf ⟨0, by decide⟩ {t.entries[0][0]}", ""]
        elif len(t.domain) <= 2:
            fn, ty = (("ArchLaw.Tables.tab1", "List Nat") if len(t.domain) == 1
                      else ("ArchLaw.Tables.tab2", "List (List Nat)"))
            doc = (f"/-- The table of `{name}` read off the model on all {t.cases:,} cases of "
                   f"its domain (decoded as it is run): `table_{name}"
                   + "".join(f"[{v}]" for v in "ab"[:len(t.domain)]) + "`. -/")
            lines += table_defs(t, f"table_{name}", ty, doc)
            lines += [f"/-- `{name} : {t.signature}`, the function the table gives. -/",
                      f"def {name} : {t.signature} :=",
                      f"  {fn} ⟨0, by decide⟩ table_{name}", ""]
            taken.add(f"table_{name}")
        else:
            raise ArchLawError(f"to-lean writes a list law's cells of one or two arguments; "
                               f"{name} takes {len(t.domain)}", where=where)
        taken.add(name)
    for p in law.params:
        if p.name in rl.runs and p.name not in taken:
            lines += [f"/-- `{p.name}`: Lean's own runner of the tables, `{rl.runs[p.name]}`. -/",
                      f"def {p.name} : {pretty(substitute(p.sort, env))} :=",
                      f"  {rl.runs[p.name]}", ""]
            taken.add(p.name)
    args = [p.name for p in law.params if p.binder == "explicit"]
    tname = f"{next(iter(rl.runs))}_{law.short_name}"
    lines += [f"/-- `{law.name}` for Lean's runner of the tables: `{rl.lemma}`, proved once for "
              f"every cell (no `decide`: the lists are unbounded). -/",
              f"theorem {tname} : {law.name} {' '.join(args)} :=",
              f"  {rl.lemma} {' '.join(finite_params(law))}", ""]
    return lines, tname


#: What a module of list laws says about itself (between its first and last docstring lines).
RUNS_INTRO = (
    "read off the model on its whole domain, decoded as the model is run. The laws speak of runs",
    "over lists of every length, which no table holds: each is proved for Lean's own runner of",
    "the tables (`List.foldl`, `ArchLaw.Tables.mealyState`, ...), by the library's lemma for that",
    "runner (`lean/ArchLaw/Tables.lean`), not by `decide`. The network's own run was checked",
    "against the law by the engine before this was written (exhaustively or on samples: the",
    "sidecar JSON says which). Each `@[arch_theorem]` below is a library theorem whose",
    "hypotheses are those laws, instantiated for the runner. The SHA-256 of the weights, of the",
    "tables and of this file are in the sidecar JSON beside it, not here: the same tables always",
    "give the same file.",
)


def runner_recheck_binding(law: Law, binding: Any, functions: Mapping[str, Callable[..., Any]]
                           ) -> Any:
    """`law` bound to the module read back: every explicit parameter is its generated ``def``,
    run by the interpreter from its Lean body (`functions`), with the model binding's sorts."""
    from .binding import Binding

    syms = {p.name: functions[p.name] for p in law.params
            if p.binder == "explicit" and p.name in functions}
    return Binding(sorts=dict(binding.sorts), params={}, symbols=syms,
                   model_symbols=frozenset(syms), max_train_length=binding.max_train_length)


def _register_runners() -> None:
    """``ArchLaw.Tables.mealyOut next output s u`` and ``mooreOut`` (structural recursion on
    the list, outside the definition fragment): the outputs, one per input (Mealy) or one per
    state visited (Moore), as `archlaw.models.recursion`'s runners compute them. Registered
    only: nothing checks them against a body (`archlaw.bridge.semantics`)."""
    import torch

    from .binding import ListBatch
    from .interpret import _at, apply, interpretation
    from .sorts import list_width, where

    def outs(f: Any, nxt: Any, s: Any, u: ListBatch, moore: bool) -> ListBatch:
        got = []
        for p in range(list_width(u)):
            a = _at(u, p)
            got.append(apply(f, (s,)) if moore else apply(f, (s, a)))
            s = where(p < u.lengths, apply(nxt, (s, a)), s)
        if moore:  # the output of the state reached (past a list's end, its state is frozen)
            got.append(apply(f, (s,)))
        if not got:
            return ListBatch(torch.zeros(u.lengths.shape[0], 0, dtype=torch.long,
                                         device=u.lengths.device), u.lengths)
        return ListBatch(torch.stack(got, 1), u.lengths + (1 if moore else 0))

    @interpretation("ArchLaw.Tables.mealyOut", arity=4)
    def _mealy_out(ctx: Any, nxt: Any, output: Any, s: Any, u: ListBatch) -> ListBatch:
        return outs(output, nxt, s, u, moore=False)

    @interpretation("ArchLaw.Tables.mooreOut", arity=4)
    def _moore_out(ctx: Any, nxt: Any, output: Any, s: Any, u: ListBatch) -> ListBatch:
        return outs(output, nxt, s, u, moore=True)


_register_runners()
