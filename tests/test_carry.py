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

from archlaw import cli
from archlaw.bridge.conformance import check_law, check_theorem
from archlaw.bridge.library import load_export
from archlaw.models.carry.modules import (
    COMBINE_TABLE, LookaheadAdder, MealyAdder, hillis_steele_scan, sequential_scan, table_cell, table_combine,
)
from archlaw.models.carry.train import CellConfig, cell_table_errors, cocycle_errors, train_cell
from archlaw.models.carry.data import int_of_digits, reference_add
from archlaw.models.carry.bindings import carry_binding, carry_decl, cell_binding, combine_binding
from archlaw.models.carry.fixtures import tiny_b2
from archlaw.models.carry.store import load_or_train
from archlaw.models.registry import one_thread
from lawtools import fake_carry_cache


@pytest.fixture(scope="module")
def export():
    return load_export()


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """(cache root, CachedAdder): the default base-10 cell + combine, trained once."""
    root = tmp_path_factory.mktemp("archlaw_cache")
    with one_thread():
        cached = load_or_train(CellConfig(), device="cpu", root=root)
    return root, cached


# --- the cache: saved the project's one way, refused when it no longer matches ---------------


def test_cache_entry_is_saved_with_the_laws_spec_and_refused_when_stale(trained, tmp_path):
    import json
    import shutil

    from archlaw.models.carry import store as carry_store
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
    (cell,) = [s for s in m["spec"]["laws"][0]["symbols"] if s["name"] == "cell"]
    cell["sort"] = "Fin B → Fin 2"
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
    # the label is the law's, as read: `source` from the source reader, `lean` from a Lean export
    assert rep.statement == export.producer == carry_decl("cell", export).statement_provenance


@pytest.mark.parametrize("base", [2, 16, 36])
def test_other_bases_train_to_an_exact_cell(base):
    """Bases 2 and 16 with small budgets; base 36, the largest `archlaw add` accepts, with the
    configuration `archlaw add` trains (`CellConfig.for_base`)."""
    if base == 2:  # the registry's trained fixture (trained once per process, one thread)
        cell, rep = tiny_b2()
    else:
        cfg = {16: CellConfig(base=16, steps=500), 36: CellConfig.for_base(36)}[base]
        with one_thread():
            cell, rep = train_cell(cfg, device="cpu", max_tries=1)
    assert rep.seeds_tried == (0,)  # exact on the first seed, as max_tries=1 demanded
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


def _as_source(export):
    """`export` with every declaration's statement marked `source` (what the source reader gives,
    whether or not this user has run `archlaw export` with Lean)."""
    import dataclasses

    from archlaw.bridge.ir import Export

    return Export("source", None, export.hashes, tuple(
        dataclasses.replace(d, statement_provenance="source") for d in export.declarations))


def test_adder_theorem_is_not_certified_from_source(trained, export):
    _, cached = trained
    export = _as_source(export)
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
    from archlaw.models.carry.data import digits_of_int

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
        producer = load_export().producer
        for adder in ("sequential", "log-depth"):
            assert cli.main(["add", str(x), str(y), "--adder", adder]) == 0
            out, err = capsys.readouterr()
            assert out.strip() == str(x + y)
            assert f"statement {producer}" in err and "check exhaustive" in err
            if producer == "source":  # never certified from source
                assert "certified" not in err.replace("not certified", "")
    # the carry through every digit
    assert cli.main(["add", "9" * 10_000, "1"]) == 0
    assert capsys.readouterr().out.strip() == "1" + "0" * 10_000
    assert os.environ["ARCHLAW_CACHE"] == str(root)
    if old is not None:
        sys.set_int_max_str_digits(old)


