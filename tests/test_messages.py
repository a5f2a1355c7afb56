"""A user's first messages (issue 9, point 8): an unknown name gets the closest names, no error
starts with a blank line, a folder that tags nothing says so, counted nouns agree, `--root` says
what it takes, `--json` records wall times, and the README defines every column printed."""

from __future__ import annotations

import io
import json
import re

import pytest
from rich.console import Console

from archlaw.cli.app import main
from archlaw.bridge.words import plural
from lawtools import REPO

MODEL = ["--model", "precision_toys:attention_binding"]


def _one_line_error(err: str) -> str:
    assert err.startswith("archlaw: error:"), repr(err[:80])
    assert err.count("\n") == 1 and err.endswith("\n"), repr(err)
    return err


def test_an_unknown_name_gets_at_most_five_closest_names(capsys):
    """Before: `known: ` and all 49 names of the library on one line."""
    assert main(["check", "FoldLaw", *MODEL]) == 2
    err = _one_line_error(capsys.readouterr().err)
    close = re.search(r"closest: ([^;]*);", err).group(1).split(", ")
    assert close[0] == "ArchLaw.FoldLaws" and 1 <= len(close) <= 5
    assert "known:" not in err and "`archlaw laws` lists all" in err
    assert main(["check", "Zzyzx", *MODEL]) == 2
    err = _one_line_error(capsys.readouterr().err)
    assert "closest" not in err and "no law or theorem named 'Zzyzx'" in err


@pytest.mark.parametrize("argv", [
    ["check", "ArchLaw.FoldLaws", *MODEL],               # raised inside the progress bar
    ["check", "ArchLaw.Equivariant", "--model", "nowhere_fh:build"],
    ["check", "ArchLaw.Equivariant", *MODEL, "--max-length", "0"],
])
def test_no_error_starts_with_a_blank_line(capsys, argv):
    """Before: the progress bar left a blank line on stderr (not a terminal) ahead of the error."""
    assert main(argv) == 2
    _one_line_error(capsys.readouterr().err)


def test_a_passing_check_leaves_stderr_empty_when_piped(capsys):
    assert main(["check", "ArchLaw.Equivariant", *MODEL, "--samples", "5"]) == 0
    assert capsys.readouterr().err == ""


def test_laws_on_a_folder_that_tags_nothing_says_so_and_exits_2(tmp_path, capsys):
    """Before: a table titled `0 laws, 0 theorems`, exit 0."""
    (tmp_path / "lean-toolchain").write_text("leanprover/lean4:v4.20.0\n")
    (tmp_path / "A.lean").write_text("def x : Nat := 1\n")
    for extra in ([], ["--json"]):
        assert main(["laws", "--root", str(tmp_path), *extra]) == 2
        cap = capsys.readouterr()
        err = _one_line_error(cap.err)
        assert str(tmp_path) in err and "no laws or theorems" in err and "1 Lean file is" in err
        assert cap.out == ""


def test_counted_nouns_agree(tmp_path, capsys):
    """Before: `1 laws, 1 theorems`."""
    (tmp_path / "lean-toolchain").write_text("leanprover/lean4:v4.20.0\n")
    (tmp_path / "T.lean").write_text(
        "import ArchLaw.Attr\n\n"
        "/-- `f` is idempotent. -/\n"
        "@[arch_law] structure Idem {A : Type} (f : A → A) : Prop where\n"
        "  /-- twice is once -/\n"
        "  twice : ∀ (x : A), f (f x) = f x\n\n"
        "/-- restated. -/\n"
        "@[arch_theorem] theorem Idem.again {A : Type} {f : A → A} (h : Idem f) :\n"
        "    ∀ (x : A), f (f x) = f x := h.twice\n")
    assert main(["laws", "--root", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "1 law, 1 theorem" in out and "1 laws" not in out
    assert (plural(1, "law"), plural(2, "law"), plural(1, "entry", "entries"),
            plural(3, "entry", "entries"), plural(1000, "case")) == \
        ("1 law", "2 laws", "1 entry", "3 entries", "1,000 cases")


def test_check_root_help_says_a_lake_projects_root(capsys):
    with pytest.raises(SystemExit) as e:
        main(["check", "--help"])
    assert e.value.code == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "--root DIR a Lake project's root" in out and "holding lean/" not in out


def test_json_records_each_checks_wall_time(capsys):
    assert main(["check", "ArchLaw.Equivariant", *MODEL, "--samples", "5", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["fields"] and all(isinstance(f["seconds"], float) and f["seconds"] >= 0
                                 for f in out["fields"])
    assert out["seconds"] == pytest.approx(sum(f["seconds"] for f in out["fields"]))


def test_theorem_json_records_each_hypothesis_wall_time(tmp_path, capsys):
    import conformance_toys as T
    from archlaw.bridge import interchange

    (tmp_path / "proj").mkdir()
    (tmp_path / "proj" / "lean-toolchain").write_text("leanprover/lean4:v4.20.0\n")
    interchange.write(T.export(), tmp_path / "laws.sexp")
    assert main(["check", "adder_correct", "--root", str(tmp_path / "proj"), "--from",
                 str(tmp_path / "laws.sexp"), "--model", "conformance_toys:cell_binding",
                 "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    (hyp,) = out["hypotheses"]
    assert isinstance(hyp["seconds"], float) and hyp["seconds"] > 0
    assert all(isinstance(f["seconds"], float) for f in hyp["fields"])


def _header(text: str) -> list[str]:
    line = next(l for l in text.splitlines() if l.startswith("┃"))
    return [c.strip() for c in line.strip("┃").split("┃")]


def _readme_columns() -> set[str]:
    cols: set[str] = set()
    pages = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]  # the columns' pages
    for line in "\n".join(p.read_text() for p in pages).splitlines():
        m = re.match(r"\| ((?:`[^`]+`(?:, )?)+) \|", line)
        if m:
            cols.update(re.findall(r"`([^`]+)`", m.group(1)))
    return cols


def test_readme_defines_every_column_the_tables_print(capsys):
    """Before: `vacuous`, `bad`, `worst err`, `compare` ... were printed and never defined."""
    from archlaw.cli.check import render_law_report
    from archlaw.bridge.conformance import check_law
    from archlaw.bridge.library import load_export

    import precision_toys as P

    rep = check_law(load_export(REPO).find("ArchLaw.Equivariant"), P.attention_binding(),
                    samples=5)
    buf = io.StringIO()
    render_law_report(rep, console=Console(file=buf, width=200, emoji=False, color_system=None))
    assert main(["laws", "--root", str(REPO)]) == 0
    headers = _header(buf.getvalue()) + _header(capsys.readouterr().out)
    assert "vacuous" in headers and "axioms" in headers
    missing = [h for h in headers if h not in _readme_columns()]
    assert not missing, f"no page (README.md, docs/) defines column {missing}"
