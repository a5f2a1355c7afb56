"""The carry models meet their laws: bindings for the conformance engine, and the adder's report.

Bindings (`archlaw.bridge.binding.Binding`), all on decoded values (``torch.long`` digits):

* `cell_binding(cell)`   law ``ArchLaw.Carry.CarryCell B cell``: ``cell a b c -> (digit, carry)``,
                         the cell hard-decoded (one-hot in, argmax out); 2·B² inputs, all
                         enumerated (check ``exhaustive``). Also a theorem-level binding for
                         ``add_correct`` and ``cell_cocycle`` (their ``cell`` and ``B``).
* `carry_binding(cell)`  law ``ArchLaw.Carry.Cocycle c``: ``c a b`` = the cell's carry output with
                         carry-in 0 (Lean's ``cellCarry cell``); B³ triples, exhaustive.
* `combine_binding(comb)` law ``ArchLaw.Carry.CombineLaws combine`` over ``ArchLaw.Carry.Gen``
                         (registered here as a 3-value sort, with its constructors and
                         ``Gen.eval``): 27 triples for associativity, 18 cases for the eval law.
* `table_binding(table)` law ``CarryCell B cell`` bound to the cell's table
                         (`archlaw.models.carry.table.CellTable`: lookups, no network).
* `status_check(cell)`   part of the lookahead adders' trust base: the status they read off the
                         cell (or its table) is ``ArchLaw.Carry.status``, on all B² pairs.

`adder_report(cell, combine, table=...)` checks them through the engine on the laws read from
``lean/ArchLaw`` (statement provenance as read: ``source`` without a Lean toolchain) and checks the
adder theorem's hypotheses with `check_theorem`, which certifies only a ``lean`` statement. Laws
that cannot be read are an error: nothing here is checked against anything but its Lean law.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import torch

from archlaw.bridge.binding import Binding

from archlaw.models.carry.modules import CarryCellMLP, CombineMLP, gen_eval

__all__ = [
    "cell_binding", "carry_binding", "combine_binding", "table_binding", "LawLine", "AdderReport",
    "adder_report",
    "LAW_NAMES", "carry_decl", "status_check",
]

#: Full names of the Lean declarations this module binds (``lean/ArchLaw/Carry/``).
LAW_NAMES = {
    "cell": "ArchLaw.Carry.CarryCell",
    "cocycle": "ArchLaw.Carry.Cocycle",
    "combine": "ArchLaw.Carry.CombineLaws",
    "adder_theorem": "ArchLaw.Carry.add_correct",
    "cocycle_theorem": "ArchLaw.Carry.cell_cocycle",
    "scan_theorem": "ArchLaw.Carry.scan_correct",
    # a model computes the library's definitions (`Carry/Reference.lean`)
    "is_carry": "ArchLaw.Carry.IsCarry",
    "carry_out": "ArchLaw.Carry.CarryOut",
    "is_op": "ArchLaw.Carry.IsLookaheadOp",
}


#: Key of the lookahead adders' runner check in `AdderReport.extra`.
RUNNER_CHECK = "runner check (trust base)"
#: Keys of the table adders' trust-base lines in `AdderReport.extra`: what the table is, and the
#: step that runs it.
TABLE_TRUST = "table (trust base)"
RUNNER_TRUST = "runner (trust base)"

#: What the table is, as `archlaw add --adder table|table-lookahead` reports it (``{cases}``:
#: 2·B²; ``{sha256}``: the extracted table's).
TABLE_TEXT = ("the hard-decoded cell on all {cases} inputs, read once "
              "(archlaw.models.carry.table.read_cell_table; table sha256 {sha256}), CarryCell "
              "checked on it")
#: What `table_sequential` rests on, as `archlaw add --adder table` reports it.
SEQUENTIAL_TRUST = ("the Mealy adder over the table, step for step MealyAdder over the cell "
                    "(the adder ArchLaw.Carry.add_correct speaks of)")
#: The step `table_lookahead` adds to the trust base, as `archlaw add --adder table-lookahead`
#: reports it.
LOOKAHEAD_TRUST = ("carries by the Gen.op prefix of the statuses read off the table "
                   "(ArchLaw.Carry.lookahead_correct / scan_correct with combine := Gen.op, "
                   "CombineLaws by op_combineLaws), computed in numpy as the last non-propagate "
                   "status before each position (Gen.op_eq_ite): trusted, not checked by Lean; "
                   "tested against the sequential run of the table")

#: What runs, for each value of ``archlaw add --adder`` (`AdderReport.text`).
RUNNERS = {
    "sequential": "MealyAdder, cell hard-decoded at every step",
    "log-depth": "LookaheadAdder, cell and combine hard-decoded in every round",
    "table": "Mealy adder over the cell's table in numpy, the table read off the hard-decoded cell",
    "table-lookahead": "carry-lookahead over the cell's table in numpy, the table read off the "
                       "hard-decoded cell",
}


def _meta(module: torch.nn.Module, **extra: Any) -> dict:
    return {"model": type(module).__name__, **extra}


def cell_binding(cell: CarryCellMLP, **metadata: Any) -> Binding:
    """``CarryCell B cell``: the decoded cell on ``Fin B → Fin B → Fin 2 → Fin B × Fin 2``."""
    return Binding(sorts={}, params={"B": cell.base},
                   symbols={"cell": lambda a, b, c: cell.decode(a, b, c)},
                   model_symbols=frozenset({"cell"}), max_train_length=4, module=cell,
                   metadata=_meta(cell, base=cell.base, **metadata))


def carry_binding(cell: CarryCellMLP, **metadata: Any) -> Binding:
    """``Cocycle B c``: the learned carry ``c a b`` = cell's carry output with carry-in 0."""
    return Binding(sorts={}, params={"B": cell.base}, symbols={"c": cell.carry0},
                   model_symbols=frozenset({"c"}), max_train_length=4, module=cell,
                   metadata=_meta(cell, base=cell.base, symbol="carry of cell a b 0", **metadata))


