"""Recursion as algebra, in torch: folds over lists and trees, Mealy and Moore machines.

Every model here is *built from* a law of ``lean/ArchLaw/Fold.lean`` and
``lean/ArchLaw/Recursion.lean``, so the law holds by construction of the runner and what training
learns is only the cell:

==========================  ===============================================================
module                      law it is built from
==========================  ===============================================================
`LeftFold`                  ``FoldlLaws``: ``run [] = init``, ``run (as ++ [a]) = cell (run
                            as) a``; the run is ``List.foldl cell init`` (an RNN read left to
                            right), batched over ragged lengths with a mask (state frozen past
                            each length). Read right to left it is a right fold (``FoldLaws``).
`TreeFold`                  ``TreeFoldLaws``: ``run (BTree.leaf a) = leafCell a``, ``run
                            (BTree.node o l r) = nodeCell o (run l) (run r)``; the run is
                            ``BTree.fold``, batched *by height*: one step per tree level for the
                            whole batch, never one per node.
`MealyRunner`               ``MealyLaws``: ``state s u = List.foldl nextState s u`` and ``out s
                            u`` one output per input; ``RestartLaws`` and ``CausalLaw`` follow
                            (the output at step t reads inputs up to t only).
`MooreRunner`               ``MooreLaws``: as Mealy, with ``output`` a function of the state, one
                            output per state visited, the first included.
==========================  ===============================================================

Two kinds of cell fit each runner:

* **float cells** (`GRUFoldCell`, `MLPTreeCell`): the state is a float vector. The fold laws hold
  (up to float rounding), but nothing forces the answer at unseen lengths.
* **finite cells** (`FiniteCell`): the state is decoded to ``Fin m`` (argmax) at *every* step and
  the one-hot is fed forward. In training, a straight-through estimator passes the softmax's
  gradient through the hard one-hot (`straight_through`). Decoded, the cell is a finite table
  (``m × |A|`` cases) that can be checked exhaustively, which is what the finite-cell certificate
  theorem (fusion) needs.

Shapes: N is the batch, L the padded length, M the number of nodes in a batched forest. Discrete
values are ``torch.long``; states of finite models are handed around as *indices* (decoded) by
the ``*_decoded`` APIs, and as one-hot float rows (N, m) inside training. Device and dtype follow
the inputs and the module's parameters.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Sequence

import torch
from torch import Tensor, nn

from archlaw.bridge.sorts import decode_argmax, one_hot

__all__ = [
    "straight_through", "mixture_step", "FiniteCell", "GRUFoldCell", "LeftFold", "fold_left",
    "TreeBatch", "fold_tree", "MLPTreeCell", "FiniteTreeCell", "TreeFold",
    "MealyRunner", "MooreRunner", "FiniteMealy", "FloatMealy", "FiniteMoore",
]


# ------------------------------------------------------------------------------------------
# Finite decoding


def straight_through(logits: Tensor, hard: bool = True) -> Tensor:
    """One-hot of ``argmax(logits)`` in the forward pass, softmax's gradient in the backward pass.

    logits: (..., m). Returns (..., m) float. With ``hard=False`` returns the softmax itself.
    The forward value is exactly the one-hot (``onehot + (soft - soft.detach())`` adds an exact 0),
    so a model trained this way is run, in training as in evaluation, on decoded states.
    """
    soft = logits.softmax(-1)
    if not hard:
        return soft
    onehot = one_hot(decode_argmax(logits), logits.shape[-1], soft.dtype)
    return onehot + (soft - soft.detach())


def mixture_step(cell: "FiniteCell", s: Tensor, *rest: Tensor) -> Tensor:
    """The relaxation of a finite cell on a *distribution* over its first argument.

    s: (N, m) probabilities over ``Fin m``; rest: one-hots (N, nᵢ). Returns (N, out) the
    distribution of ``cell(σ, rest)`` for σ ~ s: ``Σ_σ s[σ] softmax(cell(e_σ, rest))``. Unlike
    feeding the mixture itself to the MLP, this is exactly a probabilistic automaton, whose
    decoded (argmax) form is the deterministic one; it trains from outputs alone.
    """
    n, m = s.shape
    eye = torch.eye(m, dtype=s.dtype, device=s.device).repeat(n, 1)          # (N·m, m)
    probs = cell(eye, *[r.repeat_interleave(m, 0) for r in rest]).softmax(-1)  # (N·m, out)
    return torch.einsum("nm,nmk->nk", s, probs.view(n, m, -1))


class FiniteCell(nn.Module):
    """A learned map ``Fin n₁ × … × Fin nₖ → Fin m`` (an MLP over concatenated one-hots).

    `forward(*onehots)`: each (N, nᵢ) float (one-hot, or straight-through one-hot) → logits (N, m).
    `decoded(*idx)`: each (N,) long → (N,) long, the cell as it is run (argmax).
    `table()`: the whole decoded cell, a long tensor of shape (n₁, …, nₖ): the finite domain an
    exhaustive check enumerates.
    """

    def __init__(self, arities: Sequence[int], out: int, hidden: int = 64):
        super().__init__()
        self.arities = tuple(int(n) for n in arities)
        self.out = int(out)
        if hidden:
            self.net = nn.Sequential(
                nn.Linear(sum(self.arities), hidden), nn.ReLU(), nn.Linear(hidden, hidden),
                nn.ReLU(), nn.Linear(hidden, self.out),
            )
        else:  # hidden == 0: a linear map of the one-hots (a sum of per-argument logit tables)
            self.net = nn.Sequential(nn.Linear(sum(self.arities), self.out))

    def forward(self, *onehots: Tensor) -> Tensor:
        return self.net(torch.cat(onehots, dim=-1))

    def _onehots(self, idx: Sequence[Tensor]) -> list[Tensor]:
        dtype = self.net[0].weight.dtype
        return [one_hot(i.long(), n, dtype) for i, n in zip(idx, self.arities)]

    def decoded(self, *idx: Tensor) -> Tensor:
        """The decoded cell: indices in, index out; (N,) long each."""
        if len(idx) != len(self.arities):
            raise ValueError(f"FiniteCell takes {len(self.arities)} indices, got {len(idx)}")
        for i, n in zip(idx, self.arities):
            if i.numel() and (int(i.min()) < 0 or int(i.max()) >= n):
                raise ValueError(f"index out of range for Fin {n}")
        return decode_argmax(self(*self._onehots(idx)))

    @torch.no_grad()
    def table(self) -> Tensor:
        """The decoded cell on its whole domain: long tensor of shape ``arities``."""
        dev = self.net[0].weight.device
        grids = torch.meshgrid(*[torch.arange(n, device=dev) for n in self.arities], indexing="ij")
        flat = self.decoded(*[g.reshape(-1) for g in grids])
        return flat.reshape(self.arities)


# ------------------------------------------------------------------------------------------
# Left folds over lists (RNNs)


def fold_left(cell: Callable[[Tensor, Tensor], Tensor], h0: Tensor, xs: Tensor, lengths: Tensor,
              collect: bool = False) -> tuple[Tensor, Tensor | None]:
    """``List.foldl cell h0`` over a padded batch, with a mask for ragged lengths.

    h0: (N, *S) initial states; xs: (N, L, ...) inputs (padding past ``lengths`` is never read
    into the state); lengths: (N,) long. ``cell(h, x_t) -> h'`` is batched over N.
    Returns the final states (N, *S) (``h0`` where the length is 0) and, with ``collect``, the
    states after each step (N, L, *S) (frozen past each length).
    """
    h = h0
    states = []
    lengths = lengths.to(xs.device)
    for t in range(xs.shape[1]):
        new = cell(h, xs[:, t])
        keep = (t < lengths).view(-1, *([1] * (h.dim() - 1)))
        h = torch.where(keep, new, h)
        if collect:
            states.append(h)
    return h, (torch.stack(states, 1) if collect and states else None)


class GRUFoldCell(nn.Module):
    """A float cell ``H × Fin A → H``: a GRU cell over an embedded input. h: (N, d); a: (N,) long."""

    def __init__(self, n_inputs: int, hidden: int = 32):
        super().__init__()
        self.embed = nn.Embedding(n_inputs, hidden)
        self.gru = nn.GRUCell(hidden, hidden)

    def forward(self, h: Tensor, a: Tensor) -> Tensor:
        return self.gru(self.embed(a.long()), h)


class LeftFold(nn.Module):
    """An RNN that is, by construction, ``List.foldl cell init``: the left-fold laws
    ``run [] = init`` and ``run (as ++ [a]) = cell (run as) a`` hold for its `run`.

    Two state kinds:

    * ``states=None`` (float): `cell` is a `GRUFoldCell`, the state is (N, d) float and a linear
      `readout` gives class logits (N, n_classes).
    * ``states=m`` (finite): the state is ``Fin m``, the cell a `FiniteCell` over (state, input),
      decoded at every step; the decoded state *is* the answer (readout = identity), so the fold's
      value at every prefix can be supervised directly.

    `forward(xs, lengths)` → per-step logits (N, L, n_classes) (training; straight-through for the
    finite kind). `run(xs, lengths, h0=None)` → final state: (N, d) float or (N,) long decoded.
    `cell_decoded(h, a)` and `init_state(N)` are the model's ``cell`` and ``init`` as a law sees them.
    """

    def __init__(self, n_inputs: int, n_classes: int, states: int | None = None, hidden: int = 32):
        super().__init__()
        self.n_inputs, self.n_classes, self.states = n_inputs, n_classes, states
        if states is None:
            self.cell = GRUFoldCell(n_inputs, hidden)
            self.init = nn.Parameter(torch.zeros(hidden))
            self.readout = nn.Linear(hidden, n_classes)
        else:
            if states != n_classes:
                raise ValueError("a finite LeftFold's state is its answer: states == n_classes")
            self.cell = FiniteCell([states, n_inputs], states, hidden)
            self.init_logits = nn.Parameter(torch.zeros(states))

    @property
    def finite(self) -> bool:
        return self.states is not None

    # -- training ------------------------------------------------------------------------
    def forward(self, xs: Tensor, lengths: Tensor) -> Tensor:
        """Per-step class logits (N, L, n_classes) for the prefixes of length 1..L."""
        n = xs.shape[0]
        if not self.finite:
            h0 = self.init.expand(n, -1)
            _, hs = fold_left(self.cell, h0, xs, lengths, collect=True)
            return self.readout(hs)
        m = self.states
        logits_out = []

        def step(h: Tensor, a: Tensor) -> Tensor:
            logits = self.cell(h, one_hot(a.long(), self.n_inputs, h.dtype))
            logits_out.append(logits)
            return straight_through(logits)

        h0 = straight_through(self.init_logits.expand(n, m))
        fold_left(step, h0, xs, lengths)
        return torch.stack(logits_out, 1)

    def init_logits_batch(self, n: int) -> Tensor:
        """Logits of the empty prefix (N, n_classes): ``readout(init)`` or the init logits."""
        if self.finite:
            return self.init_logits.expand(n, -1)
        return self.readout(self.init).expand(n, -1)

    # -- as the law sees it ----------------------------------------------------------------
    def init_state(self, n: int = 1) -> Tensor:
        """``init`` batched: (N, d) float or (N,) long."""
        if self.finite:
            return decode_argmax(self.init_logits).expand(n).clone()
        return self.init.expand(n, -1).clone()

    def cell_decoded(self, h: Tensor, a: Tensor) -> Tensor:
        """``cell h a`` batched: h (N, d) float or (N,) long; a (N,) long."""
        return self.cell(h, a) if not self.finite else self.cell.decoded(h, a)

    def run(self, xs: Tensor, lengths: Tensor, h0: Tensor | None = None) -> Tensor:
        """``List.foldl cell h0 xs`` (h0 defaults to ``init``): (N, d) float or (N,) long."""
        h0 = self.init_state(xs.shape[0]) if h0 is None else h0
        return fold_left(self.cell_decoded, h0.to(xs.device), xs, lengths)[0]

    def predict(self, xs: Tensor, lengths: Tensor) -> Tensor:
        """The answer of the whole list: (N,) long class."""
        h = self.run(xs, lengths)
        return h if self.finite else decode_argmax(self.readout(h))


# ------------------------------------------------------------------------------------------
# Folds over binary trees


@dataclass(frozen=True)
class TreeBatch:
    """N binary trees stored as one flat forest of M nodes (leaves carry a value, nodes a label).

    `is_leaf`: (M,) bool. `label`: (M,) long: the leaf's value for a leaf, the node's label (e.g.
    the operator) for a node. `left`, `right`: (M,) long child indices (-1 for leaves).
    `roots`: (N,) long. `height`: (M,) long, 0 for leaves, 1 + max of the children otherwise.
    Every node belongs to exactly one tree; children come before parents is *not* required
    (levels are computed from `height`). A tree's depth is the height of its root.
    """

    is_leaf: Tensor
    label: Tensor
    left: Tensor
    right: Tensor
    roots: Tensor
    height: Tensor

    @property
    def batch_size(self) -> int:
        return int(self.roots.shape[0])

    @property
    def num_nodes(self) -> int:
        return int(self.is_leaf.shape[0])

    @property
    def depths(self) -> Tensor:
        """(N,) long: the height of each root."""
        return self.height[self.roots]

    @property
    def device(self) -> torch.device:
        return self.label.device

    def to(self, device: torch.device | str) -> "TreeBatch":
        return TreeBatch(*(getattr(self, f).to(device) for f in
                           ("is_leaf", "label", "left", "right", "roots", "height")))

    @staticmethod
    def compute_height(is_leaf: Tensor, left: Tensor, right: Tensor) -> Tensor:
        """Heights by relaxation: O(max height) vectorised passes (each pass fixes one level)."""
        h = torch.zeros_like(left)
        if not bool((~is_leaf).any()):
            return h
        inner = (~is_leaf).nonzero().squeeze(1)
        l, r = left[inner], right[inner]
        while True:
            new = torch.maximum(h[l], h[r]) + 1
            if torch.equal(new, h[inner]):
                return h
            h[inner] = new

    @classmethod
    def build(cls, is_leaf: Tensor, label: Tensor, left: Tensor, right: Tensor,
              roots: Tensor, height: Tensor | None = None) -> "TreeBatch":
        """A TreeBatch from flat arrays; heights computed when not given."""
        if height is None:
            height = cls.compute_height(is_leaf, left, right)
        return cls(is_leaf.bool(), label.long(), left.long(), right.long(), roots.long(), height.long())

    @classmethod
    def leaves(cls, values: Tensor) -> "TreeBatch":
        """N one-leaf trees: ``leaf a`` batched. values: (N,) long."""
        n = values.shape[0]
        dev = values.device
        minus = torch.full((n,), -1, dtype=torch.long, device=dev)
        return cls(torch.ones(n, dtype=torch.bool, device=dev), values.long(), minus, minus.clone(),
                   torch.arange(n, device=dev), torch.zeros(n, dtype=torch.long, device=dev))

    @classmethod
    def node(cls, labels: Tensor, left: "TreeBatch", right: "TreeBatch") -> "TreeBatch":
        """``BTree.node o l r`` batched: tree i is a new node labelled ``labels[i]`` over
        ``left``'s tree i and ``right``'s tree i."""
        n = left.batch_size
        if right.batch_size != n or labels.shape[0] != n:
            raise ValueError("node: batch sizes of left, labels and right differ")
        ml, mr = left.num_nodes, right.num_nodes
        dev = left.device

        def shift(t: Tensor, k: int) -> Tensor:
            return torch.where(t >= 0, t + k, t)

        new = torch.arange(n, device=dev) + ml + mr
        is_leaf = torch.cat([left.is_leaf, right.is_leaf, torch.zeros(n, dtype=torch.bool, device=dev)])
        label = torch.cat([left.label, right.label, labels.long().to(dev)])
        lft = torch.cat([left.left, shift(right.left, ml), left.roots])
        rgt = torch.cat([left.right, shift(right.right, ml), right.roots + ml])
        height = torch.cat([left.height, right.height,
                            torch.maximum(left.depths, right.depths) + 1])
        return cls(is_leaf, label, lft, rgt, new, height)

    def levels(self) -> list[Tensor]:
        """Indices of the inner nodes at height 1, 2, …, max height (one index tensor per level)."""
        inner = (~self.is_leaf).nonzero().squeeze(1)
        if inner.numel() == 0:
            return []
        hs = self.height[inner]
        order = torch.argsort(hs, stable=True)
        inner, hs = inner[order], hs[order]
        counts = torch.bincount(hs)[1:]
        return [lvl for lvl in torch.split(inner, counts.tolist()) if lvl.numel()]

    def to_nested(self, i: int) -> object:
        """Tree i as nested tuples: a leaf is its int label, a node ``(label, left, right)``
        (the argument order of ``BTree.node o l r``). Recursive: for small trees."""
        def go(k: int) -> object:
            if bool(self.is_leaf[k]):
                return int(self.label[k])
            return (int(self.label[k]), go(int(self.left[k])), go(int(self.right[k])))
        return go(int(self.roots[i]))

    def reachable(self) -> Tensor:
        """(M,) bool: the nodes some root reaches (one vectorised pass per level, top down)."""
        mark = torch.zeros(self.num_nodes, dtype=torch.bool, device=self.device)
        mark[self.roots] = True
        for idx in reversed(self.levels()):
            live = idx[mark[idx]]
            mark[self.left[live]] = True
            mark[self.right[live]] = True
        return mark

    def take(self, idx: Tensor) -> "TreeBatch":
        """Trees ``idx`` (a long tensor; repeats share their nodes) as a compact forest."""
        idx = idx.to(self.device).long()
        sub = TreeBatch(self.is_leaf, self.label, self.left, self.right, self.roots[idx], self.height)
        keep = sub.reachable().nonzero().squeeze(1)
        remap = torch.full((self.num_nodes,), -1, dtype=torch.long, device=self.device)
        remap[keep] = torch.arange(keep.numel(), device=self.device)

        def re(t: Tensor) -> Tensor:
            return torch.where(t >= 0, remap[t.clamp(min=0)], t)

        return TreeBatch(self.is_leaf[keep], self.label[keep], re(self.left[keep]),
                         re(self.right[keep]), remap[sub.roots], self.height[keep])

    @staticmethod
    def concat(parts: Sequence["TreeBatch"]) -> "TreeBatch":
        """The batches one after the other (node indices shifted)."""
        off = 0
        cols: dict[str, list[Tensor]] = {k: [] for k in ("is_leaf", "label", "left", "right", "roots", "height")}
        for p in parts:
            cols["is_leaf"].append(p.is_leaf); cols["label"].append(p.label)
            cols["left"].append(torch.where(p.left >= 0, p.left + off, p.left))
            cols["right"].append(torch.where(p.right >= 0, p.right + off, p.right))
            cols["roots"].append(p.roots + off); cols["height"].append(p.height)
            off += p.num_nodes
        return TreeBatch(*(torch.cat(cols[k]) for k in ("is_leaf", "label", "left", "right", "roots", "height")))

    def where(self, mask: Tensor, other: "TreeBatch") -> "TreeBatch":
        """Case-wise ``self if mask else other`` (both forests kept, roots chosen)."""
        both = TreeBatch.concat([self, other])
        roots = torch.where(mask.to(self.device), self.roots, other.roots + self.num_nodes)
        return TreeBatch(both.is_leaf, both.label, both.left, both.right, roots, both.height)


def fold_tree(trees: TreeBatch, leaf: Callable[[Tensor], Tensor],
              node: Callable[[Tensor, Tensor, Tensor], Tensor],
              all_nodes: bool = False) -> Tensor:
    """The fold over binary trees, one vectorised step per level (height), never per node.

    ``leaf(labels (K,)) -> states (K, *S)``; ``node(labels (K,), left (K, *S), right (K, *S)) ->
    (K, *S)`` (the argument order of ``BTree.fold leafCell nodeCell``). Returns the root states
    (N, *S), or with ``all_nodes`` the states of every node (M, *S). Satisfies ``fold (leaf a) =
    leafCell a`` and ``fold (node o l r) = nodeCell o (fold l) (fold r)`` because level h only
    reads levels below h.
    """
    leaves = trees.is_leaf.nonzero().squeeze(1)
    s_leaf = leaf(trees.label[leaves])
    states = s_leaf.new_zeros((trees.num_nodes,) + tuple(s_leaf.shape[1:]))
    states = states.index_put((leaves,), s_leaf)
    for idx in trees.levels():
        val = node(trees.label[idx], states[trees.left[idx]], states[trees.right[idx]])
        if torch.is_grad_enabled() and val.requires_grad:
            states = states.index_put((idx,), val)
        else:
            states.index_put_((idx,), val)
    return states if all_nodes else states[trees.roots]


class MLPTreeCell(nn.Module):
    """Float tree cells: ``leaf : Fin P → H`` (an embedding) and ``node : Fin B → H → H → H``
    (an MLP over [embed(o), h_l, h_r], tanh). States (K, d)."""

    def __init__(self, n_values: int, n_labels: int, hidden: int = 64):
        super().__init__()
        self.leaf_embed = nn.Embedding(n_values, hidden)
        self.label_embed = nn.Embedding(n_labels, hidden)
        self.net = nn.Sequential(nn.Linear(3 * hidden, 2 * hidden), nn.Tanh(),
                                 nn.Linear(2 * hidden, hidden), nn.Tanh())

    def leaf(self, a: Tensor) -> Tensor:
        return torch.tanh(self.leaf_embed(a.long()))

    def node(self, o: Tensor, l: Tensor, r: Tensor) -> Tensor:
        return self.net(torch.cat([self.label_embed(o.long()), l, r], -1))


class FiniteTreeCell(nn.Module):
    """Finite tree cells over states ``Fin m``: ``leaf : Fin P → Fin m`` and ``node : Fin B →
    Fin m → Fin m → Fin m``, both `FiniteCell` tables, decoded at every level."""

    def __init__(self, n_values: int, n_labels: int, states: int, hidden: int = 64):
        super().__init__()
        self.n_values, self.n_labels, self.states = n_values, n_labels, states
        self.leaf_cell = FiniteCell([n_values], states, hidden)
        self.node_cell = FiniteCell([n_labels, states, states], states, hidden)


class TreeFold(nn.Module):
    """A recursive net over binary trees that is, by construction, the tree fold of its cells.

    ``states=None``: float states (`MLPTreeCell`) and a linear readout to ``n_classes``.
    ``states=m``: finite states ``Fin m`` (`FiniteTreeCell`), decoded at every level; the decoded
    state is the answer (m == n_classes).

    `forward(trees)` → logits of every node (M, n_classes) (training: every subtree's value can
    be supervised, as every prefix is for lists). `run(trees)` → root states, (N, d) float or (N,)
    long. `leaf_decoded`, `node_decoded` are the cells as a law sees them.
    """

    def __init__(self, n_values: int, n_labels: int, n_classes: int, states: int | None = None,
                 hidden: int = 64):
        super().__init__()
        self.n_values, self.n_labels, self.n_classes, self.states = n_values, n_labels, n_classes, states
        if states is None:
            self.cells = MLPTreeCell(n_values, n_labels, hidden)
            self.readout = nn.Linear(hidden, n_classes)
        else:
            if states != n_classes:
                raise ValueError("a finite TreeFold's state is its answer: states == n_classes")
            self.cells = FiniteTreeCell(n_values, n_labels, states, hidden)

    @property
    def finite(self) -> bool:
        return self.states is not None

    def forward(self, trees: TreeBatch) -> Tensor:
        """Logits of every node's value (M, n_classes)."""
        if not self.finite:
            hs = fold_tree(trees, self.cells.leaf, self.cells.node, all_nodes=True)
            return self.readout(hs)
        c = self.cells
        dtype = c.leaf_cell.net[0].weight.dtype
        logits = torch.zeros(trees.num_nodes, self.states, dtype=dtype, device=trees.device)
        leaves = trees.is_leaf.nonzero().squeeze(1)
        lg = c.leaf_cell(one_hot(trees.label[leaves], self.n_values, dtype))
        logits = logits.index_put((leaves,), lg)
        states = torch.zeros_like(logits).index_put((leaves,), straight_through(lg))
        for idx in trees.levels():
            lg = c.node_cell(one_hot(trees.label[idx], self.n_labels, dtype),
                             states[trees.left[idx]], states[trees.right[idx]])
            logits = logits.index_put((idx,), lg)
            states = states.index_put((idx,), straight_through(lg))
        return logits

    def leaf_decoded(self, a: Tensor) -> Tensor:
        """``leaf a`` batched: (K,) long → (K, d) float or (K,) long."""
        return self.cells.leaf_cell.decoded(a) if self.finite else self.cells.leaf(a)

    def node_decoded(self, o: Tensor, l: Tensor, r: Tensor) -> Tensor:
        """``nodeCell o l r`` batched: o (K,) long; l, r (K, d) float or (K,) long."""
        return self.cells.node_cell.decoded(o, l, r) if self.finite else self.cells.node(o, l, r)

    def run(self, trees: TreeBatch) -> Tensor:
        """The fold of each tree: (N, d) float or (N,) long (decoded at every level)."""
        return fold_tree(trees, self.leaf_decoded, self.node_decoded)

    def predict(self, trees: TreeBatch) -> Tensor:
        """(N,) long answers."""
        h = self.run(trees)
        return h if self.finite else decode_argmax(self.readout(h))


