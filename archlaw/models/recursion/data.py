"""Tasks for the recursion models, generated in code, each with its exact specification.

=================  ==========================================================================
task               specification (the finite cell a certificate compares against)
=================  ==========================================================================
`CounterTask`      a left fold: bits ``Fin 2``, state ``Fin k``, ``cell s a = (s + a) % k``,
                   ``init = 0``: the number of ones mod k, after every prefix.
`ArithTreeTask`    a tree fold over ``BTree (Fin p) (Fin 2)``: leaves are digits, node labels
                   operators (0 = ``+``, 1 = ``*``), ``node o x y = (x + y) % p`` or
                   ``(x * y) % p``: arithmetic mod p. Trees are
                   *caterpillars* (every inner node has a leaf on one side, the side random), so a
                   tree of depth d has 2d + 1 nodes and 100× the training depth stays cheap.
`NoTwoOnesTask`    a Mealy transducer: bits ``Fin 2``, states ``Fin 3`` (0 start / last bit 0,
                   1 last bit 1, 2 dead), ``out s a = (step s a ≠ 2)``: after every bit, "is the
                   prefix free of two consecutive 1s?". The Moore form outputs ``s ≠ 2`` at every
                   state visited, the first included.
=================  ==========================================================================

Every sampler takes a `torch.Generator` (seeded by the caller) and returns CPU tensors.
Sequence baselines see a tree as its postfix serialisation (`ArithTreeTask.postfix`): leaf
tokens ``0..p-1``, operator tokens ``p + b``; the target at each token is the value of the
subtree that ends there, so they get the same per-subtree supervision as the tree model.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

import torch
from torch import Tensor

from archlaw.models.recursion.modules import TreeBatch

__all__ = ["SeqBatch", "CounterTask", "NoTwoOnesTask", "ArithTreeTask", "TreeData"]


@dataclass(frozen=True)
class SeqBatch:
    """Padded sequences: `xs` (N, L) long, `lengths` (N,) long, `targets` (N, L) long (the
    answer after each prefix; padding past the length is -100, ignored by cross-entropy) and
    `first` (N,) long, the answer for the empty prefix (Moore outputs, fold ``init``)."""

    xs: Tensor
    lengths: Tensor
    targets: Tensor
    first: Tensor

    @property
    def final(self) -> Tensor:
        """(N,) the answer for the whole list (the target at position length - 1; `first` if 0)."""
        idx = (self.lengths - 1).clamp(min=0)
        last = self.targets.gather(1, idx[:, None]).squeeze(1) if self.targets.shape[1] else self.first
        return torch.where(self.lengths > 0, last, self.first)


def _lengths(n: int, lo: int, hi: int, g: torch.Generator) -> Tensor:
    return torch.randint(lo, hi + 1, (n,), generator=g)


def _mask_targets(t: Tensor, lengths: Tensor) -> Tensor:
    pad = torch.arange(t.shape[1])[None, :] >= lengths[:, None]
    return t.masked_fill(pad, -100)


@dataclass(frozen=True)
class CounterTask:
    """Count the ones mod `k` (a left fold; `k = 2` is running parity)."""

    k: int = 3
    n_inputs: int = 2

    @property
    def n_classes(self) -> int:
        return self.k

    def cell(self, s: Tensor, a: Tensor) -> Tensor:
        """The specification's cell ``Fin k → Fin 2 → Fin k``, batched (long)."""
        return (s + a) % self.k

    def init(self, n: int = 1) -> Tensor:
        return torch.zeros(n, dtype=torch.long)

    def sample(self, n: int, lo: int, hi: int, g: torch.Generator) -> SeqBatch:
        lengths = _lengths(n, lo, hi, g)
        xs = torch.randint(0, 2, (n, max(int(lengths.max()), 1)), generator=g)
        xs = xs.masked_fill(torch.arange(xs.shape[1])[None] >= lengths[:, None], 0)
        targets = torch.cumsum(xs, 1) % self.k
        return SeqBatch(xs, lengths, _mask_targets(targets, lengths), self.init(n))


