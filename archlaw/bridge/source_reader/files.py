"""The walk over a Lake project's files, shared by the source reader, the library's hashes and
lint-lean; and the resolution of their ``import`` lines, as Lake resolves them.

In: the root of a Lake project. Out: its source directories (`lean_source_dirs`, the lakefile's
``srcDir``), its own ``*.lean`` files (`lean_files`), their module names (`module_name`), and
the files the reader reads (`resolve_imports`): the project's own files and every module they
import, directly or transitively, searched in Lake's order (`search_dirs`):

1. the project's own source directories;
2. its dependencies under ``.lake/packages`` (or wherever ``lake-manifest.json`` puts them), in
   the manifest's order (`lake_packages`); two dependencies that define the module imported are
   an error naming both;
3. ArchLaw's own Lean library installed with the Python package (`archlaw.bridge.shipped`).

Modules of Lean's toolchain (`TOOLCHAIN_MODULES`: ``Init``, ``Std``, ``Lean``, ``Lake``) are not
read. A dependency's files that nothing imports are never read, so a broken one does not stop
the project. A missing module, a cycle of imports and a file that cannot be read as UTF-8 are
each one `ArchLawError` line. `load_files` / `_load_hashed` give the texts and the SHA-256 of
the very bytes read, keyed by `LeanFile.key`: the path relative to the root (dependencies
included: ``.lake/packages/archlaw/lean/ArchLaw/Fold.lean``), or ``<archlaw>/lean/...`` for the
installed library, whose place on disk depends on the install, not its content.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from ..errors import ArchLawError
from .tokens import _id_rest, _id_start

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


#: Module roots that Lean's toolchain provides: every Lake project sees them without a `require`,
#: and the reader knows what it needs of them from its own table of core constants.
TOOLCHAIN_MODULES = ("Init", "Std", "Lean", "Lake")


@dataclass(frozen=True)
class Import:
    """One ``import`` of a file's header: the module as written (``ArchLaw.Fold``), its name
    parts (``«»`` removed) and its 1-based line."""

    module: str
    parts: tuple[str, ...]
    line: int


def header_imports(text: str) -> list[Import]:
    """The ``import`` commands of a Lean 4 file's header: Lean accepts them only before the first
    other command, after an optional ``prelude``; comments may come between. The scan stops at
    the first other word (a module docstring ``/-! -/`` or ``/-- -/`` is a command, too)."""
    out: list[Import] = []
    i, n, line = 0, len(text), 1
    expect_module = False
    while i < n:
        c = text[i]
        if c == "\n":
            line += 1
            i += 1
        elif c.isspace():
            i += 1
        elif text.startswith("--", i):
            j = text.find("\n", i)
            i = n if j < 0 else j
        elif text.startswith("/-", i) and not text.startswith(("/--", "/-!"), i):
            depth, i = 1, i + 2
            while i < n and depth:
                if text.startswith("/-", i):
                    depth, i = depth + 1, i + 2
                elif text.startswith("-/", i):
                    depth, i = depth - 1, i + 2
                else:
                    line += text[i] == "\n"
                    i += 1
        elif _id_start(c) or c == "«":
            start_line = line
            parts, i = _read_name(text, i)
            word = ".".join(parts)
            if expect_module and word == "runtime":
                continue                        # `import runtime M`: M is the module
            if expect_module:
                out.append(Import(_written(parts), tuple(parts), start_line))
                expect_module = False
            elif word == "import":
                expect_module = True
            elif word != "prelude":
                break
        else:
            break
    return out


def _read_name(text: str, i: int) -> tuple[list[str], int]:
    """The dotted name at `i` (parts ``«»``-unquoted) and the index after it."""
    parts: list[str] = []
    n = len(text)
    while True:
        if i < n and text[i] == "«":
            j = text.find("»", i + 1)
            if j < 0:
                return parts + [text[i + 1:]], n
            parts.append(text[i + 1:j])
            i = j + 1
        else:
            j = i
            while j < n and _id_rest(text[j]):
                j += 1
            parts.append(text[i:j])
            i = j
        if i + 1 < n and text[i] == "." and (_id_start(text[i + 1]) or text[i + 1] == "«"):
            i += 1
            continue
        return parts, i


def _written(parts: list[str]) -> str:
    """A module name as Lean prints it: parts that are not plain identifiers in ``«»``."""
    plain = re.compile(r"^[^\W\d]\w*$")
    return ".".join(p if plain.match(p) else f"«{p}»" for p in parts)


@dataclass(frozen=True)
class LeanFile:
    """A Lean file the reader reads: where it is, its key (the name it has in hashes, source
    ranges and messages; see the module docstring), its module, where it was found (``project``,
    ``package NAME``, or ``installed ArchLaw``), its text (universal newlines, as
    ``Path.read_text`` gives it) and the SHA-256 of the bytes read."""

    path: Path
    key: str
    module: str
    origin: str
    text: str
    sha256: str


@dataclass(frozen=True)
class SourceDir:
    """A directory searched for modules, and what it is (``project``, ``package NAME``,
    ``installed ArchLaw``); `base` is what keys are relative to, `prefix` is put before them."""

    path: Path
    origin: str
    base: Path
    prefix: str = ""

    def key(self, file: Path) -> str:
        return self.prefix + Path(os.path.relpath(file, self.base)).as_posix()


INSTALLED = "installed ArchLaw"


def lake_packages(root: Path) -> list[tuple[str, Path]]:
    """``(name, package root)`` of the project's dependencies, in the order of
    ``lake-manifest.json`` (Lake's flat list of every dependency, transitive ones included):
    ``path`` packages at their ``dir``, the others under ``packagesDir`` (default
    ``.lake/packages``) by name, within ``subDir`` if any. Without a manifest, the directories
    of ``.lake/packages`` by name. A manifest that is not Lake's JSON is one `ArchLawError` line."""
    root = Path(root).resolve()
    manifest = root / "lake-manifest.json"
    if not manifest.is_file():
        pkgs = root / ".lake" / "packages"
        if not pkgs.is_dir():
            return []
        return [(d.name, d) for d in sorted(pkgs.iterdir()) if d.is_dir()]
    accepted = ('accepted: the JSON that `lake update` writes, {"packages": [{"name": ..., '
                '"type": "git" | "path", ...}, ...], "packagesDir": ...}')
    try:
        doc = json.loads(manifest.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as e:
        raise ArchLawError(f"cannot read the Lake manifest ({type(e).__name__}: "
                           f"{str(e).splitlines()[0] if str(e) else ''}); {accepted}",
                           where=str(manifest)) from None
    entries = doc.get("packages") if isinstance(doc, dict) else None
    pdir = doc.get("packagesDir", ".lake/packages") if isinstance(doc, dict) else None
    if not isinstance(entries, list) or not isinstance(pdir, str):
        raise ArchLawError(f"not a Lake manifest; {accepted}", where=str(manifest))
    out: list[tuple[str, Path]] = []
    for i, e in enumerate(entries):
        if isinstance(e, dict) and "name" not in e and len(e) == 1:
            e = next(iter(e.values()))       # the older form, {"git": {"name": ...}}
        name = e.get("name") if isinstance(e, dict) else None
        if not isinstance(name, str) or not name:
            raise ArchLawError(f"packages[{i}] has no name; {accepted}", where=str(manifest))
        if e.get("type") == "path" and isinstance(e.get("dir"), str):
            base = root / e["dir"]
        else:
            base = root / pdir / name
            if isinstance(e.get("subDir"), str) and e["subDir"]:
                base = base / e["subDir"]
        out.append((name, base.resolve()))
    return out


def search_dirs(root: Path) -> list[SourceDir]:
    """Where an import is looked for, in Lake's order (see the module docstring): the project's
    source directories, then each dependency's, then the installed ArchLaw library's (unless
    that library is the project itself)."""
    from ..shipped import INSTALLED_KEY, lean_library_root

    root = Path(root).resolve()
    out = [SourceDir(d, "project", root) for d in lean_source_dirs(root)]
    for name, pkg in lake_packages(root):
        if pkg.is_dir():
            out += [SourceDir(d, f"package {name}", root) for d in lean_source_dirs(pkg)]
    lib = lean_library_root()
    if lib is not None and lib.resolve() != root:
        out += [SourceDir(d, INSTALLED, lib, INSTALLED_KEY + "/")
                for d in lean_source_dirs(lib)]
    return out


def _read(path: Path, key: str, module: str, origin: str) -> LeanFile:
    try:
        data = path.read_bytes()
        text = data.decode("utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise ArchLawError(f"cannot read: {e}", where=str(path)) from None
    return LeanFile(path, key, module, origin, text.replace("\r\n", "\n").replace("\r", "\n"),
                    hashlib.sha256(data).hexdigest())


def resolve_imports(root: Path, *, missing_ok: bool = False,
                    modules: tuple[str, ...] = ()) -> list[LeanFile]:
    """The files the reader reads for the Lake project at `root`: its own files (path order, as
    the Lean exporter orders them), then every module they import, directly or transitively, in
    key order. `modules` (dotted names, e.g. ``ArchLaw.Graph.BellmanFord``) are located as if the
    project imported them (``archlaw export --module``): one from a dependency or the installed
    library is read with its own imports; a missing one is an error naming ``--module``. One `ArchLawError` line for a missing module (the import, the file and line that
    imported it, the places searched), two dependencies defining one module, or a cycle.
    `missing_ok` skips a missing module instead (the staleness check: a file removed since an
    export was made is reported as removed, not as a broken import)."""
    root = Path(root).resolve()
    dirs = search_dirs(root)
    own = [SourceDir(src, "project", root) for src in lean_source_dirs(root)]
    files = [_read(f, own[0].key(f), module_name(f, src), "project") for f, src in lean_files(root)]
    by_module: dict[str, LeanFile] = {}
    for lf in files:
        by_module.setdefault(lf.module, lf)
    imports: dict[str, list[tuple[Import, LeanFile]]] = {}   # module -> its imports, resolved
    deps: list[LeanFile] = []
    for m in modules:
        if m in by_module:
            continue
        try:
            target = _locate(Import(m, tuple(m.split(".")), 0), "--module", dirs, root)
        except _Missing as e:
            if missing_ok:
                continue
            raise ArchLawError(str(e.args[0]), where=e.args[1]) from None
        by_module[m] = target
        deps.append(target)
    todo = list(files) + list(deps)
    while todo:
        lf = todo.pop(0)                     # in file order: the first error is always the same
        mine = imports.setdefault(lf.module, [])
        for imp in header_imports(lf.text):
            if imp.parts[0] in TOOLCHAIN_MODULES:
                continue
            target = by_module.get(".".join(imp.parts))
            if target is None:
                try:
                    target = _locate(imp, f"{lf.key}:{imp.line}", dirs, root)
                except _Missing as e:
                    if missing_ok:
                        continue
                    raise ArchLawError(str(e.args[0]), where=e.args[1]) from None
                by_module[".".join(imp.parts)] = target
                deps.append(target)
                todo.append(target)
            mine.append((imp, target))
    _refuse_cycles(files + deps, imports)
    return files + sorted(deps, key=lambda f: f.key)


class _Missing(Exception):
    """A module found nowhere: (message, where), for `resolve_imports` to raise or skip."""


def _locate(imp: Import, where: str, dirs: list[SourceDir], root: Path) -> LeanFile:
    """The file of module `imp` (imported at `where`: ``file:line``, or ``--module``): the first
    of `dirs` that has it; among dependencies, only one may have it."""
    if any(p in ("", ".", "..") or "/" in p or "\\" in p for p in imp.parts):
        # no file can hold it, and a path of it could leave the source directory
        raise ArchLawError(f"import {imp.module}: not a module name (a part is empty, . or .., "
                           "or holds a slash); accepted: dotted identifiers, parts in «» allowed",
                           where=where)
    rel = Path(*imp.parts).with_suffix(".lean")
    hits = [(d, d.path / rel) for d in dirs if (d.path / rel).is_file()]
    if not hits:
        searched = "; ".join(f"{d.path} ({d.origin})" for d in dirs)
        missing = [f"package {n} at {p} is not on disk (run `lake update`)"
                   for n, p in lake_packages(root) if not p.is_dir()]
        from ..shipped import lean_library_root
        if lean_library_root() is None:
            missing.append("no copy of ArchLaw's Lean library is installed with the Python "
                           "package")
        raise _Missing(f"import {imp.module}: no module {imp.module} ({rel.as_posix()}) in "
                           f"{searched}{'; ' if missing else ''}{'; '.join(missing)}; add the "
                           "package that defines it to the lakefile and run `lake update`, or "
                           "fix the name", where)
    d, path = hits[0]
    if d.origin.startswith("package "):
        other = next(((d2, p2) for d2, p2 in hits[1:]
                      if d2.origin.startswith("package ") and d2.origin != d.origin), None)
        if other is not None:
            raise ArchLawError(f"import {imp.module}: two dependencies define module "
                               f"{imp.module}: {d.origin} ({path}) and {other[0].origin} "
                               f"({other[1]}); Lake refuses a module defined twice: remove one "
                               "of the packages or rename the module in one", where=where)
    return _read(path, d.key(path), ".".join(imp.parts), d.origin)


def _refuse_cycles(files: list[LeanFile],
                   imports: dict[str, list[tuple[Import, LeanFile]]]) -> None:
    """One `ArchLawError` line naming a cycle of imports, if there is one (depth-first search;
    `files` fixes the order, so the cycle named is always the same one)."""
    state: dict[str, int] = {}               # 1: on the current path, 2: done
    for start in files:
        if start.module in state:
            continue
        path: list[tuple[LeanFile, Optional[Import]]] = [(start, None)]
        stack = [iter(imports.get(start.module, []))]
        state[start.module] = 1
        while stack:
            nxt = next(stack[-1], None)
            if nxt is None:
                state[path[-1][0].module] = 2
                path.pop()
                stack.pop()
                continue
            imp, target = nxt
            if state.get(target.module) == 1:
                i = next(k for k, (f, _) in enumerate(path) if f.module == target.module)
                steps = path[i:] + [(target, imp)]
                chain = " -> ".join(f.module for f, _ in steps)
                lines = ", ".join(f"{steps[k][0].key}:{steps[k + 1][1].line} imports "
                                  f"{steps[k + 1][0].module}" for k in range(len(steps) - 1))
                raise ArchLawError(f"import cycle: {chain} ({lines}); Lean refuses a cycle of "
                                   "imports: move what the modules share into a module both "
                                   "import")
            if target.module not in state:
                state[target.module] = 1
                path.append((target, imp))
                stack.append(iter(imports.get(target.module, [])))


def load_files(root: Path) -> list[tuple[str, str, str]]:
    """``(key, module, text)`` of every Lean file the reader reads for the Lake project at
    `root` (`resolve_imports`)."""
    return _load_hashed(root)[0]


def _load_hashed(root: Path, *, missing_ok: bool = False, modules: tuple[str, ...] = ()
                 ) -> tuple[list[tuple[str, str, str]], tuple[tuple[str, str], ...]]:
    """`load_files`, and the SHA-256 of the very bytes read, as `library.hash_lean_files` gives
    them (``((key, hex digest), ...)`` sorted by key): each file read once. `modules`: as
    `resolve_imports`."""
    files = resolve_imports(root, missing_ok=missing_ok, modules=modules)
    return ([(f.key, f.module, f.text) for f in files],
            tuple(sorted((f.key, f.sha256) for f in files)))
