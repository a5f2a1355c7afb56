"""ArchLaw's user-level cache directory: one root for everything ArchLaw keeps between runs
(trained carry cells in ``carry/``, records of Lean exports lake made in ``lean-exports/``)."""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["cache_root", "cache_root_source"]


def cache_root() -> Path:
    """``$ARCHLAW_CACHE``, else ``$XDG_CACHE_HOME/archlaw``, else ``~/.cache/archlaw``."""
    if os.environ.get("ARCHLAW_CACHE"):
        return Path(os.environ["ARCHLAW_CACHE"])
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "archlaw"


def cache_root_source() -> str:
    """Which setting `cache_root` came from, as a user would write it (for error messages)."""
    if os.environ.get("ARCHLAW_CACHE"):
        return "$ARCHLAW_CACHE"
    return "$XDG_CACHE_HOME/archlaw" if os.environ.get("XDG_CACHE_HOME") else "~/.cache/archlaw"
