"""Where ArchLaw gets its laws: `load_export`, the one entry point for the rest of the package.

Order of preference:

1. an export file given explicitly (``--from FILE``): used if its recorded SHA-256 hashes match
   the Lean files of the root now, refused with `StaleExportError` naming the changed, added and
   removed files otherwise (and refused when it is not a regular UTF-8 file of at most
   `archlaw.bridge.limits.MAX_FILE_BYTES`);
2. the Lean export that ``archlaw export`` writes, ``<root>/build/archlaw/laws.sexp`` (git-ignored
   through ``build/``), when it exists, says it was produced by Lean and is not stale;
3. otherwise the reader of the Lean source (`archlaw.bridge.source_reader`) over the root:
   statement provenance ``source``, axioms unknown.

A file's ``(producer "lean")`` is only declared: the export counts as Lean's (`Export.lean_verified`)
only when ArchLaw's cache records that lake made that very text from the Lean files and toolchain
as they are now (`archlaw.bridge.attestation`); otherwise `Loaded.declared_why` says why not, and
it is shown ``lean (declared)`` and never certified.

The root is a Lake project (a directory with ``lakefile.lean``, ``lakefile.toml`` or
``lean-toolchain``). By default
it is found by walking up from the current directory, falling back to ArchLaw's own Lean library
as installed with this package (the checkout, or the wheel's copy: `archlaw.bridge.shipped`).
A project's ``import`` lines are followed as Lake follows them, into ``.lake/packages`` and the
installed library (`archlaw.bridge.source_reader.resolve_imports`); the hashes cover every file
read.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from . import attestation, interchange
from .errors import ArchLawError, StaleExportError
from .ir import Export

__all__ = ["load_export", "load_export_explained", "hash_lean_files", "default_root",
           "export_path", "check_fresh", "Loaded", "EXPORT_RELPATH", "ROOT_HELP"]

#: Where ``archlaw export`` writes, relative to the root (``build/`` is git-ignored).
EXPORT_RELPATH = Path("build") / "archlaw" / "laws.sexp"

_LAKEFILES = ("lakefile.lean", "lakefile.toml", "lean-toolchain")

#: What ``--root`` defaults to and how a project's imports are read, for the commands' --help.
ROOT_HELP = ("default: the Lake project around the current directory, else ArchLaw's Lean library "
             "installed with the package; `import`s are followed as Lake does, into "
             ".lake/packages and that library (docs/lean-imports.md)")


def _is_lake_root(d: Path) -> bool:
    return any((d / f).is_file() for f in _LAKEFILES)


def default_root() -> Path:
    """The Lake project around the current directory, else ArchLaw's own Lean library as
    installed with this package (`archlaw.bridge.shipped.lean_library_root`: the checkout, or
    the wheel's copy under ``<prefix>/share/archlaw``)."""
    from .shipped import lean_library_root

    cwd = Path.cwd().resolve()
    for d in (cwd, *cwd.parents):
        if _is_lake_root(d):
            return d
    lib = lean_library_root()
    if lib is not None:
        return lib
    raise ArchLawError(f"no Lake project (lakefile.lean) in {cwd} or above, and no copy of "
                       "ArchLaw's Lean library installed with the Python package; pass --root DIR")


def resolve_root(root: Optional[Path]) -> Path:
    """`root` checked to be a Lake project's directory (`_LAKEFILES`), or the default root."""
    if root is None:
        return default_root()
    root = Path(root)
    if not root.is_dir():
        raise ArchLawError("not a directory; --root takes the directory of a Lake project",
                           where=str(root))
    if not _is_lake_root(root):  # else every .lean file below it, however deep, would be read
        raise ArchLawError(f"no {', '.join(_LAKEFILES[:-1])} or {_LAKEFILES[-1]} here; --root "
                           "takes the directory of a Lake project", where=str(root))
    return root.resolve()


def export_path(root: Path) -> Path:
    """The export ``archlaw export`` writes for `root`."""
    return Path(root) / EXPORT_RELPATH


def hash_lean_files(root: Path, *, missing_ok: bool = False,
                    modules: tuple[str, ...] = ()) -> tuple[tuple[str, str], ...]:
    """SHA-256 of every Lean file the source reader reads for the project: its own files and the
    modules they import, from its dependencies and the installed ArchLaw library too
    (`archlaw.bridge.source_reader.resolve_imports`), as ``((key, hex digest), ...)`` sorted by
    key (the path relative to root; ``<archlaw>/...`` for the installed library). A missing
    import is an `ArchLawError`, or with `missing_ok` left out of the hashes (`stale_files`).
    `modules`: more modules hashed with their imports, as if the project imported them (those an
    export made with ``archlaw export --module`` covers, `Export.modules`)."""
    from .source_reader.files import _load_hashed

    return _load_hashed(Path(root).resolve(), missing_ok=missing_ok, modules=tuple(modules))[1]


def stale_files(export: Export, root: Path) -> tuple[list[str], list[str], list[str]]:
    """(changed, added, removed) Lean files since the export was made."""
    recorded = dict(export.hashes)
    # a file removed since the export is reported as removed, not as the import that now breaks
    now = dict(hash_lean_files(root, missing_ok=True, modules=export.modules))
    changed = sorted(p for p in recorded if p in now and now[p] != recorded[p])
    added = sorted(p for p in now if p not in recorded)
    removed = sorted(p for p in recorded if p not in now)
    return changed, added, removed


def check_fresh(export: Export, root: Path, where: str) -> None:
    """Raise `StaleExportError` if the Lean files changed since `export` was made."""
    changed, added, removed = stale_files(export, root)
    if changed or added or removed:
        parts = []
        for label, xs in (("changed", changed), ("added", added), ("removed", removed)):
            if xs:
                shown = ", ".join(xs[:6]) + (f" and {len(xs) - 6} more" if len(xs) > 6 else "")
                parts.append(f"{label}: {shown}")
        hint = "re-run `archlaw export`" if export.producer == "lean" else \
            "re-run `archlaw export --source`, or drop --from to read the source"
        raise StaleExportError(f"stale export: the Lean files differ from those it was made from "
                               f"({'; '.join(parts)}); {hint}", where=where)


@dataclass(frozen=True)
class Loaded:
    """An export and why it was chosen (shown by ``archlaw laws`` and ``--require-verified``)."""

    export: Export
    origin: str          # "file", "lean-export" or "source-reader"
    path: Optional[Path]
    reason: str
    #: for a ``lean`` export that lake did not re-derive here: why it is only declared
    declared_why: Optional[str] = None


def load_export_explained(root: Optional[Path] = None, from_file: Optional[Path] = None) -> Loaded:
    """`load_export`, also saying where the export came from and why."""
    if from_file is not None:
        from_file = Path(from_file)
        exp, text = _read_file_cached(from_file)
        r = resolve_root(root) if root is not None else _root_for_file(from_file)
        check_fresh(exp, r, str(from_file))
        att = _attest(exp, text, r)
        return Loaded(att.export, "file", from_file, f"read from {from_file} (fresh against {r})"
                      + _declared_note(att), att.why)
    r = resolve_root(root)
    p = export_path(r)
    why_not = f"no Lean export at {p} (install Lean and run `archlaw export`)"
    if p.is_file():
        try:
            exp, text = _read_file_cached(p)
            if exp.producer != "lean":
                why_not = f"the export at {p} was written by the source reader, not by Lean"
            else:
                check_fresh(exp, r, str(p))
                att = _attest(exp, text, r)
                return Loaded(att.export, "lean-export", p, f"fresh Lean export at {p}"
                              + _declared_note(att), att.why)
        except StaleExportError as e:
            why_not = f"the Lean export is stale ({e}); run `archlaw export`"
        except ArchLawError as e:
            why_not = f"the Lean export is unreadable ({e})"
    exp = _read_source_cached(r)
    return Loaded(exp, "source-reader", None, f"read from the Lean source under {r}: {why_not}")


#: Source reads by (root, hashes of its Lean files): exports are immutable values, and the
#: rest of ArchLaw calls `load_export` freely.
_SOURCE_CACHE: dict[tuple[Path, tuple[tuple[str, str], ...]], Export] = {}


def _read_source_cached(root: Path) -> Export:
    from .source_reader import read_root

    hit = _SOURCE_CACHE.get((root, hash_lean_files(root)))
    if hit is not None:
        return hit
    if len(_SOURCE_CACHE) > 16:
        _SOURCE_CACHE.clear()
    exp = read_root(root)
    # keyed by the hashes of the bytes read_root parsed: a file edited since the look-up above
    # is not cached under the hashes of its old content
    _SOURCE_CACHE[(root, exp.hashes)] = exp
    return exp


#: Export files parsed, by (path, text): the text is read on every call (a file rewritten in
#: place is parsed again) but an unchanged one is not parsed again (about 0.1 s for this
#: repository's library); freshness against the Lean files is still checked on every call.
_FILE_CACHE: dict[tuple[Path, str], Export] = {}


def _read_file_cached(path: Path) -> tuple[Export, str]:
    """The export in the file at `path`, and the text it was parsed from."""
    from .limits import read_user_text

    # a regular UTF-8 file within MAX_FILE_BYTES: --from on a FIFO would block, on /dev/zero
    # never end, on a multi-GB file exhaust memory
    text = read_user_text(path, "export")
    key = (path.resolve(), text)
    hit = _FILE_CACHE.get(key)
    if hit is None:
        if len(_FILE_CACHE) > 16:
            _FILE_CACHE.clear()
        hit = _FILE_CACHE[key] = interchange.loads(text, where=str(path))
    return hit, text


#: The lake-attested copy of each parsed export (by the parsed one's id, which it keeps alive), so
#: that an unchanged file gives the same `Export` object on every call, as `_FILE_CACHE` does.
#: The record is looked up on every call: a record removed since counts at once.
_ATTESTED: dict[int, tuple[Export, Export]] = {}


def _attest(exp: Export, text: str, root: Path) -> attestation.Attested:
    att = attestation.attest(exp, text, root)
    if att.export is exp:
        return att
    hit = _ATTESTED.get(id(exp))
    if hit is not None and hit[0] is exp:
        return attestation.Attested(hit[1])
    if len(_ATTESTED) > 16:
        _ATTESTED.clear()
    _ATTESTED[id(exp)] = (exp, att.export)
    return att


def _declared_note(att: attestation.Attested) -> str:
    return "" if att.why is None else f"; statements lean (declared): {att.why}"


def _root_for_file(path: Path) -> Path:
    try:
        return default_root()
    except ArchLawError:
        raise ArchLawError("cannot check the export for staleness: no Lake project found; "
                           "pass --root DIR", where=str(path)) from None


def load_export(root: Optional[Path] = None, from_file: Optional[Path] = None) -> Export:
    """The laws of the Lake project at `root` (see the module docstring for the order)."""
    return load_export_explained(root, from_file).export
