"""Cross-validation of the two producers: where Lean is installed, the Lean exporter's output must
equal the source reader's on the whole library, modulo statement provenance, axioms and the Lean
version. Needs `lake` (elan); skipped with the reason when it is absent."""
from __future__ import annotations

import dataclasses
import shutil

import pytest

from archlaw.bridge import interchange, ir, library, source_reader
from archlaw.cli.export import export_with_lean

from lawtools import REPO

pytestmark = [
    pytest.mark.lean,
    pytest.mark.skipif(shutil.which("lake") is None,
                       reason="no Lean toolchain here (`lake` not on PATH): the exporter cannot run; "
                              "install elan to cross-validate the two producers"),
]


def _neutral(d: ir.Declaration) -> ir.Declaration:
    return dataclasses.replace(d, statement_provenance="source", axioms=None, doc=d.doc.strip())


@pytest.fixture(scope="module")
def both(tmp_path_factory):
    out = tmp_path_factory.mktemp("export") / "laws.sexp"
    export_with_lean(REPO, out)
    return interchange.read(out), source_reader.read_root(REPO)


def test_exporter_writes_a_lean_export_with_fresh_hashes(both):
    lean, _ = both
    assert lean.producer == "lean" and lean.lean_version
    assert lean.hashes == library.hash_lean_files(REPO)
    assert all(d.axioms is not None for d in lean.declarations)


def test_the_two_producers_agree_on_the_whole_library(both):
    lean, source = both
    by_lean = {d.name: _neutral(d) for d in lean.declarations}
    by_source = {d.name: _neutral(d) for d in source.declarations}
    assert sorted(by_lean) == sorted(by_source)
    for name in sorted(by_lean):
        a, b = by_lean[name], by_source[name]
        if a != b:
            pytest.fail(f"{name} differs:\nlean:   {ir.declaration_text(a)}\nsource: "
                        f"{ir.declaration_text(b)}\nlean:   {interchange.dumps(dataclasses.replace(lean, declarations=(a,)))}"
                        f"\nsource: {interchange.dumps(dataclasses.replace(source, declarations=(b,)))}")
