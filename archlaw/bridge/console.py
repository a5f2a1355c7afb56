"""The one way ArchLaw makes a rich console.

Two settings matter for every command: emoji codes are off (rich would turn the ``:100:`` of a
source position ``File.lean:100:0`` into an emoji), and output that is not a terminal (a pipe,
CI's log) is laid out 120 columns wide rather than rich's 80, so that law names and positions in
tables are not folded mid-name.
"""

from __future__ import annotations

import os
import sys

from rich.console import Console

#: Width used when the output is not a terminal and COLUMNS is unset.
PIPE_WIDTH = 120


def make_console(*, stderr: bool = False, soft_wrap: bool = False, width: int | None = None
                 ) -> Console:
    """A console on stdout (or stderr) with emoji off and a sensible width when piped; `width`
    (columns) fixes the width everywhere, e.g. for a benchmark table."""
    stream = sys.stderr if stderr else sys.stdout
    if width is None and not (hasattr(stream, "isatty") and stream.isatty()) \
            and "COLUMNS" not in os.environ:
        width = PIPE_WIDTH
    return Console(stderr=stderr, soft_wrap=soft_wrap, emoji=False, width=width)
