"""Stage 2 of the source reader: tokens to syntax trees of the fragment.

In: a slice of a command's `Tok`s. Out: `S` syntax nodes and `BinderGroup`s, from the Pratt parser
`_Parser` (terms by precedence, binder groups). Anything outside the fragment raises `_Fail` at
its (line, col); the reader turns it into one `ArchLawError` line naming the file.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from .tokens import Tok


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

#: Deepest nesting of a term read: parentheses, operands of a chain such as ``a + b + ...``,
#: binders, list and tuple items each count one level. Real statements stay near 10. A bound
#: keeps the reader, the elaborator and every later pass (all recursive) far from Python's
#: recursion limit, and the export within `archlaw.bridge.interchange.MAX_DEPTH` (120) once
#: sorts and the declaration around a term are added.
MAX_DEPTH = 64

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

    def __init__(self, toks: list[Tok], start: int = 0, end: Optional[int] = None,
                 bodies: bool = False):
        self.toks = toks
        self.i = start
        self.end = len(toks) if end is None else end
        self.nest = 0  # term() calls in progress (see `term`)
        #: reading a definition's body (`bodies.py`): ``match``, ``⟨a, b⟩``, ``!b``, ``_`` and
        #: ``.ctor`` patterns, and proofs ``by ...`` (skipped: a proof carries no data) are read
        #: too. Statements stay in the statement fragment.
        self.bodies = bodies

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
            if prec <= 1023 and self._starts_arg(t):
                fn = lhs
                args = []
                while (t := self.peek()) is not None and self._starts_arg(t):
                    if t.text in ("fun", "λ"):
                        args.append(self.leading())
                        break
                    args.append(self.argument())
                lhs = S("app", fn.pos, (fn, *args))
                continue
            return lhs

    def _starts_arg(self, t: Tok) -> bool:
        """`_arg_start`, and in body mode a proof argument ``by ...`` too."""
        return self._arg_start(t) or (self.bodies and t.kind == "kw" and t.text == "by")

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
        if self.bodies and t.kind == "sym" and t.text == "!":
            self.i += 1   # `!b` is core's `not b` (Init/Notation.lean: notation:max "!" b:40)
            return S("app", t.pos(), (S("ident", t.pos(), (), "not"), self.term(40)))
        if self.bodies and t.kind == "kw" and t.text == "match":
            return self.match()
        if t.kind == "kw" and t.text in ("Type", "Sort"):
            self.i += 1
            u = self.peek()
            if u is not None and u.kind in ("ident", "num") and not u.first_on_line \
                    and "." not in u.text:
                self.i += 1
                return S("sort", t.pos(), (), f"{t.text} {u.text}")
            return S("sort", t.pos(), (), "Type" if t.text == "Type" else "Sort")
        return self._postfix(self.atom())

    def match(self) -> S:
        """``match e₁, e₂ with | p₁, p₂ => rhs | ...`` (body mode): S("match", (scrutinees,
        ((patterns, rhs), ...)))."""
        t = self.expect("match")
        scr = [self.term(0)]
        while self.at(","):
            self.i += 1
            scr.append(self.term(0))
        self.expect("with")
        return S("match", t.pos(), (tuple(scr), self.alternatives(len(scr))))

    def alternatives(self, arity: Optional[int]) -> tuple:
        """``| p₁, …, pₖ => rhs`` alternatives, each with `arity` patterns (body mode; None:
        as many as the first alternative has)."""
        alts = []
        while self.at("|"):
            bar = self.next()
            pats = [self.term(0)]
            while self.at(","):
                self.i += 1
                pats.append(self.term(0))
            if arity is None:
                arity = len(pats)
            if len(pats) != arity:
                raise _Fail(bar.pos(), f"this alternative has {len(pats)} patterns, the match has "
                                       f"{arity} scrutinees")
            if not (self.at("=>") or self.at("↦")):
                nt = self.peek()
                raise _Fail(nt.pos() if nt else self._end_pos(),
                            f"expected '=>' after the patterns, found {self._describe(nt)}")
            self.i += 1
            alts.append((tuple(pats), self.term(0)))
        if not alts:
            nt = self.peek()
            raise _Fail(nt.pos() if nt else self._end_pos(),
                        f"expected '| pattern => term', found {self._describe(nt)}")
        return tuple(alts)

    def _proof(self, t: Tok) -> S:
        """Skip the proof after `by` up to the closing bracket or comma that ends it (body
        mode): a proof carries no data."""
        depth = 0
        while (u := self.peek()) is not None:
            if u.text in ("(", "[", "{", "⟨", "⦃"):
                depth += 1
            elif u.text in (")", "]", "}", "⟩", "⦄"):
                if depth == 0:
                    break
                depth -= 1
            elif depth == 0 and (u.text == "," or (u.text == "|" and u.first_on_line)):
                break
            self.i += 1
        return S("proof", t.pos())

    def atom(self) -> S:
        t = self.next()
        if self.bodies:
            if t.kind == "ident" and t.text == "_":
                return S("hole", t.pos())
            if t.kind == "kw" and t.text == "by":
                return self._proof(t)
            if t.kind == "sym" and t.text == "⟨":
                items = [] if self.at("⟩") else [self.term(0)]
                while self.at(","):
                    self.i += 1
                    items.append(self.term(0))
                self.expect("⟩")
                return S("anon", t.pos(), tuple(items))
            if t.kind == "sym" and t.text == "." and (u := self.peek()) is not None \
                    and u.kind == "ident" and not u.space_before:
                self.i += 1   # `.ctor`: a constructor of the expected type
                return S("dotident", t.pos(), (), u.text)
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
