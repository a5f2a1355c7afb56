"""Certification and certificates: only a lean statement whose hypotheses all held exhaustively is
certified; certificates round-trip as S-expressions and JSON; `verify` accepts a valid one and
rejects changed weights, changed checks and disallowed axioms; the CLI does the same."""

from __future__ import annotations

import dataclasses
import json
import re
import sys

import pytest

import conformance_toys as T
from lawtools import toy_lean_export
from archlaw.bridge import interchange
from archlaw.bridge.certificate import (
    Certificate, load_certificate, make_certificate, verify_certificate, weights_sha256,
)
from archlaw.cli import main
from archlaw.bridge.conformance import check_theorem, export_sha256
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
    assert "torch runner implements the Lean definition" in cert.trust_base.runner.bound_symbols
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
    assert not r.ok and r.reason == "checks[0].cases: certificate 199, re-derived 200"
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
    p.write_text('{"archlaw-certificate": 3}')
    with pytest.raises(ArchLawError, match="malformed certificate"):
        load_certificate(p)


# -- the CLI --------------------------------------------------------------------------------------


@pytest.fixture()
def export_file(tmp_path, monkeypatch):
    """A lean export of the toy laws, fresh against an (empty) Lake project at tmp_path/proj, and
    recorded in a temporary ArchLaw cache as made by lake (the stand-in for `archlaw export`)."""
    monkeypatch.setenv("ARCHLAW_CACHE", str(tmp_path / "cache"))
    return toy_lean_export(tmp_path)[1]


def _root(path):
    return ["--root", str(path.parent / "proj"), "--from", str(path)]


def test_cli_check_certify_and_verify(export_file, tmp_path, capsys):
    out = tmp_path / "adder"
    rc = main(["check", "adder_correct", *_root(export_file), "--model",
               "conformance_toys:cell_binding", "--param", "base=10", "--certificate", str(out)])
    text = capsys.readouterr().out
    assert rc == 0
    assert re.search(r"^Toy\.adder_correct: certified$", text, re.M), text
    assert (tmp_path / "adder.sexp").exists() and (tmp_path / "adder.json").exists()
    cert = load_certificate(tmp_path / "adder.sexp")
    assert cert.trust_base.export_origin == str(export_file.resolve())
    assert cert.trust_base.export_sha256 == export_sha256(interchange.read(export_file))
    assert cert.trust_base.lean_version == "4.20.0"
    ref = ["--model", "conformance_toys:cell_binding"]
    assert main(["verify", str(tmp_path / "adder.sexp"), *_root(export_file), *ref]) == 0
    ok, rest = capsys.readouterr().out.split("\n", 1)
    assert ok.startswith("ok ")
    # what verify cannot re-derive here is said, with the recorded values, never silently taken
    assert rest.startswith("  not re-derivable here, taken as recorded: trust_base.device='cpu'")
    assert main(["verify", str(tmp_path / "adder.sexp"), *_root(export_file),
                 "--trust-model-ref"]) == 0
    assert capsys.readouterr().out.startswith("ok ")
    # a --param that changes what the certificate records builds another model: refused by name
    rc = main(["verify", str(tmp_path / "adder.json"), *_root(export_file), *ref,
               "--param", "scale=1.0001"])
    line = capsys.readouterr().out.strip()
    assert rc == 1 and "model.params.scale: certificate (absent)" in line and "\n" not in line


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


# -- the review's fixes --------------------------------------------------------------------------


def _export_with(law_statement="lean", law_axioms=(), thm_axioms=("propext",)):
    """The toy export with the theorem lean, and the laws with the given provenance/axioms."""
    ex = T.export()
    decls = tuple(dataclasses.replace(d, statement_provenance=law_statement, axioms=law_axioms)
                  if d.kind == "law" else d for d in ex.declarations)
    return dataclasses.replace(ex, declarations=decls)


