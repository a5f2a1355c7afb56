"""The conformance engine on finite laws: exhaustive checks, seeded one-case faults, smallest
counterexamples, the evaluator's built-ins and its errors."""

from __future__ import annotations

import dataclasses

import pytest
import torch

import conformance_toys as T
from archlaw.bridge.binding import Binding
from archlaw.bridge.conformance import check_law, split_field
from archlaw.bridge.errors import ArchLawError
from archlaw.bridge.interpret import interpretation, registered
from archlaw.bridge.ir import PROP, TYPE, App, Field, Lam, Law, Lit, Param, Pi, Var, arrow, const
from archlaw.bridge.sorts import Finite


def test_conforming_cocycle_passes_exhaustively():
    rep = check_law(T.COCYCLE, T.cocycle_binding(10))
    (f,) = rep.fields
    assert rep.passed and f.passed and f.check == "exhaustive" and rep.check == "exhaustive"
    assert f.cases == 1000 and f.violations == 0 and f.counterexample is None
    assert rep.statement == "source"  # provenance of the law, kept apart from the check kind
    assert [d.kind for d in f.domains] == ["exhaustive"] * 3


@pytest.mark.parametrize("wrong", [(0, 0), (7, 3), (9, 9), (4, 5)])
def test_one_wrong_case_in_the_whole_domain_is_caught(wrong):
    rep = check_law(T.CELL, T.cell_binding(10, wrong="{},{},1".format(*wrong)))
    (f,) = rep.fields
    assert not rep.passed and f.check == "exhaustive" and f.cases == 200
    assert f.violations == 1
    cex = f.counterexample
    assert dict(cex.values) == {"a": str(wrong[0]), "b": str(wrong[1]), "ci": "1"}
    assert cex.lhs != cex.rhs and "cell" in cex.instance
    assert "seed=0" in f.replay


def test_counterexample_is_first_in_enumeration_order():
    # the wrong carry at (a, b) = (7, 3) breaks the cocycle at several triples; the first one
    # in lexicographic order (a slowest) must be reported
    rep = check_law(T.COCYCLE, T.cocycle_binding(10, wrong=(7, 3)))
    (f,) = rep.fields
    vals = {k: int(v) for k, v in f.counterexample.values}

    def c(a, b):
        return int(a + b >= 10) ^ int((a, b) == (7, 3))

    bad = [(a, b, d) for a in range(10) for b in range(10) for d in range(10)
           if (c(a, b) + c((a + b) % 10, d)) % 2 != (c(b, d) + c(a, (b + d) % 10)) % 2]
    assert (vals["a"], vals["b"], vals["d"]) == bad[0]
    assert f.violations == len(bad)


def test_budget_too_small_gives_a_sampled_check():
    rep = check_law(T.COCYCLE, T.cocycle_binding(10), budget=999, samples=300)
    (f,) = rep.fields
    assert f.check == "sampled" and f.cases == 300 and rep.check == "sampled"


def test_missing_symbol_is_a_one_line_error():
    b = Binding(sorts={}, params={"B": 10}, symbols={}, model_symbols=frozenset())
    with pytest.raises(ArchLawError, match=r"law Toy.Cocycle: the binding does not bind symbol c"):
        check_law(T.COCYCLE, b)


def test_missing_parameter_is_named():
    b = Binding(sorts={}, params={}, symbols={"c": lambda a, b: a}, model_symbols=frozenset())
    with pytest.raises(ArchLawError, match="parameter B : Nat"):
        check_law(T.COCYCLE, b)


def _law(stmt, params=(), name="Toy.L"):
    return Law(name, "Toy", None, "", tuple(params), "source", None, (Field("f", stmt),))


NAT = T.NAT
F5 = const("Fin", TYPE, Lit(5, NAT))


def test_unknown_constant_names_it_the_law_and_how_to_register():
    x = Var("x", F5)
    stmt = Pi(x, T.eq(const("Toy.mystery", F5, x), x))
    with pytest.raises(ArchLawError) as e:
        check_law(_law(stmt), Binding({}, {}, {}, frozenset()))
    msg = str(e.value)
    assert "Toy.mystery" in msg and "law Toy.L, field f" in msg and "interpretation(" in msg
    assert "\n" not in msg


