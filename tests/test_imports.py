"""A user's Lake project that imports ArchLaw (issue 15): imports resolved as Lake resolves them
(the project's sources, then `.lake/packages` in lake-manifest.json order, then the Lean library
installed with the Python package), only imported modules read, the hashes covering them, one
line for a missing module, a cycle or a module two dependencies define; and the Lean library in
the wheel, read by a non-editable install.

The fixture `tests/fixtures/userproj` requires ArchLaw; `user` below puts a copy of this
repository's `lean/` where `lake update` would clone it, `.lake/packages/archlaw`."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import textwrap
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from archlaw.bridge import attestation, interchange, library
from archlaw.bridge.errors import ArchLawError, StaleExportError
from archlaw.bridge.source_reader import header_imports, resolve_imports, search_dirs
from archlaw.cli.app import main
from lawtools import FIXTURES, REPO

USERPROJ = FIXTURES / "userproj"
PKG = ".lake/packages/archlaw"


def _copy_archlaw(dest: Path) -> Path:
    """A copy of this repository's Lean package (lakefile, toolchain, lean/) at `dest`."""
    dest.mkdir(parents=True)
    shutil.copytree(REPO / "lean", dest / "lean")
    for f in ("lakefile.lean", "lean-toolchain"):
        shutil.copy(REPO / f, dest / f)
    return dest


@pytest.fixture()
def bare(tmp_path) -> Path:
    """The user project without `.lake/packages` (ArchLaw comes from the installed library)."""
    root = tmp_path / "userproj"
    shutil.copytree(USERPROJ, root)
    return root


@pytest.fixture()
def user(bare) -> Path:
    """The user project with ArchLaw cloned into `.lake/packages/archlaw`."""
    _copy_archlaw(bare / PKG)
    return bare


def _one_line(err: str) -> str:
    lines = [x for x in err.splitlines() if x.strip()]
    assert len(lines) == 1, err
    return lines[0]


# -- reading, listing, checking ----------------------------------------------------------------

def test_user_theorem_on_archlaw_laws_reads(user):
    """Before: every law failed with `unknown identifier 'ArchLaw.Equivariant'` (the reader read
    the project's own files only)."""
    exp = library.load_export(user)
    thm = exp.find("UserLaws.three_layers")
    assert [p.sort.head for p in thm.hypotheses] == ["ArchLaw.Equivariant"] * 3
    assert thm.conclusion.head == "ArchLaw.Equivariant"
    assert exp.find("UserLaws.SwapInvariant").range.file == "UserLaws/Scan.lean"
    # ArchLaw's laws come from the package, where lake put it
    assert exp.find("ArchLaw.Equivariant").range.file == f"{PKG}/lean/ArchLaw/Equivariance.lean"
    assert exp.find("ArchLaw.FoldlLaws").range.file == f"{PKG}/lean/ArchLaw/Recursion/Folds.lean"


def test_only_imported_modules_are_read(user):
    keys = {k for k, _ in library.hash_lean_files(user)}
    assert {"UserLaws/Network.lean", "UserLaws/Scan.lean",
            f"{PKG}/lean/ArchLaw/Equivariance.lean", f"{PKG}/lean/ArchLaw/Monad.lean",
            f"{PKG}/lean/ArchLaw/Recursion/Machines.lean"} <= keys
    # neither the carry library nor the exporter is imported by anything the project imports
    assert not any("Carry" in k or "ArchLawExport" in k for k in keys), keys
    assert not any(k.startswith("<archlaw>") for k in keys), keys   # the package wins
    # so an unrelated broken file in the dependency does not stop the project
    (user / PKG / "lean" / "ArchLaw" / "Carry" / "Adder.lean").write_bytes(b"\xff broken /-")
    assert library.load_export(user).find("UserLaws.three_layers")


