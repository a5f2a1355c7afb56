"""Reading laws from Lean 4 source without Lean: the ``source`` producer of the interchange format.

`read_root(root)` finds every ``@[arch_law]`` structure and ``@[arch_theorem]`` theorem in the
Lean files of a Lake project and returns an `archlaw.bridge.ir.Export` with producer ``"source"``
and ``axioms=None`` on every declaration: the *statement* is known, the *proof is not checked*
(it is never even read). Where Lean is installed, ``archlaw export`` produces the same values from
a kernel-checked environment (provenance ``lean``); the two must agree on the whole library
(``tests/test_lean_export.py``).

The fragment
------------
Statements of tagged declarations, and the headers of the ``def``/``abbrev``/``structure``/
``class``/``inductive`` declarations they use, are read in this fragment of Lean 4:

* binders ``∀ (x : T)``, ``∀ {x : T}``, ``∀ x y : T``, ``(x : T)``, ``{x : T}``, ``⦃x : T⦄`` and
  ``[C α]`` (instance binders are kept as parameters, but elided from applications);
* ``→ = ≠ ∧ ∨ ¬ ↔ ∃ ≤ < ≥ > ×``, application, infix ``+ - * / % ^ ∘ • ++ ::``, ``<|``;
* numerals, ``[]`` and ``[a, b]``, pairs ``(a, b)``, projections ``.1 .2 .val .fst .snd`` and
  generalized field notation ``x.f`` (``as.length`` is ``List.length as``);
* ``if c then a else b``, ``fun x => e``, type ascription ``(e : T)``, parentheses, ``Prop``,
  ``Type``;
* ``namespace``, ``section``, ``end``, ``variable`` (included by Lean's rule: when the header or
  statement mentions them) and ``open`` of the library's own namespaces.

Anything else in a tagged statement raises `ArchLawError` ``file:line:col: ...; accepted: ...``.
Proofs are never parsed; other commands are skipped. The bodies of the definitions a law uses
are read in the definition fragment (stage `bodies`, docs/semantics.md) and travel with the law
(`Law.definitions`); a body outside it is no error, the definition simply has none.

Typing
------
Terms are elaborated the way Lean elaborates them, within the fragment: every node keeps its sort;
implicit and instance arguments are found by first-order unification and then elided; numerals are
`Lit` nodes at their sort (``Nat`` when nothing else fixes it); notation becomes the constants that
docs/interchange.md lists; constants are fully qualified. Unification unfolds ``abbrev``s (and
``@[reducible]`` defs) whose bodies are in the fragment, never other definitions; there are no
coercions: where Lean would insert ``↑x`` write ``x.val``. Sorts of ∀ follow Lean's universe
levels (``Type → Type : Type 1``); universe variables are not tracked (core type formers such as
``List`` have sort ``Type``).

Naming convention shared with the Lean exporter: a ∀ whose body does not mention its variable
(an arrow ``A → B``, or a non-dependent hypothesis inside a term) has its variable named ``_``;
the binders of a declaration's own telescope (law parameters, theorem parameters) keep the names
they were written with (``_`` for one written as an arrow); an anonymous instance binder is named
``inst``. Docstrings are stripped of surrounding whitespace. Source ranges run from the first
token of the declaration's modifiers (its docstring) to the end of its last token.
"""

# The stages, each a module that imports only the ones before it (tests/test_source_reader_stages.py
# holds them to it):
#   tokens       text -> Tok
#   terms        Tok -> S syntax trees (the parser of the fragment)
#   commands     a file's Tok -> commands, modifiers, scopes
#   unification  metavariables, unification, substitution over IR terms
#   constants    the library of constants (core's table, the headers under the root)
#   elaboration  S -> typed IR terms
#   bodies       def/abbrev bodies -> Definitions (the definition fragment)
#   files        a Lake project's Lean files, module names, texts and hashes
#   reader       files -> declarations (SourceReader)
# and here the public API over them.

from __future__ import annotations

from pathlib import Path
from typing import Callable, Iterable, Optional

from ..errors import ArchLawError
from ..ir import Declaration, Export
from .commands import split_commands
from .files import (
    TOOLCHAIN_MODULES, LeanFile, _load_hashed, header_imports, lake_packages, lean_files,
    lean_source_dirs, load_files, module_name, resolve_imports, search_dirs,
)
from .reader import ACCEPTED, ReadProblem, SourceReader, _check_export_depth
from .terms import MAX_DEPTH
from .tokens import Tok, tokenize

__all__ = [
    "read_root", "read_files", "read_text", "lean_source_dirs", "lean_files", "module_name",
    "load_files", "ACCEPTED", "ReadProblem", "MAX_DEPTH",
    # import resolution (files.py): what a project reads beyond its own files
    "resolve_imports", "search_dirs", "lake_packages", "header_imports", "LeanFile",
    "TOOLCHAIN_MODULES",
    # the stages that lean_lint and the tests use directly
    "SourceReader", "Tok", "tokenize", "split_commands",
]


def read_files(files: Iterable[tuple[str, str, str]],
               on_error: Optional[Callable[[ArchLawError], None]] = None) -> list[Declaration]:
    """Read ``(path, module, text)`` triples; the declarations in file order then source order."""
    r = SourceReader()
    for path, module, text in files:
        r.add_file(path, module, text)
    return r.declarations(on_error)


def read_text(text: str, path: str = "Test.lean", module: str = "Test") -> list[Declaration]:
    """Read one file's text (for tests and quick checks)."""
    return read_files([(path, module, text)])


def read_root(root: Path, on_error: Optional[Callable[[ArchLawError], None]] = None) -> Export:
    """Every tagged declaration of the Lake project at `root` and of the modules its files import
    (`resolve_imports`: as Lake resolves them), as a ``source`` export.

    The export records the SHA-256 of every Lean file read, imported dependencies included, so
    that a written copy can later be recognised as stale. Raises `ArchLawError` on the first declaration it cannot read (or calls
    `on_error` for each and goes on)."""
    root = Path(root)
    if not root.is_dir():
        raise ArchLawError("not a directory", where=str(root))
    files, hashes = _load_hashed(root)
    if not files:
        raise ArchLawError(f"no Lean files under {root} (looked in "
                           f"{', '.join(str(d) for d in lean_source_dirs(root))})")
    decls = read_files(files, on_error)
    return Export(producer="source", lean_version=None, hashes=hashes, declarations=tuple(decls))
