"""Reading laws from Lean 4 source without Lean: the ``source`` producer of the interchange format.

`read_root(root)` finds every ``@[arch_law]`` structure and ``@[arch_theorem]`` theorem in the
Lean files of a Lake project and returns an `archlaw.bridge.ir.Export` with producer ``"source"``
and ``axioms=None`` on every declaration: the *statement* is known, the *proof is not checked*
(it is never even read). Where Lean is installed, ``archlaw export`` produces the same values from
a kernel-checked environment (provenance ``lean``); the two must agree on the whole library
(``tests/test_lean_export.py``).

The fragment
------------
Statements of tagged declarations, and the headers of the ``def``/``abbrev``/``structure``/
``class``/``inductive`` declarations they use, are read in this fragment of Lean 4:

* binders ``∀ (x : T)``, ``∀ {x : T}``, ``∀ x y : T``, ``(x : T)``, ``{x : T}``, ``⦃x : T⦄`` and
  ``[C α]`` (instance binders are kept as parameters, but elided from applications);
* ``→ = ≠ ∧ ∨ ¬ ↔ ∃ ≤ < ≥ > ×``, application, infix ``+ - * / % ^ ∘ • ++ ::``, ``<|``;
* numerals, ``[]`` and ``[a, b]``, pairs ``(a, b)``, projections ``.1 .2 .val .fst .snd`` and
  generalized field notation ``x.f`` (``as.length`` is ``List.length as``);
* ``if c then a else b``, ``fun x => e``, type ascription ``(e : T)``, parentheses, ``Prop``,
  ``Type``;
* ``namespace``, ``section``, ``end``, ``variable`` (included by Lean's rule: when the header or
  statement mentions them) and ``open`` of the library's own namespaces.

Anything else in a tagged statement raises `ArchLawError` ``file:line:col: ...; accepted: ...``.
Proofs and definition bodies are never parsed; other commands are skipped.

Typing
------
Terms are elaborated the way Lean elaborates them, within the fragment: every node keeps its sort;
implicit and instance arguments are found by first-order unification and then elided; numerals are
`Lit` nodes at their sort (``Nat`` when nothing else fixes it); notation becomes the constants that
docs/interchange.md lists; constants are fully qualified. Unification unfolds ``abbrev``s (and
``@[reducible]`` defs) whose bodies are in the fragment, never other definitions; there are no
coercions: where Lean would insert ``↑x`` write ``x.val``. Sorts of ∀ follow Lean's universe
levels (``Type → Type : Type 1``); universe variables are not tracked (core type formers such as
``List`` have sort ``Type``).

Naming convention shared with the Lean exporter: a ∀ whose body does not mention its variable
(an arrow ``A → B``, or a non-dependent hypothesis inside a term) has its variable named ``_``;
the binders of a declaration's own telescope (law parameters, theorem parameters) keep the names
they were written with (``_`` for one written as an arrow); an anonymous instance binder is named
``inst``. Docstrings are stripped of surrounding whitespace. Source ranges run from the first
token of the declaration's modifiers (its docstring) to the end of its last token.
"""

from __future__ import annotations

import hashlib
import itertools
import re
from dataclasses import dataclass, field as dc_field
from pathlib import Path
from typing import Callable, Iterable, NoReturn, Optional, Union

from .errors import ArchLawError
from .ir import (
    ARROW_VAR, PROP, TYPE, App, Declaration, Export, Field, Lam, Law, Lit, Param, Pi, SourceRange,
    Sort, Term, Theorem, Var, children, sort_of_pi, split_telescope,
)

__all__ = [
    "read_root", "read_files", "read_text", "lean_source_dirs", "lean_files", "module_name",
    "load_files", "ACCEPTED", "ReadProblem",
]

#: What the reader accepts, quoted in every "outside the fragment" error.
ACCEPTED = ("∀/∃/fun binders with explicit types, → = ≠ ∧ ∨ ¬ ↔ ≤ < ≥ > ×, application, "
            "+ - * / % ^ ∘ • ++ ::, numerals, [] [a, b] (a, b), .1 .2 .val .fst .snd x.f, "
            "if-then-else, (e : T), Prop, Type")

#: Deepest nesting of a term read: parentheses, operands of a chain such as ``a + b + ...``,
#: binders, list and tuple items each count one level. Real statements stay near 10. A bound
#: keeps the reader, the elaborator and every later pass (all recursive) far from Python's
#: recursion limit, and the export within `archlaw.bridge.interchange.MAX_DEPTH` (120) once
#: sorts and the declaration around a term are added.
MAX_DEPTH = 64

_SKIP_DIRS = {".lake", "build", "lake-packages", ".git", ".venv", "venv", "node_modules",
              "__pycache__"}


# ============================================================================================
# Tokens


@dataclass(frozen=True)
class Tok:
    kind: str        # ident, num, str, char, sym, doc, kw
    text: str
    line: int        # 1-based
    col: int         # 0-based, in code points
    end_line: int
    end_col: int
    offset: int
    first_on_line: bool
    space_before: bool

    def pos(self) -> tuple[int, int]:
        return (self.line, self.col)


_SYMBOLS = sorted([
    ":=", "=>", "->", "<-", "<->", "→", "←", "↔", "≠", "≤", "≥", "<=", ">=", "<", ">", "=", "==",
    "!=", "∧", "∨", "/\\", "\\/", "¬", "∀", "∃", "λ", "×", "∘", "•", "++", "::", "+", "-", "*",
    "/", "%", "^", "(", ")", "{", "}", "[", "]", "⟨", "⟩", "⦃", "⦄", ",", ":", "|", ".", "·",
    "@[", "@", "$", "<|", "|>", "<;>", ";", "∣", "&&", "||", "!", "?", "←", "..", "...", "⁻¹",
    "∈", "∉", "∪", "∩", "⊆", "≫", "⋙", "⟶", "⥤", "≅", "▸", "∑", "∏", "`(", "%[", "#[",
], key=len, reverse=True)

_KEYWORDS = {
    "fun", "if", "then", "else", "let", "have", "show", "by", "from", "match", "with", "do", "at",
    "where", "in", "forall", "Type", "Prop", "Sort", "deriving", "extends", "calc", "suffices",
    "structure", "class", "inductive", "theorem", "lemma", "def", "abbrev", "instance", "example",
    "namespace", "section", "end", "open", "variable", "universe", "import", "mutual", "axiom",
    "opaque",
}

_SUBSCRIPT = set("₀₁₂₃₄₅₆₇₈₉ₐₑₒₓₔₕₖₗₘₙₚₛₜᵢᵣᵤᵥⱼᵦᵧᵨᵩᵪ")
_GREEK_NOT_LETTER = set("λΠΣ")


def _id_start(c: str) -> bool:
    if c in _GREEK_NOT_LETTER:
        return False
    return c == "_" or c.isalpha() or ("\u2100" <= c <= "\u214f") or c in "𝒜ℬ"


def _id_rest(c: str) -> bool:
    return _id_start(c) or c.isdigit() or c in "'!?" or c in _SUBSCRIPT


def _string_end(text: str, i: int, interp: bool) -> int:
    """Index of the closing quote of the string opening at `i` (``len(text)`` if none).
    In an interpolated string (``s!"..{e}.."``) the braces may hold nested strings."""
    n = len(text)
    j = i + 1
    while j < n and text[j] != '"':
        if text[j] == "\\":
            j += 2
            continue
        if interp and text[j] == "{":
            depth = 1
            j += 1
            while j < n and depth:
                if text[j] == '"':
                    j = _string_end(text, j, text[j - 1] == "!") + 1
                    continue
                depth += {"{": 1, "}": -1}.get(text[j], 0)
                j += 1
            continue
        j += 1
    return j


def tokenize(text: str, file: str) -> list[Tok]:
    """Lean 4 tokens, with comments removed and docstrings (``/-- -/``) kept as ``doc`` tokens."""
    toks: list[Tok] = []
    i, n = 0, len(text)
    line, col = 1, 0
    line_has_token = False
    space = True

    def advance(k: int) -> None:
        nonlocal i, line, col, line_has_token
        for _ in range(k):
            if text[i] == "\n":
                line, col = line + 1, 0
                line_has_token = False
            else:
                col += 1
            i += 1

    def emit(kind: str, start: tuple[int, int, int], t: str) -> None:
        nonlocal space, line_has_token
        toks.append(Tok(kind, t, start[0], start[1], line, col, start[2], not start_first, space))
        space = False

    while i < n:
        c = text[i]
        if c in " \t\r\n":
            advance(1)
            space = True
            continue
        start = (line, col, i)
        start_first = line_has_token
        if text.startswith("--", i):
            while i < n and text[i] != "\n":
                advance(1)
            space = True
            continue
        if text.startswith("/-", i):
            is_doc = text.startswith("/--", i) and not text.startswith("/--/", i)
            is_mod = text.startswith("/-!", i)
            depth = 0
            j = i
            while j < n:
                if text.startswith("/-", j):
                    depth += 1
                    j += 2
                elif text.startswith("-/", j):
                    depth -= 1
                    j += 2
                    if depth == 0:
                        break
                else:
                    j += 1
            else:
                raise ArchLawError(f"{file}:{line}:{col}: comment is never closed (expected -/)")
            body = text[i + 3: j - 2] if (is_doc or is_mod) else ""
            advance(j - i)
            if is_doc:
                emit("doc", start, body)
                line_has_token = True
            space = True
            continue
        if c == '"':
            interp = i > 0 and text[i - 1] == "!"
            j = _string_end(text, i, interp)
            if j >= n:
                raise ArchLawError(f"{file}:{line}:{col}: string is never closed")
            s = text[i + 1:j]
            advance(j + 1 - i)
            emit("str", start, s)
            line_has_token = True
            continue
        if c == "'" and i + 2 < n and (text[i + 2] == "'" or (text[i + 1] == "\\" and
                                                                 text.find("'", i + 3) > 0)):
            j = text.find("'", i + 3 if text[i + 1] == "\\" else i + 2)
            advance(j + 1 - i)
            emit("char", start, text[start[2] + 1:j])
            line_has_token = True
            continue
        if c == "`" and i + 1 < n and (_id_start(text[i + 1]) or text[i + 1] == "`"):
            j = i + 1
            while j < n and (_id_rest(text[j]) or text[j] in ".`"):
                j += 1
            advance(j - i)
            emit("name", start, text[start[2]:j])
            line_has_token = True
            continue
        if c.isdigit():
            j = i
            if text.startswith(("0x", "0b", "0o"), i):
                j = i + 2
                while j < n and (text[j].isalnum() or text[j] == "_"):
                    j += 1
            else:
                while j < n and (text[j].isdigit() or text[j] == "_"):
                    j += 1
            advance(j - i)
            emit("num", start, text[start[2]:j])
            line_has_token = True
            continue
        if _id_start(c) or c == "«":
            j = i
            while True:
                if j < n and text[j] == "«":
                    k = text.find("»", j)
                    if k < 0:
                        raise ArchLawError(f"{file}:{line}:{col}: « is never closed")
                    j = k + 1
                else:
                    while j < n and _id_rest(text[j]):
                        j += 1
                if j + 1 < n and text[j] == "." and (_id_start(text[j + 1]) or text[j + 1] == "«"):
                    j += 1
                    continue
                if j + 1 < n and text[j] == "." and text[j + 1].isdigit():
                    j += 1
                    while j < n and text[j].isdigit():
                        j += 1
                    if j + 1 < n and text[j] == "." and (_id_start(text[j + 1]) or text[j + 1].isdigit()):
                        j += 1
                        continue
                break
            word = text[i:j]
            advance(j - i)
            emit("kw" if word in _KEYWORDS else "ident", start, word)
            line_has_token = True
            continue
        for s in _SYMBOLS:
            if text.startswith(s, i):
                advance(len(s))
                emit("sym", start, s)
                break
        else:
            advance(1)
            emit("sym", start, c)
        line_has_token = True
    return toks


# ============================================================================================
# Syntax trees of the fragment


@dataclass(frozen=True)
class S:
    """A syntax node: `kind` with children `args`, at (line, col)."""

    kind: str
    pos: tuple[int, int]
    args: tuple = ()
    text: str = ""


@dataclass(frozen=True)
class BinderGroup:
    names: tuple[tuple[str, tuple[int, int]], ...]
    type: Optional[S]
    binder: str      # explicit / implicit / strict_implicit / inst_implicit
    pos: tuple[int, int]


class _Fail(Exception):
    """Internal: a located reader error (converted to ArchLawError with the file)."""

    def __init__(self, pos: tuple[int, int], msg: str, accepted: bool = False):
        self.pos = pos
        self.msg = msg
        self.accepted = accepted
        super().__init__(msg)


