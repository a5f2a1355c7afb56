"""`archlaw laws`: every law and theorem, with its statement provenance, axioms and position.

    archlaw laws [--root DIR] [--from FILE] [--json] [--require-verified] [--statements]

Where the laws come from is decided by `archlaw.bridge.library.load_export` (an export file, a
fresh Lean export, or the reader of the Lean source) and said above the table. Statement
provenance ``lean`` means exported from a kernel-checked environment with its axioms listed;
``source`` means parsed from the Lean source without Lean: the statement is known, the proof is
not checked; ``lean (declared)`` means a file says ``lean`` but lake did not re-derive it from
these Lean files (`archlaw.bridge.attestation`), so nothing vouches for it. ``--require-verified``
exits 1 unless every entry is ``lean``, from a fresh export that lake re-derived here, with known
axioms and no ``sorryAx``.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any, Optional

from archlaw.bridge.errors import ArchLawError
from archlaw.bridge.ir import Declaration, Export, Law, Param, declaration_text, pretty
from archlaw.bridge.library import Loaded, load_export_explained, resolve_root
from archlaw.bridge.words import plural

from .options import add_from, add_root

HELP = "show every law and theorem with its statement provenance, axioms and source position"


def configure(parser: argparse.ArgumentParser) -> None:
    add_root(parser)
    add_from(parser)
    parser.add_argument("--json", action="store_true", help="machine-readable JSON on stdout")
    parser.add_argument("--require-verified", action="store_true",
                        help="exit 1 unless every entry is from a fresh Lean export that lake "
                             "re-derived here (not only declared by a file), free of sorryAx")
    parser.add_argument("--statements", action="store_true",
                        help="also print each statement as Lean-like text")


def unverified_reason(loaded: Loaded) -> Optional[str]:
    """None when every entry is verified; else one line saying why not."""
    exp = loaded.export
    if not exp.declarations:
        return "no laws or theorems were found, so nothing is verified"
    if exp.producer != "lean":
        return (f"not verified: {'the' if len(exp.declarations) == 1 else 'all'} "
                f"{plural(len(exp.declarations), 'entry', 'entries')} "
                f"{'has' if len(exp.declarations) == 1 else 'have'} statement provenance "
                f"'source' (parsed from the Lean source without Lean: proofs not checked, axioms "
                f"unknown); {loaded.reason}")
    if not exp.lean_verified:
        return (f"not verified: all {len(exp.declarations)} entries are lean (declared): "
                + (loaded.declared_why or "nothing shows that lake made this export"))
    unknown = [d.name for d in exp.declarations if d.axioms is None]
    if unknown:
        return f"not verified: axioms unknown for {', '.join(unknown)}"
    sorry = [d.name for d in exp.declarations if d.uses_sorry]
    if sorry:
        return (f"not verified: {plural(len(sorry), 'entry', 'entries')} "
                f"depend{'s' if len(sorry) == 1 else ''} on "
                f"sorryAx (unproved): {', '.join(sorry)}")
    return None


def _axioms_text(d: Declaration) -> str:
    if d.axioms is None:
        return "unknown"
    return ", ".join(d.axioms) if d.axioms else "none"


def _param_json(p: Param) -> dict[str, Any]:
    return {"name": p.name, "binder": p.binder, "sort": pretty(p.sort)}


def decl_json(d: Declaration) -> dict[str, Any]:
    """One declaration as JSON-ready data (terms as Lean-like text)."""
    out: dict[str, Any] = {
        "name": d.name,
        "kind": d.kind,
        "module": d.module,
        "statement_provenance": d.statement_provenance,
        "axioms": list(d.axioms) if d.axioms is not None else None,
        "uses_sorry": d.uses_sorry,
        "range": None if d.range is None else {
            "file": d.range.file, "line": d.range.line, "column": d.range.column,
            "end_line": d.range.end_line, "end_column": d.range.end_column},
        "doc": d.doc,
        "params": [_param_json(p) for p in d.params],
    }
    if isinstance(d, Law):
        out["fields"] = [{"name": f.name, "statement": pretty(f.statement)} for f in d.fields]
    else:
        out["conclusion"] = pretty(d.conclusion)
    out["text"] = declaration_text(d)
    return out


def export_json(loaded: Loaded) -> dict[str, Any]:
    exp: Export = loaded.export
    return {
        "origin": loaded.origin,
        "path": str(loaded.path) if loaded.path else None,
        "reason": loaded.reason,
        "producer": exp.producer,
        "lean_version": exp.lean_version,
        "format_version": exp.version,
        "modules": list(exp.modules),
        "verified": unverified_reason(loaded) is None,
        "declared_why": loaded.declared_why,
        "declarations": [{**decl_json(d), "statement": exp.statement_label(d.statement_provenance)}
                         for d in exp.declarations],
    }


def render(loaded: Loaded, console: Any, statements: bool = False) -> None:
    """The rich table of `archlaw laws` (also used by ``archlaw demo``)."""
    from rich.table import Table
    from rich.markup import escape

    exp = loaded.export
    table = Table(title=f"{plural(len(exp.laws), 'law')}, {plural(len(exp.theorems), 'theorem')}",
                  title_justify="left")
    table.add_column("name", style="bold", overflow="fold")
    table.add_column("kind")
    table.add_column("statement")
    table.add_column("axioms", overflow="fold")
    table.add_column("source", overflow="fold")
    for d in exp.declarations:
        label = exp.statement_label(d.statement_provenance)
        prov = {"lean": "[green]lean[/]", "source": "[yellow]source[/]"}.get(label, f"[red]{label}[/]")
        ax = escape(_axioms_text(d))
        if d.uses_sorry:
            ax = f"[red]{ax}[/]"
        elif d.axioms is None:
            ax = f"[dim]{ax}[/]"
        table.add_row(escape(d.name), d.kind, prov, ax, escape(str(d.range) if d.range else "?"))
    console.print(escape(f"from: {loaded.reason}"))
    if exp.modules:  # `archlaw export --module` / `--with-blind`: what the exporter imported
        console.print(escape(f"modules exported: {', '.join(exp.modules)} (a law of a module not "
                             "listed is absent, not unverified)"))
    console.print(table)
    console.print("[dim]statement provenance: lean = exported from a kernel-checked environment "
                  "(axioms listed); source = parsed from the Lean source without Lean (statement "
                  "known, proof not checked); lean (declared) = a file says lean, but lake did not "
                  "re-derive it here[/]")
    if statements:
        for d in exp.declarations:
            console.print()
            console.print(escape(declaration_text(d)), highlight=False)


def run(args: argparse.Namespace) -> int:
    from archlaw.bridge.console import make_console
    from rich.markup import escape

    loaded = load_export_explained(args.root, args.from_file)
    if not loaded.export.declarations:
        raise ArchLawError(f"no laws or theorems: no declaration in "
                           f"{plural(len(loaded.export.hashes), 'Lean file')} is tagged "
                           "@[arch_law] or @[arch_theorem]; tag a Prop-valued structure "
                           "@[arch_law] (import ArchLaw.Attr)",
                           where=str(args.from_file or resolve_root(args.root)))
    if args.json:
        sys.stdout.write(json.dumps(export_json(loaded), ensure_ascii=False, indent=2) + "\n")
    else:
        render(loaded, make_console(soft_wrap=False), statements=args.statements)
    if args.require_verified:
        why = unverified_reason(loaded)
        if why is not None:
            make_console(stderr=True, soft_wrap=True).print(
                f"[bold red]archlaw: not verified:[/] {escape(why.removeprefix('not verified: '))}")
            return 1
    return 0
