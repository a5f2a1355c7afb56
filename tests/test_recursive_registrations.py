"""Recursive definitions keep their registered interpretations (issue 14, point 3): each is
tested here against a direct Python evaluation of its Lean equations on enumerated small inputs
(every list over Fin 3 up to length 3; every tree up to depth 2 over small labels)."""
from __future__ import annotations

import itertools

import pytest
import torch

from archlaw.bridge import sorts as S
from archlaw.bridge.binding import ListBatch
from archlaw.bridge.interpret import EvalContext, Evaluator, registered
from archlaw.bridge.ir import App, TYPE

LISTS = [list(t) for k in range(4) for t in itertools.product(range(3), repeat=k)]


def _batch(lists: list[list[int]]) -> ListBatch:
    width = max(len(x) for x in lists)
    vals = torch.tensor([x + [0] * (width - len(x)) for x in lists], dtype=torch.long)
    return ListBatch(vals.reshape(len(lists), width), torch.tensor([len(x) for x in lists]))


def _run(name: str, enc: S.Encoding, *args):
    fn = registered()[name][-1].fn
    n = len(LISTS)
    ctx = EvalContext(App(name, (), TYPE), enc, Evaluator({}, {}, {}, {}, n))
    return fn(ctx, *args)


def _cell(a, b):  # neither commutative nor associative: foldl, foldr and orders differ
    return (2 * a + b + 1) % 5


# the Lean equations, evaluated directly
def foldl(f, init, xs):      # foldl f a [] = a;  foldl f a (b :: l) = foldl f (f a b) l
    return init if not xs else foldl(f, f(init, xs[0]), xs[1:])


def foldr(f, init, xs):      # foldr f b [] = b;  foldr f b (a :: l) = f a (foldr f b l)
    return init if not xs else f(xs[0], foldr(f, init, xs[1:]))


def lreverse(xs):            # reverse [] = [];  reverse (a :: l) = reverse l ++ [a]
    return [] if not xs else lreverse(xs[1:]) + [xs[0]]


def ldrop(k, xs):            # drop 0 l = l; drop (k+1) [] = []; drop (k+1) (a :: l) = drop k l
    return xs if k == 0 or not xs else ldrop(k - 1, xs[1:])


def ltake(k, xs):            # take 0 l = []; take (k+1) [] = []; take (k+1) (a :: l) = a :: take k l
    return [] if k == 0 or not xs else [xs[0]] + ltake(k - 1, xs[1:])


def _as_lists(lb: ListBatch) -> list[list[int]]:
    return [lb.values[i, :int(lb.lengths[i])].tolist() for i in range(lb.batch_size)]


def test_folds_agree_with_their_lean_equations():
    xs = _batch(LISTS)
    init = torch.full((len(LISTS),), 4)
    got_l = _run("List.foldl", S.Finite(5), _cell, init, xs)
    got_r = _run("List.foldr", S.Finite(5), _cell, init, xs)
    assert got_l.tolist() == [foldl(_cell, 4, x) for x in LISTS]
    assert got_r.tolist() == [foldr(_cell, 4, x) for x in LISTS]


def test_list_functions_agree_with_their_lean_equations():
    xs = _batch(LISTS)
    enc = S.ListOf(S.Finite(3))
    assert _as_lists(_run("List.reverse", enc, xs)) == [lreverse(x) for x in LISTS]
    assert _run("List.length", S.NatEnc(), xs).tolist() == [len(x) for x in LISTS]
    assert _run("List.sum", S.NatEnc(), xs).tolist() == [foldr(lambda a, b: a + b, 0, x)
                                                          for x in LISTS]
    for k in range(5):
        kk = torch.full((len(LISTS),), k)
        assert _as_lists(_run("List.drop", enc, kk, xs)) == [ldrop(k, x) for x in LISTS]
        assert _as_lists(_run("List.take", enc, kk, xs)) == [ltake(k, x) for x in LISTS]
    mapped = _run("List.map", S.ListOf(S.Finite(5)), lambda a: (3 * a + 1) % 5, xs)
    assert _as_lists(mapped) == [[(3 * a + 1) % 5 for a in x] for x in LISTS]