def _as_lean(export, laws: bool = True):
    """`export` with the adder theorem marked kernel-checked (`lean`, standard axioms) and, when
    `laws`, every law too; otherwise every law marked `source`."""
    import dataclasses

    from archlaw.bridge.ir import ATTESTED_IN_MEMORY, Export, Law

    thm_name = carry_decl("adder_theorem", export).name

    def mark(d):
        if d.name == thm_name:
            return dataclasses.replace(d, statement_provenance="lean", axioms=("propext",))
        if isinstance(d, Law):
            return (dataclasses.replace(d, statement_provenance="lean", axioms=("propext",)) if laws
                    else dataclasses.replace(d, statement_provenance="source"))
        return d

    return Export("lean", "4.20.0", export.hashes, tuple(mark(d) for d in export.declarations),
                  attestation=ATTESTED_IN_MEMORY)


def test_a_certificate_needs_a_lean_statement(export, tmp_path):
    """Same model, same exhaustive checks: `source` gives no certificate; the theorem and the
    laws it assumes marked as a kernel-checked (`lean`) export with standard axioms give one,
    and it verifies."""
    from archlaw.bridge.certificate import make_certificate, verify_certificate
    from archlaw.bridge.errors import ArchLawError
    from archlaw.models.carry.bindings import adder_report

    cell = table_cell(10)
    rep = adder_report(cell, export=_as_source(export))
    assert rep.passed and not rep.certified and rep.conformance is not None
    with pytest.raises(ArchLawError, match="not certified"):
        make_certificate(rep.conformance, rep.binding)

    lean_export = _as_lean(export)
    rep = adder_report(cell, export=lean_export)
    assert rep.certified and rep.verdict == "certified"
    cert = make_certificate(rep.conformance, rep.binding)
    sx, js = cert.write(tmp_path / "adder")
    assert sx.exists() and js.exists()
    assert verify_certificate(cert, lean_export, cell_binding(table_cell(10))).ok
    # one wrong case in the cell: the re-check refuses the certificate
    bad = verify_certificate(cert, lean_export, cell_binding(table_cell(10, {(0, 0, 0): (1, 0)})))
    assert not bad.ok


def test_a_lean_theorem_over_a_source_law_is_not_certified(export):
    """The theorem kernel-checked but the law it assumes read from source: the law's statement
    is not the one Lean checked, so the hypotheses held of an unchecked statement: no
    certificate. (Needs check_theorem to require every assumed law to be `lean`.)"""
    from archlaw.models.carry.bindings import adder_report

    rep = adder_report(table_cell(10), export=_as_lean(export, laws=False))
    assert rep.passed
    assert not rep.certified and "not certified" in rep.verdict


# --- archlaw add: refusals (exit 1) and bad input (exit 2), no training involved ---------------


@pytest.mark.parametrize("adder", ["sequential", "log-depth"])
def test_add_refuses_a_cell_that_breaks_its_law(monkeypatch, tmp_path, capsys, adder):
    fake_carry_cache(monkeypatch, tmp_path, table_cell(10, faults={(3, 4, 1): (9, 0)}))
    assert cli.main(["add", "12", "3", "--adder", adder]) == 1
    out, err = capsys.readouterr()
    assert out == ""  # no sum from a cell that FAILs its law
    assert len(err.strip().splitlines()) == 1
    assert "ArchLaw.Carry.CarryCell: FAIL" in err and "a := 3, b := 4, c := 1" in err


def test_add_refuses_a_log_depth_adder_whose_runner_check_fails(monkeypatch, tmp_path, capsys):
    from archlaw.models.carry import bindings as carry_laws

    fake_carry_cache(monkeypatch, tmp_path, table_cell(10))
    monkeypatch.setattr(carry_laws, "status_check",
                        lambda cell: "status read off the cell = ArchLaw.Carry.status on all 100 "
                                     "pairs: FAIL at a=1, b=8")
    assert cli.main(["add", "12", "3", "--adder", "log-depth"]) == 1
    out, err = capsys.readouterr()
    assert out == "" and "FAIL at a=1, b=8" in err


def test_add_exact_table_cell_gives_the_sum(monkeypatch, tmp_path, capsys):
    fake_carry_cache(monkeypatch, tmp_path, table_cell(10))
    assert cli.main(["add", "12", "39"]) == 0
    assert capsys.readouterr().out == "51\n"


