"""Helpers shared by the tests of the source reader, the interchange format and the CLI."""
from __future__ import annotations

from pathlib import Path

import dataclasses

from archlaw.bridge import ir

REPO = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
FOLD = FIXTURES / "fold"
GOLDEN = FIXTURES / "golden" / "fold.sexp"


def walk(t: ir.Term):
    """Every node of a term, sorts included (pre-order over `ir.children`)."""
    yield t
    for c in ir.children(t):
        yield from walk(c)


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


def lean_export_of(root: Path, axioms=("propext",)) -> ir.Export:
    """What the Lean exporter would write for `root` (built from the source reader's values),
    with fresh hashes."""
    from archlaw.bridge import library

    exp = library.load_export(root)
    decls = tuple(dataclasses.replace(d, statement_provenance="lean", axioms=tuple(axioms))
                  for d in exp.declarations)
    return dataclasses.replace(exp, producer="lean", lean_version="4.20.0", declarations=decls,
                               hashes=library.hash_lean_files(root))


def tagged_in(root: Path) -> list[tuple[str, str]]:
    """(file, name) of every tagged declaration, found from tokens alone (independent of the
    reader's parsing)."""
    from archlaw.bridge import source_reader as sr

    out = []
    for f, _ in sr.lean_files(root):
        toks = sr.tokenize(f.read_text(encoding="utf-8"), str(f))
        for cmd in sr.split_commands(toks):
            texts = [t.text for t in cmd]
            if "@[" not in texts:
                continue
            attrs = " ".join(texts[:texts.index("]") + 1]) if "]" in texts else ""
            if "arch_law" in attrs or "arch_theorem" in attrs:
                kw = next(i for i, t in enumerate(cmd) if t.text in ("structure", "theorem", "def",
                                                                     "class", "inductive", "lemma"))
                out.append((f.relative_to(root).as_posix(), cmd[kw + 1].text))
    return out


def record_as_made_by_lake(root: Path, path: Path) -> Path:
    """Stand in for ``archlaw export`` with lake (not installed here): record in ArchLaw's cache,
    through the same code path that command uses, that lake made the export file at `path` from
    the Lean files of `root`. Nothing here claims lake ran: the test that calls this decides that
    the file is Lean's. Set ``ARCHLAW_CACHE`` to a temporary folder first."""
    from archlaw.bridge import attestation, interchange, library

    exp = interchange.read(path)
    return attestation.record_lake_export(root, library.hash_lean_files(root),
                                          interchange.read_text(path), exp.lean_version)


def toy_lean_export(d: Path, *, record: bool = True, name: str = "laws.sexp") -> tuple[Path, Path]:
    """The toy laws (`conformance_toys.export`, a lean export) written to ``d/name`` for an empty
    Lake project at ``d/proj``, and, with `record`, recorded in ArchLaw's cache as made by lake
    (`record_as_made_by_lake`; set ``ARCHLAW_CACHE`` first). Returns (project, export file); pass
    ``--root project --from file`` to a command."""
    import conformance_toys as T
    from archlaw.bridge import interchange

    proj = d / "proj"
    proj.mkdir()
    (proj / "lean-toolchain").write_text("leanprover/lean4:v4.20.0\n")
    path = d / name
    interchange.write(T.export(), path)
    if record:
        record_as_made_by_lake(proj, path)
    return proj, path


def load_script(name: str):
    """`scripts/NAME.py` imported as a fresh module (named ``NAME_under_test``), for the tests of
    a benchmark or training script's functions."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(f"{name}_under_test",
                                                  REPO / "scripts" / f"{name}.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def fake_carry_cache(monkeypatch, tmp_path: Path, cell, combine=None) -> None:
    """Make `archlaw add` find the carry `cell` (and `combine`, else the exact hand-built one) in
    its cache, without training."""
    from archlaw.models.carry import store as carry_store
    from archlaw.models.carry.modules import table_combine

    monkeypatch.setenv("ARCHLAW_CACHE", str(tmp_path))
    cached = carry_store.CachedAdder(cell, combine or table_combine(),
                                     {"config": {"base": cell.base}, "cell": {"seed": 0}},
                                     tmp_path / "fake-entry", False)
    monkeypatch.setattr(carry_store, "load_or_train", lambda *a, **k: cached)
