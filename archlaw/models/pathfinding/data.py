"""Graphs for the pathfinding family, generated in code (nothing is downloaded), and their
reference distances.

A `Graph` is an edge list: ``src``, ``dst`` (E,) long in ``[0, n)`` and ``w`` (E,) long
integer weights in ``[0, W)``, with one source node (0). Edge e goes ``src[e] → dst[e]``.

* `random_graph`: a directed G(n, p) graph with mean out-degree `degree` (each ordered pair an
  edge with probability about degree / n), plus, with probability `spine`, a path from the
  source through all other nodes in a shuffled order (then every node is reachable; without it,
  those outside the source's reach stay at K - 1), weights uniform in [0, W);
* `path_graph`: 0 - 1 - … - (n - 1), both directions, weights uniform in [0, W): shortest
  paths n - 1 edges long, far past K at 1,000 nodes;
* `grid_graph`: an r × c grid (4-neighbour, both directions), weights uniform in [0, W).

`reference_distances` is Bellman-Ford in the saturating semiring with the exact relaxation
(`archlaw.models.pathfinding.modules.relax_reference`), the ground truth for training and
evaluation; tests compare it with networkx's Dijkstra.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import partial

import torch

from archlaw.models.pathfinding.modules import bellman_ford, relax_reference

__all__ = ["Graph", "random_graph", "path_graph", "grid_graph", "reference_distances",
           "union", "relaxation_triples", "GRAPH_KINDS", "make_graph"]


@dataclass(frozen=True)
class Graph:
    """A directed weighted graph: `n` nodes, edges ``src[e] → dst[e]`` of weight ``w[e]`` (all
    (E,) long), shortest paths from node `source`; `kind` names its generator."""

    src: torch.Tensor
    dst: torch.Tensor
    w: torch.Tensor
    n: int
    source: int = 0
    kind: str = "random"

    @property
    def edges(self) -> int:
        return int(self.src.shape[0])

    def to_networkx(self):
        """A ``networkx.DiGraph`` with edge attribute ``weight`` (the least of parallel edges)."""
        import networkx as nx

        g = nx.DiGraph()
        g.add_nodes_from(range(self.n))
        for u, v, x in zip(self.src.tolist(), self.dst.tolist(), self.w.tolist()):
            if not g.has_edge(u, v) or g[u][v]["weight"] > x:
                g.add_edge(u, v, weight=x)
        return g


def _both_ways(u: torch.Tensor, v: torch.Tensor, w: torch.Tensor):
    return torch.cat([u, v]), torch.cat([v, u]), torch.cat([w, w])


def random_graph(n: int, weights: int, g: torch.Generator, degree: float = 3.0,
                 spine: float = 0.5) -> Graph:
    """A directed random graph on `n` nodes (see the module docstring). Self-loops are dropped."""
    e = torch.poisson(torch.tensor(float(degree * n)), generator=g).long().item()
    src = torch.randint(0, n, (e,), generator=g)
    dst = torch.randint(0, n, (e,), generator=g)
    keep = src != dst
    src, dst = src[keep], dst[keep]
    if n > 1 and torch.rand((), generator=g).item() < spine:
        order = torch.cat([torch.zeros(1, dtype=torch.long), 1 + torch.randperm(n - 1, generator=g)])
        src, dst = torch.cat([src, order[:-1]]), torch.cat([dst, order[1:]])
    w = torch.randint(0, weights, (src.shape[0],), generator=g)
    return Graph(src, dst, w, n, 0, "random")


def path_graph(n: int, weights: int, g: torch.Generator) -> Graph:
    """The path 0 - 1 - … - (n - 1), both directions, one weight per undirected edge."""
    u = torch.arange(n - 1)
    src, dst, w = _both_ways(u, u + 1, torch.randint(0, weights, (n - 1,), generator=g))
    return Graph(src, dst, w, n, 0, "path")


def grid_graph(n: int, weights: int, g: torch.Generator) -> Graph:
    """A grid of about `n` nodes: r = ⌊√n⌋ rows by ⌈n / r⌉ columns (exactly n when n is r·c;
    16 is 4 × 4, 64 is 8 × 8, 256 is 16 × 16, 1,000 is 31 × 33 = 1,023), 4-neighbour edges both
    ways, one weight per undirected edge, source the corner 0."""
    r = max(1, math.isqrt(n))
    c = -(-n // r)
    idx = torch.arange(r * c).reshape(r, c)
    u = torch.cat([idx[:, :-1].reshape(-1), idx[:-1, :].reshape(-1)])
    v = torch.cat([idx[:, 1:].reshape(-1), idx[1:, :].reshape(-1)])
    src, dst, w = _both_ways(u, v, torch.randint(0, weights, (u.shape[0],), generator=g))
    return Graph(src, dst, w, r * c, 0, "grid")


#: The generators by name, as the benchmark and `make_graph` use them.
GRAPH_KINDS = {"random": random_graph, "path": path_graph, "grid": grid_graph}


def make_graph(kind: str, n: int, weights: int, g: torch.Generator) -> Graph:
    """One graph of `kind` (a key of `GRAPH_KINDS`) with about `n` nodes."""
    if kind not in GRAPH_KINDS:
        raise ValueError(f"graph kind {kind!r}: expected one of {', '.join(GRAPH_KINDS)}")
    return GRAPH_KINDS[kind](n, weights, g)


def reference_distances(graph: Graph, k: int) -> torch.Tensor:
    """Shortest-path distances from the source, saturated at ``K - 1``: (n,) long. Bellman-Ford
    with the exact relaxation, to its fixpoint (at most n - 1 rounds)."""
    d, _ = bellman_ford(partial(relax_reference, k=k), graph.src, graph.dst, graph.w, graph.n,
                        graph.source, k)
    return d


def union(graphs: list[Graph]) -> tuple[Graph, torch.Tensor]:
    """The disjoint union of `graphs` as one `Graph` (node ids offset; its `source` is the first
    graph's) and the (B,) long node offsets, whose entries are the graphs' sources."""
    offsets, total = [], 0
    for gr in graphs:
        offsets.append(total)
        total += gr.n
    off = torch.tensor(offsets, dtype=torch.long)
    src = torch.cat([gr.src + o for gr, o in zip(graphs, offsets)])
    dst = torch.cat([gr.dst + o for gr, o in zip(graphs, offsets)])
    w = torch.cat([gr.w for gr in graphs])
    return Graph(src, dst, w, total, 0, "union"), off + torch.tensor([gr.source for gr in graphs])


def relaxation_triples(n: int, k: int, weights: int, g: torch.Generator, max_nodes: int = 16,
                       uniform: float = 0.5) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """`n` relaxations ``(dv, du, w)`` (each (n,) long) for training a cell: a fraction `uniform`
    drawn uniformly from the whole range ``Fin K × Fin K × Fin W`` (so the cell sees every
    distance below K), the rest read off the edges of Bellman-Ford rounds (exact relaxation) on
    random graphs of at most `max_nodes` nodes, each round's (d_v, d_u, w) on every edge."""
    m = int(round(n * uniform))
    dv = [torch.randint(0, k, (m,), generator=g)]
    du = [torch.randint(0, k, (m,), generator=g)]
    ws = [torch.randint(0, weights, (m,), generator=g)]
    have = m
    while have < n:
        gr = random_graph(int(torch.randint(2, max_nodes + 1, (), generator=g)), weights, g)
        rounds = int(torch.randint(0, gr.n, (), generator=g))
        d, _ = bellman_ford(partial(relax_reference, k=k), gr.src, gr.dst, gr.w, gr.n,
                            gr.source, k, rounds=rounds)
        dv.append(d[gr.dst])
        du.append(d[gr.src])
        ws.append(gr.w)
        have += gr.edges
    return tuple(torch.cat(t)[:n] for t in (dv, du, ws))  # type: ignore[return-value]
