"""A safety net for Lean written without a compiler: what `archlaw lint-lean` refuses.

* ``sorry``, ``admit`` and ``native_decide`` (an unproved goal, or a proof that trusts the compiler
  through the axiom ``Lean.ofReduceBool``);
* tactics that exist only in Mathlib (``ring``, ``linarith``, ``norm_num``, ``use``, ...): core
  Lean 4 would reject them; and the deprecated ``simp_arith``;
* ``import Mathlib`` / ``Batteries`` / ``Aesop`` / ``Qq`` / ``Plausible``: ArchLaw is core Lean only;
* the Mathlib-only command ``lemma``;
* every ``@[arch_law]`` / ``@[arch_theorem]`` declaration that the source reader cannot read.

Comments and string literals are ignored (the check runs on Lean tokens). A Mathlib tactic name is
flagged where a tactic can start (first on its line, or after ``by``, ``;``, ``<;>``, ``·``,
``=>``, ``(``, ``try``, ``all_goals`` ...), so a variable named ``ring`` in a statement is not.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .errors import ArchLawError
from .source_reader import (
    ReadProblem, SourceReader, Tok, resolve_imports, tokenize,
)

__all__ = ["lint", "lint_text", "Report", "MATHLIB_TACTICS", "DEPRECATED_TACTICS", "FORBIDDEN"]

#: Always refused, wherever they appear as a word.
FORBIDDEN = {
    "sorry": "`sorry` leaves a goal unproved (axiom sorryAx)",
    "admit": "`admit` leaves a goal unproved (axiom sorryAx)",
    "native_decide": "`native_decide` trusts the compiler (axiom Lean.ofReduceBool); use decide",
}

#: Tactics that exist only in Mathlib, with core replacements.
MATHLIB_TACTICS = {
    "ring": "omega, or simp only [Nat.mul_comm, ...]", "ring_nf": "omega or simp",
    "linarith": "omega", "nlinarith": "a manual proof (omega is linear)", "nlinarith!": "omega",
    "norm_num": "decide, simp or omega", "positivity": "omega", "polyrith": "omega",
    "aesop": "simp, cases, constructor", "field_simp": "simp", "use": "exists or refine ⟨w, ?_⟩",
    "push_neg": "simp only [Classical.not_forall, ...]", "tauto": "simp, cases",
    "library_search": "exact with a core lemma", "gcongr": "manual steps",
    "interval_cases": "cases / omega", "fin_cases": "cases / decide", "rcongr": "congr",
    "choose": "obtain", "lift": "obtain", "set": "generalize or have",
    "by_contra!": "Classical.byContradiction", "contrapose": "a manual proof",
    "contrapose!": "a manual proof", "zify": "omega", "qify": "omega", "abel": "simp or omega",
    "noncomm_ring": "simp", "group": "simp", "bound": "omega", "compute_degree": "a manual proof",
    "measurability": "a manual proof", "continuity": "a manual proof", "wlog": "cases",
    "filter_upwards": "a manual proof", "peel": "intro", "cases'": "cases ... with",
    "induction'": "induction ... with", "convert": "rw / exact", "convert_to": "rw / exact",
    "conv_lhs": "conv", "conv_rhs": "conv", "split_ifs": "split",
}

#: Core tactics that are deprecated and rejected by newer releases.
DEPRECATED_TACTICS = {"simp_arith": "simp +arith or omega"}

_BAD_IMPORTS = ("Mathlib", "Batteries", "Aesop", "Qq", "Plausible", "ProofWidgets", "Std.Tactic")

#: Tokens after which a tactic can start.
_TACTIC_LEAD = {"by", ";", "<;>", "·", ".", "=>", "(", "try", "all_goals", "any_goals", "first",
                "|", "repeat", "focus", "<|>", "on_goal", "case", "next", "{", "[", "then",
                "else", "iterate"}


@dataclass(frozen=True)
class Report:
    """The outcome of a lint run."""

    problems: tuple[ReadProblem, ...]
    files: int
    tagged: int

    @property
    def ok(self) -> bool:
        return not self.problems


def _tactic_position(toks: list[Tok], i: int) -> bool:
    t = toks[i]
    if t.first_on_line and t.col > 0:
        return True
    return i > 0 and toks[i - 1].text in _TACTIC_LEAD


def lint_tokens(path: str, toks: list[Tok]) -> list[ReadProblem]:
    """Problems visible in one file's tokens (comments and strings are not tokens)."""
    out: list[ReadProblem] = []
    in_proof = False     # after `by`, until the next command at column 0
    for i, t in enumerate(toks):
        if t.col == 0 and t.first_on_line:
            in_proof = False
        if t.text == "by" and t.kind == "kw":
            in_proof = True
        if t.kind not in ("ident", "kw", "sym"):
            continue
        w = t.text
        if w in FORBIDDEN:
            out.append(ReadProblem(path, t.line, t.col, FORBIDDEN[w]))
        elif w in MATHLIB_TACTICS and t.kind == "ident" and in_proof and _tactic_position(toks, i):
            out.append(ReadProblem(path, t.line, t.col, f"`{w}` is not a core Lean 4 tactic "
                                   f"(it comes from Mathlib); use {MATHLIB_TACTICS[w]}"))
        elif w in DEPRECATED_TACTICS and in_proof and _tactic_position(toks, i):
            out.append(ReadProblem(path, t.line, t.col, f"`{w}` is deprecated (newer Lean rejects "
                                   f"it); use {DEPRECATED_TACTICS[w]}"))
        elif w == "lemma" and t.col == 0:
            out.append(ReadProblem(path, t.line, t.col, "`lemma` is a Mathlib command; use theorem"))
        elif w == "import" and i + 1 < len(toks):
            mod = toks[i + 1].text
            if any(mod == b or mod.startswith(b + ".") for b in _BAD_IMPORTS):
                out.append(ReadProblem(path, t.line, t.col,
                                       f"`import {mod}`: ArchLaw is core Lean 4 only (no Mathlib, "
                                       "Batteries or other dependencies)"))
    return out


