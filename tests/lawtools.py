"""Helpers shared by the tests of the source reader, the interchange format and the CLI."""
from __future__ import annotations

from pathlib import Path

from archlaw.bridge import ir

REPO = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
FOLD = FIXTURES / "fold"
GOLDEN = FIXTURES / "golden" / "fold.sexp"


def walk(t: ir.Term):
    """Every node of a term, sorts included."""
    yield t
    if isinstance(t, ir.Sort):
        return
    if isinstance(t, ir.Var):
        yield from walk(t.sort)
    elif isinstance(t, ir.App):
        if isinstance(t.head, ir.Var):
            yield from walk(t.head)
        for a in t.args:
            yield from walk(a)
        yield from walk(t.sort)
    elif isinstance(t, ir.Lit):
        yield from walk(t.sort)
    elif isinstance(t, (ir.Lam, ir.Pi)):
        yield from walk(t.var.sort)
        yield from walk(t.body)


def terms_of(d: ir.Declaration):
    for p in d.params:
        yield p.sort
    if isinstance(d, ir.Law):
        for f in d.fields:
            yield f.statement
    else:
        yield d.conclusion


def check_well_formed(d: ir.Declaration, known: set[str]) -> None:
    """Every node keeps its sort, constants are known full names, arrows are named `_`."""
    for t in terms_of(d):
        for n in walk(t):
            assert isinstance(n, (ir.Sort, ir.Var, ir.App, ir.Lit, ir.Lam, ir.Pi)), n
            if isinstance(n, (ir.Var, ir.App, ir.Lit)):
                assert n.sort is not None, f"{d.name}: node without sort: {n}"
            if isinstance(n, ir.App) and isinstance(n.head, str):
                assert n.head in known, f"{d.name}: unknown constant {n.head}"
            if isinstance(n, ir.Pi):
                dependent = n.var.name in ir.free_vars(n.body)
                assert dependent == (n.var.name != ir.ARROW_VAR), f"{d.name}: Pi naming {n}"
                if ir.is_prop(n.body):
                    assert n.sort == ir.PROP, n
                else:
                    assert isinstance(n.sort, ir.Sort) and n.sort.name.startswith("Type"), n