def test_user_interpretation_by_decorator():
    x = Var("x", F5)

    @interpretation("Toy.double", sort="Fin", arity=1)
    def _double(ctx, a):
        return (2 * a) % ctx.enc.n

    stmt = Pi(x, T.eq(const("Toy.double", F5, x), T.add(x, x)))
    assert check_law(_law(stmt), Binding({}, {}, {}, frozenset())).passed
    assert any(i.fn is _double for i in registered()["Toy.double"])


def test_fin_wraps_and_nat_does_not():
    # ∀ (a b : Fin 5), (a + b).val = (a.val + b.val) % 5, and the Nat sum is not reduced
    a, b = Var("a", F5), Var("b", F5)
    val = lambda t: const("Fin.val", NAT, t)  # noqa: E731
    wrap = Pi(a, Pi(b, T.eq(val(T.add(a, b)), const("HMod.hMod", NAT, T.add(val(a), val(b)),
                                                      Lit(5, NAT)))))
    assert check_law(_law(wrap), Binding({}, {}, {}, frozenset())).passed
    nowrap = Pi(a, Pi(b, T.eq(val(T.add(a, b)), T.add(val(a), val(b)))))
    f = check_law(_law(nowrap), Binding({}, {}, {}, frozenset())).fields[0]
    assert not f.passed and f.violations == sum(1 for i in range(5) for j in range(5) if i + j >= 5)


def test_hypotheses_make_cases_vacuous():
    # ∀ (a : Fin 5), a.val ≤ 2 → a.val + 2 ≤ 4
    a = Var("a", F5)
    val = const("Fin.val", NAT, a)
    stmt = Pi(a, Pi(Var("_", const("LE.le", PROP, val, Lit(2, NAT))),
                    const("LE.le", PROP, T.add(val, Lit(2, NAT)), Lit(4, NAT))))
    f = check_law(_law(stmt), Binding({}, {}, {}, frozenset())).fields[0]
    assert f.passed and f.cases == 5 and f.vacuous == 2
    assert split_field(stmt)[0] == (a,)


def test_inner_quantifiers_over_finite_sorts():
    # ∀ (a : Fin 5), ∃ (b : Fin 5), a + b = 0   and   ∀ a, ∀ b, a * b = b * a (inner ∀)
    a, b = Var("a", F5), Var("b", F5)
    ex = Pi(a, const("Exists", PROP, Lam(b, T.eq(T.add(a, b), Lit(0, F5)))))
    assert check_law(_law(ex), Binding({}, {}, {}, frozenset())).passed
    bad = Pi(a, const("Exists", PROP, Lam(b, T.eq(T.mul(a, b), Lit(1, F5)))))
    f = check_law(_law(bad), Binding({}, {}, {}, frozenset())).fields[0]
    assert f.violations == 1 and f.counterexample.values == (("a", "0"),)  # 0 has no inverse


def test_partial_application_and_composition():
    # ∀ (x : Fin 5), (f ∘ g x) ... : List.map (add 1) applied through a partial symbol
    x = Var("x", F5)
    addf = Var("addf", arrow(F5, F5, F5))
    comp = const("Function.comp", F5, App(addf, (x,), arrow(F5, F5)),
                 App(addf, (x,), arrow(F5, F5)), x)
    stmt = Pi(x, T.eq(comp, T.add(T.add(x, x), x)))
    law = _law(stmt, (Param("addf", addf.sort),))
    b = Binding({}, {}, {"addf": lambda u, v: (u + v) % 5}, frozenset({"addf"}))
    assert check_law(law, b).passed


def test_nat_binder_is_sampled_smallest_first():
    n = Var("n", NAT)
    stmt = Pi(n, const("LT.lt", PROP, n, Lit(100, NAT)))
    f = check_law(_law(stmt), Binding({}, {}, {}, frozenset()), samples=500).fields[0]
    assert f.check == "sampled" and not f.passed
    # sorted by size: the first failing sample is the smallest sampled n >= 100
    assert 100 <= int(dict(f.counterexample.values)["n"]) < 110


