"""scripts/bench_conformance.py benchmarks the library's laws: it reads them as `archlaw check`
does, records which law (statement provenance, where from) it used, and fails with the error when
the library cannot be read instead of silently benchmarking a hand-built twin."""

from __future__ import annotations

import json

import pytest

from lawtools import load_script
import torch

from archlaw.bridge import library
from archlaw.bridge.binding import ListBatch
from archlaw.bridge.errors import ArchLawError



@pytest.fixture()
def bench():
    return load_script("bench_conformance")


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


def test_the_hand_batched_checks_catch_a_broken_model(bench):
    """The hand-batched rows are checks, not timings of no-ops: each passes the lawful model and
    reports a large error on a broken one (zero padding breaks the shifts; a `run` that folds
    from the other end breaks ``cons``)."""
    torch.manual_seed(0)
    circ = torch.nn.Conv1d(4, 4, 3, padding=1, padding_mode="circular")
    zero = torch.nn.Conv1d(4, 4, 3, padding=1)
    zero.load_state_dict(circ.state_dict())
    xs = torch.randn(3, 4, 8)
    relu = lambda m: (lambda x: torch.relu(m(x)))  # noqa: E731
    assert bench.equivariance_batched(relu(circ), xs, bench.roll) < 1e-6
    assert bench.equivariance_batched(relu(zero), xs, bench.roll) > 0.1
    ss = xs.transpose(1, 2)
    assert bench.shift_batched(bench.conv_signal(circ), ss) < 1e-6
    assert bench.shift_batched(bench.conv_signal(zero), ss) > 0.1
    net = bench.RNN(a=16, h=8)
    lists = torch.randn(3, 5, 16)
    assert bench.fold_batched(net, lists) < 1e-6
    net.run = lambda b: bench.RNN.run(net, ListBatch(b.values.flip(1), b.lengths))
    assert bench.fold_batched(net, lists) > 0.01


def test_the_rows_include_hand_batched_and_the_cyclic_shift_law_from_its_body(bench, tmp_path):
    out = tmp_path / "bench.json"
    assert bench.main(["--eq-samples", "4", "--fold-samples", "2", "--loop-cases", "16",
                       "--fold-loop-cases", "1", "--shift-samples", "4", "--repeat", "1",
                       "--out", str(out)]) == 0
    data = json.loads(out.read_text())
    shift = "cyclic shift (rotate from its body)"
    ways = {(r["workload"], r["way"]) for r in data["rows"]}
    for w in ("equivariance", "fold (length 1,000)", shift):
        assert {(w, "engine (batched)"), (w, "hand batched")} <= ways
        ratio = data["engine_vs_hand_batched"][w]
        assert ratio["within_1_5x"] == (ratio["hand_batched_per_engine"] <= 1.5)
    engine = next(r for r in data["rows"] if r["workload"] == shift and r["way"].startswith("engine ("))
    assert engine["ran"]["ArchLaw.rotate"] == "body" and engine["cases"] == 4 * 16
