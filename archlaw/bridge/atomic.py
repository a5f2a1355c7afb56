"""Atomic file writes: the one way ArchLaw writes a file that someone else may read.

Every file goes to a uniquely named temporary file in the destination's own folder
(``tempfile.mkstemp``, so concurrent writers never share one), is flushed and ``fsync``ed, and
is moved into place with ``os.replace``; the folder is then synced too. A reader therefore sees
the old file or the new one, never a torn or empty one, and a killed writer leaves at worst a
hidden ``.<name>.<random>.tmp`` beside the old file.

`write_all` writes several files as a set (a certificate's ``.sexp`` and ``.json``, a saved
model's weights and metadata): every temporary file is complete and synced before the first is
moved into place, so a kill can only fall between two renames (microseconds), never in the
middle of a file.

Destinations: a symlink is written *through* (its target is replaced; the link stays); an
existing path that is not a regular file (a device, a FIFO, a socket, a folder) is refused with
an `ArchLawError` naming it, never replaced. The new file keeps the mode of the file it replaces,
else gets ``0o666`` less the umask, as ``open`` would. Other failures are the `OSError` of the
step that failed, for the caller to say in its own words; the temporary files are removed.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from pathlib import Path
from typing import IO, Iterator, Sequence

from .errors import ArchLawError

__all__ = ["destination", "open_atomic", "write_bytes", "write_text", "write_all"]


def destination(path: str | Path) -> Path:
    """The file that writing `path` replaces: `path`, or its target when it is a symlink.

    Raises `ArchLawError` when that file exists and is not a regular file."""
    p = Path(path)
    if p.is_symlink():
        p = Path(os.path.realpath(p))
    try:
        st = os.stat(p)
    except (FileNotFoundError, NotADirectoryError):
        return p
    except OSError:
        return p  # unreadable metadata: let the write itself report it
    if not stat.S_ISREG(st.st_mode):
        what = "a folder" if stat.S_ISDIR(st.st_mode) else "not a regular file (a device, FIFO or socket)"
        raise ArchLawError(f"is {what}; accepted: a regular file, a new path, or a symlink to "
                           "either (written through)", where=str(path))
    return p


#: The process umask, read once at import (reading it means setting it for an instant, which
#: must not happen while other threads create files).
_UMASK = os.umask(0o022)
os.umask(_UMASK)


def _mode_for(dest: Path) -> int:
    try:
        return stat.S_IMODE(os.stat(dest).st_mode)
    except OSError:
        return 0o666 & ~_UMASK


def _temp_for(dest: Path) -> tuple[int, str]:
    dest.parent.mkdir(parents=True, exist_ok=True)
    return tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.", suffix=".tmp")


def _sync_dir(folder: Path) -> None:
    # the rename is durable only once the folder is synced; not every OS or filesystem allows it
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _finish(fh: IO[bytes], dest: Path) -> None:
    fh.flush()
    os.fchmod(fh.fileno(), _mode_for(dest))
    os.fsync(fh.fileno())


@contextlib.contextmanager
def open_atomic(path: str | Path) -> Iterator[IO[bytes]]:
    """A binary file handle whose contents replace `path` atomically when the block ends
    without an exception (for writers that stream, such as ``torch.save``); on an exception the
    temporary file is removed and `path` is untouched."""
    dest = destination(path)
    fd, tmp = _temp_for(dest)
    try:
        with os.fdopen(fd, "wb") as fh:
            yield fh
            _finish(fh, dest)
        os.replace(tmp, dest)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    _sync_dir(dest.parent)


def write_all(items: Sequence[tuple[str | Path, bytes]]) -> tuple[Path, ...]:
    """Write each ``(path, data)`` atomically, as a set: all temporary files are written and
    synced first, then moved into place in the order given. Returns the paths written (the
    symlink targets for symlinks)."""
    dests = [destination(p) for p, _ in items]  # refuse before anything is written
    temps: list[str] = []
    moved = 0
    try:
        for dest, (_, data) in zip(dests, items):
            fd, tmp = _temp_for(dest)
            temps.append(tmp)
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                _finish(fh, dest)
        for tmp, dest in zip(temps, dests):
            os.replace(tmp, dest)
            moved += 1
    except BaseException:
        for tmp in temps[moved:]:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
        raise
    for folder in dict.fromkeys(d.parent for d in dests):
        _sync_dir(folder)
    return tuple(dests)


def write_bytes(path: str | Path, data: bytes) -> Path:
    """Write `data` to `path` atomically; the path written (a symlink's target)."""
    return write_all([(path, data)])[0]


def write_text(path: str | Path, text: str, encoding: str = "utf-8") -> Path:
    """Write `text` to `path` atomically (UTF-8 by default); the path written."""
    return write_bytes(path, text.encode(encoding))