# ------------------------------------------------------------------------------------------
# Mealy and Moore machines


class MealyRunner:
    """Runs a Mealy machine ``step : S → A → S``, ``out : S → A → B`` over padded batches.

    ``state s u = List.foldl step s u`` and ``out s u = [out s₀ u₀, out s₁ u₁, …]`` with
    ``sᵢ₊₁ = step sᵢ uᵢ``. By construction the restart law (``state s (u ++ v) = state (state s
    u) v``, ``out s (u ++ v) = out s u ++ out (state s u) v``) and causality (the output at step t
    reads inputs 0..t only) hold. `step` and `out` are batched callables; s: (N, *S), a: (N,).
    """

    def __init__(self, step: Callable[[Tensor, Tensor], Tensor], out: Callable[[Tensor, Tensor], Tensor]):
        self.step, self.out = step, out

    def __call__(self, s: Tensor, xs: Tensor, lengths: Tensor) -> tuple[Tensor, Tensor]:
        """s: (N, *S); xs: (N, L) inputs; lengths (N,). Returns (final state (N, *S), outputs
        (N, L, *B)); outputs past each length are padding (computed, but from a frozen state)."""
        outs = []
        lengths = lengths.to(xs.device)
        for t in range(xs.shape[1]):
            a = xs[:, t]
            outs.append(self.out(s, a))
            new = self.step(s, a)
            keep = (t < lengths).view(-1, *([1] * (s.dim() - 1)))
            s = torch.where(keep, new, s)
        if outs:
            return s, torch.stack(outs, 1)
        return s, torch.zeros(xs.shape[0], 0, dtype=torch.long, device=xs.device)


