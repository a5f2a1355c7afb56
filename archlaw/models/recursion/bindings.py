"""The recursion models meet their laws: the ``BTree`` encoding, bindings, seeded violations and
the registry fixtures that ``pytest --archlaw`` checks.

Laws (``lean/ArchLaw/Fold.lean``, ``lean/ArchLaw/Recursion/*.lean``; names as read from Lean):

=======================  ====================================================  ================
law / theorem            symbols bound here                                     domain
=======================  ====================================================  ================
``FoldlLaws``            ``cell init run`` of a `LeftFold` (A = Fin 2)          sampled lists
``FoldLaws``             the same RNN read right to left (``run ∘ reverse``)    sampled lists
``LeftAlgHomLaw``        ``f`` decoded cell, ``g`` the task's cell, ``h`` dec   exhaustive S × A
``InitHomLaw``           ``h x0 y0``: decoded init vs the task's init           exhaustive (1)
``foldl_fusion``         the two above as hypotheses                            exhaustive
``TreeFoldLaws``         ``leafCell nodeCell run`` of a `TreeFold`              sampled trees
``TreeAlgHomLaw``        decoded tree cells vs the task's, ``h`` dec            exhaustive
``tree_fusion``          the above as hypothesis                                exhaustive
``MealyLaws``            ``nextState output state out`` of a Mealy model        S × sampled lists
``RestartLaws``          ``state out`` of a Mealy model                         S × sampled lists
``CausalLaw``            ``out`` of a Mealy model                               S × sampled lists
``MealyHomLaw``          decoded machine vs the task's, ``h`` found by BFS      exhaustive S × I
``MooreLaws``,           the same for a Moore model                             S × sampled lists
``MooreRestartLaws``
=======================  ====================================================  ================

For machines, the learned states are the model's own (only outputs are supervised), so ``h``
is *derived*: breadth-first from the initial states, ``h s₀ = t₀`` and ``h (nextS s i) = nextT
(h s) i`` (`state_map`); states never reached map to 0. The check then verifies ``h`` on every
(state, input), reached or not.

``dec`` (the law's ``h``) is the identity for the fold and tree models, whose decoded state *is*
the answer. A statement read from source is ``source``: an exhaustive pass of the fusion
theorem's hypotheses is then reported as "passed (statement source, check exhaustive) — not
certified"; only a ``lean`` export can make it a certificate.

The ``BTree L N`` sort (``ArchLaw.BTree``) is registered here: batched values are
`archlaw.models.recursion.TreeBatch`; samples have depth uniform in ``[0, max_depth]`` (10× the
training depth by default) and O(depth) nodes: a spine of that depth whose other children are
small random trees of depth ≤ 2. ``ArchLaw.BTree.leaf``, ``ArchLaw.BTree.node`` and
``ArchLaw.BTree.fold`` get batched interpretations (the fold runs level by level).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any, Callable

import torch
from torch import Tensor

from archlaw.bridge.binding import Binding, ListBatch
from archlaw.bridge.errors import ArchLawError
from archlaw.bridge.interpret import Fn, SymbolFn, apply, interpretation
from archlaw.bridge.sorts import (
    BoolEnc, Encoding, Finite, FloatTensor, LongScalar, SampleConfig, register_sort,
)

from archlaw.models.recursion.modules import (
    FiniteMealy, FiniteMoore, FloatMealy, LeftFold, MealyRunner, MooreRunner, TreeBatch, TreeFold,
    fold_tree,
)

__all__ = [
    "BTreeEncoding", "sample_trees", "foldl_binding", "foldr_binding", "fold_hom_binding",
    "tree_binding", "tree_hom_binding", "mealy_binding", "moore_binding", "mealy_hom_binding",
    "spec_mealy_binding",
    "state_map", "WrongBeyond", "one_wrong_case", "positional_runner", "peeking_runner",
    "foldr_hom_binding", "fold_certificate_binding", "tree_certificate_binding",
    "positional_moore_runner", "reverse_lists",
]


# ------------------------------------------------------------------------------------------
# The BTree sort


def sample_trees(depths: Tensor, n_leaf: int, n_node: int, gen: torch.Generator) -> TreeBatch:
    """Trees of the given depths (N,) with O(depth) nodes: a spine of that depth, each spine
    node's other child a random tree of depth ≤ min(2, remaining height - 1), sides random.
    Labels uniform in ``Fin n_leaf`` (leaves) and ``Fin n_node`` (nodes)."""
    is_leaf: list[bool] = []
    label: list[int] = []
    left: list[int] = []
    right: list[int] = []
    roots: list[int] = []
    total = int(depths.sum()) * 8 + 8 * len(depths) + 8
    stream = torch.randint(0, 1 << 30, (total,), generator=gen).tolist()
    pos = 0

    def rnd(k: int) -> int:
        nonlocal pos
        if pos >= len(stream):
            stream.extend(torch.randint(0, 1 << 30, (1024,), generator=gen).tolist())
        v = stream[pos] % k
        pos += 1
        return v

    def leaf() -> int:
        is_leaf.append(True); label.append(rnd(n_leaf)); left.append(-1); right.append(-1)
        return len(is_leaf) - 1

    def node(o: int, a: int, b: int) -> int:
        is_leaf.append(False); label.append(o); left.append(a); right.append(b)
        return len(is_leaf) - 1

    def small(h: int) -> int:
        if h <= 0 or rnd(2) == 0:
            return leaf()
        o = rnd(n_node)
        a = small(h - 1)
        b = small(h - 1)
        return node(o, a, b)

    for d in depths.tolist():
        cur = leaf()
        for h in range(1, d + 1):
            other = small(min(2, h - 1))
            o = rnd(n_node)
            cur = node(o, cur, other) if rnd(2) == 0 else node(o, other, cur)
        roots.append(cur)
    return TreeBatch.build(torch.tensor(is_leaf, dtype=torch.bool), torch.tensor(label, dtype=torch.long),
                           torch.tensor(left, dtype=torch.long), torch.tensor(right, dtype=torch.long),
                           torch.tensor(roots, dtype=torch.long))


def _render_tree(t: TreeBatch, i: int, budget: int = 8) -> str:
    """``BTree.node 1 (BTree.leaf 3) (…)`` with nodes deeper than `budget` elided."""
    def go(k: int, b: int) -> str:
        if bool(t.is_leaf[k]):
            return f"BTree.leaf {int(t.label[k])}"
        if b == 0:
            return f"… (depth {int(t.height[k])})"
        return (f"BTree.node {int(t.label[k])} ({go(int(t.left[k]), b - 1)}) "
                f"({go(int(t.right[k]), b - 1)})")
    return go(int(t.roots[i]), budget)


def _canon(t: TreeBatch, i: int) -> tuple:
    out: list[tuple[bool, int]] = []
    stack = [int(t.roots[i])]
    while stack:
        k = stack.pop()
        out.append((bool(t.is_leaf[k]), int(t.label[k])))
        if not bool(t.is_leaf[k]):
            stack.append(int(t.right[k]))
            stack.append(int(t.left[k]))
    return tuple(out)


@dataclass(frozen=True)
class BTreeEncoding(Encoding):
    """``BTree L N`` with finite label sorts: batched as a `TreeBatch` (see the module
    docstring for the sampler). Trees compare structurally (labels and shape)."""

    leaf: Encoding
    node: Encoding
    kind = "BTree"

    @property
    def discrete(self) -> bool:  # type: ignore[override]
        # labels are compared exactly (`_canon`), so the tree is exact iff its labels are
        return self.leaf.discrete and self.node.discrete

    def describe(self) -> str:
        return f"BTree ({self.leaf.describe()}) ({self.node.describe()})"

    def _cards(self) -> tuple[int, int]:
        a, b = self.leaf.cardinality, self.node.cardinality
        if a is None or b is None:
            raise ArchLawError(f"sort {self.describe()}: only finite leaf and node labels can be "
                               "sampled")
        return a, b

    def plan(self, n: int, gen: torch.Generator, cfg: SampleConfig) -> Tensor:
        return torch.randint(0, cfg.max_depth + 1, (n,), generator=gen)

    def size_key(self, plan: Tensor) -> Tensor:
        return plan

    def numel(self, plan: Tensor) -> Tensor:
        return 8 * (plan + 1)

    def materialize(self, plan: Tensor, gen: torch.Generator, cfg: SampleConfig) -> TreeBatch:
        a, b = self._cards()
        return sample_trees(plan, a, b, gen).to(cfg.device)

    def equal(self, x: TreeBatch, y: TreeBatch, tol) -> tuple[Tensor, Tensor]:
        ok = torch.tensor([_canon(x, i) == _canon(y, i) for i in range(x.batch_size)],
                          dtype=torch.bool, device=x.device)
        return ok, (~ok).to(torch.float64)

    def render(self, v: TreeBatch, i: int) -> str:
        text = _render_tree(v, i)
        return f"({text})" if " " in text else text


@register_sort("ArchLaw.BTree")
def _btree_sort(args: tuple, params) -> Encoding:
    if len(args) != 2 or not all(isinstance(a, Encoding) for a in args):
        raise ArchLawError("ArchLaw.BTree takes two sorts: BTree L N")
    for role, a in zip(("leaf", "node"), args):
        # a `TreeBatch` stores one integer label per node and compares labels exactly
        # (`_canon`): a float label would be truncated and called equal, so any other label
        # sort is refused here rather than mis-compared
        if not (isinstance(a, (LongScalar, BoolEnc)) and a.discrete):
            raise ArchLawError(f"ArchLaw.BTree: {role} labels of sort {a.describe()} are not "
                               "supported; tree labels must be Fin n, Nat or Bool (compared "
                               "exactly)")
    return BTreeEncoding(args[0], args[1])


# TreeBatch as a batched value for the engine: it already has take, where, batch_size.


@interpretation("ArchLaw.BTree.leaf", arity=1)
def _bt_leaf(ctx, a: Tensor) -> TreeBatch:
    return TreeBatch.leaves(a)


@interpretation("ArchLaw.BTree.node", arity=3)
def _bt_node(ctx, o: Tensor, l: TreeBatch, r: TreeBatch) -> TreeBatch:
    return TreeBatch.node(o, l, r)


def _case_independent(f: Any, what: str) -> Callable[..., Any]:
    if isinstance(f, Fn) and not isinstance(f, SymbolFn):
        raise ArchLawError(f"BTree.fold: the {what} must be a model or specification symbol "
                           "(a cell that depends on the case is not supported)")
    return lambda *args: apply(f, args)


@interpretation("ArchLaw.BTree.fold", arity=3)
def _bt_fold(ctx, leaf_cell: Any, node_cell: Any, t: TreeBatch) -> Any:
    return fold_tree(t, _case_independent(leaf_cell, "leaf cell"),
                     _case_independent(node_cell, "node cell"))


# ------------------------------------------------------------------------------------------
# Bindings


def _state_sort(model: torch.nn.Module, hidden: int) -> Encoding:
    return Finite(model.states) if model.states is not None else FloatTensor((hidden,))


def _hidden(model: torch.nn.Module) -> int:
    if isinstance(model, LeftFold) and not model.finite:
        return int(model.init.shape[0])
    if isinstance(model, TreeFold) and not model.finite:
        return int(model.readout.in_features)
    return 0


def foldl_binding(model: LeftFold, *, max_train_length: int, name: str = "",
                  run: Callable[[ListBatch], Tensor] | None = None, **meta: Any) -> Binding:
    """``FoldlLaws {A H} cell init run`` for a `LeftFold` (A = ``Fin n_inputs``; H = ``Fin m``
    decoded, or ``Float[d]``). `run` overrides the model's run (seeded violations)."""
    def model_run(xs: ListBatch) -> Tensor:
        return model.run(xs.values, xs.lengths)

    return Binding(
        sorts={"A": Finite(model.n_inputs), "H": _state_sort(model, _hidden(model))},
        params={},
        symbols={"cell": model.cell_decoded, "init": lambda: model.init_state(1)[0],
                 "run": run or model_run},
        model_symbols=frozenset({"cell", "init", "run"}), max_train_length=max_train_length,
        module=model, metadata={"name": name or f"{type(model).__name__}", **meta})


