"""Fixtures shared by the test files."""

import functools
import shutil
import subprocess
import sys
import sysconfig
from dataclasses import dataclass
from pathlib import Path

import pytest

from lawtools import FOLD


@pytest.fixture()
def proj(tmp_path) -> Path:
    """A fresh copy of the fixture Lake project `tests/fixtures/fold`, free to edit."""
    root = tmp_path / "proj"
    shutil.copytree(FOLD, root)
    return root


@dataclass(frozen=True)
class Installed:
    """A fresh virtual environment holding a non-editable install of ArchLaw (a built wheel).
    Its other packages (torch, ...) come from the test run's environment through a ``.pth`` line,
    so nothing is downloaded and no other torch is pulled."""

    python: Path
    script: Path
    site: Path
    cwd: Path


@pytest.fixture(scope="session")
def installed(tmp_path_factory) -> Installed:
    """One non-editable install per test run, shared by every test that needs one."""
    repo = Path(__file__).resolve().parents[1]
    base = tmp_path_factory.mktemp("installed")
    run = functools.partial(subprocess.run, check=True, capture_output=True, text=True, timeout=600)
    run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index",
         "-w", str(base / "dist"), str(repo)], cwd=base)
    venv = base / "venv"
    run([sys.executable, "-m", "venv", "--without-pip", str(venv)])
    python = venv / "bin" / "python"
    site = Path(run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"]
                    ).stdout.strip())
    (site / "_outer_env.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    wheel = next((base / "dist").glob("archlaw-*.whl"))
    # pip --python installs into the fresh venv (its scripts run the fresh venv's python)
    run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "--no-index",
         str(wheel)])
    cwd = base / "elsewhere"
    cwd.mkdir()
    return Installed(python, venv / "bin" / "archlaw", site, cwd)
