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
registry.register("right-reason", law=T.CELL, expect_pass=False, expect_field="spec",
                  expect_counterexample="a := 4, b := 4, ci := 0",
                  binding=lambda: T.cell_binding(10, wrong="4,4,0"))
registry.register("wrong-reason", law=T.CELL, expect_pass=False,
                  expect_counterexample="a := 5, b := 5",
                  binding=lambda: T.cell_binding(10, wrong="4,4,0"))
'''


@pytest.fixture()
def project(pytester, monkeypatch):
    import pathlib

    monkeypatch.setenv("ARCHLAW_FAMILIES", "")  # only this test's registrations
    toys = str(pathlib.Path(__file__).parent)
    pytester.makeconftest(CONFTEST.format(toys=toys))
    pytester.makepyfile(test_plain="def test_plain():\n    assert True\n")
    registry.entries()  # load the families first, so that restoring brings them back
    with registry.isolated():  # the inner runs `clear()` the one in-process registry
        yield pytester


def test_archlaw_collects_one_item_per_entry(project):
    res = project.runpytest_inprocess("--archlaw", "-p", "no:cacheprovider", "--collect-only", "-q")
    out = res.stdout.str()
    for name in ("Toy.CarryCell[good-cell]", "Toy.CarryCell[bad-cell]", "Toy.FoldLaws[seeded-fold]",
                 "Toy.Cocycle[uncaught]"):
        assert f"archlaw::{name}" in out


def test_archlaw_failures_show_counterexample_and_seed(project):
    res = project.runpytest_inprocess("--archlaw", "-p", "no:cacheprovider")
    res.assert_outcomes(passed=4, failed=3)
    out = res.stdout.str()
    assert "a := 4, b := 4, ci := 0" in out and "seed=3" in out
    assert "seeded violation NOT caught" in out
    assert "FAILED archlaw::Toy.CarryCell[wrong-reason]" in out
    assert "caught for the wrong reason: no counterexample contains 'a := 5, b := 5'" in out
    assert "FAILED archlaw::Toy.CarryCell[bad-cell]" in out
    assert "FAILED archlaw::Toy.Cocycle[uncaught]" in out


def test_without_archlaw_nothing_is_collected(project):
    res = project.runpytest_inprocess("-p", "no:cacheprovider")
    res.assert_outcomes(passed=1)


def test_plugin_is_import_light():
    import subprocess
    import sys

    code = ("import sys; import archlaw.pytest_plugin; "
            "print('torch' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_seeded_violation_expectations_check_the_reason():
    """`expect_field` / `expect_counterexample`: a seeded violation counts as caught only when the
    named field fails with a counterexample containing the given text."""
    import conformance_toys as T
    from archlaw.bridge.errors import ArchLawError

    def outcome(**kw):
        e = registry.ModelEntry("toy", T.CELL, lambda: T.cell_binding(10, wrong="4,4,0"),
                                expect_pass=False, **kw)
        return registry.run_entry(e, T.export())

    assert outcome().as_expected
    assert outcome(expect_field="spec", expect_counterexample="a := 4, b := 4, ci := 0").as_expected
    wrong_field = outcome(expect_field="nope")
    assert not wrong_field.as_expected and "expected field 'nope'" in wrong_field.mismatch
    wrong_cex = outcome(expect_field="spec", expect_counterexample="a := 3")
    assert not wrong_cex.as_expected and "'a := 3'" in wrong_cex.mismatch
    with pytest.raises(ArchLawError, match="expect_pass=False"):
        registry.register("x", law=T.CELL, binding=lambda: None, expect_field="spec")
