"""The shared console keeps source positions intact and does not fold tables when piped."""

from archlaw.bridge.console import PIPE_WIDTH, make_console


def test_source_positions_are_not_turned_into_emoji(capsys, monkeypatch):
    monkeypatch.delenv("COLUMNS", raising=False)
    make_console().print("lean/ArchLaw/Equivariance.lean:100:0")
    out = capsys.readouterr().out
    assert "Equivariance.lean:100:0" in out
    assert "\U0001f4af" not in out


def test_piped_output_is_wide(monkeypatch):
    monkeypatch.delenv("COLUMNS", raising=False)
    assert make_console().width == PIPE_WIDTH


def test_every_console_comes_from_make_console():
    """No module builds its own rich Console (emoji on, 80 columns when piped): the package and
    scripts/ all go through `make_console`."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    files = [*root.glob("archlaw/**/*.py"), *root.glob("scripts/*.py")]
    assert len(files) > 20
    direct = [f"{f.relative_to(root)}:{i}" for f in files if f.name != "console.py"
              for i, line in enumerate(f.read_text().splitlines(), 1)
              if re.search(r"\bConsole\(", line)]
    assert direct == []


def test_a_fixed_width_holds_everywhere(monkeypatch):
    monkeypatch.delenv("COLUMNS", raising=False)
    assert make_console(width=130).width == 130
    assert make_console(stderr=True, width=90).width == 90