def test_laws_lists_the_user_project(user, capsys):
    assert main(["laws", "--root", str(user), "--json"]) == 0
    names = {d["name"] for d in json.loads(capsys.readouterr().out)["declarations"]}
    assert {"UserLaws.three_layers", "UserLaws.SwapInvariant", "UserLaws.scan_eq_foldl",
            "ArchLaw.Equivariant", "ArchLaw.Equivariant.comp", "ArchLaw.FoldlLaws"} <= names
    assert not any(n.startswith("ArchLaw.Carry") or "adder" in n for n in names)


def test_lint_lean_lints_the_project_reading_its_imports(user, capsys):
    assert main(["lint-lean", "--root", str(user)]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "2 Lean files, 3 tagged declarations read" in out


MODELS = textwrap.dedent("""
    import torch
    from archlaw.models.equivariance.bindings import binding_for
    from archlaw.models.equivariance.modules import DeepSetsLayer, SymmetryBreak, symmetric_group

    def build(broken=0):
        g = symmetric_group(3)
        layers = [DeepSetsLayer(g, 2, 3, torch.Generator().manual_seed(s)) for s in (1, 2, 3)]
        if broken:
            layers[2] = SymmetryBreak(layers[2], 0.1, seed=0)
        return {h: binding_for(m, size=3, name=h) for h, m in zip(("hf", "hk", "hm"), layers)}
""")


@pytest.mark.parametrize("broken,rc", [(0, 0), (1, 1)], ids=["equivariant", "broken"])
def test_check_user_theorem_through_a_binding(user, tmp_path, monkeypatch, capsys, broken, rc):
    """`archlaw check --root` on the user's theorem checks each hypothesis, ArchLaw's law
    `Equivariant`, on its layer; a seeded symmetry break in the last layer is caught."""
    (tmp_path / "usermodels.py").write_text(MODELS)
    monkeypatch.chdir(tmp_path)
    got = main(["check", "three_layers", "--root", str(user), "--model", "usermodels:build",
                "--param", f"broken={broken}", "--samples", "8", "--json"])
    assert got == rc
    rep = json.loads(capsys.readouterr().out)
    assert rep["theorem"] == "UserLaws.three_layers"
    passed = {h["name"]: h["passed"] for h in rep["hypotheses"]}
    assert passed == {"hf": True, "hk": True, "hm": not broken}
    assert rep["certified"] is False       # statements parsed from source: never certified


# -- where modules are searched ---------------------------------------------------------------

def test_search_order_follows_the_manifest(user):
    _copy_archlaw(user / ".lake" / "packages" / "zzz")
    manifest = json.loads((user / "lake-manifest.json").read_text())
    first = dict(manifest["packages"][0], name="zzz")
    manifest["packages"].insert(0, first)
    (user / "lake-manifest.json").write_text(json.dumps(manifest))
    assert [d.origin for d in search_dirs(user)] == \
        ["project", "package zzz", "package archlaw", "installed ArchLaw"]
    # a module that both define is refused, naming both (Lake refuses it too)
    with pytest.raises(ArchLawError) as e:
        resolve_imports(user)
    msg = str(e.value)
    assert "\n" not in msg and msg.startswith("UserLaws/Network.lean:1: import ArchLaw.Equivariance")
    assert "package zzz" in msg and "package archlaw" in msg and "two dependencies" in msg


def test_a_package_left_out_of_the_manifest_is_not_searched(user):
    (user / "lake-manifest.json").write_text(json.dumps({"version": "1.1.0", "packages": []}))
    # ArchLaw is then found where the Python package installed it
    keys = {k for k, _ in library.hash_lean_files(user)}
    assert "<archlaw>/lean/ArchLaw/Equivariance.lean" in keys
    assert not any(k.startswith(".lake") for k in keys)


def test_a_path_package_is_found_at_its_dir(user, tmp_path):
    shutil.move(str(user / PKG), str(tmp_path / "archlaw-checkout"))
    (user / "lake-manifest.json").write_text(json.dumps({"version": "1.1.0", "packages": [
        {"type": "path", "name": "archlaw", "dir": "../archlaw-checkout", "inherited": False,
         "scope": "", "manifestFile": "lake-manifest.json", "configFile": "lakefile.lean"}]}))
    exp = library.load_export(user)
    assert exp.find("ArchLaw.Equivariant").range.file == \
        "../archlaw-checkout/lean/ArchLaw/Equivariance.lean"


def test_header_imports():
    text = ("prelude\n-- a comment\n/- a /- nested -/ block\n-/\nimport A.B\n"
            "import «My Mod».C -- trailing\nimport runtime D\n/-! doc -/\nimport Late\n")
    assert [(i.module, i.parts, i.line) for i in header_imports(text)] == [
        ("A.B", ("A", "B"), 5), ("«My Mod».C", ("My Mod", "C"), 6), ("D", ("D",), 7)]


#: a module name part: an identifier (not a header keyword) or a «quoted» one
_PART = st.one_of(
    st.from_regex(r"[A-Za-z_][A-Za-z0-9_']{0,6}", fullmatch=True).filter(
        lambda p: p not in ("import", "prelude", "runtime")),
    st.from_regex(r"[a-z ]{1,6}", fullmatch=True).map(lambda p: f"«{p}»"))
_GAP = st.sampled_from([" ", "\n", "\n\n", " -- note\n", "\n/- a\n/- b -/ -/\n", "\t"])


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(_PART, min_size=1, max_size=3), max_size=5),
       st.lists(_GAP, min_size=6, max_size=6), st.text(max_size=40))