_BINOPS: dict[str, tuple[int, str, str]] = {
    # symbol: (precedence, associativity, constant)
    "∘": (90, "right", "Function.comp"),
    "^": (75, "right", "HPow.hPow"),
    "•": (73, "right", "HSMul.hSMul"),
    "*": (70, "left", "HMul.hMul"), "/": (70, "left", "HDiv.hDiv"), "%": (70, "left", "HMod.hMod"),
    "::": (67, "right", "List.cons"),
    "+": (65, "left", "HAdd.hAdd"), "-": (65, "left", "HSub.hSub"),
    "++": (65, "left", "HAppend.hAppend"),
    "=": (50, "none", "Eq"), "≠": (50, "none", "Ne"), "≤": (50, "none", "LE.le"),
    "<=": (50, "none", "LE.le"), "<": (50, "none", "LT.lt"), "≥": (50, "none", "GE.ge"),
    ">=": (50, "none", "GE.ge"), ">": (50, "none", "GT.gt"),
    "∧": (35, "right", "And"), "/\\": (35, "right", "And"), "×": (35, "right", "Prod"),
    "∨": (30, "right", "Or"), "\\/": (30, "right", "Or"),
    "→": (25, "right", "->"), "->": (25, "right", "->"),
    "↔": (20, "none", "Iff"), "<->": (20, "none", "Iff"),
    "<|": (10, "right", "<|"), "$": (10, "right", "<|"),
}
_STOP_KW = {"then", "else", "with", "where", "deriving", "at", "from", "in", "do", "by", "extends"}


def _check_depth(s: S) -> None:
    """Raise `_Fail` at the deepest node of `s` if its nesting exceeds `MAX_DEPTH`, counting the
    levels the elaborated term will have: a chain ``a + b + c`` one per operator, a list or
    tuple one per item (they become ``List.cons`` / ``Prod.mk`` chains), a binder one per name
    (a ``Pi``/``Lam`` each). Iterative: it runs before anything recursive sees the term."""
    stack: list[tuple[object, int]] = [(s, 1)]
    while stack:
        node, d = stack.pop()
        if isinstance(node, BinderGroup):
            if node.type is not None:
                stack.append((node.type, d))
            continue
        if not isinstance(node, S):
            continue
        if d > MAX_DEPTH:
            raise _Fail(node.pos, f"nested deeper than {MAX_DEPTH} levels (operator chains, "
                        "binders and list items count one level each; a law's statement is far "
                        "shallower: name the parts with a def)")
        if node.kind in ("forall", "exists", "fun"):
            groups, body = node.args
            d += sum(len(g.names) for g in groups)
            stack.extend((x, d) for x in (*groups, body))
        else:
            step = len(node.args) if node.kind in ("list", "tuple") else 1
            stack.extend((x, d + max(step, 1)) for x in node.args)


class _Parser:
    """A Pratt parser for terms of the fragment over a token slice."""

    def __init__(self, toks: list[Tok], start: int = 0, end: Optional[int] = None):
        self.toks = toks
        self.i = start
        self.end = len(toks) if end is None else end
        self.nest = 0  # term() calls in progress (see `term`)

    # -- token helpers
    def peek(self, k: int = 0) -> Optional[Tok]:
        j = self.i + k
        return self.toks[j] if j < self.end else None

    def at(self, *texts: str) -> bool:
        t = self.peek()
        return t is not None and t.kind in ("sym", "kw", "ident") and t.text in texts

    def next(self) -> Tok:
        t = self.peek()
        if t is None:
            last = self.toks[self.end - 1] if self.end > 0 else None
            raise _Fail((last.end_line, last.end_col) if last else (1, 0), "unexpected end of input")
        self.i += 1
        return t

    def expect(self, text: str) -> Tok:
        t = self.peek()
        if t is None or t.text != text:
            pos = t.pos() if t else self._end_pos()
            raise _Fail(pos, f"expected '{text}', found {self._describe(t)}")
        self.i += 1
        return t

    def _end_pos(self) -> tuple[int, int]:
        last = self.toks[self.end - 1] if self.end > 0 else None
        return (last.end_line, last.end_col) if last else (1, 0)

    @staticmethod
    def _describe(t: Optional[Tok]) -> str:
        if t is None:
            return "end of input"
        if t.kind == "doc":
            return "a docstring"
        text = " ".join(t.text.split())
        return f"'{text[:40]}'"

    # -- terms
    def term(self, prec: int = 0) -> S:
        """A term; refused past `MAX_DEPTH` levels, counted both while parsing (each nested
        term: the parser recurses) and on the finished outermost term (an operator chain
        nests without recursing here, but every later pass recurses on it)."""
        self.nest += 1
        try:
            if self.nest > MAX_DEPTH:
                t = self.peek()
                raise _Fail(t.pos() if t else self._end_pos(),
                            f"nested deeper than {MAX_DEPTH} levels (a law's statement is far "
                            "shallower; name the parts with a def)")
            s = self._term(prec)
        finally:
            self.nest -= 1
        if self.nest == 0:
            _check_depth(s)
        return s

    def _term(self, prec: int) -> S:
        lhs = self.leading()
        while True:
            t = self.peek()
            if t is None:
                return lhs
            if t.kind == "sym" and t.text in _BINOPS:
                p, assoc, _ = _BINOPS[t.text]
                if p < prec:
                    return lhs
                self.i += 1
                rp = p if assoc == "right" else p + 1
                rhs = self.term(rp)
                op = t.text
                if op in ("→", "->"):
                    lhs = S("arrow", lhs.pos, (lhs, rhs))
                elif op in ("<|", "$"):
                    lhs = S("app", lhs.pos, (lhs, rhs))
                else:
                    lhs = S("binop", t.pos(), (lhs, rhs), _BINOPS[op][2])
                if assoc == "none":
                    nt = self.peek()
                    if nt is not None and nt.kind == "sym" and nt.text in _BINOPS \
                            and _BINOPS[nt.text][0] == p:
                        raise _Fail(nt.pos(), f"'{nt.text}' after '{op}' needs parentheses")
                continue
            if prec <= 1023 and self._arg_start(t):
                fn = lhs
                args = []
                while (t := self.peek()) is not None and self._arg_start(t):
                    if t.text in ("fun", "λ"):
                        args.append(self.leading())
                        break
                    args.append(self.argument())
                lhs = S("app", fn.pos, (fn, *args))
                continue
            return lhs

    @staticmethod
    def _arg_start(t: Tok) -> bool:
        if t.kind in ("ident", "num", "str", "char"):
            return True
        if t.kind == "kw":
            return t.text in ("Type", "Prop", "fun")
        return t.kind == "sym" and t.text in ("(", "[", "⟨", "λ", "@", "·")

    def argument(self) -> S:
        t = self.peek()
        assert t is not None
        if t.kind == "kw" and t.text in ("Type", "Sort"):
            # `Type` as an argument takes no universe argument of its own.
            self.i += 1
            return self._postfix(S("sort", t.pos(), (), "Type"))
        return self._postfix(self.atom())

    def _postfix(self, s: S) -> S:
        # `(e).1`, `(e).val`: a '.' glued to the preceding ')' (no space) then a name or number.
        while True:
            t, u = self.peek(), self.peek(1)
            if t is not None and u is not None and t.kind == "sym" and t.text == "." \
                    and not t.space_before and not u.space_before and u.kind in ("ident", "num"):
                self.i += 2
                for part in u.text.split("."):
                    s = S("proj", u.pos(), (s,), part)
                continue
            return s

    def leading(self) -> S:
        t = self.peek()
        if t is None:
            raise _Fail(self._end_pos(), "expected a term, found end of input")
        if t.kind in ("sym", "kw") and t.text in ("∀", "forall", "∃"):
            self.i += 1
            groups = self.binders(allow_bare=True, stop=(",",))
            if not self.at(","):
                nt = self.peek()
                raise _Fail(nt.pos() if nt else self._end_pos(),
                            f"expected ',' after the binders of {t.text}, found {self._describe(nt)}"
                            " (binder predicates such as `∀ x ∈ l` are outside the fragment)", True)
            self.i += 1
            body = self.term(0)
            return S("forall" if t.text != "∃" else "exists", t.pos(), (tuple(groups), body))
        if t.text in ("fun", "λ") and t.kind in ("kw", "sym"):
            self.i += 1
            groups = self.binders(allow_bare=True, stop=("=>", "↦"))
            if self.at(":"):
                # `fun x y : T => e`
                self.i += 1
                ty = self.term(0)
                groups = [BinderGroup(g.names, ty, g.binder, g.pos) for g in groups]
            if not (self.at("=>") or self.at("↦")):
                nt = self.peek()
                raise _Fail(nt.pos() if nt else self._end_pos(),
                            f"expected '=>' after fun binders, found {self._describe(nt)}"
                            " (pattern-matching fun is outside the fragment)", accepted=True)
            self.i += 1
            body = self.term(0)
            return S("fun", t.pos(), (tuple(groups), body))
        if t.kind == "kw" and t.text == "if":
            self.i += 1
            if (u := self.peek()) is not None and u.kind == "ident" and (v := self.peek(1)) is not None \
                    and v.text == ":":
                raise _Fail(u.pos(), "dependent if (`if h : c then ...`) is outside the fragment",
                            accepted=True)
            c = self.term(0)
            self.expect("then")
            a = self.term(0)
            self.expect("else")
            b = self.term(0)
            return S("ite", t.pos(), (c, a, b))
        if t.kind == "sym" and t.text == "¬":
            self.i += 1
            return S("not", t.pos(), (self.term(40),))
        if t.kind == "kw" and t.text in ("Type", "Sort"):
            self.i += 1
            u = self.peek()
            if u is not None and u.kind in ("ident", "num") and not u.first_on_line \
                    and "." not in u.text:
                self.i += 1
                return S("sort", t.pos(), (), f"{t.text} {u.text}")
            return S("sort", t.pos(), (), "Type" if t.text == "Type" else "Sort")
        return self._postfix(self.atom())

    def atom(self) -> S:
        t = self.next()
        if t.kind == "ident":
            if t.text == "_" or t.text.startswith("_") and t.text == "_":
                raise _Fail(t.pos(), "a hole `_` is outside the fragment; write the term", True)
            return S("ident", t.pos(), (), t.text)
        if t.kind == "num":
            try:
                v = int(t.text.replace("_", ""), 0)
            except ValueError:
                raise _Fail(t.pos(), f"bad numeral {t.text}") from None
            return S("num", t.pos(), (), str(v))
        if t.kind == "str":
            return S("str", t.pos(), (), t.text)
        if t.kind == "kw" and t.text == "Prop":
            return S("sort", t.pos(), (), "Prop")
        if t.kind == "kw" and t.text in ("Type", "Sort"):
            return S("sort", t.pos(), (), "Type" if t.text == "Type" else "Sort")
        if t.kind == "sym" and t.text == "(":
            if self.at(")"):
                raise _Fail(t.pos(), "`()` is outside the fragment", True)
            u, v = self.peek(), self.peek(1)
            if u is not None and v is not None and u.kind == "ident" and v.text == ":=":
                # a named argument `(x := e)`
                self.i += 2
                e = self.term(0)
                self.expect(")")
                return S("named", t.pos(), (e,), u.text)
            e = self.term(0)
            if self.at(":"):
                self.i += 1
                ty = self.term(0)
                self.expect(")")
                return S("ascribe", t.pos(), (e, ty))
            if self.at(","):
                items = [e]
                while self.at(","):
                    self.i += 1
                    items.append(self.term(0))
                self.expect(")")
                return S("tuple", t.pos(), tuple(items))
            self.expect(")")
            return S("paren", t.pos(), (e,))
        if t.kind == "sym" and t.text == "[":
            items = []
            if not self.at("]"):
                items.append(self.term(0))
                while self.at(","):
                    self.i += 1
                    items.append(self.term(0))
            self.expect("]")
            return S("list", t.pos(), tuple(items))
        if t.kind in ("sym", "kw") and t.text in ("fun", "λ"):
            self.i -= 1
            return self.leading()
        what = {"⟨": "anonymous constructor ⟨..⟩", "@": "explicit application @f",
                "·": "cdot function ·", "let": "let", "have": "have", "show": "show",
                "match": "match", "by": "a proof inside a statement"}.get(t.text, f"'{t.text}'")
        raise _Fail(t.pos(), f"{what} is outside the fragment", True)

    def binders(self, allow_bare: bool, stop: tuple[str, ...]) -> list[BinderGroup]:
        """Binder groups: ``(x y : T)``, ``{x : T}``, ``⦃x : T⦄``, ``[C]``, ``[i : C]``, bare ``x``."""
        groups: list[BinderGroup] = []
        while (t := self.peek()) is not None:
            if t.kind == "sym" and t.text in ("(", "{", "⦃", "["):
                close = {"(": ")", "{": "}", "⦃": "⦄", "[": "]"}[t.text]
                kind = {"(": "explicit", "{": "implicit", "⦃": "strict_implicit",
                        "[": "inst_implicit"}[t.text]
                self.i += 1
                if kind == "inst_implicit":
                    name = "inst"
                    u, v = self.peek(), self.peek(1)
                    npos = t.pos()
                    if u is not None and v is not None and u.kind == "ident" and v.text == ":":
                        name, npos = u.text, u.pos()
                        self.i += 2
                    ty = self.term(0)
                    self.expect(close)
                    groups.append(BinderGroup(((name, npos),), ty, kind, t.pos()))
                    continue
                names = []
                while (u := self.peek()) is not None and u.kind == "ident":
                    if "." in u.text:
                        raise _Fail(u.pos(), f"binder name {u.text} must be a simple name")
                    names.append((u.text, u.pos()))
                    self.i += 1
                if not names:
                    raise _Fail(self.peek().pos() if self.peek() else t.pos(),
                                "expected binder names", True)
                ty = None
                if self.at(":"):
                    self.i += 1
                    ty = self.term(0)
                if self.at(":="):
                    raise _Fail(self.peek().pos(), "default values of binders are outside the fragment",
                                True)
                self.expect(close)
                groups.append(BinderGroup(tuple(names), ty, kind, t.pos()))
                continue
            if allow_bare and t.kind == "ident" and "." not in t.text:
                self.i += 1
                groups.append(BinderGroup(((t.text, t.pos()),), None, "explicit", t.pos()))
                continue
            if allow_bare and t.kind == "ident" and t.text == "_":
                raise _Fail(t.pos(), "a `_` binder is outside the fragment", True)
            break
        if allow_bare and groups and self.at(":") and ":" not in stop \
                and all(g.type is None and g.binder == "explicit" for g in groups) \
                and "=>" not in stop:
            # `∀ x y : T, p`
            self.i += 1
            ty = self.term(0)
            groups = [BinderGroup(g.names, ty, g.binder, g.pos) for g in groups]
        if not groups:
            t = self.peek()
            raise _Fail(t.pos() if t else self._end_pos(),
                        f"expected binders, found {self._describe(t)}", True)
        return groups


