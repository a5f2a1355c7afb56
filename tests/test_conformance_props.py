"""Properties of the engine itself (hypothesis): domains cover exactly what they claim, replay is
exact, batched list built-ins agree with Python lists, arithmetic agrees with Lean's semantics,
and the reported counterexample is the smallest failing case."""

from __future__ import annotations

import itertools

import torch
from hypothesis import given, settings, strategies as st

import conformance_toys as T
from archlaw.bridge.binding import Binding, ListBatch
from archlaw.bridge.conformance import check_law
from archlaw.bridge.domains import build_domain
from archlaw.bridge.interpret import Evaluator
from archlaw.bridge.ir import TYPE, Field, Law, Lit, Pi, Var, const
from archlaw.bridge.sorts import BoolEnc, Finite, FloatTensor, ListOf, NatEnc, ProdOf, SampleConfig

FAST = settings(max_examples=30, deadline=None)
NAT = T.NAT


@FAST
@given(cards=st.lists(st.integers(1, 5), min_size=1, max_size=4), chunk=st.integers(1, 50))
def test_exhaustive_domain_enumerates_each_tuple_once_in_lexicographic_order(cards, chunk):
    encs = [(f"x{i}", Finite(c)) for i, c in enumerate(cards)]
    dom = build_domain(encs, budget=10**6)
    assert dom.kind == "exhaustive" and dom.total == torch.tensor(cards).prod().item()
    rows = []
    for s, e in dom.chunks(chunk):
        assert e - s <= chunk
        vals = dom.materialize(s, e)
        rows += list(zip(*(vals[n].tolist() for n, _ in encs)))
    assert rows == list(itertools.product(*(range(c) for c in cards)))


@FAST
@given(seed=st.integers(0, 2**31), k=st.integers(0, 199))
def test_sampled_cases_replay_exactly(seed, k):
    encs = [("g", Finite(4)), ("x", FloatTensor((3,))), ("xs", ListOf(Finite(7))), ("n", NatEnc())]
    cfg = SampleConfig(max_length=12)
    d1 = build_domain(encs, samples=50, seed=seed, tag="t", cfg=cfg)
    d2 = build_domain(encs, samples=50, seed=seed, tag="t", cfg=cfg)
    assert d1.total == 200
    k = k % d1.total
    chunk = next((s, e) for s, e in d1.chunks(17) if s <= k < e)
    full = d1.materialize(*chunk)
    one = d2.materialize(k, k + 1)
    i = k - chunk[0]
    assert int(full["g"][i]) == int(one["g"][0])
    assert torch.equal(full["x"][i], one["x"][0])
    assert int(full["n"][i]) == int(one["n"][0])
    li = int(full["xs"].lengths[i])
    assert li == int(one["xs"].lengths[0])
    assert torch.equal(full["xs"].values[i, :li], one["xs"].values[0, :li])


def _batch(lists: list[list[int]]) -> ListBatch:
    width = max((len(x) for x in lists), default=0)
    vals = torch.zeros((len(lists), width), dtype=torch.long)
    for i, x in enumerate(lists):
        vals[i, : len(x)] = torch.tensor(x, dtype=torch.long)
    return ListBatch(vals, torch.tensor([len(x) for x in lists], dtype=torch.long))


def _lists(lb: ListBatch) -> list[list[int]]:
    return [lb.values[i, : int(n)].tolist() for i, n in enumerate(lb.lengths)]


F9 = const("Fin", TYPE, Lit(9, NAT))
LF = const("List", TYPE, F9)
lists_st = st.lists(st.lists(st.integers(0, 8), max_size=6), min_size=1, max_size=5)


def _ev(n: int) -> Evaluator:
    return Evaluator({}, {}, {}, {}, n)


