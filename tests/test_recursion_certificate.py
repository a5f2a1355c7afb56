"""The finite-cell recursion models: exhaustive checks of their decoded cells become certificates
through the fusion theorems exactly when the statements are `lean`.

Here there is no Lean toolchain, so the library is `source` and nothing is certified; the same
checks against the export with every declaration marked as kernel-checked (`lean`, standard
axioms) certify the model, the certificate verifies, and a cell with one wrong case is refused.
"""

import dataclasses

import pytest

from archlaw.bridge.certificate import make_certificate, verify_certificate
from archlaw.bridge.conformance import check_theorem
from archlaw.bridge.ir import ATTESTED_IN_MEMORY, Export
from archlaw.bridge.library import load_export
from archlaw.models.recursion import fixtures as fx


def _as_lean(export: Export) -> Export:
    decls = tuple(dataclasses.replace(d, statement_provenance="lean", axioms=("propext",))
                  for d in export.declarations)
    return Export("lean", "4.20.0", export.hashes, decls, attestation=ATTESTED_IN_MEMORY)


@pytest.fixture(scope="module")
def export():
    return load_export()


CASES = [
    ("ArchLaw.foldl_fusion", fx.b_fold_hom, fx.b_fold_one_wrong),
    ("ArchLaw.tree_fusion", fx.b_tree_hom, fx.b_tree_one_wrong),
]


@pytest.mark.parametrize("theorem, good, bad", CASES, ids=[c[0] for c in CASES])
def test_finite_cell_certified_only_from_lean(export, theorem, good, bad, tmp_path):
    binding = good()
    rep = check_theorem(export.find(theorem), export, binding)
    assert rep.passed and rep.check == "exhaustive"
    assert rep.certified == (export.producer == "lean")

    lean = _as_lean(export)
    rep = check_theorem(lean.find(theorem), lean, binding)
    assert rep.certified and rep.verdict() == "certified", rep.reasons
    cert = make_certificate(rep, binding)
    cert.write(tmp_path / "cert")
    assert verify_certificate(cert, lean, good()).ok

    wrong = check_theorem(lean.find(theorem), lean, bad())
    assert not wrong.passed and not wrong.certified
    assert not verify_certificate(cert, lean, bad()).ok
