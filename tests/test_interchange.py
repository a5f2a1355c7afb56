"""The interchange format: a golden round trip, malformed files with one-line errors, and fuzzing
(only ArchLawError may escape `interchange.loads`)."""
from __future__ import annotations

import dataclasses
import os
import re

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from archlaw.bridge import interchange, ir, source_reader as sr
from archlaw.bridge.errors import ArchLawError

from lawtools import FOLD, GOLDEN


def test_golden_round_trip():
    """The fixture project, read from source, serialises to the checked-in golden file byte for
    byte, and the golden file reads back to the same values. (Regenerate after changing the
    fixture: ARCHLAW_REGEN_GOLDEN=1 pytest tests/test_interchange.py.)"""
    exp = sr.read_root(FOLD)
    text = interchange.dumps(exp)
    if os.environ.get("ARCHLAW_REGEN_GOLDEN"):
        GOLDEN.write_text(text, encoding="utf-8")
    golden = GOLDEN.read_text(encoding="utf-8")
    assert text == golden
    back = interchange.loads(golden, where=str(GOLDEN))
    assert back == exp
    assert interchange.dumps(back) == golden


def test_write_and_read_a_lean_export(tmp_path):
    exp = interchange.loads(GOLDEN.read_text(encoding="utf-8"))
    decls = tuple(dataclasses.replace(d, statement_provenance="lean", axioms=("propext",))
                  for d in exp.declarations)
    lean = dataclasses.replace(exp, producer="lean", lean_version="4.20.0", declarations=decls)
    p = tmp_path / "laws.sexp"
    interchange.write(lean, p)
    assert interchange.read(p) == lean
    assert not (tmp_path / "laws.sexp.tmp").exists()


def test_odd_names_and_strings_survive():
    t = ir.App("Foo.«weird name».x'", (ir.Lit("a \"quoted\" \\ str", ir.TYPE),), ir.PROP)
    d = ir.Law(name="A.«b c»", module="M", range=None, doc="line1\nline2 ; not a comment (",
               params=(ir.Param("x'", ir.TYPE, "strict_implicit"),), statement_provenance="source",
               axioms=None, fields=(ir.Field("f", t),))
    exp = ir.Export("source", None, (("a b.lean", "00"),), (d,))
    assert interchange.loads(interchange.dumps(exp)) == exp


def _one_line_error(text: str, pattern: str) -> str:
    with pytest.raises(ArchLawError) as e:
        interchange.loads(text, where="bad.sexp")
    msg = str(e.value)
    assert "\n" not in msg and msg.startswith("bad.sexp: "), msg
    assert re.search(pattern, msg), msg
    return msg


GOOD = GOLDEN.read_text(encoding="utf-8")


