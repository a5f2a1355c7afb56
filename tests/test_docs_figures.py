"""Figures stay true: every measured figure on a page sits in a figure block that names its JSON
under docs/bench/, the command and the date that produced it, and matches that JSON (conventions
in `tests/docpages.py`)."""

from __future__ import annotations

import json

import docpages


def _all_blocks() -> list[docpages.FigureBlock]:
    return [b for p in docpages.pages() for b in docpages.figure_blocks(p)]


def test_every_figure_on_a_page_matches_its_json():
    blocks = _all_blocks()
    assert len(blocks) >= 9, "fewer figure blocks than the pages had: were figures moved out?"
    problems = [e for b in blocks for e in docpages.check_figure_block(b)]
    assert problems == [], "\n".join(problems)


def test_every_json_under_docs_bench_is_quoted_by_a_page():
    quoted = {b.json_path for b in _all_blocks()}
    on_disk = {docpages.rel(p) for p in (docpages.ROOT / "docs" / "bench").glob("*.json")}
    assert on_disk - quoted == set()


def test_a_figure_changed_on_a_page_is_caught():
    """The check can fail: each block, with one of its figures altered, is reported."""
    for b in _all_blocks():
        lines = b.text.split("\n")
        k, m = next((k, m) for k, line in enumerate(lines) if not line.startswith("Source:")
                    for m in docpages._NUMBER.finditer(docpages.strip_non_figures(line)))
        wrong = m.group(0).replace(",", "") + "1357"  # a value no JSON here holds
        lines[k] = lines[k].replace(m.group(0), wrong, 1)
        bad = docpages.FigureBlock(b.page, b.line, b.json_path, "\n".join(lines))
        assert any(f"figure {wrong} " in e for e in docpages.check_figure_block(bad)), b


def test_the_source_line_must_name_the_recorded_command():
    b = next(b for b in _all_blocks() if b.json_path.endswith("bench_conformance.json"))
    assert docpages.check_figure_block(b) == []
    recorded = json.loads((docpages.ROOT / b.json_path).read_text())["env"]["command"]
    bad = b.text.replace("--threads 1 --out", "--threads 2 --out", 1)
    assert recorded and any("records" in e for e in docpages.check_figure_block(
        docpages.FigureBlock(b.page, b.line, b.json_path, bad)))
    undated = "\n".join(line for line in b.text.split("\n") if not line.startswith("Source:"))
    assert any("Source" in e for e in docpages.check_figure_block(
        docpages.FigureBlock(b.page, b.line, b.json_path, undated)))


def test_figure_matching_rules():
    values, words = docpages.json_numbers({"rate": 0.9999, "s": 0.2334, "e": 5.98e-07,
                                           "n": 10000, "label": "C4 samples=32 size=12"})
    assert docpages.figure_matches("99.99", values, words)      # a percent of a rate
    assert docpages.figure_matches("233", values, words)        # milliseconds of seconds
    assert docpages.figure_matches("6.0e-07", values, words)
    assert docpages.figure_matches("10,000", values, words)
    assert docpages.figure_matches("32", values, words)         # a numeral of a label
    assert not docpages.figure_matches("99.98", values, words)
    assert not docpages.figure_matches("6.1e-07", values, words)
    assert not docpages.figure_matches("10,001", values, words)
