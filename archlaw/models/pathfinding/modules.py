"""Shortest paths as message passing in the saturating (min, +) semiring: a learned relaxation
cell under a min aggregation, run as Bellman-Ford on graphs of any size.

Graphs are flat edge lists: ``src``, ``dst`` (E,) long node ids in ``[0, n)``, ``w`` (E,) long
weights in ``[0, W)``; a batch of graphs is their disjoint union (node ids offset). Edge e
carries a message from ``src[e]`` to ``dst[e]``. Distances are ``torch.long`` in ``[0, K)``, and
``K - 1`` stands for "unreachable, or at least K - 1": the semiring saturates there.

What this module supplies for the laws (``lean/ArchLaw/Graph/``; the bindings are in
`archlaw.models.pathfinding.bindings`):

* ``RelaxCell K W cell`` with ``cell : Fin K → Fin K → Fin W → Fin K``: ``cell dv du w`` is
  ``min dv (du + w)``, the sum saturated at ``K - 1``. `RelaxCellNet` is that cell, decoded;
  `table_relax_cell` sets its weights to the exact table (no training), `FaultyCell` overrides
  chosen cases (a seeded violation).
* The min aggregation with its identity: `aggregate_min` folds the messages into each node with
  ``min``, and a node with no incoming edge gets the identity ``K - 1`` (PyTorch Geometric's
  ``aggr='min'`` gives 0 there, as `aggregate_min_zero_empty` does, the seeded violation).
* `MinGNN` runs rounds ``d'_v = min(d_v, min_{e: u → v} cell(d_v, d_u, w_e))``: after k rounds
  every node holds the least weight of a walk of at most k edges from the source, saturated
  (the k-round theorem, for a cell meeting ``RelaxCell``); after n - 1 rounds, or at a fixpoint,
  the shortest-path distance.
* The float form: `MonotoneMessage` ψ(d_u, w), non-decreasing in ``d_u`` by construction (weights
  on every path from ``d_u`` to the output are non-negative, activations are ReLU), so
  ``ψ(min(x, y), w) = min(ψ(x, w), ψ(y, w))``: distributivity over min, which for a function of
  one argument is monotonicity. `FloatMinGNN` runs it under the same min aggregation.

**The decoded cell.** A distance x is read in unary: K - 1 bits ``b_j(x) = [x > j]`` for
``j = 0 … K - 2`` (a thermometer; x is the number of ones). The cell predicts the K - 1 bits
of its result and is decoded by counting the bits whose logit is positive, so it is a function
``Fin K → Fin K → Fin W → Fin K`` whatever its weights are. Each output bit j is computed by one
small network shared across positions (a convolution along the distance axis): it sees
``b_j(dv)``, where bit j sits relative to ``du`` (equivalently the W bits ``b_{j-W+1} … b_j``
of du), and the weight. The lawful bit is ``b_j(dv) ∧ [du + w > j]``; nothing in the
architecture says so: it is learned, and checked exhaustively on all K²·W inputs. The weight
sharing is the inductive bias (the relaxation looks the same at every distance).
"""

from __future__ import annotations

from typing import Callable

import torch
import torch.nn.functional as F
from torch import nn

__all__ = [
    "RelaxCellNet", "FaultyCell", "table_relax_cell", "relax_reference", "thermometer",
    "aggregate_min", "aggregate_min_zero_empty", "aggregate_sum", "aggregate_mean", "MinGNN",
    "MonotoneMessage", "NonMonotoneMessage", "FloatMinGNN", "bellman_ford", "relax_round",
    "aggregate_last", "DECODE_CHUNK",
]

#: Cases per chunk when the decoded cell runs: bounds its working memory (about
#: ``DECODE_CHUNK·(K - 1)·(H + W)`` floats) whatever the number of edges or cases.
DECODE_CHUNK = 4096


def relax_reference(dv: torch.Tensor, du: torch.Tensor, w: torch.Tensor, k: int) -> torch.Tensor:
    """The law's right-hand side: ``min(dv, min(du + w, K - 1))``, long tensors, broadcast."""
    return torch.minimum(dv, (du + w).clamp_max(k - 1))


