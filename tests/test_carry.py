"""The carry: learned cell and combine held to their laws, scans, faults, and `archlaw add`.

One base-10 cell and its combine are trained once for the module (seeded, one CPU thread, about
15 s) into a temporary cache; `archlaw add` reads them from there.
"""

from __future__ import annotations

import os
import random
import sys

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from archlaw.bridge import cli
from archlaw.bridge.conformance import check_law, check_theorem
from archlaw.bridge.library import load_export
from archlaw.models.carry import (
    COMBINE_TABLE, CellConfig, LookaheadAdder, MealyAdder, cell_table_errors, cocycle_errors,
    hillis_steele_scan, sequential_scan, table_cell, table_combine, train_cell,
)
from archlaw.models.carry_data import int_of_digits, reference_add
from archlaw.models.carry_laws import (
    carry_binding, carry_decl, cell_binding, combine_binding,
)
from archlaw.models.carry_store import load_or_train


@pytest.fixture(scope="module")
def export():
    return load_export()


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """(cache root, CachedAdder): the default base-10 cell + combine, trained once."""
    root = tmp_path_factory.mktemp("archlaw_cache")
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        cached = load_or_train(CellConfig(), device="cpu", root=root)
    finally:
        torch.set_num_threads(threads)
    return root, cached


# --- the cache: saved the project's one way, refused when it no longer matches ---------------


def test_cache_entry_is_saved_with_the_laws_spec_and_refused_when_stale(trained, tmp_path):
    import json
    import shutil

    from archlaw.models import carry_store
    from archlaw.models.saved import read_meta

    _, cached = trained
    cell_meta = read_meta(cached.path / "cell")
    assert cell_meta.spec.laws == ("ArchLaw.Carry.CarryCell",)
    assert cell_meta.spec.params == {"B": 10}
    assert read_meta(cached.path / "combine").spec.laws == ("ArchLaw.Carry.CombineLaws",)
    assert cell_meta.extra == cached.meta
    cfg, laws = CellConfig(), carry_store._laws()
    entry = tmp_path / "entry"
    shutil.copytree(cached.path, entry)
    assert carry_store._load(entry, cfg, torch.device("cpu"), laws) is not None
    # a signature the laws no longer give: a miss (retrained), not trusted
    m = json.loads((entry / "cell.json").read_text())
    m["spec"]["signatures"]["ArchLaw.Carry.CarryCell.cell"] = "Fin 10 → Fin 2"
    (entry / "cell.json").write_text(json.dumps(m))
    assert carry_store._load(entry, cfg, torch.device("cpu"), laws) is None
    # weights that do not match their recorded hash: a miss
    shutil.rmtree(entry)
    shutil.copytree(cached.path, entry)
    from safetensors.torch import load_file, save_file

    sd = load_file(str(entry / "combine.safetensors"))
    key = sorted(sd)[0]
    sd[key] = sd[key] + 1
    save_file(sd, str(entry / "combine.safetensors"))
    assert carry_store._load(entry, cfg, torch.device("cpu"), laws) is None
    # another configuration: a miss
    shutil.rmtree(entry)
    shutil.copytree(cached.path, entry)
    assert carry_store._load(entry, CellConfig(hidden=cfg.hidden + 1), torch.device("cpu"),
                             laws) is None


# --- the cell check -----------------------------------------------------------------------------


def test_trained_cell_passes_carrycell_exhaustively(trained, export):
    _, cached = trained
    rep = check_law(carry_decl("cell", export), cell_binding(cached.cell))
    assert rep.passed, rep.summary()
    assert rep.check == "exhaustive"
    assert rep.cases == 2 * 10 * 10
    assert rep.statement == "source"  # no Lean toolchain here: never "lean"


@pytest.mark.parametrize("base", [2, 16])
def test_other_bases_train_to_an_exact_cell(base):
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        cfg = CellConfig(base=2, hidden=32, steps=300) if base == 2 else CellConfig(base=base, steps=500)
        cell, rep = train_cell(cfg, device="cpu")
    finally:
        torch.set_num_threads(threads)
    assert cell_table_errors(cell) == []
    rep = check_law(carry_decl("cell"), cell_binding(cell))
    assert rep.passed and rep.cases == 2 * base * base, rep.summary()


