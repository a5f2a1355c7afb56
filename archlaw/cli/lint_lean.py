"""`archlaw lint-lean`: refuse Lean that core Lean 4 would reject or that ArchLaw cannot read.

    archlaw lint-lean [--root DIR]

Exit status 0 when clean; 1 with one ``file:line:col: problem`` line per problem otherwise (see
`archlaw.bridge.lean_lint` for the checks).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from archlaw.bridge.lean_lint import lint
from archlaw.bridge.library import resolve_root
from archlaw.bridge.words import plural

from .options import add_root

HELP = ("fail on sorry/admit/native_decide, Mathlib-only tactics or imports, and unreadable laws "
        "in the project's own files (the modules it imports are read, not linted)")


def configure(parser: argparse.ArgumentParser) -> None:
    add_root(parser)


def run(args: argparse.Namespace) -> int:
    from archlaw.bridge.console import make_console
    from rich.markup import escape

    root = resolve_root(args.root)
    report = lint(root)
    out = make_console(soft_wrap=True)
    for p in report.problems:
        out.print(escape(str(p)), highlight=False)
    if report.ok:
        out.print(f"[green]lint-lean: ok[/] ({plural(report.files, 'Lean file')}, "
                  f"{plural(report.tagged, 'tagged declaration')} read)")
        return 0
    out.print(f"[bold red]lint-lean: {plural(len(report.problems), 'problem')}[/] in "
              f"{plural(report.files, 'Lean file')}")
    return 1
