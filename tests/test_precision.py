"""Precision from the command line (issue 9, point 6): `--dtype` casts the module and the
samples (`--float64` its alias), `--rtol/--atol` override the policy row, and the replay line,
the JSON and a certificate record both; the float sampler's extreme scales fit the dtype, so a
half-precision layer equivariant up to its precision passes at its policy row."""

from __future__ import annotations

import json

import pytest
import torch

import precision_toys as P
from archlaw.cli.app import main
from archlaw.bridge.conformance import check_law
from archlaw.bridge.library import load_export
from archlaw.bridge.sorts import FloatTensor, SampleConfig, tolerance_for
from lawtools import REPO

MODEL = ["--root", str(REPO), "--model", "precision_toys:attention_binding"]


@pytest.fixture(scope="module")
def law():
    return load_export(REPO).find("ArchLaw.Equivariant")


@pytest.mark.parametrize("dtype", [torch.float16, torch.bfloat16, torch.float32, torch.float64])
def test_sampled_floats_fit_the_dtype(dtype):
    """A sum of 100 products of two sampled entries stays finite: before the fix, float16's ×1e4
    samples (entries up to ~4e4) overflowed at the first product."""
    enc = FloatTensor((16,))
    gen = torch.Generator().manual_seed(0)
    cfg = SampleConfig(dtype=dtype)
    x = enc.materialize(enc.plan(4000, gen, cfg), gen, cfg)
    assert x.dtype == dtype and torch.isfinite(x).all()
    assert torch.isfinite((x * x).sum(1) * (100 / 16)).all()
    # the extremes are still drawn: some samples are scaled well away from 1
    peak = x.abs().amax(1).float()
    assert (peak < 0.1).any()


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_a_float16_model_passes_at_its_policy_row(law, seed):
    """A layer that is float16 by itself (cast before the check), sampled in float16: before the
    fix it failed at the identity element, its scores on the ×1e4 samples overflowing to inf."""
    rep = check_law(law, P.attention_binding(seed=seed, half=1), dtype=torch.float16,
                    samples=200, seed=seed)
    f = rep.fields[0]
    assert rep.passed, rep.summary()
    assert rep.dtype == "float16" and f.tolerance == tolerance_for(torch.float16)
    # only up to its precision: the float32 row would not have passed it
    assert f.worst_error > tolerance_for(torch.float32).rtol


def test_dtype_casts_the_module_for_the_check_and_restores_it_exactly(law):
    b = P.attention_binding(seed=3)
    seen = []
    b.module.register_forward_pre_hook(lambda m, args: seen.append((m.w.dtype, args[0].dtype)))
    before = b.module.w.detach().clone()
    param = b.module.w
    rep = check_law(law, b, dtype=torch.bfloat16, samples=50)
    assert rep.passed and rep.dtype == "bfloat16"
    assert seen and set(seen) == {(torch.bfloat16, torch.bfloat16)}
    assert b.module.w is param and b.module.w.dtype == torch.float32
    assert torch.equal(b.module.w.detach(), before)  # bit for bit: no round trip through bf16


def test_cli_dtype_and_tolerance_override_are_recorded(capsys):
    assert main(["check", "ArchLaw.Equivariant", *MODEL, "--dtype", "float16", "--samples", "100",
                 "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["dtype"] == "float16" and out["tolerance_override"] is None
    assert out["fields"][0]["comparison"] == {"rtol": 1e-3, "atol": 1e-4}
    assert "dtype=float16" in out["fields"][0]["replay"]
    # the float32 row at float16: the rounding of float16 is now a violation
    rc = main(["check", "ArchLaw.Equivariant", *MODEL, "--dtype", "float16", "--samples", "300",
               "--rtol", "1e-5", "--atol", "1e-6", "--json"])
    out = json.loads(capsys.readouterr().out)
    assert rc == 1
    assert out["tolerance_override"] == {"rtol": 1e-5, "atol": 1e-6}
    assert out["fields"][0]["comparison"] == {"rtol": 1e-5, "atol": 1e-6}
    replay = out["fields"][0]["replay"]
    assert "dtype=float16 rtol=1e-05 atol=1e-06 case " in replay


def test_float64_flag_is_an_alias_of_dtype_float64(capsys):
    assert main(["check", "ArchLaw.Equivariant", *MODEL, "--float64", "--samples", "20",
                 "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["dtype"] == "float64" and out["float64"] is True


@pytest.mark.parametrize("args,needle", [
    (["--float64", "--dtype", "float16"], "--float64 is an alias of --dtype float64"),
    (["--rtol", "-1"], "--rtol -1.0: expected a finite number >= 0"),
    (["--atol", "nan"], "--atol nan: expected a finite number >= 0"),
])
def test_bad_precision_flags_are_one_line(capsys, args, needle):
    assert main(["check", "ArchLaw.Equivariant", *MODEL, *args]) == 2
    err = capsys.readouterr().err
    assert needle in err and err.startswith("archlaw: error:") and err.count("\n") == 1


def test_unknown_dtype_is_refused_with_the_accepted_ones(capsys):
    with pytest.raises(SystemExit) as e:
        main(["check", "ArchLaw.Equivariant", *MODEL, "--dtype", "float8"])
    assert e.value.code == 2
    assert "invalid choice: 'float8' (choose from 'float32', 'float64', 'float16', 'bfloat16')" \
        in capsys.readouterr().err


def test_certificate_settings_record_dtype_and_override_and_verify_replays_them(monkeypatch):
    """`settings_record` is what `--certificate` writes; verify passes it back to the re-check."""
    import argparse

    from archlaw.bridge import certificate as C
    from archlaw.cli.check import check_kwargs, settings_record

    args = argparse.Namespace(seed=1, budget=10, samples=5, max_length=None, dtype="float16",
                              float64=False, rtol=1e-2, atol=None)
    rec = settings_record(check_kwargs(args))
    assert rec == {"seed": 1, "budget": 10, "samples": 5, "dtype": "float16", "rtol": 1e-2,
                   "atol": 1e-4}
    json.dumps(rec)  # JSON-ready, as the certificate writes it

    import conformance_toys as T

    ex = T.export()
    b = T.cell_binding(10)
    rep = C.check_theorem(ex.find("adder_correct"), ex, b)
    cert = C.make_certificate(rep, b, settings=rec)
    seen = {}

    def spy(*a, **kw):
        seen.update(kw)
        return rep

    monkeypatch.setattr(C, "check_theorem", spy)
    assert C.verify_certificate(cert, ex, b).ok
    assert seen["dtype"] == torch.float16 and seen["tolerance"].rtol == 1e-2 \
        and seen["tolerance"].atol == 1e-4 and seen["seed"] == 1
    import dataclasses

    bad = dataclasses.replace(cert, settings={**rec, "dtype": "float8"})
    res = C.verify_certificate(bad, ex, b)
    assert not res.ok and "dtype 'float8'" in res.reason
