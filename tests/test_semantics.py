"""Definitions run from their Lean bodies (issue 14): the source reader reads the bodies of a
user's defs (equation style, match, anonymous constructors, proofs skipped), they travel in the
interchange format (version 2), and the interpreter runs them batched: a user `def` needs no
Python."""
from __future__ import annotations

from pathlib import Path

import pytest
import torch

from archlaw.bridge import interchange, ir, source_reader as sr
from archlaw.bridge.binding import Binding
from archlaw.bridge.conformance import check_law
from archlaw.bridge.errors import ArchLawError
from archlaw.bridge.interpret import registered
from archlaw.bridge.semantics import RAN_BODY, RAN_REGISTERED_AGREES

DEFS = Path(__file__).parent / "fixtures" / "defs"


@pytest.fixture(scope="module")
def export() -> ir.Export:
    return sr.read_root(DEFS)


def _law(export: ir.Export, name: str) -> ir.Law:
    d = export.find(name)
    assert isinstance(d, ir.Law)
    return d


def _binding(**symbols) -> Binding:
    return Binding({}, {"B": 10}, symbols, frozenset(symbols))


def test_the_reader_reads_the_bodies(export):
    defs = {d.name: d for d in _law(export, "CarryTable").definitions}
    assert sorted(defs) == ["Defs.bxor", "Defs.carry", "Defs.step", "Defs.sumPair", "Defs.swapIf"]
    # equation style: fun over the arrows, a match as an ite chain on the scrutinees
    assert ir.pretty(defs["Defs.bxor"].body) == (
        "fun (x✝1 : Bool) => fun (x✝2 : Bool) => if x✝1 = Bool.false then x✝2 else not x✝2")
    # ⟨1, by decide⟩ : Fin 2 is Fin.mk 1: the proof is skipped
    assert ir.pretty(defs["Defs.carry"].body) == "if a.val + b.val ≥ B then Fin.mk 1 else Fin.mk 0"
    assert [(p.name, p.binder) for p in defs["Defs.carry"].params] == [
        ("B", "implicit"), ("a", "explicit"), ("b", "explicit")]
    # numerals with a catch-all variable; a pair pattern through projections
    assert ir.pretty(defs["Defs.step"].body) == "if n = 0 then 1 else if n = 1 then 2 else n + 1"
    assert ir.pretty(defs["Defs.sumPair"].body) == "fun (x✝1 : Nat × Nat) => x✝1.1 + x✝1.2"
    # no Python for any of them: the only `Defs.` names registered are the constructor and
    # projections of a structure, which the engine derives from its declaration
    derived = {f"{st.name}.{f.name}" for d in export.laws for st in d.structures
               for f in st.fields} | {st.ctor for d in export.laws for st in d.structures}
    assert not any(k.startswith("Defs.") and k not in derived for k in registered())


def test_a_user_def_needs_no_python(export):
    law = _law(export, "Doubling")
    good = check_law(law, _binding(f=lambda x: 2 * x), samples=200)
    assert good.passed, good.summary()
    assert good.ran == (("Defs.twice", RAN_BODY),)
    # wrong on every x ≡ 7 (mod 100): the body of `twice` tells it apart
    bad = check_law(law, _binding(f=lambda x: 2 * x + (x % 100 == 7).long()), samples=300)
    spec = next(f for f in bad.fields if f.field == "spec")
    assert not spec.passed
    (name, value), = spec.counterexample.values
    assert name == "x" and int(value) % 100 == 7, bad.summary()


def _carry(a, b):
    return (a + b >= 10).long()


def test_bodies_with_match_pairs_and_anonymous_constructors_run(export):
    law = _law(export, "CarryTable")
    r = check_law(law, _binding(c=_carry), samples=200)
    assert r.passed, r.summary()
    assert {n for n, how in r.ran} == {"Defs.bxor", "Defs.carry", "Defs.step", "Defs.sumPair",
                                       "Defs.swapIf"}
    assert all(how == RAN_BODY for _, how in r.ran)
    spec = next(f for f in r.fields if f.field == "spec")
    assert spec.check == "exhaustive" and spec.cases == 100


def test_a_model_that_differs_from_the_body_in_one_case_fails_there(export):
    law = _law(export, "CarryTable")

    def off(a, b):
        out = _carry(a, b)
        return torch.where((a == 3) & (b == 7), 1 - out, out)

    r = check_law(law, _binding(c=off), fields=("spec",))
    f = r.fields[0]
    assert f.violations == 1
    assert f.counterexample.values == (("a", "3"), ("b", "7"))


def test_definitions_travel_in_interchange_version_2(export):
    text = interchange.dumps(export)
    assert "(version 2)" in text and '(def (name "Defs.carry")' in text
    back = interchange.loads(text)
    assert back == export
    assert back.version == 2
    assert _law(back, "CarryTable").definitions == _law(export, "CarryTable").definitions