class MooreRunner:
    """Runs a Moore machine ``step : S → A → S``, ``out : S → B``: one output per state visited,
    the first included, so ``out s u`` has length ``|u| + 1``. Batched as `MealyRunner`."""

    def __init__(self, step: Callable[[Tensor, Tensor], Tensor], out: Callable[[Tensor], Tensor]):
        self.step, self.out = step, out

    def __call__(self, s: Tensor, xs: Tensor, lengths: Tensor) -> tuple[Tensor, Tensor]:
        """Returns (final state, outputs (N, L + 1, *B)); output i is read at state i."""
        outs = [self.out(s)]
        lengths = lengths.to(xs.device)
        for t in range(xs.shape[1]):
            new = self.step(s, xs[:, t])
            keep = (t < lengths).view(-1, *([1] * (s.dim() - 1)))
            s = torch.where(keep, new, s)
            outs.append(self.out(s))
        return s, torch.stack(outs, 1)


class FiniteMealy(nn.Module):
    """A learned Mealy machine with finite states ``Fin m``, inputs ``Fin A``, outputs ``Fin B``,
    decoded at every step (straight-through in training). Only the outputs are supervised: the
    states are the model's own.

    `forward(xs, lengths, hard)` → output log-probabilities (N, L, B). `run(s, xs, lengths)` →
    (final states (N,) long, outputs (N, L) long). `step_decoded(s, a)`, `out_decoded(s, a)`,
    `init_state(N)` are ``nextState``, ``output`` and the initial state as the laws see them.
    """

    def __init__(self, n_inputs: int, n_outputs: int, states: int, hidden: int = 32):
        super().__init__()
        self.n_inputs, self.n_outputs, self.states = n_inputs, n_outputs, states
        self.step_cell = FiniteCell([states, n_inputs], states, hidden)
        self.out_cell = FiniteCell([states, n_inputs], n_outputs, hidden)
        self.init_logits = nn.Parameter(torch.randn(states))

    def forward(self, xs: Tensor, lengths: Tensor, hard: bool = True) -> Tensor:
        """Output log-probabilities (N, L, B). ``hard``: states decoded (straight-through);
        else the relaxation of `mixture_step` (a distribution over states, propagated exactly)."""
        n = xs.shape[0]
        dtype = self.init_logits.dtype
        s = straight_through(self.init_logits.expand(n, -1), hard)
        outs = []
        for t in range(xs.shape[1]):
            a = one_hot(xs[:, t].long(), self.n_inputs, dtype)
            if hard:
                outs.append(self.out_cell(s, a).log_softmax(-1))
                s = straight_through(self.step_cell(s, a))
            else:
                outs.append(mixture_step(self.out_cell, s, a).clamp_min(1e-12).log())
                s = mixture_step(self.step_cell, s, a)
        return torch.stack(outs, 1)

    def init_state(self, n: int = 1) -> Tensor:
        return decode_argmax(self.init_logits).expand(n).clone()

    def step_decoded(self, s: Tensor, a: Tensor) -> Tensor:
        return self.step_cell.decoded(s, a)

    def out_decoded(self, s: Tensor, a: Tensor) -> Tensor:
        return self.out_cell.decoded(s, a)

    def run(self, s: Tensor, xs: Tensor, lengths: Tensor) -> tuple[Tensor, Tensor]:
        return MealyRunner(self.step_decoded, self.out_decoded)(s, xs, lengths)

    def predict(self, xs: Tensor, lengths: Tensor) -> Tensor:
        """(N, L) long outputs from the initial state."""
        return self.run(self.init_state(xs.shape[0]).to(xs.device), xs, lengths)[1]