def thermometer(x: torch.Tensor, bits: int, dtype: torch.dtype = torch.float32) -> torch.Tensor:
    """Unary code: (…,) long -> (…, bits) with ``[x > j]`` at position j."""
    return (x.unsqueeze(-1) > torch.arange(bits, device=x.device)).to(dtype)


class RelaxCellNet(nn.Module):
    """The learned relaxation cell over ``Fin K`` distances and ``Fin W`` weights.

    Output bit j (``[out > j]``, j < K - 1) is one small network shared by every position,
    ``local(b_j(dv), r_j, w)``, where ``r_j = clamp(j - du, -1, W - 1) + 1`` is where bit j sits
    relative to ``du`` (0: below du; W: W - 1 or more above it); a convolution over du's unary
    code with a kernel of W is the same thing written another way. ``local`` is
    ``v · relu(R[r] + b·a + E[w]) + c`` with H hidden units.

    forward(dv, du, w): long (N,) each -> logits (N, K - 1), differentiable (training).
    decode(dv, du, w): long (N,) -> long (N,) in ``[0, K)``: the number of bits whose logit is
    positive. It evaluates ``local`` once on each of its 2·(W + 1)·W inputs and reads every
    position's bit from that table (the same function as `forward`, at a gather per bit instead
    of H multiply-adds). That is the cell the laws are checked on and the GNN runs.
    """

    def __init__(self, k: int = 250, w: int = 16, hidden: int = 32):
        super().__init__()
        if k < 2 or w < 1:
            raise ValueError(f"RelaxCellNet needs K >= 2 and W >= 1, got K={k}, W={w}")
        self.k, self.w, self.hidden = k, w, hidden
        self.rel = nn.Embedding(w + 1, hidden)      # R: the bit's offset from du
        self.dv_in = nn.Parameter(torch.randn(hidden) * 0.5)   # a: b_j(dv)
        self.w_in = nn.Embedding(w, hidden)          # E: the edge weight
        self.out = nn.Linear(hidden, 1)              # v, c

    def local(self, bv: torch.Tensor, r: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
        """The shared per-bit network: bv (…,) bool/0-1, r (…,) long in [0, W], w (…,) long
        -> logits (…,)."""
        h = self.rel(r) + bv.to(self.dv_in.dtype).unsqueeze(-1) * self.dv_in + self.w_in(w)
        return self.out(F.relu(h)).squeeze(-1)

    def _offsets(self, du: torch.Tensor) -> torch.Tensor:
        j = torch.arange(self.k - 1, device=du.device)
        return (j - du.unsqueeze(-1)).clamp(-1, self.w - 1) + 1

    def _bits_dv(self, dv: torch.Tensor) -> torch.Tensor:
        return dv.unsqueeze(-1) > torch.arange(self.k - 1, device=dv.device)

    def forward(self, dv: torch.Tensor, du: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
        r = self._offsets(du)
        return self.local(self._bits_dv(dv), r, w.unsqueeze(-1).expand_as(r))

    def bit_table(self) -> torch.Tensor:
        """``local`` on all its inputs: bool (2, W + 1, W), ``[bv, r, w]`` -> bit is 1."""
        dev = self.dv_in.device
        bv, r, w = torch.meshgrid(torch.arange(2, device=dev), torch.arange(self.w + 1, device=dev),
                                  torch.arange(self.w, device=dev), indexing="ij")
        return self.local(bv, r, w) > 0

    @torch.no_grad()
    def decode(self, dv: torch.Tensor, du: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
        dv, du, w = dv.reshape(-1), du.reshape(-1), w.reshape(-1)
        flat = self.bit_table().reshape(-1)
        out = torch.empty_like(dv)
        for s in range(0, dv.shape[0], DECODE_CHUNK):
            e = s + DECODE_CHUNK
            idx = (self._bits_dv(dv[s:e]).long() * (self.w + 1) + self._offsets(du[s:e])) \
                * self.w + w[s:e].unsqueeze(-1)
            out[s:e] = flat[idx].sum(-1)
        return out


class FaultyCell(nn.Module):
    """A cell with chosen cases overridden, ``{(dv, du, w): out}``: a seeded violation that a
    check on the whole domain must catch with exactly that counterexample."""

    def __init__(self, cell: RelaxCellNet, faults: dict[tuple[int, int, int], int]):
        super().__init__()
        self.cell, self.faults = cell, dict(faults)
        self.k, self.w = cell.k, cell.w

    @torch.no_grad()
    def decode(self, dv: torch.Tensor, du: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
        out = self.cell.decode(dv, du, w)
        for (a, b, c), v in self.faults.items():
            out = torch.where((dv.reshape(-1) == a) & (du.reshape(-1) == b) & (w.reshape(-1) == c),
                              torch.full_like(out, v), out)
        return out


def table_relax_cell(k: int, w: int) -> RelaxCellNet:
    """A `RelaxCellNet` whose weights are *set*, not learned, to the exact relaxation.

    Hidden unit i < W fires (ReLU 1) exactly when ``w = i``, ``b_j(dv) = 1`` and the bit's offset
    ``r ≤ i`` (that is ``j - du < i``: ``du + i > j``); the output bit sums the units, less 1/2.
    Hidden width W. So bit j is ``[dv > j] ∧ [du + w > j]`` and the count is
    ``min(dv, du + w, K - 1)``.
    """
    cell = RelaxCellNet(k, w, hidden=w)
    with torch.no_grad():
        for p in cell.parameters():
            p.zero_()
        for i in range(w):
            cell.rel.weight[:, i] = torch.where(torch.arange(w + 1) <= i, -1.0, -2.0)
            cell.w_in.weight[i, i] = 1.0
        cell.dv_in.fill_(1.0)
        cell.out.weight.fill_(1.0)
        cell.out.bias.fill_(-0.5)
    return cell.eval()


# ---------------------------------------------------------------------------------------------
# Aggregations over incoming edges: (E, …) messages, (E,) destinations -> (n, …)


def aggregate_min(messages: torch.Tensor, dst: torch.Tensor, n: int,
                  identity: float | int) -> torch.Tensor:
    """``out[v] = min(identity, min over edges e into v of messages[e])``: the min monoid's fold,
    in one ``scatter_reduce``; a node with no incoming edge gets `identity` (the monoid's unit:
    ``K - 1`` for distances in ``Fin K``). messages (E,) -> (n,), same dtype."""
    out = torch.full((n,), identity, dtype=messages.dtype, device=messages.device)
    return out.scatter_reduce(0, dst, messages, reduce="amin", include_self=True)


def aggregate_min_zero_empty(messages: torch.Tensor, dst: torch.Tensor, n: int,
                             identity: float | int) -> torch.Tensor:
    """The min as PyTorch Geometric's ``aggr='min'`` computes it: a node with no incoming edge
    gets 0, not the identity. A seeded violation of the empty-aggregation law."""
    out = torch.zeros((n,), dtype=messages.dtype, device=messages.device)
    return out.scatter_reduce(0, dst, messages, reduce="amin", include_self=False)


def aggregate_last(messages: torch.Tensor, dst: torch.Tensor, n: int,
                   identity: float | int) -> torch.Tensor:
    """The message of the *last* edge into each node (`identity` when none): an aggregation
    that depends on the order of the edge list, a seeded violation of edge-order invariance."""
    pos = torch.full((n,), -1, dtype=torch.long, device=messages.device)
    pos = pos.scatter_reduce(0, dst, torch.arange(dst.shape[0], device=dst.device), reduce="amax",
                             include_self=True)
    out = torch.full((n,), identity, dtype=messages.dtype, device=messages.device)
    has = pos >= 0
    out[has] = messages[pos[has]]
    return out


def aggregate_sum(messages: torch.Tensor, dst: torch.Tensor, n: int) -> torch.Tensor:
    """Sum over incoming edges (0 when none). messages (E, H) -> (n, H)."""
    out = torch.zeros((n,) + messages.shape[1:], dtype=messages.dtype, device=messages.device)
    return out.index_add(0, dst, messages)


def aggregate_mean(messages: torch.Tensor, dst: torch.Tensor, n: int) -> torch.Tensor:
    """Mean over incoming edges (0 when none). messages (E, H) -> (n, H)."""
    total = aggregate_sum(messages, dst, n)
    deg = torch.zeros(n, dtype=messages.dtype, device=messages.device).index_add(
        0, dst, torch.ones_like(dst, dtype=messages.dtype))
    return total / deg.clamp_min(1).reshape((n,) + (1,) * (messages.dim() - 1))


# ---------------------------------------------------------------------------------------------
# Bellman-Ford rounds


def _sources(source: torch.Tensor | int | list[int], device) -> torch.Tensor:
    return torch.as_tensor(source, dtype=torch.long, device=device).reshape(-1)


def relax_round(relax: Callable[[torch.Tensor, torch.Tensor, torch.Tensor], torch.Tensor],
                src: torch.Tensor, dst: torch.Tensor, w: torch.Tensor, d: torch.Tensor, k: int,
                aggregate: Callable = aggregate_min) -> torch.Tensor:
    """One message-passing step: ``d'_v = min(d_v, aggregate_{e: u → v} relax(d_v, d_u, w_e))``,
    every edge reading the previous values `d` (n,) (Jacobi style, as Lean's ``bfRound``).
    The step the GNNs run, and the one bound to the step laws (edge order, relabelling)."""
    n = d.shape[0]
    msg = relax(d[dst], d[src], w) if src.numel() else d[:0]
    return torch.minimum(d, aggregate(msg, dst, n, k - 1))


def bellman_ford(relax: Callable[[torch.Tensor, torch.Tensor, torch.Tensor], torch.Tensor],
                 src: torch.Tensor, dst: torch.Tensor, w: torch.Tensor, n: int,
                 source: torch.Tensor | int | list[int], k: int, rounds: int | None = None,
                 aggregate: Callable = aggregate_min, dtype: torch.dtype = torch.long
                 ) -> tuple[torch.Tensor, int]:
    """Rounds ``d'_v = min(d_v, aggregate_{e: u → v} relax(d_v, d_u, w_e))`` from ``d = K - 1``
    everywhere but the sources (0). Stops after `rounds` rounds (default n - 1) or at a fixpoint
    (a round that changes nothing changes nothing after it). Returns (distances (n,) of `dtype`,
    rounds run). `relax` is a decoded cell, `relax_reference` with K bound, or a float message;
    `aggregate` an aggregation with the `aggregate_min` signature (identity ``K - 1``)."""
    d = torch.full((n,), k - 1, dtype=dtype, device=src.device)
    d[_sources(source, src.device)] = 0
    limit = max(n - 1, 0) if rounds is None else rounds
    done = 0
    while done < limit:
        new = relax_round(relax, src, dst, w, d, k, aggregate)
        done += 1
        if torch.equal(new, d):
            break
        d = new
    return d, done


class MinGNN(nn.Module):
    """The finite GNN: the decoded `cell` under the min aggregation (identity ``K - 1``).

    run(src, dst, w, n, source, rounds=None) -> (distances (n,) long in [0, K), rounds run), as
    `bellman_ford` with the cell hard-decoded on every edge of every round. `aggregate` may be
    replaced (a seeded violation: `aggregate_min_zero_empty`).
    """

    def __init__(self, cell: nn.Module, aggregate: Callable = aggregate_min):
        super().__init__()
        self.cell = cell
        self.aggregate = aggregate

    @property
    def k(self) -> int:
        return self.cell.k

    @torch.no_grad()
    def run(self, src: torch.Tensor, dst: torch.Tensor, w: torch.Tensor, n: int,
            source: torch.Tensor | int | list[int] = 0, rounds: int | None = None
            ) -> tuple[torch.Tensor, int]:
        return bellman_ford(self.cell.decode, src, dst, w, n, source, self.k, rounds,
                            self.aggregate)


# ---------------------------------------------------------------------------------------------
# The float form


class MonotoneMessage(nn.Module):
    """ψ(d_u, w): a float message, non-decreasing in ``d_u`` by construction.

    forward(du, w): du (N,) float distance, w (N,) long weight in [0, W) -> (N,) float.
    With x = du / s (s = `scale`, K, which keeps the inputs near 1)::

        ψ = s · (p·x + b[w] + Σ_i v_i · relu(a_i·x + e_i[w]) + c)

    with ``p = softplus(ρ)``, ``a = softplus(α)``, ``v = softplus(β)`` all ≥ 0: every path from
    ``du`` to the output has a non-negative weight and ReLU is non-decreasing, so ψ is
    non-decreasing in ``du`` and ``ψ(min(x, y), w) = min(ψ(x, w), ψ(y, w))`` for all x, y (the
    law checked, by sampling). ``du + w`` itself is one point of this family (p = 1,
    b[w] = w / s, v = 0); whether training finds it is measured, not assumed.
    """

    def __init__(self, w: int = 16, hidden: int = 16, scale: float = 250.0):
        super().__init__()
        self.w, self.hidden, self.scale = w, hidden, float(scale)
        self.rho = nn.Parameter(torch.zeros(()))
        self.offset = nn.Embedding(w, 1)
        self.alpha = nn.Parameter(torch.randn(hidden) * 0.5)
        self.beta = nn.Parameter(torch.randn(hidden) * 0.5 - 2.0)
        self.w_in = nn.Embedding(w, hidden)
        for emb in (self.offset, self.w_in):
            nn.init.normal_(emb.weight, std=0.1)
        self.c = nn.Parameter(torch.zeros(()))

    def forward(self, du: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
        x = du.to(self.alpha.dtype) / self.scale
        h = F.relu(F.softplus(self.alpha) * x[:, None] + self.w_in(w))
        y = F.softplus(self.rho) * x + self.offset(w)[:, 0] + h @ F.softplus(self.beta) + self.c
        return self.scale * y


class NonMonotoneMessage(nn.Module):
    """A seeded violation of monotonicity: ψ(d_u, w) = ``(d_u - m)² / m + w`` (a parabola in
    ``d_u`` with its minimum at ``m``), so ψ(min(x, y)) ≠ min(ψ x, ψ y) on either side of m."""

    def __init__(self, w: int = 16, m: float = 8.0):
        super().__init__()
        self.w = w
        self.m = nn.Parameter(torch.tensor(float(m)))

    def forward(self, du: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
        du = du.to(self.m.dtype)
        return (du - self.m) ** 2 / self.m + w.to(du.dtype)


class FloatMinGNN(nn.Module):
    """The float GNN: ``d'_v = min(d_v, min_{e: u → v} ψ(d_u, w_e))``, ``d`` clamped to
    ``[0, K - 1]`` (``K - 1`` unreachable, the empty min's identity).

    run(src, dst, w, n, source, rounds=None) -> (float distances (n,), rounds run): n - 1
    rounds (or `rounds`), stopping early at an exact fixpoint.
    """

    def __init__(self, message: nn.Module, k: int = 250):
        super().__init__()
        self.message, self.k = message, k

    def rounds_forward(self, src: torch.Tensor, dst: torch.Tensor, w: torch.Tensor, n: int,
                       source: torch.Tensor, rounds: int) -> torch.Tensor:
        """Differentiable: `rounds` rounds from the sources -> (n,) float (for training)."""
        dtype = next(self.message.parameters()).dtype
        top = float(self.k - 1)
        d = torch.full((n,), top, dtype=dtype, device=src.device)
        d = d.index_fill(0, _sources(source, src.device), 0.0)
        for _ in range(rounds):
            msg = self.message_fn(d[dst], d[src], w)
            d = torch.minimum(d, aggregate_min(msg, dst, n, top))
        return d

    def message_fn(self, dv: torch.Tensor, du: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
        """The edge message as `bellman_ford` calls it: ψ(d_u, w) clamped to [0, K - 1]."""
        return self.message(du, w).clamp(0.0, float(self.k - 1))

    @torch.no_grad()
    def run(self, src: torch.Tensor, dst: torch.Tensor, w: torch.Tensor, n: int,
            source: torch.Tensor | int | list[int] = 0, rounds: int | None = None
            ) -> tuple[torch.Tensor, int]:
        dtype = next(self.message.parameters()).dtype
        return bellman_ford(self.message_fn, src, dst, w, n, source, self.k, rounds,
                            dtype=dtype)
