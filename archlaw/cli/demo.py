"""`archlaw demo`: the whole flow, once, on this machine.

1. the laws, read from Lean (a fresh `lean` export when there is one, else the `source` reader);
2. every model in the project's registry checked against its laws (tiny seeded fixtures of every
   family, seeded violations included: those must be caught);
3. the flagship: the learned carry cell (trained and cached on first use), its laws checked
   exhaustively, and a long addition by the hard-decoded adder compared with Python's integers.

With ``--skip-registry`` step 2 is a one-line note that it was skipped, so the steps still read
1, 2, 3. Every result is labelled on both axes, statement (`lean`/`source`) and check
(`exhaustive`/`sampled`); the closing line says what, if anything, is certified. Exit status 0
when every check came out as expected, 1 otherwise.
"""

from __future__ import annotations

import argparse
import time
from collections import Counter

from archlaw.bridge.words import plural

from .options import add_device, add_root

HELP = "the tour: the laws, every registered model checked against them, and the learned adder"

#: Longest operands of the closing addition: the Mealy adder runs one step per digit, so this
#: bounds the demo's last step to seconds (`archlaw add` is the way to add longer numbers).
MAX_DIGITS = 100_000


def configure(p: argparse.ArgumentParser) -> None:
    add_root(p)
    add_device(p, what="the carry cell")
    p.add_argument("--digits", type=int, default=1000,
                   help=f"length of the operands of the closing addition, 1 to {MAX_DIGITS:,} "
                        "(default 1000)")
    p.add_argument("--skip-registry", action="store_true",
                   help="skip step 2 (checking every registered model)")


def _laws(con, loaded) -> None:
    from rich.table import Table

    exp = loaded.export
    con.rule("[bold]1. The laws[/]")
    con.print(f"from: {loaded.reason}")
    by_module: dict[str, Counter] = {}
    for d in exp.declarations:
        by_module.setdefault(d.module, Counter())[d.kind] += 1
    t = Table(show_edge=False)
    for col in ("module", "laws", "theorems", "statement"):
        t.add_column(col, justify="right" if col in ("laws", "theorems") else "left")
    for mod, c in by_module.items():
        t.add_row(mod, str(c["law"]), str(c["theorem"]), exp.producer)
    con.print(t)
    con.print("`archlaw laws` lists each one with its position; `archlaw laws --statements` "
              "prints them.")


def _registry(con, export) -> bool:
    from rich.progress import Progress
    from rich.table import Table

    from archlaw.models.registry import entries, run_entry

    con.rule("[bold]2. Every registered model, checked against its laws[/]")
    todo = entries()
    outcomes = []
    with Progress(console=con, transient=True) as prog:
        task = prog.add_task("checking", total=len(todo))
        for e in todo:
            prog.update(task, description=f"checking {e.id}")
            outcomes.append(run_entry(e, export))
            prog.advance(task)
    t = Table(show_edge=False)
    for col in ("law", "model", "statement", "check", "cases", "result"):
        t.add_column(col, justify="right" if col == "cases" else "left", overflow="fold")
    for o in outcomes:
        e = o.entry
        if e.expect_pass:
            result = "[green]pass[/]" if o.passed else "[bold red]FAIL[/]"
        else:
            result = "[green]violation caught[/]" if not o.passed else "[bold red]NOT caught[/]"
        cases = getattr(o.report, "cases", None)
        if cases is None:  # a theorem: count its hypotheses' cases
            cases = sum(r.cases for _, r in o.report.hypotheses)
        t.add_row(e.law_name.removeprefix("ArchLaw."), e.name, o.statement, o.check,
                  f"{cases:,}", result)
    con.print(t)
    bad = [o for o in outcomes if not o.as_expected]
    for o in bad:
        con.print(f"[bold red]unexpected:[/] {o.entry.id}\n{o.text}", highlight=False)
    n_viol = sum(1 for o in outcomes if not o.entry.expect_pass)
    con.print(f"{plural(len(outcomes) - n_viol, 'conforming model')} checked, "
              f"{plural(n_viol, 'seeded violation')}; {plural(len(bad), 'unexpected outcome')}.")
    return not bad