@FAST
@given(xs=lists_st, data=st.data())
def test_list_builtins_agree_with_python(xs, data):
    n = len(xs)
    ys = data.draw(st.lists(st.lists(st.integers(0, 8), max_size=6), min_size=n, max_size=n))
    k = data.draw(st.integers(0, 7))
    a, b = Var("a", LF), Var("b", LF)
    env = {"a": _batch(xs), "b": _batch(ys)}
    ev = _ev(n)
    app = ev.eval(const("HAppend.hAppend", LF, a, b), env)
    assert _lists(app) == [x + y for x, y in zip(xs, ys)]
    assert _lists(ev.eval(const("List.reverse", LF, a), env)) == [x[::-1] for x in xs]
    kk = Lit(k, NAT)
    assert _lists(ev.eval(const("List.take", LF, kk, a), env)) == [x[:k] for x in xs]
    assert _lists(ev.eval(const("List.drop", LF, kk, a), env)) == [x[k:] for x in xs]
    assert ev.eval(const("List.length", NAT, a), env).tolist() == [len(x) for x in xs]
    h = Var("h", F9)
    cons = const("List.cons", LF, h, a)
    env["h"] = torch.tensor([y[0] if y else 0 for y in ys])
    assert _lists(ev.eval(cons, env)) == [[int(env["h"][i])] + x for i, x in enumerate(xs)]
    # foldr (fun x acc => x * acc + 1) and foldl (fun acc x => acc * 2 + x) in Fin 9
    x_, acc = Var("x", F9), Var("acc", F9)
    fr = const("List.foldr", F9, T.lam2(x_, acc, T.add(T.mul(x_, acc), Lit(1, F9))), Lit(0, F9), a)
    fl = const("List.foldl", F9, T.lam2(acc, x_, T.add(T.mul(acc, Lit(2, F9)), x_)), Lit(0, F9), a)

    def pyfr(x):
        r = 0
        for v in reversed(x):
            r = (v * r + 1) % 9
        return r

    def pyfl(x):
        r = 0
        for v in x:
            r = (r * 2 + v) % 9
        return r

    assert ev.eval(fr, env).tolist() == [pyfr(x) for x in xs]
    assert ev.eval(fl, env).tolist() == [pyfl(x) for x in xs]
    # map with a closure capturing a per-case variable
    mp = const("List.map", LF, T.lam1(x_, T.add(x_, h)), a)
    assert _lists(ev.eval(mp, env)) == [[(v + int(env["h"][i])) % 9 for v in x]
                                        for i, x in enumerate(xs)]


@FAST
@given(B=st.integers(1, 40), pairs=st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 10**6)),
                                             min_size=1, max_size=20))