def reverse_lists(xs: ListBatch) -> ListBatch:
    """Each list of the batch reversed (padding stays at the end)."""
    L = xs.values.shape[1]
    if L == 0:
        return xs
    pos = torch.arange(L, device=xs.lengths.device)[None]
    idx = (xs.lengths[:, None] - 1 - pos).clamp(0, L - 1)
    return ListBatch(torch.gather(xs.values, 1, idx), xs.lengths)


def foldr_binding(model: LeftFold, *, max_train_length: int, name: str = "",
                  run: Callable[[ListBatch], Tensor] | None = None, **meta: Any) -> Binding:
    """``FoldLaws {A H} cell init run`` for the same RNN read right to left: ``cell a h`` is the
    model's ``cell h a`` and ``run as`` its run on ``as.reverse`` (a right fold is a left fold of
    the reversed list). `run` overrides the run (seeded violations)."""
    return Binding(
        sorts={"A": Finite(model.n_inputs), "H": _state_sort(model, _hidden(model))},
        params={},
        symbols={"cell": lambda a, h: model.cell_decoded(h, a),
                 "init": lambda: model.init_state(1)[0],
                 "run": run or (lambda xs: model.run(*(lambda r: (r.values, r.lengths))(reverse_lists(xs))))},
        model_symbols=frozenset({"cell", "init", "run"}), max_train_length=max_train_length,
        module=model, metadata={"name": name or f"{type(model).__name__} (right to left)", **meta})


