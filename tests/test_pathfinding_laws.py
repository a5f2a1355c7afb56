"""The pathfinding family against its Lean laws (``lean/ArchLaw/Graph/``, read by the source
reader: statement ``source``): every registered entry of the family, seeded violations included
(each caught by its field, for its stated reason); the stated size K = 250, W = 16 exhaustively;
and the runner against a transcription of Lean's ``bellmanFord`` (the part of the trust base no
law covers)."""

from __future__ import annotations

import pytest
import torch

from archlaw.bridge.library import load_export
from archlaw.models import registry
from archlaw.models.pathfinding import fixtures
from archlaw.models.pathfinding.bindings import LAW_NAMES
from archlaw.models.pathfinding.data import random_graph
from archlaw.models.pathfinding.modules import FaultyCell, MinGNN, relax_reference, table_relax_cell


@pytest.fixture(scope="module")
def export():
    return load_export()


def family_entries(tiny: bool = True):
    """The registry's entries on this family's laws (`fixtures` registers them on import)."""
    assert fixtures.TINY_CELL.k == 32
    return [e for e in registry.entries(tiny_only=tiny) if e.law_name in LAW_NAMES.values()]


def test_every_law_is_bound_and_every_seeded_violation_has_a_reason():
    entries = family_entries()
    laws = {e.law_name for e in entries} | {e.theorem for e in entries if e.theorem}
    assert laws == set(LAW_NAMES.values())
    seeded = [e for e in entries if not e.expect_pass]
    assert {e.law_name for e in seeded} == set(LAW_NAMES.values()) - {LAW_NAMES["k_rounds"]}
    assert all(e.expect_field for e in seeded)


def _must_be_exhaustive(e) -> bool:
    return e.law_name in (LAW_NAMES["cell"], LAW_NAMES["order"], LAW_NAMES["duplicate"],
                          LAW_NAMES["empty"]) or "table" in e.name


# Every entry's verdict is the `pytest --archlaw` plugin's test (make test runs it); here, the
# entries whose check must also be exhaustive, which the plugin does not assert.
@pytest.mark.parametrize("entry", [e for e in family_entries() if _must_be_exhaustive(e)],
                         ids=lambda e: e.id)
def test_registered_entry_is_exhaustive(entry, export):
    with registry.one_thread():
        out = registry.run_entry(entry, export)
    assert out.as_expected, f"{out.mismatch}\n{out.text}"
    assert out.check == "exhaustive", out.text
    assert out.statement == "source"   # no Lean here: never more trusted than the source


def test_stated_size_is_exhaustive_and_not_certified_here(export):
    """K = 250, W = 16: all 10^6 cases of the cell, then the k-round theorem's verdict."""
    (entry,) = [e for e in registry.get("relax-cell-table-k250")]
    with registry.one_thread():
        out = registry.run_entry(entry, export)
    assert out.passed and out.check == "exhaustive"
    (_, rep), = [h for h in out.report.hypotheses if h[1].cases]
    assert rep.cases == 250 * 250 * 16
    assert not out.report.certified and "statement source" in out.report.verdict()


def lean_bellman_ford(cell, src, dst, w, n, source, k, rounds):
    """Lean's ``bellmanFord`` transcribed: each round, node v folds ``cell acc (d u) w`` over the
    edge list from the right (``List.foldr``), from ``acc = d v``, every edge reading the
    previous round's ``d``."""
    d = [0 if v == source else k - 1 for v in range(n)]
    edges = list(zip(src.tolist(), dst.tolist(), w.tolist()))
    for _ in range(rounds):
        new = []
        for v in range(n):
            acc = d[v]
            for u, t, x in reversed(edges):
                if t == v:
                    acc = int(cell(torch.tensor([acc]), torch.tensor([d[u]]), torch.tensor([x])))
            new.append(acc)
        d = new
    return d


@pytest.mark.parametrize("rounds", [0, 1, 3, 40])
def test_runner_equals_lean_bellman_ford(rounds):
    g = torch.Generator().manual_seed(rounds)
    gr = random_graph(12, 8, g)
    cell = table_relax_cell(32, 8)
    got, _ = MinGNN(cell).run(gr.src, gr.dst, gr.w, gr.n, 0, rounds=rounds)
    want = lean_bellman_ford(cell.decode, gr.src, gr.dst, gr.w, gr.n, 0, 32, rounds)
    assert got.tolist() == want


def test_runner_and_lean_fold_differ_only_through_an_unlawful_cell():
    """With a cell that breaks RelaxCell the two runners may disagree: the agreement above rests
    on the cell law, which is why the law is checked on the whole domain."""
    cell = FaultyCell(table_relax_cell(32, 8), {(2, 0, 5): 9})   # min(2, 0 + 5) = 2, not 9
    src, dst, w = torch.tensor([0, 0]), torch.tensor([1, 1]), torch.tensor([5, 2])
    got, _ = MinGNN(cell).run(src, dst, w, 2, 0, rounds=1)
    want = lean_bellman_ford(cell.decode, src, dst, w, 2, 0, 32, 1)
    assert got.tolist() == [0, 2] and want == [0, 9]
    assert int(relax_reference(torch.tensor(2), torch.tensor(0), torch.tensor(5), 32)) == 2
