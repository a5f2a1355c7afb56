"""The certificate's trust base lists, as data, each constant the checks evaluated and how it
ran (`archlaw.bridge.certificate.Runner`), in both forms; `verify` re-derives the list from the
re-run and refuses any edit of it by name.

The theorem is `ArchLaw.Carry.lookahead_correct` over the exact table combiner, with the
library's declarations marked `lean` in memory (no Lean toolchain here): its law applies
`ArchLaw.Carry.Gen.eval`, whose registration is cross-checked against its Lean body."""

from __future__ import annotations

import dataclasses
import json

import pytest

from archlaw.bridge.certificate import (
    RUNNER_ASSUMPTION, TRUSTED_BY_HOW, Certificate, load_certificate, make_certificate,
    verify_certificate,
)
from archlaw.bridge.conformance import check_theorem
from archlaw.bridge.errors import ArchLawError
from archlaw.bridge.ir import ATTESTED_IN_MEMORY, Export
from archlaw.bridge.library import load_export
from archlaw.bridge.semantics import RAN_REGISTERED_AGREES
from archlaw.models.carry.bindings import combine_binding
from archlaw.models.carry.modules import table_combine

THEOREM = "ArchLaw.Carry.lookahead_correct"
GEN_EVAL = "ArchLaw.Carry.Gen.eval"


@pytest.fixture(scope="module")
def issued():
    """(the library as `lean`, its certificate for the table combiner)."""
    e = load_export()
    decls = tuple(dataclasses.replace(d, statement_provenance="lean", axioms=("propext",))
                  for d in e.declarations)
    lean = Export("lean", "4.20.0", e.hashes, decls, attestation=ATTESTED_IN_MEMORY)
    rep = check_theorem(lean.find(THEOREM), lean, combine_binding(table_combine()))
    assert rep.certified, rep.reasons
    return lean, make_certificate(rep, combine_binding(table_combine()))


def test_the_runner_lists_each_constant_and_how_it_ran_in_both_forms(issued, tmp_path):
    _, cert = issued
    assert cert.to_json()["trust_base"]["runner"] == {
        "bound_symbols": RUNNER_ASSUMPTION,
        "constants": [{"constant": GEN_EVAL, "how": RAN_REGISTERED_AGREES,
                       "trusted": TRUSTED_BY_HOW[RAN_REGISTERED_AGREES]}]}
    sx, js = cert.write(tmp_path / "cert")
    assert GEN_EVAL in sx.read_text() and RAN_REGISTERED_AGREES in sx.read_text()
    for path in (sx, js):
        assert load_certificate(path).trust_base.runner == cert.trust_base.runner


def _edits(x, path="trust_base.runner"):
    """(path, edited runner JSON) for each leaf of the runner, each edited once."""
    if isinstance(x, dict):
        for k, v in x.items():
            for p, e in _edits(v, f"{path}.{k}"):
                yield p, {**x, k: e}
    elif isinstance(x, list):
        for i, v in enumerate(x):
            for p, e in _edits(v, f"{path}[{i}]"):
                yield p, [*x[:i], e, *x[i + 1:]]
    else:
        yield path, x + "x"


def test_verify_refuses_every_edit_of_the_runner_by_name(issued):
    lean, cert = issued
    assert verify_certificate(cert, lean, combine_binding(table_combine())).ok
    doc = cert.to_json()
    runner = doc["trust_base"]["runner"]
    dropped = {**runner, "constants": []}
    added = {**runner, "constants": [*runner["constants"],
                                     {**runner["constants"][0], "constant": "ArchLaw.rotate"}]}
    cases = [*_edits(runner), ("trust_base.runner.constants[0]", dropped),
             ("trust_base.runner.constants[1]", added)]
    assert len(cases) == 6
    for path, edited in cases:
        bad = {**doc, "trust_base": {**doc["trust_base"], "runner": edited}}
        try:
            r = verify_certificate(Certificate.from_json(json.loads(json.dumps(bad))), lean,
                                   combine_binding(table_combine()))
        except ArchLawError as e:   # a `how` outside HOW_RAN is refused on reading
            assert path in str(e) and "\n" not in str(e), (path, str(e))
            continue
        assert not r.ok and f"{path}" in r.reason and "re-derived" in r.reason, (path, r.reason)


def test_a_version_2_certificate_is_refused_with_one_line_saying_why(issued, tmp_path):
    _, cert = issued
    doc = {**cert.to_json(), "archlaw-certificate": 2}
    doc["trust_base"] = {**doc["trust_base"], "runner": RUNNER_ASSUMPTION}
    p = tmp_path / "old.json"
    p.write_text(json.dumps(doc))
    with pytest.raises(ArchLawError, match="version 2 certificate.*re-issue") as e:
        load_certificate(p)
    assert "old.json" in str(e.value) and "\n" not in str(e.value)
