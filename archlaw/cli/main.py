"""The `archlaw` command line.

Each subcommand lives in its own module ``archlaw.cli.<name>`` (``-`` read as ``_``) that defines

    HELP: str                                   # one line for `archlaw --help`
    def configure(parser: argparse.ArgumentParser) -> None
    def run(args: argparse.Namespace) -> int    # exit status

Command modules import heavy libraries (torch) inside `run`, so that `archlaw --help` and
`archlaw laws` start fast. A user error is raised as `ArchLawError` and printed on one line
(exit status 2); Ctrl-C exits with 130 and a one-line note.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from typing import Sequence

from archlaw.bridge.errors import ArchLawError

#: Subcommands in the order `archlaw --help` lists them.
COMMANDS = ("demo", "laws", "export", "lint-lean", "check", "verify", "add")


def _module(name: str):
    return importlib.import_module(f"archlaw.cli.{name.replace('-', '_')}")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="archlaw",
        description="Laws of neural architectures, proved in Lean 4, checked on torch models.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for name in COMMANDS:
        mod = _module(name)
        p = sub.add_parser(name, help=mod.HELP, description=mod.HELP)
        mod.configure(p)
        p.set_defaults(_run=mod.run)
    return parser


def _print_error(message: str) -> None:
    from archlaw.bridge.console import make_console
    from rich.markup import escape

    make_console(stderr=True, soft_wrap=True).print(f"[bold red]archlaw: error:[/] {escape(message)}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args._run(args) or 0)
    except ArchLawError as e:
        _print_error(str(e))
        return 2
    except KeyboardInterrupt:
        _print_error("interrupted")
        return 130
