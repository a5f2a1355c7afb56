"""The Para family (issue 20): typed composition, tying, unrolling, the law bindings on autograd,
and the seeded violations caught for their stated reasons. The registry entries themselves run
under ``pytest --archlaw``; here: what they rest on, checked directly with torch."""

from __future__ import annotations

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from archlaw.bridge.conformance import check_law
from archlaw.bridge.errors import ArchLawError
from archlaw.bridge.library import load_export
from archlaw.models import registry
from archlaw.models.para.baselines import sequential_of
from archlaw.models.para.bindings import copy_binding, tied_grad_binding, to_flat, to_value
from archlaw.models.para.fixtures import ClonedTie, TOL64, drop_copy, tanh_layer
from archlaw.models.para.modules import Float, Ident, Layer, Prod, mlp
from archlaw.models.para.train import sgd_step

from lawtools import REPO

PARA_LAWS = ("TiedLaw", "AssocLaw", "UnrollLaw", "ChainRule", "ReparamRule", "CopyLaw",
             "TiedGradLaw")


def _one_line(e: pytest.ExceptionInfo) -> str:
    msg = str(e.value)
    assert "\n" not in msg
    return msg


# ---------------------------------------------------------------------------------------------
# typing: one line naming both sides


def test_then_refuses_mismatched_sorts_naming_both_sides():
    f, g = tanh_layer(3, 4, 0, "f"), tanh_layer(3, 2, 1, "g")
    with pytest.raises(ArchLawError) as e:
        f.then(g)
    msg = _one_line(e)
    assert "f gives Float[4]" in msg and "g takes Float[3]" in msg


def test_parallel_composite_is_typed_as_a_product():
    f, g = tanh_layer(3, 4, 0, "f"), tanh_layer(2, 5, 1, "g")
    fg = f.par(g)
    assert fg.dom == Prod(Float((3,)), Float((2,))) and fg.cod == Prod(Float((4,)), Float((5,)))
    a, c = torch.randn(6, 3), torch.randn(6, 2)
    b, d = fg.apply(fg.init(), (a, c))
    assert torch.equal(b, f.apply(f.init(), a)) and torch.equal(d, g.apply(g.init(), c))
    with pytest.raises(ArchLawError) as e:   # a product meets a single sort: refused
        fg.then(tanh_layer(4, 4, 2, "h"))
    assert "gives (Float[4] × Float[5])" in _one_line(e) and "h takes Float[4]" in str(e.value)


def test_tie_and_unroll_refuse_what_they_cannot_do():
    with pytest.raises(ArchLawError) as e:
        tanh_layer(3, 4, 0, "f").then(tanh_layer(4, 4, 1, "g")).tie()
    assert "cannot tie" in _one_line(e) and "P × P" in str(e.value)
    with pytest.raises(ArchLawError) as e:
        tanh_layer(3, 4, 0, "f").unroll(2)
    assert "maps Float[3] to Float[4]" in _one_line(e)
    with pytest.raises(ArchLawError):
        tanh_layer(3, 3, 0, "c").unroll(-1)


def test_layer_refuses_a_wrong_declared_output_sort():
    with pytest.raises(ArchLawError) as e:
        Layer(nn.Linear(3, 4), Float((3,)), Float((5,)), "lin")
    assert "gives Float[4]" in _one_line(e) and "declared output sort is Float[5]" in str(e.value)


# ---------------------------------------------------------------------------------------------
# the morphisms compute what they say


def test_para_mlp_is_the_same_network_as_nn_sequential():
    m = mlp(8, 3, seed=0)
    value = m.init()
    seq = sequential_of(m, value)
    x = torch.randn(5, 8)
    torch.testing.assert_close(m.apply(value, x), seq(x), rtol=0, atol=0)


def test_tied_module_holds_one_copy_and_steps_it_with_the_summed_gradient():
    untied = tanh_layer(3, 3, 1, "l1").then(tanh_layer(3, 3, 2, "l2"))
    tied = untied.tie().module()
    assert sum(p.numel() for p in tied.parameters()) == 12      # one Linear(3, 3), not two
    x, y = torch.randn(7, 3, dtype=torch.float64), torch.randn(7, 3, dtype=torch.float64)
    tied = tied.double()
    p = tied.value()
    loss = ((tied(x) - y) ** 2).sum()
    g_tied = torch.autograd.grad(loss, list(p.values()))
    # the untied layer at (p, p) with two independent copies: the tied gradient is their sum
    p1 = {k: v.detach().clone().requires_grad_() for k, v in p.items()}
    p2 = {k: v.detach().clone().requires_grad_() for k, v in p.items()}
    loss2 = ((untied.apply((p1, p2), x) - y) ** 2).sum()
    g1 = torch.autograd.grad(loss2, list(p1.values()) + list(p2.values()))
    for k in range(len(g_tied)):
        torch.testing.assert_close(g_tied[k], g1[k] + g1[k + len(g_tied)], rtol=1e-12, atol=0)