def fold_hom_binding(model: LeftFold, spec_cell: Callable[[Tensor, Tensor], Tensor], spec_init: int,
                     n_spec: int, *, name: str = "", cell: Callable | None = None,
                     **meta: Any) -> Binding:
    """For ``foldl_fusion`` / ``LeftAlgHomLaw`` / ``InitHomLaw``: X = the model's decoded
    states ``Fin m``, Y = the specification's ``Fin n_spec``, ``f`` the decoded cell, ``g`` the
    specification's cell, ``h`` the decoding (identity: the state is the answer), ``x0`` the
    decoded init, ``y0`` the specification's init. `cell` overrides ``f`` (seeded violations)."""
    if not model.finite:
        raise ArchLawError("fold_hom_binding needs a finite LeftFold (states=m)")
    return Binding(
        sorts={"A": Finite(model.n_inputs), "X": Finite(model.states), "Y": Finite(n_spec)},
        params={},
        symbols={"f": cell or model.cell_decoded, "g": spec_cell, "h": lambda x: x.clone(),
                 "x0": lambda: model.init_state(1)[0], "y0": spec_init},
        model_symbols=frozenset({"f", "x0"}), module=model,
        metadata={"name": name or "LeftFold (finite, decoded)", **meta})


def foldr_hom_binding(model: LeftFold, spec_cell: Callable[[Tensor, Tensor], Tensor], spec_init: int,
                      n_spec: int, *, name: str = "", x0: Callable | None = None,
                      **meta: Any) -> Binding:
    """For ``foldr_fusion`` / ``AlgHomLaw`` / ``InitHomLaw``: the same RNN read right to left,
    ``f a x`` its decoded ``cell x a``, ``g a y`` the specification's ``cell y a``, ``h`` the
    decoding (identity), ``x0`` / ``y0`` the initial states. `x0` overrides the model's init
    (seeded violations)."""
    if not model.finite:
        raise ArchLawError("foldr_hom_binding needs a finite LeftFold (states=m)")
    return Binding(
        sorts={"A": Finite(model.n_inputs), "X": Finite(model.states), "Y": Finite(n_spec)},
        params={},
        symbols={"f": lambda a, x: model.cell_decoded(x, a), "g": lambda a, y: spec_cell(y, a),
                 "h": lambda x: x.clone(), "x0": x0 or (lambda: model.init_state(1)[0]),
                 "y0": spec_init},
        model_symbols=frozenset({"f", "x0"}), module=model,
        metadata={"name": name or "LeftFold (finite, decoded, right to left)", **meta})