# --- the cocycle check --------------------------------------------------------------------------


def test_learned_carry_passes_the_cocycle_law_exhaustively(trained, export):
    _, cached = trained
    rep = check_law(carry_decl("cocycle", export), carry_binding(cached.cell))
    assert rep.passed, rep.summary()
    assert rep.check == "exhaustive" and rep.cases == 10 ** 3


def test_wrong_carry_breaks_the_cocycle_with_the_first_failing_triple(export):
    cell = table_cell(10, faults={(7, 5, 0): (2, 0)})  # carry of 7 + 5 dropped
    rep = check_law(carry_decl("cocycle", export), carry_binding(cell))
    assert not rep.passed
    expected = cocycle_errors(cell.carry0, 10)
    assert rep.fields[0].violations == len(expected)
    values = dict(rep.fields[0].counterexample.values)
    first = expected[0]  # lexicographic (a, b, d): the engine's enumeration order
    assert [values[k] for k in ("a", "b", "d")] == [str(v) for v in first]


# --- seeded one-case faults ---------------------------------------------------------------------


@pytest.mark.parametrize("case,wrong", [((3, 4, 1), (9, 0)), ((9, 9, 1), (9, 0)), ((0, 0, 0), (0, 1))])
def test_one_wrong_case_of_the_cell_is_caught_with_that_counterexample(export, case, wrong):
    cell = table_cell(10, faults={case: wrong})
    assert cell_table_errors(cell) == [case]
    rep = check_law(carry_decl("cell", export), cell_binding(cell))
    assert not rep.passed
    f = rep.failures()[0]
    assert f.violations == 1 and f.check == "exhaustive"
    values = dict(f.counterexample.values)
    assert [values[k] for k in ("a", "b", "c")] == [str(v) for v in case]


def test_exact_table_cell_passes(export):
    rep = check_law(carry_decl("cell", export), cell_binding(table_cell(10)))
    assert rep.passed and rep.check == "exhaustive"


# --- the adder theorem: provenance on both axes -------------------------------------------------


def test_adder_theorem_is_not_certified_from_source(trained, export):
    _, cached = trained
    thm = carry_decl("adder_theorem", export)
    rep = check_theorem(thm, export, {"CarryCell": cell_binding(cached.cell)})
    assert rep.passed and rep.check == "exhaustive"
    assert not rep.certified
    assert "statement source" in rep.verdict() and "not certified" in rep.verdict()


# --- the lookahead combine and the scan ---------------------------------------------------------


def test_learned_combine_passes_its_laws(trained, export):
    _, cached = trained
    rep = check_law(carry_decl("combine", export), combine_binding(cached.combine))
    assert rep.passed, rep.summary()
    assert rep.check == "exhaustive"
    sizes = {f.field: f.cases for f in rep.fields}
    assert sorted(sizes.values()) == [18, 27]


def test_one_wrong_combine_entry_is_caught(export):
    rep = check_law(carry_decl("combine", export), combine_binding(table_combine({(1, 1): 0})))
    assert not rep.passed


def _table(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    return torch.tensor(COMBINE_TABLE)[x, y]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.integers(0, 2), min_size=1, max_size=70), min_size=1, max_size=4)
       .filter(lambda rows: len({len(r) for r in rows}) == 1))
def test_scan_agrees_with_the_sequential_chain(rows):
    xs = torch.tensor(rows)
    assert torch.equal(hillis_steele_scan(xs, _table), sequential_scan(xs, _table))


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 10 ** 60), st.integers(0, 10 ** 60), st.integers(0, 1))
def test_log_depth_and_sequential_adders_agree_with_ints(trained, x, y, cin):
    _, cached = trained
    from archlaw.models.carry_data import digits_of_int

    n = max(len(str(x)), len(str(y)))
    xs = torch.tensor([digits_of_int(x, 10, n)])
    ys = torch.tensor([digits_of_int(y, 10, n)])
    ci = torch.tensor([cin])
    seq = MealyAdder(cached.cell).run(xs, ys, ci)
    la = LookaheadAdder(cached.cell, cached.combine).run(xs, ys, ci)
    assert torch.equal(seq, la)
    assert int_of_digits(seq[0], 10) == x + y + cin
    # the scan's carries are the sequential chain's carries
    assert torch.equal(seq, reference_add(xs, ys, 10, ci))


