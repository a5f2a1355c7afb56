"""An export cannot forge Lean: a file saying ``(producer "lean")``, with correct hashes, is only
``lean (declared)`` (refused by ``--require-verified``, never certified, refused by ``verify``)
unless ArchLaw's cache records that lake made that very text from these Lean files and this
toolchain. lake is not installed here: the record is written by the code path ``archlaw export``
uses (`attestation.record_lake_export`), by a test that decides the file is Lean's."""

from __future__ import annotations

import dataclasses
import json
import shutil

import pytest

import conformance_toys as T
from archlaw.bridge import attestation, interchange, library
from archlaw.cli import export as cmd_export
from archlaw.cli.app import main
from archlaw.bridge.ir import ATTESTED_BY_LAKE
from lawtools import record_as_made_by_lake

MODEL = ["--model", "conformance_toys:cell_binding", "--param", "base=10"]


@pytest.fixture()
def toy(tmp_path, monkeypatch):
    """A Lake project with one Lean file, the toy lean export written for it with correct hashes
    (anyone can compute them), and an empty ArchLaw cache: (project, export file)."""
    monkeypatch.setenv("ARCHLAW_CACHE", str(tmp_path / "cache"))
    proj = tmp_path / "proj"
    proj.mkdir()
    (proj / "lean-toolchain").write_text("leanprover/lean4:v4.20.0\n")
    (proj / "Toy.lean").write_text("-- the toy laws\n")
    path = tmp_path / "forged.sexp"
    interchange.write(dataclasses.replace(T.export(), hashes=library.hash_lean_files(proj)), path)
    return proj, path


def _where(proj, path):
    return ["--root", str(proj), "--from", str(path)]


def test_the_reader_never_attests_only_the_api_marks_in_memory_exports(toy):
    _, path = toy
    assert T.export().lean_verified                       # built in memory, marked as such
    read = interchange.read(path)
    assert read.declarations == T.export().declarations and read.producer == "lean"
    assert not read.lean_verified and read.attestation is None
    assert read.statement_label("lean") == "lean (declared)"


def test_require_verified_refuses_a_forged_export_with_one_line(toy, capsys):
    proj, path = toy
    assert main(["laws", *_where(proj, path), "--require-verified"]) == 1
    cap = capsys.readouterr()
    assert "lean (declared)" in cap.out
    err = cap.err.strip()
    assert "\n" not in err and "lean (declared)" in err
    assert "no record that lake made it from these Lean files and toolchain" in err
    assert main(["laws", *_where(proj, path), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert not data["verified"] and {d["statement"] for d in data["declarations"]} == {
        "lean (declared)"}


def test_a_forged_export_is_never_certified(toy, capsys, tmp_path):
    proj, path = toy
    rc = main(["check", "adder_correct", *_where(proj, path), *MODEL,
               "--certificate", str(tmp_path / "c")])
    out = capsys.readouterr().out
    assert rc == 1 and not (tmp_path / "c.sexp").exists() and not (tmp_path / "c.json").exists()
    assert "Toy.adder_correct: passed (statement lean (declared), check exhaustive) — not " \
           "certified" in out
    assert "statement is lean (declared)" in out and ": certified" not in out


def test_verify_refuses_a_certificate_resting_on_a_declared_export(toy, capsys, tmp_path):
    """Issued while the cache held the record; the same export without it (another machine, a
    forged copy) is only declared, and verify says so before building any model."""
    proj, path = toy
    record = record_as_made_by_lake(proj, path)
    assert main(["check", "adder_correct", *_where(proj, path), *MODEL,
                 "--certificate", str(tmp_path / "c")]) == 0
    assert main(["verify", str(tmp_path / "c.sexp"), *_where(proj, path), *MODEL[:2]]) == 0
    capsys.readouterr()
    record.unlink()
    assert main(["verify", str(tmp_path / "c.json"), *_where(proj, path), *MODEL[:2]]) == 1
    line = capsys.readouterr().out.strip()
    assert "\n" not in line and line.startswith("rejected") and "lean (declared)" in line


def test_a_record_counts_only_for_this_tree_toolchain_and_text(toy, capsys):
    proj, path = toy
    where = _where(proj, path)

    def verified() -> bool:
        rc = main(["laws", *where, "--require-verified"])
        capsys.readouterr()
        return rc == 0

    assert not verified()
    record_as_made_by_lake(proj, path)
    assert verified()
    # another toolchain: the record's key no longer matches
    (proj / "lean-toolchain").write_text("leanprover/lean4:v4.21.0\n")
    assert not verified()
    (proj / "lean-toolchain").write_text("leanprover/lean4:v4.20.0\n")
    assert verified()
    # another text for the same tree, its hashes correct: the record vouches for one text only
    good = path.read_text()
    interchange.write(dataclasses.replace(interchange.read(path), lean_version="4.99.0"), path)
    assert not verified()
    assert "differs from the export lake made" in library.load_export_explained(
        proj, path).declared_why
    path.write_text(good)
    assert verified()
    # a Lean file edited and the export re-hashed to stay fresh: another tree, no record
    (proj / "Toy.lean").write_text("-- edited\n")
    interchange.write(dataclasses.replace(interchange.read(path),
                                          hashes=library.hash_lean_files(proj)), path)
    assert not verified()


def test_an_unreadable_record_is_no_record(toy):
    proj, path = toy
    record_as_made_by_lake(proj, path).write_text("{not json")
    loaded = library.load_export_explained(proj, path)
    assert not loaded.export.lean_verified and "unreadable" in loaded.declared_why


def test_archlaw_export_records_what_lake_made(toy, monkeypatch, capsys):
    """`archlaw export` with lake (a stub here, standing in for lake build and the exporter)
    records its export, which later runs then count as Lean's; a Lean file edited while lake runs
    gets no record."""
    proj, _ = toy
    ran = []

    def fake_lake(cmd, root):
        ran.append(cmd[:2])
        if cmd[:3] == ["lake", "exe", "archlaw-export"]:   # what the exporter writes: no hashes
            interchange.write(T.export(), cmd[3])

    monkeypatch.setattr(shutil, "which", lambda name: "/fake/lake")
    monkeypatch.setattr(cmd_export, "_run", fake_lake)
    exp = cmd_export.export_with_lean(proj, library.export_path(proj))
    assert exp.attestation == ATTESTED_BY_LAKE and ran == [["lake", "build"], ["lake", "exe"]]
    assert main(["laws", "--root", str(proj), "--require-verified"]) == 0
    capsys.readouterr()

    def editing_lake(cmd, root):
        fake_lake(cmd, root)
        (proj / "Toy.lean").write_text("-- edited during the build\n")

    monkeypatch.setattr(cmd_export, "_run", editing_lake)
    assert main(["export", "--root", str(proj)]) == 2
    assert "changed while lake ran" in capsys.readouterr().err
    key = attestation.tree_key(proj, library.hash_lean_files(proj))
    assert not attestation.record_path(key).exists()
