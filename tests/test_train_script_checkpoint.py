"""scripts/train_transformer_adder.py: checkpoints are read without unpickling code
(``torch.load(..., weights_only=True)``) and written atomically, and a run still resumes."""

from __future__ import annotations

import json
import pathlib
from pathlib import Path

import pytest

from lawtools import load_script
import torch

TINY = ["--d-model", "8", "--layers", "1", "--heads", "2", "--batch", "8", "--eval-every", "1",
        "--save-every", "1", "--docs-json", ""]


@pytest.fixture(scope="module")
def script():
    return load_script("train_transformer_adder")


class _RunsCode:
    """Unpickling this calls `Path.write_text(marker, "ran")`: a stand-in for a checkpoint that
    runs code when loaded with a full unpickler."""

    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self):
        return (pathlib.Path.write_text, (self.marker, "ran"))


def test_a_checkpoint_that_would_run_code_is_refused(script, tmp_path):
    marker = tmp_path / "RAN"
    run = tmp_path / "run"
    run.mkdir()
    torch.save({"config": {}, "model": {}, "payload": _RunsCode(marker)}, run / "checkpoint.pt")
    with pytest.raises(Exception, match="(?i)weights.only|unsupported|global"):
        script.load(run)
    assert not marker.exists()


def test_a_run_saves_resumes_and_loads_with_weights_only(script, tmp_path, monkeypatch):
    run = tmp_path / "run"
    monkeypatch.setattr(script, "exact_match", lambda *a, **k: 0.0)  # the evaluation is not under test
    assert script.main(["--run-dir", str(run), "--steps", "2", *TINY]) == 0
    ck = torch.load(run / "checkpoint.pt", weights_only=True)  # raises if anything needs pickle
    assert ck["step"] == 2 and set(ck) >= {"model", "opt", "rng", "config", "args"}
    assert script.main(["--run-dir", str(run), "--steps", "3", *TINY]) == 0
    assert torch.load(run / "checkpoint.pt", weights_only=True)["step"] == 3
    model, summary = script.load(run)
    assert summary["steps"] == 3 and model.cfg.d_model == 8
    assert json.loads((run / "summary.json").read_text())["steps"] == 3
    assert [p.name for p in run.iterdir() if p.name.startswith(".")] == []  # no temporary left