def _trees(depth: int):
    """Every tree up to `depth` with leaf labels in {0, 1} and node labels in {0, 1}, as nested
    tuples: ("leaf", a) or ("node", o, l, r)."""
    if depth == 0:
        return [("leaf", a) for a in range(2)]
    smaller = _trees(depth - 1)
    return smaller + [("node", o, l, r) for o in range(2) for l in smaller for r in smaller
                      if max(_depth(l), _depth(r)) == depth - 1]


def _depth(t) -> int:
    return 0 if t[0] == "leaf" else 1 + max(_depth(t[2]), _depth(t[3]))


def test_btree_fold_agrees_with_its_lean_equations():
    pytest.importorskip("archlaw.models.recursion")
    from archlaw.models.recursion.modules import TreeBatch
    import archlaw.models.recursion.bindings  # noqa: F401  (registers BTree.fold)

    def leaf_cell(a):
        return (a * 3 + 1) % 7

    def node_cell(o, x, y):
        return (o + 2 * x + 3 * y) % 7

    def fold(t):  # fold l n (leaf a) = l a;  fold l n (node o x y) = n o (fold x) (fold y)
        return leaf_cell(t[1]) if t[0] == "leaf" else node_cell(t[1], fold(t[2]), fold(t[3]))

    def batch(t) -> TreeBatch:
        if t[0] == "leaf":
            return TreeBatch.leaves(torch.tensor([t[1]]))
        return TreeBatch.node(torch.tensor([t[1]]), batch(t[2]), batch(t[3]))

    trees = _trees(2)
    assert len(trees) > 30
    fn = registered()["ArchLaw.BTree.fold"][-1].fn
    ctx = EvalContext(App("ArchLaw.BTree.fold", (), TYPE), S.Finite(7), Evaluator({}, {}, {}, {}, 1))
    got = [int(fn(ctx, leaf_cell, node_cell, batch(t))[0]) for t in trees]
    assert got == [fold(t) for t in trees]


def test_table_runners_agree_with_their_lean_equations():
    """`archlaw to-lean`'s recursive helpers in lean/ArchLaw/Tables.lean keep registrations:
    ``nth`` and Lean's Mealy/Moore runners, each against its equations on every list over
    Fin 3 up to length 3."""
    import archlaw.bridge.tolean  # noqa: F401  (registers ArchLaw.Tables.nth)
    import archlaw.bridge.tolean_runs  # noqa: F401  (registers mealyOut, mooreOut)

    def nth(d, xs, n):       # nth d [] _ = d;  nth d (x :: _) 0 = x;  nth d (_ :: xs) (n+1) = nth d xs n
        return d if not xs else xs[0] if n == 0 else nth(d, xs[1:], n - 1)

    def mealy_out(nxt, out, s, u):   # [] ↦ [];  i :: u ↦ out s i :: mealyOut (nxt s i) u
        return [] if not u else [out(s, u[0])] + mealy_out(nxt, out, nxt(s, u[0]), u[1:])

    def moore_out(nxt, out, s, u):   # [] ↦ [out s];  i :: u ↦ out s :: mooreOut (nxt s i) u
        return [out(s)] if not u else [out(s)] + moore_out(nxt, out, nxt(s, u[0]), u[1:])

    xs = _batch(LISTS)
    d = torch.full((len(LISTS),), 7)
    for j in range(5):  # within and past each list (d past its end)
        jj = torch.full((len(LISTS),), j)
        assert _run("ArchLaw.Tables.nth", S.Finite(8), d, xs, jj).tolist() == \
            [nth(7, x, j) for x in LISTS]

    def nxt(s, a):
        return (2 * s + a + 1) % 4

    def out2(s, a):
        return (s + 3 * a) % 5

    def out1(s):
        return (3 * s + 1) % 5

    s0 = torch.full((len(LISTS),), 2)
    enc = S.ListOf(S.Finite(5))
    assert _as_lists(_run("ArchLaw.Tables.mealyOut", enc, nxt, out2, s0, xs)) == \
        [mealy_out(nxt, out2, 2, x) for x in LISTS]
    assert _as_lists(_run("ArchLaw.Tables.mooreOut", enc, nxt, out1, s0, xs)) == \
        [moore_out(nxt, out1, 2, x) for x in LISTS]
