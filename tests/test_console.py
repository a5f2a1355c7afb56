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
