"""`archlaw to-lean` beyond the carry cell (issue 18, deliverable 1): the lookahead combine
(``CombineLaws``, ``LookaheadLaws``, ``EvalLaw`` over ``Gen``: 9 cases, each law by
``decide +kernel``; ``lookahead_correct``, ``scan_correct``, ``scan_assoc`` instantiated), and the
list laws of the recursion family (``FoldlLaws``, ``FoldLaws``, ``MealyLaws``, ``MooreLaws``),
stated for Lean's own runner of the extracted tables and proved by the library's runner lemmas.

Each kind: extracted, written, read back by the source reader, and re-checked by the engine on
the module read back (its symbols and runs interpreted from their Lean bodies). No Lean
toolchain here: nothing below claims Lean checked anything."""

from __future__ import annotations

import json

import pytest
import torch

from archlaw.bridge.binding import ListBatch
from archlaw.bridge.errors import ArchLawError
from archlaw.bridge.library import load_export
from archlaw.bridge.tolean import module_path, read_back, recheck, to_lean
from archlaw.cli.app import main

from lawtools import REPO

COMBINE_EXAMPLE = REPO / "lean/examples/ArchLawExamples/CombineLaws.lean"
SCAN = "ArchLaw.Carry.scan_correct"


@pytest.fixture(scope="module")
def export():
    return load_export()


@pytest.fixture(autouse=True)
def _forget_local_modules():
    import sys

    yield
    sys.modules.pop("faultycomb", None)


def _write(tmp_path, got):
    f = tmp_path / module_path(got.module)
    f.parent.mkdir(parents=True, exist_ok=True)
    f.write_text(got.text)
    return f


# --- the lookahead combine ---------------------------------------------------------------------


def test_combine_laws_by_decide_and_the_lookahead_corollaries(tmp_path, export):
    from archlaw.models.carry.fixtures import combine_table_binding

    b = combine_table_binding()
    got = to_lean(export.find(SCAN), export, b)
    assert got.module == "ArchLawExamples.CombineLaws" and got.tables["combine"].cases == 9
    assert got.checked == {"ArchLaw.Carry.CombineLaws": "exhaustive"}
    assert [c.split(".")[-1] for c in got.corollaries] == [
        "lookahead_correct", "scan_correct", "scan_assoc"]
    text = got.text
    assert "def combine : ArchLaw.Carry.Gen → ArchLaw.Carry.Gen → ArchLaw.Carry.Gen :=" in text
    assert "theorem combine_CombineLaws : ArchLaw.Carry.CombineLaws combine :=\n  ⟨by decide +kernel, by decide +kernel⟩" in text
    assert "theorem combine_EvalLaw : ArchLaw.Carry.EvalLaw combine :=\n  ⟨by decide +kernel⟩" in text
    # the base the laws leave free stays a parameter; the conclusion's binders are kept
    assert "@[arch_theorem] theorem lookahead_correct {B : Nat} :" in text
    assert "(B := B) (combine := combine) (h := combine_EvalLaw)" in text
    assert "∀ (t : ArchLaw.Carry.ScanTree), ∀ (ps : List (Fin B × Fin B)), ∀ (cin : Fin 2), " \
           "ArchLaw.Carry.ScanTree.leaves t = List.map ArchLaw.Carry.pairStatus ps → " in text
    assert "native_decide" not in text and "not compiled here" in text
    # written, read back, re-checked exhaustively on the module read back
    f = _write(tmp_path, got)
    back = read_back(tmp_path, got.module, got.tables)
    assert back.tables == got.tables
    reps = recheck(export.find(SCAN), export, b, back)
    assert [(r.law, r.passed, r.check) for r in reps] == [
        ("ArchLaw.Carry.CombineLaws", True, "exhaustive")]
    assert back.functions["combine"].ran["ArchLaw.Tables.combineOf"] == "body"
    # one entry edited in the file (P ⋆ P = K): named by its case when read back
    src = f.read_text()
    row1 = "def table_combine_1 : List Nat :=\n  [0, 1, 2]"
    assert row1 in src
    f.write_text(src.replace(row1, row1.replace("[0, 1, 2]", "[0, 0, 2]")))
    with pytest.raises(ArchLawError, match=r"combine 1 1 = 0, not 1"):
        read_back(tmp_path, got.module, got.tables)


def test_the_checked_in_combine_example_is_regenerated_byte_for_byte(export):
    from archlaw.models.carry.fixtures import combine_table_binding

    got = to_lean(export.find(SCAN), export, combine_table_binding())
    assert got.text.encode("utf-8") == COMBINE_EXAMPLE.read_bytes()
    side = json.loads(COMBINE_EXAMPLE.with_suffix(".json").read_text())
    assert side["tables"][0]["sha256"] == got.tables["combine"].sha256()
    ci = (REPO / ".github/workflows/ci.yml").read_text()
    assert "lean/examples/ArchLawExamples/CombineLaws.lean" in ci