def test_certificate_refusals_exit_1(monkeypatch, tmp_path, capsys):
    fake_carry_cache(monkeypatch, tmp_path, table_cell(10))
    # the certificate is about the sequential MealyAdder: never for the log-depth adder
    assert cli.main(["add", "1", "2", "--adder", "log-depth", "--certificate",
                     str(tmp_path / "c")]) == 1
    out, err = capsys.readouterr()
    assert out == "" and "add_correct" in err and "sequential MealyAdder" in err
    assert not (tmp_path / "c.json").exists()
    if load_export().producer == "source":  # a source statement: refused, as `archlaw check`
        assert cli.main(["add", "1", "2", "--certificate", str(tmp_path / "c")]) == 1
        out, err = capsys.readouterr()
        assert out == "" and "no certificate" in err and "not certified" in err
        assert not (tmp_path / "c.json").exists()


@pytest.mark.parametrize("argv,needle", [
    (["1", "2", "--threads", "99999999999"], "argument --threads: '99999999999' is not accepted; "
                                             "expected an integer from 1 to 256"),
    (["1", "2", "--threads", "0"], "argument --threads"),
    (["1", "2", "--seed", "99999999999999999999999"], "argument --seed: '99999999999999999999999' "
                                                       "is not accepted; expected an integer from 0 "
                                                       "to 2147483647"),
])
def test_out_of_range_numbers_are_one_line(monkeypatch, tmp_path, capsys, argv, needle):
    monkeypatch.setenv("ARCHLAW_CACHE", str(tmp_path))
    assert cli.main(["add", *argv]) == 2
    err = capsys.readouterr().err
    assert needle in " ".join(err.split()) and len(err.strip().splitlines()) == 1


@pytest.mark.parametrize("below", [False, True])
def test_a_cache_that_is_not_a_directory_is_refused_before_training(monkeypatch, tmp_path, capsys,
                                                                    below):
    from archlaw.models.carry import store as carry_store

    trained_anything = []
    monkeypatch.setattr(carry_store, "train_cell", lambda *a, **k: trained_anything.append(1))
    f = tmp_path / "a-file"
    f.write_text("not a cache")
    monkeypatch.setenv("ARCHLAW_CACHE", str(f / "sub" if below else f))
    assert cli.main(["add", "1", "2"]) == 2
    err = " ".join(capsys.readouterr().err.split())
    assert "$ARCHLAW_CACHE" in err and "is not a directory" in err and "Traceback" not in err
    assert not trained_anything


def test_training_that_finds_no_exact_cell_is_one_line_naming_base_and_seeds(monkeypatch, tmp_path,
                                                                               capsys):
    from archlaw.bridge.errors import ArchLawError
    from archlaw.models.carry import train as carry

    with pytest.raises(ArchLawError, match=r"base 36 after seeds \[0, 1000\]"):
        train_cell(CellConfig(base=36, hidden=4, steps=1), device="cpu", max_tries=2)
    # through the command: a budget far too small stands in for a hard base
    monkeypatch.setattr(carry, "default_steps", lambda base: 1)
    monkeypatch.setenv("ARCHLAW_CACHE", str(tmp_path))
    assert cli.main(["add", "zz", "1", "--base", "36"]) == 2
    err = " ".join(capsys.readouterr().err.split())
    assert "no exact carry cell for base 36 after seeds [0, 1000, 2000, 3000, 4000]" in err
    assert "Traceback" not in err


@pytest.mark.parametrize("name", ["carry-cell-one-fault-b10", "carry-cocycle-one-fault-b10",
                                  "carry-combine-one-fault", "carry-combine-op-one-fault"])
def test_seeded_violations_are_caught_for_the_right_reason(export, name):
    """Each registered seeded fault is caught by the field and with the case it was seeded for
    (the registry's expect_field / expect_counterexample), not by any failure at all."""
    from archlaw.models import registry

    (entry,) = registry.get(name)
    assert entry.expect_field is not None and entry.expect_counterexample is not None
    out = registry.run_entry(entry, export)
    assert not out.passed and out.mismatch is None, out.mismatch

