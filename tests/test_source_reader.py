"""The reader of Lean source: every tagged declaration of lean/, typed terms, the fragment and
its one-line errors."""
from __future__ import annotations

from pathlib import Path

import pytest

from archlaw.bridge import ir, source_reader as sr
from archlaw.bridge.errors import ArchLawError
from archlaw.bridge.ir import PROP, TYPE, App, Lam, Lit, Pi, Var

from lawtools import FOLD, REPO, check_well_formed, tagged_in

NAT = App("Nat", (), TYPE)


LIB_TAGGED = tagged_in(REPO)


def _known(root: Path) -> set[str]:
    r = sr.SourceReader()
    for path, module, text in sr.load_files(root):
        r.add_file(path, module, text)
    return set(r.lib.consts)


@pytest.fixture(scope="module")
def library_export():
    errors: list[ArchLawError] = []
    exp = sr.read_root(REPO, on_error=errors.append)
    return exp, errors, _known(REPO)


def test_library_has_tagged_declarations():
    assert any(name.endswith("FoldLaws") for _, name in LIB_TAGGED), LIB_TAGGED


@pytest.mark.parametrize("file,name", LIB_TAGGED, ids=[f"{f}:{n}" for f, n in LIB_TAGGED])
def test_every_tagged_declaration_in_lean_is_read(library_export, file, name):
    exp, errors, known = library_export
    mine = [e for e in errors if str(e).startswith(file + ":")]
    found = [d for d in exp.declarations if d.name.split(".")[-1] == name.split(".")[-1]
             and d.range is not None and d.range.file == file]
    assert found, f"{name} in {file} not read: {[str(e) for e in mine]}"
    d = found[0]
    assert d.statement_provenance == "source" and d.axioms is None
    assert d.module == Path(file).relative_to("lean").with_suffix("").as_posix().replace("/", ".")
    assert d.name.startswith("ArchLaw.")
    check_well_formed(d, known)
    if isinstance(d, ir.Law):
        assert d.fields and all(ir.is_prop(f.statement) for f in d.fields)
    else:
        assert ir.is_prop(d.conclusion)


def test_library_reads_without_errors(library_export):
    _, errors, _ = library_export
    assert not errors, [str(e) for e in errors]


# ------------------------------------------------------------------------------------------
# The fixture project: exact IR


@pytest.fixture(scope="module")
def fold():
    return sr.read_root(FOLD)


def test_fixture_declarations_and_metadata(fold):
    names = [d.name for d in fold.declarations]
    assert names == ["Fix.FoldLaws", "Fix.FoldLaws.eq_foldr", "Fix.CarryLaws", "Fix.add_val",
                     "Fix.CarryBound", "Fix.SMulEquivariant", "Fix.MonoidLaws"]
    d = fold.find("FoldLaws")
    assert d.module == "Fix.Fold"
    assert d.doc == "`run` is the fold of `cell` from `init`."
    text = (FOLD / "Fix/Fold.lean").read_text().splitlines()
    assert d.range is not None and d.range.file == "Fix/Fold.lean"
    assert text[d.range.line - 1].startswith("/-- `run` is the fold")       # 1-based line
    assert text[d.range.end_line - 1][:d.range.end_column].endswith("(run as)")
    assert fold.producer == "source" and fold.lean_version is None
    assert [p for p, _ in fold.hashes] == ["Fix/Attr.lean", "Fix/Fold.lean"]
    known = _known(FOLD)
    for d in fold.declarations:
        check_well_formed(d, known)


def test_fold_laws_exact_ir(fold):
    law = fold.find("Fix.FoldLaws")
    A, H = Var("A", TYPE), Var("H", TYPE)
    listA = App("List", (A,), TYPE)
    cell = Var("cell", ir.arrow(A, H, H))
    init = Var("init", H)
    run = Var("run", ir.arrow(listA, H))
    assert law.params == (ir.Param("A", TYPE, "implicit"), ir.Param("H", TYPE, "implicit"),
                          ir.Param("cell", cell.sort), ir.Param("init", H), ir.Param("run", run.sort))
    nil = App("Eq", (App(run, (App("List.nil", (), listA),), H), init), PROP)
    assert law.field("nil").statement == nil
    a, as_ = Var("a", A), Var("as", listA)
    cons_eq = App("Eq", (App(run, (App("List.cons", (a, as_), listA),), H),
                         App(cell, (a, App(run, (as_,), H)), H)), PROP)
    assert law.field("cons").statement == Pi(a, Pi(as_, cons_eq, "explicit", PROP), "explicit", PROP)