def table_binding(table: Any, **metadata: Any) -> Binding:
    """``CarryCell B cell`` bound to a `archlaw.models.carry.table.CellTable`: ``cell a b c`` is a
    lookup in the table (a pure function: no module, nothing to hash)."""
    return Binding(sorts={}, params={"B": table.base}, symbols={"cell": table.decode},
                   model_symbols=frozenset({"cell"}), max_train_length=4,
                   metadata={"model": "CellTable", "base": table.base, **metadata})


def combine_binding(comb: CombineMLP, **metadata: Any) -> Binding:
    """The lookahead laws: the decoded ``combine : Gen → Gen → Gen`` (K=0, P=1, G=2)."""
    return Binding(sorts={}, params={}, symbols={"combine": comb.decode},
                   model_symbols=frozenset({"combine"}), max_train_length=4, module=comb,
                   metadata=_meta(comb, **metadata))


@dataclass(frozen=True)
class LawLine:
    """One law checked on the model: provenance on both axes, outcome, size, first failure."""

    law: str
    statement: str      # "lean" | "source": the law's statement provenance, as read
    check: str          # "exhaustive" | "sampled"
    passed: bool
    cases: int
    counterexample: str | None = None
    #: what the law was checked on, when not the network itself (``"the table"``)
    on: str | None = None

    def text(self) -> str:
        law = self.law + (f" (on {self.on})" if self.on else "")
        out = (f"{law}: {'pass' if self.passed else 'FAIL'} — statement {self.statement}, "
               f"check {self.check} ({self.cases:,} cases)")
        if self.counterexample:
            out += f"; counterexample: {self.counterexample}"
        return out