def test_fin_and_nat_arithmetic_follow_lean(B, pairs):
    FB = const("Fin", TYPE, Lit(B, NAT))
    a, b = Var("a", FB), Var("b", FB)
    na, nb = Var("na", NAT), Var("nb", NAT)
    env = {"a": torch.tensor([x % B for x, _ in pairs]), "b": torch.tensor([y % B for _, y in pairs]),
           "na": torch.tensor([x for x, _ in pairs]), "nb": torch.tensor([y % 50 for _, y in pairs])}
    ev = _ev(len(pairs))
    A, Bv, NA, NB = (env[k].tolist() for k in ("a", "b", "na", "nb"))
    ops = {
        "HAdd.hAdd": (lambda x, y: (x + y) % B, lambda x, y: x + y),
        "HSub.hSub": (lambda x, y: (x - y) % B, lambda x, y: max(x - y, 0)),
        "HMul.hMul": (lambda x, y: (x * y) % B, lambda x, y: x * y),
        "HDiv.hDiv": (lambda x, y: x // y if y else 0, lambda x, y: x // y if y else 0),
        "HMod.hMod": (lambda x, y: x % y if y else x, lambda x, y: x % y if y else x),
    }
    for head, (finf, natf) in ops.items():
        assert ev.eval(const(head, FB, a, b), env).tolist() == [finf(x, y) for x, y in zip(A, Bv)]
        assert ev.eval(const(head, NAT, na, nb), env).tolist() == [natf(x, y) for x, y in zip(NA, NB)]
    assert ev.eval(Lit(B + 3, FB), env).tolist() == [3 % B] * len(pairs)


@FAST
@given(B=st.integers(2, 12), wrong=st.sets(st.tuples(st.integers(0, 11), st.integers(0, 11),
                                                     st.integers(0, 1)), min_size=1, max_size=6))
def test_reported_counterexample_is_the_smallest_wrong_case(B, wrong):
    wrong = {(a % B, b % B, c) for a, b, c in wrong}
    base = T.cell_binding(B)
    net = base.module

    def cell(a, b, c):
        d, k = net(a, b, c)
        hit = torch.zeros_like(a, dtype=torch.bool)
        for (x, y, z) in wrong:
            hit |= (a == x) & (b == y) & (c == z)
        return torch.where(hit, (d + 1) % B, d), k

    b = Binding({}, {"B": B}, {"cell": cell}, frozenset({"cell"}), module=net)
    (f,) = check_law(T.CELL, b).fields
    assert f.violations == len(wrong) and f.check == "exhaustive"
    got = tuple(int(v) for _, v in f.counterexample.values)
    assert got == min(wrong)


@FAST
@given(shape=st.lists(st.integers(1, 4), max_size=3), n=st.integers(1, 30), seed=st.integers(0, 99))
def test_float_equality_is_reflexive_and_catches_relative_perturbations(shape, n, seed):
    enc = FloatTensor(tuple(shape))
    g = torch.Generator().manual_seed(seed)
    x = enc.materialize(torch.zeros(n, dtype=torch.long), g, SampleConfig())
    ok, err = enc.equal(x, x.clone(), None)
    assert bool(ok.all()) and float(err.max()) == 0.0
    y = x * (1 + 1e-3)
    ok, err = enc.equal(x, y, None)
    # the documented policy: |l - r|max <= atol + rtol * max(|l|max, |r|max), float32: 1e-6, 1e-5
    a, b = x.reshape(n, -1).double(), y.reshape(n, -1).double()
    diff, scale = (a - b).abs().amax(1), torch.maximum(a.abs().amax(1), b.abs().amax(1))
    assert torch.equal(ok, diff <= 1e-6 + 1e-5 * scale)
    big = scale > 1e-3  # above the absolute floor a 1e-3 relative change always fails
    assert not bool(ok[big].any())
    nz = scale > 0
    assert torch.allclose(err[nz], torch.full_like(err[nz], 1e-3 / (1 + 1e-3)), rtol=1e-3)


def test_prod_and_bool_enumeration():
    e = ProdOf(Finite(2), BoolEnc())
    a, b = e.enumerate(torch.device("cpu"))
    assert list(zip(a.tolist(), b.tolist())) == [(0, False), (0, True), (1, False), (1, True)]
    assert e.cardinality == 4 and e.describe() == "Fin 2 × Bool"


def test_sampled_finite_domain_reports_a_small_counterexample():
    # Fin 2000 ^ 2 exceeds the budget: sampled; wrong wherever a + b >= 1000. The first failing
    # sample in (size, value) order has the smallest a + b among the failing samples.
    F = const("Fin", TYPE, Lit(2000, NAT))
    a, b = Var("a", F), Var("b", F)
    val = lambda t: const("Fin.val", NAT, t)  # noqa: E731
    stmt = Pi(a, Pi(b, const("LT.lt", T.PROP, T.add(val(a), val(b)), Lit(1000, NAT))))
    law = Law("Toy.S", "Toy", None, "", (), "source", None, (Field("f", stmt),))
    f = check_law(law, Binding({}, {}, {}, frozenset()), budget=10**5, samples=400).fields[0]
    assert f.check == "sampled" and f.cases == 400 and not f.passed
    s = sum(int(v) for _, v in f.counterexample.values)
    dom = build_domain([("a", Finite(2000)), ("b", Finite(2000))], budget=10**5, samples=400,
                       seed=0, tag="Toy.S.f")
    vals = dom.materialize(0, 400)
    sums = (vals["a"] + vals["b"]).tolist()
    assert s == min(x for x in sums if x >= 1000)
    assert sums == sorted(sums)


SORTS = st.sampled_from([Finite(3), Finite(1), FloatTensor((2,)), FloatTensor(()), NatEnc(),
                         BoolEnc(), ListOf(Finite(2)), 3, "X"])
CALLABLES = st.sampled_from([
    lambda *a: a[0], lambda *a: a[-1], lambda *a: None, lambda *a: torch.zeros(1),
    lambda *a: 1 / 0, lambda *a: torch.ones(2, 3) @ torch.ones(4, 5), lambda: torch.zeros(2),
    torch.zeros(2), "not callable",
])


@settings(max_examples=60, deadline=None)
@given(law=st.sampled_from([T.FOLDR, T.FOLDL, T.EQUIVARIANT]), sorts=st.dictionaries(
    st.sampled_from(["A", "H", "G", "X"]), SORTS), syms=st.dictionaries(
    st.sampled_from(["cell", "init", "run", "act", "f"]), CALLABLES))
def test_only_archlaw_errors_escape_from_bad_bindings(law, sorts, syms):
    from archlaw.bridge.errors import ArchLawError

    b = Binding(sorts, {}, syms, frozenset(syms))
    try:
        check_law(law, b, samples=5, max_length=3)
    except ArchLawError as e:
        assert "\n" not in str(e)
