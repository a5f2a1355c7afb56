"""Equivariance benchmark: error of the generated models (float32/float64), escnn and e3nn measured
the same way and beside their own checks, check throughput vs escnn, and sample efficiency.

    .venv/bin/python scripts/bench_equivariance.py [--device auto] [--threads 1] [--quick]

escnn/e3nn run in a separate environment (`scripts/setup_bench_env.sh`, default
/tmp/archlaw-bench-venv; `--bench-python` to point elsewhere) as a subprocess of this script
(`--part thirdparty`), so they never touch the main .venv. Writes
docs/img/equivariance_sample_efficiency.png and a JSON of every figure (`--out`, and for a full
run, not `--quick`, a committed copy in docs/bench/bench_equivariance.json).
Error (all rows, ours and theirs): the conformance engine's, the worst over group elements,
samples and tolerance groups (each channel; a Float[d] output is one group) of
max|f(g·x) − g·f(x)| / max(max|f(g·x)|, max|g·f(x)|) (`archlaw.bridge.sorts.float_close`).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import subprocess
import sys
import time
from pathlib import Path

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

ROOT = Path(__file__).resolve().parent.parent


# ============================================================================================
# Third-party part (runs inside the bench venv; imports only torch, numpy, escnn, e3nn)


def _rel_err(fgx, gfx) -> float:
    """The engine's error of a batch (N, C, …) or (N, d): the worst tolerance group's relative
    error, by the engine's own rule (`float_close`), so that these rows compare with ours."""
    # only torch is needed by archlaw.bridge.sorts, so the bench venv can import it from here
    sys.path.insert(0, str(ROOT))
    from archlaw.bridge.sorts import float_close, tolerance_for

    n = fgx.shape[0]
    shape = (n, fgx.shape[1], -1) if fgx.dim() > 2 else (n, 1, -1)
    _, err = float_close(fgx.reshape(shape), gfx.reshape(shape), tolerance_for(fgx.dtype))
    return float(err.max())


def thirdparty(samples: int, size: int, channels: int, reps: int) -> dict:
    import numpy as np
    import torch

    out: dict = {"torch": torch.__version__, "numpy": np.__version__}
    try:
        import escnn
        from escnn import gspaces, nn as enn

        out["escnn"] = getattr(escnn, "__version__", "1.0.11")
        for gname, gs in (("C4", gspaces.rot2dOnR2(4)), ("D4", gspaces.flipRot2dOnR2(4))):
            torch.manual_seed(0)
            t_in = enn.FieldType(gs, channels * [gs.regular_repr])
            t_out = enn.FieldType(gs, channels * [gs.regular_repr])
            conv = enn.R2Conv(t_in, t_out, kernel_size=3, padding=1).eval()
            elements = list(gs.testing_elements)
            row: dict = {"layer": f"R2Conv {gname} regular[{channels}]->regular[{channels}] k=3",
                         "group_elements": len(elements)}
            for dt in (torch.float32, torch.float64):
                m = conv.to(dt)
                x = torch.randn(samples, t_in.size, size, size, dtype=dt, generator=torch.Generator().manual_seed(0))
                gx_ = enn.GeometricTensor(x, t_in)
                with torch.no_grad():
                    fx = m(gx_)
                    errs = []
                    for el in elements:
                        fgx = m(gx_.transform(el)).tensor
                        gfx = fx.transform(el).tensor
                        errs.append(_rel_err(fgx, gfx))
                row[f"error_{str(dt)[6:]}"] = max(errs)
            m = conv.to(torch.float32)
            # escnn's own check: EquivariantModule.check_equivariance (20 sampled elements,
            # batch 3 of 10x10). R2Conv's override downloads scipy's test image: not used.
            times, own = [], []
            for _ in range(reps):
                t0 = time.perf_counter()
                with contextlib.redirect_stdout(io.StringIO()):
                    res = enn.EquivariantModule.check_equivariance(m, atol=1e-4, rtol=1e-4)
                times.append(time.perf_counter() - t0)
                own.append(max(float(e) for _, e in res))
            row["own_check"] = "EquivariantModule.check_equivariance (mean |diff| per element, max shown)"
            row["own_check_error"] = max(own)
            row["own_check_seconds"] = min(times)
            row["own_check_cases"] = 20 * 3
            out[f"escnn_{gname}"] = row
    except Exception as e:  # report exactly what failed
        out["escnn_error"] = f"{type(e).__name__}: {e}"
    try:
        import e3nn
        from e3nn import o3
        from e3nn.util.test import assert_equivariant

        out["e3nn"] = e3nn.__version__
        irreps = o3.Irreps("8x0e + 8x1o + 4x2e")
        row = {"layer": f"o3.Linear {irreps} -> {irreps}", "rotations_sampled": 16}
        for dt in (torch.float32, torch.float64):
            torch.set_default_dtype(dt)
            torch.manual_seed(0)
            lin = o3.Linear(irreps, irreps)
            x = irreps.randn(samples, -1)
            rots = o3.rand_matrix(16)
            with torch.no_grad():
                fx = lin(x)
                errs = []
                for R in rots:
                    D = irreps.D_from_matrix(R)
                    errs.append(_rel_err(lin(x @ D.T), fx @ D.T))
            row[f"error_{str(dt)[6:]}"] = max(errs)
            times = []
            own = 0.0
            for _ in range(reps):
                t0 = time.perf_counter()
                res = assert_equivariant(lin)
                times.append(time.perf_counter() - t0)
                own = max(own, max(float(v) for v in res.values()))
            row[f"own_check_error_{str(dt)[6:]}"] = own
            row[f"own_check_seconds_{str(dt)[6:]}"] = min(times)
        torch.set_default_dtype(torch.float32)
        row["own_check"] = "e3nn.util.test.assert_equivariant (max abs error over its checks)"
        out["e3nn_linear"] = row
    except Exception as e:
        out["e3nn_error"] = f"{type(e).__name__}: {e}"
    return out