@dataclass(frozen=True)
class AdderReport:
    """The adder's provenance: the laws its parts were checked against, and the verdict of the
    adder theorem (``certified`` only for a ``lean`` statement whose hypotheses held exhaustively)."""

    laws: tuple[LawLine, ...]
    theorem: str | None
    verdict: str
    certified: bool
    reasons: tuple[str, ...] = ()
    extra: dict = field(default_factory=dict)
    #: the adder theorem's `ConformanceReport` and the binding it ran on (for a certificate)
    conformance: Any = None
    binding: Any = None
    #: the runner check of the log-depth adder (`status_check`) passed; True when not run
    runner_passed: bool = True

    @property
    def passed(self) -> bool:
        """Every law line passed, and the runner check (log-depth adder) too."""
        return all(line.passed for line in self.laws) and self.runner_passed

    def failure(self) -> str | None:
        """One line naming the first thing that failed (a law, with its check and first
        counterexample, or the runner check), or None when everything passed."""
        for line in self.laws:
            if not line.passed:
                return line.text()
        if not self.runner_passed:
            return self.extra.get(RUNNER_CHECK, "the runner check FAILed")
        return None

    def as_dict(self) -> dict:
        return {"laws": [line.__dict__ for line in self.laws], "theorem": self.theorem,
                "verdict": self.verdict, "certified": self.certified,
                "reasons": list(self.reasons), "also": dict(self.extra)}

    def text(self, adder: str, cached: Any, device: str) -> str:
        meta = cached.meta
        lines = [
            f"adder: {adder} ({RUNNERS.get(adder, adder)}) on {device}; "
            f"cell base {meta['config']['base']}, "
            f"seed {meta['cell']['seed']}, "
            + (f"trained just now in {meta['cell']['seconds']} s" if cached.trained_now
               else f"cached at {cached.path}"),
        ]
        lines += ["  " + line.text() for line in self.laws]
        if self.theorem:
            lines.append(f"  {self.theorem}: {self.verdict}")
        else:
            lines.append(f"  adder theorem: {self.verdict}")
        for r in self.reasons:
            lines.append(f"    - {r}")
        for name, verdict in self.extra.items():
            lines.append(f"  {name}: {verdict}")
        return "\n".join(lines)


def carry_decl(key: str, export: Any = None):
    """The library's declaration for `key` (a key of `LAW_NAMES`, e.g. ``"cell"``), from `export`
    or else the library (`archlaw.bridge.library.load_export`). A library that cannot be read, or
    lacks the declaration, is an `ArchLawError` naming it: the carry is never checked against
    anything but its Lean laws."""
    from archlaw.bridge.library import load_export

    return (export if export is not None else load_export()).find(LAW_NAMES[key])


def adder_report(cell: CarryCellMLP, combine: CombineMLP | None = None, export: Any = None,
                 table: Any = None, table_lookahead: bool = False) -> AdderReport:
    """Check the cell (and the combine, for the log-depth adder) against their laws, and the
    adder theorem (and the scan theorem) with `check_theorem`. With `table` (the cell's
    `archlaw.models.carry.table.CellTable`, for the table adders), ``CarryCell`` is also checked
    on the table itself, and the runner's trust base is named: the sequential run of the table,
    or (`table_lookahead`) the status check on the table and the lookahead step."""
    from archlaw.bridge.conformance import check_law, check_theorem
    from archlaw.bridge.library import load_export

    export = export if export is not None else load_export()
    lines: list[LawLine] = []

    def add(rep, on: str | None = None) -> None:
        ce = None
        for f in rep.fields:
            if f.counterexample is not None:
                ce = f.counterexample.text().split("\n")[0]
                break
        lines.append(LawLine(rep.law, rep.statement, rep.check, rep.passed, rep.cases, ce, on))

    add(check_law(carry_decl("cell", export), cell_binding(cell)))
    add(check_law(carry_decl("cocycle", export), carry_binding(cell)))
    extra = {}
    if table is not None:
        add(check_law(carry_decl("cell", export), table_binding(table)), "the table")
        extra[TABLE_TRUST] = TABLE_TEXT.format(cases=f"{table.cases:,}", sha256=table.sha256)
        extra[RUNNER_TRUST] = SEQUENTIAL_TRUST
        if table_lookahead:
            extra[RUNNER_CHECK] = status_check(table)
            extra[RUNNER_TRUST] = LOOKAHEAD_TRUST
    if combine is not None:
        add(check_law(carry_decl("combine", export), combine_binding(combine)))
        sth = carry_decl("scan_theorem", export)
        extra[sth.name] = check_theorem(sth, export, combine_binding(combine)).verdict()
        extra[RUNNER_CHECK] = status_check(cell)
    thm = carry_decl("adder_theorem", export)
    binding = cell_binding(cell)  # theorem-level: the theorem's `cell` and `B` are the binding's
    rep = check_theorem(thm, export, binding)
    cth = carry_decl("cocycle_theorem", export)
    extra[cth.name] = check_theorem(cth, export, binding).verdict()
    runner_ok = extra.get(RUNNER_CHECK, ": pass").endswith(": pass")
    return AdderReport(tuple(lines), thm.name, rep.verdict(), rep.certified, rep.reasons,
                       extra=extra, conformance=rep, binding=binding, runner_passed=runner_ok)


