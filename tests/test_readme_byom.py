"""README's "Bring your own module" runs as shown, in a fresh folder holding the section's files
(`mylayers.py`, `test_mylayers.py`, written from the page's ``python file=`` blocks), with the
virtual environment's commands first on PATH as after ``source .venv/bin/activate``: each
command exits as the page says and prints the verdict the text claims. The same commands run in
`test_docs_commands.py` with every other page's; this test also reads their output."""
from __future__ import annotations

from pathlib import Path

import docpages
import test_docs_commands as runner

README = docpages.ROOT / "README.md"
HEADING = "## Bring your own module"


def _section_lines() -> range:
    lines = README.read_text(encoding="utf-8").split("\n")
    start = lines.index(HEADING) + 1
    end = next(i for i in range(start, len(lines)) if lines[i].startswith("## "))
    return range(start + 1, end + 1)  # 1-based line numbers of the section's body


def test_the_section_shows_the_three_examples():
    span = _section_lines()
    files = {b.info.split("file=")[1].split()[0] for b in docpages.blocks(README)
             if b.line in span and "file=" in b.info}
    assert files == {"mylayers.py", "test_mylayers.py"}
    text = "\n".join(README.read_text(encoding="utf-8").split("\n")[span.start - 1:span.stop])
    for needle in ("nn.Conv1d", 'padding_mode="circular"', "nn.TransformerEncoderLayer",
                   "assert_law(", "--symbol f=mylayers:conv "):
        assert needle in text, needle


def test_every_command_of_the_section_runs_as_shown(tmp_path: Path):
    span = _section_lines()
    cmds = [c for c in docpages.sh_commands(README) if c.line in span]
    assert len(cmds) == 5 and not any(c.shown_only for c in cmds)
    cwd = runner._cwd_for("README.md", tmp_path)
    assert (cwd / "mylayers.py").is_file() and (cwd / "test_mylayers.py").is_file()
    got = runner._run_all([(c.text, c.text, cwd) for c in cmds], tmp_path)
    for c in cmds:
        status, out, err = got[c.text]
        assert status == c.exit, (c.text, status, err[-800:])
    by = {c.text.split("--symbol ")[1].split()[0] if "--symbol" in c.text else c.text.split()[1]:
          got[c.text][1] for c in cmds}
    assert "tensor (N, 12, 3) float, layout NLC" in by["spec"]
    assert "PASS" in by["f=mylayers:conv"] and "counterexample" not in by["f=mylayers:conv"]
    zeros = by["f=mylayers:conv_zeros"]
    assert "FAIL" in zeros and "counterexample" in zeros and "replay" in zeros
    enc = by["f=mylayers:encoder"]
    assert "PASS" in enc and "2400" in enc  # all 120 permutations of 5 positions × 20 inputs
    assert "1 passed" in by["-m"]
