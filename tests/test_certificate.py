"""Certification and certificates: only a lean statement whose hypotheses all held exhaustively is
certified; certificates round-trip as S-expressions and JSON; `verify` accepts a valid one and
rejects changed weights, changed checks and disallowed axioms; the CLI does the same."""

from __future__ import annotations

import dataclasses
import json

import pytest

import conformance_toys as T
from archlaw.bridge import interchange
from archlaw.bridge.certificate import (
    Certificate, load_certificate, make_certificate, verify_certificate, weights_sha256,
)
from archlaw.bridge.cli import main
from archlaw.bridge.conformance import check_theorem
from archlaw.bridge.errors import ArchLawError


def _report(statement="lean", axioms=("propext",), binding=None, **kw):
    ex = T.export(statement, axioms)
    return ex, check_theorem(ex.find("adder_correct"), ex, binding or T.cell_binding(10), **kw)


def test_lean_theorem_with_exhaustive_hypotheses_is_certified():
    _, rep = _report()
    assert rep.certified and rep.verdict() == "certified" and rep.reasons == ()
    assert rep.statement == "lean" and rep.check == "exhaustive"
    (name, law_rep), = rep.hypotheses
    assert name == "h" and law_rep.fields[0].cases == 200
    (side,) = rep.side_conditions
    assert side.name == "hB" and side.holds is True


def test_source_statement_is_reported_as_such_never_certified():
    _, rep = _report("source", None)
    assert rep.passed and not rep.certified
    assert rep.verdict() == "passed (statement source, check exhaustive) — not certified"
    assert any("source" in r for r in rep.reasons)
    with pytest.raises(ArchLawError, match="no certificate"):
        make_certificate(rep, T.cell_binding())


def test_sampled_hypothesis_is_not_certified():
    _, rep = _report(budget=100, samples=100)
    assert rep.passed and not rep.certified and rep.check == "sampled"
    assert any("sampled" in r for r in rep.reasons)


def test_sorry_axiom_is_not_certified():
    _, rep = _report(axioms=("propext", "sorryAx"))
    assert not rep.certified and any("sorryAx" in r for r in rep.reasons)


def test_false_side_condition_is_not_certified():
    _, rep = _report(binding=T.cell_binding(1))
    assert not rep.certified
    assert rep.side_conditions[0].holds is False


def test_failed_hypothesis_is_not_certified():
    _, rep = _report(binding=T.cell_binding(10, wrong="3,4,0"))
    assert not rep.passed and not rep.certified
    assert rep.verdict().startswith("FAILED")


def test_certificate_round_trips_and_verifies(tmp_path):
    ex, rep = _report()
    b = T.cell_binding(10)
    cert = make_certificate(rep, b, model={"ref": "conformance_toys:cell_binding", "params": {}},
                            settings={"seed": 0})
    assert cert.weights_sha256 == weights_sha256(b.module) and len(cert.weights_sha256) == 64
    assert "torch runner implements the Lean definition" in cert.trust_base.runner
    assert cert.conclusion and cert.axioms == ("propext",)
    sx, js = cert.write(tmp_path / "cert")
    for path in (sx, js):
        back = load_certificate(path)
        assert back.to_json() == cert.to_json()
    assert Certificate.from_sexp(cert.to_sexp()).to_json() == cert.to_json()
    assert verify_certificate(cert, ex, T.cell_binding(10)).ok


def test_verify_rejects_changed_weights_checks_and_axioms():
    ex, rep = _report()
    cert = make_certificate(rep, T.cell_binding(10))
    r = verify_certificate(cert, ex, T.cell_binding(10, scale=1.0001))
    assert not r.ok and r.reason.startswith("weights hash mismatch")
    changed = dataclasses.replace(cert, checks=(dataclasses.replace(cert.checks[0], cases=199),))
    r = verify_certificate(changed, ex, T.cell_binding(10))
    assert not r.ok and "changed" in r.reason
    r = verify_certificate(cert, ex, T.cell_binding(10, wrong="1,1,1"))  # same weights, wrong model
    assert not r.ok and r.reason.startswith("re-check failed")
    bad = dataclasses.replace(cert, axioms=("propext", "sorryAx"))
    r = verify_certificate(bad, ex, T.cell_binding(10))
    assert not r.ok and "sorryAx" in r.reason
    r = verify_certificate(cert, T.export("lean", ("propext", "Classical.choice")), T.cell_binding(10))
    assert not r.ok and "axioms" in r.reason


