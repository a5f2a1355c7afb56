"""Finite structures derived from their Lean declarations (issue 14): a structure's values are
the combinations of its data fields that meet its Prop fields; a user's own structure needs no
Python line; the registered fast paths of ``D4`` and ``Perm n`` agree with the derivation."""
from __future__ import annotations

import math
from pathlib import Path

import pytest
import torch

from archlaw.bridge import interchange, ir
from archlaw.bridge import source_reader as sr
from archlaw.bridge import structures as st
from archlaw.bridge.binding import Binding
from archlaw.bridge.conformance import check_law
from archlaw.bridge.errors import ArchLawError
from archlaw.bridge.library import load_export
from archlaw.bridge.tables import Table, TableSort
from archlaw.bridge.sorts import Finite

DEFS = Path(__file__).parent / "fixtures" / "defs"


@pytest.fixture(scope="module")
def defs() -> ir.Export:
    return load_export(DEFS)


@pytest.fixture(scope="module")
def library() -> ir.Export:
    return load_export()


def _structure(export: ir.Export, law: str, name: str) -> ir.Structure:
    (got,) = [s for s in export.find(law).structures if s.name == name]
    return got


def _width(w) -> Binding:
    return Binding({}, {"k": 5}, {"w": w}, frozenset({"w"}))


def test_a_users_structure_is_a_finite_sort_with_no_python(defs):
    """`Defs.Interval k` (lo hi : Fin k, Prop field lo ≤ hi) is exactly its 15 ordered pairs
    at k = 5, enumerated: the law over it passes for the width, fails for another map."""
    law = defs.find("Defs.Width")
    assert [s.name for s in law.structures] == ["Defs.Interval"]
    good = check_law(law, _width(lambda r: r[1] - r[0]))
    assert good.passed, good.summary()
    dom = good.fields[0].domains[0]
    assert (dom.kind, dom.size) == ("exhaustive", 15)        # not 25: lo ≤ hi filters
    assert dict(good.ran)["Defs.Interval.width"] == "body"
    bad = check_law(law, _width(lambda r: r[1]))
    assert not bad.passed
    assert "r := ⟨1, 1⟩" in bad.fields[0].counterexample.text()


def test_the_structure_travels_in_the_interchange_format(defs):
    text = interchange.dumps(defs)
    assert '(structure (name "Defs.Interval")' in text
    back = interchange.loads(text)
    assert back.find("Defs.Width").structures == defs.find("Defs.Width").structures


def test_a_structure_entry_in_a_version_1_file_is_refused(defs):
    text = interchange.dumps(defs).replace("(version 2)", "(version 1)")
    text = "\n".join(line for line in text.splitlines() if not line.startswith("  (def "))
    with pytest.raises(ArchLawError) as e:
        interchange.loads(text)
    assert "(structure ...) entries need version 2 or later" in str(e.value)
    assert "\n" not in str(e.value)


@pytest.mark.parametrize("n", [1, 2, 3, 4])
def test_perm_n_derived_from_its_declaration_is_its_n_factorial_permutations(library, n):
    perm = _structure(library, "ArchLaw.PermEquivariant", "ArchLaw.Perm")
    derived = st.derived_sort(perm, (n,))
    assert derived.cardinality == math.factorial(n)
    st.compare_values(st.perm_sort(n), derived)        # the fast path gives exactly these


def test_d4_derived_from_its_declaration_is_the_registered_one(library):
    d4 = _structure(library, "ArchLaw.D4Equivariant", "ArchLaw.D4")
    assert st.derived_sort(d4).cardinality == 8
    st.compare_values(st.D4_SORT, st.derived_sort(d4))


def test_a_fast_enumerator_that_differs_from_the_declaration_is_refused_naming_a_value(library):
    perm = _structure(library, "ArchLaw.PermEquivariant", "ArchLaw.Perm")
    good = st.perm_sort(3)

    def values(device):  # the identity's toFun replaced by a non-permutation
        to, inv = good.enumerate(device)
        t = to.dense().clone()
        t[0] = torch.tensor([0, 0, 0])
        enc = TableSort((Finite(3),), Finite(3))
        return (Table(enc, t), inv)
    wrong = st.StructSort("ArchLaw.Perm 3", good.fields, 6, values)
    with pytest.raises(ArchLawError) as e:
        st.compare_values(wrong, st.derived_sort(perm, (3,)))
    msg = str(e.value)
    assert "\n" not in msg and "disagrees with the values derived from its Lean declaration" in msg
    assert "(0, 0, 0, 0, 1, 2)" in msg                 # toFun = [0,0,0], invFun = identity


def test_perm_5_is_beyond_the_derivation_budget_and_says_so(library):
    perm = _structure(library, "ArchLaw.PermEquivariant", "ArchLaw.Perm")
    with pytest.raises(ArchLawError) as e:
        st.derived_sort(perm, (5,))
    msg = str(e.value)
    assert "\n" not in msg and "9,765,625 candidate values" in msg and "ArchLaw.Perm 5" in msg


def _read(src: str, name: str) -> ir.Structure:
    law, = sr.read_text("import Defs.Attr\n" + src)
    (s,) = [s for s in law.structures if s.name == name]
    return s


def test_a_structure_with_an_infinite_field_is_refused_in_one_line():
    s = _read("structure Cnt where\n  n : Nat\n  b : Bool\n"
              "@[arch_law] structure L (f : Cnt → Bool) : Prop where\n"
              "  spec : ∀ (c : Cnt), f c = f c\n", "Cnt")
    with pytest.raises(ArchLawError) as e:
        st.derived_sort(s)
    assert "\n" not in str(e.value) and "field n has infinitely many values" in str(e.value)


def test_a_structure_with_no_value_says_so():
    s = _read("structure Never where\n  b : Bool\n  no : b ≠ b\n"
              "@[arch_law] structure L (f : Never → Bool) : Prop where\n"
              "  spec : ∀ (c : Never), f c = f c\n", "Never")
    with pytest.raises(ArchLawError) as e:
        st.derived_sort(s)
    assert "no value meets its Prop fields" in str(e.value)


def test_the_spec_of_a_law_over_a_users_structure_reads_it_too(defs):
    from archlaw.bridge.spec import law_spec

    spec = law_spec(defs.find("Defs.Width"), k=5)
    assert "Defs.Interval 5" in spec.text()
