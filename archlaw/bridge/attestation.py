"""Whether lake re-derived a ``lean`` export from the Lean files of this tree.

An interchange file that says ``(producer "lean")`` only declares it, and so do the hashes in its
header: anyone can write both. ArchLaw believes the claim only when lake made the export from the
Lean files as they are now:

* in this run: ``archlaw export`` with lake marks the export it returns `ATTESTED_BY_LAKE`;
* in an earlier run: right after lake wrote an export, ``archlaw export`` records it here
  (`record_lake_export`), in ArchLaw's own cache (`archlaw.bridge.cachedir.cache_root`), at
  ``lean-exports/<key>.json``. The key is `tree_key`: the SHA-256 of the hashes of the tree's
  Lean files (the project's and every file it imports from a dependency or the installed ArchLaw
  library: `archlaw.bridge.library.hash_lean_files`) and of its toolchain (``lean-toolchain`` and the Lake configuration files). The
  record names the SHA-256 of the interchange text written, so it vouches for that text only.

`attest` looks the record up under the key of the tree as it is now and marks an export read from
a file `ATTESTED_BY_LAKE` only when its text hashes as recorded. Otherwise the export stays
declared: shown ``lean (declared)``, never certified, refused by ``--require-verified``, with one
line (`Attested.why`) saying why.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from . import atomic
from .cachedir import cache_root, cache_root_source
from .errors import ArchLawError
from .ir import ATTESTED_BY_LAKE, Export

__all__ = ["RECORD_FORMAT", "TOOLCHAIN_FILES", "Attested", "tree_key", "record_path",
           "record_lake_export", "attest", "text_sha256"]

#: Bump when the record's layout or its key's recipe changes (old records then no longer match).
RECORD_FORMAT = 1
#: The files besides the Lean sources that decide what lake builds: the toolchain it runs and
#: the Lake configuration.
TOOLCHAIN_FILES = ("lean-toolchain", "lakefile.lean", "lakefile.toml", "lake-manifest.json")


@dataclass(frozen=True)
class Attested:
    """An export with its attestation decided: `export` (marked `ATTESTED_BY_LAKE` when the
    cache holds a matching record) and, when it stays declared, `why` (one line)."""

    export: Export
    why: str | None = None


def text_sha256(text: str) -> str:
    """SHA-256 (hex) of an interchange text as UTF-8: for a file ``archlaw export`` wrote, the
    same digest as `archlaw.bridge.conformance.export_sha256` of the export it holds."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def tree_key(root: Path, lean_hashes: tuple[tuple[str, str], ...]) -> str:
    """The record key of the tree at `root`: SHA-256 of its toolchain files' hashes (absent ones
    named as absent) and of `lean_hashes` (`archlaw.bridge.library.hash_lean_files(root)`, the
    Lean files as they are now, imported dependency files included)."""
    toolchain = []
    for name in TOOLCHAIN_FILES:
        p = Path(root) / name
        try:
            toolchain.append([name, hashlib.sha256(p.read_bytes()).hexdigest()])
        except FileNotFoundError:
            toolchain.append([name, None])
        except OSError as e:
            raise ArchLawError(f"cannot read the toolchain file: {e.strerror or e}",
                               where=str(p)) from None
    doc = {"format": RECORD_FORMAT, "toolchain": toolchain,
           "lean": [list(x) for x in sorted(lean_hashes)]}
    return hashlib.sha256(json.dumps(doc, sort_keys=True).encode("utf-8")).hexdigest()


def record_path(key: str, cache: Path | None = None) -> Path:
    """Where the record of tree `key` lives."""
    return (cache or cache_root()) / "lean-exports" / f"{key}.json"


def record_lake_export(root: Path, lean_hashes: tuple[tuple[str, str], ...], text: str,
                       lean_version: str | None) -> Path:
    """Record that lake, run by ``archlaw export`` on the tree at `root` whose Lean files hash as
    `lean_hashes`, produced the interchange `text`. Only ``archlaw export`` calls this, after lake
    ran; a test that calls it stands in for that run. Written atomically (a unique temporary file
    in the same folder, then `os.replace`: `archlaw.bridge.atomic`). Returns the record's path;
    an `ArchLawError` naming the cache when it cannot be written."""
    key = tree_key(root, lean_hashes)
    path = record_path(key)
    record = {"archlaw-lean-export-record": RECORD_FORMAT, "key": key,
              "export_sha256": text_sha256(text), "lean_version": lean_version,
              "root": str(Path(root).resolve())}
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic.write_text(path, json.dumps(record, indent=2) + "\n")
    except OSError as e:
        raise ArchLawError(f"cannot record lake's export in ArchLaw's cache (from "
                           f"{cache_root_source()}): {e.strerror or e}; without the record the "
                           "export counts as lean (declared)", where=str(path)) from None
    return path


def attest(export: Export, text: str, root: Path) -> Attested:
    """`export`, read from `text` and fresh against the tree at `root`, marked
    `ATTESTED_BY_LAKE` when the cache records that lake made exactly this text from this tree
    (see the module docstring); otherwise unchanged, with why it stays declared. A ``source``
    export is returned as is: it claims nothing."""
    if export.producer != "lean":
        return Attested(export)
    # fresh (checked by the caller) means its hashes are exactly the Lean files' hashes now
    key = tree_key(root, tuple(sorted(export.hashes)))
    path = record_path(key)
    why = (f"the file says (producer \"lean\"), but ArchLaw's cache ({cache_root_source()}) has no "
           "record that lake made it from these Lean files and toolchain; run `archlaw export` "
           "with Lean to re-derive it")
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return Attested(export, why)
    except (OSError, UnicodeDecodeError, ValueError) as e:
        return Attested(export, f"the cache's record {path} is unreadable ({type(e).__name__}); "
                                "run `archlaw export` with Lean to re-derive the export")
    if not isinstance(record, dict) or record.get("archlaw-lean-export-record") != RECORD_FORMAT \
            or record.get("key") != key:
        return Attested(export, f"the cache's record {path} is not a record of this tree; run "
                                "`archlaw export` with Lean to re-derive the export")
    if record.get("export_sha256") != text_sha256(text):
        return Attested(export, "the file's text differs from the export lake made from these "
                                f"Lean files (recorded in {path}); run `archlaw export` with Lean "
                                "to re-derive it")
    return Attested(dataclasses.replace(export, attestation=ATTESTED_BY_LAKE))
