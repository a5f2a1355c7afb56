"""Bounds on the work a file or a flag can ask for, and reading the files a user hands ArchLaw.

Everything here turns an input that would otherwise hang, exhaust memory or crash with a
traceback into one `ArchLawError` line naming the argument (or file) and what is accepted.
The limits are documented in docs/conformance.md ("Limits"); each is far above what ArchLaw itself writes
or needs, so only a hostile or mistaken input meets one.

* `MAX_FILE_BYTES` (16 MiB): the largest export (``--from``) or certificate read. This
  repository's export is about 130 KB; the S-expression parser reads about 2 MB/s, so the cap
  also bounds a read to seconds. Only regular files are read: a FIFO would block forever and a
  device (``/dev/zero``) never ends.
* `MAX_BUDGET` (10^8 cases per field), `MAX_SAMPLES` (10^7), `MAX_LIST_LENGTH` (10^4 elements)
  and seeds from 0 to `MAX_SEED` (2^63 - 1): the check settings of ``archlaw check`` and the
  ones a certificate records (``verify`` replays those, so it refuses the same values).
"""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path
from typing import Any, Mapping

from .errors import ArchLawError

__all__ = ["MAX_FILE_BYTES", "MAX_BUDGET", "MAX_SAMPLES", "MAX_LIST_LENGTH", "MAX_SEED",
           "read_user_text", "bounded_int", "check_settings", "shorten_numerals"]

MAX_FILE_BYTES = 16 * 2 ** 20
MAX_BUDGET = 10 ** 8
MAX_SAMPLES = 10 ** 7
MAX_LIST_LENGTH = 10 ** 4
MAX_SEED = 2 ** 63 - 1

#: Digit runs longer than this are elided in messages (see `shorten_numerals`).
_LONG_DIGITS = re.compile(r"\d{41,}")


def shorten_numerals(text: str, keep: int = 10) -> str:
    """`text` with every run of more than 40 digits shown as its first and last `keep` digits
    around ``…(N digits)…``. Why: an error may echo a number from a file or flag, and rich's
    highlighter takes seconds on a 20,000-digit literal (quadratic regex work)."""
    return _LONG_DIGITS.sub(
        lambda m: f"{m[0][:keep]}…({len(m[0]):,} digits)…{m[0][-keep:]}", text)


def read_user_text(path: str | Path, what: str, limit: int = MAX_FILE_BYTES) -> str:
    """The UTF-8 text of a file a user names (`what`: e.g. "certificate", "export"), refusing
    with one line naming the file: a missing or unreadable file, anything but a regular file
    (FIFO, device, directory), a file over `limit` bytes, and text that is not UTF-8 (UTF-16
    included: ArchLaw writes and reads UTF-8 only)."""
    p = Path(path)
    try:
        st = os.stat(p)  # follows a symlink: what matters is what would be read
    except FileNotFoundError:
        raise ArchLawError(f"no such file (the {what} to read)", where=str(p)) from None
    except (OSError, ValueError) as e:  # ValueError: a NUL byte in the path
        raise ArchLawError(f"cannot read the {what}: {getattr(e, 'strerror', None) or e}",
                           where=str(p)) from None
    if not stat.S_ISREG(st.st_mode):
        kind = "a directory" if stat.S_ISDIR(st.st_mode) else \
            "a FIFO" if stat.S_ISFIFO(st.st_mode) else "a device or special file"
        raise ArchLawError(f"is {kind}; the {what} must be a regular file", where=str(p))
    if st.st_size > limit:
        raise ArchLawError(f"{st.st_size:,} bytes: larger than the {limit:,}-byte limit on "
                           f"{what} files", where=str(p))
    try:
        with open(p, "rb") as f:
            data = f.read(limit + 1)  # the file may have grown since the stat
    except OSError as e:
        raise ArchLawError(f"cannot read the {what}: {e.strerror or e}", where=str(p)) from None
    if len(data) > limit:
        raise ArchLawError(f"larger than the {limit:,}-byte limit on {what} files", where=str(p))
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        raise ArchLawError(f"UTF-16 text; {what} files are UTF-8", where=str(p))
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise ArchLawError(f"not UTF-8 (byte {e.start}: {data[e.start:e.start + 1]!r}); {what} "
                           "files are UTF-8 text", where=str(p)) from None


def bounded_int(value: Any, name: str, lo: int, hi: int, *, where: str | None = None) -> int:
    """`value` if it is an integer (not a bool) from `lo` to `hi`; else one line naming `name`
    (a flag such as ``--budget`` or a field such as ``settings.budget``) and the range."""
    if isinstance(value, int) and not isinstance(value, bool) and lo <= value <= hi:
        return value
    shown = shorten_numerals(repr(value)[:200])
    raise ArchLawError(f"{name} {shown} is not accepted; expected an integer from {lo:,} to "
                       f"{hi:,}", where=where)


def check_settings(settings: Mapping[str, Any], prefix: str = "--", *,
                   where: str | None = None) -> None:
    """Check the settings of a conformance check (``seed``, ``budget``, ``samples``,
    ``max_length``, ``float64``; absent or None ones are skipped) against the limits above.
    `prefix` names them: ``--`` for flags (``--max-length``), ``settings.`` for a certificate."""
    def name(k: str) -> str:
        return prefix + (k.replace("_", "-") if prefix == "--" else k)

    bounds = {"seed": (0, MAX_SEED), "budget": (1, MAX_BUDGET), "samples": (1, MAX_SAMPLES),
              "max_length": (1, MAX_LIST_LENGTH)}
    for k, (lo, hi) in bounds.items():
        if settings.get(k) is not None:
            bounded_int(settings[k], name(k), lo, hi, where=where)
    if settings.get("float64") is not None and not isinstance(settings["float64"], bool):
        raise ArchLawError(f"{name('float64')} {shorten_numerals(repr(settings['float64'])[:200])}"
                           " is not accepted; expected true or false", where=where)
