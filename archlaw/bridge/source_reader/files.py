"""The walk over a Lake project's files, shared by the source reader, the library's hashes and
lint-lean.

In: the root of a Lake project. Out: its source directories (`lean_source_dirs`, the lakefile's
``srcDir``), its ``*.lean`` files (`lean_files`), their module names (`module_name`), and their
texts with the SHA-256 of the very bytes read (`load_files`, `_load_hashed`). A file that
cannot be read as UTF-8 raises `ArchLawError` naming it.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from ..errors import ArchLawError

_SKIP_DIRS = {".lake", "build", "lake-packages", ".git", ".venv", "venv", "node_modules",
              "__pycache__"}


def lean_source_dirs(root: Path) -> list[Path]:
    """The source directories of a Lake project: the ``srcDir`` of its libraries (``.`` if none)."""
    root = Path(root)
    dirs: list[Path] = []
    for lf in ("lakefile.lean", "lakefile.toml"):
        p = root / lf
        if p.is_file():
            try:
                text = p.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                continue
            pat = r'srcDir\s*:=\s*"([^"]*)"' if lf.endswith(".lean") else r'srcDir\s*=\s*"([^"]*)"'
            for m in re.finditer(pat, text):
                d = (root / m.group(1)).resolve()
                if d.is_dir() and d not in dirs:
                    dirs.append(d)
    if not dirs and (root / "lean").is_dir():
        dirs.append((root / "lean").resolve())   # this repository's layout, before a lakefile
    return dirs or [root.resolve()]


def lean_files(root: Path) -> list[tuple[Path, Path]]:
    """``(file, source_dir)`` for every ``*.lean`` file of the project, sorted; skips ``.lake``,
    build directories, hidden directories and nested Lake projects (directories with a lakefile)."""
    root = Path(root).resolve()
    out: list[tuple[Path, Path]] = []
    seen: set[Path] = set()
    for src in lean_source_dirs(root):
        stack = [src]
        while stack:
            d = stack.pop()
            try:
                entries = sorted(d.iterdir())
            except OSError:
                continue
            for e in entries:
                if e.is_dir():
                    if e.name in _SKIP_DIRS or e.name.startswith("."):
                        continue
                    if (e / "lakefile.lean").exists() or (e / "lakefile.toml").exists():
                        continue
                    stack.append(e)
                elif e.suffix == ".lean" and e.is_file():
                    if d == root and e.name.startswith("lakefile"):
                        continue
                    if e not in seen:
                        seen.add(e)
                        out.append((e, src))
    out.sort(key=lambda x: x[0].as_posix())     # by path string, as the Lean exporter orders
    return out


def module_name(file: Path, src_dir: Path) -> str:
    """``lean/ArchLaw/Fold.lean`` with source dir ``lean`` is ``ArchLaw.Fold``."""
    rel = Path(file).resolve().relative_to(Path(src_dir).resolve())
    return ".".join(rel.with_suffix("").parts)


def load_files(root: Path) -> list[tuple[str, str, str]]:
    """``(path relative to root, module, text)`` of every Lean file of the Lake project at `root`
    (an `ArchLawError` naming a file that cannot be read as UTF-8)."""
    return _load_hashed(root)[0]


def _load_hashed(root: Path) -> tuple[list[tuple[str, str, str]], tuple[tuple[str, str], ...]]:
    """`load_files`, and the SHA-256 of the very bytes read, as `library.hash_lean_files` gives
    them (``((path relative to root, hex digest), ...)`` sorted by path): each file read once."""
    root = Path(root).resolve()
    out = []
    hashes = []
    for f, src in lean_files(root):
        rel = f.relative_to(root).as_posix()
        try:
            data = f.read_bytes()
            text = data.decode("utf-8")
        except (OSError, UnicodeDecodeError) as e:
            raise ArchLawError(f"cannot read: {e}", where=str(f)) from None
        # universal newlines, as Path.read_text gives the text
        out.append((rel, module_name(f, src), text.replace("\r\n", "\n").replace("\r", "\n")))
        hashes.append((rel, hashlib.sha256(data).hexdigest()))
    return out, tuple(sorted(hashes))
