"""load_export: export files, staleness (changed/added/removed files), the Lean export's pick-up
and the fallback to the source reader."""
from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from archlaw.bridge import interchange, library
from archlaw.bridge.errors import ArchLawError, StaleExportError

from lawtools import FOLD, REPO, lean_export_of


def test_source_reader_when_no_export(proj):
    loaded = library.load_export_explained(proj)
    assert loaded.origin == "source-reader" and "no Lean export" in loaded.reason
    assert loaded.export.producer == "source"
    assert all(d.statement_provenance == "source" and d.axioms is None
               for d in loaded.export.declarations)


def test_hashes_cover_the_lean_files(proj):
    hashes = dict(library.hash_lean_files(proj))
    assert set(hashes) == {"Fix/Attr.lean", "Fix/Fold.lean"}          # not lakefile.lean
    (proj / "Fix" / "New.lean").write_text("-- new\n")
    assert "Fix/New.lean" in dict(library.hash_lean_files(proj))


def test_fresh_lean_export_is_preferred(proj):
    p = library.export_path(proj)
    p.parent.mkdir(parents=True)
    interchange.write(lean_export_of(proj), p)
    loaded = library.load_export_explained(proj)
    assert loaded.origin == "lean-export" and loaded.export.producer == "lean"
    assert all(d.statement_provenance == "lean" for d in loaded.export.declarations)


def test_stale_default_export_falls_back_to_source(proj):
    p = library.export_path(proj)
    p.parent.mkdir(parents=True)
    interchange.write(lean_export_of(proj), p)
    f = proj / "Fix" / "Fold.lean"
    f.write_text(f.read_text() + "\n-- edited\n")
    loaded = library.load_export_explained(proj)
    assert loaded.origin == "source-reader"
    assert "stale" in loaded.reason and "Fix/Fold.lean" in loaded.reason


@pytest.mark.parametrize("change,label", [("edit", "changed"), ("add", "added"), ("remove", "removed")])
def test_stale_export_file_is_refused_naming_files(proj, tmp_path, change, label):
    out = tmp_path / "laws.sexp"
    interchange.write(lean_export_of(proj), out)
    assert library.load_export(proj, out).producer == "lean"
    if change == "edit":
        (proj / "Fix" / "Fold.lean").write_text("-- gone\n")
        name = "Fix/Fold.lean"
    elif change == "add":
        (proj / "Fix" / "Extra.lean").write_text("-- extra\n")
        name = "Fix/Extra.lean"
    else:
        (proj / "Fix" / "Attr.lean").unlink()
        name = "Fix/Attr.lean"
    with pytest.raises(StaleExportError) as e:
        library.load_export(proj, out)
    msg = str(e.value)
    assert "\n" not in msg and msg.startswith(str(out)) and f"{label}: {name}" in msg


def test_export_without_hashes_is_stale(proj, tmp_path):
    out = tmp_path / "laws.sexp"
    interchange.write(dataclasses.replace(lean_export_of(proj), hashes=()), out)
    with pytest.raises(StaleExportError, match="added: Fix/Attr.lean, Fix/Fold.lean"):
        library.load_export(proj, out)


def test_export_file_is_parsed_again_only_when_its_text_changes(proj, tmp_path):
    out = tmp_path / "laws.sexp"
    exp = lean_export_of(proj)
    interchange.write(exp, out)
    first = library.load_export(proj, out)
    assert library.load_export(proj, out) is first   # unchanged text: the parsed export again
    interchange.write(dataclasses.replace(exp, lean_version="4.21.0"), out)
    again = library.load_export(proj, out)
    assert again is not first and again.lean_version == "4.21.0"
    (proj / "Fix" / "Fold.lean").write_text("-- gone\n")   # freshness is still checked each time
    with pytest.raises(StaleExportError):
        library.load_export(proj, out)


def test_missing_file_and_bad_root(tmp_path, proj):
    with pytest.raises(ArchLawError, match="no such file"):
        library.load_export(proj, tmp_path / "nope.sexp")
    with pytest.raises(ArchLawError, match="not a directory"):
        library.load_export(tmp_path / "nowhere")
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "lakefile.lean").write_text("")
    with pytest.raises(ArchLawError, match="no Lean files"):
        library.load_export(tmp_path / "empty")


def test_default_root_walks_up_from_cwd(proj, monkeypatch):
    sub = proj / "Fix"
    monkeypatch.chdir(sub)
    assert library.default_root() == proj.resolve()
    monkeypatch.chdir(proj.parent)          # no lakefile above tmp: the repo of the package
    assert library.default_root() == REPO


def test_this_repository_reads_from_source():
    """Without Lean here every entry is `source`, read by the source reader; once a user has run
    `archlaw export` with Lean, the fresh Lean export is read and every entry is `lean`."""
    loaded = library.load_export_explained(REPO)
    exp = loaded.export
    assert exp.laws and exp.theorems
    provenance = {d.statement_provenance for d in exp.declarations}
    if loaded.origin == "source-reader":
        assert provenance == {"source"} and exp.producer == "source" and loaded.path is None
    else:
        assert loaded.origin == "lean-export" and provenance == {"lean"}
        assert exp.producer == "lean" and loaded.path == library.export_path(REPO)


def test_source_reads_are_cached_until_a_file_changes(proj):
    a = library.load_export(proj)
    assert library.load_export(proj) is a
    f = proj / "Fix" / "Fold.lean"
    f.write_text(f.read_text().replace("The empty list.", "The empty list!"))
    b = library.load_export(proj)
    assert b is not a and b.hashes != a.hashes
