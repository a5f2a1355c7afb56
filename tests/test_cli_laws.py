"""`archlaw laws`, `archlaw export` and `archlaw lint-lean` through the CLI: exit statuses, JSON,
--require-verified, and one-line errors (no traceback) for malformed input."""
from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
import shutil
from pathlib import Path

import pytest

from archlaw.bridge import interchange, library
from archlaw.cli import main

from lawtools import FOLD, GOLDEN, REPO, lean_export_of, record_as_made_by_lake, tagged_in


def test_laws_table(capsys):
    assert main(["laws", "--root", str(FOLD)]) == 0
    out = capsys.readouterr().out
    for name in ("Fix.FoldLaws", "Fix.FoldLaws.eq_foldr", "Fix.MonoidLaws"):
        assert name in out
    assert "source" in out and "unknown" in out and "Fix/Fold.lean:" in out


def test_laws_json_lists_every_law_with_source_provenance(capsys):
    """Labels follow the export actually read: the source reader here (no Lean), or a fresh Lean
    export when a user has run `archlaw export` with Lean (build/archlaw/laws.sexp)."""
    loaded = library.load_export_explained(REPO)
    assert main(["laws", "--root", str(REPO), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["producer"] == loaded.export.producer and data["origin"] == loaded.origin
    names = {d["name"] for d in data["declarations"]}
    assert "ArchLaw.FoldLaws" in names
    assert len(data["declarations"]) == len(tagged_in(REPO))
    for d in data["declarations"]:
        if loaded.origin == "source-reader":
            assert data["verified"] is False
            # axioms unknown: whether the proof uses sorry is unknown too, never false
            assert d["statement_provenance"] == "source" and d["axioms"] is None
            assert d["uses_sorry"] is None
        else:
            assert d["statement_provenance"] == "lean" and d["axioms"] is not None
            assert d["uses_sorry"] == ("sorryAx" in d["axioms"])
        assert d["range"]["file"].startswith("lean/") and d["params"] is not None
        assert ("fields" in d) == (d["kind"] == "law") and d["text"]
    fold = next(d for d in data["declarations"] if d["name"] == "ArchLaw.FoldLaws")
    assert {"name": "nil", "statement": "run [] = init"} in fold["fields"]


def test_require_verified_fails_on_source(capsys):
    assert main(["laws", "--root", str(FOLD), "--require-verified"]) == 1
    err = capsys.readouterr().err
    assert "not verified" in err and "'source'" in err and "no Lean export" in err


def test_require_verified_refuses_sorry(proj, tmp_path, capsys, monkeypatch):
    exp = lean_export_of(proj)
    decls = list(exp.declarations)
    decls[1] = dataclasses.replace(decls[1], axioms=("propext", "sorryAx"))
    out = tmp_path / "sorry.sexp"
    interchange.write(dataclasses.replace(exp, declarations=tuple(decls)), out)
    monkeypatch.setenv("ARCHLAW_CACHE", str(tmp_path / "cache"))
    record_as_made_by_lake(proj, out)
    assert main(["laws", "--root", str(proj), "--from", str(out)]) == 0
    assert "sorryAx" in capsys.readouterr().out
    assert main(["laws", "--root", str(proj), "--from", str(out), "--require-verified"]) == 1
    err = capsys.readouterr().err
    assert "sorryAx" in err and decls[1].name in err


def test_require_verified_passes_on_fresh_clean_lean_export(proj, capsys, tmp_path, monkeypatch):
    p = library.export_path(proj)
    p.parent.mkdir(parents=True)
    interchange.write(lean_export_of(proj), p)
    monkeypatch.setenv("ARCHLAW_CACHE", str(tmp_path / "cache"))
    record_as_made_by_lake(proj, p)
    assert main(["laws", "--root", str(proj), "--require-verified", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["verified"] and data["origin"] == "lean-export" and data["declared_why"] is None
    assert {d["statement"] for d in data["declarations"]} == {"lean"}


def test_stale_from_file_is_an_error(proj, tmp_path, capsys):
    out = tmp_path / "laws.sexp"
    interchange.write(lean_export_of(proj), out)
    (proj / "Fix" / "Fold.lean").write_text("-- changed\n")
    assert main(["laws", "--root", str(proj), "--from", str(out)]) == 2
    err = capsys.readouterr().err
    assert "stale export" in err and "changed: Fix/Fold.lean" in err


def test_export_without_lake(proj, tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    assert main(["export", "--root", str(proj)]) == 1
    err = capsys.readouterr().err
    assert "elan" in err and "lean-toolchain" in err
    out = tmp_path / "src.sexp"
    assert main(["export", "--root", str(proj), "--out", str(out), "--source"]) == 0
    exp = interchange.read(out)
    assert exp.producer == "source" and exp.hashes == library.hash_lean_files(proj)


def test_export_with_a_fake_lake_adds_hashes(proj, tmp_path, monkeypatch):
    """The Python half of `archlaw export`: lake's output is re-written with the hashes."""
    lean = dataclasses.replace(lean_export_of(proj), hashes=())
    calls = []

    def fake_run(cmd, root):
        calls.append(cmd)
        if cmd[:2] == ["lake", "exe"]:
            interchange.write(lean, Path(cmd[-1]))

    from archlaw.cli import export as cmd_export
    monkeypatch.setattr(shutil, "which", lambda name: "/usr/bin/lake")
    monkeypatch.setattr(cmd_export, "_run", fake_run)
    assert main(["export", "--root", str(proj)]) == 0
    out = library.export_path(proj).resolve()
    # lake writes a unique temporary file beside OUT, which is re-written to OUT atomically
    assert calls[0] == ["lake", "build"] and calls[1][:3] == ["lake", "exe", "archlaw-export"]
    raw = Path(calls[1][3])
    assert raw.parent == out.parent and raw.name.startswith(".laws.sexp.") and not raw.exists()
    assert library.load_export_explained(proj).origin == "lean-export"
    assert sorted(p.name for p in out.parent.iterdir()) == ["laws.sexp"]


def test_lint_lean_passes_on_the_library(capsys):
    assert main(["lint-lean", "--root", str(REPO)]) == 0, capsys.readouterr().out


def _cli(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess:
    env = dict(os.environ, COLUMNS="200")
    return subprocess.run([sys.executable, "-m", "archlaw", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize("content,needle", [
    (GOLDEN.read_text()[:4000], "never closed"),
    (GOLDEN.read_text().replace("(version 2)", "(version 7)"), "unknown schema version 7"),
    ("(archlaw-export (version 1) (producer \"source\") (law (name \"x\")))", "missing (module"),
    ("", "empty"),
])
def test_malformed_files_give_one_line_errors(tmp_path, content, needle):
    bad = tmp_path / "bad.sexp"
    bad.write_text(content)
    r = _cli("laws", "--root", str(FOLD), "--from", str(bad))
    assert r.returncode == 2
    assert "Traceback" not in r.stderr and needle in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1, r.stderr


def test_lean_outside_the_fragment_is_one_line(proj):
    f = proj / "Fix" / "Fold.lean"
    f.write_text(f.read_text().replace("nil  : run [] = init", "nil  : run [] = (match 0 with | _ => init)"))
    r = _cli("laws", "--root", str(proj))
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1, r.stderr
    assert "Fix/Fold.lean:12:19: match is outside the fragment" in r.stderr and "accepted:" in r.stderr
    r = _cli("lint-lean", "--root", str(proj))
    assert r.returncode == 1 and "Fix/Fold.lean:12:19:" in r.stdout and "Traceback" not in r.stderr