def test_symbol_with_wrong_batch_shape_is_refused():
    b = dataclasses.replace(T.cocycle_binding(), symbols={"c": lambda a, b: torch.zeros(3).long()})
    with pytest.raises(ArchLawError, match="returned shape"):
        check_law(T.COCYCLE, b)


def test_dependent_binder_sorts_are_refused():
    n = Var("n", NAT)
    x = Var("x", const("Fin", TYPE, n))
    stmt = Pi(n, Pi(x, T.eq(x, x)))
    with pytest.raises(ArchLawError, match="depending on"):
        check_law(_law(stmt), Binding({}, {}, {}, frozenset()))


def test_float64_mode_restores_the_module_dtype():
    b = T.equivariant_binding()
    rep = check_law(T.EQUIVARIANT, b, float64=True, samples=20)
    assert rep.passed and rep.dtype == "float64"
    assert all(p.dtype == torch.float32 for p in b.module.parameters())
    assert rep.fields[0].tolerance.rtol == 1e-12


def test_sort_of_binding_must_be_an_encoding():
    b = dataclasses.replace(T.equivariant_binding(), sorts={"G": 8, "X": Finite(3)})
    with pytest.raises(ArchLawError, match="must be an Encoding"):
        check_law(T.EQUIVARIANT, b)


def test_binding_supplies_an_elided_instance_constant():
    # ∀ (g : Fin 4) (x : X), g • (g • x) = (g + g) • x  with • the binding's action (roll)
    G4 = const("Fin", TYPE, Lit(4, NAT))
    X = Var("X", TYPE)
    g, x = Var("g", G4), Var("x", X)

    def smul(a, b):
        return const("HSMul.hSMul", X, a, b)

    stmt = Pi(g, Pi(x, T.eq(smul(g, smul(g, x)), smul(T.add(g, g), x))))
    law = _law(stmt, (Param("X", TYPE, "implicit"),))
    from archlaw.bridge.sorts import FloatTensor

    b = Binding({"X": FloatTensor((2, 4))}, {}, {"HSMul.hSMul": T.roll}, frozenset())
    f = check_law(law, b, samples=20).fields[0]
    assert f.passed and f.cases == 80 and f.worst_error == 0.0


def test_connectives_ite_and_pairs():
    a, b = Var("a", F5), Var("b", F5)
    val = lambda t: const("Fin.val", NAT, t)  # noqa: E731
    le = const("LE.le", PROP, val(a), val(b))
    mx = const("ite", F5, le, b, a)  # max via if-then-else
    pair = const("Prod.mk", const("Prod", TYPE, F5, F5), a, b)
    stmts = [
        # max a b ≥ a ∧ max a b ≥ b
        Pi(a, Pi(b, const("And", PROP, const("LE.le", PROP, val(a), val(mx)),
                          const("LE.le", PROP, val(b), val(mx))))),
        # a = b ∨ a ≠ b ; (a ≤ b ↔ ¬ b < a) ; (a, b).2 = b
        Pi(a, Pi(b, const("Or", PROP, T.eq(a, b), const("Ne", PROP, a, b)))),
        Pi(a, Pi(b, const("Iff", PROP, le, const("Not", PROP, const("LT.lt", PROP, val(b), val(a)))))),
        Pi(a, Pi(b, T.eq(const("Prod.snd", F5, pair), b))),
    ]
    for s in stmts:
        f = check_law(_law(s), Binding({}, {}, {}, frozenset())).fields[0]
        assert f.passed and f.cases == 25, s
    wrong = Pi(a, Pi(b, const("Ne", PROP, a, b)))
    f = check_law(_law(wrong), Binding({}, {}, {}, frozenset())).fields[0]
    assert f.violations == 5 and f.counterexample.values == (("a", "0"), ("b", "0"))


def test_zero_samples_or_budget_is_refused():
    with pytest.raises(ArchLawError, match="at least 1"):
        check_law(T.FOLDR, T.fold_binding(), samples=0)
    with pytest.raises(ArchLawError, match="at least 1"):
        check_law(T.COCYCLE, T.cocycle_binding(), budget=0)