@pytest.mark.parametrize("statement, axioms, why", [
    ("source", None, "law Toy.CarryCell has statement provenance 'source'"),
    ("lean", None, "the axioms of law Toy.CarryCell are unknown"),
    ("lean", ("sorryAx",), "law Toy.CarryCell uses axioms outside the allowed list: sorryAx"),
])
def test_a_lean_theorem_over_an_untrusted_law_is_not_certified(statement, axioms, why):
    ex = _export_with(statement, axioms)
    rep = check_theorem(ex.find("adder_correct"), ex, T.cell_binding(10))
    assert rep.passed and not rep.certified
    assert any(why in r for r in rep.reasons), rep.reasons


def test_a_field_compared_up_to_a_tolerance_is_not_certified():
    """An exact field passes; the same check compared under a float tolerance is no Lean `=`."""
    from archlaw.bridge.ir import PROP, TYPE, App, Param, Theorem, Var, const

    ex = T.export()
    eqv = dataclasses.replace(T.EQUIVARIANT, statement_provenance="lean", axioms=())
    h = Var("h", App("Toy.Equivariant", (Var("act", T._act.sort), Var("f", T._f.sort)), PROP))
    thm = Theorem("Toy.equi_thm", "Toy", None, "", (Param("G", TYPE, "implicit"),
                  Param("X", TYPE, "implicit"), Param("act", T._act.sort, "implicit"),
                  Param("f", T._f.sort, "implicit"), Param("h", h.sort)), "lean", ("propext",),
                  const("True", PROP))
    ex = dataclasses.replace(ex, declarations=(*ex.declarations, eqv, thm))
    rep = check_theorem(thm, ex, {"h": T.equivariant_binding(n=4)}, budget=10, samples=10)
    assert rep.passed
    assert any("field equivariant of Equivariant compared up to rtol/atol, not exactly" in r
               for r in rep.reasons), rep.reasons
    assert not rep.certified


def test_verify_refuses_a_changed_conclusion_or_statement():
    ex, rep = _report()
    cert = make_certificate(rep, T.cell_binding(10))
    assert len(cert.statement_sha256) == 64
    r = verify_certificate(dataclasses.replace(cert, conclusion="∀ xs, True"), ex, T.cell_binding(10))
    assert not r.ok and r.reason.startswith("conclusion mismatch")
    r = verify_certificate(dataclasses.replace(cert, statement_sha256="0" * 64), ex,
                           T.cell_binding(10))
    assert not r.ok and r.reason.startswith("statement mismatch")
    # the library's theorem says something else now: same name, other conclusion
    thm = ex.find("adder_correct")
    other = dataclasses.replace(thm, conclusion=T.eq(T.nat(1), T.nat(1)))
    ex2 = dataclasses.replace(ex, declarations=tuple(other if d is thm else d for d in ex.declarations))
    r = verify_certificate(cert, ex2, T.cell_binding(10))
    assert not r.ok and r.reason.startswith("statement mismatch")


def test_no_certificate_without_a_module_and_none_hashes_never_match():
    ex, rep = _report()
    b = dataclasses.replace(T.cell_binding(10), module=None)
    rep = check_theorem(ex.find("adder_correct"), ex, b)
    assert rep.certified
    with pytest.raises(ArchLawError, match="no module"):
        make_certificate(rep, b)
    cert = dataclasses.replace(make_certificate(rep, T.cell_binding(10)), weights_sha256=None)
    r = verify_certificate(cert, ex, b)
    assert not r.ok and "no weights hash" in r.reason


def test_certificate_records_the_export_origin():
    ex, rep = _report()
    cert = make_certificate(rep, T.cell_binding(10), export_origin="/x/laws.sexp")
    tb = cert.trust_base
    assert (tb.export_origin, tb.export_sha256, tb.lean_version) == (
        "/x/laws.sexp", export_sha256(ex), "4.20.0")
    assert tb.mode == "eval (switched from train for the check; restored after)"
    assert Certificate.from_sexp(cert.to_sexp()).trust_base == tb