def test_a_one_wrong_case_combine_is_refused_before_any_lean_is_written(tmp_path, monkeypatch,
                                                                        capsys):
    (tmp_path / "faultycomb.py").write_text(
        "from archlaw.models.carry.bindings import combine_binding\n"
        "from archlaw.models.carry.modules import table_combine\n"
        "def build():\n    return combine_binding(table_combine({(1, 1): 0}))\n")
    monkeypatch.chdir(tmp_path)
    rc = main(["to-lean", SCAN, "--model", "faultycomb:build", "-o", "out", "--root", str(REPO)])
    err = capsys.readouterr().err
    assert rc == 2, err
    # P ⋆ P = K breaks associativity first: (G ⋆ P) ⋆ P = G ⋆ P = G, G ⋆ (P ⋆ P) = G ⋆ K = K
    assert "refused, no Lean written" in err and "CombineLaws.assoc fails" in err
    assert "1 of 27 cases; first: x := G, y := P, z := P" in err
    assert "Traceback" not in err
    assert not (tmp_path / "out").exists()


def test_cli_writes_the_combine_module_lint_clean_with_its_corollaries_listed(tmp_path, capsys):
    out = tmp_path / "gen"
    rc = main(["to-lean", "ArchLaw.Carry.CombineLaws", "--model",
               "archlaw.models.carry.fixtures:combine_table_binding", "-o", str(out),
               "--root", str(REPO)])
    text = capsys.readouterr().out
    assert rc == 0, text
    assert "checked on the model first: ArchLaw.Carry.CombineLaws passed, check exhaustive" in text
    assert "re-checked on it: pass, check exhaustive (45 cases" in text
    assert "genOf: registered only" in text and "combineOf: body" in text
    side = json.loads((out / "ArchLawExamples/CombineLaws.json").read_text())
    assert side["checked_on_model"] == {"ArchLaw.Carry.CombineLaws": "exhaustive"}
    assert main(["lint-lean", "--root", str(out)]) == 0
    capsys.readouterr()
    assert main(["laws", "--root", str(out)]) == 0
    listed = capsys.readouterr().out
    assert "ArchLawExamples.CombineLaws.scan_correct" in listed


# --- list laws: Lean's own runner of the tables -----------------------------------------------


def _lists(n_inputs: int, n: int = 64, max_len: int = 9, seed: int = 0) -> ListBatch:
    g = torch.Generator().manual_seed(seed)
    lengths = torch.randint(0, max_len + 1, (n,), generator=g)
    return ListBatch(torch.randint(0, n_inputs, (n, max_len), generator=g), lengths)


def test_foldl_laws_for_the_runner_of_the_tables(tmp_path, export):
    from archlaw.models.recursion.fixtures import b_fold

    b = b_fold()
    law = export.find("ArchLaw.FoldlLaws")
    got = to_lean(law, export, b)
    assert got.checked == {"ArchLaw.FoldlLaws": "sampled"} and got.runs == ("run",)
    assert set(got.tables) == {"cell", "init"} and got.tables["init"].domain == ()
    t = got.text
    assert "def cell : Fin 3 → Fin 2 → Fin 3 :=\n  ArchLaw.Tables.tab2 ⟨0, by decide⟩ table_cell" in t
    assert f"def init : Fin 3 :=\n  ArchLaw.Tables.finOf ⟨0, by decide⟩ {got.tables['init'].entries[0][0]}" in t
    assert "def run : List (Fin 2) → Fin 3 :=\n  List.foldl cell init" in t
    assert "theorem run_FoldlLaws : ArchLaw.FoldlLaws cell init run :=\n  ArchLaw.Tables.foldl_laws cell init" in t
    assert "(A := Fin 2) (H := Fin 3)" in t and "decide +kernel" not in t
    _write(tmp_path, got)
    back = read_back(tmp_path, got.module, got.tables, got.runs)
    reps = recheck(law, export, b, back)
    assert reps[0].passed and reps[0].check == "sampled"
    # Lean's runner of the tables, interpreted from its body, is the network's run
    xs = _lists(2)
    assert torch.equal(back.functions["run"](xs), b.symbols["run"](xs))
    # a wrong initial state in the file is caught when read back
    f = tmp_path / module_path(got.module)
    v = got.tables["init"].entries[0][0]
    f.write_text(t.replace(f"finOf ⟨0, by decide⟩ {v}", f"finOf ⟨0, by decide⟩ {(v + 1) % 3}"))
    with pytest.raises(ArchLawError, match="the generated init, run from its Lean body, is"):
        read_back(tmp_path, got.module, got.tables, got.runs)