def test_chunks_bound_memory_for_long_lists():
    from archlaw.bridge.domains import MAX_SCALARS, build_domain
    from archlaw.bridge.sorts import FloatTensor, ListOf, SampleConfig

    enc = ListOf(FloatTensor((64,)))
    dom = build_domain([("g", Finite(4)), ("xs", enc)], samples=300, seed=1, tag="m",
                       cfg=SampleConfig(max_length=2000))
    total = 0
    for s, e in dom.chunks():
        vals = dom.materialize(s, e)
        scalars = vals["xs"].values.numel()
        assert e - s == 1 or scalars <= 2 * MAX_SCALARS
        total += e - s
    assert total == dom.total == 1200


def test_same_seed_same_report_other_seed_other_samples():
    a = check_law(T.FOLDR, T.fold_binding(wrong_beyond=5, train_length=5), samples=80, seed=11)
    b = check_law(T.FOLDR, T.fold_binding(wrong_beyond=5, train_length=5), samples=80, seed=11)
    c = check_law(T.FOLDR, T.fold_binding(wrong_beyond=5, train_length=5), samples=80, seed=12)
    assert a.to_json() == b.to_json()
    assert a.fields[1].counterexample.values != c.fields[1].counterexample.values


# -- the review's fixes --------------------------------------------------------------------------


class _DropoutCell(torch.nn.Module):
    """The toy cell behind a dropout layer on its 'weights': random in train mode only."""

    def __init__(self):
        super().__init__()
        self.inner = T.CellNet(10)
        self.drop = torch.nn.Dropout(0.5)

    def forward(self, a, b, c):
        digit, carry = self.inner(a, b, c)
        keep = self.drop(torch.ones(digit.shape)).round().long().clamp(max=1)
        return digit * keep, carry


def test_a_module_in_train_mode_is_checked_in_eval_mode_and_restored():
    torch.manual_seed(0)
    net = _DropoutCell()
    net.inner.train(False)  # a mixed mode, restored exactly
    b = Binding(sorts={}, params={"B": 10}, symbols={"cell": lambda a, b_, c: net(a, b_, c)},
                model_symbols=frozenset({"cell"}), module=net)
    rep = check_law(T.CELL, b)
    assert rep.passed, rep.summary()  # dropout off: the cell is the true cell
    assert rep.mode == "eval (switched from train for the check; restored after)"
    assert rep.to_json()["mode"] == rep.mode
    assert net.training and net.drop.training and not net.inner.training
    net.eval()
    assert check_law(T.CELL, b).mode == "eval"
    nomod = dataclasses.replace(b, module=None)
    assert check_law(T.CELL, nomod).mode == "no module"


def test_report_records_sampling_bounds_and_lengths_sampled():
    rep = check_law(T.FOLDR, T.fold_binding(train_length=2), samples=200, min_length=3, seed=5)
    assert (rep.max_length, rep.min_length, rep.max_depth, rep.nat_max, rep.float64) == (
        20, 3, 8, 1000, False)
    lo, hi = rep.lengths
    assert 3 <= lo and hi <= 20 and lo < hi
    cons = next(f for f in rep.fields if f.field == "cons")
    assert cons.lengths is not None and cons.lengths[0] >= 3
    nil = next(f for f in rep.fields if f.field == "nil")
    assert nil.lengths is None
    d = rep.to_json()
    assert (d["max_length"], d["min_length"], d["max_depth"], d["nat_max"], d["float64"]) == (
        20, 3, 8, 1000, False)
    assert d["lengths_sampled"] == [lo, hi]
    assert "max_length=20 min_length=3 max_depth=8 nat_max=1000 dtype=float32" in rep.summary()
    bad = check_law(T.FOLDR, T.fold_binding(wrong_beyond=4), samples=100, seed=1)
    f = next(f for f in bad.fields if not f.passed)
    assert "max_length=80 min_length=0" in f.replay and "case" in f.replay


def test_max_length_below_one_is_refused():
    with pytest.raises(ArchLawError, match="max_length must be at least 1"):
        check_law(T.FOLDR, T.fold_binding(), max_length=0)
