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
An `ArchLawError` raised where the user's own code failed (a model raising on the law's inputs,
a factory, a module that does not import) chains that exception: ``ARCHLAW_DEBUG=1`` prints its
traceback before the one line, and without it the line says so.
Long digit runs in an error are elided (`archlaw.bridge.limits.shorten_numerals`).
"""

from __future__ import annotations

import argparse
import importlib
import os
import re
import sys
from typing import NoReturn, Sequence

from archlaw.bridge.console import ReaderGone, silence_stdout
from archlaw.bridge.errors import ArchLawError

#: Subcommands in the order `archlaw --help` lists them.
COMMANDS = ("demo", "laws", "spec", "new", "export", "lint-lean", "check", "verify", "add",
            "to-lean")

#: Exit status of a bug in ArchLaw (an exception other than `ArchLawError` escaping a command).
INTERNAL_ERROR = 70
#: Set to 1 to see the traceback of an internal error instead of its one line.
DEBUG_ENV = "ARCHLAW_DEBUG"


#: A law parameter or sort given as NAME=VALUE (`archlaw.cli.spec`).
_ASSIGN = re.compile(r"[A-Za-z_][\w.']*=")


class _Parser(argparse.ArgumentParser):
    """argparse, with a bad argument reported on one line (exit status 2, as argparse)."""

    def parse_known_args(self, args=None, namespace=None):  # type: ignore[override]
        """As argparse, with the positional ``NAME=VALUE`` law parameters accepted anywhere:
        argparse takes a positional run only once (LAW and its NAME=VALUE list together), so
        ``check LAW --symbol f=m:g n=12`` would leave ``n=12`` unrecognized; such tokens left
        over are appended to ``assign`` (a command with law parameters) in their order."""
        ns, extra = super().parse_known_args(args, namespace)
        if isinstance(getattr(ns, "assign", None), list):
            stray = [a for a in extra if not a.startswith("-") and _ASSIGN.match(a)]
            ns.assign.extend(stray)
            extra = [a for a in extra if a not in stray]
        return ns, extra

    def error(self, message: str) -> "NoReturn":  # type: ignore[override]
        # Under torchrun every rank parses the same argv before any group forms: only rank 0
        # says what is wrong, so a typo is one line rather than one per worker.
        if os.environ.get("RANK", "0") in ("0", ""):
            _print_error(f"{message} (see `{self.prog} --help`)", prog=self.prog)
        sys.exit(2)


def _module(name: str):
    return importlib.import_module(f"archlaw.cli.{name.replace('-', '_')}")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="archlaw",
        description="Laws of neural architectures, stated in Lean 4 (proved where Lean runs), "
                    "checked on torch models.",
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


def _parse(parser: argparse.ArgumentParser, argv: Sequence[str] | None) -> argparse.Namespace:
    """`parser.parse_args`, with an argument a subcommand does not know reported by that
    subcommand's parser (pointing to ``archlaw check --help``, not ``archlaw --help``)."""
    args, extra = parser.parse_known_args(argv)
    if extra:
        subs = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
        subs.choices[args.command].error(f"unrecognized arguments: {' '.join(extra)}")
    return args


def _print_error(message: str, prog: str = "archlaw") -> None:
    from archlaw.bridge.console import make_console
    from archlaw.bridge.limits import shorten_numerals
    from rich.markup import escape

    text = escape(re.sub(r"\s*\n\s*", " ", shorten_numerals(message)))  # one line, whatever it quotes
    make_console(stderr=True, soft_wrap=True).print(f"[bold red]{escape(prog)}: error:[/] {text}")


def _debug_cause(e: ArchLawError) -> str:
    """For an error raised inside the user's own code (a model, a factory, a module that does
    not import: the original exception is chained), print its traceback to stderr when
    ``ARCHLAW_DEBUG=1``; otherwise return a hint saying so, for the one line."""
    import traceback

    cause = e.__cause__  # chained explicitly only where user code raised (`raise ... from e`)
    if cause is None or isinstance(cause, ArchLawError):
        return ""
    if os.environ.get(DEBUG_ENV, "") not in ("", "0"):
        traceback.print_exception(type(cause), cause, cause.__traceback__, file=sys.stderr)
        return ""
    return f" ({DEBUG_ENV}=1 shows its traceback)"


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = _parse(parser, argv)
    args._argv = list(sys.argv[1:] if argv is None else argv)  # `check --workers` relaunches it
    try:
        return int(args._run(args) or 0)
    except ArchLawError as e:
        _print_error(str(e) + _debug_cause(e))
        return 2
    except KeyboardInterrupt:
        _print_error("interrupted")
        return 130
    except (BrokenPipeError, ReaderGone):  # `archlaw laws | head`: the reader has what it wanted
        silence_stdout()
        return 1
    except (Exception, SystemExit) as e:  # noqa: BLE001 - the last resort: a bug, said on one line
        # SystemExit too: no command calls sys.exit, so one escaping `run` came from code it ran
        if os.environ.get(DEBUG_ENV, "") not in ("", "0"):
            raise
        first = (str(e).strip().splitlines() or [""])[0][:300]
        _print_error(f"internal error: {type(e).__name__}{': ' + first if first else ''} (a bug in "
                     f"ArchLaw; rerun with {DEBUG_ENV}=1 for the traceback, and report it)")
        return INTERNAL_ERROR

