"""The pathfinding family's torch side: the finite min GNN computes shortest-path distances
(networkx's Dijkstra, saturated at K - 1) on generated graphs of any size, the empty aggregation
is the identity, the float message is monotone by construction, and a tiny cell trains to
exactness. The Lean-bound checks (registry entries, seeded violations) are in
tests/test_pathfinding_laws.py."""

from __future__ import annotations

import networkx as nx
import pytest
import torch

from archlaw.models.pathfinding.data import (
    Graph, grid_graph, make_graph, path_graph, random_graph, reference_distances,
    relaxation_triples, union)
from archlaw.models.pathfinding.modules import (
    FaultyCell, MinGNN, MonotoneMessage, NonMonotoneMessage, aggregate_min,
    aggregate_min_zero_empty, relax_reference, table_relax_cell)
from archlaw.models.pathfinding.train import CellConfig, cell_table_errors, score, train_cell

K, W = 250, 16


def networkx_distances(graph: Graph, k: int) -> torch.Tensor:
    """Dijkstra from networkx, unreachable and far nodes saturated at K - 1."""
    dist = nx.single_source_dijkstra_path_length(graph.to_networkx(), graph.source)
    return torch.tensor([min(dist.get(v, k - 1), k - 1) for v in range(graph.n)])


def test_table_cell_is_the_relaxation_on_its_whole_domain():
    for k, w in ((K, W), (7, 3), (2, 1)):
        assert cell_table_errors(table_relax_cell(k, w)) == (0, [])


def test_decode_is_the_forward_pass_counted():
    """decode reads the shared bit network from its table; it must be the forward pass."""
    torch.manual_seed(0)
    from archlaw.models.pathfinding.modules import RelaxCellNet

    cell = RelaxCellNet(40, 6, hidden=8).eval()
    g = torch.Generator().manual_seed(1)
    dv, du, w = (torch.randint(0, m, (3000,), generator=g) for m in (40, 40, 6))
    with torch.no_grad():
        assert torch.equal(cell.decode(dv, du, w), (cell(dv, du, w) > 0).sum(-1))


@pytest.mark.parametrize("kind,n", [("random", 16), ("random", 64), ("random", 1000),
                                    ("grid", 64), ("grid", 1000), ("path", 300)])
def test_min_gnn_equals_networkx(kind, n):
    g = torch.Generator().manual_seed(n)
    gr = make_graph(kind, n, W, g)
    want = networkx_distances(gr, K)
    assert torch.equal(reference_distances(gr, K), want)
    got, _ = MinGNN(table_relax_cell(K, W)).run(gr.src, gr.dst, gr.w, gr.n, gr.source)
    assert torch.equal(got, want)


def test_thousand_node_path_saturates_exactly():
    g = torch.Generator().manual_seed(0)
    gr = path_graph(1000, W, g)
    got, rounds = MinGNN(table_relax_cell(K, W)).run(gr.src, gr.dst, gr.w, gr.n, gr.source)
    want = networkx_distances(gr, K)
    assert torch.equal(got, want)
    s = score(got, want, K)
    assert s.exact == s.below and s.saturated_right == s.saturated > 900
    assert rounds < 999   # the fixpoint stops it once the far end is saturated


def test_unreachable_nodes_and_isolated_source():
    """A node with no incoming edge keeps the identity K - 1; PyG's empty min (0) would not."""
    src, dst, w = torch.tensor([0, 1]), torch.tensor([1, 2]), torch.tensor([3, 4])
    got, _ = MinGNN(table_relax_cell(K, W)).run(src, dst, w, 5, 0)
    assert got.tolist() == [0, 3, 7, K - 1, K - 1]
    bad, _ = MinGNN(table_relax_cell(K, W), aggregate_min_zero_empty).run(src, dst, w, 5, 0)
    assert bad.tolist()[3:] == [0, 0]
    empty = aggregate_min(torch.zeros(0, dtype=torch.long), torch.zeros(0, dtype=torch.long), 3,
                          K - 1)
    assert empty.tolist() == [K - 1] * 3


def test_batched_union_equals_graph_by_graph():
    g = torch.Generator().manual_seed(3)
    graphs = [random_graph(n, W, g) for n in (2, 5, 9, 16)] + [grid_graph(9, W, g)]
    u, sources = union(graphs)
    got, _ = MinGNN(table_relax_cell(K, W)).run(u.src, u.dst, u.w, u.n, sources)
    assert torch.equal(got, torch.cat([networkx_distances(gr, K) for gr in graphs]))


