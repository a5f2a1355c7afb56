"""The source reader's package stays in layers: each stage imports only the stages before it."""

from __future__ import annotations

import ast
from pathlib import Path

import archlaw.bridge.source_reader as sr

#: The stages in order, as the package's __init__ lists them.
STAGES = ["tokens", "terms", "commands", "unification", "constants", "elaboration", "bodies",
          "files",
          "reader"]
PKG = Path(sr.__file__).parent


def _stage_imports(path: Path) -> set[str]:
    """The sibling stages a module imports anywhere (lazy imports in functions included)."""
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            if node.module:
                out.add(node.module.split(".")[0])
            else:
                out.update(a.name for a in node.names)
    return out


def test_each_stage_imports_only_earlier_stages():
    assert sorted(p.stem for p in PKG.glob("*.py") if p.stem != "__init__") == sorted(STAGES)
    for i, stage in enumerate(STAGES):
        later = _stage_imports(PKG / f"{stage}.py") - set(STAGES[:i])
        assert not later, f"{stage}.py imports {sorted(later)}, not a stage before it"


def test_the_public_names_are_importable_from_the_package():
    for name in sr.__all__:
        assert getattr(sr, name) is not None, name
    # what lean_lint and the tests take from the package
    from archlaw.bridge.source_reader import (  # noqa: F401
        ReadProblem, SourceReader, Tok, lean_files, load_files, read_root, read_text,
        split_commands, tokenize,
    )
