"""The package's shape: imports run one way (no cycle; the engine imports no family), every family
has the same role files, and a non-editable install works."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import networkx as nx
import pytest

PKG = Path(__file__).resolve().parents[1] / "archlaw"
ROLES = ("modules", "data", "train", "baselines", "bindings", "fixtures")


def _module_name(path: Path) -> str:
    parts = path.relative_to(PKG.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph() -> nx.DiGraph:
    """Module -> module for every import statement in the package, those inside functions (lazy
    imports) included; ``from a.b import c`` points at ``a.b.c`` when that is a module."""
    files = {_module_name(p): p for p in PKG.rglob("*.py")}
    g = nx.DiGraph()
    g.add_nodes_from(files)
    for name, path in files.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join(anchor + ([base] if base else []))
                targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in files else base
                           for a in node.names]
            else:
                continue
            for t in targets:
                if t in files and t != name:
                    g.add_edge(name, t, line=node.lineno)
    return g


def test_no_import_cycle():
    cycles = sorted(" -> ".join([*c, c[0]]) for c in nx.simple_cycles(import_graph()))
    assert cycles == [], "import cycles:\n" + "\n".join(cycles)


def test_the_engine_imports_no_family_and_no_cli():
    g = import_graph()
    bad = [f"{a}:{d['line']} imports {b}" for a, b, d in g.edges(data=True)
           if a.startswith("archlaw.bridge") and not b.startswith("archlaw.bridge")]
    assert bad == []


def test_modules_import_nothing_above_them_in_their_family():
    """Within a family, imports run down the role list: modules <- bindings <- fixtures."""
    order = {"modules": 0, "data": 1, "baselines": 1, "train": 2, "bindings": 2, "store": 3,
             "fixtures": 4}
    g = import_graph()
    bad = []
    for a, b in g.edges:
        pa, pb = a.split("."), b.split(".")
        if (len(pa) == len(pb) == 4 and pa[:3] == pb[:3] and pa[1] == "models"
                and pa[3] in order and pb[3] in order and order[pb[3]] > order[pa[3]]):
            bad.append(f"{a} imports {b}")
    assert bad == []


def test_every_family_has_the_same_roles():
    families = [d for d in (PKG / "models").iterdir() if (d / "__init__.py").is_file()]
    assert len(families) >= 3
    missing = [f"{d.name}/{r}.py" for d in families for r in ROLES if not (d / f"{r}.py").is_file()]
    assert missing == []


def test_no_python_file_over_1000_lines():
    long = [f"{p.relative_to(PKG.parent)}: {n}" for p in PKG.rglob("*.py")
            if (n := len(p.read_text().splitlines())) > 1000]
    assert long == []


def test_the_cycle_finder_sees_lazy_imports(tmp_path, monkeypatch):
    """The walker must see an import inside a function, or the cycle test could not fail."""
    pkg = tmp_path / "archlaw"
    (pkg / "bridge").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "bridge" / "__init__.py").write_text("")
    (pkg / "bridge" / "a.py").write_text("from . import b\n")
    (pkg / "bridge" / "b.py").write_text("def f():\n    from archlaw.bridge.a import x\n")
    monkeypatch.setattr(sys.modules[__name__], "PKG", pkg)
    assert list(nx.simple_cycles(import_graph())) != []


# ---------------------------------------------------------------------------------------------
# A non-editable install, shared by every test that needs one (conftest's `installed` fixture)


def _run(installed, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(installed.python), *args], cwd=installed.cwd, capture_output=True,
                          text=True, timeout=120, env={**os.environ, "PYTHONPATH": ""})


def test_installed_package_imports_from_site_packages(installed):
    r = _run(installed, "-c", "import archlaw, archlaw.bridge.conformance, archlaw.models.recursion; "
                              "print(archlaw.__file__)")
    assert r.returncode == 0, r.stderr
    assert str(installed.site) in r.stdout and str(PKG) not in r.stdout


@pytest.mark.parametrize("argv", [["-m", "archlaw", "--help"], ["SCRIPT", "--help"]],
                         ids=["python -m archlaw", "archlaw script"])
def test_installed_cli_help(installed, argv):
    argv = [str(installed.script), *argv[1:]] if argv[0] == "SCRIPT" else argv
    r = (subprocess.run(argv, cwd=installed.cwd, capture_output=True, text=True, timeout=120)
         if argv[0] == str(installed.script) else _run(installed, *argv))
    assert r.returncode == 0, r.stderr
    assert "check" in r.stdout and "verify" in r.stdout


def test_import_archlaw_does_not_import_torch(installed):
    r = _run(installed, "-c", "import sys, archlaw, archlaw.cli; print('torch' in sys.modules)")
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "False"