# ============================================================================================
# Commands and scopes


@dataclass
class Scope:
    """The namespace/section/open/variable context at one point of a file."""

    namespaces: tuple[str, ...] = ()          # e.g. ("ArchLaw", "ArchLaw.Fold")
    opens: tuple[str, ...] = ()               # raw names, resolved against namespaces
    variables: tuple["VarDecl", ...] = ()

    @property
    def current(self) -> str:
        return self.namespaces[-1] if self.namespaces else ""


@dataclass(frozen=True)
class VarDecl:
    group: BinderGroup
    file: str
    scope_id: int       # index of the scope snapshot it was declared in


@dataclass
class Command:
    """One top-level command: modifiers (docstring, attributes) and the keyword's tokens."""

    keyword: str
    toks: list[Tok]             # from the keyword (modifiers excluded) to the end
    all_toks: list[Tok]         # including modifiers
    doc: str
    attrs: tuple[str, ...]
    attrs_pos: tuple[int, int] | None
    scope: Scope


_COMMAND_KW = {
    "def", "theorem", "lemma", "abbrev", "structure", "class", "inductive", "instance", "example",
    "namespace", "section", "end", "open", "variable", "universe", "set_option", "attribute",
    "mutual", "import", "axiom", "opaque", "macro", "macro_rules", "syntax", "notation", "infix",
    "infixl", "infixr", "prefix", "postfix", "initialize", "builtin_initialize", "deriving",
    "export", "elab", "elab_rules", "declare_syntax_cat", "register_simp_attr", "unsafe",
    "private", "protected", "noncomputable", "partial", "nonrec", "scoped", "local",
    "add_decl_doc", "omit", "include", "termination_by", "decreasing_by",
}
_MODIFIERS = {"private", "protected", "noncomputable", "partial", "unsafe", "nonrec", "scoped",
              "local"}


def _is_command_start(t: Tok, base: int = 0) -> bool:
    if t.col != base or (base and not t.first_on_line):
        return False
    if t.kind == "doc":
        return True
    if t.kind == "sym" and t.text in ("@[", "#"):
        return True
    if t.text.startswith("#"):
        return True
    return t.kind in ("kw", "ident") and t.text in _COMMAND_KW and t.text not in (
        "termination_by", "decreasing_by", "deriving")


def split_commands(toks: list[Tok]) -> list[list[Tok]]:
    """Split a file's tokens into commands: a command starts at column 0 with a command keyword,
    a modifier, an attribute ``@[`` or a docstring (continuation lines are indented). Inside
    ``mutual … end`` the declarations start at the column of the first one."""
    out: list[list[Tok]] = []
    cur: list[Tok] = []
    in_modifiers = False
    base = 0
    after_mutual = False
    for i, t in enumerate(toks):
        if after_mutual and t.first_on_line:
            base, after_mutual = t.col, False
        if base and t.col == 0 and t.first_on_line:
            base = 0          # the `end` of the mutual block (or anything at column 0)
        starts = _is_command_start(t, base) or (
            t.col == 0 and t.text == "deriving" and i + 1 < len(toks)
            and toks[i + 1].text == "instance")
        if starts and not in_modifiers:
            if cur:
                out.append(cur)
            cur = [t]
        else:
            cur.append(t)
        # a docstring / attribute / modifier at the command column continues into its declaration
        if t.col == base and (t.kind == "doc" or t.text == "@[" or t.text in _MODIFIERS):
            in_modifiers = True
        elif t.kind in ("kw", "ident") and t.text in _COMMAND_KW and t.text not in _MODIFIERS:
            in_modifiers = False
        if t.text == "mutual" and t.col == 0:
            after_mutual = True
    if cur:
        out.append(cur)
    return out


def _split_modifiers(toks: list[Tok]) -> tuple[str, tuple[str, ...], tuple[int, int] | None, int]:
    """Docstring, attribute names and the index of the keyword."""
    doc = ""
    attrs: list[str] = []
    attrs_pos = None
    i = 0
    while i < len(toks):
        t = toks[i]
        if t.kind == "doc":
            doc = t.text.strip()
            i += 1
        elif t.text == "@[":
            attrs_pos = attrs_pos or t.pos()
            depth = 1
            i += 1
            item: list[str] = []
            while i < len(toks) and depth:
                u = toks[i]
                if u.text in ("[", "@["):
                    depth += 1
                elif u.text == "]":
                    depth -= 1
                    if depth == 0:
                        break
                if depth == 1 and u.text == ",":
                    attrs.append(" ".join(item))
                    item = []
                else:
                    item.append(u.text)
                i += 1
            if item:
                attrs.append(" ".join(item))
            i += 1
        elif t.text in _MODIFIERS:
            i += 1
        else:
            break
    return doc, tuple(a.strip() for a in attrs), attrs_pos, i


# ============================================================================================
# Core signatures (a small table of Lean core constants, as Lean-like headers)

_CORE = r"""
Nat : Type
Int : Type
Bool : Type
String : Type
Unit : Type
True : Prop
False : Prop
Fin (n : Nat) : Type
List (α : Type) : Type
Option (α : Type) : Type
Prod (α β : Type) : Type
Sum (α β : Type) : Type
Eq {α : Type} (a b : α) : Prop
Ne {α : Type} (a b : α) : Prop
HEq {α : Type} (a : α) {β : Type} (b : β) : Prop
And (a b : Prop) : Prop
Or (a b : Prop) : Prop
Not (a : Prop) : Prop
Iff (a b : Prop) : Prop
Exists {α : Type} (p : α → Prop) : Prop
ite {α : Type} (c : Prop) [h : Decidable c] (t e : α) : α
id {α : Type} (a : α) : α
Function.comp {α β δ : Type} (f : β → δ) (g : α → β) : α → δ
Function.const {α : Type} (β : Type) (a : α) : β → α
Decidable (p : Prop) : Type
DecidableEq (α : Type) : Type
Inhabited (α : Type) : Type
BEq (α : Type) : Type
Repr (α : Type) : Type
Add (α : Type) : Type
Mul (α : Type) : Type
Sub (α : Type) : Type
Div (α : Type) : Type
Mod (α : Type) : Type
Neg (α : Type) : Type
Append (α : Type) : Type
LE (α : Type) : Type
LT (α : Type) : Type
Max (α : Type) : Type
Min (α : Type) : Type
SMul (α β : Type) : Type
HAdd.hAdd {α : Type} (a b : α) : α
HSub.hSub {α : Type} (a b : α) : α
HMul.hMul {α : Type} (a b : α) : α
HDiv.hDiv {α : Type} (a b : α) : α
HMod.hMod {α : Type} (a b : α) : α
HAppend.hAppend {α : Type} (a b : α) : α
HPow.hPow {α β : Type} (a : α) (b : β) : α
HSMul.hSMul {α β : Type} (a : α) (b : β) : β
LE.le {α : Type} (a b : α) : Prop
LT.lt {α : Type} (a b : α) : Prop
GE.ge {α : Type} (a b : α) : Prop
GT.gt {α : Type} (a b : α) : Prop
Max.max {α : Type} (a b : α) : α
Min.min {α : Type} (a b : α) : α
Nat.succ (n : Nat) : Nat
Nat.pred (n : Nat) : Nat
Nat.zero : Nat
Bool.true : Bool
Bool.false : Bool
Fin.val {n : Nat} (self : Fin n) : Nat
Fin.mk {n : Nat} (val : Nat) (isLt : val < n) : Fin n
Fin.last (n : Nat) : Fin (n + 1)
Fin.succ {n : Nat} (i : Fin n) : Fin (n + 1)
Fin.castSucc {n : Nat} (i : Fin n) : Fin (n + 1)
Prod.mk {α β : Type} (fst : α) (snd : β) : α × β
Prod.fst {α β : Type} (self : α × β) : α
Prod.snd {α β : Type} (self : α × β) : β
Prod.map {α₁ α₂ β₁ β₂ : Type} (f : α₁ → α₂) (g : β₁ → β₂) (x : α₁ × β₁) : α₂ × β₂
Option.some {α : Type} (val : α) : Option α
Option.none {α : Type} : Option α
List.nil {α : Type} : List α
List.cons {α : Type} (head : α) (tail : List α) : List α
List.foldr {α β : Type} (f : α → β → β) (init : β) (l : List α) : β
List.foldl {α β : Type} (f : α → β → α) (init : α) (l : List β) : α
List.map {α β : Type} (f : α → β) (l : List α) : List β
List.length {α : Type} (l : List α) : Nat
List.take {α : Type} (n : Nat) (xs : List α) : List α
List.drop {α : Type} (n : Nat) (xs : List α) : List α
List.append {α : Type} (xs ys : List α) : List α
List.reverse {α : Type} (as : List α) : List α
List.replicate {α : Type} (n : Nat) (a : α) : List α
List.zip {α β : Type} (xs : List α) (ys : List β) : List (α × β)
List.zipWith {α β γ : Type} (f : α → β → γ) (xs : List α) (ys : List β) : List γ
List.sum {α : Type} [Add α] (l : List α) : α
List.head? {α : Type} (l : List α) : Option α
List.getLast? {α : Type} (l : List α) : Option α
List.scanl {α β : Type} (f : α → β → α) (init : α) (l : List β) : List α
List.flatten {α : Type} (l : List (List α)) : List α
List.range (n : Nat) : List Nat
"""

#: Short names Lean exports to the root namespace.
_ALIASES = {"true": "Bool.true", "false": "Bool.false", "min": "Min.min", "max": "Max.max",
            "id": "id", "ite": "ite"}

#: Structures of the core table with their fields (for `.1`, `.2`).
_CORE_FIELDS = {"Prod": ("fst", "snd"), "Fin": ("val", "isLt")}


# ============================================================================================
# Elaboration: metavariables, unification, zonking


@dataclass(frozen=True)
class Meta:
    """An unknown term, solved by unification (internal; never leaves this module)."""

    id: int
    origin: tuple[int, int]
    what: str
    numeral: bool = False

    @property
    def sort(self) -> None:
        return None


TermM = Union[Term, Meta]


def _map_term(t: TermM, f: Callable[[TermM], TermM],
              pi_sort: Optional[Callable[[Pi, Var, TermM], TermM]] = None) -> TermM:
    """`t` (a `Var`, `App`, `Lit`, `Lam` or `Pi`) rebuilt with `f` applied to each child term (a
    string head stays); a `Pi`'s sort is ``pi_sort(t, var, body)``, by default recomputed from the
    new children (`_pi_sort`). The leaves (`Sort`, `Meta`) are the caller's to handle."""
    if isinstance(t, Var):
        return Var(t.name, f(t.sort))
    if isinstance(t, App):
        head = t.head if isinstance(t.head, str) else f(t.head)
        return App(head, tuple(f(a) for a in t.args), f(t.sort))
    if isinstance(t, Lit):
        return Lit(t.value, f(t.sort))
    if isinstance(t, (Lam, Pi)):
        var = Var(t.var.name, f(t.var.sort))
        body = f(t.body)
        if isinstance(t, Lam):
            return Lam(var, body)
        return Pi(var, body, t.binder,
                  pi_sort(t, var, body) if pi_sort is not None else _pi_sort(var.sort, body))
    raise TypeError(t)


