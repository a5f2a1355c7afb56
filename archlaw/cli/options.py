"""The options that mean the same thing in every command, defined once.

``--root``, ``--from`` and ``--device`` read the same way wherever they appear, so each has one
definition here. Options that only share a name are *not* merged: ``--seed`` is a sampling seed
in ``check`` (which cases are drawn) and a training seed in ``add`` (which cell is trained), and
``--param`` passes keyword arguments to a model callable (``check``, ``verify``); each command
documents its own.
"""

from __future__ import annotations

import argparse
from pathlib import Path

__all__ = ["add_root", "add_from", "add_device", "DEVICES"]

#: What every ``--device`` accepts (``keep`` only where a model is bound: see `add_device`).
DEVICES = "auto (cuda if available, else cpu), cpu, cuda or cuda:N"


def add_root(p: argparse.ArgumentParser) -> None:
    """``--root DIR``: the Lake project whose laws are read."""
    from archlaw.bridge.library import ROOT_HELP

    p.add_argument("--root", type=Path, default=None, metavar="DIR",
                   help="a Lake project's root (a folder with lakefile.lean, lakefile.toml or "
                        f"lean-toolchain), where the laws are read from ({ROOT_HELP})")


def add_from(p: argparse.ArgumentParser) -> None:
    """``--from FILE``: an interchange file instead of reading the project."""
    p.add_argument("--from", dest="from_file", type=Path, default=None, metavar="FILE",
                   help="read the laws from this interchange file (a regular UTF-8 file of at "
                        "most 16 MiB; refused when stale against the project's Lean files)")


def add_device(p: argparse.ArgumentParser, *, keep: bool = False, what: str = "the model") -> None:
    """``--device``: where `what` runs. `keep` adds ``keep`` (leave the model where its binding
    put it), for commands that move a bound model."""
    extra = ", or keep (leave it where the binding put it)" if keep else ""
    p.add_argument("--device", default="auto",
                   help=f"where {what} runs: {DEVICES}{extra} (default auto)")