def lint_text(text: str, path: str = "Test.lean", module: str = "Test") -> list[ReadProblem]:
    """Lint one file's text (token checks and the source reader on its tagged declarations)."""
    return _lint([(path, module, text)])[0]


def _problem_of(e: ArchLawError) -> ReadProblem:
    msg = str(e)
    parts = msg.split(":", 3)
    if len(parts) == 4 and parts[1].isdigit() and parts[2].isdigit():
        return ReadProblem(parts[0], int(parts[1]), int(parts[2]), parts[3].strip())
    return ReadProblem("?", 0, 0, msg)


def _lint(files: list[tuple[str, str, str]],
          context: list[tuple[str, str, str]] = ()) -> tuple[list[ReadProblem], int]:
    """Problems of `files` and their number of tagged declarations; `context` (the modules they
    import from dependencies) is read for its declarations only, never linted or counted."""
    problems: list[ReadProblem] = []
    reader = SourceReader()
    for path, module, text in context:
        reader.add_file(path, module, text)
    for path, module, text in files:
        try:
            toks = tokenize(text, path)
        except ArchLawError as e:
            problems.append(_problem_of(e))
            continue
        problems += lint_tokens(path, toks)
        try:
            reader.add_tokens(path, module, toks)
        except ArchLawError as e:
            problems.append(_problem_of(e))
    errors: list[ArchLawError] = []
    decls = reader.declarations(on_error=errors.append)
    own = {path for path, _, _ in files}
    mine = [p for p in map(_problem_of, errors) if p.file not in {c for c, _, _ in context}]
    problems += mine
    problems.sort(key=lambda p: (p.file, p.line, p.col))
    return problems, sum(d.range.file in own for d in decls) + len(mine)


def lint(root: Path) -> Report:
    """Lint every Lean file of the Lake project at `root`; the modules they import from
    dependencies (`resolve_imports`) are read for the names they declare, not linted."""
    root = Path(root).resolve()
    resolved = resolve_imports(root)
    files = [(f.key, f.module, f.text) for f in resolved if f.origin == "project"]
    context = [(f.key, f.module, f.text) for f in resolved if f.origin != "project"]
    if not files:
        raise ArchLawError(f"no Lean files under {root}")
    problems, tagged = _lint(files, context)
    return Report(tuple(problems), len(files), tagged)
