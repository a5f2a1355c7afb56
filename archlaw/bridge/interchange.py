"""Reading and writing the interchange format: versioned S-expressions (see docs/interchange.md).

Two producers write this one format: the Lean exporter (``lake exe archlaw-export``, statement
provenance ``lean``) and the Python reader of Lean source (`archlaw.bridge.source_reader`,
provenance ``source``). `dumps` / `loads` are exact inverses on `Export` values.

Everything that can go wrong with a file raises `ArchLawError` naming the file and the place:
``line:col`` for syntax (unbalanced or truncated text), and a path such as
``law ArchLaw.FoldLaws > field cons > arg 1`` for a well-formed S-expression of the wrong shape.
Nesting deeper than `MAX_DEPTH` (120) parentheses is refused with its ``line:col``.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any, NoReturn

import sexpdata
from sexpdata import Symbol

from .errors import ArchLawError
from .ir import (
    App, Declaration, Definition, Export, Field, Lam, Law, Lit, Param, Pi, SourceRange, Sort,
    Structure, Term, Theorem, Var, with_uses,
)

#: Versions of the format this reader understands. Bump on any incompatible change.
SUPPORTED_VERSIONS = (1, 2)
#: Deepest parenthesis nesting accepted. Real exports stay near 20; a bound keeps every reader
#: and writer (all recursive) far from Python's recursion limit.
MAX_DEPTH = 120
FORMAT_VERSION = 2
#: The version that first carries definitions (`(def ...)` entries): an export without any is
#: still written, and read, as version 1.
DEFINITIONS_VERSION = 2
_BINDERS = ("explicit", "implicit", "strict_implicit", "inst_implicit")
_PRODUCERS = ("lean", "source")


# --------------------------------------------------------------------------------------------
# Writing


def _sym(s: str) -> Symbol:
    return Symbol(s)


def term_to_sexp(t: Term) -> list:
    """The S-expression (as nested Python lists) of a term."""
    if isinstance(t, Sort):
        return [_sym("sort"), t.name]
    if isinstance(t, Var):
        return [_sym("var"), t.name, term_to_sexp(t.sort)]
    if isinstance(t, App):
        head: Any = t.head if isinstance(t.head, str) else term_to_sexp(t.head)
        return [_sym("app"), head, term_to_sexp(t.sort), *(term_to_sexp(a) for a in t.args)]
    if isinstance(t, Lit):
        return [_sym("lit"), t.value, term_to_sexp(t.sort)]
    if isinstance(t, Lam):
        return [_sym("lam"), t.var.name, term_to_sexp(t.var.sort), term_to_sexp(t.body)]
    if isinstance(t, Pi):
        return [_sym("pi"), t.var.name, _sym(t.binder), term_to_sexp(t.var.sort),
                term_to_sexp(t.body), term_to_sexp(t.sort)]
    raise TypeError(f"not a term: {t!r}")


def _decl_to_sexp(d: Declaration) -> list:
    out: list = [_sym(d.kind), [_sym("name"), d.name], [_sym("module"), d.module]]
    if d.range is not None:
        r = d.range
        out.append([_sym("range"), r.file, r.line, r.column, r.end_line, r.end_column])
    out.append([_sym("doc"), d.doc])
    out.append([_sym("axioms"), *d.axioms] if d.axioms is not None else [_sym("axioms"), _sym("unknown")])
    out.append([_sym("params"), *([_sym("param"), p.name, _sym(p.binder), term_to_sexp(p.sort)]
                                  for p in d.params)])
    if isinstance(d, Law):
        out.append([_sym("fields"), *([_sym("field"), f.name, term_to_sexp(f.statement)]
                                      for f in d.fields)])
    else:
        out.append([_sym("conclusion"), term_to_sexp(d.conclusion)])
    return out


def _carried(export: Export, field: str, kind: str) -> tuple:
    """The `field` entries (``definitions`` or ``structures``) the export's laws carry, each once,
    sorted by name. Two different ones under one name are refused (ValueError: a programming
    error, not a file's)."""
    out: dict[str, Any] = {}
    for d in export.laws:
        for item in getattr(d, field):
            if out.setdefault(item.name, item) != item:
                raise ValueError(f"two different {kind} named {item.name}")
    return tuple(out[k] for k in sorted(out))


def export_definitions(export: Export) -> tuple[Definition, ...]:
    """The definitions the export's laws carry (`_carried`)."""
    return _carried(export, "definitions", "definitions")


def _def_to_sexp(d: Definition) -> list:
    return [_sym("def"), [_sym("name"), d.name], [_sym("module"), d.module],
            [_sym("params"), *([_sym("param"), p.name, _sym(p.binder), term_to_sexp(p.sort)]
                               for p in d.params)],
            [_sym("type"), term_to_sexp(d.type)], [_sym("body"), term_to_sexp(d.body)]]


def export_structures(export: Export) -> tuple[Structure, ...]:
    """The structures the export's laws carry (`_carried`)."""
    return _carried(export, "structures", "structures")


def _params_sexp(key: str, params: tuple[Param, ...]) -> list:
    return [_sym(key), *([_sym("param"), p.name, _sym(p.binder), term_to_sexp(p.sort)]
                         for p in params)]


def _structure_to_sexp(st: Structure) -> list:
    return [_sym("structure"), [_sym("name"), st.name], [_sym("module"), st.module],
            [_sym("ctor"), st.ctor], _params_sexp("params", st.params),
            _params_sexp("fields", st.fields)]


def dumps(export: Export) -> str:
    """Serialise an export: one declaration per line group, stable across runs. Definitions
    (version 2) come after the header, each once, before the declarations."""
    defs = export_definitions(export)
    head = [
        [_sym("version"), export.version],
        [_sym("producer"), export.producer],
        [_sym("lean-version"), export.lean_version if export.lean_version else _sym("none")],
        [_sym("hashes"), *([p, h] for p, h in export.hashes)],
    ]
    if export.modules:  # only when more than the default module was exported
        head.append([_sym("modules"), *export.modules])
    parts = ["(archlaw-export"]
    parts += ["  " + sexpdata.dumps(h) for h in head]
    parts += ["  " + sexpdata.dumps(_def_to_sexp(d)) for d in defs]
    parts += ["  " + sexpdata.dumps(_structure_to_sexp(st)) for st in export_structures(export)]
    parts += ["  " + sexpdata.dumps(_decl_to_sexp(d)) for d in export.declarations]
    return "\n".join(parts) + ")\n"


def write(export: Export, path: str | Path) -> None:
    """Write atomically (`archlaw.bridge.atomic`: a unique temporary file, synced, then renamed),
    so neither an interrupted write nor a concurrent one leaves a truncated or empty export
    behind; creates the parent folder; a symlink is written through, a device or FIFO refused.
    An OSError (a parent that is a file, no permission, a full disk) is a one-line
    `ArchLawError` naming the path."""
    from . import atomic

    try:
        atomic.write_text(path, dumps(export))
    except OSError as e:
        raise ArchLawError(f"cannot write the export: {e.strerror or e}", where=str(path)) from None


# --------------------------------------------------------------------------------------------
# Reading


def _check_balance(text: str, where: str) -> None:
    """Find unbalanced parentheses and unterminated strings, with line:col, before sexpdata."""
    stack: list[tuple[int, int]] = []
    line, col = 1, 0
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch == '"':
            start = (line, col)
            i += 1
            col += 1
            while i < n and text[i] != '"':
                if text[i] == "\\":
                    i += 1
                    col += 1
                if i < n and text[i] == "\n":
                    line, col = line + 1, 0
                else:
                    col += 1
                i += 1
            if i >= n:
                raise ArchLawError(f"unterminated string starting at {start[0]}:{start[1]}"
                                   " (the file looks truncated)", where=where)
        elif ch == ";":
            while i < n and text[i] != "\n":
                i += 1
            continue
        elif ch == "(":
            stack.append((line, col))
            if len(stack) > MAX_DEPTH:
                raise ArchLawError(f"{line}:{col}: nested deeper than {MAX_DEPTH} levels "
                                   "(an ArchLaw export is far shallower)", where=where)
        elif ch == ")":
            if not stack:
                raise ArchLawError(f"{line}:{col}: unmatched ')'", where=where)
            stack.pop()
        if ch == "\n":
            line, col = line + 1, 0
        else:
            col += 1
        i += 1
    if stack:
        l0, c0 = stack[-1]
        raise ArchLawError(f"{l0}:{c0}: '(' is never closed (the file looks truncated)", where=where)


class _Reader:
    """Turns parsed S-expressions into IR values, with a path for every error."""

    def __init__(self, where: str):
        self.where = where

    def fail(self, path: str, msg: str) -> NoReturn:
        raise ArchLawError(f"{path}: {msg}", where=self.where)

    @staticmethod
    def _show(x: Any) -> str:
        s = sexpdata.dumps(x) if isinstance(x, (list, Symbol)) else repr(x)
        return s if len(s) < 60 else s[:57] + "..."

    def head(self, x: Any, path: str) -> str:
        if not isinstance(x, list) or not x or not isinstance(x[0], Symbol):
            self.fail(path, f"expected a list starting with a keyword, got {self._show(x)}")
        return str(x[0])

    def string(self, x: Any, path: str) -> str:
        if not isinstance(x, str) or isinstance(x, Symbol):
            self.fail(path, f"expected a string, got {self._show(x)}")
        return x

    def integer(self, x: Any, path: str) -> int:
        if not isinstance(x, int) or isinstance(x, bool):
            self.fail(path, f"expected an integer, got {self._show(x)}")
        return x

    def arity(self, x: list, n: int, path: str, form: str) -> None:
        if len(x) != n:
            self.fail(path, f"expected {form}, got {self._show(x)}")

    def term(self, x: Any, path: str) -> Term:
        kind = self.head(x, path)
        if kind == "sort":
            self.arity(x, 2, path, "(sort NAME)")
            return Sort(self.string(x[1], path))
        if kind == "var":
            self.arity(x, 3, path, "(var NAME SORT)")
            return Var(self.string(x[1], path), self.term(x[2], path + " > var sort"))
        if kind == "app":
            if len(x) < 3:
                self.fail(path, f"expected (app HEAD SORT ARG...), got {self._show(x)}")
            h = x[1]
            head: str | Var
            if isinstance(h, list):
                v = self.term(h, path + " > head")
                if not isinstance(v, Var):
                    self.fail(path, "the head of an application must be a name or a (var ...)")
                head = v
            else:
                head = self.string(h, path + " > head")
                if not head:
                    self.fail(path, "empty constant name")
            sort = self.term(x[2], path + f" > sort of {head if isinstance(head, str) else head.name}")
            args = tuple(self.term(a, path + f" > arg {i + 1}") for i, a in enumerate(x[3:]))
            return App(head, args, sort)
        if kind == "lit":
            self.arity(x, 3, path, "(lit VALUE SORT)")
            v = x[1]
            if isinstance(v, bool) or not isinstance(v, (int, str)) or isinstance(v, Symbol):
                self.fail(path, f"a literal is an integer or a string, got {self._show(v)}")
            return Lit(v, self.term(x[2], path + " > lit sort"))
        if kind == "lam":
            self.arity(x, 4, path, "(lam NAME SORT BODY)")
            var = Var(self.string(x[1], path), self.term(x[2], path + " > binder sort"))
            return Lam(var, self.term(x[3], path + " > body"))
        if kind == "pi":
            self.arity(x, 6, path, "(pi NAME BINDER SORT BODY SORT)")
            binder = str(x[2]) if isinstance(x[2], Symbol) else None
            if binder not in _BINDERS:
                self.fail(path, f"binder must be one of {', '.join(_BINDERS)}, got {self._show(x[2])}")
            var = Var(self.string(x[1], path), self.term(x[3], path + " > binder sort"))
            return Pi(var, self.term(x[4], path + " > body"), binder,  # type: ignore[arg-type]
                      self.term(x[5], path + " > pi sort"))
        self.fail(path, f"unknown term kind {kind!r}; expected sort, var, app, lit, lam or pi")

    def entries(self, x: list, path: str, allowed: tuple[str, ...]) -> dict[str, list]:
        out: dict[str, list] = {}
        for item in x[1:]:
            key = self.head(item, path)
            if key not in allowed:
                self.fail(path, f"unknown entry {key!r}; expected one of {', '.join(allowed)}")
            if key in out:
                self.fail(path, f"entry {key!r} appears twice")
            out[key] = item
        return out

    def declaration(self, x: Any, index: int, producer: str) -> Declaration:
        kind = self.head(x, f"declaration {index}")
        if kind not in ("law", "theorem"):
            self.fail(f"declaration {index}", f"expected (law ...) or (theorem ...), got ({kind} ...)")
        body = "fields" if kind == "law" else "conclusion"
        e = self.entries(x, f"{kind} {index}", ("name", "module", "range", "doc", "axioms", "params", body))
        for req in ("name", "module", "params", body):
            if req not in e:
                self.fail(f"{kind} {index}", f"missing ({req} ...)")
        name = self.string(e["name"][1] if len(e["name"]) == 2 else None, f"{kind} {index} > name")
        path = f"{kind} {name}"
        module = self.string(e["module"][1] if len(e["module"]) == 2 else None, path + " > module")
        rng = None
        if "range" in e:
            r = e["range"]
            self.arity(r, 6, path + " > range", "(range FILE LINE COL END_LINE END_COL)")
            rng = SourceRange(self.string(r[1], path + " > range"),
                              *(self.integer(v, path + " > range") for v in r[2:]))
        doc = ""
        if "doc" in e:
            self.arity(e["doc"], 2, path + " > doc", "(doc STRING)")
            doc = self.string(e["doc"][1], path + " > doc")
        axioms: tuple[str, ...] | None
        if "axioms" not in e or e["axioms"][1:] == [Symbol("unknown")]:
            axioms = None
        else:
            axioms = tuple(self.string(a, path + " > axioms") for a in e["axioms"][1:])
        if producer == "lean" and axioms is None:
            self.fail(path, "a Lean export must list the axioms of every declaration")
        params = self.params(e["params"], path)
        common = dict(name=name, module=module, range=rng, doc=doc, params=params,
                      statement_provenance=producer, axioms=axioms)
        if kind == "law":
            fields = []
            for i, f in enumerate(e["fields"][1:]):
                fp = f"{path} > field {i + 1}"
                if self.head(f, fp) != "field":
                    self.fail(fp, "expected (field NAME TERM)")
                self.arity(f, 3, fp, "(field NAME TERM)")
                fname = self.string(f[1], fp)
                fields.append(Field(fname, self.term(f[2], f"{path} > field {fname}")))
            return Law(fields=tuple(fields), **common)  # type: ignore[arg-type]
        self.arity(e["conclusion"], 2, path + " > conclusion", "(conclusion TERM)")
        return Theorem(conclusion=self.term(e["conclusion"][1], path + " > conclusion"), **common)  # type: ignore[arg-type]

    def params(self, e: list, path: str) -> tuple[Param, ...]:
        params = []
        for i, p in enumerate(e[1:]):
            pp = f"{path} > param {i + 1}"
            if self.head(p, pp) != "param":
                self.fail(pp, "expected (param NAME BINDER SORT)")
            self.arity(p, 4, pp, "(param NAME BINDER SORT)")
            binder = str(p[2]) if isinstance(p[2], Symbol) else None
            if binder not in _BINDERS:
                self.fail(pp, f"binder must be one of {', '.join(_BINDERS)}")
            params.append(Param(self.string(p[1], pp), self.term(p[3], pp), binder))  # type: ignore[arg-type]
        return tuple(params)

    def definition(self, x: Any, index: int) -> Definition:
        e = self.entries(x, f"def {index}", ("name", "module", "params", "type", "body"))
        for req in ("name", "module", "params", "type", "body"):
            if req not in e:
                self.fail(f"def {index}", f"missing ({req} ...)")
        name = self.string(e["name"][1] if len(e["name"]) == 2 else None, f"def {index} > name")
        path = f"def {name}"
        module = self.string(e["module"][1] if len(e["module"]) == 2 else None, path + " > module")
        self.arity(e["type"], 2, path + " > type", "(type TERM)")
        self.arity(e["body"], 2, path + " > body", "(body TERM)")
        return Definition(name, module, self.params(e["params"], path),
                          self.term(e["type"][1], path + " > type"),
                          self.term(e["body"][1], path + " > body"))

    def named(self, raws: list, parse: Any, what: str) -> dict:
        """Each raw entry parsed by `parse(raw, position)`, by name; a name given twice is
        refused (``def NAME: defined twice``)."""
        out: dict = {}
        for i, raw in enumerate(raws):
            item = parse(raw, i + 1)
            if item.name in out:
                self.fail(f"{what} {item.name}", "defined twice")
            out[item.name] = item
        return out

    def structure(self, x: Any, index: int) -> Structure:
        keys = ("name", "module", "ctor", "params", "fields")
        e = self.entries(x, f"structure {index}", keys)
        for req in keys:
            if req not in e:
                self.fail(f"structure {index}", f"missing ({req} ...)")
        one = lambda k, at: self.string(e[k][1] if len(e[k]) == 2 else None, at)  # noqa: E731
        name = one("name", f"structure {index} > name")
        path = f"structure {name}"
        return Structure(name, one("module", path + " > module"),
                         self.params(e["params"], path + " > params"),
                         self.params(e["fields"], path + " > fields"), one("ctor", path + " > ctor"))

    def export(self, x: Any) -> Export:
        if not isinstance(x, list) or not x or x[0] != Symbol("archlaw-export"):
            self.fail("top level", "expected (archlaw-export ...): this is not an ArchLaw export")
        header: dict[str, list] = {}
        decls_raw = []
        defs_raw = []
        structs_raw = []
        for item in x[1:]:
            key = self.head(item, "header")
            if key in ("law", "theorem"):
                decls_raw.append(item)
            elif key == "def":
                defs_raw.append(item)
            elif key == "structure":
                structs_raw.append(item)
            elif key in ("version", "producer", "lean-version", "hashes", "modules"):
                header[key] = item
            else:
                self.fail("header", f"unknown entry {key!r}")
        if "version" not in header:
            self.fail("header", "missing (version N)")
        version = header["version"][1] if len(header["version"]) == 2 else None
        if version not in SUPPORTED_VERSIONS:
            self.fail("header", f"unknown schema version {version!r}; this ArchLaw reads version(s) "
                      f"{', '.join(map(str, SUPPORTED_VERSIONS))} (upgrade archlaw, or re-export)")
        if "producer" not in header or len(header["producer"]) != 2 or header["producer"][1] not in _PRODUCERS:
            self.fail("header", 'expected (producer "lean") or (producer "source")')
        producer = header["producer"][1]
        lean_version = None
        if "lean-version" in header and len(header["lean-version"]) == 2 \
                and header["lean-version"][1] != Symbol("none"):
            lean_version = self.string(header["lean-version"][1], "header > lean-version")
        hashes = []
        for i, h in enumerate(header.get("hashes", [None])[1:]):
            if not isinstance(h, list) or len(h) != 2:
                self.fail(f"header > hashes > {i + 1}", 'expected ("PATH" "SHA256")')
            hashes.append((self.string(h[0], "header > hashes"), self.string(h[1], "header > hashes")))
        modules = tuple(self.string(m, f"header > modules > {i + 1}")
                        for i, m in enumerate(header.get("modules", [None])[1:]))
        for raw, what in ((defs_raw, "def"), (structs_raw, "structure")):
            if raw and version < DEFINITIONS_VERSION:
                self.fail(f"{what} 1", f"({what} ...) entries need version "
                                       f"{DEFINITIONS_VERSION} or later (this file says version "
                                       f"{version})")
        structs: dict[str, Structure] = self.named(structs_raw, self.structure, "structure")
        defs: dict[str, Definition] = self.named(defs_raw, self.definition, "def")
        decls = tuple(self.declaration(d, i + 1, producer) for i, d in enumerate(decls_raw))
        # each law carries the definitions its terms use (transitively), as the reader made it
        decls = tuple(with_uses(d, defs, structs) if isinstance(d, Law) else d for d in decls)
        seen = set()
        for d in decls:
            if d.name in seen:
                self.fail(f"{d.kind} {d.name}", "declared twice")
            seen.add(d.name)
        return Export(producer=producer, lean_version=lean_version, hashes=tuple(hashes),
                      declarations=decls, version=version, modules=modules)



def loads(text: str, *, where: str = "<string>") -> Export:
    """Parse an export. Raises `ArchLawError` (one line, naming `where`) on any malformed input."""
    if not isinstance(text, str):
        raise ArchLawError("an export is text", where=where)
    if not text.strip():
        raise ArchLawError("the file is empty; expected (archlaw-export ...)", where=where)
    _check_balance(text, where)
    try:
        parsed = sexpdata.loads(text, nil=None, true=None, false=None)
    except Exception as e:  # sexpdata raises assorted exception types on bad syntax
        first = str(e).splitlines()[0] if str(e) else type(e).__name__
        raise ArchLawError(f"not a valid S-expression: {first}", where=where) from None
    return _Reader(where).export(parsed)


def read_text(path: str | Path) -> str:
    """The text of an export file (not parsed); errors name the file."""
    path = Path(path)
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ArchLawError("no such file", where=str(path)) from None
    except (OSError, UnicodeDecodeError) as e:
        raise ArchLawError(f"cannot read: {e}", where=str(path)) from None


def read(path: str | Path) -> Export:
    """Read an export file; errors name the file."""
    return loads(read_text(path), where=str(Path(path)))
