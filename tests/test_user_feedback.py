"""What a new user met on a first try (a model that mixes its batch; a large group that leaves
few samples): the report must explain itself, not contradict itself."""

from __future__ import annotations

import dataclasses
import io

import conformance_toys as T
from rich.console import Console

from archlaw.bridge.conformance import check_law
from archlaw.cli.check import render_law_report


def _batch_mixing_binding():
    """The toy circular convolution plus a term that mixes the batch (its mean over inputs):
    equivariant for each input alone, not in a batch."""
    b = T.equivariant_binding()
    net = b.module

    def f(x):
        return net(x) + 0.1 * x.mean(0, keepdim=True)

    return dataclasses.replace(b, symbols={**b.symbols, "f": f})


def test_a_counterexample_that_holds_alone_says_the_model_mixes_its_batch():
    rep = check_law(T.EQUIVARIANT, _batch_mixing_binding(), samples=50, seed=0)
    (f,) = rep.fields
    assert not f.passed
    cex = f.counterexample
    # computed alone, the case holds: the report says why instead of showing lhs = rhs silently
    assert cex.passes_alone and cex.error == 0.0
    assert "depends on the other inputs of the batch" in cex.text()
    assert cex.to_json()["passes_alone"] is True


def test_a_real_counterexample_is_not_flagged():
    rep = check_law(T.EQUIVARIANT, T.equivariant_binding(break_by=1e-2), samples=50, seed=0)
    cex = rep.fields[0].counterexample
    assert cex is not None and not cex.passes_alone and cex.error > 0
    assert "note:" not in cex.text()


def test_the_report_says_when_the_budget_cut_the_samples():
    # 8 group elements x 1000 samples > a budget of 800: 100 samples are drawn, not 1000
    rep = check_law(T.EQUIVARIANT, T.equivariant_binding(), samples=1000, budget=800, seed=0)
    sizes = {d.name: d.size for d in rep.fields[0].domains}
    assert sizes == {"g": 8, "x": 100}

    buf = io.StringIO()
    render_law_report(rep, console=Console(file=buf, width=300, emoji=False, color_system=None))
    out = buf.getvalue()
    assert "drew 100 samples of x, not --samples 1,000" in out and "raise --budget" in out
    # no note when nothing was cut
    buf = io.StringIO()
    render_law_report(check_law(T.EQUIVARIANT, T.equivariant_binding(), samples=50, seed=0),
                      console=Console(file=buf, width=300, emoji=False, color_system=None))
    assert "raise --budget" not in buf.getvalue()


def test_a_half_precision_model_without_dtype_is_told_to_pass_dtype():
    import pytest
    import torch

    from archlaw.bridge.errors import ArchLawError

    b = T.equivariant_binding()
    net = b.module.half()

    def f(x):
        return net(x)

    with pytest.raises(ArchLawError, match=r"needs --dtype float16/bfloat16/float64"):
        check_law(T.EQUIVARIANT, dataclasses.replace(b, symbols={**b.symbols, "f": f}),
                  samples=10, seed=0)
    # with the dtype given, it runs (module and samples cast together)
    rep = check_law(T.EQUIVARIANT, T.equivariant_binding(), samples=10, seed=0,
                    dtype=torch.float16)
    assert rep.fields[0].cases == 80


def test_check_law_given_a_name_instead_of_a_law_says_what_it_takes():
    import pytest

    from archlaw.bridge.errors import ArchLawError

    with pytest.raises(ArchLawError, match=r"check_law takes a law .*load_export\(\)\.find"):
        check_law("ArchLaw.Equivariant", T.equivariant_binding())


def test_a_constant_that_ran_two_ways_is_reported_the_way_that_leaves_more_trusted():
    from archlaw.bridge.conformance import merge_ran
    from archlaw.bridge.semantics import RAN_BODY, RAN_REGISTERED_AGREES, RAN_REGISTERED_ONLY

    for first, second in ((RAN_BODY, RAN_REGISTERED_ONLY), (RAN_REGISTERED_ONLY, RAN_BODY)):
        assert merge_ran([("c", first), ("c", second)]) == (("c", RAN_REGISTERED_ONLY),)
    assert merge_ran([("c", RAN_BODY), ("c", RAN_REGISTERED_AGREES)]) == \
        (("c", RAN_REGISTERED_AGREES),)
    assert merge_ran([("c", RAN_BODY), ("d", RAN_BODY)]) == (("c", RAN_BODY), ("d", RAN_BODY))