def _fv(t: TermM) -> set[str]:
    if isinstance(t, (Sort, Meta)):
        return set()
    if isinstance(t, Var):
        return {t.name} | _fv(t.sort)
    if isinstance(t, App):
        out = _fv(t.sort)
        if isinstance(t.head, Var):
            out |= _fv(t.head)
        for a in t.args:
            out |= _fv(a)
        return out
    if isinstance(t, Lit):
        return _fv(t.sort)
    if isinstance(t, Lam):
        return _fv(t.var.sort) | (_fv(t.body) - {t.var.name})
    if isinstance(t, Pi):
        return _fv(t.var.sort) | (_fv(t.body) - {t.var.name}) | _fv(t.sort)
    return set()


def _subst(t: TermM, env: dict[str, TermM]) -> TermM:
    if not env or isinstance(t, (Sort, Meta)):
        return t
    if isinstance(t, Var):
        if t.name in env:
            return env[t.name]
        return Var(t.name, _subst(t.sort, env))
    if isinstance(t, App):
        head = t.head
        args = tuple(_subst(a, env) for a in t.args)
        if isinstance(head, Var):
            new = env.get(head.name)
            if new is not None:
                if isinstance(new, Var):
                    head = new
                elif isinstance(new, App) and not args:
                    return new
                elif isinstance(new, App):
                    return App(new.head, new.args + args, _subst(t.sort, env))
                else:
                    raise _Fail((0, 0), f"cannot substitute {head.name} in head position")
            else:
                head = Var(head.name, _subst(head.sort, env))
        return App(head, args, _subst(t.sort, env))
    if isinstance(t, Lit):
        return Lit(t.value, _subst(t.sort, env))
    inner = {k: v for k, v in env.items() if k != t.var.name}
    var = Var(t.var.name, _subst(t.var.sort, env))
    if isinstance(t, Lam):
        return Lam(var, _subst(t.body, inner))
    return Pi(var, _subst(t.body, inner), t.binder, _subst(t.sort, env))


class _Metas:
    def __init__(self, delta: Optional[Callable[[App], Optional[TermM]]] = None) -> None:
        self.assign: dict[int, TermM] = {}
        self.all: list[Meta] = []
        self._ids = itertools.count()
        #: unfolds an application of an ``abbrev`` (None when it cannot)
        self.delta = delta

    def new(self, origin: tuple[int, int], what: str, numeral: bool = False) -> Meta:
        m = Meta(next(self._ids), origin, what, numeral)
        self.all.append(m)
        return m

    def shallow(self, t: TermM) -> TermM:
        while isinstance(t, Meta) and t.id in self.assign:
            t = self.assign[t.id]
        return t

    def zonk(self, t: TermM) -> TermM:
        t = self.shallow(t)
        if isinstance(t, (Sort, Meta)):
            return t
        return _map_term(t, self.zonk)

    def occurs(self, m: Meta, t: TermM) -> bool:
        t = self.shallow(t)
        if isinstance(t, Meta):
            return t.id == m.id
        if isinstance(t, Sort):
            return False
        if isinstance(t, Var):
            return self.occurs(m, t.sort)
        if isinstance(t, App):
            return any(self.occurs(m, a) for a in t.args) or self.occurs(m, t.sort) or (
                isinstance(t.head, Var) and self.occurs(m, t.head))
        if isinstance(t, Lit):
            return self.occurs(m, t.sort)
        return self.occurs(m, t.var.sort) or self.occurs(m, t.body)

    def unify(self, a: TermM, b: TermM) -> bool:
        """First-order unification up to renaming of bound variables; all-or-nothing."""
        saved = dict(self.assign)
        ok = self._unify(a, b)
        if not ok:
            self.assign = saved
        return ok

    def _unify(self, a: TermM, b: TermM) -> bool:
        a, b = self.shallow(a), self.shallow(b)
        if a is b or a == b:
            return True
        if isinstance(a, Meta) or isinstance(b, Meta):
            if isinstance(b, Meta) and not isinstance(a, Meta):
                a, b = b, a
            assert isinstance(a, Meta)
            if isinstance(b, Meta) and a.numeral and not b.numeral:
                # the representative (end of the chain) keeps the "numeral" flag, so that
                # defaulting to Nat still applies
                a, b = b, a
                assert isinstance(a, Meta)
            if self.occurs(a, b):
                return False
            self.assign[a.id] = b
            return True
        if isinstance(a, Sort) and isinstance(b, Sort):
            return (a.name == "Prop") == (b.name == "Prop")
        if isinstance(a, Var) and isinstance(b, Var):
            return a.name == b.name
        if isinstance(a, Lit) and isinstance(b, Lit):
            return a.value == b.value and self._unify(a.sort, b.sort)
        if isinstance(a, App) and isinstance(b, App):
            ha = a.head if isinstance(a.head, str) else a.head.name
            hb = b.head if isinstance(b.head, str) else b.head.name
            if ha == hb and isinstance(a.head, str) == isinstance(b.head, str) \
                    and len(a.args) == len(b.args):
                saved = dict(self.assign)
                if all(self._unify(x, y) for x, y in zip(a.args, b.args)):
                    return True
                self.assign = saved
            return self._unfold_and_unify(a, b)
        if isinstance(a, Pi) and isinstance(b, Pi) or isinstance(a, Lam) and isinstance(b, Lam):
            if not self._unify(a.var.sort, b.var.sort):
                return False
            bb = b.body
            if b.var.name != a.var.name:
                bb = _subst(bb, {b.var.name: Var(a.var.name, a.var.sort)})
            return self._unify(a.body, bb)
        return self._unfold_and_unify(a, b)

    def _unfold_and_unify(self, a: TermM, b: TermM) -> bool:
        """Definitional unfolding of ``abbrev``s, as Lean's `isDefEq` would (one side at a time)."""
        if self.delta is None:
            return False
        for x, y, flip in ((a, b, False), (b, a, True)):
            if isinstance(x, App) and isinstance(x.head, str):
                d = self.delta(x)
                if d is not None:
                    return self._unify(y, d) if flip else self._unify(d, y)
        return False


def _sort_level(s: TermM) -> Optional[int]:
    """The level u of a universe ``Sort u``: Prop 0, Type 1, Type n n+1 (None if symbolic)."""
    if isinstance(s, Sort):
        if s.name == "Prop":
            return 0
        if s.name == "Type":
            return 1
        m = re.fullmatch(r"Type (\d+)", s.name)
        if m:
            return int(m.group(1)) + 1
    return None


def _univ(t: TermM) -> Optional[int]:
    """The u with ``t : Sort u`` for a type `t` (None when it involves universe variables)."""
    if isinstance(t, Sort):
        lv = _sort_level(t)
        return None if lv is None else lv + 1
    if isinstance(t, Pi):
        b = _univ(t.body)
        if b == 0:
            return 0
        a = _univ(t.var.sort)
        return None if a is None or b is None else max(a, b)
    if isinstance(t, Meta):
        return None
    return _sort_level(t.sort) if t.sort is not None else None


def _pi_sort(var_sort: TermM, body: TermM) -> Sort:
    """The sort of ``∀ (x : var_sort), body`` as Lean computes it (``imax``): ``Prop`` for a
    proposition, ``Type`` for ``A → B`` with ``A B : Type``, ``Type 1`` for ``Type → Type``."""
    b = _univ(body)
    if b == 0:
        return PROP
    a = _univ(var_sort)
    if a is None or b is None:
        return sort_of_pi(getattr(body, "sort", None))
    u = max(a, b)
    return PROP if u == 0 else TYPE if u == 1 else Sort(f"Type {u - 1}")


def _normalize(t: Term) -> Term:
    """Name the variable of every non-dependent ∀ ``_`` (the convention both producers follow)."""
    if isinstance(t, (Sort,)):
        return t
    if isinstance(t, Pi):
        body = _normalize(t.body)
        name = t.var.name if t.var.name in _fv(body) else ARROW_VAR
        dom = _normalize(t.var.sort)
        return Pi(Var(name, dom), body, t.binder, _pi_sort(dom, body))
    return _map_term(t, _normalize)


def _close(el: "_Elab", params: list[tuple[Var, str]], t: TermM, implicit: bool = False) -> TermM:
    """``∀ params, t`` (the first parameter outermost), each ∀'s sort as the elaborator has it
    now; `implicit` makes the explicit binders implicit (a structure's parameters, as its
    projections and constructor take them)."""
    for v, b in reversed(params):
        t = Pi(v, t, "implicit" if implicit and b == "explicit" else b, sort_of_pi(el._sort_now(t)))
    return t


def _head_const(t: TermM) -> Optional[str]:
    if isinstance(t, App) and isinstance(t.head, str):
        return t.head
    return None


# ============================================================================================
# The library: constants with lazily elaborated signatures


@dataclass
class ConstEntry:
    """A constant of the library (or of core) whose signature is elaborated on first use."""

    name: str
    file: str
    compute: Callable[[], Term]
    sig: Optional[Term] = None
    error: Optional[ArchLawError] = None
    busy: bool = False
    fields: tuple[str, ...] = ()      # for structures: field names in order
    #: for an ``abbrev``: its parameters (name, binder) and body, read on first use
    unfold: Optional[Callable[[], Optional[tuple[list[tuple[str, str]], Term]]]] = None
    body: Optional[tuple[list[tuple[str, str]], Term]] = None
    body_tried: bool = False


class Library:
    """All constants visible to the reader: core's table plus every header under the root."""

    def __init__(self) -> None:
        self.consts: dict[str, ConstEntry] = {}
        self.namespaces: set[str] = set()

    def add(self, entry: ConstEntry) -> None:
        self.consts.setdefault(entry.name, entry)
        parts = entry.name.split(".")
        for k in range(1, len(parts)):
            self.namespaces.add(".".join(parts[:k]))

    def delta(self, t: App) -> Optional[Term]:
        """Unfold ``C args`` for an ``abbrev C``: its body with the explicit parameters replaced
        by `args`; None if C is not an abbrev, its body is outside the fragment, an implicit
        parameter occurs in the body (implicit arguments are elided), or args are partial."""
        e = self.consts.get(t.head) if isinstance(t.head, str) else None
        if e is None or e.unfold is None:
            return None
        if not e.body_tried:
            e.body_tried = True
            try:
                e.body = e.unfold()
            except (ArchLawError, _Fail, RecursionError):
                e.body = None
        if e.body is None:
            return None
        params, body = e.body
        explicit = [n for n, b in params if b == "explicit"]
        if len(explicit) != len(t.args):
            return None
        if {n for n, b in params if b != "explicit"} & _fv(body):
            return None
        return _subst(body, dict(zip(explicit, t.args)))  # type: ignore[return-value]

    def signature(self, name: str, use_pos: tuple[int, int]) -> Term:
        e = self.consts[name]
        if e.sig is not None:
            return e.sig
        if e.error is not None:
            raise e.error
        if e.busy:
            raise _Fail(use_pos, f"the header of {name} refers to itself")
        e.busy = True
        try:
            e.sig = e.compute()
        except ArchLawError as err:
            e.error = ArchLawError(f"{err} (needed for the signature of {name})")
            raise e.error from None
        finally:
            e.busy = False
        return e.sig


# ============================================================================================
# The elaborator