def status_check(cell: Any) -> str:
    """Part of the lookahead adders' trust base, checked on all B² digit pairs: the status the
    runner reads off the cell's carries (`CarryCellMLP.generators`, or `CellTable.generators`
    for the table lookahead) is what Lean's
    ``ArchLaw.Carry.status a b`` computes (G if a + b ≥ B, P if a + b = B - 1, else K).
    It is a check of the torch runner against a Lean definition, not of a law, so it carries no
    statement label; the lookahead theorems speak of ``status`` (via ``pairStatus``) itself."""
    from archlaw.models.carry.modules import G, K, P

    base = cell.base
    dev = next(cell.parameters()).device if isinstance(cell, torch.nn.Module) else torch.device("cpu")
    a, b = torch.meshgrid(torch.arange(base, device=dev), torch.arange(base, device=dev),
                          indexing="ij")
    a, b = a.reshape(-1), b.reshape(-1)
    want = torch.where(a + b >= base, G, torch.where(a + b + 1 == base, P, K))
    bad = (cell.generators(a, b) != want).nonzero().flatten().tolist()
    what = "cell" if isinstance(cell, torch.nn.Module) else "cell's table"
    head = f"status read off the {what} = ArchLaw.Carry.status on all {base * base} pairs"
    if not bad:
        return f"{head}: pass"
    return f"{head}: FAIL at a={int(a[bad[0]])}, b={int(b[bad[0]])}"


# ---------------------------------------------------------------------------------------------
# The lookahead monoid's sort and fixed symbols, for the interpretation registry

#: Lean names of the generator type, its constructors (in `GEN_NAMES` order) and ``eval``.
GEN_TYPE = "ArchLaw.Carry.Gen"
GEN_CTORS = ("ArchLaw.Carry.Gen.kill", "ArchLaw.Carry.Gen.prop", "ArchLaw.Carry.Gen.gen")
GEN_EVAL = "ArchLaw.Carry.Gen.eval"


def _register_gen() -> None:
    from dataclasses import dataclass as _dc

    from archlaw.bridge.interpret import interpretation
    from archlaw.bridge.sorts import Finite, register_sort

    from archlaw.models.carry.modules import GEN_NAMES

    @_dc(frozen=True)
    class GenEnc(Finite):
        """``Gen``: long codes K = 0, P = 1, G = 2, printed by name."""

        n: int = 3
        kind = "Gen"

        def describe(self) -> str:
            return "Gen"

        def render(self, v, i):
            return GEN_NAMES[int(v[i])]

    register_sort(GEN_TYPE)(lambda args, params: GenEnc())
    for code, ctor in enumerate(GEN_CTORS):
        interpretation(ctor, arity=0)(lambda ctx, _k=code: torch.full(
            (ctx.n,), _k, dtype=torch.long, device=ctx.device))

    @interpretation(GEN_EVAL, arity=2)
    def _eval(ctx, x, c):
        return gen_eval(x, c)


_register_gen()
