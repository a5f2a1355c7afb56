"""Equivariance family: generated layers obey the law (both dtypes), the checker catches a
seeded 1e-3 symmetry break, mismatched compositions are refused, the torch actions are the Lean
ones. Tiny, seeded, CPU."""

from __future__ import annotations

import pytest
import torch
from hypothesis import given, settings, strategies as st

from archlaw.bridge.errors import ArchLawError
from archlaw.models.equivariance import modules as E
from archlaw.bridge.conformance import check_law
from archlaw.models.equivariance.bindings import LAW_NAME, binding_for

DTYPES = (torch.float32, torch.float64)


def check(model, *, name: str = "model", dtype=torch.float32, samples: int = 8, size: int = 7,
          seed: int = 0, export=None):
    """The law checked on `model` by the conformance engine (the one measurer)."""
    law = (export or _export()).find(LAW_NAME)
    return check_law(law, binding_for(model, size=size, name=name), samples=samples, seed=seed,
                     dtype=dtype)


def _gen(s: int) -> torch.Generator:
    return torch.Generator().manual_seed(s)


LAYERS = {
    "d4-lift": lambda: E.GridLifting(E.d4_group(), 2, 3, 3, _gen(0)),
    "c4-lift": lambda: E.GridLifting(E.c4_group(), 2, 3, 5, _gen(1)),
    "d4-gconv": lambda: E.GridGroupConv(E.d4_group(), 2, 3, 3, _gen(2)),
    "d4-gconv-filter": lambda: E.GridGroupConv(E.d4_group(), 2, 3, 3, _gen(2), mode="filter"),
    "c4-gconv": lambda: E.GridGroupConv(E.c4_group(), 2, 3, 3, _gen(3)),
    "d4-cnn": lambda: E.d4_cnn(width=4, seed=4),
    "c4-cnn": lambda: E.c4_cnn(width=4, seed=5),
    "c7-lift": lambda: E.CyclicLifting(E.cyclic_group(7), 2, 3, 3, _gen(6)),
    "c7-gconv": lambda: E.CyclicGroupConv(E.cyclic_group(7), 2, 3, 5, _gen(7)),
    "c12-gcnn": lambda: E.cyclic_gcnn(12, width=4, seed=8),
    "deepsets-layer": lambda: E.DeepSetsLayer(E.symmetric_group(5), 2, 3, _gen(9)),
    "deepsets-net": lambda: E.deepsets_net(5, width=4, seed=10),
}


@pytest.mark.parametrize("dtype", DTYPES, ids=["f32", "f64"])
@pytest.mark.parametrize("name", list(LAYERS))
def test_every_generated_layer_meets_the_law(name, dtype):
    m = LAYERS[name]()
    r = check(m, name=name, dtype=dtype)
    assert r.passed, r.summary()
    (f,) = r.fields
    assert f.cases == m.group.order * 8        # the group enumerated for each sampled input
    # the law's own label as the library reads it (never a hard-coded default); check sampled,
    # so never called certified either way
    assert f.check == "sampled"
    assert r.statement == _export().find(LAW_NAME).statement_provenance


def _export():
    from archlaw.bridge.library import load_export

    return load_export()


def test_statement_label_follows_the_export():
    """A Lean export's `lean` label reaches the result: the label is read, not assumed."""
    import dataclasses

    from archlaw.bridge.ir import Export

    export = _export()
    for prov in ("lean", "source"):
        marked = Export(prov, None, export.hashes, tuple(
            dataclasses.replace(d, statement_provenance=prov) for d in export.declarations))
        r = check(LAYERS["c4-gconv"](), dtype=torch.float64, samples=4, export=marked)
        assert r.passed and r.statement == prov and r.fields[0].check == "sampled"


@pytest.mark.parametrize("dtype", DTYPES, ids=["f32", "f64"])
@pytest.mark.parametrize("name", ["d4-cnn", "c12-gcnn", "deepsets-net"])
def test_seeded_1e3_symmetry_break_is_caught(name, dtype):
    broken = E.SymmetryBreak(LAYERS[name](), eps=1e-3, seed=0)
    r = check(broken, name=name, dtype=dtype)
    assert not r.passed
    assert 1e-4 < r.fields[0].worst_error < 5e-2  # the break is measured at its size, not as noise


def test_mismatched_group_is_refused_naming_both_sorts():
    with pytest.raises(ArchLawError) as e:
        E.compose(E.GridLifting(E.c4_group(), 1, 4), E.GridGroupConv(E.d4_group(), 4, 4))
    msg = str(e.value)
    assert "C4:regular[4]@grid" in msg and "D4:regular[4]@grid" in msg and "\n" not in msg


def test_mismatched_representation_and_channels_are_refused():
    g = E.d4_group()
    with pytest.raises(ArchLawError, match=r"D4:trivial\[4\]@grid.*D4:regular\[4\]@grid"):
        E.compose(E.GridLifting(g, 1, 4), E.GroupPool(g, 4), E.GridGroupConv(g, 4, 4))
    with pytest.raises(ArchLawError, match=r"regular\[4\].*regular\[5\]"):
        E.compose(E.GridLifting(g, 1, 4), E.GridGroupConv(g, 5, 4))
    c = E.cyclic_group(6)
    with pytest.raises(ArchLawError, match=r"C6:trivial\[2\]@point.*C6:regular\[2\]@point"):
        E.compose(E.CyclicGroupConv(c, 2, 2), E.GroupPool(c, 2, base="point"), E.CyclicGroupConv(c, 2, 2))