class _Elab:
    """Elaborates syntax of the fragment to typed IR terms in one scope of one file."""

    def __init__(self, reader: "SourceReader", file: str, scope: Scope, extra_ns: tuple[str, ...] = ()):
        self.reader = reader
        self.lib = reader.lib
        self.file = file
        self.scope = scope
        self.namespaces = scope.namespaces + extra_ns
        self.metas = _Metas(self.lib.delta)
        self.locals: list[Var] = []
        self.broken_vars: dict[str, ArchLawError] = {}

    # -- errors
    def fail(self, pos: tuple[int, int], msg: str, accepted: bool = False) -> NoReturn:
        raise _Fail(pos, msg, accepted)

    # -- names
    def lookup_local(self, name: str) -> Optional[Var]:
        for v in reversed(self.locals):
            if v.name == name:
                return v
        return None

    def resolve_global(self, name: str) -> Optional[str]:
        if name.startswith("_root_."):
            n = name[len("_root_."):]
            return n if n in self.lib.consts else None
        for ns in reversed(self.namespaces):
            cand = f"{ns}.{name}"
            if cand in self.lib.consts:
                return cand
        if name in self.lib.consts:
            return name
        for o in reversed(self.scope.opens):
            for base in [*(f"{ns}.{o}" for ns in reversed(self.namespaces)), o]:
                cand = f"{base}.{name}"
                if cand in self.lib.consts:
                    return cand
        if name in _ALIASES:
            return _ALIASES[name]
        return None

    def signature(self, name: str, pos: tuple[int, int]) -> Term:
        try:
            return self.lib.signature(name, pos)
        except _Fail as f:
            raise _Fail(pos, f"{f.msg} (in the header of {name})") from None

    # -- entry points
    def elab(self, s: S, expected: Optional[TermM]) -> TermM:
        t = self._elab(s, expected)
        if expected is not None:
            self.expect_sort(t, expected, s.pos)
        return t

    def sort_of(self, t: TermM) -> TermM:
        if isinstance(t, Meta):
            return self.metas.new((0, 0), "sort")
        s = t.sort
        return s if s is not None else TYPE

    def expect_sort(self, t: TermM, expected: TermM, pos: tuple[int, int]) -> None:
        if isinstance(t, Sort):
            return   # `Prop`/`Type` where a type is expected
        if not self.metas.unify(self.sort_of(t), expected):
            got = self.show(self.sort_of(t))
            want = self.show(expected)
            self.fail(pos, f"type mismatch: {self.show(t)} has type {got} but {want} is expected"
                           " (no coercions are inserted: write .val where Lean would insert ↑)")

    def show(self, t: TermM) -> str:
        from .ir import pretty
        z = self.metas.zonk(t)
        try:
            return pretty(self._hide_metas(z))
        except Exception:
            return "?"

    def _hide_metas(self, t: TermM) -> Term:
        if isinstance(t, Meta):
            return Var("?", TYPE)
        if isinstance(t, (Sort,)):
            return t
        return _map_term(t, self._hide_metas,
                         lambda pi, var, body: pi.sort if not isinstance(pi.sort, Meta) else PROP)

    def elab_type(self, s: S) -> TermM:
        t = self._elab(s, None)
        if not isinstance(t, Sort):
            srt = self.metas.shallow(self.sort_of(t))
            if not isinstance(srt, (Sort, Meta)):
                self.fail(s.pos, f"expected a type, got {self.show(t)} of type {self.show(srt)}")
        return t

    # -- the cases
    def _elab(self, s: S, expected: Optional[TermM]) -> TermM:
        k = s.kind
        if k == "paren":
            return self._elab(s.args[0], expected)
        if k == "num":
            v = int(s.text)
            exp = self.metas.shallow(expected) if expected is not None else None
            if exp is not None and not isinstance(exp, Meta):
                return Lit(v, exp)
            if isinstance(exp, Meta):
                m = self.metas.new(s.pos, f"the type of the numeral {v}", numeral=True)
                self.metas.unify(exp, m)
                return Lit(v, m)
            return Lit(v, self.metas.new(s.pos, f"the type of the numeral {v}", numeral=True))
        if k == "str":
            return Lit(s.text, App("String", (), TYPE))
        if k == "sort":
            if s.text in ("Prop", "Type"):
                return Sort(s.text)
            if s.text.startswith("Type ") or s.text == "Sort" or s.text.startswith("Sort "):
                return Sort(s.text)
            self.fail(s.pos, f"unknown sort {s.text}")
        if k == "ascribe":
            ty = self.elab_type(s.args[1])
            return self.elab(s.args[0], ty)
        if k in ("ident", "app", "proj"):
            return self.elab_app(s, [], expected)
        if k == "binop":
            return self.app_const(s.text, s.pos, list(s.args), expected)
        if k == "not":
            return self.app_const("Not", s.pos, [s.args[0]], expected)
        if k == "ite":
            return self.app_const("ite", s.pos, list(s.args), expected)
        if k == "arrow":
            dom = self.elab_type(s.args[0])
            cod = self.elab_type(s.args[1])
            return Pi(Var(ARROW_VAR, dom), cod, "explicit", sort_of_pi(self._sort_now(cod)))
        if k == "forall":
            groups, body = s.args
            return self.binders_then(groups, lambda: self.elab_type(body), "pi")
        if k == "exists":
            groups, body = s.args
            return self.exists(list(groups), body)
        if k == "fun":
            groups, body = s.args
            return self.fun(list(groups), body, expected)
        if k == "tuple":
            items = list(s.args)
            if len(items) > 2:
                items = [items[0], S("tuple", items[1].pos, tuple(items[1:]))]
            return self.app_const("Prod.mk", s.pos, items, expected)
        if k == "list":
            return self.list_lit(list(s.args), s.pos, expected)
        self.fail(s.pos, f"{k} is outside the fragment", True)

    def _sort_now(self, t: TermM) -> Optional[TermM]:
        t = self.metas.shallow(t)
        if isinstance(t, Meta):
            return None
        s = t.sort
        return self.metas.shallow(s) if s is not None else None

    def list_lit(self, items: list[S], pos: tuple[int, int], expected: Optional[TermM]) -> TermM:
        if not items:
            return self.app_const("List.nil", pos, [], expected)
        head, rest = items[0], items[1:]
        return self.app_const("List.cons", pos, [head, S("list", pos, tuple(rest))], expected)

    def bind(self, name: str, ty: TermM) -> Var:
        v = Var(name, ty)
        self.locals.append(v)
        return v

    def binders_then(self, groups: Iterable[BinderGroup], body: Callable[[], TermM], kind: str) -> TermM:
        bound: list[tuple[Var, str]] = []
        n0 = len(self.locals)
        try:
            for g in groups:
                ty = self.elab_type(g.type) if g.type is not None else None
                for name, npos in g.names:
                    t = ty if ty is not None else self.metas.new(npos, f"the type of {name}")
                    bound.append((self.bind(name, t), g.binder))
            b = body()
        finally:
            del self.locals[n0:]
        for v, binder in reversed(bound):
            if kind == "pi":
                b = Pi(v, b, binder, sort_of_pi(self._sort_now(b)))
            else:
                b = Lam(v, b)
        return b

    def exists(self, groups: list[BinderGroup], body: S) -> TermM:
        flat = [(name, npos, g) for g in groups for name, npos in g.names]
        for _, npos, g in flat:
            if g.binder != "explicit":
                self.fail(npos, "∃ takes explicit binders: ∃ (x : T), p", True)
        n0 = len(self.locals)
        vars_: list[Var] = []
        try:
            tys: dict[int, TermM] = {}
            for name, npos, g in flat:
                key = id(g)
                if key not in tys:
                    tys[key] = self.elab_type(g.type) if g.type is not None else \
                        self.metas.new(npos, f"the type of {name}")
                vars_.append(self.bind(name, tys[key]))
            b = self.elab(body, PROP)
        finally:
            del self.locals[n0:]
        out = b
        for v in reversed(vars_):
            out = App("Exists", (Lam(v, out),), PROP)
        return out

    def fun(self, groups: list[BinderGroup], body: S, expected: Optional[TermM]) -> TermM:
        flat = [(name, npos, g) for g in groups for name, npos in g.names]
        n0 = len(self.locals)
        vars_: list[Var] = []
        exp = expected
        try:
            for name, npos, g in flat:
                if g.binder != "explicit":
                    self.fail(npos, "fun takes explicit binders in the fragment", True)
                exp = self.metas.shallow(exp) if exp is not None else None
                dom: Optional[TermM] = None
                if isinstance(exp, Pi):
                    dom = exp.var.sort
                if g.type is not None:
                    ty = self.elab_type(g.type)
                    if dom is not None and not self.metas.unify(ty, dom):
                        self.fail(npos, f"binder {name} : {self.show(ty)} but the expected type "
                                        f"wants {self.show(dom)}")
                else:
                    ty = dom if dom is not None else self.metas.new(npos, f"the type of {name}")
                v = self.bind(name, ty)
                vars_.append(v)
                if isinstance(exp, Pi):
                    exp = _subst(exp.body, {exp.var.name: v}) if exp.var.name != ARROW_VAR else exp.body
                else:
                    exp = None
            b = self.elab(body, exp) if exp is not None else self._elab(body, None)
        finally:
            del self.locals[n0:]
        out = b
        for v in reversed(vars_):
            out = Lam(v, out)
        return out

    # -- applications
    def elab_app(self, s: S, extra: list[S], expected: Optional[TermM]) -> TermM:
        """Elaborate `s` applied to `extra` arguments, flattening nested applications."""
        if s.kind == "app":
            fn, *args = s.args
            return self.elab_app(fn, list(args) + extra, expected)
        if s.kind == "paren":
            return self.elab_app(s.args[0], extra, expected)
        if s.kind == "ident":
            return self.ident_app(s, extra, expected)
        if s.kind == "proj":
            base = self._elab(s.args[0], None)
            return self.field_app(base, s.text, s.pos, extra, expected)
        if not extra:
            return self._elab(s, expected)
        if s.kind == "fun":
            self.fail(s.pos, "a fun applied to arguments (a β-redex) is outside the fragment", True)
        head = self._elab(s, None)
        return self.apply_term(head, s.pos, extra, expected)

    def apply_term(self, head: TermM, pos: tuple[int, int], extra: list[S],
                   expected: Optional[TermM]) -> TermM:
        """Apply an elaborated term (a constant application or a variable) to more arguments."""
        if not extra:
            return head
        head = self.metas.shallow(head)
        if isinstance(head, Var):
            return self.spine(head, head.sort, [], pos, extra, expected)
        if isinstance(head, App):
            return self.spine(head.head, head.sort, list(head.args), pos, extra, expected)
        self.fail(pos, "only a constant or a variable can be applied in the fragment", True)

    def ident_app(self, s: S, extra: list[S], expected: Optional[TermM]) -> TermM:
        name = s.text
        comps = _split_name(name)
        v = self.lookup_local(comps[0])
        if v is not None:
            t: TermM = v
            fields = comps[1:]
            if not fields:
                return self.spine(v, v.sort, [], s.pos, extra, expected) if extra else v
            for f in fields[:-1]:
                t = self.field_app(t, f, s.pos, [], None)
            return self.field_app(t, fields[-1], s.pos, extra, expected)
        if comps[0] in self.broken_vars:
            raise self.broken_vars[comps[0]]
        for k in range(len(comps), 0, -1):
            full = self.resolve_global(".".join(comps[:k]))
            if full is not None:
                rest = comps[k:]
                if not rest:
                    return self.app_const_full(full, s.pos, extra, expected)
                t = self.app_const_full(full, s.pos, [], None)
                for f in rest[:-1]:
                    t = self.field_app(t, f, s.pos, [], None)
                return self.field_app(t, rest[-1], s.pos, extra, expected)
        self.fail(s.pos, f"unknown identifier '{name}' (not a local, not a constant of the "
                         f"library under the root, not in the reader's table of Lean core)")

    def app_const(self, name: str, pos: tuple[int, int], args: list[S],
                  expected: Optional[TermM]) -> TermM:
        return self.app_const_full(name, pos, args, expected)

    def app_const_full(self, name: str, pos: tuple[int, int], args: list, expected: Optional[TermM],
                       pre: Optional[tuple[int, TermM]] = None) -> TermM:
        sig = self.signature(name, pos)
        return self.spine(name, sig, [], pos, args, expected, pre)

    def field_app(self, base: TermM, fname: str, pos: tuple[int, int], extra: list[S],
                  expected: Optional[TermM]) -> TermM:
        """``base.fname extra...``: projections and generalized field notation."""
        srt = self.metas.shallow(self.metas.zonk(self.sort_of(base)))
        if isinstance(srt, Pi):
            tname = "Function"
        else:
            tname = _head_const(srt)
        if tname is None:
            self.fail(pos, f"cannot resolve .{fname}: the type of {self.show(base)} is "
                           f"{self.show(srt)}, not a named type (add a type ascription)")
        if fname.isdigit():
            fields = self.struct_fields(tname)
            i = int(fname)
            if not fields or not (1 <= i <= len(fields)):
                self.fail(pos, f".{fname} on {tname}: not a structure field index")
            fname = fields[i - 1]
        full = f"{tname}.{fname}"
        if full not in self.lib.consts:
            self.fail(pos, f"unknown field or function {full} (for .{fname} on {self.show(base)} : "
                           f"{self.show(srt)})")
        sig = self.signature(full, pos)
        # the base goes to the first explicit argument whose type is headed by tname
        t = sig
        j = 0
        while isinstance(t, Pi):
            if t.binder == "explicit":
                if _head_const(t.var.sort) == tname or (tname == "Function" and isinstance(t.var.sort, Pi)):
                    return self.spine(full, sig, [], pos, extra, expected, pre=(j, base))
                j += 1
            t = t.body
        self.fail(pos, f"{full} has no explicit argument of type {tname} for field notation")

    def struct_fields(self, tname: str) -> tuple[str, ...]:
        if tname in _CORE_FIELDS:
            return _CORE_FIELDS[tname]
        e = self.lib.consts.get(tname)
        return e.fields if e else ()

    def spine(self, head: Union[str, Var], sig: TermM, done: list[TermM], pos: tuple[int, int],
              args: list, expected: Optional[TermM], pre: Optional[tuple[int, TermM]] = None) -> TermM:
        """Apply `head` (of type `sig`, already applied to `done`) to explicit `args`.

        Implicit and instance arguments become metavariables (solved by unification, elided);
        `pre` = (index, term) puts an already-elaborated term at that explicit position.
        """
        hname = head if isinstance(head, str) else head.name
        named = {a.text: a for a in args if isinstance(a, S) and a.kind == "named"}
        args = [a for a in args if not (isinstance(a, S) and a.kind == "named")]
        t: TermM = sig
        slots: list[tuple[Union[S, TermM], TermM, Meta]] = []
        k = 0            # next syntax argument
        j = 0            # explicit position
        pending_pre = pre

        def flush() -> None:
            for i, (a, ty, ph) in enumerate(slots):
                if ph.id in self.metas.assign:
                    continue
                self._fill(a, ty, ph)

        while True:
            t = self.metas.shallow(t)
            if isinstance(t, Pi):
                if t.var.name in named and t.var.name != ARROW_VAR:
                    na = named.pop(t.var.name)
                    v = self.elab(na.args[0], self.metas.zonk(t.var.sort))
                    if t.binder == "explicit":
                        ph = self.metas.new(pos, f"argument {j + 1} of {hname}")
                        self.metas.assign[ph.id] = v
                        slots.append((v, t.var.sort, ph))
                        j += 1
                    t = _subst(t.body, {t.var.name: v})
                    continue
                if t.binder != "explicit":
                    m = self.metas.new(pos, f"the implicit argument {t.var.name} of {hname}")
                    t = _subst(t.body, {t.var.name: m})
                    continue
                arg: Union[S, TermM, None] = None
                if pending_pre is not None and pending_pre[0] == j:
                    arg = pending_pre[1]
                    pending_pre = None
                elif k < len(args):
                    arg = args[k]
                    k += 1
                if arg is None:
                    break
                ph = self.metas.new(pos, f"argument {j + 1} of {hname}")
                slots.append((arg, t.var.sort, ph))
                t = _subst(t.body, {t.var.name: ph})
                j += 1
                continue
            if isinstance(t, App) and (k < len(args) or pending_pre is not None):
                d = self.lib.delta(t)          # a function type behind an abbrev
                if d is not None:
                    t = d
                    continue
            if isinstance(t, Meta) and (k < len(args) or pending_pre is not None):
                flush()
                t2 = self.metas.zonk(t)
                if isinstance(t2, Meta):
                    self.fail(pos, f"cannot apply {hname}: its type is not known here "
                                   "(add a type ascription)")
                t = t2
                continue
            break
        if named:
            na = next(iter(named.values()))
            self.fail(na.pos, f"{hname} has no argument named {na.text}")
        if k < len(args) or pending_pre is not None:
            extra_pos = args[k].pos if k < len(args) and isinstance(args[k], S) else pos
            self.fail(extra_pos, f"too many arguments for {hname} : {self.show(sig)}")
        if expected is not None:
            self.metas.unify(expected, t)   # propagate; a mismatch is reported by the caller
        # lambdas last, so that their binder types are known from the other arguments
        order = sorted(range(len(slots)), key=lambda i: isinstance(slots[i][0], S)
                       and slots[i][0].kind == "fun")
        for i in order:
            a, ty, ph = slots[i]
            if ph.id not in self.metas.assign:
                self._fill(a, ty, ph)
        new_args = [self.metas.shallow(ph) for _, _, ph in slots]
        return App(head, tuple(done) + tuple(new_args), t)

    def _fill(self, a: Union[S, TermM], ty: TermM, ph: Meta) -> None:
        if isinstance(a, S):
            v = self.elab(a, self.metas.zonk(ty))
        else:
            v = a
            self.expect_sort(v, ty, ph.origin)
        self.metas.assign[ph.id] = v

    # -- finishing
    def finish(self, t: TermM, where: str = "") -> Term:
        """Zonk, default numerals to Nat, refuse unsolved metavariables."""
        z = self.metas.zonk(t)
        changed = True
        while changed:
            changed = False
            for m in self._metas_in(z):
                if m.numeral:
                    self.metas.assign[m.id] = App("Nat", (), TYPE)
                    changed = True
            if changed:
                z = self.metas.zonk(z)
        left = self._metas_in(z)
        if left:
            m = min(left, key=lambda m: m.origin)
            self.fail(m.origin, f"cannot infer {m.what}; give it explicitly (e.g. with a type "
                                "ascription (e : T))")
        return z  # type: ignore[return-value]

    def _metas_in(self, t: TermM) -> list[Meta]:
        out: list[Meta] = []

        def go(x: TermM) -> None:
            x = self.metas.shallow(x)
            if isinstance(x, Meta):
                out.append(x)
            else:
                for c in children(x):  # type: ignore[arg-type]
                    go(c)
        go(t)
        return out