def test_theorem_splits_after_last_hypothesis(fold):
    thm = fold.find("Fix.FoldLaws.eq_foldr")
    assert [p.name for p in thm.params] == ["A", "H", "cell", "init", "run", "h"]
    assert [p.name for p in thm.hypotheses] == ["h"]
    assert thm.law_hypotheses({"Fix.FoldLaws"})[0].sort.head == "Fix.FoldLaws"
    concl = thm.conclusion
    assert isinstance(concl, App) and concl.head == "Eq"
    rhs = concl.args[1]
    assert rhs.head == "List.foldr" and len(rhs.args) == 2          # implicit α β elided
    assert rhs.sort == ir.arrow(App("List", (Var("A", TYPE),), TYPE), Var("H", TYPE))
    add_val = fold.find("Fix.add_val")
    assert [p.name for p in add_val.params] == ["B", "hB"]           # variable B included
    assert isinstance(add_val.conclusion, Pi) and add_val.conclusion.var.name == "a"


def test_plus_on_fin_and_on_nat_stay_distinct(fold):
    law = fold.find("Fix.CarryLaws")
    assert [p.name for p in law.params] == ["B", "c"]               # section variables
    B = Var("B", App("Nat", (), TYPE))
    finB = App("Fin", (B,), TYPE)
    sums = [n for n in _nodes(law.field("cocycle").statement)
            if isinstance(n, App) and n.head == "HAdd.hAdd"]
    assert {s.sort for s in sums} == {finB, NAT}
    vals = [n for n in _nodes(law.field("bound").statement) if isinstance(n, App) and n.head == "Fin.val"]
    assert vals and all(v.sort == NAT for v in vals)


def _nodes(t):
    from lawtools import walk
    return list(walk(t))


def test_instances_are_parameters_and_elided(fold):
    law = fold.find("Fix.SMulEquivariant")
    assert [(p.name, p.binder) for p in law.params][2] == ("inst", "inst_implicit")
    smul = [n for n in _nodes(law.field("map_smul").statement)
            if isinstance(n, App) and n.head == "HSMul.hSMul"]
    assert smul and all(len(s.args) == 2 and s.sort == Var("X", TYPE) for s in smul)


def test_notation_maps_to_the_documented_constants(fold):
    law = fold.find("Fix.MonoidLaws")
    heads = {n.head for f in law.fields for n in _nodes(f.statement)
             if isinstance(n, App) and isinstance(n.head, str)}
    for c in ("Eq", "And", "Function.comp", "Exists", "ite", "Prod.mk", "Prod.fst", "Prod.snd",
              "HAppend.hAppend", "List.length", "HAdd.hAdd", "Ne", "Not", "LT.lt", "Prod"):
        assert c in heads, c
    ex = law.field("ex").statement
    assert ex.head == "Exists" and isinstance(ex.args[0], Lam)
    lits = [n for n in _nodes(law.field("nums").statement) if isinstance(n, Lit)]
    assert lits and all(lt.sort == NAT for lt in lits)               # numerals default to Nat


# ------------------------------------------------------------------------------------------
# Small sources

HEAD = "import ArchLaw.Attr\nnamespace T\n"


def read(body: str) -> list[ir.Declaration]:
    return sr.read_text(HEAD + body + "\nend T\n", "T.lean", "T")


def test_numeral_takes_the_sort_fixed_by_context():
    (d,) = read("@[arch_law] structure L {B : Nat} (f : Fin (B + 1) → Fin (B + 1)) : Prop where\n"
                "  a : f 1 = (0 : Fin (B + 1))\n")
    st = d.field("a").statement
    finB1 = d.params[1].sort.var.sort
    assert st.args[0].args[0] == Lit(1, finB1) and st.args[1] == Lit(0, finB1)


def test_namespaces_open_and_variables_resolve():
    src = ("namespace Inner\n/-- d -/ def twice (n : Nat) : Nat := n + n\nend Inner\n"
           "open Inner\nsection\nvariable {A : Type} (f : A → A)\n"
           "@[arch_law] structure L : Prop where\n  a : ∀ (n : Nat), twice n = Inner.twice n\n"
           "  b : ∀ (x : A), f x = f (f x)\nend\n")
    (d,) = read(src)
    assert [p.name for p in d.params] == ["A", "f"]
    heads = {n.head for n in _nodes(d.field("a").statement) if isinstance(n, App)}
    assert "T.Inner.twice" in heads


