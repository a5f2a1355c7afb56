"""The one way ArchLaw makes a rich console.

Two settings matter for every command: emoji codes are off (rich would turn the ``:100:`` of a
source position ``File.lean:100:0`` into an emoji), and output that is not a terminal (a pipe,
CI's log) is laid out 120 columns wide rather than rich's 80, so that law names and positions in
tables are not folded mid-name. When the reader of stdout goes away (``archlaw laws | head``)
the console raises `ReaderGone` rather than rich's plain ``SystemExit``, so the command line can
stop quietly instead of reporting an internal error.
"""

from __future__ import annotations

import os
import sys

from rich.console import Console

#: Width used when the output is not a terminal and COLUMNS is unset.
PIPE_WIDTH = 120


class ReaderGone(SystemExit):
    """Stdout's reader closed the pipe (``| head``): nothing more can be shown."""


def silence_stdout() -> None:
    """Point stdout at /dev/null, so that the interpreter's final flush after a broken pipe
    raises nothing more (the recipe of Python's docs, "Note on SIGPIPE")."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())


class _Console(Console):
    def on_broken_pipe(self) -> None:  # rich's default raises a bare SystemExit(1)
        self.quiet = True
        silence_stdout()
        raise ReaderGone(1)


def make_console(*, stderr: bool = False, soft_wrap: bool = False, width: int | None = None
                 ) -> Console:
    """A console on stdout (or stderr) with emoji off and a sensible width when piped; `width`
    (columns) fixes the width everywhere, e.g. for a benchmark table."""
    stream = sys.stderr if stderr else sys.stdout
    if width is None and not (hasattr(stream, "isatty") and stream.isatty()) \
            and "COLUMNS" not in os.environ:
        width = PIPE_WIDTH
    return _Console(stderr=stderr, soft_wrap=soft_wrap, emoji=False, width=width)