@settings(max_examples=15, deadline=None)
@given(n=st.integers(0, 4), m=st.integers(0, 4), seed=st.integers(0, 2**16))
def test_unroll_is_additive_and_is_the_iterated_cell(n, m, seed):
    c = tanh_layer(3, 3, 5, "cell")
    gen = torch.Generator().manual_seed(seed)
    p = {k: torch.randn(v.shape, generator=gen, dtype=torch.float64) for k, v in c.init().items()}
    x = torch.randn(4, 3, generator=gen, dtype=torch.float64)
    step = x
    for _ in range(n + m):
        step = c.apply(p, step)
    whole = c.unroll(n + m).apply(p, x)
    torch.testing.assert_close(whole, step, rtol=0, atol=0)
    torch.testing.assert_close(whole, c.unroll(m).apply(p, c.unroll(n).apply(p, x)), rtol=0, atol=0)


def test_identity_and_flat_encoding_round_trip():
    i = Ident(Float((3,)))
    x = torch.randn(2, 3)
    assert i.apply(i.init(), x) is x
    m = mlp(4, 2, seed=1)
    v = m.init()
    back = to_value(m.param_sort, to_flat(m.param_sort, v))
    assert all(torch.equal(back[i][k], v[i][k]) for i in range(2) for k in v[i])


# ---------------------------------------------------------------------------------------------
# the seeded violations, for their stated reasons


def test_cloned_tie_passes_at_its_own_weights_until_one_optimiser_step():
    """Why the fixture samples the parameter: at the module's own weights a cloned "tie" is
    indistinguishable from a real one until the first optimiser step."""
    untied = tanh_layer(3, 3, 1, "l1").then(tanh_layer(3, 3, 2, "l2"))
    x, y = torch.randn(9, 3), torch.randn(9, 3)
    for make, stays_tied in ((lambda: untied.tie(), True), (lambda: ClonedTie(untied), False)):
        mod = make().module()

        def at_own_weights() -> bool:
            with torch.no_grad():
                p = mod.value()
                return torch.allclose(mod(x), untied.apply((p, p), x), rtol=1e-6, atol=0)
        assert at_own_weights()
        sgd_step(mod, x, y, lr=0.5)
        assert at_own_weights() is stays_tied


def test_the_sampled_check_catches_the_cloned_tie_at_initialisation():
    law = load_export().find("ArchLaw.Para.TiedLaw")
    from archlaw.models.para.bindings import tied_binding

    untied = tanh_layer(3, 3, 1, "l1").then(tanh_layer(3, 3, 2, "l2"))
    ok = check_law(law, tied_binding(untied, untied.tie()), samples=8)
    bad = check_law(law, tied_binding(untied, ClonedTie(untied)), samples=8)
    assert ok.passed and not bad.passed
    assert [f.field for f in bad.fields if not f.passed] == ["diag"]


def test_copy_law_holds_on_autograd_to_1e_12_and_catches_the_dropped_copy():
    law = load_export().find("ArchLaw.Para.CopyLaw")
    good = check_law(law, copy_binding(Float((6,))), samples=32, float64=True, tolerance=TOL64)
    bad = check_law(law, copy_binding(Float((6,)), drop_copy, "drop"), samples=32, float64=True,
                    tolerance=TOL64)
    assert good.passed and good.tolerance_override == TOL64
    assert all(f.tolerance == TOL64 and f.worst_error <= 1e-12 for f in good.fields)
    assert {f.field: f.passed for f in bad.fields} == {"dup_diag": True, "copy": False}


