"""Stage 3 of the source reader: a file's tokens to its commands.

In: the `Tok`s of a file. Out: the token lists of its commands (`split_commands`: a command
starts at column 0, or at the column of a ``mutual`` block's declarations), the docstring,
attributes and keyword position of each (`_split_modifiers`), and the records the reader keeps
per command: `Command`, read in a `Scope` (namespaces, opens, `VarDecl` variables).
"""

from __future__ import annotations

from dataclasses import dataclass

from .terms import BinderGroup
from .tokens import Tok


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