def test_faulty_cell_breaks_the_gnn_where_it_is_used():
    gr = Graph(torch.tensor([0]), torch.tensor([1]), torch.tensor([5]), 2)
    cell = FaultyCell(table_relax_cell(K, W), {(K - 1, 0, 5): 6})
    assert cell_table_errors(cell) == (1, [(K - 1, 0, 5)])
    got, _ = MinGNN(cell).run(gr.src, gr.dst, gr.w, gr.n, 0)
    assert got.tolist() == [0, 6]


def test_float_message_is_monotone_and_the_seeded_one_is_not():
    torch.manual_seed(0)
    msg = MonotoneMessage(W, 8, K)
    x = torch.linspace(-300, 600, 2001)
    for wv in range(W):
        y = msg(x, torch.full_like(x, wv, dtype=torch.long)).detach()
        assert (y[1:] >= y[:-1]).all()
    y = NonMonotoneMessage(W)(x, torch.zeros_like(x, dtype=torch.long)).detach()
    assert (y[1:] < y[:-1]).any()


def test_relaxation_triples_cover_the_whole_range():
    g = torch.Generator().manual_seed(0)
    dv, du, w = relaxation_triples(20000, K, W, g)
    assert dv.shape == du.shape == w.shape == (20000,)
    assert du.min() == 0 and du.max() == K - 1 and len(du[:10000].unique()) == K
    assert w.max() < W and int((relax_reference(dv, du, w, K) < 0).sum()) == 0


def test_score_separates_saturated_nodes():
    true = torch.tensor([0, 3, K - 1, K - 1])
    s = score(torch.tensor([0.2, 4.0, 200.0, K - 1.0]), true, K)
    assert (s.below, s.exact, s.saturated, s.saturated_right) == (2, 1, 2, 1)
    assert s.mae == pytest.approx(0.6)
    s = score(torch.tensor([float("nan"), 3.0, float("inf"), K - 1.0]), true, K)
    assert (s.exact, s.saturated_right, s.non_finite) == (1, 1, 2)
    assert s.mae == pytest.approx((K - 1) / 2)


def test_bad_graph_kind_is_one_clear_error():
    with pytest.raises(ValueError, match="graph kind 'tree': expected one of random, path, grid"):
        make_graph("tree", 4, W, torch.Generator())


@pytest.mark.slow
def test_tiny_cell_trains_to_exactness():
    torch.set_num_threads(1)
    cell, rep = train_cell(CellConfig(k=32, w=8, steps=300), device="cpu",
                           max_tries=2, progress=False)
    assert rep.accepted and cell_table_errors(cell) == (0, [])
    g = torch.Generator().manual_seed(5)
    gr = random_graph(200, 8, g)
    got, _ = MinGNN(cell).run(gr.src, gr.dst, gr.w, gr.n, gr.source)
    assert torch.equal(got, networkx_distances(gr, 32))


def test_whole_gnn_ignores_edge_order_and_duplicates_and_moves_with_relabelling():
    """The laws are checked on one step (tests/test_pathfinding_laws.py); the whole run, every
    round of it, inherits them: shuffled edges, duplicated edges and renamed nodes (the source
    renamed too) give the same distances, renamed."""
    g = torch.Generator().manual_seed(11)
    gnn = MinGNN(table_relax_cell(K, W))
    for _ in range(5):
        gr = random_graph(60, W, g)
        base, _ = gnn.run(gr.src, gr.dst, gr.w, gr.n, 0)
        order = torch.randperm(gr.edges, generator=g)
        shuffled, _ = gnn.run(gr.src[order], gr.dst[order], gr.w[order], gr.n, 0)
        dup = torch.cat([torch.arange(gr.edges), torch.randint(0, gr.edges, (30,), generator=g)])
        doubled, _ = gnn.run(gr.src[dup], gr.dst[dup], gr.w[dup], gr.n, 0)
        tau = torch.randperm(gr.n, generator=g)          # node v is renamed tau[v]
        renamed, _ = gnn.run(tau[gr.src], tau[gr.dst], gr.w, gr.n, int(tau[0]))
        assert torch.equal(shuffled, base) and torch.equal(doubled, base)
        assert torch.equal(renamed[tau], base)