def test_a_version_1_export_without_definitions_is_still_read_and_written(export):
    plain = ir.Export("source", None, (), tuple(
        ir.Law(name=d.name, module=d.module, range=None, doc="", params=d.params,
               statement_provenance="source", axioms=None, fields=d.fields)
        for d in export.laws))
    text = interchange.dumps(plain)
    assert "(version 1)" in text and "(def " not in text
    assert interchange.loads(text) == plain


def test_def_entries_in_a_version_1_file_are_refused(export):
    text = interchange.dumps(export).replace("(version 2)", "(version 1)")
    with pytest.raises(ArchLawError) as e:
        interchange.loads(text, where="old.sexp")
    msg = str(e.value)
    assert "\n" not in msg and "need version 2" in msg, msg


def _definition(src: str, name: str):
    r = sr.SourceReader()
    r.add_file("T.lean", "T", src)
    return r.definition(name)


def test_a_recursive_def_has_no_body_and_says_why():
    got = _definition("def f : Nat → Nat\n  | 0 => 0\n  | n => f n\n", "f")
    assert isinstance(got, str) and "recursive" in got and got.startswith("T.lean:")


def test_a_body_outside_the_fragment_says_where_and_why():
    got = _definition("def g (x : Nat) : Nat :=\n  let y := x\n  y\n", "g")
    assert isinstance(got, str) and got.startswith("T.lean:2:") and "let" in got


def test_an_unreadable_body_is_one_line_at_check_time():
    src = ("import Defs.Attr\ndef h (x : Nat) : Nat :=\n  let y := x\n  y\n"
           "@[arch_law] structure H (f : Nat → Nat) : Prop where\n"
           "  spec : ∀ (x : Nat), f x = h x\n")
    law, = sr.read_text(src)
    assert law.definitions == ()
    with pytest.raises(ArchLawError) as e:
        check_law(law, _binding(f=lambda x: x), samples=10)
    assert "\n" not in str(e.value) and "`h`" in str(e.value)


# -- registered interpretations are fast paths checked against the body ------------------------

def _register(name: str, fn):
    """Register `fn` for `name` for the duration of a test (the registry is process-wide)."""
    from archlaw.bridge import interpret

    interpret.interpretation(name, arity=2)(fn)
    return lambda: interpret._REGISTRY[name].pop()


def test_a_registration_that_agrees_with_the_body_runs_and_says_so(export):
    undo = _register("Defs.carry", lambda ctx, a, b: (a + b >= ctx.arg_enc(0).n).long())
    try:
        r = check_law(_law(export, "CarryTable"), _binding(c=_carry), fields=("spec",))
    finally:
        undo()
    assert r.passed, r.summary()
    assert dict(r.ran)["Defs.carry"] == RAN_REGISTERED_AGREES
    assert r.to_json()["ran"] == [{"constant": "Defs.carry", "how": RAN_REGISTERED_AGREES}]
    assert f"Defs.carry ({RAN_REGISTERED_AGREES})" in r.summary()


def test_a_registration_that_disagrees_with_the_body_in_one_case_is_reported_with_it(export):
    def wrong(ctx, a, b):
        out = (a + b >= ctx.arg_enc(0).n).long()
        return torch.where((a == 4) & (b == 6), 1 - out, out)

    undo = _register("Defs.carry", wrong)
    try:
        with pytest.raises(ArchLawError) as e:
            check_law(_law(export, "CarryTable"), _binding(c=_carry), fields=("spec",))
    finally:
        undo()
    msg = str(e.value)
    assert "\n" not in msg
    assert "`Defs.carry` disagrees with its Lean body at (4, 6): registered 0, body 1" in msg
    assert "exhaustive comparison of 100 cases" in msg


def test_the_shipped_gen_eval_registration_agrees_with_its_body():
    import archlaw.models.carry  # noqa: F401  (registers Gen and Gen.eval)
    from archlaw.bridge.library import load_export

    law = load_export().find("ArchLaw.Carry.EvalLaw")
    assert [d.name for d in law.definitions] == ["ArchLaw.Carry.Gen.eval"]
    from archlaw.bridge.crosscheck import agree
    from archlaw.bridge.interpret import Evaluator, registered

    node = next(t for t in _apps(law) if t.head_name == "ArchLaw.Carry.Gen.eval")
    interp = registered()["ArchLaw.Carry.Gen.eval"][-1]
    ev = Evaluator({}, {}, {}, {}, 1)
    assert agree(ev, node, interp, law.definitions[0]) == RAN_REGISTERED_AGREES


def _apps(law):
    stack = [f.statement for f in law.fields]
    while stack:
        t = stack.pop()
        if isinstance(t, ir.App):
            yield t
        if not isinstance(t, ir.Sort):
            stack.extend(ir.children(t))
