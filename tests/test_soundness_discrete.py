"""Issue 9, point 1: whether a sort is compared exactly is derived from its encoding's parts,
never inherited by default, and the certificate path refuses every field compared up to a
tolerance, whatever its sort (a float list, a product holding a float). A `lean` export is built
in memory, as `tests/test_certificate.py` does, so that nothing but the comparison stands
between the theorem and a certificate."""

from __future__ import annotations

import pytest
import torch

import conformance_toys as T
from archlaw.bridge.binding import Binding, ListBatch
from archlaw.bridge.conformance import check_law, check_theorem
from archlaw.bridge.errors import ArchLawError
from archlaw.bridge.ir import ATTESTED_IN_MEMORY, PROP, TYPE, App, Export, Field, Law, Param, Theorem, Var, arrow, const
from archlaw.bridge.sorts import (
    BoolEnc, Encoding, Finite, FloatTensor, FunctionSort, ListOf, NatEnc, ProdOf, resolve_sort,
)

F32 = const("Float32", TYPE)
FIN3 = T.fin(T.nat(3))


def _exact_law_export(out_sort) -> Export:
    """A `lean` export: law ``Same f g := ∀ a : Fin 3, f a = g a`` at `out_sort`, and a theorem
    ``Same f g → True`` whose only hypothesis is that law (axioms: none)."""
    f, g = Var("f", arrow(FIN3, out_sort)), Var("g", arrow(FIN3, out_sort))
    a = Var("a", FIN3)
    law = Law("Toy.Same", "Toy", None, "f and g agree", (Param("f", f.sort), Param("g", g.sort)),
              "lean", (), (Field("same", T.forall(a, body=T.eq(App(f, (a,), out_sort),
                                                                App(g, (a,), out_sort)))),))
    h = Var("h", App("Toy.Same", (f, g), PROP))
    thm = Theorem("Toy.same_trivial", "Toy", None, "", (
        Param("f", f.sort, "implicit"), Param("g", g.sort, "implicit"), Param("h", h.sort)),
        "lean", (), const("True", PROP))
    return Export("lean", "4.20.0", (), (law, thm), attestation=ATTESTED_IN_MEMORY)


class _Net(torch.nn.Module):
    """Something to hash: a certificate needs a module."""

    def __init__(self):
        super().__init__()
        self.w = torch.nn.Parameter(torch.ones(1))


def _binding(f, g) -> Binding:
    return Binding(sorts={}, params={}, symbols={"f": f, "g": g},
                   model_symbols=frozenset({"f", "g"}), module=_Net())


def _check(out_sort, f, g):
    ex = _exact_law_export(out_sort)
    return check_theorem(ex.find("Toy.same_trivial"), ex, _binding(f, g))


OFF = 3e-6  # within float32's rtol=1e-5 of 1.0, but not equal: Lean's = would say no


def _float_list(a: torch.Tensor, value: float) -> ListBatch:
    n = a.shape[0]
    return ListBatch(torch.full((n, 2), value, dtype=torch.float32),
                     torch.full((n,), 2, dtype=torch.long))


def test_float_list_field_is_compared_with_a_tolerance_and_never_certified():
    rep = _check(const("List", TYPE, F32), lambda a: _float_list(a, 1.0),
                 lambda a: _float_list(a, 1.0 + OFF))
    (_, law), = rep.hypotheses
    fld = law.fields[0]
    assert rep.passed and law.check == "exhaustive"
    assert not fld.discrete and fld.to_json()["comparison"] == {"rtol": 1e-5, "atol": 1e-6}
    assert not rep.certified
    assert any("field same of Same compared up to rtol/atol, not exactly" in r
               for r in rep.reasons), rep.reasons


def test_product_containing_a_float_is_never_certified():
    prod = const("Prod", TYPE, FIN3, F32)
    rep = _check(prod, lambda a: (a, torch.ones(a.shape[0])),
                 lambda a: (a, torch.full((a.shape[0],), 1.0 + OFF)))
    assert rep.passed and not rep.certified
    assert any("compared up to rtol/atol" in r for r in rep.reasons), rep.reasons


def test_exact_list_field_is_still_certified():
    """The control: the same law at ``List (Fin 3)`` with equal sides is certified, so the
    refusals above are for the float comparison and nothing else."""
    fin_list = lambda a: ListBatch(a.unsqueeze(1).repeat(1, 2), torch.full_like(a, 2))  # noqa: E731
    rep = _check(const("List", TYPE, FIN3), fin_list, fin_list)
    assert rep.certified, rep.reasons


def test_discrete_is_derived_from_the_parts():
    flt, fin = FloatTensor((2,)), Finite(3)
    assert fin.discrete and NatEnc().discrete and BoolEnc().discrete and not flt.discrete
    assert ListOf(fin).discrete and not ListOf(flt).discrete
    assert not ListOf(ListOf(flt)).discrete and not ProdOf(fin, ListOf(flt)).discrete
    assert not ListOf(ProdOf(fin, flt)).discrete and ProdOf(fin, ListOf(NatEnc())).discrete
    assert not FunctionSort(fin, flt).discrete and FunctionSort(fin, fin).discrete


def test_registered_tree_sort_derives_discrete_and_refuses_float_labels():
    from archlaw.models.recursion import bindings  # noqa: F401 - registers ArchLaw.BTree

    tree = const("ArchLaw.BTree", TYPE, FIN3, T.fin(T.nat(2)))
    assert resolve_sort(tree, {}, {}).discrete
    bad = const("ArchLaw.BTree", TYPE, F32, T.fin(T.nat(2)))
    with pytest.raises(ArchLawError) as e:
        resolve_sort(bad, {}, {})
    msg = str(e.value)
    assert "\n" not in msg and "leaf labels of sort Float" in msg and "Fin n, Nat or Bool" in msg


def test_encoding_that_does_not_declare_discrete_is_refused_in_a_check():
    """A user's encoding must say whether it compares exactly; the check says so in one line
    instead of assuming it does."""

    class Opaque(Encoding):
        kind = "Opaque"

        def describe(self):
            return "Opaque"

        def equal(self, x, y, tol):
            ok = x == y
            return ok, (~ok).double()

    law = _exact_law_export(Var("X", TYPE)).find("Toy.Same")
    law = Law(law.name, law.module, None, law.doc, (Param("X", TYPE, "implicit"), *law.params),
              "lean", (), law.fields)
    b = Binding(sorts={"X": Opaque()}, params={}, symbols={"f": lambda a: a, "g": lambda a: a},
                model_symbols=frozenset({"f", "g"}))
    with pytest.raises(ArchLawError, match=r"encoding Opaque \(Opaque\) does not say whether it "
                                           r"compares exactly: define `discrete`"):
        check_law(law, b)
