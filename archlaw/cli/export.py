"""`archlaw export`: write the laws of a Lake project as an interchange file.

    archlaw export [--root DIR] [--out FILE] [--source] [--definitions] [--module M]...
                   [--with-blind]

With Lean (``lake`` on PATH): runs ``lake build`` and ``lake exe archlaw-export OUT`` (the
exporter in ``lean/ArchLawExport.lean``, statement provenance ``lean``, axioms from
``collectAxioms``), then re-writes OUT with the SHA-256 of every Lean file of the project in its
header, and of every file it imports from its dependencies (``.lake/packages``) or the installed
ArchLaw library, so that a later edit of any of them makes it stale. Default OUT: ``<root>/build/archlaw/laws.sexp``,
which ``archlaw laws`` and the rest of ArchLaw pick up while it is fresh. It then records in
ArchLaw's cache that lake made this text from these Lean files and toolchain
(`archlaw.bridge.attestation`): only an export so recorded counts as Lean's later; any other file
saying ``(producer "lean")`` is ``lean (declared)``.

With ``--definitions`` it runs ``lake exe archlaw-export-v2`` instead
(``lean/ArchLawExportV2.lean``): the same laws plus, in interchange version 2, the ``(def ...)``
entries of the non-recursive definitions they use, from the definitions' values and the
equation lemmas of their ``match`` helpers (docs/interchange.md). That exporter was written
without a Lean toolchain and is no default target of ``lake build``; CI builds it in a step
allowed to fail (docs/ci.md).

With ``--module M`` (repeatable) or ``--with-blind`` (every module of `BLIND_MODULES`: those of
ArchLaw's library written without a Lean toolchain and kept out of ``lean/ArchLaw.lean``'s import
graph) it also runs ``lake build M`` for each; a module that fails to build is left out, with one
line saying so, and the exporter runs as ``lake exe archlaw-export OUT --module ArchLaw --module
M ...`` over those that built. The export records the modules it covers in its header
(``(modules ...)``, `Export.modules`) and hashes their files and imports too, so the attestation
and the staleness check cover them. A law of a module left out is absent from the export, not
unverified (docs/lean.md).

Without Lean it says how to get it; with ``--source`` it writes what the reader of the Lean source
sees instead (statement provenance ``source``: statements parsed, proofs not checked).
"""

from __future__ import annotations

import argparse
import dataclasses
import shutil
import subprocess
from pathlib import Path

from archlaw.bridge import attestation, interchange
from archlaw.bridge.errors import ArchLawError
from archlaw.bridge.ir import ATTESTED_BY_LAKE, Export
from archlaw.bridge.library import export_path, hash_lean_files, resolve_root

from .options import add_root

#: The Lake executables: the exporter `lake build` builds, and the version-2 exporter
#: (`lean/ArchLawExportV2.lean`, also the `(def ...)` entries), a separate target written blind.
EXPORTER = "archlaw-export"
V2_EXPORTER = "archlaw-export-v2"
#: The module the exporters import by default; named first when more are asked for.
DEFAULT_MODULE = "ArchLaw"
#: ArchLaw's Lean modules written without a Lean toolchain: none is imported from
#: ``lean/ArchLaw.lean`` (an error in one cannot stop ``lake build``), CI's lean job builds each in
#: a step allowed to fail, and ``archlaw export --with-blind`` exports those that build.
BLIND_MODULES = ("ArchLaw.Para", "ArchLaw.Symmetries", "ArchLaw.Graph.Semiring",
                 "ArchLaw.Graph.MessagePassing", "ArchLaw.Graph.BellmanFord",
                 "ArchLaw.Carry.Reference", "ArchLaw.Tables")

HELP = "export the laws with Lean (lake build + lake exe archlaw-export), hashing the Lean files"

_GET_LEAN = (
    "Lean is not installed here (no `lake` on PATH). To get it: install elan, the Lean version "
    "manager (curl https://raw.githubusercontent.com/leanprover/elan/master/elan-init.sh -sSf | "
    "sh), open a new shell, then run `archlaw export` again: elan reads lean-toolchain ({tc}) and "
    "installs that Lean and lake on first use. Without Lean, `archlaw export --source` writes "
    "what the reader of the Lean source sees (statement provenance 'source': proofs not checked)."
)