def fold_certificate_binding(model: LeftFold, spec_cell: Callable[[Tensor, Tensor], Tensor],
                             spec_init: int, n_spec: int, *, max_train_length: int,
                             right: bool = False, name: str = "", **meta: Any) -> Binding:
    """For ``foldl_certificate`` (``right=False``) or ``foldr_certificate`` (the RNN read right
    to left): ``cell init run`` of the model, ``spec specInit`` of the task, ``dec`` identity.
    The run laws are sampled, the cell and init laws exhaustive."""
    if not model.finite:
        raise ArchLawError("fold_certificate_binding needs a finite LeftFold (states=m)")
    if right:
        cell = lambda a, h: model.cell_decoded(h, a)  # noqa: E731
        spec = lambda a, t: spec_cell(t, a)  # noqa: E731
        run = lambda xs: model.run(*(lambda r: (r.values, r.lengths))(reverse_lists(xs)))  # noqa: E731
    else:
        cell, spec = model.cell_decoded, spec_cell
        run = lambda xs: model.run(xs.values, xs.lengths)  # noqa: E731
    return Binding(
        sorts={"A": Finite(model.n_inputs), "S": Finite(model.states), "T": Finite(n_spec)},
        params={},
        symbols={"cell": cell, "init": lambda: model.init_state(1)[0], "run": run, "spec": spec,
                 "specInit": spec_init, "dec": lambda x: x.clone()},
        model_symbols=frozenset({"cell", "init", "run"}), max_train_length=max_train_length,
        module=model, metadata={"name": name or "LeftFold (finite, decoded)", **meta})