def test_tied_gradient_law_catches_the_dropped_copy_inside_a_tie():
    from archlaw.models.para.fixtures import tie_dropping_copy

    law = load_export().find("ArchLaw.Para.TiedGradLaw")
    untied = tanh_layer(3, 3, 1, "l1").then(tanh_layer(3, 3, 2, "l2"))
    dropped = tie_dropping_copy(untied)
    x = torch.randn(4, 3)
    # same forward as the real tie: only the gradient is wrong
    torch.testing.assert_close(dropped.apply(dropped.init(), x), untied.tie().apply(dropped.init(), x))
    good = check_law(law, tied_grad_binding(untied.tie()), samples=16, float64=True, tolerance=TOL64)
    bad = check_law(law, tied_grad_binding(dropped), samples=16, float64=True, tolerance=TOL64)
    assert good.passed and not bad.passed


# ---------------------------------------------------------------------------------------------
# the registry and the Lean module


def test_every_para_law_has_conforming_fixtures_and_a_seeded_violation_with_its_field():
    para = [e for e in registry.entries() if e.law_name.startswith("ArchLaw.Para.")]
    for law in PARA_LAWS:
        mine = [e for e in para if e.law_name == f"ArchLaw.Para.{law}" and not e.theorem]
        assert any(e.expect_pass for e in mine), law
        assert any(not e.expect_pass and e.expect_field for e in mine), law
    assert any(e.theorem == "ArchLaw.Para.tied_grad_sum" for e in para)


def test_gradient_fixtures_run_in_float64_at_1e_12():
    grads = [e for e in registry.entries() if e.law_name in (
        "ArchLaw.Para.ChainRule", "ArchLaw.Para.ReparamRule", "ArchLaw.Para.CopyLaw",
        "ArchLaw.Para.TiedGradLaw")]
    assert grads and all(e.check.get("float64") and e.check.get("tolerance") == TOL64
                         for e in grads)
    assert TOL64.rtol == 1e-12


def test_lean_module_is_read_from_source_and_kept_out_of_the_build():
    text = (REPO / "lean/ArchLaw/Para.lean").read_text()
    assert "not compiled here" in text
    assert "ArchLaw.Para" not in (REPO / "lean/ArchLaw.lean").read_text()
    exp = load_export()
    names = {d.name for d in exp.declarations}
    for law in PARA_LAWS:
        d = exp.find(f"ArchLaw.Para.{law}")
        assert d.statement_provenance == "source"
    assert "ArchLaw.Para.tied_grad_sum" in names


def test_a_parameter_missing_from_the_value_is_an_error_not_a_stale_weight():
    """The layer's own tensors live on `meta`: a value without ``bias`` cannot fall back to a
    stored bias (functional_call runs without `strict`, for speed; this is what replaces it)."""
    lin = Layer(nn.Linear(3, 3), Float((3,)), Float((3,)), "lin")
    with pytest.raises(RuntimeError, match="meta"):
        lin.apply({"weight": torch.randn(3, 3)}, torch.randn(2, 3))


def test_cli_model_binding_checks_a_fixture_and_names_the_accepted_ones(capsys):
    from archlaw.cli.app import main

    rc = main(["check", "ArchLaw.Para.TiedGradLaw", "--model",
               "archlaw.models.para.fixtures:model_binding", "--param",
               "fixture=para-tied-grad-dropped", "--float64", "--rtol", "1e-12", "--samples", "8"])
    assert rc == 1 and "sum_copies" in capsys.readouterr().out
    rc = main(["check", "ArchLaw.Para.CopyLaw", "--model",
               "archlaw.models.para.fixtures:model_binding", "--param", "fixture=nope"])
    err = capsys.readouterr().err
    assert rc == 2 and "accepted: para-assoc-f32" in err and len(err.strip().splitlines()) == 1


def test_bench_script_runs_the_same_computation_on_both_sides(tmp_path):
    """Smoke test of scripts/bench_para.py at a tiny size: it runs, and the Para network and the
    nn.Sequential baseline compute the same output (the ratio is not asserted: no timings)."""
    import importlib.util
    import json

    spec = importlib.util.spec_from_file_location("bench_para", REPO / "scripts/bench_para.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    n = torch.get_num_threads()
    try:
        assert mod.main(["--width", "8", "--depth", "2", "--batch", "4", "--repeats", "2",
                         "--rounds", "1", "--out", str(tmp_path / "b.json")]) == 0
    finally:
        torch.set_num_threads(n)
    out = json.loads((tmp_path / "b.json").read_text())
    assert out["same_output"] is True and out["threads"] == 1 and out["ratio"] > 0