@dataclass(frozen=True)
class NoTwoOnesTask:
    """Recognise the regular language "no two consecutive 1s" (a Mealy transducer, an output
    after every bit). States: 0 = start or last bit 0, 1 = last bit 1, 2 = dead (saw ``11``).

    Uniform random bits would make almost every long string dead, so strings are drawn from the
    language (a 1 is always followed by a 0; otherwise bits are fair) and, with probability 1/2, one
    ``11`` is planted at a uniform position: the final answer is balanced at every length and
    must be remembered across the whole string.
    """

    n_inputs: int = 2
    n_outputs: int = 2
    n_states: int = 3

    @property
    def n_classes(self) -> int:
        return self.n_outputs

    def step(self, s: Tensor, a: Tensor) -> Tensor:
        """``Fin 3 → Fin 2 → Fin 3``."""
        return torch.where(s == 2, s, torch.where(a == 0, torch.zeros_like(s), s + 1))

    def out(self, s: Tensor, a: Tensor) -> Tensor:
        """Mealy output ``Fin 3 → Fin 2 → Fin 2``: 1 while the prefix read so far is in the language."""
        return (self.step(s, a) != 2).long()

    def moore_out(self, s: Tensor) -> Tensor:
        """Moore output ``Fin 3 → Fin 2``: 1 in the live states."""
        return (s != 2).long()

    def init(self, n: int = 1) -> Tensor:
        return torch.zeros(n, dtype=torch.long)

    def sample(self, n: int, lo: int, hi: int, g: torch.Generator) -> SeqBatch:
        lengths = _lengths(n, lo, hi, g)
        L = max(int(lengths.max()), 1)
        coins = torch.randint(0, 2, (n, L), generator=g)
        xs = torch.zeros(n, L, dtype=torch.long)
        prev = torch.zeros(n, dtype=torch.long)
        for t in range(L):
            prev = torch.where(prev == 1, torch.zeros_like(prev), coins[:, t])
            xs[:, t] = prev
        plant = (torch.rand(n, generator=g) < 0.5) & (lengths >= 2)
        pos = (torch.rand(n, generator=g) * (lengths - 1).clamp(min=1)).long()
        rows = plant.nonzero().squeeze(1)
        xs[rows, pos[rows]] = 1
        xs[rows, pos[rows] + 1] = 1
        xs = xs.masked_fill(torch.arange(L)[None] >= lengths[:, None], 0)
        s = self.init(n)
        outs = []
        for t in range(L):
            outs.append(self.out(s, xs[:, t]))
            s = self.step(s, xs[:, t])
        targets = torch.stack(outs, 1)
        return SeqBatch(xs, lengths, _mask_targets(targets, lengths), torch.ones(n, dtype=torch.long))


@dataclass(frozen=True)
class TreeData:
    """A batch of trees with every node's value (`values`, (M,) long), the root values
    (`answers`, (N,)) and the postfix serialisation as a `SeqBatch` for sequence baselines."""

    trees: TreeBatch
    values: Tensor
    answers: Tensor
    postfix: SeqBatch