#: Step 2's title under ``--skip-registry``: the tour still counts 1, 2, 3.
SKIPPED_REGISTRY = ("2. Every registered model: skipped (--skip-registry; `pytest --archlaw` "
                    "checks them)")


def carry_title(producer: str) -> str:
    """Step 3's title, saying what is shown: with a Lean export the carry law's theorem was
    kernel-checked; without Lean (statements from the source reader) it is stated, not proved
    here."""
    if producer == "lean":
        return "3. The carry: a learned adder held to a law proved in Lean"
    return "3. The carry: a learned adder held to a law stated in Lean, not proved here"


def _carry(con, export, device: str, digits: int) -> bool:
    import torch
    from rich.progress import Progress

    from archlaw.models.carry.train import CellConfig
    from archlaw.models.carry.modules import MealyAdder
    from archlaw.models.carry.data import int_of_digits, random_operands
    from archlaw.models.carry.bindings import adder_report
    from archlaw.models.carry.store import load_or_train

    con.rule(f"[bold]{carry_title(export.producer)}[/]")
    cfg = CellConfig(base=10, seed=0)
    with Progress(console=con, transient=True) as prog:
        task = None

        def progress(step: int, total: int) -> None:
            nonlocal task
            if task is None:
                task = prog.add_task("training the base-10 carry cell", total=total)
            prog.update(task, completed=step, total=total)

        cached = load_or_train(cfg, device=device, progress=progress)
    report = adder_report(cached.cell, export=export)
    dev = next(cached.cell.parameters()).device
    con.print(report.text("sequential", cached, str(dev)), highlight=False)
    gen = torch.Generator().manual_seed(0)
    xs, ys = random_operands(1, digits, 10, gen, device=dev)
    t0 = time.perf_counter()
    out = MealyAdder(cached.cell).run(xs, ys)[0]
    secs = time.perf_counter() - t0
    # Compared as Python integers (digits_of/int_of_digits lift the 4,300-digit str limit).
    exact = int_of_digits(out, 10) == int_of_digits(xs[0], 10) + int_of_digits(ys[0], 10)
    con.print(f"{digits}-digit + {digits}-digit addition by the hard-decoded adder: "
              f"{'[green]exact[/]' if exact else '[bold red]WRONG[/]'} against Python's integers "
              f"({secs:.2f} s). The model was trained on at most 4 digits.")
    return exact and report.passed


def run(args: argparse.Namespace) -> int:
    import os

    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # a 2-core machine stalls on busy-waiting
    from pathlib import Path

    import torch

    from archlaw.bridge.console import make_console
    from archlaw.bridge.devices import resolve_device
    from archlaw.bridge.library import load_export_explained
    from archlaw.bridge.limits import bounded_int

    bounded_int(args.digits, "--digits", 1, MAX_DIGITS)
    device = str(resolve_device(args.device))
    torch.set_num_threads(min(2, torch.get_num_threads()))
    con = make_console()
    loaded = load_export_explained(Path(args.root) if args.root else None)
    _laws(con, loaded)
    ok = True
    if args.skip_registry:
        con.rule(f"[bold]{SKIPPED_REGISTRY}[/]")
    else:
        ok &= _registry(con, loaded.export)
    ok &= _carry(con, loaded.export, device, args.digits)
    con.rule()
    if loaded.export.lean_verified:
        con.print("Statements are `lean`: a theorem whose hypotheses held exhaustively is certified "
                  "(`archlaw check THEOREM --certificate OUT`).")
    elif loaded.export.producer == "lean":
        con.print("Certified: nothing. Statements are `lean (declared)`: the export says Lean made "
                  "it, but lake did not re-derive it from these Lean files here; `archlaw export` "
                  "with Lean does.")
    else:
        con.print("Certified: nothing. Every statement here is `source` (parsed from the Lean "
                  "source; no Lean toolchain, so no proof was checked). Exhaustive checks stay "
                  "`exhaustive`; with Lean installed, `archlaw export` makes them certificates.")
    return 0 if ok else 1
