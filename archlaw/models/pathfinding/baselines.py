"""Baselines for the pathfinding family: message-passing GNNs with a sum or a mean aggregation
and a hidden state, of about the size of the learned cells, trained on the same graphs.

`AggGNN` (state h_v ∈ R^H, H = `hidden`)::

    h⁰_v   = A [is_source_v, d⁰_v / K]                  d⁰: 0 at the source, K - 1 elsewhere
    m_e    = φ([h_u, h_v, w_e / W])                      edge e: u → v, φ a 2-layer MLP
    h'_v   = h_v + γ([h_v, ⊕_{e: u → v} m_e])            ⊕ sum or mean (0 for no edge)
    d_v    = K · r(h_v)                                  read out after the last round

It runs n - 1 rounds on an n-node graph, as Bellman-Ford does. Neither aggregation is
idempotent (a duplicated edge counts twice in a sum and reweights a mean), and their empty value
0 is not an identity of any min: the laws the min-aggregation GNN meets by construction are the
ones these lack.
"""

from __future__ import annotations

import torch
from torch import nn

from archlaw.models.pathfinding.modules import aggregate_mean, aggregate_sum

__all__ = ["AggGNN", "AGGREGATIONS"]

#: The baselines' aggregations by name.
AGGREGATIONS = {"sum": aggregate_sum, "mean": aggregate_mean}


class AggGNN(nn.Module):
    """A sum- or mean-aggregation GNN (see the module docstring).

    forward(src, dst, w, n, sources, rounds) -> (n,) float distances (differentiable).
    run(src, dst, w, n, source, rounds=None) -> ((n,) float distances clamped to [0, K - 1],
    rounds run = n - 1 or `rounds`): the same signature as the min GNNs' ``run``.
    """

    def __init__(self, aggr: str = "sum", hidden: int = 16, k: int = 250, w: int = 16):
        super().__init__()
        if aggr not in AGGREGATIONS:
            raise ValueError(f"aggregation {aggr!r}: expected one of {', '.join(AGGREGATIONS)}")
        self.aggr, self.hidden, self.k, self.w = aggr, hidden, k, w
        self.embed = nn.Linear(2, hidden)
        self.msg = nn.Sequential(nn.Linear(2 * hidden + 1, hidden), nn.ReLU(),
                                 nn.Linear(hidden, hidden))
        self.upd = nn.Sequential(nn.Linear(2 * hidden, hidden), nn.ReLU())
        self.readout = nn.Linear(hidden, 1)

    def forward(self, src: torch.Tensor, dst: torch.Tensor, w: torch.Tensor, n: int,
                sources: torch.Tensor | int, rounds: int) -> torch.Tensor:
        dtype = self.readout.weight.dtype
        is_src = torch.zeros(n, dtype=dtype, device=src.device)
        is_src[torch.as_tensor(sources, device=src.device).reshape(-1)] = 1.0
        d0 = (1.0 - is_src) * (self.k - 1) / self.k
        h = self.embed(torch.stack([is_src, d0], -1))
        wf = (w.to(dtype) / self.w)[:, None]
        agg = AGGREGATIONS[self.aggr]
        for _ in range(rounds):
            m = self.msg(torch.cat([h[src], h[dst], wf], -1))
            h = h + self.upd(torch.cat([h, agg(m, dst, n)], -1))
        return self.k * self.readout(h)[:, 0]

    @torch.no_grad()
    def run(self, src: torch.Tensor, dst: torch.Tensor, w: torch.Tensor, n: int,
            source: torch.Tensor | int = 0, rounds: int | None = None
            ) -> tuple[torch.Tensor, int]:
        r = max(n - 1, 0) if rounds is None else rounds
        return self(src, dst, w, n, source, r).clamp(0.0, float(self.k - 1)), r