@dataclass(frozen=True)
class ArithTreeTask:
    """Arithmetic mod `p` over caterpillar trees (leaves ``Fin p``, labels 0 = ``+``, 1 = ``*``)."""

    p: int = 5
    n_labels: int = 2

    @property
    def n_classes(self) -> int:
        return self.p

    @property
    def n_tokens(self) -> int:
        return self.p + self.n_labels

    def leaf(self, a: Tensor) -> Tensor:
        """The specification's leaf ``Fin p → Fin p`` (identity)."""
        return a.long() % self.p

    def node(self, o: Tensor, x: Tensor, y: Tensor) -> Tensor:
        """The specification's node ``Fin 2 → Fin p → Fin p → Fin p`` (0 = +, 1 = *), batched."""
        return torch.where(o == 0, (x + y) % self.p, (x * y) % self.p)

    def sample(self, n: int, lo: int, hi: int, g: torch.Generator) -> TreeData:
        """N caterpillar trees of depth uniform in [lo, hi] (a depth-0 tree is one leaf)."""
        depths = torch.randint(lo, hi + 1, (n,), generator=g).tolist()
        total = sum(2 * d + 1 for d in depths)
        leaf_vals = torch.randint(0, self.p, (total,), generator=g).tolist()
        ops = torch.randint(0, self.n_labels, (total,), generator=g).tolist()
        sides = torch.randint(0, 2, (total,), generator=g).tolist()
        is_leaf, label, left, right, height, value = [], [], [], [], [], []
        roots, tokens, tok_targets, tok_len = [], [], [], []
        r = 0  # cursor into the random streams

        def add(leaf: bool, lab: int, l: int, rr: int, h: int, v: int) -> int:
            is_leaf.append(leaf); label.append(lab); left.append(l); right.append(rr)
            height.append(h); value.append(v)
            return len(is_leaf) - 1

        p = self.p
        for d in depths:
            v = leaf_vals[r]; r += 1
            cur = add(True, v, -1, -1, 0, v)
            seq = deque([(v, v)])  # (token, target)
            for h in range(1, d + 1):
                lv = leaf_vals[r]; op = ops[r]; side = sides[r]; r += 1
                lf = add(True, lv, -1, -1, 0, lv)
                cv = value[cur]
                nv = (cv + lv) % p if op == 0 else (cv * lv) % p
                if side == 0:  # the subtree on the left, the fresh leaf on the right
                    cur = add(False, op, cur, lf, h, nv)
                    seq.append((lv, lv))
                else:
                    cur = add(False, op, lf, cur, h, nv)
                    seq.appendleft((lv, lv))
                seq.append((p + op, nv))
            roots.append(cur)
            tokens.append([t for t, _ in seq]); tok_targets.append([y for _, y in seq])
            tok_len.append(len(seq))
        T = max(tok_len)
        xs = torch.zeros(n, T, dtype=torch.long)
        ys = torch.full((n, T), -100, dtype=torch.long)
        for i, (tk, ty) in enumerate(zip(tokens, tok_targets)):
            xs[i, : len(tk)] = torch.tensor(tk)
            ys[i, : len(ty)] = torch.tensor(ty)
        lengths = torch.tensor(tok_len)
        trees = TreeBatch(torch.tensor(is_leaf), torch.tensor(label), torch.tensor(left),
                          torch.tensor(right), torch.tensor(roots), torch.tensor(height))
        values = torch.tensor(value)
        post = SeqBatch(xs, lengths, ys, torch.zeros(n, dtype=torch.long))
        return TreeData(trees, values, values[trees.roots], post)

    def random_trees(self, n: int, max_depth: int, g: torch.Generator) -> TreeBatch:
        """N random (not only caterpillar) trees of depth ≤ max_depth, grown top-down with a
        node probability of 0.5 per position: varied shapes for the fold laws' checks."""
        is_leaf, label, left, right, roots = [], [], [], [], []

        def rnd(k: int) -> int:
            return int(torch.randint(0, k, (1,), generator=g))

        def grow(budget: int) -> int:
            if budget == 0 or rnd(2) == 0:
                is_leaf.append(True); label.append(rnd(self.p)); left.append(-1); right.append(-1)
                return len(is_leaf) - 1
            k = len(is_leaf)
            is_leaf.append(False); label.append(rnd(self.n_labels)); left.append(-1); right.append(-1)
            left[k] = grow(budget - 1)
            right[k] = grow(budget - 1)
            return k

        for _ in range(n):
            roots.append(grow(max_depth))
        return TreeBatch.build(torch.tensor(is_leaf), torch.tensor(label), torch.tensor(left),
                               torch.tensor(right), torch.tensor(roots))
