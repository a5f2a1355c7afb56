"""`archlaw demo`: the tour runs end to end (registry step skipped: `pytest --archlaw` covers it)
and labels what it shows; bad arguments get one line."""

import subprocess
import sys

from archlaw.cli import main


def test_demo_runs_and_labels_what_it_shows(tmp_path, monkeypatch, capsys):
    from archlaw.bridge.library import load_export

    prov = load_export().producer  # `source` here; `lean` where a fresh Lean export exists
    monkeypatch.setenv("ARCHLAW_CACHE", str(tmp_path))
    # 5,000 digits: past Python's 4,300-digit int/str limit, which the demo must not trip on.
    assert main(["demo", "--skip-registry", "--digits", "5000"]) == 0
    out = capsys.readouterr().out
    assert "5000-digit + 5000-digit addition by the hard-decoded adder: exact" in out
    assert f"ArchLaw.Carry.CarryCell: pass — statement {prov}, check exhaustive (200 cases)" in out
    assert ("Certified: nothing" in out) == (prov == "source")
    # the carry section's title says what was shown: without Lean, stated, not proved here
    proved = "3. The carry: a learned adder held to a law proved in Lean" in out
    stated = "3. The carry: a learned adder held to a law stated in Lean, not proved here" in out
    assert (proved, stated) == ((True, False) if prov == "lean" else (False, True))
    # the steps read 1, 2, 3: step 2 says it was skipped (before: "1." then "3.", no word on 2)
    steps = [line.strip("─ ") for line in out.splitlines() if line.strip("─ ")[:2] in
             ("1.", "2.", "3.")]
    assert [t[:2] for t in steps] == ["1.", "2.", "3."], steps
    assert steps[1].startswith("2. Every registered model: skipped (--skip-registry")


def test_demo_bad_digits_is_one_line():
    r = subprocess.run([sys.executable, "-m", "archlaw", "demo", "--digits", "0"],
                       capture_output=True, text=True)
    assert r.returncode == 2
    assert "Traceback" not in r.stderr
    assert r.stderr.strip().count("\n") == 0 and "--digits" in r.stderr