def _split_name(name: str) -> list[str]:
    parts: list[str] = []
    cur = ""
    i = 0
    while i < len(name):
        c = name[i]
        if c == "«":
            k = name.index("»", i)
            cur += name[i + 1:k]
            i = k + 1
            continue
        if c == ".":
            parts.append(cur)
            cur = ""
        else:
            cur += c
        i += 1
    parts.append(cur)
    return parts


# ============================================================================================
# Declarations


@dataclass
class _Header:
    """Parsed header of a declaration: binders and the type after the colon."""

    binders: list[BinderGroup]
    type: Optional[S]
    rest: int        # index (in the command's tokens) where the header ended


@dataclass(frozen=True)
class ReadProblem:
    """A tagged declaration (or file) the reader cannot read, for ``archlaw lint-lean``."""

    file: str
    line: int
    col: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}: {self.message}"


def lean_source_dirs(root: Path) -> list[Path]:
    """The source directories of a Lake project: the ``srcDir`` of its libraries (``.`` if none)."""
    root = Path(root)
    dirs: list[Path] = []
    for lf in ("lakefile.lean", "lakefile.toml"):
        p = root / lf
        if p.is_file():
            try:
                text = p.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                continue
            pat = r'srcDir\s*:=\s*"([^"]*)"' if lf.endswith(".lean") else r'srcDir\s*=\s*"([^"]*)"'
            for m in re.finditer(pat, text):
                d = (root / m.group(1)).resolve()
                if d.is_dir() and d not in dirs:
                    dirs.append(d)
    if not dirs and (root / "lean").is_dir():
        dirs.append((root / "lean").resolve())   # this repository's layout, before a lakefile
    return dirs or [root.resolve()]


def lean_files(root: Path) -> list[tuple[Path, Path]]:
    """``(file, source_dir)`` for every ``*.lean`` file of the project, sorted; skips ``.lake``,
    build directories, hidden directories and nested Lake projects (directories with a lakefile)."""
    root = Path(root).resolve()
    out: list[tuple[Path, Path]] = []
    seen: set[Path] = set()
    for src in lean_source_dirs(root):
        stack = [src]
        while stack:
            d = stack.pop()
            try:
                entries = sorted(d.iterdir())
            except OSError:
                continue
            for e in entries:
                if e.is_dir():
                    if e.name in _SKIP_DIRS or e.name.startswith("."):
                        continue
                    if (e / "lakefile.lean").exists() or (e / "lakefile.toml").exists():
                        continue
                    stack.append(e)
                elif e.suffix == ".lean" and e.is_file():
                    if d == root and e.name.startswith("lakefile"):
                        continue
                    if e not in seen:
                        seen.add(e)
                        out.append((e, src))
    out.sort(key=lambda x: x[0].as_posix())     # by path string, as the Lean exporter orders
    return out


def module_name(file: Path, src_dir: Path) -> str:
    """``lean/ArchLaw/Fold.lean`` with source dir ``lean`` is ``ArchLaw.Fold``."""
    rel = Path(file).resolve().relative_to(Path(src_dir).resolve())
    return ".".join(rel.with_suffix("").parts)


@dataclass
class _FileCtx:
    path: str          # relative to the root, as shown in errors and ranges
    module: str
    toks: list[Tok]
    commands: list[Command] = dc_field(default_factory=list)


