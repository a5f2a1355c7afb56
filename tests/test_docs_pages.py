"""The documentation's shape: a short README that links every page, links that resolve, and
paths and module names that exist in the package as it is laid out now."""

from __future__ import annotations

import importlib.util
import re

import docpages

ROOT = docpages.ROOT
#: Paths a page names that are made by a run, not committed (git-ignored or temporary).
MADE_BY_RUNS = ("build/", "runs/", "out/", "/tmp/", "~/", ".venv/", "$", ".lake/")


def test_readme_is_short():
    n = len((ROOT / "README.md").read_text(encoding="utf-8").split("\n"))
    assert n <= 250, f"README.md has {n} lines; the front page is at most 250"


def test_every_page_is_linked_from_the_readme():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    linked = set(re.findall(r"\]\((docs/[^)#]+\.md)", readme))
    pages = {docpages.rel(p) for p in docpages.pages()[1:]}
    assert pages - linked == set()


def test_relative_links_resolve():
    bad = []
    for p in docpages.pages():
        for target in re.findall(r"\]\(([^)\s]+)\)", docpages.prose(p)):
            if re.match(r"[a-z]+:", target):
                continue
            path = target.split("#")[0]
            if path and not (p.parent / path).exists():
                bad.append(f"{docpages.rel(p)}: link {target}")
    assert bad == []


def _code_spans(p) -> list[str]:
    return re.findall(r"`([^`\n]+)`", docpages.prose(p))


def test_paths_named_on_pages_exist():
    bad = []
    for p in docpages.pages():
        for span in _code_spans(p):
            for word in span.split():
                word = word.strip("(),;:")
                if (re.fullmatch(r"[\w.-]+(/[\w.*-]+)+/?", word)
                        and re.match(r"(archlaw|lean|docs|tests|scripts|\.github)/", word)
                        and not word.startswith(MADE_BY_RUNS) and "*" not in word
                        and "<" not in word):
                    if not (ROOT / word).exists():
                        bad.append(f"{docpages.rel(p)}: {word}")
    assert bad == []


def test_module_names_on_pages_exist():
    """`archlaw.x.y` (a module, or a module and one attribute) names something in the package."""
    bad = []
    for p in docpages.pages():
        for span in _code_spans(p):
            for name in re.findall(r"\barchlaw(?:\.\w+)+", span):
                if not _resolves(name):
                    bad.append(f"{docpages.rel(p)}: {name}")
    assert bad == []


def _resolves(name: str) -> bool:
    parts = name.split(".")
    for cut in range(len(parts), 0, -1):
        mod = ".".join(parts[:cut])
        try:
            found = importlib.util.find_spec(mod) is not None
        except ModuleNotFoundError:  # a parent is a module, not a package
            found = False
        if found:
            obj = importlib.import_module(mod)
            for attr in parts[cut:]:
                if not hasattr(obj, attr):
                    return False
                obj = getattr(obj, attr)
            return True
    return False


def test_a_missing_path_is_caught(tmp_path, monkeypatch):
    page = tmp_path / "docs" / "x.md"
    page.parent.mkdir()
    page.write_text("See `archlaw/bridge/nosuch.py` and `archlaw.bridge.nosuch`.\n")
    monkeypatch.setattr(docpages, "ROOT", tmp_path)
    spans = _code_spans(page)
    assert not (ROOT / spans[0]).exists() and not _resolves(spans[1])