def tree_certificate_binding(model: TreeFold, spec_leaf: Callable, spec_node: Callable,
                             n_spec: int, *, max_train_depth: int, name: str = "",
                             **meta: Any) -> Binding:
    """For ``tree_certificate``: the model's ``leafCell nodeCell run``, the task's ``specLeaf
    specNode``, ``dec`` identity."""
    if not model.finite:
        raise ArchLawError("tree_certificate_binding needs a finite TreeFold (states=m)")
    return Binding(
        sorts={"L": Finite(model.n_values), "N": Finite(model.n_labels), "S": Finite(model.states),
               "T": Finite(n_spec)},
        params={},
        symbols={"leafCell": model.leaf_decoded, "nodeCell": model.node_decoded, "run": model.run,
                 "specLeaf": spec_leaf, "specNode": spec_node, "dec": lambda x: x.clone()},
        model_symbols=frozenset({"leafCell", "nodeCell", "run"}), max_train_depth=max_train_depth,
        module=model, metadata={"name": name or "TreeFold (finite, decoded)", **meta})


def tree_binding(model: TreeFold, *, max_train_depth: int, name: str = "",
                 run: Callable[[TreeBatch], Tensor] | None = None, **meta: Any) -> Binding:
    """``TreeFoldLaws {L N H} leafCell nodeCell run`` for a `TreeFold`."""
    return Binding(
        sorts={"L": Finite(model.n_values), "N": Finite(model.n_labels),
               "H": _state_sort(model, _hidden(model))},
        params={},
        symbols={"leafCell": model.leaf_decoded, "nodeCell": model.node_decoded,
                 "run": run or model.run},
        model_symbols=frozenset({"leafCell", "nodeCell", "run"}), max_train_depth=max_train_depth,
        module=model, metadata={"name": name or f"{type(model).__name__}", **meta})


def tree_hom_binding(model: TreeFold, spec_leaf: Callable, spec_node: Callable, n_spec: int, *,
                     name: str = "", node: Callable | None = None, **meta: Any) -> Binding:
    """For ``tree_fusion`` / ``TreeAlgHomLaw``: the decoded cells ``leafX nodeX`` vs the
    specification's ``leafY nodeY``, ``h`` the decoding (identity). `node` overrides ``nodeX``."""
    if not model.finite:
        raise ArchLawError("tree_hom_binding needs a finite TreeFold (states=m)")
    return Binding(
        sorts={"L": Finite(model.n_values), "N": Finite(model.n_labels),
               "X": Finite(model.states), "Y": Finite(n_spec)},
        params={},
        symbols={"leafX": model.leaf_decoded, "nodeX": node or model.node_decoded,
                 "leafY": spec_leaf, "nodeY": spec_node, "h": lambda x: x.clone()},
        model_symbols=frozenset({"leafX", "nodeX"}), module=model,
        metadata={"name": name or "TreeFold (finite, decoded)", **meta})


# ------------------------------------------------------------------------------------------
# Machines

Runner = Callable[[Tensor, Tensor, Tensor], tuple[Tensor, Tensor]]


def _machine_sorts(model: torch.nn.Module) -> dict[str, Encoding]:
    if isinstance(model, FloatMealy):
        S: Encoding = FloatTensor((int(model.init.shape[0]),))
        n_in, n_out = model.cell.embed.num_embeddings, model.head.out_features
    else:
        S = Finite(model.states)
        n_in, n_out = model.n_inputs, model.n_outputs
    return {"S": S, "I": Finite(n_in), "O": Finite(n_out)}


