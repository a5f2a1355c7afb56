"""Stage 1 of the source reader: Lean 4 text to tokens.

In: a file's text and its path (for errors). Out: `Tok`s, each with its position (line, column,
end, offset) and layout (first on its line, space before); comments are dropped, docstrings
(``/-- -/``) kept as ``doc`` tokens. An unclosed comment, string or ``«`` raises `ArchLawError`
``file:line:col: ...``.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import ArchLawError


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