def test_own_binders_shadow_section_variables():
    (d,) = read("section\nvariable (x : Nat) (f : Nat → Nat)\n"
                "@[arch_theorem] theorem t (x : Bool) (h : f 0 = 0) : x = x := rfl\nend\n")
    assert [(p.name, pretty_sort) for p, pretty_sort in
            ((p, ir.pretty(p.sort)) for p in d.params)] == [("f", "Nat → Nat"), ("x", "Bool"),
                                                            ("h", "f 0 = 0")]


def test_field_notation_and_generalized_projections():
    (d,) = read("@[arch_law] structure L (f : List Nat → List Nat) : Prop where\n"
                "  a : ∀ (xs : List Nat), (f xs).length = xs.length ∧ xs.map (fun x => x + 1) = f xs\n")
    heads = [n.head for n in _nodes(d.field("a").statement) if isinstance(n, App)]
    assert "List.length" in heads and "List.map" in heads


def test_universe_levels_of_pis_follow_lean():
    (d,) = read("@[arch_law] structure L (F : Type → Type) (m : ∀ {A B : Type}, (A → B) → F A → F B)"
                " : Prop where\n  id : ∀ (A : Type) (x : F A), m (fun (a : A) => a) x = x\n")
    F, m = d.params
    assert F.sort.sort == ir.Sort("Type 1")                 # Type → Type : Type 1
    assert m.sort.sort == ir.Sort("Type 1")                 # ∀ {A B : Type}, ... : Type 1
    assert m.sort.body.body.sort == TYPE                    # (A → B) → F A → F B : Type
    assert d.field("id").statement.sort == PROP


def test_abbrevs_unfold_where_types_must_agree():
    (d,) = read("/-- d -/ abbrev Digits (B : Nat) := List (Fin B)\n"
                "/-- v -/ def decode {B : Nat} (xs : List (Fin B)) : Nat := 0\n"
                "@[arch_law] structure L {B : Nat} (add : Digits B → Digits B → Digits B) : Prop where\n"
                "  a : ∀ (xs ys : Digits B), decode (add xs ys) = decode xs + decode ys\n")
    digits = App("T.Digits", (Var("B", NAT),), TYPE)
    assert d.params[1].sort == ir.arrow(digits, digits, digits)      # the abbrev stays folded
    assert "type mismatch" in _err("/-- d -/ def Digits (B : Nat) : Type := List (Fin B)\n"
                                   "/-- v -/ def decode {B : Nat} (xs : List (Fin B)) : Nat := 0\n"
                                   "@[arch_law] structure L {B : Nat} (x : Digits B) : Prop where\n"
                                   "  a : decode x = 0\n")              # a plain def does not


def test_a_function_type_behind_an_abbrev_can_be_applied():
    (d,) = read("/-- c -/ abbrev Cell (A H : Type) := A → H → H\n"
                "@[arch_law] structure L {A H : Type} (cell : Cell A H) (run : List A → H) : Prop where\n"
                "  cons : ∀ (a : A) (as : List A), run (a :: as) = cell a (run as)\n")
    rhs = d.field("cons").statement.body.body.args[1]
    assert rhs.head == Var("cell", App("T.Cell", (Var("A", TYPE), Var("H", TYPE)), TYPE))
    assert rhs.sort == Var("H", TYPE)


def test_arrow_hypothesis_is_named_underscore():
    decls = read("@[arch_law] structure L (p : Prop) : Prop where\n  a : p\n"
                 "@[arch_theorem] theorem t (p : Prop) : L p → p := fun h => h.a\n")
    assert [p.name for p in decls[1].params] == ["p", "_"]


def _err(body: str) -> str:
    with pytest.raises(ArchLawError) as e:
        read(body)
    msg = str(e.value)
    assert "\n" not in msg
    return msg


LAW = "@[arch_law] structure L (f : Nat → Nat) : Prop where\n  a : "


@pytest.mark.parametrize("stmt,col,what", [
    ("f (⟨1, 2⟩ : Nat × Nat).1 = 0", 9, "anonymous constructor"),
    ("f (match 0 with | _ => 1) = 0", 9, "match"),
    ("∀ x ∈ [1], f x = 0", 10, "binder predicates"),
    ("f _ = 0", 8, "hole"),
    ("(· + 1) = f", 7, "cdot"),
    ("@id Nat 0 = f 0", 6, "explicit application"),
    ("(fun x => x + 1) 0 = f 0", 7, "β-redex"),
    ("f (if h : 0 = 0 then 1 else 2) = 0", 12, "dependent if"),
])
def test_outside_the_fragment_is_one_line_with_position(stmt, col, what):
    msg = _err(LAW + stmt + "\n")
    assert msg.startswith(f"T.lean:4:{col}: ") and what in msg and "; accepted: " in msg