class FloatMealy(nn.Module):
    """A Mealy machine with a float state (N, d): ``step`` a GRU cell, ``out s a = head(step s a)``
    (a function of s and a, as Mealy allows). Outputs are class indices after argmax."""

    def __init__(self, n_inputs: int, n_outputs: int, hidden: int = 32):
        super().__init__()
        self.cell = GRUFoldCell(n_inputs, hidden)
        self.head = nn.Linear(hidden, n_outputs)
        self.init = nn.Parameter(torch.zeros(hidden))

    def forward(self, xs: Tensor, lengths: Tensor) -> Tensor:
        _, hs = fold_left(self.cell, self.init.expand(xs.shape[0], -1), xs, lengths, collect=True)
        return self.head(hs)

    def init_state(self, n: int = 1) -> Tensor:
        return self.init.expand(n, -1).clone()

    def step_decoded(self, s: Tensor, a: Tensor) -> Tensor:
        return self.cell(s, a)

    def out_decoded(self, s: Tensor, a: Tensor) -> Tensor:
        return decode_argmax(self.head(self.cell(s, a)))

    def run(self, s: Tensor, xs: Tensor, lengths: Tensor) -> tuple[Tensor, Tensor]:
        return MealyRunner(self.step_decoded, self.out_decoded)(s, xs, lengths)

    def predict(self, xs: Tensor, lengths: Tensor) -> Tensor:
        return self.run(self.init_state(xs.shape[0]).to(xs.device), xs, lengths)[1]