def test_verify_runs_no_model_code_named_by_the_certificate(export_file, tmp_path, capsys,
                                                            monkeypatch):
    """Without --model or --trust-model-ref, verify refuses before importing anything; and a
    certificate failing the static checks builds no binding even with --trust-model-ref."""
    evil = tmp_path / "evil_mod.py"
    evil.write_text("import pathlib\npathlib.Path(__file__).with_name('RAN').write_text('x')\n"
                    "def b():\n    return None\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    ex, rep = _report()
    cert = make_certificate(rep, T.cell_binding(10), model={"ref": "evil_mod:b", "params": {}})
    sx, _ = cert.write(tmp_path / "c")
    assert main(["verify", str(sx), *_root(export_file)]) == 2
    assert "--model MODULE:CALLABLE is required" in capsys.readouterr().err
    assert not (tmp_path / "RAN").exists() and "evil_mod" not in sys.modules
    bad, _ = dataclasses.replace(cert, axioms=("sorryAx",)).write(tmp_path / "bad")
    assert main(["verify", str(bad), *_root(export_file), "--trust-model-ref"]) == 1
    assert "sorryAx" in capsys.readouterr().out
    assert not (tmp_path / "RAN").exists() and "evil_mod" not in sys.modules


@pytest.mark.parametrize("corrupt", ["checks", "model"])
def test_malformed_certificate_entries_are_one_line_errors(tmp_path, corrupt):
    """A valid certificate with one entry broken: a check with no entries, a model entry that
    is not JSON."""
    ex, rep = _report()
    text = make_certificate(rep, T.cell_binding(10), model={"ref": "m:f"}).to_sexp()
    if corrupt == "checks":
        text, n = re.subn(r"\(checks \(check .*\)\)\)\)", "(checks (check)))", text, flags=re.S)
    else:
        text, n = re.subn(r'\(entry "ref" "[^)]*"\)', '(entry "ref" "{not json")', text)
    assert n == 1
    p = tmp_path / "c.sexp"
    p.write_text(text)
    with pytest.raises(ArchLawError, match="c.sexp: malformed certificate: bad entry"):
        load_certificate(p)


def test_bad_recorded_params_are_one_line_errors(tmp_path):
    ex, rep = _report()
    d = make_certificate(rep, T.cell_binding(10)).to_json()
    d["model"] = {"ref": "conformance_toys:cell_binding", "params": [1, 2]}
    p = tmp_path / "c.json"
    p.write_text(json.dumps(d))
    with pytest.raises(ArchLawError, match="malformed certificate"):
        load_certificate(p)


def test_certificate_write_errors_are_one_line(tmp_path):
    ex, rep = _report()
    cert = make_certificate(rep, T.cell_binding(10))
    (tmp_path / "file").write_text("")
    with pytest.raises(ArchLawError, match=r"file.*cannot write the certificate"):
        cert.write(tmp_path / "file" / "sub" / "c")


@pytest.mark.parametrize("model, params, what", [
    ("conformance_toys:cell_binding", ["--param", "wrong=x"],
     "--model 'conformance_toys:cell_binding' failed with --param wrong='x': ValueError: invalid "
     "literal"),
    (":cell_binding", [], "--model ':cell_binding': expected module:callable"),
    ("broken_syntax_mod:f", [], "--model 'broken_syntax_mod:f': importing broken_syntax_mod failed: "
     "SyntaxError"),
    ("raising_mod:f", [], "--model 'raising_mod:f' failed with --param (none): RuntimeError: boom"),
])
def test_cli_model_errors_are_one_line(export_file, tmp_path, capsys, monkeypatch, model, params,
                                       what):
    (tmp_path / "broken_syntax_mod.py").write_text("def f(:\n    pass\n")
    (tmp_path / "raising_mod.py").write_text("def f():\n    raise RuntimeError('boom\\nsecond line')\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    rc = main(["check", "Toy.CarryCell", *_root(export_file), "--model", model, *params])
    err = capsys.readouterr().err.strip()
    assert rc == 2 and what in err and "\n" not in err and "Traceback" not in err


def test_cli_max_length_below_one_is_one_line(export_file, capsys):
    rc = main(["check", "Toy.CarryCell", *_root(export_file), "--model",
               "conformance_toys:cell_binding", "--max-length", "-1"])
    err = capsys.readouterr().err.strip()
    assert rc == 2 and "--max-length -1: must be at least 1" in err and "\n" not in err
