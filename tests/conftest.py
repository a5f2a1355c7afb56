"""Fixtures shared by the test files."""

import shutil
from pathlib import Path

import pytest

from lawtools import FOLD


@pytest.fixture()
def proj(tmp_path) -> Path:
    """A fresh copy of the fixture Lake project `tests/fixtures/fold`, free to edit."""
    root = tmp_path / "proj"
    shutil.copytree(FOLD, root)
    return root