def test_unknown_identifier_is_named():
    msg = _err(LAW + "f (frobnicate 1) = 0\n")
    assert msg.startswith("T.lean:4:9: ") and "unknown identifier 'frobnicate'" in msg


def test_type_mismatch_and_uninferable_and_not_prop():
    assert "type mismatch" in _err("@[arch_law] structure L (f : Nat → Nat) (b : Bool) : Prop where\n"
                                   "  a : f b = 0\n")
    assert "cannot infer" in _err(LAW + "[] = []\n")
    assert "must be `: Prop`" in _err("@[arch_law] structure L (f : Nat → Nat) where\n  a : f 0 = 0\n")
    assert "marks a theorem" in _err("@[arch_theorem] def t : Nat := 0\n")
    assert "on the declaration itself" in _err("structure L : Prop where\n  a : True\n"
                                                 "attribute [arch_law] L\n")


def test_errors_in_a_used_def_header_are_reported():
    msg = _err("def g (n : Nat) := n\n" + LAW + "g 0 = f 0\n")
    assert "has no result type" in msg and "T.lean:3:" in msg


def test_proofs_and_unrelated_commands_are_not_parsed():
    decls = read("def weird : Nat → Nat\n  | 0 => 1\n  | n+1 => weird n\n"
                 "instance : Inhabited Nat := ⟨0⟩\n#check weird\n"
                 "@[arch_theorem] theorem t (n : Nat) (h : n = 0) : n + 0 = 0 := by\n"
                 "  simp [h]; exact ⟨fun x => x, by omega⟩\n")
    assert [d.name for d in decls] == ["T.t"]


def test_mutual_blocks_and_inductive_constructors():
    (d,) = read("mutual\n  /-- e -/\n  inductive Even : Type where\n    | zero : Even\n"
                "    | succ (o : Odd) : Even\n  /-- o -/\n  inductive Odd : Type where\n"
                "    | succ (e : Even) : Odd\nend\n"
                "@[arch_law] structure L (f : Even → Nat) : Prop where\n  a : f Even.zero = 0\n"
                "  b : ∀ (o : Odd), f (Even.succ o) = 1\n"
                "deriving instance Repr for Nat\n")
    assert d.name == "T.L" and d.range.line == 12 and d.range.end_line == 14
    assert d.field("b").statement.body.args[0].args[0].head == "T.Even.succ"


def test_unclosed_comment_is_a_located_error():
    with pytest.raises(ArchLawError, match=r"T.lean:3:0: comment is never closed"):
        read("/- oops\n")


# ------------------------------------------------------------------------------------------
# Fuzzing: mutated Lean never crashes the reader or the linter (only ArchLawError, one line)

from hypothesis import HealthCheck, given, settings, strategies as st  # noqa: E402

from archlaw.bridge.lean_lint import lint_text  # noqa: E402

_BASE = (FOLD / "Fix" / "Fold.lean").read_text(encoding="utf-8")
_PIECES = list("()[]{}⟨⟩:=,.→∀∃|@ \n\tabx01_'\"-/¬∧×•∘+*") + [
    "fun", "by", "where", "structure", "@[arch_law]", "@[arch_theorem]", "theorem", ":=",
    "namespace", "end", "variable", "if", "then", "else", "--", "/-", "-/", "/--", "(B := B)",
    ".1", ".val", "Type", "Prop", "∀ x,", "fun x =>", "[]", "::"]


@settings(max_examples=50, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_fuzz_mutated_lean(data):
    text = _BASE
    for _ in range(data.draw(st.integers(1, 5))):
        i = data.draw(st.integers(0, len(text)))
        j = data.draw(st.integers(i, min(len(text), i + 30)))
        piece = "".join(data.draw(st.lists(st.sampled_from(_PIECES), max_size=4)))
        text = text[:i] + piece + text[j:]
    for fn in (lambda t: sr.read_text(t, "F.lean"), lambda t: lint_text(t, "F.lean")):
        try:
            fn(text)
        except ArchLawError as e:
            assert "\n" not in str(e)