def test_header_imports_finds_every_import_and_its_line(mods, gaps, tail):
    """Any header of `import`s with comments and blank lines between them gives back the modules
    and lines written, whatever text follows the first command."""
    text, lines = gaps[0], []
    for i, parts in enumerate(mods):
        lines.append(text.count("\n") + 1)
        text += "import " + ".".join(parts) + gaps[(i + 1) % len(gaps)]
    got = header_imports(text + "\ntheorem t : True := trivial\n" + tail)
    assert [i.line for i in got] == lines
    assert [i.parts for i in got] == [tuple(p.strip("«»") for p in parts) for parts in mods]


@given(st.text(max_size=200))
def test_header_imports_never_raises(text):
    header_imports(text)


# -- errors, one line each ---------------------------------------------------------------------

def test_missing_module_is_one_line(user, capsys):
    f = user / "UserLaws" / "Scan.lean"
    f.write_text(f.read_text().replace("import ArchLaw.Recursion",
                                       "import ArchLaw.Recursion\nimport ArchLaw.Nope"))
    assert main(["laws", "--root", str(user)]) == 2
    err = _one_line(capsys.readouterr().err)
    assert "UserLaws/Scan.lean:2: import ArchLaw.Nope" in err
    for place in (f"{user.resolve()} (project)", f"{(user / PKG / 'lean').resolve()} "
                  "(package archlaw)", "(installed ArchLaw)"):
        assert place in err, err


def test_import_cycle_is_one_line(user, capsys):
    (user / "UserLaws" / "A.lean").write_text("import UserLaws.B\n")
    (user / "UserLaws" / "B.lean").write_text("-- B\nimport UserLaws.A\n")
    assert main(["laws", "--root", str(user)]) == 2
    err = _one_line(capsys.readouterr().err)
    assert "import cycle: UserLaws.A -> UserLaws.B -> UserLaws.A" in err
    assert "UserLaws/A.lean:1 imports UserLaws.B" in err and "UserLaws/B.lean:2 imports UserLaws.A" in err


@pytest.mark.parametrize("name", ["«»", "«..».Up", "A.«b/c»"])
def test_an_import_no_file_can_hold_is_one_line(user, capsys, name):
    (user / "UserLaws" / "Odd.lean").write_text(f"import {name}\n")
    assert main(["laws", "--root", str(user)]) == 2
    err = _one_line(capsys.readouterr().err)
    assert f"UserLaws/Odd.lean:1: import {name}: not a module name" in err


