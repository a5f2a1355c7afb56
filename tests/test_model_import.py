"""`--model mod:fn` imports from the current directory, as `python -m` and pytest do (issue 9,
point 5): a user's `mymodels.py` is found without PYTHONPATH, and a file that is there but does
not import is said to be there."""

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from archlaw.cli.app import main
from lawtools import FIXTURES

ROOT = FIXTURES / "conformance"

MODELS = textwrap.dedent("""
    import torch
    from archlaw.bridge.binding import Binding
    from archlaw.bridge.sorts import Finite


    def build(B: int = 3):
        table = torch.tensor([[int(a + b >= B) for b in range(B)] for a in range(B)])
        carry = lambda a, b: table[a, b]  # noqa: E731
        return Binding(sorts={}, params={"B": B}, symbols={"c": carry, "ConfToy.carry": carry},
                       model_symbols=frozenset({"c"}))
""")


def _env_without_pythonpath() -> dict:
    env = dict(os.environ)
    env.pop("PYTHONPATH", None)
    return env


def test_model_in_the_current_directory_is_found_without_pythonpath(tmp_path):
    """The `archlaw` script, as a user runs it (not `python -m`, which would put the current
    directory on the path itself): before the fix, `cannot import module 'mymodels_fh'`."""
    (tmp_path / "mymodels_fh.py").write_text(MODELS)
    script = Path(sys.executable).parent / "archlaw"
    assert script.is_file(), "the archlaw console script is installed by `make setup`"
    out = subprocess.run([str(script), "check", "CarryLaws",
                          "--root", str(ROOT), "--model", "mymodels_fh:build", "--json"],
                         cwd=tmp_path, env=_env_without_pythonpath(), capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert '"passed": true' in out.stdout


def test_in_process_import_leaves_sys_path_as_it_was(tmp_path, monkeypatch, capsys):
    (tmp_path / "mymodels_fh2.py").write_text(MODELS)
    monkeypatch.chdir(tmp_path)
    before = list(sys.path)
    try:
        assert main(["check", "CarryLaws", "--root", str(ROOT), "--model", "mymodels_fh2:build",
                     "--json"]) == 0
    finally:
        sys.modules.pop("mymodels_fh2", None)
    assert sys.path == before


@pytest.mark.parametrize("body,needle", [
    ("x = (\n", "SyntaxError"),
    ("raise RuntimeError('no GPU here')\n", "RuntimeError: no GPU here"),
    ("import no_such_dependency_fh\n", "No module named 'no_such_dependency_fh'"),
])
def test_a_local_file_that_does_not_import_gets_a_hint(tmp_path, monkeypatch, capsys, body, needle):
    name = "broken_fh_" + str(abs(hash(body)) % 10**6)
    (tmp_path / f"{name}.py").write_text(body)
    monkeypatch.chdir(tmp_path)
    assert main(["check", "CarryLaws", "--root", str(ROOT), "--model", f"{name}:build"]) == 2
    err = " ".join(capsys.readouterr().err.split())
    assert err.startswith("archlaw: error: --model")
    assert needle in err
    assert f"{name}.py is in the current directory but does not import" in err


def test_a_missing_module_says_where_it_looked(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["check", "CarryLaws", "--root", str(ROOT), "--model", "nowhere_fh:build"]) == 2
    err = " ".join(capsys.readouterr().err.split())
    assert "--model 'nowhere_fh:build': cannot import module 'nowhere_fh'" in err
    assert "current directory" in err and "does not import" not in err


def test_a_local_file_shadowed_by_an_imported_module_is_named(tmp_path, monkeypatch, capsys):
    (tmp_path / "json.py").write_text("def build():\n    pass\n")
    monkeypatch.chdir(tmp_path)
    assert main(["check", "CarryLaws", "--root", str(ROOT), "--model", "json:build"]) == 2
    err = " ".join(capsys.readouterr().err.split())
    assert "module json has no attribute 'build'" in err and "json.py in the current " \
        "directory is shadowed" in err

