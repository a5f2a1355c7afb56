"""`pytest --archlaw`: one item per registered (law, model), failures print the counterexample
and the replay seed, seeded violations registered with expect_pass=False pass only when caught,
and without --archlaw nothing is collected and torch is not imported by the plugin."""

from __future__ import annotations

import pytest
import torch  # noqa: F401  (imported once here: in-process pytester runs cannot re-import torch)

import conformance_toys  # noqa: F401
from archlaw.models import registry  # noqa: F401  (one registry module for inner and outer runs)

pytest_plugins = ("pytester",)

CONFTEST = '''
import sys
sys.path.insert(0, {toys!r})
import conformance_toys as T
from archlaw.models import registry

registry.clear()
registry.register("good-cell", law=T.CELL, binding=lambda: T.cell_binding(10))
registry.register("bad-cell", law=T.CELL, binding=lambda: T.cell_binding(10, wrong="4,4,0"),
                  check={{"seed": 3}})
registry.register("seeded-fold", law=T.FOLDR, expect_pass=False,
                  binding=lambda: T.fold_binding(wrong_beyond=4, train_length=4),
                  check={{"samples": 50}})
registry.register("uncaught", law=T.COCYCLE, expect_pass=False, binding=lambda: T.cocycle_binding(10))
'''


@pytest.fixture()
def project(pytester, monkeypatch):
    import pathlib

    monkeypatch.setenv("ARCHLAW_FAMILIES", "")  # only this test's registrations
    toys = str(pathlib.Path(__file__).parent)
    pytester.makeconftest(CONFTEST.format(toys=toys))
    pytester.makepyfile(test_plain="def test_plain():\n    assert True\n")
    return pytester


def test_archlaw_collects_one_item_per_entry(project):
    res = project.runpytest_inprocess("--archlaw", "-p", "no:cacheprovider", "--collect-only", "-q")
    out = res.stdout.str()
    for name in ("Toy.CarryCell[good-cell]", "Toy.CarryCell[bad-cell]", "Toy.FoldLaws[seeded-fold]",
                 "Toy.Cocycle[uncaught]"):
        assert f"archlaw::{name}" in out


def test_archlaw_failures_show_counterexample_and_seed(project):
    res = project.runpytest_inprocess("--archlaw", "-p", "no:cacheprovider")
    res.assert_outcomes(passed=3, failed=2)
    out = res.stdout.str()
    assert "a := 4, b := 4, ci := 0" in out and "seed=3" in out
    assert "seeded violation NOT caught" in out
    assert "FAILED archlaw::Toy.CarryCell[bad-cell]" in out
    assert "FAILED archlaw::Toy.Cocycle[uncaught]" in out


def test_without_archlaw_nothing_is_collected(project):
    res = project.runpytest_inprocess("-p", "no:cacheprovider")
    res.assert_outcomes(passed=1)


def test_plugin_is_import_light():
    import subprocess
    import sys

    code = ("import sys; import archlaw.bridge.pytest_plugin; "
            "print('torch' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