def configure(parser: argparse.ArgumentParser) -> None:
    add_root(parser)
    parser.add_argument("--out", default=None,
                        help="where to write (default: <root>/build/archlaw/laws.sexp); written "
                             "atomically, a symlink written through, a device or FIFO refused")
    parser.add_argument("--source", action="store_true",
                        help="without Lean, write the source reader's export instead of failing")
    parser.add_argument("--definitions", action="store_true",
                        help=f"with Lean, run `lake exe {V2_EXPORTER}` (version 2: also the "
                             "definitions the laws use, so they run from their Lean bodies; "
                             "written without a Lean toolchain, see docs/interchange.md) instead "
                             f"of `lake exe {EXPORTER}`")
    parser.add_argument("--module", dest="modules", action="append", default=[], metavar="M",
                        help=f"with Lean, also export the laws of module M (dotted, e.g. "
                             f"ArchLaw.Graph.BellmanFord; repeatable): `lake build M` first, and "
                             f"left out, on one line, if that fails")
    parser.add_argument("--with-blind", action="store_true",
                        help="with Lean, --module for each module written without a Lean "
                             f"toolchain: {', '.join(BLIND_MODULES)}")


def _module_names(args: argparse.Namespace) -> tuple[str, ...]:
    """The extra modules asked for (`--module` in order, then `BLIND_MODULES` with
    `--with-blind`), each once, the default module dropped; a name that is not a dotted Lean
    identifier is refused on one line."""
    import re

    out: list[str] = []
    for m in [*args.modules, *(BLIND_MODULES if args.with_blind else ())]:
        if not re.fullmatch(r"[^\W\d][\w'!?]*(\.[^\W\d][\w'!?]*)*", m):
            raise ArchLawError(f"--module {m!r}: not a module name; accepted: dotted Lean "
                               "identifiers, e.g. ArchLaw.Graph.BellmanFord")
        if m != DEFAULT_MODULE and m not in out:
            out.append(m)
    return tuple(out)


def _out_file(out: str) -> Path:
    """`--out` as a path, refused on one line when it cannot name a file: empty (``Path('')``
    would be the current directory) or a directory."""
    if not out.strip() or Path(out).is_dir():
        raise ArchLawError(f"--out {out!r}: {'is a directory' if out.strip() else 'is empty'}; "
                           "--out takes the path of the file to write, e.g. "
                           "build/archlaw/laws.sexp")
    return Path(out)


def _toolchain(root: Path) -> str:
    p = root / "lean-toolchain"
    try:
        return p.read_text(encoding="utf-8").strip() or "lean-toolchain"
    except OSError:
        return "the project's lean-toolchain"


def _run(cmd: list[str], root: Path) -> None:
    """Run a Lake command in `root`, its output streaming to the terminal (a first `lake build`
    takes minutes)."""
    from archlaw.bridge.console import make_console

    make_console(stderr=True).print(f"[dim]$ {' '.join(cmd)}[/]")
    try:
        proc = subprocess.run(cmd, cwd=root)
    except OSError as e:
        raise ArchLawError(f"could not run {cmd[0]}: {e}") from None
    if proc.returncode != 0:
        raise ArchLawError(f"`{' '.join(cmd)}` failed with exit status {proc.returncode} "
                           "(its output is above)")


def _builds(module: str, root: Path) -> bool:
    """Whether ``lake build MODULE`` succeeds; when it fails, one line says that the module is
    left out of the export, and why."""
    from archlaw.bridge.console import make_console
    from rich.markup import escape

    try:
        _run(["lake", "build", module], root)
    except ArchLawError as e:
        make_console(stderr=True, soft_wrap=True).print(
            f"[yellow]left out {escape(module)}:[/] {escape(str(e))}; its laws are absent "
            "from this export")
        return False
    return True