def test_matching_composition_has_the_outer_sorts():
    net = E.d4_cnn(cin=2, width=3, classes=5)
    assert str(net.in_sort) == "D4:trivial[2]@grid" and str(net.out_sort) == "D4:trivial[5]@point"


def test_bad_arguments_are_archlaw_errors():
    with pytest.raises(ArchLawError, match="odd kernel"):
        E.GridLifting(E.d4_group(), 1, 2, kernel=4)
    with pytest.raises(ArchLawError, match="mode"):
        E.GridGroupConv(E.d4_group(), 1, 2, mode="fast")
    with pytest.raises(ArchLawError, match="kernel"):
        E.CyclicLifting(E.cyclic_group(3), 1, 2, kernel=5)


def test_d4_table_is_the_lean_multiplication():
    g = E.d4_group()
    for i, a in enumerate(g.elements):
        for j, b in enumerate(g.elements):
            assert g.elements[g.table[i][j]] == E.d4_mul_lean(a, b)


@settings(max_examples=25, deadline=None)
@given(k=st.integers(1, 6), gi=st.integers(0, 7), hi=st.integers(0, 7), seed=st.integers(0, 99))
def test_grid_act_is_a_left_action_on_any_square(k, gi, hi, seed):
    """Lean `gridAct_action`: gridAct g (gridAct h x) = gridAct (g*h) x, on any k×k grid."""
    g = E.d4_group()
    x = torch.randn(2, k, k, generator=_gen(seed))
    lhs = E.grid_act(g.elements[gi], E.grid_act(g.elements[hi], x))
    assert torch.equal(lhs, E.grid_act(g.elements[g.table[gi][hi]], x))
    # and pointwise it is x ∘ pt g, with pt g (i, j) = swapIf s (rev? i, rev? j)
    s, a, b = g.elements[gi]
    y = E.grid_act(g.elements[gi], x)
    for i in range(k):
        for j in range(k):
            p = (k - 1 - i if a else i, k - 1 - j if b else j)
            p = (p[1], p[0]) if s else p
            assert y[0, i, j] == x[0, p[0], p[1]]


def test_rotate_and_permute_follow_lean():
    c = E.cyclic_group(5)
    s = torch.arange(5.0).view(1, 1, 5)
    # (rotate k s) i = s (i + k)
    assert E.act(c, E.FieldSort("C5", "cyclic", "trivial", 1), 2, s).flatten().tolist() == [2, 3, 4, 0, 1]
    S = E.symmetric_group(3)
    sigma = S.elements.index((1, 2, 0))
    x = torch.tensor([[[10.0], [11.0], [12.0]]])
    # (permute σ s) i = s (σ⁻¹ i): σ⁻¹ = (2, 0, 1)
    y = E.act(S, E.FieldSort("S3", "set", "trivial", 1), sigma, x)
    assert y.flatten().tolist() == [12.0, 10.0, 11.0]


def test_exact_and_filter_modes_compute_the_same_function():
    net = E.d4_cnn(width=3, depth=3, seed=11).double()
    x = torch.randn(4, 1, 7, 7, dtype=torch.float64, generator=_gen(0))
    y_exact = net(x)
    E.set_mode(net, "filter")
    assert {m.mode for m in net.modules() if hasattr(m, "mode")} == {"filter"}
    assert torch.allclose(y_exact, net(x), rtol=1e-12, atol=1e-12)


def test_tiny_training_keeps_the_law_and_tasks_are_symmetric():
    from archlaw.models.equivariance.data import DiskCountTask, MotifTask, PatternTask
    from archlaw.models.equivariance.train import TrainConfig, accuracy, train

    task = PatternTask(classes=3, size=9)
    pats = task.patterns()
    for i in range(3):  # no two classes related by a D4 symmetry: labels are well defined
        for j in range(3):
            if i != j:
                assert not any(torch.equal(E.grid_act(e, pats[i]), pats[j]) for e in E.D4_ELEMENTS)
    x, y = task.sample(24, seed=1)
    make = lambda: E.set_mode(E.d4_cnn(width=3, classes=3, pool="max"), "filter")  # noqa: E731
    before = accuracy(train(make, x, y, TrainConfig(steps=0), "cpu")[0], x, y, torch.device("cpu"))
    net, rep = train(make, x, y, TrainConfig(steps=25, batch=8, lr=1e-2), "cpu")
    assert rep.seeds_tried == (0,) and rep.steps == 25
    assert accuracy(net, x, y, torch.device("cpu")) > before
    E.set_mode(net, "exact")
    for dt in DTYPES:
        r = check(net, name="trained", dtype=dt, samples=4, size=9)
        assert r.passed, r.summary()
    xs, ys = MotifTask().sample(8, seed=2)
    assert xs.shape == (8, 1, 16) and ys.max() < 4
    xd, yd = DiskCountTask().sample(8, seed=3)
    perm = torch.randperm(7, generator=_gen(0))
    assert torch.equal(DiskCountTask().sample(8, seed=3)[1], yd)
    assert torch.equal(((xd[:, perm].norm(dim=-1) < 1).sum(1) * 2 > 7).long(), yd)  # S_n-invariant label


@pytest.mark.parametrize("tag", ["f32", "f64"])
def test_seeded_symmetry_break_is_registered_to_fail_the_equivariance_field(tag):
    from archlaw.models import registry

    (entry,) = registry.get(f"d4-cnn-broken-1e-3-{tag}")
    assert entry.expect_field == "map_act"
    out = registry.run_entry(entry, _export())
    assert not out.passed and out.mismatch is None, out.mismatch