# ============================================================================================
# Main part (main .venv)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--device", default="auto")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--samples", type=int, default=32)
    ap.add_argument("--size", type=int, default=12)
    ap.add_argument("--channels", type=int, default=8, help="fields per layer in the throughput layers")
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--seeds", type=int, default=3,
                    help="training seeds 0..N-1 per size (mean and spread plotted); each run is "
                         "seeded by the shared loop before its model is built")
    ap.add_argument("--quick", action="store_true", help="fewer training sizes and steps")
    ap.add_argument("--bench-python", default=os.environ.get("BENCH_PYTHON", "/tmp/archlaw-bench-venv/bin/python"))
    ap.add_argument("--part", choices=["all", "thirdparty"], default="all")
    ap.add_argument("--out", default=str(ROOT / "out" / "bench_equivariance.json"))
    args = ap.parse_args()

    import torch

    torch.set_num_threads(args.threads)
    if args.part == "thirdparty":
        print(json.dumps(thirdparty(args.samples, args.size, args.channels, args.reps)))
        return 0

    from rich.table import Table

    from archlaw.bridge.console import make_console
    from archlaw.bridge.devices import resolve_device
    from archlaw.models.equivariance import modules as E
    from archlaw.bridge.conformance import check_law
    from archlaw.bridge.library import load_export
    from archlaw.models.equivariance.bindings import LAW_NAME, binding_for
    from archlaw.models.equivariance.baselines import BaselineCNN, BaselineMLP
    from archlaw.models.equivariance.data import DiskCountTask, MotifTask, PatternTask
    from archlaw.models.equivariance.train import TrainConfig, accuracy, train

    con = make_console()
    dev = resolve_device(args.device)
    report: dict = {"threads": torch.get_num_threads(), "OMP_WAIT_POLICY": os.environ.get("OMP_WAIT_POLICY"),
                    "device": str(dev), "torch": torch.__version__, "command": " ".join(sys.argv)}
    con.print(f"torch {torch.__version__}, threads={torch.get_num_threads()}, "
              f"OMP_WAIT_POLICY={os.environ.get('OMP_WAIT_POLICY')}, device={dev}")

    # ---- sample efficiency on three generated symmetric tasks (trains the models whose
    # errors are measured below too). The D4 G-CNN trains in filter-bank mode (3x faster here)
    # and is evaluated and checked in the default bit-exact mode: both modes compute the same
    # function of the same parameters.
    sizes = [16, 64, 256] if args.quick else [8, 16, 32, 64, 128, 256]
    steps = 100 if args.quick else 200
    seeds = list(range(args.seeds))
    tasks = {
        "images": dict(task=PatternTask(), title="D4: pattern in a 12x12 image (4 classes)",
                       eq=lambda: E.set_mode(E.d4_cnn(width=8, classes=4, pool="max"), "filter"),
                       base=lambda: BaselineCNN(pool="max"),
                       eq_name="D4 G-CNN", base_name="plain CNN"),
        "signals": dict(task=MotifTask(), title="C16: motif in a cyclic signal (4 classes)",
                        eq=lambda: E.cyclic_gcnn(16, width=8, classes=4, kernel=5, pool="max"),
                        base=lambda: BaselineMLP(16, 20, 4),
                        eq_name="C16 G-CNN", base_name="MLP"),
        "sets": dict(task=DiskCountTask(), title="S7: majority of 7 points in the unit disk",
                     eq=lambda: E.deepsets_net(7, cin=2, width=16, classes=2),
                     base=lambda: BaselineMLP(14, 34, 2),
                     eq_name="DeepSets", base_name="MLP"),
    }
    report["sample_efficiency"] = {}
    trained = {}
    import statistics as st

    from rich.progress import Progress

    with Progress(console=con) as prog:
        bar = prog.add_task("sample efficiency", total=3 * 2 * len(sizes) * len(seeds))
        for tname, spec in tasks.items():
            task = spec["task"]
            xt, yt = task.sample(1000, 10_000)
            eff = {"sizes": sizes, "seeds": seeds, "steps": steps, "batch": 32, "test": 1000,
                   "title": spec["title"], "eq_name": spec["eq_name"], "base_name": spec["base_name"],
                   "params": {"equivariant": E.count_parameters(spec["eq"]()),
                              "baseline": E.count_parameters(spec["base"]())},
                   "equivariant_runs": [], "baseline_runs": [],
                   "equivariant_seeds_tried": [], "baseline_seeds_tried": [],
                   "equivariant_train_seconds": 0.0, "baseline_train_seconds": 0.0}
            for n in sizes:
                accs: dict[str, list[float]] = {"equivariant": [], "baseline": []}
                for s in seeds:
                    x, y = task.sample(n, 1000 * s + n)
                    for kind in ("equivariant", "baseline"):
                        t0 = time.perf_counter()
                        # the loop seeds (weights and minibatches) with s, then builds the model
                        m, rep = train(spec["eq" if kind == "equivariant" else "base"], x, y,
                                       TrainConfig(steps=steps, seed=s), dev, progress=False)
                        eff[f"{kind}_seeds_tried"].append(list(rep.seeds_tried))
                        if kind == "equivariant":
                            E.set_mode(m, "exact")
                            trained[(tname, n)] = m.cpu()
                        accs[kind].append(accuracy(m, xt, yt, dev))
                        eff[f"{kind}_train_seconds"] += time.perf_counter() - t0
                        prog.advance(bar)
                for kind in accs:
                    eff[f"{kind}_runs"].append(accs[kind])
            for kind in ("equivariant", "baseline"):
                eff[kind] = [st.mean(r) for r in eff[f"{kind}_runs"]]
                eff[f"{kind}_std"] = [st.pstdev(r) for r in eff[f"{kind}_runs"]]
            report["sample_efficiency"][tname] = eff

    # ---- equivariance error of generated models
    g = lambda s: torch.Generator().manual_seed(s)  # noqa: E731
    models = {
        "D4 lifting 1->8 k3": E.GridLifting(E.d4_group(), 1, 8, 3, g(0)),
        "D4 group conv 8->8 k3": E.GridGroupConv(E.d4_group(), 8, 8, 3, g(1)),
        "D4 group conv 8->8 k3 (filter-bank mode)": E.GridGroupConv(E.d4_group(), 8, 8, 3, g(1), mode="filter"),
        "C4 group conv 8->8 k5": E.GridGroupConv(E.c4_group(), 8, 8, 5, g(2)),
        "C4 group conv 8->8 k5 (filter-bank mode)": E.GridGroupConv(E.c4_group(), 8, 8, 5, g(2), mode="filter"),
        "C4 CNN (lift, gconv, pools, linear)": E.c4_cnn(width=8, seed=3),
        "D4 CNN, depth 3": E.d4_cnn(width=8, depth=3, seed=4),
        f"D4 G-CNN trained (images, n={sizes[-1]})": trained[("images", sizes[-1])],
        "C7 lifting 2->8 k3": E.CyclicLifting(E.cyclic_group(7), 2, 8, 3, g(5)),
        "C16 G-CNN (lift, 2 gconv, pool, linear)": E.cyclic_gcnn(16, width=16, depth=3, kernel=5, seed=6),
        "DeepSets layer S6 4->16": E.DeepSetsLayer(E.symmetric_group(6), 4, 16, g(7)),
        "DeepSets net S6": E.deepsets_net(6, cin=4, width=16, seed=8),
        f"C16 G-CNN trained (signals, n={sizes[-1]})": trained[("signals", sizes[-1])],
        f"DeepSets trained (sets, n={sizes[-1]})": trained[("sets", sizes[-1])],
    }
    errs = []
    law = load_export().find(LAW_NAME)
    statement = law.statement_provenance  # the law's provenance as read, never assumed

    def check(m, name, dtype, samples, size):
        """The conformance engine on `m` (the one measurer): (error, passed, cases)."""
        rep = check_law(law, binding_for(m, size=size, name=name), samples=samples, seed=0,
                        dtype=dtype)
        (f,) = rep.fields
        assert rep.statement == statement
        return f.worst_error, rep.passed, f.cases

    for name, m in models.items():
        row = {"model": name, "group": m.group.name, "sorts": f"{m.in_sort} -> {m.out_sort}",
               "statement": statement, "check": "sampled", "group_enumeration": "exhaustive"}
        for dt in (torch.float32, torch.float64):
            key = str(dt)[6:]
            row[f"error_{key}"], row[f"pass_{key}"], row["cases"] = check(
                m, name, dt, args.samples, args.size)
        errs.append(row)
    report["errors"] = errs
    t = Table(title="equivariance error (worst relative error per tolerance group; group exhaustive, "
                    "inputs sampled; "
                    f"statement {statement}, check sampled)")
    for c in ("model", "cases", "float32", "float64"):
        t.add_column(c)
    for r in errs:
        t.add_row(r["model"], str(r["cases"]), f"{r['error_float32']:.2e}", f"{r['error_float64']:.2e}")
    con.print(t)

    # ---- throughput of our check on the layer equivalent to escnn's
    thr = {}
    for gname, grp in (("C4", E.c4_group()), ("D4", E.d4_group())):
        m = E.GridGroupConv(grp, args.channels, args.channels, 3, g(9))
        for samples, size in ((3, 10), (args.samples, args.size)):
            times = []
            for _ in range(args.reps):
                t0 = time.perf_counter()
                err, _, cases = check(m, f"{gname} gconv", torch.float32, samples, size)
                times.append(time.perf_counter() - t0)
            thr[f"{gname} samples={samples} size={size}"] = {
                "seconds": min(times), "cases": cases, "cases_per_second": cases / min(times),
                "error": err}
    report["our_check_throughput"] = thr

    # ---- escnn / e3nn in their own environment
    bp = Path(args.bench_python)
    if bp.exists():
        cmd = [str(bp), __file__, "--part", "thirdparty", "--threads", str(args.threads),
               "--samples", str(args.samples), "--size", str(args.size), "--channels",
               str(args.channels), "--reps", str(args.reps)]
        env = dict(os.environ, OMP_WAIT_POLICY="PASSIVE")
        p = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=1800)
        if p.returncode == 0:
            report["thirdparty"] = json.loads(p.stdout.strip().splitlines()[-1])
        else:
            report["thirdparty"] = {"failed": p.stderr[-2000:]}
    else:
        report["thirdparty"] = {"failed": f"{bp} not found: run bash scripts/setup_bench_env.sh"}
    con.print_json(json.dumps(report["thirdparty"]))

    # ---- PNG
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 3, figsize=(15, 4.2))
    for ax, (tname, eff) in zip(axes, report["sample_efficiency"].items()):
        ax.errorbar(sizes, eff["equivariant"], yerr=eff["equivariant_std"], fmt="o-", capsize=3,
                    label=f"{eff['eq_name']} (generated, {eff['params']['equivariant']} params)")
        ax.errorbar(sizes, eff["baseline"], yerr=eff["baseline_std"], fmt="s--", capsize=3,
                    label=f"{eff['base_name']} baseline ({eff['params']['baseline']} params)")
        ax.set_xscale("log", base=2)
        ax.set_xlabel("training-set size")
        ax.set_title(eff["title"], fontsize=10)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8, loc="lower right")
    axes[0].set_ylabel(f"test accuracy (1000 held out, mean ± sd of {len(seeds)} seeds)")
    fig.suptitle("sample efficiency: generated equivariant models vs non-equivariant baselines, same data")
    png = ROOT / "docs" / "img" / "equivariance_sample_efficiency.png"
    png.parent.mkdir(parents=True, exist_ok=True)
    fig.tight_layout()
    fig.savefig(png, dpi=120)
    out = Path(args.out)
    for path in (out,) + (() if args.quick else (ROOT / "docs" / "bench" / "bench_equivariance.json",)):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(report, indent=2))
    for tname, eff in report["sample_efficiency"].items():
        con.print(f"sample efficiency {tname}: {json.dumps({k: eff[k] for k in ('sizes', 'equivariant', 'baseline')})}")
    con.print(f"our check throughput: {json.dumps(thr)}")
    con.print(f"wrote {png} and {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