def export_with_lean(root: Path, out: Path, exe: str = EXPORTER,
                     modules: tuple[str, ...] = ()) -> Export:
    """Build, run the Lean exporter `exe` (`EXPORTER`, or `V2_EXPORTER` for the definitions
    too), record the hashes in the header of `out`, and record in ArchLaw's cache that lake made
    it (`attestation.record_lake_export`); the export written, marked `ATTESTED_BY_LAKE`.

    `modules`: more modules to export besides `DEFAULT_MODULE` (`_module_names`). Each is built
    with ``lake build M``; those that build are passed to the exporter (``--module ArchLaw
    --module M ...``) and recorded in the export (`Export.modules`), whose hashes then cover
    their files and imports too; one that fails is left out (`_builds`).

    The exporter writes a uniquely named temporary file beside `out`, which is read back and
    written to `out` atomically (`archlaw.bridge.atomic`): a reader of `out` never sees the
    exporter's half-written file or one without its hashes, and two concurrent exports never
    share a temporary file."""
    import contextlib
    import os
    import tempfile

    from archlaw.bridge import atomic

    dest = atomic.destination(out)  # a device or FIFO is refused before the build, not after
    # hashed before lake runs: the record must name the files lake built, not later edits. With
    # extra modules the exporter imports DEFAULT_MODULE by name too, and all are hashed with
    # their imports (located here: a missing one is refused before any build or temporary file)
    asked = (DEFAULT_MODULE, *modules) if modules else ()
    before = hash_lean_files(root, modules=asked)
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
        fd, raw = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.", suffix=".lake.tmp")
        os.close(fd)
    except OSError as e:
        raise ArchLawError(f"cannot create the export's folder: {e.strerror or e}",
                           where=str(out)) from None
    try:
        _run(["lake", "build"], root)
        covered = (DEFAULT_MODULE, *(m for m in modules if _builds(m, root))) if modules else ()
        named = [a for m in covered for a in ("--module", m)]
        _run(["lake", "exe", exe, str(Path(raw).resolve()), *named], root)
        exp = interchange.read(raw)
        if exp.producer != "lean":
            raise ArchLawError(f"the exporter wrote producer {exp.producer!r}, expected 'lean'",
                               where=str(out))
        if hash_lean_files(root, modules=asked) != before:
            raise ArchLawError("the Lean files changed while lake ran; run `archlaw export` again",
                               where=str(root))
        hashes = before
        if covered != asked:  # only the files of what was exported: a left-out module's are not
            keys = {k for k, _ in hash_lean_files(root, modules=covered)}
            hashes = tuple(p for p in before if p[0] in keys)
        exp = dataclasses.replace(exp, hashes=hashes, modules=covered)
        interchange.write(exp, out)
    finally:
        with contextlib.suppress(OSError):
            os.unlink(raw)
    attestation.record_lake_export(root, hashes, interchange.dumps(exp), exp.lean_version)
    return dataclasses.replace(exp, attestation=ATTESTED_BY_LAKE)


def run(args: argparse.Namespace) -> int:
    from archlaw.bridge.console import make_console
    from rich.markup import escape

    root = resolve_root(args.root)
    out = _out_file(args.out) if args.out is not None else export_path(root)
    console = make_console(stderr=True, soft_wrap=True)
    modules = _module_names(args)
    if shutil.which("lake") is not None:
        exp = export_with_lean(root, out, V2_EXPORTER if args.definitions else EXPORTER, modules)
        defs = (f", {len(interchange.export_definitions(exp))} definitions (version "
                f"{exp.version})" if args.definitions else "")
        mods = f", modules {', '.join(exp.modules)}" if exp.modules else ""
        console.print(f"wrote {escape(str(out))}: {len(exp.laws)} laws, {len(exp.theorems)} "
                      f"theorems{defs}{escape(mods)}, statement provenance lean (Lean "
                      f"{exp.lean_version})")
        return 0
    message = _GET_LEAN.format(tc=_toolchain(root))
    if not args.source:
        console.print(f"[bold red]archlaw export:[/] {escape(message)}")
        return 1
    from archlaw.bridge.source_reader import read_root
    from archlaw.bridge.words import plural

    if modules:  # not silently: the reader reads the whole project and what it imports
        console.print("[yellow]note:[/] --module / --with-blind take effect with Lean only; the "
                      "source reader reads every Lean file of the project and what they import")
    exp = read_root(root)
    interchange.write(exp, out)  # creates the folder; an OSError is one line naming `out`
    console.print(f"[yellow]no Lean here:[/] wrote {escape(str(out))} from the Lean source: "
                  f"{plural(len(exp.laws), 'law')}, {plural(len(exp.theorems), 'theorem')}, "
                  "statement provenance "
                  "source (statements parsed, proofs not checked)")
    return 0
