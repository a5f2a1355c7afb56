"""Laws read from Lean source (a fixture Lake project under tests/fixtures/conformance, read by the
source reader) checked end to end: API and CLI, with a library def interpreted by a decorator."""

from __future__ import annotations

from pathlib import Path

import pytest

import conformance_toys as T
from archlaw.bridge.binding import Binding
from archlaw.cli import main
from archlaw.bridge.conformance import check_law
from archlaw.bridge.interpret import interpretation
from archlaw.bridge.library import load_export

ROOT = Path(__file__).parent / "fixtures" / "conformance"


@interpretation("ConfToy.carry", arity=2)
def _carry(ctx, a, b):
    """`ConfToy.carry a b = if a.val + b.val ≥ B then 1 else 0` (B from the argument's sort)."""
    return (a + b >= ctx.arg_enc(0).n).long()


@pytest.fixture(scope="module")
def export():
    return load_export(root=ROOT)


def test_fixture_laws_are_read_from_source(export):
    law = export.find("CarryLaws")
    assert law.statement_provenance == "source" and [f.name for f in law.fields] == ["spec", "cocycle"]


def test_carry_laws_pass_and_a_one_case_fault_is_caught(export):
    law = export.find("CarryLaws")
    rep = check_law(law, T.cocycle_binding(7))
    assert rep.passed and rep.check == "exhaustive"
    assert [f.cases for f in rep.fields] == [49, 343]
    bad = check_law(law, T.cocycle_binding(7, wrong=(2, 6)))
    spec, coc = bad.fields
    assert spec.violations == 1 and dict(spec.counterexample.values) == {"a": "2", "b": "6"}
    assert not coc.passed


def test_snoc_law_from_source_catches_a_fold_wrong_beyond_L(export):
    law = export.find("SnocLaws")
    assert check_law(law, T.fold_binding(left=True, train_length=6), samples=100).passed
    rep = check_law(law, T.fold_binding(left=True, wrong_beyond=6, train_length=6), samples=100)
    assert not rep.fields[1].passed
    assert dict(rep.fields[1].counterexample.values)["as"].count("tensor") == 6


def test_cli_with_root(capsys):
    rc = main(["check", "CarryLaws", "--root", str(ROOT), "--model",
               "conformance_toys:cocycle_binding", "--param", "base=5", "--json"])
    out = capsys.readouterr().out
    assert rc == 0 and '"check": "exhaustive"' in out and '"statement": "source"' in out


def test_undecoded_or_out_of_range_fin_values_are_refused(export):
    from archlaw.bridge.errors import ArchLawError

    law = export.find("CarryLaws")
    floats = Binding({}, {"B": 4}, {"c": lambda a, b: (a + b >= 4).float()}, frozenset({"c"}))
    with pytest.raises(ArchLawError, match=r"returned torch.float32 values for the sort Fin 2"):
        check_law(law, floats)
    # a carry of 2 would wrap to 0 under Fin 2 addition: refused, never silently wrapped
    wide = Binding({}, {"B": 4}, {"c": lambda a, b: (a + b >= 4).long() * 2}, frozenset({"c"}))
    with pytest.raises(ArchLawError, match="returned 2, outside Fin 2"):
        check_law(law, wide, fields=("cocycle",))