def _runs(run: Runner) -> dict[str, Callable[..., Any]]:
    def state(s: Tensor, u: ListBatch) -> Tensor:
        return run(s, u.values, u.lengths)[0]

    def out(s: Tensor, u: ListBatch) -> ListBatch:
        ys = run(s, u.values, u.lengths)[1]
        extra = ys.shape[1] - u.values.shape[1]  # Moore: one more output than inputs
        return ListBatch(ys, u.lengths + extra)

    return {"state": state, "out": out}


def _machine_binding(model: Any, max_train_length: int, name: str, runner: Runner | None,
                     meta: dict) -> Binding:
    run = runner or model.run
    return Binding(
        sorts=_machine_sorts(model), params={},
        symbols={"nextState": model.step_decoded, "output": model.out_decoded, **_runs(run)},
        model_symbols=frozenset({"nextState", "output", "state", "out"}),
        max_train_length=max_train_length, module=model,
        metadata={"name": name or type(model).__name__, **meta})


def mealy_binding(model: FiniteMealy | FloatMealy, *, max_train_length: int, name: str = "",
                  runner: Runner | None = None, **meta: Any) -> Binding:
    """``MealyLaws`` / ``RestartLaws`` / ``CausalLaw`` for a Mealy model: ``nextState`` and
    ``output`` its decoded cells, ``state`` and ``out`` its `MealyRunner` (or `runner`, for
    seeded violations). S = ``Fin m`` (finite) or ``Float[d]``; I, O finite."""
    return _machine_binding(model, max_train_length, name, runner, meta)


def moore_binding(model: FiniteMoore, *, max_train_length: int, name: str = "",
                  runner: Runner | None = None, **meta: Any) -> Binding:
    """``MooreLaws`` / ``MooreRestartLaws`` for a `FiniteMoore` (outputs one per state visited)."""
    return _machine_binding(model, max_train_length, name, runner, meta)


def spec_mealy_binding(task: Any, *, max_train_length: int) -> Binding:
    """``MealyLaws`` for a task's own machine (``task.step``, ``task.out`` on ``Fin n_states``),
    run by the same `MealyRunner`: the ``hT`` hypothesis of ``MealyHomLaw.preserves_out``."""
    runner = MealyRunner(task.step, task.out)
    return Binding(
        sorts={"S": Finite(task.n_states), "I": Finite(task.n_inputs), "O": Finite(task.n_outputs)},
        params={}, symbols={"nextState": task.step, "output": task.out, **_runs(runner)},
        model_symbols=frozenset(), max_train_length=max_train_length,
        metadata={"name": f"{type(task).__name__} (specification)"})


@torch.no_grad()
def state_map(step: Callable[[Tensor, Tensor], Tensor], init: int, n_states: int, n_inputs: int,
              spec_step: Callable[[Tensor, Tensor], Tensor], spec_init: int,
              device: torch.device | str = "cpu") -> Tensor:
    """The candidate homomorphism ``h : Fin m → T`` (long (m,), on the CPU) by breadth-first
    search from ``h init = spec_init`` along ``h (step s i) = spec_step (h s) i``. The first
    assignment wins; conflicts are left for the check to find. Unreached states map to 0.
    `device`: where `step` (the model) runs."""
    h = torch.full((n_states,), -1, dtype=torch.long)
    h[init] = spec_init
    frontier = [init]
    while frontier:
        s = torch.tensor(frontier).repeat_interleave(n_inputs)
        i = torch.arange(n_inputs).repeat(len(frontier))
        nxt = step(s.to(device), i.to(device)).cpu()
        img = spec_step(h[s], i).cpu()
        frontier = []
        for a, b in zip(nxt.tolist(), img.tolist()):
            if h[a] < 0:
                h[a] = b
                frontier.append(a)
    return h.clamp(min=0)


def mealy_hom_binding(model: FiniteMealy, spec_step: Callable, spec_out: Callable, n_spec: int,
                      spec_init: int, *, name: str = "", step: Callable | None = None,
                      **meta: Any) -> Binding:
    """``MealyHomLaw {S T I O} nextS outputS nextT outputT h``: the decoded machine (S = ``Fin
    m``) against the task's (T = ``Fin n_spec``), ``h`` from `state_map`. `step` overrides
    ``nextS`` (seeded violations)."""
    nxt = step or model.step_decoded
    # h is derived from the model's own machine, so an overriding `step` is checked against it
    hmap = state_map(model.step_decoded, int(model.init_state(1)[0]), model.states,
                     model.n_inputs, spec_step, spec_init, device=model.init_logits.device)
    return Binding(
        sorts={"S": Finite(model.states), "T": Finite(n_spec), "I": Finite(model.n_inputs),
               "O": Finite(model.n_outputs)},
        params={},
        symbols={"nextS": nxt, "outputS": model.out_decoded, "nextT": spec_step,
                 "outputT": spec_out, "h": lambda s: hmap.to(s.device)[s]},
        model_symbols=frozenset({"nextS", "outputS"}), module=model,
        metadata={"name": name or "FiniteMealy (decoded)", "h": hmap.tolist(), **meta})