# --- archlaw add --------------------------------------------------------------------------------


@pytest.mark.parametrize("argv,needle", [
    (["12x", "3"], "argument X: 'x' at position 3 is not a base-10 digit; accepted digits: 0123456789"),
    (["1", "-5"], "argument Y: '-' at position 1"),
    (["12", "1", "--base", "1"], "argument --base: '1' is not accepted; expected an integer from 2 to 36"),
    (["12", "1", "--base", "ten"], "argument --base"),
    (["102", "1", "--base", "2"], "not a base-2 digit; accepted digits: 01"),
    (["fg", "1", "--base", "16"], "accepted digits: 0123456789abcdef"),
    (["", "1"], "argument X: empty number"),
    (["1", "2", "--device", "cdu"], "argument --device: 'cdu' is not accepted; expected auto, cpu, cuda"),
])
def test_bad_input_is_a_one_line_error(capsys, argv, needle):
    assert cli.main(["add", *argv]) == 2
    err = capsys.readouterr().err
    assert needle in " ".join(err.split())
    assert "Traceback" not in err


def test_add_is_exact_on_10000_digit_operands(trained, monkeypatch, capsys):
    root, _ = trained
    monkeypatch.setenv("ARCHLAW_CACHE", str(root))
    old = sys.get_int_max_str_digits() if hasattr(sys, "get_int_max_str_digits") else None
    if old is not None:
        sys.set_int_max_str_digits(0)
    rng = random.Random(4300)
    for digits in (10_000,):
        x = rng.randrange(10 ** (digits - 1), 10 ** digits)
        y = rng.randrange(10 ** (digits - 1), 10 ** digits)
        for adder in ("sequential", "log-depth"):
            assert cli.main(["add", str(x), str(y), "--adder", adder]) == 0
            out, err = capsys.readouterr()
            assert out.strip() == str(x + y)
            assert "statement source" in err and "check exhaustive" in err
            assert "certified" not in err.replace("not certified", "")
    # the carry through every digit
    assert cli.main(["add", "9" * 10_000, "1"]) == 0
    assert capsys.readouterr().out.strip() == "1" + "0" * 10_000
    assert os.environ["ARCHLAW_CACHE"] == str(root)
    if old is not None:
        sys.set_int_max_str_digits(old)


def test_a_certificate_needs_a_lean_statement(export, tmp_path):
    """Same model, same exhaustive checks: `source` gives no certificate; the theorem marked as a
    kernel-checked (`lean`) export with standard axioms gives one, and it verifies."""
    import dataclasses

    from archlaw.bridge.certificate import make_certificate, verify_certificate
    from archlaw.bridge.errors import ArchLawError
    from archlaw.bridge.ir import Export
    from archlaw.models.carry_laws import adder_report

    cell = table_cell(10)
    rep = adder_report(cell, export=export)
    assert rep.passed and not rep.certified and rep.conformance is not None
    with pytest.raises(ArchLawError, match="not certified"):
        make_certificate(rep.conformance, rep.binding)

    thm = carry_decl("adder_theorem", export)
    as_lean = dataclasses.replace(thm, statement_provenance="lean", axioms=("propext",))
    lean_export = Export("lean", "4.20.0", export.hashes,
                         tuple(as_lean if d is thm else d for d in export.declarations))
    rep = adder_report(cell, export=lean_export)
    assert rep.certified and rep.verdict == "certified"
    cert = make_certificate(rep.conformance, rep.binding)
    sx, js = cert.write(tmp_path / "adder")
    assert sx.exists() and js.exists()
    assert verify_certificate(cert, lean_export, cell_binding(table_cell(10))).ok
    # one wrong case in the cell: the re-check refuses the certificate
    bad = verify_certificate(cert, lean_export, cell_binding(table_cell(10, {(0, 0, 0): (1, 0)})))
    assert not bad.ok