def test_foldr_laws_for_the_runner_of_the_tables(tmp_path, export):
    from archlaw.models.recursion.fixtures import b_fold_rtl

    b = b_fold_rtl()
    law = export.find("ArchLaw.FoldLaws")
    got = to_lean(law, export, b)
    assert "def cell : Fin 2 → Fin 3 → Fin 3" in got.text
    assert "ArchLaw.Tables.foldr_laws cell init" in got.text
    _write(tmp_path, got)
    back = read_back(tmp_path, got.module, got.tables, got.runs)
    assert recheck(law, export, b, back)[0].passed


@pytest.mark.parametrize("law_name, fixture, lemma, corollaries", [
    ("ArchLaw.MealyLaws", "b_mealy", "ArchLaw.Tables.mealy_laws nextState output",
     ["restart", "causal"]),
    ("ArchLaw.MooreLaws", "b_moore", "ArchLaw.Tables.moore_laws nextState output", ["restart"]),
])
def test_machine_laws_for_the_runner_of_the_tables(tmp_path, export, law_name, fixture, lemma,
                                                   corollaries):
    import archlaw.models.recursion.fixtures as fx

    b = getattr(fx, fixture)()
    law = export.find(law_name)
    got = to_lean(law, export, b)
    assert lemma in got.text and set(got.tables) == {"nextState", "output"}
    assert [c.split(".")[-1] for c in got.corollaries] == corollaries
    _write(tmp_path, got)
    back = read_back(tmp_path, got.module, got.tables, got.runs)
    rep = recheck(law, export, b, back)[0]
    assert rep.passed and rep.check == "sampled"
    # the registered runner of the tables gives the network's runs on sampled lists
    xs = _lists(2, seed=1)
    s = torch.randint(0, 3, (64,), generator=torch.Generator().manual_seed(2))
    assert torch.equal(back.functions["state"](s, xs), b.symbols["state"](s, xs))
    want, have = b.symbols["out"](s, xs), back.functions["out"](s, xs)
    assert torch.equal(want.lengths, have.lengths)
    for i in range(64):
        n = int(want.lengths[i])
        assert torch.equal(want.values[i, :n], have.values[i, :n])


@pytest.mark.slow
def test_the_checked_in_mealy_example_is_regenerated_byte_for_byte(export):
    """The ``rec-mealy-finite`` fixture (seed 0, trained here on one thread) gives the checked-in
    module byte for byte."""
    from archlaw.models.recursion.fixtures import b_mealy

    example = REPO / "lean/examples/ArchLawExamples/MealyLaws.lean"
    got = to_lean(export.find("ArchLaw.MealyLaws"), export, b_mealy())
    assert got.text.encode("utf-8") == example.read_bytes()
    side = json.loads(example.with_suffix(".json").read_text())
    assert side["checked_on_model"] == {"ArchLaw.MealyLaws": "sampled"}
    assert {t["symbol"]: t["sha256"] for t in side["tables"]} == {
        s: t.sha256() for s, t in got.tables.items()}


def test_a_machine_whose_run_breaks_the_law_is_refused_before_any_lean_is_written(export):
    """The network's own run is checked first: a runner that flips inputs from position
    `MAX_LEN` on (seeded) fails MealyLaws on the sampled lists, and nothing is rendered."""
    from archlaw.models.recursion.fixtures import b_mealy_positional

    with pytest.raises(ArchLawError, match="refused, no Lean written: ArchLaw.MealyLaws") as e:
        to_lean(export.find("ArchLaw.MealyLaws"), export, b_mealy_positional())
    assert "\n" not in str(e.value)


def test_a_float_state_fold_is_refused_in_one_line_before_anything_runs(export):
    from archlaw.models.recursion.fixtures import b_fold_gru

    with pytest.raises(ArchLawError, match="finite arguments with a finite result") as e:
        to_lean(export.find("ArchLaw.FoldlLaws"), export, b_fold_gru())
    assert "\n" not in str(e.value)


def test_the_library_states_the_runner_lemmas_once_for_every_cell():
    tables = (REPO / "lean/ArchLaw/Tables.lean").read_text()
    for name in ("theorem foldl_laws", "theorem foldr_laws", "theorem mealy_laws",
                 "theorem moore_laws", "instance genForallDec", "instance fin2ForallDec",
                 "def combineOf", "def mealyOut", "def mooreOut"):
        assert name in tables, name
    assert "by native_decide" not in tables and "decreasing_by" not in tables
    assert "termination_by" not in tables
    assert "ArchLaw.Tables" not in (REPO / "lean/ArchLaw.lean").read_text()