def test_truncated_file():
    _one_line_error(GOOD[: len(GOOD) // 2], r"never closed|truncated")


def test_unbalanced_close():
    _one_line_error(GOOD + ")", r"\d+:\d+: unmatched '\)'")


def test_unterminated_string():
    _one_line_error('(archlaw-export (version 1) (producer "lean', r"unterminated string")


def test_unknown_schema_version():
    _one_line_error(GOOD.replace("(version 2)", "(version 99)"), r"unknown schema version 99")


def test_not_an_export_and_empty():
    _one_line_error("(something-else)", r"not an ArchLaw export")
    _one_line_error("   \n", r"empty")


def test_unknown_term_kind_names_its_place():
    bad = GOOD.replace('(field "nil" (app "Eq"', '(field "nil" (frob "Eq"', 1)
    _one_line_error(bad, r"law Fix\.FoldLaws > field nil: unknown term kind 'frob'")


def test_lean_export_must_list_axioms():
    _one_line_error(GOOD.replace('(producer "source")', '(producer "lean")'),
                    r"must list the axioms")


def test_bad_binder_and_missing_entry():
    _one_line_error(GOOD.replace('(param "A" implicit', '(param "A" sideways', 1), r"binder must be")
    _one_line_error(GOOD.replace('(module "Fix.Fold") ', "", 1), r"missing \(module")


def test_duplicate_declaration():
    body = GOOD.rstrip()
    assert body.endswith(")")
    law = next(ln for ln in body.splitlines() if ln.strip().startswith("(law"))
    _one_line_error(body[:-1] + "\n" + law + ")", r"declared twice")


# ------------------------------------------------------------------------------------------
# Fuzzing: only ArchLawError may escape

FUZZ = settings(max_examples=100, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow])


def _loads_or_refuses(text: str) -> None:
    """Either a one-line ArchLawError, or an export that can be written and printed again."""
    try:
        exp = interchange.loads(text, where="fuzz.sexp")
    except ArchLawError as e:
        assert "\n" not in str(e)
        return
    assert interchange.loads(interchange.dumps(exp)) == exp
    for d in exp.declarations:
        ir.declaration_text(d)


@FUZZ
@given(st.text(alphabet=st.sampled_from(list('()"; \\\n\tabcsymlawp0123-.#\'`[]{}|,')) | st.characters(),
               max_size=300))
def test_fuzz_random_text(text):
    _loads_or_refuses(text)


@FUZZ
@given(st.data())
def test_fuzz_mutated_valid_export(data):
    text = GOOD
    for _ in range(data.draw(st.integers(1, 4))):
        i = data.draw(st.integers(0, len(text)))
        j = data.draw(st.integers(i, min(len(text), i + 40)))
        op = data.draw(st.sampled_from(["delete", "insert", "replace", "dup"]))
        piece = data.draw(st.text(alphabet='()"0123456789 -abclawpitesymvr\\', max_size=8))
        if op == "delete":
            text = text[:i] + text[j:]
        elif op == "insert":
            text = text[:i] + piece + text[i:]
        elif op == "replace":
            text = text[:i] + piece + text[j:]
        else:
            text = text[:i] + text[i:j] + text[i:]
    _loads_or_refuses(text)


@pytest.mark.parametrize("depth", [50, 200, 300, 400, 600, 900, 3000])
def test_deep_nesting_is_refused_not_crashed(depth):
    _loads_or_refuses("(" * depth + ")" * depth)
    _loads_or_refuses("(archlaw-export (version 1) (producer \"source\") (law (name \"x\") (module \"m\")"
                      " (params) (fields (field \"f\" " + "(app \"a\" " * depth + "(sort \"Prop\")"
                      + ")" * depth + "))))")


def test_write_errors_are_one_line_naming_the_path(tmp_path):
    (tmp_path / "afile").write_text("")
    bad = tmp_path / "afile" / "x" / "laws.sexp"
    with pytest.raises(ArchLawError, match=r"afile/x/laws.sexp: cannot write the export") as e:
        interchange.write(ir.Export("source", None, (), ()), bad)
    assert "\n" not in str(e.value)


def test_export_source_to_an_unwritable_path_is_one_line(tmp_path, capsys):
    import shutil

    from archlaw.cli import main

    if shutil.which("lake"):
        pytest.skip("with Lean, export --source is not what runs")
    (tmp_path / "afile").write_text("")
    out = tmp_path / "afile" / "x"
    rc = main(["export", "--source", "--root", str(FOLD), "--out", str(out)])
    err = capsys.readouterr().err.strip()
    assert rc == 2 and str(out) in err and "cannot write the export" in err and "\n" not in err


@pytest.mark.parametrize("kind", ["def", "structure"])
def test_an_entry_given_twice_is_refused(kind):
    """A (def ...) or (structure ...) entry named twice in one file is one line naming it."""
    import sexpdata

    from archlaw.bridge import interchange
    from archlaw.bridge.library import load_export

    tree = sexpdata.loads(interchange.dumps(load_export()))
    entries = [x for x in tree if isinstance(x, list) and x and x[0] == sexpdata.Symbol(kind)]
    assert entries, f"the library's export has no ({kind} ...) entry"
    tree.append(entries[0])
    with pytest.raises(ArchLawError, match=f"{kind} .*: defined twice"):
        interchange.loads(sexpdata.dumps(tree))