class SourceReader:
    """Reads a set of Lean files: pass 1 collects headers and scopes, pass 2 reads tagged decls."""

    def __init__(self) -> None:
        self.lib = Library()
        self.files: list[_FileCtx] = []
        self._core()

    # -- core table
    def _core(self) -> None:
        for line in _CORE.strip().splitlines():
            line = line.strip()
            if not line:
                continue
            name = line.split()[0]

            def compute(line: str = line, name: str = name) -> Term:
                toks = tokenize(line, "<core>")
                p = _Parser(toks, 1)
                binders = p.binders(allow_bare=False, stop=(":",))if p.peek() and p.peek().text != ":" else []
                p.expect(":")
                ty = p.term(0)
                return self._signature("<core>", Scope(), binders, ty, (1, 0), name)
            self.lib.add(ConstEntry(name, "<core>", compute,
                                    fields=_CORE_FIELDS.get(name, ())))

    # -- pass 1
    def add_file(self, path: str, module: str, text: str) -> None:
        self.add_tokens(path, module, tokenize(text, path))

    def add_tokens(self, path: str, module: str, toks: list[Tok]) -> None:
        """`add_file` for a file already tokenized (`tokenize(text, path)`)."""
        ctx = _FileCtx(path, module, toks)
        self.files.append(ctx)
        scope = Scope()
        stack: list[tuple[str, Scope]] = []
        pending_in: Optional[Scope] = None
        for ctoks in split_commands(toks):
            doc, attrs, attrs_pos, ki = _split_modifiers(ctoks)
            if ki >= len(ctoks):
                continue
            kwt = ctoks[ki]
            kw = kwt.text
            body = ctoks[ki:]
            use_scope = pending_in or scope
            pending_in = None
            cmd = Command(kw, body, ctoks, doc, attrs, attrs_pos, use_scope)
            if kw == "namespace" and len(body) >= 2:
                stack.append(("namespace", scope))
                ns = body[1].text
                base = scope.current
                new_ns = list(scope.namespaces)
                for part in _split_name(ns):
                    base = f"{base}.{part}" if base else part
                    new_ns.append(base)
                scope = Scope(tuple(new_ns), scope.opens, scope.variables)
                self.lib.namespaces.add(scope.current)
            elif kw == "section":
                stack.append(("section", scope))
                scope = Scope(scope.namespaces, scope.opens, scope.variables)
            elif kw == "end":
                if stack:
                    _, scope = stack.pop()
            elif kw == "open":
                names = [t.text for t in body[1:] if t.kind == "ident"]
                if body[-1].text == "in":
                    pending_in = Scope(scope.namespaces, scope.opens + tuple(names), scope.variables)
                else:
                    scope = Scope(scope.namespaces, scope.opens + tuple(names), scope.variables)
            elif kw == "set_option" and body[-1].text == "in":
                pending_in = scope
            elif kw == "variable":
                p = _Parser(body, 1)
                try:
                    groups = p.binders(allow_bare=True, stop=())
                except _Fail:
                    groups = []
                snapshot = Scope(scope.namespaces, scope.opens, scope.variables)
                new = list(scope.variables)
                for g in groups:
                    if g.type is None:
                        # `variable {x}`: a binder update of an existing variable
                        for name, _ in g.names:
                            for idx, vd in enumerate(new):
                                if any(n == name for n, _ in vd.group.names):
                                    old = vd.group
                                    rest = tuple((n, p0) for n, p0 in old.names if n != name)
                                    mine = tuple((n, p0) for n, p0 in old.names if n == name)
                                    repl = []
                                    if rest:
                                        repl.append(VarDecl(BinderGroup(rest, old.type, old.binder, old.pos), vd.file, 0))
                                    repl.append(VarDecl(BinderGroup(mine, old.type, g.binder, old.pos), vd.file, 0))
                                    new[idx:idx + 1] = repl
                                    break
                        continue
                    new.append(VarDecl(g, path, 0))
                scope = Scope(snapshot.namespaces, snapshot.opens, tuple(new))
            elif kw in ("def", "abbrev", "theorem", "lemma", "structure", "class", "inductive",
                        "axiom", "opaque", "instance"):
                cmd.scope = use_scope
                ctx.commands.append(cmd)
                self._register(ctx, cmd)
            elif kw == "attribute":
                txt = " ".join(t.text for t in body)
                if "arch_law" in txt or "arch_theorem" in txt:
                    ctx.commands.append(cmd)
            elif kw == "mutual":
                stack.append(("mutual", scope))

    def _decl_name(self, cmd: Command) -> Optional[tuple[str, Tok]]:
        if len(cmd.toks) < 2 or cmd.toks[1].kind != "ident":
            return None
        t = cmd.toks[1]
        raw = t.text
        if raw.startswith("_root_."):
            return raw[len("_root_."):], t
        ns = cmd.scope.current
        return (f"{ns}.{raw}" if ns else raw), t

    def _register(self, ctx: _FileCtx, cmd: Command) -> None:
        if cmd.keyword == "instance":
            return
        got = self._decl_name(cmd)
        if got is None:
            return
        full, _ = got
        kw = cmd.keyword
        if kw in ("def", "abbrev", "theorem", "lemma", "axiom", "opaque"):
            reducible = kw == "abbrev" or any(a.split()[:1] == ["reducible"] for a in cmd.attrs)
            self.lib.add(ConstEntry(
                full, ctx.path, lambda: self._def_sig(ctx, cmd, full),
                unfold=(lambda: self._abbrev_body(ctx, cmd, full)) if reducible else None))
        elif kw in ("structure", "class"):
            self._register_structure(ctx, cmd, full)
        elif kw == "inductive":
            self._register_inductive(ctx, cmd, full)

    # -- header parsing
    def _header(self, cmd: Command, stops: tuple[str, ...]) -> _Header:
        p = _Parser(cmd.toks, 2)
        binders: list[BinderGroup] = []
        t = p.peek()
        if t is not None and t.text in ("(", "{", "⦃", "["):
            binders = p.binders(allow_bare=False, stop=(":",))
        ty = None
        if p.at(":"):
            p.i += 1
            ty = p.term(0)
        nt = p.peek()
        if nt is not None and nt.text not in stops:
            raise _Fail(nt.pos(), f"unexpected {p._describe(nt)} in a declaration header "
                                  f"(expected {' or '.join(stops)})", True)
        return _Header(binders, ty, p.i)

    def _elab_ctx(self, ctx: _FileCtx, cmd: Command, full: str) -> _Elab:
        extra: tuple[str, ...] = ()
        got = self._decl_name(cmd)
        if got is not None:
            raw = got[1].text
            if "." in raw and not raw.startswith("_root_."):
                # Lean elaborates `def Foo.bar` inside `namespace Foo`
                prefix = full.rsplit(".", 1)[0]
                extra = (prefix,)
        return _Elab(self, ctx.path, cmd.scope, extra)

    def _wrap(self, ctx: _FileCtx, f: _Fail) -> ArchLawError:
        return _wrap(ctx.path, f)

    def _with_vars(self, el: _Elab, path: str, scope: Scope) -> list[tuple[Var, str]]:
        """Bind the section variables in the elaborator; returns them with their binder info."""
        out: list[tuple[Var, str]] = []
        for vd in scope.variables:
            g = vd.group
            try:
                ty = el.elab_type(g.type) if g.type is not None else None
            except (_Fail, ArchLawError) as e:
                err = e if isinstance(e, ArchLawError) else _wrap(path, e)
                for name, _ in g.names:
                    el.broken_vars[name] = err
                continue
            for name, npos in g.names:
                if ty is None:
                    el.broken_vars[name] = ArchLawError(
                        f"{path}:{npos[0]}:{npos[1]}: variable {name} has no type")
                    continue
                out.append((el.bind(name, ty), g.binder))
        return out

    def _bind_groups(self, el: _Elab, groups: list[BinderGroup], what: str) -> list[tuple[Var, str]]:
        out = []
        for g in groups:
            if g.type is None:
                raise _Fail(g.pos, f"binder {g.names[0][0]} of {what} needs a type", True)
            ty = el.elab_type(g.type)
            for name, _ in g.names:
                out.append((el.bind(name, ty), g.binder))
        return out

    @staticmethod
    def _included(vars_: list[tuple[Var, str]], used: set[str]) -> list[tuple[Var, str]]:
        """Lean's rule: a section variable is a parameter when mentioned (transitively), and an
        instance variable when all the variables it mentions are."""
        names = {v.name for v, _ in vars_}
        inc = set(used) & names
        changed = True
        while changed:
            changed = False
            for v, b in vars_:
                if v.name in inc:
                    extra = (_fv(v.sort) & names) - inc
                    if extra:
                        inc |= extra
                        changed = True
            for v, b in vars_:
                if b == "inst_implicit" and v.name not in inc:
                    deps = _fv(v.sort) & names
                    if deps and deps <= inc:
                        inc.add(v.name)
                        changed = True
        return [(v, b) for v, b in vars_ if v.name in inc]

    def _signature(self, file: str, scope: Scope, binders: list[BinderGroup], ty: S,
                   pos: tuple[int, int], name: str, el: Optional[_Elab] = None,
                   body_names: set[str] = frozenset()) -> Term:
        el = el or _Elab(self, file, scope)
        try:
            vars_ = self._with_vars(el, file, scope) if scope.variables else []
            own = self._bind_groups(el, binders, name)
            res = el.elab_type(ty)
            used = _fv(el.metas.zonk(res)) | set(body_names)
            for v, _ in own:
                used |= _fv(el.metas.zonk(v.sort))
            params = self._included(vars_, used - {v.name for v, _ in own}) + own
            t: TermM = res
            t = _close(el, params, t)
            return _normalize(el.finish(t))
        except _Fail as f:
            raise _wrap(file, f) from None

    def _abbrev_parts(self, ctx: _FileCtx, cmd: Command, full: str):
        """Elaborate an abbrev's header and body: (elaborator, params, body, result type)."""
        h = self._header(cmd, (":=", "|", "where"))
        if h.rest >= len(cmd.toks) or cmd.toks[h.rest].text != ":=":
            raise _Fail(cmd.toks[0].pos(), f"abbrev {full} needs `:= body`", True)
        el = self._elab_ctx(ctx, cmd, full)
        vars_ = self._with_vars(el, ctx.path, cmd.scope) if cmd.scope.variables else []
        own = self._bind_groups(el, h.binders, full)
        res = el.elab_type(h.type) if h.type is not None else None
        p = _Parser(cmd.toks, h.rest + 1)
        body_s = p.term(0)
        if p.peek() is not None:
            raise _Fail(p.peek().pos(), f"unexpected '{p.peek().text}' after the body of "
                                        f"abbrev {full}", True)
        body = el.elab(body_s, res) if res is not None else el._elab(body_s, None)
        if res is None:
            res = el.metas.zonk(el.sort_of(body))
        used = _fv(el.metas.zonk(res)) | _fv(el.metas.zonk(body))
        for v, _ in own:
            used |= _fv(el.metas.zonk(v.sort))
        params = self._included(vars_, used - {v.name for v, _ in own}) + own
        return el, params, body, res

    def _abbrev_body(self, ctx: _FileCtx, cmd: Command, full: str
                     ) -> Optional[tuple[list[tuple[str, str]], Term]]:
        """Parameters and body of an ``abbrev``, for unfolding."""
        el, params, body, _ = self._abbrev_parts(ctx, cmd, full)
        return [(v.name, b) for v, b in params], _normalize(el.finish(body))

    def _def_sig(self, ctx: _FileCtx, cmd: Command, full: str) -> Term:
        try:
            h = self._header(cmd, (":=", "|", "where"))
        except _Fail as f:
            raise self._wrap(ctx, f) from None
        if h.type is None and cmd.keyword == "abbrev":
            # `abbrev Digits (B : Nat) := List (Fin B)`: the type is the body's
            try:
                el, params, _, res = self._abbrev_parts(ctx, cmd, full)
                t: TermM = res
                for v, b in reversed(params):
                    t = Pi(v, t, b, PROP)
                return _normalize(el.finish(t))
            except _Fail as f:
                raise self._wrap(ctx, f) from None
        if h.type is None:
            t = cmd.toks[1]
            raise ArchLawError(f"{ctx.path}:{t.line}:{t.col}: the header of {full} has no result "
                               "type; write `def f (x : A) : B := ...`")
        body_names = {t.text.split(".")[0] for t in cmd.toks[h.rest:] if t.kind == "ident"}
        el = self._elab_ctx(ctx, cmd, full)
        return self._signature(ctx.path, cmd.scope, h.binders, h.type, cmd.toks[0].pos(), full,
                               el=el, body_names=body_names)

    def _structure_parts(self, cmd: Command) -> tuple[_Header, Optional[str], list[tuple[str, Tok, list[Tok]]]]:
        """Header, constructor name, and fields (name, name token, tokens of `binders : type`)."""
        h = self._header(cmd, ("where", "extends", ":=", "deriving"))
        toks = cmd.toks
        i = h.rest
        if i < len(toks) and toks[i].text == "extends":
            raise _Fail(toks[i].pos(), "structure extends is outside the fragment", True)
        if i < len(toks) and toks[i].text == ":=":
            raise _Fail(toks[i].pos(), "write `structure ... where` (the `:=` form is outside "
                                       "the fragment)", True)
        fields: list[tuple[str, Tok, list[Tok]]] = []
        ctor = None
        if i < len(toks) and toks[i].text == "where":
            i += 1
            body = []
            for t in toks[i:]:
                if t.text == "deriving" and t.first_on_line:
                    break
                body.append(t)
            # constructor name `mk ::`
            if len(body) >= 2 and body[0].kind == "ident" and body[1].text == "::":
                ctor = body[0].text
                body = body[2:]
            # group by lines starting at or left of the first field's column
            base_col = None
            groups: list[list[Tok]] = []
            for t in body:
                if t.kind == "doc":
                    if base_col is None or t.col <= base_col:
                        base_col = t.col if base_col is None else base_col
                        groups.append([])
                    continue
                if base_col is None:
                    base_col = t.col
                if t.first_on_line and t.col <= base_col and (not groups or groups[-1]):
                    groups.append([t])
                elif not groups:
                    groups.append([t])
                else:
                    groups[-1].append(t)
            for g in groups:
                if not g:
                    continue
                if g[0].kind != "ident":
                    raise _Fail(g[0].pos(), f"expected a field name, found '{g[0].text}'", True)
                fields.append((g[0].text, g[0], g[1:]))
        return h, ctor, fields

    def _register_structure(self, ctx: _FileCtx, cmd: Command, full: str) -> None:
        try:
            _, ctor, fields = self._structure_parts(cmd)
        except _Fail:
            self.lib.add(ConstEntry(full, ctx.path, lambda: self._struct_sig(ctx, cmd, full)))
            return
        names = tuple(f[0] for f in fields)
        self.lib.add(ConstEntry(full, ctx.path, lambda: self._struct_sig(ctx, cmd, full),
                                fields=names))
        for fname in names:
            self.lib.add(ConstEntry(f"{full}.{fname}", ctx.path,
                                    lambda s=fname: self._proj_sig(ctx, cmd, full, s)))
        self.lib.add(ConstEntry(f"{full}.{ctor or 'mk'}", ctx.path,
                                lambda: self._ctor_sig(ctx, cmd, full)))

    def _struct_params(self, ctx: _FileCtx, cmd: Command, full: str, el: _Elab
                       ) -> tuple[list[tuple[Var, str]], TermM, list[tuple[str, Tok, TermM]]]:
        """Parameters (section variables included by use), sort, and field types."""
        h, _, fields = self._structure_parts(cmd)
        vars_ = self._with_vars(el, ctx.path, cmd.scope)
        own = self._bind_groups(el, h.binders, full)
        srt = el.elab_type(h.type) if h.type is not None else TYPE
        ftypes: list[tuple[str, Tok, TermM]] = []
        for fname, ftok, ftoks in fields:
            ftypes.append((fname, ftok, self._field_type(el, ftoks, ftok, full)))
        used: set[str] = set()
        for v, _ in own:
            used |= _fv(el.metas.zonk(v.sort))
        for _, _, fty in ftypes:
            used |= _fv(el.metas.zonk(fty))
        params = self._included(vars_, used - {v.name for v, _ in own}) + own
        return params, srt, ftypes

    def _field_type(self, el: _Elab, ftoks: list[Tok], ftok: Tok, full: str) -> TermM:
        """The type of field `ftok`: `name binders : type` (one field per line: `(a b : T)`
        groups are not fields)."""
        p = _Parser(ftoks, 0)
        binders: list[BinderGroup] = []
        t = p.peek()
        if t is not None and t.text in ("(", "{", "⦃", "["):
            binders = p.binders(allow_bare=False, stop=(":",))
        if not p.at(":"):
            nt = p.peek()
            raise _Fail(nt.pos() if nt else (ftok.end_line, ftok.end_col),
                        f"field {ftok.text} of {full} needs `: type`", True)
        p.i += 1
        ty_s = p.term(0)
        nt = p.peek()
        if nt is not None:
            if nt.text == ":=":
                raise _Fail(nt.pos(), "default values of fields are outside the fragment", True)
            raise _Fail(nt.pos(), f"unexpected '{nt.text}' after the type of field {ftok.text}", True)
        ty = el.binders_then(binders, lambda: el.elab_type(ty_s), "pi")
        return ty

    def _struct_sig(self, ctx: _FileCtx, cmd: Command, full: str) -> Term:
        el = self._elab_ctx(ctx, cmd, full)
        try:
            params, srt, _ = self._struct_params(ctx, cmd, full, el)
            t: TermM = srt
            t = _close(el, params, t)
            return _normalize(el.finish(t))
        except _Fail as f:
            raise self._wrap(ctx, f) from None

    def _self_type(self, full: str, params: list[tuple[Var, str]], srt: TermM) -> TermM:
        return App(full, tuple(v for v, b in params if b == "explicit"), srt)

    def _proj_sig(self, ctx: _FileCtx, cmd: Command, full: str, fname: str) -> Term:
        el = self._elab_ctx(ctx, cmd, full)
        try:
            params, srt, ftypes = self._struct_params(ctx, cmd, full, el)
            fty = next(ft for n, _, ft in ftypes if n == fname)
            self_binder = "inst_implicit" if cmd.keyword == "class" else "explicit"
            selfv = Var("self", self._self_type(full, params, srt))
            t: TermM = Pi(selfv, fty, self_binder, sort_of_pi(el._sort_now(fty)))
            t = _close(el, params, t, implicit=True)
            return _normalize(el.finish(t))
        except _Fail as f:
            raise self._wrap(ctx, f) from None

    def _ctor_sig(self, ctx: _FileCtx, cmd: Command, full: str) -> Term:
        el = self._elab_ctx(ctx, cmd, full)
        try:
            params, srt, ftypes = self._struct_params(ctx, cmd, full, el)
            t: TermM = self._self_type(full, params, srt)
            for n, _, fty in reversed(ftypes):
                t = Pi(Var(n, fty), t, "explicit", sort_of_pi(el._sort_now(t)))
            t = _close(el, params, t, implicit=True)
            return _normalize(el.finish(t))
        except _Fail as f:
            raise self._wrap(ctx, f) from None

    def _register_inductive(self, ctx: _FileCtx, cmd: Command, full: str) -> None:
        self.lib.add(ConstEntry(full, ctx.path, lambda: self._ind_sig(ctx, cmd, full)))
        toks = cmd.toks
        depth = 0
        for i, t in enumerate(toks):
            if t.text in ("(", "[", "{", "⦃"):
                depth += 1
            elif t.text in (")", "]", "}", "⦄"):
                depth -= 1
            elif t.text == "|" and depth == 0 and i + 1 < len(toks) and toks[i + 1].kind == "ident":
                cname = toks[i + 1].text
                self.lib.add(ConstEntry(f"{full}.{cname}", ctx.path,
                                        lambda i=i: self._inductive_ctor(ctx, cmd, full, i)))

    def _ind_header(self, ctx: _FileCtx, cmd: Command, full: str, el: _Elab):
        h = self._header(cmd, ("where", "|", "deriving"))
        vars_ = self._with_vars(el, ctx.path, cmd.scope)
        own = self._bind_groups(el, h.binders, full)
        srt = el.elab_type(h.type) if h.type is not None else TYPE
        used: set[str] = set()
        for v, _ in own:
            used |= _fv(el.metas.zonk(v.sort))
        params = self._included(vars_, used - {v.name for v, _ in own}) + own
        return params, srt

    def _ind_sig(self, ctx: _FileCtx, cmd: Command, full: str) -> Term:
        el = self._elab_ctx(ctx, cmd, full)
        try:
            params, srt = self._ind_header(ctx, cmd, full, el)
            t: TermM = srt
            t = _close(el, params, t)
            return _normalize(el.finish(t))
        except _Fail as f:
            raise self._wrap(ctx, f) from None

    def _inductive_ctor(self, ctx: _FileCtx, cmd: Command, full: str, bar: int) -> Term:
        el = self._elab_ctx(ctx, cmd, full)
        try:
            params, srt = self._ind_header(ctx, cmd, full, el)
            toks = cmd.toks
            end = bar + 2
            depth = 0
            while end < len(toks):
                t = toks[end]
                if t.text in ("(", "[", "{", "⦃"):
                    depth += 1
                elif t.text in (")", "]", "}", "⦄"):
                    depth -= 1
                elif depth == 0 and (t.text == "|" or (t.text == "deriving" and t.first_on_line)):
                    break
                end += 1
            p = _Parser(toks, bar + 2, end)
            binders: list[BinderGroup] = []
            if p.peek() is not None and p.peek().text in ("(", "{", "⦃", "["):
                binders = p.binders(allow_bare=False, stop=(":",))
            own = self._bind_groups(el, binders, f"{full}.{toks[bar + 1].text}")
            if p.at(":"):
                p.i += 1
                res = el.elab_type(p.term(0))
            else:
                res = App(full, tuple(v for v, b in params if b == "explicit"), srt)
            t: TermM = res
            t = _close(el, own, t)
            t = _close(el, params, t, implicit=True)
            return _normalize(el.finish(t))
        except _Fail as f:
            raise self._wrap(ctx, f) from None

    # -- pass 2: tagged declarations
    def declarations(self, on_error: Optional[Callable[[ArchLawError], None]] = None
                     ) -> list[Declaration]:
        out: list[Declaration] = []
        for ctx in self.files:
            for cmd in ctx.commands:
                tag = _tag(cmd)
                if tag is None:
                    continue
                try:
                    try:
                        d = self._read_tagged(ctx, cmd, tag)
                    except RecursionError:
                        # the last resort behind MAX_DEPTH (e.g. abbrevs unfolding into abbrevs)
                        kwt = cmd.toks[0]
                        raise ArchLawError(f"{ctx.path}:{kwt.line}:{kwt.col}: nested too deeply "
                                           "to read (Python's recursion limit)") from None
                    _check_export_depth(d, ctx.path, cmd.toks[0])
                    out.append(d)
                except ArchLawError as e:
                    if on_error is None:
                        raise
                    on_error(e)
        return out

    def _range(self, ctx: _FileCtx, cmd: Command) -> SourceRange:
        a, b = cmd.all_toks[0], cmd.all_toks[-1]
        return SourceRange(ctx.path, a.line, a.col, b.end_line, b.end_col)

    def _read_tagged(self, ctx: _FileCtx, cmd: Command, tag: str) -> Declaration:
        kwt = cmd.toks[0]
        if cmd.keyword == "attribute":
            raise ArchLawError(f"{ctx.path}:{kwt.line}:{kwt.col}: `attribute [{tag}] ...` after the "
                               f"declaration is not read; put @[{tag}] on the declaration itself")
        got = self._decl_name(cmd)
        if got is None:
            raise ArchLawError(f"{ctx.path}:{kwt.line}:{kwt.col}: @[{tag}] needs a named declaration")
        full, _ = got
        if tag == "arch_law":
            if cmd.keyword != "structure":
                raise ArchLawError(f"{ctx.path}:{kwt.line}:{kwt.col}: @[arch_law] marks a Prop-valued "
                                   f"structure; found `{cmd.keyword}`")
            return self._read_law(ctx, cmd, full)
        if cmd.keyword != "theorem":
            raise ArchLawError(f"{ctx.path}:{kwt.line}:{kwt.col}: @[arch_theorem] marks a theorem; "
                               f"found `{cmd.keyword}`")
        return self._read_theorem(ctx, cmd, full)

    def _read_law(self, ctx: _FileCtx, cmd: Command, full: str) -> Law:
        el = self._elab_ctx(ctx, cmd, full)
        try:
            params, srt, ftypes = self._struct_params(ctx, cmd, full, el)
            if not (isinstance(srt, Sort) and srt.name == "Prop"):
                raise _Fail(cmd.toks[1].pos(), f"@[arch_law] structure {full} must be `: Prop`")
            fin_params = [Param(v.name, _normalize(el.finish(v.sort)), b) for v, b in params]
            fields = tuple(Field(n, _normalize(el.finish(ft))) for n, _, ft in ftypes)
        except _Fail as f:
            raise self._wrap(ctx, f) from None
        return Law(name=full, module=ctx.module, range=self._range(ctx, cmd), doc=cmd.doc,
                   params=tuple(fin_params), statement_provenance="source", axioms=None,
                   fields=fields)

    def _read_theorem(self, ctx: _FileCtx, cmd: Command, full: str) -> Theorem:
        el = self._elab_ctx(ctx, cmd, full)
        try:
            h = self._header(cmd, (":=", "|", "where"))
            if h.type is None:
                t = cmd.toks[1]
                raise _Fail(t.pos(), f"theorem {full} needs `: statement`")
            vars_ = self._with_vars(el, ctx.path, cmd.scope)
            own = self._bind_groups(el, h.binders, full)
            stmt = el.elab_type(h.type)
            if not el.metas.unify(el.sort_of(el.metas.zonk(stmt)), PROP):
                raise _Fail(h.type.pos, f"the statement of {full} is not a proposition")
            used = _fv(el.metas.zonk(stmt))
            for v, _ in own:
                used |= _fv(el.metas.zonk(v.sort))
            params = self._included(vars_, used - {v.name for v, _ in own}) + own
            # the whole telescope: declared binders, then the ∀s of the statement
            tele: list[tuple[str, TermM, str]] = [(v.name, v.sort, b) for v, b in params]
            body: TermM = el.metas.zonk(stmt)
            while isinstance(body, Pi):
                tele.append((body.var.name, body.var.sort, body.binder))
                body = body.body
            fin = [(n, el.finish(s), b) for n, s, b in tele]
            whole: Term = el.finish(body)
            for n, s, b in reversed(fin):
                whole = Pi(Var(n, s), whole, b, sort_of_pi(whole.sort))  # type: ignore[arg-type]
            keep, concl = split_telescope(whole)   # the parameters end at the last hypothesis
            out_params = tuple(Param(p.name, _normalize(p.sort), p.binder) for p in keep)
            concl = _normalize(concl)
        except _Fail as f:
            raise self._wrap(ctx, f) from None
        return Theorem(name=full, module=ctx.module, range=self._range(ctx, cmd), doc=cmd.doc,
                       params=out_params, statement_provenance="source", axioms=None,
                       conclusion=concl)


