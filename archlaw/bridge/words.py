"""Counted nouns in user-facing text: "1 law", "2 laws", "1 entry", "3 entries"."""

from __future__ import annotations

__all__ = ["plural"]


def plural(n: int, noun: str, nouns: str | None = None) -> str:
    """``f"{n} {noun}"`` with the noun in the plural unless n is 1: `nouns` when given (irregular
    plurals: ``plural(2, "entry", "entries")``), else `noun` + ``s``. n is written with
    thousands separators (``1,000 cases``)."""
    return f"{n:,} {noun if n == 1 else (nouns or noun + 's')}"