class FiniteMoore(nn.Module):
    """A learned Moore machine over ``Fin m``: ``step`` a `FiniteCell`, ``out : Fin m → Fin B`` a
    `FiniteCell`; outputs one per state visited, the first included: (N, L + 1). Trained as
    `FiniteMealy` (relaxed, then straight-through); `forward` gives log-probabilities."""

    def __init__(self, n_inputs: int, n_outputs: int, states: int, hidden: int = 32):
        super().__init__()
        self.n_inputs, self.n_outputs, self.states = n_inputs, n_outputs, states
        self.step_cell = FiniteCell([states, n_inputs], states, hidden)
        self.out_cell = FiniteCell([states], n_outputs, hidden)
        self.init_logits = nn.Parameter(torch.randn(states))

    def forward(self, xs: Tensor, lengths: Tensor, hard: bool = True) -> Tensor:
        n = xs.shape[0]
        dtype = self.init_logits.dtype
        s = straight_through(self.init_logits.expand(n, -1), hard)

        def out(s: Tensor) -> Tensor:
            if hard:
                return self.out_cell(s).log_softmax(-1)
            return mixture_step(self.out_cell, s).clamp_min(1e-12).log()

        outs = [out(s)]
        for t in range(xs.shape[1]):
            a = one_hot(xs[:, t].long(), self.n_inputs, dtype)
            s = straight_through(self.step_cell(s, a)) if hard else mixture_step(self.step_cell, s, a)
            outs.append(out(s))
        return torch.stack(outs, 1)

    def init_state(self, n: int = 1) -> Tensor:
        return decode_argmax(self.init_logits).expand(n).clone()

    def step_decoded(self, s: Tensor, a: Tensor) -> Tensor:
        return self.step_cell.decoded(s, a)

    def out_decoded(self, s: Tensor) -> Tensor:
        return self.out_cell.decoded(s)

    def run(self, s: Tensor, xs: Tensor, lengths: Tensor) -> tuple[Tensor, Tensor]:
        return MooreRunner(self.step_decoded, self.out_decoded)(s, xs, lengths)

    def predict(self, xs: Tensor, lengths: Tensor) -> Tensor:
        return self.run(self.init_state(xs.shape[0]).to(xs.device), xs, lengths)[1]