# ------------------------------------------------------------------------------------------
# Seeded violations


class WrongBeyond:
    """A run that is right up to length (or depth) `limit` and wrong beyond it: it returns
    `value` (a constant state) for longer inputs. `size(x)` gives each case's length or depth."""

    def __init__(self, run: Callable[[Any], Tensor], size: Callable[[Any], Tensor], limit: int,
                 value: Callable[[Tensor], Tensor]):
        self.run, self.size, self.limit, self.value = run, size, limit, value

    def __call__(self, x: Any) -> Tensor:
        out = self.run(x)
        bad = self.size(x).to(out.device) > self.limit
        return torch.where(bad.view(-1, *([1] * (out.dim() - 1))), self.value(out), out)


def one_wrong_case(cell: Callable[..., Tensor], case: tuple[int, ...], n_out: int) -> Callable[..., Tensor]:
    """`cell` with exactly one case of its finite domain changed (output + 1 mod n_out)."""
    def wrong(*args: Tensor) -> Tensor:
        out = cell(*args)
        hit = torch.ones_like(out, dtype=torch.bool)
        for a, v in zip(args, case):
            hit &= a == v
        return torch.where(hit, (out + 1) % n_out, out)
    return wrong


def positional_runner(model: FiniteMealy | FloatMealy, after: int) -> Runner:
    """A restart-law violation: a runner that counts absolute positions and, from position
    `after` on, feeds the step the flipped input bit. Restarting from ``state s u`` resets the
    count, so ``state s (u ++ v) ≠ state (state s u) v`` once ``|u| + |v| > after``."""
    def run(s: Tensor, xs: Tensor, lengths: Tensor) -> tuple[Tensor, Tensor]:
        outs = []
        for t in range(xs.shape[1]):
            a = xs[:, t] if t < after else 1 - xs[:, t]
            outs.append(model.out_decoded(s, a))
            keep = (t < lengths).view(-1, *([1] * (s.dim() - 1)))
            s = torch.where(keep, model.step_decoded(s, a), s)
        ys = torch.stack(outs, 1) if outs else torch.zeros(xs.shape[0], 0, dtype=torch.long,
                                                            device=xs.device)
        return s, ys
    return run


def peeking_runner(model: FiniteMealy | FloatMealy, n_outputs: int) -> Runner:
    """A causality violation: the output at step t also reads input t + 1 (when there is one):
    ``(output s_t a_t + a_{t+1}) mod |O|``."""
    base = MealyRunner(model.step_decoded, model.out_decoded)

    def run(s: Tensor, xs: Tensor, lengths: Tensor) -> tuple[Tensor, Tensor]:
        fin, ys = base(s, xs, lengths)
        if xs.shape[1] > 1:
            nxt = torch.cat([xs[:, 1:], torch.zeros_like(xs[:, :1])], 1)
            has = torch.arange(xs.shape[1], device=xs.device)[None] + 1 < lengths[:, None]
            ys = torch.where(has, (ys + nxt) % n_outputs, ys)
        return fin, ys
    return run


def positional_moore_runner(model: FiniteMoore, after: int) -> Runner:
    """A Moore restart-law violation: from absolute position `after` on, the step reads the
    flipped input bit (as `positional_runner`)."""
    def run(s: Tensor, xs: Tensor, lengths: Tensor) -> tuple[Tensor, Tensor]:
        outs = [model.out_decoded(s)]
        for t in range(xs.shape[1]):
            a = xs[:, t] if t < after else 1 - xs[:, t]
            keep = (t < lengths).view(-1, *([1] * (s.dim() - 1)))
            s = torch.where(keep, model.step_decoded(s, a), s)
            outs.append(model.out_decoded(s))
        return s, torch.stack(outs, 1)
    return run
