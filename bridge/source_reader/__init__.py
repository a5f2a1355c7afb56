"""Reading laws from Lean 4 source without Lean (see `reader`); this package re-exports the
public entry points, so that ``archlaw.bridge.source_reader`` stays the import path."""

from .reader import (
    ACCEPTED, ReadProblem, SourceReader, Tok, lean_files, lean_source_dirs, load_files,
    module_name, read_files, read_root, read_text, split_commands, tokenize,
)

__all__ = [
    "read_root", "read_files", "read_text", "lean_source_dirs", "lean_files", "module_name",
    "load_files", "ACCEPTED", "ReadProblem",
    # the stages that lean_lint and the tests use directly
    "SourceReader", "Tok", "tokenize", "split_commands",
]