def test_malformed_certificates_are_one_line_errors(tmp_path):
    p = tmp_path / "c.sexp"
    p.write_text("(archlaw-certificate (version 1)")
    with pytest.raises(ArchLawError, match="c.sexp"):
        load_certificate(p)
    p.write_text('{"archlaw-certificate": 1}')
    with pytest.raises(ArchLawError, match="malformed certificate"):
        load_certificate(p)


# -- the CLI --------------------------------------------------------------------------------------


@pytest.fixture()
def export_file(tmp_path):
    """A lean export of the toy laws, fresh against an (empty) Lake project at tmp_path/proj."""
    proj = tmp_path / "proj"
    proj.mkdir()
    (proj / "lean-toolchain").write_text("leanprover/lean4:v4.20.0\n")
    path = tmp_path / "laws.sexp"
    interchange.write(T.export(), path)
    return path


def _root(path):
    return ["--root", str(path.parent / "proj"), "--from", str(path)]


def test_cli_check_certify_and_verify(export_file, tmp_path, capsys):
    out = tmp_path / "adder"
    rc = main(["check", "adder_correct", *_root(export_file), "--model",
               "conformance_toys:cell_binding", "--param", "base=10", "--certificate", str(out)])
    text = capsys.readouterr().out
    assert rc == 0 and "certified" in text
    assert (tmp_path / "adder.sexp").exists() and (tmp_path / "adder.json").exists()
    assert main(["verify", str(tmp_path / "adder.sexp"), *_root(export_file)]) == 0
    assert "ok" in capsys.readouterr().out
    rc = main(["verify", str(tmp_path / "adder.json"), *_root(export_file),
               "--param", "scale=1.0001"])
    line = capsys.readouterr().out.strip()
    assert rc == 1 and "weights hash mismatch" in line and "\n" not in line


def test_cli_check_violation_exits_1_with_counterexample_and_seed(export_file, capsys):
    rc = main(["check", "Toy.CarryCell", *_root(export_file), "--model",
               "conformance_toys:cell_binding", "--param", "wrong=2,5,1", "--seed", "7"])
    text = capsys.readouterr().out
    assert rc == 1
    assert "a := 2, b := 5, ci := 1" in text and "seed=7" in text


def test_cli_json_and_user_errors(export_file, capsys):
    rc = main(["check", "Toy.Cocycle", *_root(export_file), "--model",
               "conformance_toys:cocycle_binding", "--json"])
    d = json.loads(capsys.readouterr().out)
    assert rc == 0 and d["passed"] and d["check"] == "exhaustive" and d["statement"] == "lean"
    assert main(["check", "Toy.Cocycle", *_root(export_file), "--model", "nope:x"]) == 2
    assert "cannot import module 'nope'" in capsys.readouterr().err
    assert main(["check", "Toy.Cocycle", *_root(export_file), "--model",
                 "conformance_toys:cocycle_binding", "--param", "oops"]) == 2
    assert main(["check", "Toy.CarryCell", *_root(export_file), "--model",
                 "conformance_toys:cell_binding", "--certificate", "x"]) == 2


def test_cli_refuses_certificate_for_source_statement(export_file, tmp_path, capsys):
    path = tmp_path / "src.sexp"
    interchange.write(T.export("source", None), path)
    rc = main(["check", "adder_correct", *_root(path), "--model",
               "conformance_toys:cell_binding", "--certificate", str(tmp_path / "c")])
    text = capsys.readouterr().out
    assert rc == 1 and "no certificate written" in text and "not certified" in text
    assert not (tmp_path / "c.sexp").exists()


def test_bindings_by_hypothesis_name_certify_and_verify():
    ex = T.export()
    b = {"CarryCell": T.cell_binding(10)}
    rep = check_theorem(ex.find("adder_correct"), ex, b)
    assert rep.certified and rep.side_conditions[0].holds is True
    cert = make_certificate(rep, b)
    assert cert.weights_sha256 == weights_sha256(b["CarryCell"].module)
    assert verify_certificate(cert, ex, {"h": T.cell_binding(10)}).ok


def test_cli_refuses_a_stale_export(export_file, capsys):
    (export_file.parent / "proj" / "New.lean").write_text("-- a Lean file added after the export\n")
    rc = main(["check", "adder_correct", *_root(export_file), "--model",
               "conformance_toys:cell_binding"])
    assert rc == 2 and "stale export" in capsys.readouterr().err
