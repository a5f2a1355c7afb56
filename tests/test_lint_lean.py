"""`archlaw lint-lean`: what it refuses, what it leaves alone (comments, strings, statements)."""
from __future__ import annotations

import pytest

from archlaw.bridge.lean_lint import DEPRECATED_TACTICS, MATHLIB_TACTICS, lint, lint_text

from lawtools import FOLD, REPO

OK_PROOF = "import ArchLaw.Attr\ntheorem t (n : Nat) : n + 0 = n := by\n  simp\n"


def problems(text: str) -> list[str]:
    return [str(p) for p in lint_text(text, "T.lean", "T")]


def test_clean_file_passes():
    assert problems(OK_PROOF) == []


@pytest.mark.parametrize("word", ["sorry", "admit", "native_decide"])
def test_forbidden_words(word):
    ps = problems(OK_PROOF.replace("simp", f"simp\n  {word}"))
    assert len(ps) == 1 and ps[0].startswith("T.lean:4:2: ") and f"`{word}`" in ps[0]


@pytest.mark.parametrize("tac", ["ring", "linarith", "nlinarith", "norm_num", "positivity", "aesop",
                                 "field_simp", "use", "push_neg", "simp_arith"])
def test_mathlib_tactics(tac):
    assert tac in MATHLIB_TACTICS or tac in DEPRECATED_TACTICS
    for proof in (f"by\n  {tac}", f"by {tac}", f"by\n  constructor <;> {tac}", f"by\n  · {tac}"):
        ps = problems(OK_PROOF.replace("by\n  simp", proof))
        assert len(ps) == 1 and ("not a core Lean 4 tactic" in ps[0] or "deprecated" in ps[0]), ps


def test_comments_and_strings_are_ignored():
    text = (OK_PROOF + "-- sorry, we use ring here\n/- admit\n  /- nested native_decide -/ -/\n"
            "/-- doc mentions sorry -/\ndef s : String := \"sorry ring linarith\"\n")
    assert problems(text) == []


def test_tactic_names_outside_proofs_are_not_flagged():
    text = ("import ArchLaw.Attr\ndef ring (use : Nat) : Nat := use\n"
            "theorem u (set : Nat) :\n    ring set = set := by\n  rfl\n")
    assert problems(text) == []


def test_imports_and_lemma():
    ps = problems("import Mathlib.Tactic\nimport Batteries\nimport Lean\n"
                  "lemma x : True := trivial\n")
    assert [p.split(": ")[0] for p in ps] == ["T.lean:1:0", "T.lean:2:0", "T.lean:4:0"]


def test_unreadable_tagged_declaration_is_a_problem():
    ps = problems("import ArchLaw.Attr\n@[arch_law] structure L (f : Nat → Nat) : Prop where\n"
                  "  a : f ⟨0, 1⟩ = 0\n@[arch_law] structure M : Prop where\n  b : nope = 0\n")
    assert len(ps) == 2
    assert ps[0].startswith("T.lean:3:8: anonymous constructor") and "nope" in ps[1]


def test_fixture_and_library_pass():
    rep = lint(FOLD)
    assert rep.ok and rep.files == 2 and rep.tagged == 7
    rep = lint(REPO)
    assert rep.ok, "\n".join(map(str, rep.problems))
    assert rep.tagged > 0