def test_bad_manifest_is_one_line(user, capsys):
    (user / "lake-manifest.json").write_text("{not json")
    assert main(["laws", "--root", str(user)]) == 2
    err = _one_line(capsys.readouterr().err)
    assert "lake-manifest.json" in err and "cannot read the Lake manifest" in err


# -- staleness and attestation cover the dependency files --------------------------------------

def test_an_edit_in_a_dependency_makes_an_export_stale(user, tmp_path):
    """Before: only the project's own files were hashed, so the export stayed "fresh"."""
    out = tmp_path / "laws.sexp"
    assert main(["export", "--root", str(user), "--out", str(out), "--source"]) == 0
    assert library.load_export(user, out).find("UserLaws.three_layers")
    dep = user / PKG / "lean" / "ArchLaw" / "Equivariance.lean"
    dep.write_text(dep.read_text() + "\n-- edited\n")
    with pytest.raises(StaleExportError) as e:
        library.load_export(user, out)
    assert f"changed: {PKG}/lean/ArchLaw/Equivariance.lean" in str(e.value)


def test_the_attestation_key_covers_dependency_files(user):
    before = attestation.tree_key(user, library.hash_lean_files(user))
    dep = user / PKG / "lean" / "ArchLaw" / "Monad.lean"
    dep.write_text(dep.read_text() + "\n-- edited\n")
    assert attestation.tree_key(user, library.hash_lean_files(user)) != before


# -- without .lake/packages: the library installed with the Python package ---------------------

def test_reads_without_packages_through_the_installed_library(bare):
    """From a checkout the installed library is the checkout's lean/ (an editable install)."""
    exp = library.load_export(bare)
    assert exp.find("UserLaws.three_layers")
    assert exp.find("ArchLaw.Equivariant").range.file == \
        "<archlaw>/lean/ArchLaw/Equivariance.lean"


def _installed_run(installed, *args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(installed.script), *args], cwd=cwd, capture_output=True, text=True,
                          timeout=300, env={**os.environ, "PYTHONPATH": ""})


def test_the_wheel_ships_the_lean_library(installed):
    """Every file of lean/ArchLaw.lean and lean/ArchLaw/** is in the install, byte for byte (a
    folder missing from pyproject's data-files fails here), and nothing else is."""
    share = installed.python.parents[1] / "share" / "archlaw" / "lean"
    want = {p.relative_to(REPO / "lean").as_posix(): p.read_bytes()
            for p in [REPO / "lean" / "ArchLaw.lean", *(REPO / "lean" / "ArchLaw").rglob("*.lean")]}
    got = {p.relative_to(share).as_posix(): p.read_bytes() for p in share.rglob("*.lean")}
    assert got == want


def test_installed_reads_a_user_project_importing_archlaw(installed, bare):
    r = _installed_run(installed, "laws", "--root", str(bare), "--json", cwd=installed.cwd)
    assert r.returncode == 0, r.stderr
    decls = {d["name"]: d for d in json.loads(r.stdout)["declarations"]}
    assert "UserLaws.three_layers" in decls
    assert decls["ArchLaw.Equivariant"]["range"]["file"] == \
        "<archlaw>/lean/ArchLaw/Equivariance.lean"


def test_installed_laws_without_root_reads_the_installed_library(installed):
    r = _installed_run(installed, "laws", "--json", cwd=installed.cwd)
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    # the same laws as this checkout's lean/, read from <prefix>/share/archlaw
    assert {d["name"] for d in doc["declarations"]} == \
        {d.name for d in library.load_export(REPO).declarations}
    assert f"under {installed.python.parents[1] / 'share' / 'archlaw'}" in doc["reason"]
