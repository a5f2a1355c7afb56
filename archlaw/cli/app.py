"""The `archlaw` command line.

Each subcommand lives in its own module ``archlaw.cli.<name>`` (``-`` read as ``_``) that defines

    HELP: str                                   # one line for `archlaw --help`
    def configure(parser: argparse.ArgumentParser) -> None
    def run(args: argparse.Namespace) -> int    # exit status

Command modules import heavy libraries (torch) inside `run`, so that `archlaw --help` and
`archlaw laws` start fast. A user error is raised as `ArchLawError` and printed on one line
(exit status 2), as is a bad argument (argparse's usage block is replaced by a pointer to
``--help``); Ctrl-C exits with 130 and a one-line note. Anything else escaping a command is a bug
in ArchLaw: the last-resort handler prints one line ``internal error: ...`` and exits with
`INTERNAL_ERROR` (70, sysexits' EX_SOFTWARE); ``ARCHLAW_DEBUG=1`` shows the traceback instead.
Long digit runs in an error are elided (`archlaw.bridge.limits.shorten_numerals`).
"""

from __future__ import annotations

import argparse
import importlib
import os
import re
import sys
from typing import NoReturn, Sequence

from archlaw.bridge.errors import ArchLawError

#: Subcommands in the order `archlaw --help` lists them.
COMMANDS = ("demo", "laws", "spec", "export", "lint-lean", "check", "verify", "add", "to-lean")

#: Exit status of a bug in ArchLaw (an exception other than `ArchLawError` escaping a command).
INTERNAL_ERROR = 70
#: Set to 1 to see the traceback of an internal error instead of its one line.
DEBUG_ENV = "ARCHLAW_DEBUG"


class _Parser(argparse.ArgumentParser):
    """argparse, with a bad argument reported on one line (exit status 2, as argparse)."""

    def error(self, message: str) -> "NoReturn":  # type: ignore[override]
        _print_error(f"{message} (see `{self.prog} --help`)", prog=self.prog)
        sys.exit(2)


def _module(name: str):
    return importlib.import_module(f"archlaw.cli.{name.replace('-', '_')}")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="archlaw",
        description="Laws of neural architectures, proved in Lean 4, checked on torch models.",
        epilog="Documentation: README.md and docs/ in the repository, one page per topic.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True
    for name in COMMANDS:
        mod = _module(name)
        p = sub.add_parser(name, help=mod.HELP, description=mod.HELP)
        mod.configure(p)
        p.set_defaults(_run=mod.run)
    return parser


def _print_error(message: str, prog: str = "archlaw") -> None:
    from archlaw.bridge.console import make_console
    from archlaw.bridge.limits import shorten_numerals
    from rich.markup import escape

    text = escape(re.sub(r"\s*\n\s*", " ", shorten_numerals(message)))  # one line, whatever it quotes
    make_console(stderr=True, soft_wrap=True).print(f"[bold red]{escape(prog)}: error:[/] {text}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    args._argv = list(sys.argv[1:] if argv is None else argv)  # `check --workers` relaunches it
    try:
        return int(args._run(args) or 0)
    except ArchLawError as e:
        _print_error(str(e))
        return 2
    except KeyboardInterrupt:
        _print_error("interrupted")
        return 130
    except (Exception, SystemExit) as e:  # noqa: BLE001 - the last resort: a bug, said on one line
        # SystemExit too: no command calls sys.exit, so one escaping `run` came from code it ran
        if os.environ.get(DEBUG_ENV, "") not in ("", "0"):
            raise
        first = (str(e).strip().splitlines() or [""])[0][:300]
        _print_error(f"internal error: {type(e).__name__}{': ' + first if first else ''} (a bug in "
                     f"ArchLaw; rerun with {DEBUG_ENV}=1 for the traceback, and report it)")
        return INTERNAL_ERROR

