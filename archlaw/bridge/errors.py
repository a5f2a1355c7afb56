"""The one error type that ArchLaw lets reach a user.

Every failure a user can cause (a malformed file, Lean outside the readable fragment, a stale
export, a bad argument, a model that does not fit a law) is raised as `ArchLawError` with a
one-line message that names the file, position or argument and says what is accepted. The CLI
prints it on one line and exits with status 2; anything else escaping is a bug in ArchLaw.
"""

from __future__ import annotations


class ArchLawError(Exception):
    """A user-facing error: `str(err)` is the whole one-line message."""

    def __init__(self, message: str, *, where: str | None = None):
        self.where = where
        super().__init__(f"{where}: {message}" if where else message)


class StaleExportError(ArchLawError):
    """An export whose recorded SHA-256 hashes no longer match the files under ``lean/``."""