def _sexp_depth(t: Term) -> int:
    """Parenthesis nesting of `t` as the interchange format writes it (sorts included; a leaf
    sort is one level), computed without recursion."""
    deepest, stack = 0, [(t, 1)]
    while stack:
        u, d = stack.pop()
        deepest = max(deepest, d)
        stack.extend((c, d + 1) for c in children(u))
    return deepest


def _check_export_depth(d: Declaration, path: str, at: Tok) -> None:
    """Refuse a declaration whose export would nest deeper than the interchange reader accepts
    (`archlaw.bridge.interchange.MAX_DEPTH`): what the source reader writes must read back. A
    term sits four levels down: (archlaw-export (law (fields (field NAME TERM))))."""
    from .interchange import MAX_DEPTH as FILE_DEPTH

    terms = [p.sort for p in d.params]
    terms += [f.statement for f in d.fields] if isinstance(d, Law) else [d.conclusion]
    depth = 4 + max((_sexp_depth(t) for t in terms), default=0)
    if depth > FILE_DEPTH:
        raise ArchLawError(f"{path}:{at.line}:{at.col}: {d.name} would nest {depth} levels deep in "
                           f"the export, past the {FILE_DEPTH} an export may have (its terms and "
                           "their sorts together are too deep; name the parts with a def)")


def _wrap(path: str, f: _Fail) -> ArchLawError:
    msg = " ".join(f.msg.split())       # always one line
    if f.accepted:
        msg += f"; accepted: {ACCEPTED}"
    return ArchLawError(f"{path}:{f.pos[0]}:{f.pos[1]}: {msg}")


def _tag(cmd: Command) -> Optional[str]:
    if cmd.keyword == "attribute":
        txt = " ".join(t.text for t in cmd.toks)
        return "arch_law" if "arch_law" in txt else "arch_theorem"
    found = [a.split()[0] for a in cmd.attrs if a.split() and a.split()[0] in ("arch_law", "arch_theorem")]
    return found[0] if found else None


# ============================================================================================
# Public API


def read_files(files: Iterable[tuple[str, str, str]],
               on_error: Optional[Callable[[ArchLawError], None]] = None) -> list[Declaration]:
    """Read ``(path, module, text)`` triples; the declarations in file order then source order."""
    r = SourceReader()
    for path, module, text in files:
        r.add_file(path, module, text)
    return r.declarations(on_error)


def read_text(text: str, path: str = "Test.lean", module: str = "Test") -> list[Declaration]:
    """Read one file's text (for tests and quick checks)."""
    return read_files([(path, module, text)])


def load_files(root: Path) -> list[tuple[str, str, str]]:
    """``(path relative to root, module, text)`` of every Lean file of the Lake project at `root`
    (an `ArchLawError` naming a file that cannot be read as UTF-8)."""
    return _load_hashed(root)[0]


def _load_hashed(root: Path) -> tuple[list[tuple[str, str, str]], tuple[tuple[str, str], ...]]:
    """`load_files`, and the SHA-256 of the very bytes read, as `library.hash_lean_files` gives
    them (``((path relative to root, hex digest), ...)`` sorted by path): each file read once."""
    root = Path(root).resolve()
    out = []
    hashes = []
    for f, src in lean_files(root):
        rel = f.relative_to(root).as_posix()
        try:
            data = f.read_bytes()
            text = data.decode("utf-8")
        except (OSError, UnicodeDecodeError) as e:
            raise ArchLawError(f"cannot read: {e}", where=str(f)) from None
        # universal newlines, as Path.read_text gives the text
        out.append((rel, module_name(f, src), text.replace("\r\n", "\n").replace("\r", "\n")))
        hashes.append((rel, hashlib.sha256(data).hexdigest()))
    return out, tuple(sorted(hashes))


def read_root(root: Path, on_error: Optional[Callable[[ArchLawError], None]] = None) -> Export:
    """Every tagged declaration of the Lake project at `root`, as a ``source`` export.

    The export records the SHA-256 of every Lean file read, so that a written copy can later be
    recognised as stale. Raises `ArchLawError` on the first declaration it cannot read (or calls
    `on_error` for each and goes on)."""
    root = Path(root)
    if not root.is_dir():
        raise ArchLawError("not a directory", where=str(root))
    files, hashes = _load_hashed(root)
    if not files:
        raise ArchLawError(f"no Lean files under {root} (looked in "
                           f"{', '.join(str(d) for d in lean_source_dirs(root))})")
    decls = read_files(files, on_error)
    return Export(producer="source", lean_version=None, hashes=hashes, declarations=tuple(decls))
