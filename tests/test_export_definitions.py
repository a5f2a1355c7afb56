"""`archlaw export --definitions`: the Python half of the version-2 Lean exporter
(`lean/ArchLawExportV2.lean`, written without Lean). lake is not installed here: a stub stands
in for it, writing what the exporter would write (the source reader's export of the fixture
`tests/fixtures/defs`, marked as Lean's); what is checked is which executable ArchLaw asks lake
to run, and that the definitions survive the re-write with hashes."""
from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import pytest

from archlaw.bridge import interchange, library
from archlaw.cli import export as cmd_export
from archlaw.cli import main

from lawtools import FIXTURES, lean_export_of

DEFS = FIXTURES / "defs"


@pytest.fixture
def defs_proj(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("ARCHLAW_CACHE", str(tmp_path / "cache"))
    root = tmp_path / "defs"
    shutil.copytree(DEFS, root)
    return root


def _fake_lake(root: Path, calls: list[list[str]]):
    lean = dataclasses.replace(lean_export_of(root), hashes=())

    def fake_run(cmd, where):
        calls.append(cmd)
        if cmd[:2] == ["lake", "exe"]:
            interchange.write(lean, Path(cmd[-1]))
    return fake_run, lean


@pytest.mark.parametrize("flag,exe", [([], "archlaw-export"),
                                      (["--definitions"], "archlaw-export-v2")])
def test_export_runs_the_v2_exporter_only_when_asked(defs_proj, monkeypatch, capsys, flag, exe):
    calls: list[list[str]] = []
    fake_run, lean = _fake_lake(defs_proj, calls)
    monkeypatch.setattr(shutil, "which", lambda name: "/usr/bin/lake")
    monkeypatch.setattr(cmd_export, "_run", fake_run)
    out = defs_proj / "out.sexp"
    assert main(["export", "--root", str(defs_proj), "--out", str(out), *flag]) == 0
    assert calls[0] == ["lake", "build"] and calls[1][:3] == ["lake", "exe", exe]
    got = interchange.read(out)
    # the definitions the exporter wrote are kept, with the hashes added, in version 2
    assert got.version == 2 and got.hashes == library.hash_lean_files(defs_proj)
    names = [d.name for d in interchange.export_definitions(got)]
    assert names == [d.name for d in interchange.export_definitions(lean)] and "Defs.twice" in names
    err = capsys.readouterr().err
    assert (f"{len(names)} definitions (version 2)" in err) == bool(flag), err


def test_export_help_names_the_definitions_flag(capsys):
    with pytest.raises(SystemExit):
        main(["export", "--help"])
    out = capsys.readouterr().out
    assert "--definitions" in out and "archlaw-export-v2" in out
