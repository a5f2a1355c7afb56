"""scripts/bench_conformance.py benchmarks the library's laws: it reads them as `archlaw check`
does, records which law (statement provenance, where from) it used, and fails with the error when
the library cannot be read instead of silently benchmarking a hand-built twin."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from archlaw.bridge import library
from archlaw.bridge.errors import ArchLawError

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "bench_conformance.py"


@pytest.fixture()
def bench():
    spec = importlib.util.spec_from_file_location("bench_conformance_under_test", SCRIPT)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_the_benchmark_uses_the_library_law_and_records_it(bench):
    loaded = library.load_export_explained()
    law = bench._law("ArchLaw.FoldLaws")
    assert law == loaded.export.find("ArchLaw.FoldLaws")
    assert bench.LAWS_USED["ArchLaw.FoldLaws"] == {
        "statement": law.statement_provenance, "origin": loaded.origin,
        "path": str(loaded.path) if loaded.path else None}


def test_an_unreadable_library_is_an_error_not_a_fallback(bench, monkeypatch):
    def broken(*a, **k):
        raise ArchLawError("lean/ArchLaw/Fold.lean:3:1: unexpected token")

    monkeypatch.setattr(library, "load_export_explained", broken)
    with pytest.raises(ArchLawError, match="unexpected token"):
        bench._law("ArchLaw.FoldLaws")
    assert not hasattr(bench, "_fold_ir") and not hasattr(bench, "_equivariant_ir")
