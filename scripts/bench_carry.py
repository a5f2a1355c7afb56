#!/usr/bin/env python
"""Benchmark: the learned adders against a transformer, from 8 to 10,000 digits, in one run.

    OMP_WAIT_POLICY=PASSIVE .venv/bin/python scripts/bench_carry.py --threads 1

Measures, on random operands (fresh, seeded) and on the carry chain ``99…9 + 1``:

* exact-match accuracy at 8, 16, 100, 1,000 and 10,000 digits for
  - the Mealy adder (`MealyAdder`: the learned cell, hard-decoded at every step; the adder
    that a Lean-checked `add_correct` would certify),
  - the log-depth adder (`LookaheadAdder`: learned combine, Hillis–Steele scan),
  - the transformer baseline (``runs/transformer_adder``, trained by
    ``scripts/train_transformer_adder.py``; trained here with its defaults if absent);
* throughput in digits per second of five engines, side by side in this run, on one pair of
  random operands (``--engine-digits``, default 10^6): the network's sequential Mealy adder (on
  the first ``--network-seq-digits`` digits only, default 10^5: it runs about 10^4 digits/s), the
  network's log-depth adder, the sequential adder on the cell's table, the carry-lookahead on the
  table (`archlaw.models.carry.table`), and Python's own ``+`` on the two integers built
  beforehand (only the addition is timed: Python's int <-> str conversion is quadratic). Each
  engine's sum is checked against an independent reference (``decimal``'s exact addition); each
  time is the median of ``--repeat`` runs (one for the network's sequential adder);
* that both table engines give the network's sum digit for digit on every operand of the
  accuracy table.

Writes the accuracy-vs-length PNG (``--png``, default ``docs/img/carry_accuracy.png``), the raw
figures as JSON (``--json``, default ``runs/bench_carry.json``, and for a full run, not
``--scale``d, a copy under ``docs/bench/bench_carry.json``, committed) and prints a Markdown table.
torch's thread count and OMP_WAIT_POLICY are set explicitly and reported.

``--train-sweep 2,10,16,36 --sweep-seeds 5`` instead measures training alone: for each base and
each seed 0..N-1, one training run of the cell (`CellConfig.for_base`, or ``--sweep-steps``), whether
the decoded cell is exact on all 2·B² inputs, and its time; JSON in
``docs/bench/carry_train_sweep.json``.

``--memory 1e4,1e5,1e6`` instead measures memory: the peak RSS of ``archlaw add @a @b`` (each run a
fresh process, read with ``os.wait4``) at each length, for the log-depth adder (its scan chunked,
`SCAN_POSITIONS`) and, up to ``--memory-seq-max`` digits, the sequential one; and, as the
baseline measured in the same run, ``archlaw add 1 2`` and the unchunked scan of before
(``LookaheadAdder.run`` with one chunk). Each sum is checked against Python's integers. JSON in
``docs/bench/carry_memory.json`` (``--memory-json``).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import numpy as np  # noqa: E402
import torch  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

from archlaw.models.carry.train import CellConfig
from archlaw.models.carry.modules import LookaheadAdder, MealyAdder  # noqa: E402
from archlaw.models.carry.train import cell_loop, cell_recipe, cell_table_errors  # noqa: E402
from archlaw.models.carry.data import chain_operands, random_operands, reference_add  # noqa: E402
from archlaw.models.carry.store import load_or_train  # noqa: E402
from archlaw.models.carry.table import read_cell_table, table_lookahead, table_sequential  # noqa: E402
from archlaw.models.training import fit  # noqa: E402

LENGTHS = (8, 16, 100, 1000, 10_000)
#: random pairs per length (fewer at long lengths: the transformer's attention is quadratic)
SAMPLES = {8: 10_000, 16: 10_000, 100: 2_000, 1000: 500, 10_000: 50}
#: batch per forward pass of the transformer at each length (bounds its memory)
TF_BATCH = {8: 2_000, 16: 2_000, 100: 250, 1000: 25, 10_000: 2}


def _batched(fn, xs, ys, batch):
    return torch.cat([fn(xs[i:i + batch], ys[i:i + batch]) for i in range(0, xs.shape[0], batch)])


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--transformer-run", default=str(ROOT / "runs/transformer_adder"))
    ap.add_argument("--png", default=str(ROOT / "docs/img/carry_accuracy.png"))
    ap.add_argument("--json", default=str(ROOT / "runs/bench_carry.json"))
    ap.add_argument("--engine-digits", type=float, default=1e6,
                    help="operand length of the engine comparison (default 1e6)")
    ap.add_argument("--network-seq-digits", type=float, default=1e5,
                    help="the network's sequential adder runs on this many of them (default 1e5)")
    ap.add_argument("--repeat", type=int, default=3, help="timings per engine (median reported)")
    ap.add_argument("--scale", type=float, default=1.0, help="multiply the sample counts (smoke runs)")
    ap.add_argument("--transformer-probe", type=int, default=100_000,
                    help="also run the transformer on one pair of this many digits (0: skip), to "
                         "see how far memory allows")
    ap.add_argument("--cached-cell", action="store_true",
                    help="use the user cache's cell instead of training a fresh one in this run")
    ap.add_argument("--train-sweep", default=None, metavar="BASES",
                    help="only measure cell training, for these comma-separated bases")
    ap.add_argument("--sweep-seeds", type=int, default=1, help="seeds 0..N-1 per base (sweep)")
    ap.add_argument("--sweep-steps", type=int, default=None,
                    help="training steps in the sweep (default: CellConfig.for_base's)")
    ap.add_argument("--sweep-json", default=str(ROOT / "docs/bench/carry_train_sweep.json"))
    ap.add_argument("--memory", default=None, metavar="LENGTHS",
                    help="only measure peak memory of `archlaw add` at these comma-separated "
                         "lengths (e.g. 1e4,1e5,1e6)")
    ap.add_argument("--memory-seq-max", type=float, default=1e5,
                    help="longest operands for the sequential adder in --memory (it runs about "
                         "7,000 digits/s)")
    ap.add_argument("--memory-json", default=str(ROOT / "docs/bench/carry_memory.json"))
    args = ap.parse_args(argv)

    torch.set_num_threads(args.threads)
    env = {"argv": ["scripts/bench_carry.py", *(sys.argv[1:] if argv is None else argv)],
           "torch_threads": torch.get_num_threads(), "OMP_WAIT_POLICY": os.environ["OMP_WAIT_POLICY"],
           "torch": torch.__version__, "python": platform.python_version(),
           "cpu": platform.processor() or platform.machine(), "cpu_count": os.cpu_count(),
           "device": "cpu"}
    print(json.dumps(env))
    if args.train_sweep:
        return _train_sweep(args, env)
    if args.memory:
        return _memory(args, env)

    t0 = time.time()
    import tempfile

    root = None if args.cached_cell else Path(tempfile.mkdtemp(prefix="archlaw_bench_"))
    cached = load_or_train(CellConfig(), device="cpu", root=root)
    seq = MealyAdder(cached.cell)
    la = LookaheadAdder(cached.cell, cached.combine)
    cell_info = {"path": str(cached.path), "trained_now": cached.trained_now,
                 "load_or_train_seconds": round(time.time() - t0, 2), **cached.meta["cell"],
                 "combine": cached.meta["combine"]}

    from train_transformer_adder import load as load_tf
    from train_transformer_adder import main as train_tf

    run_dir = Path(args.transformer_run)
    if not (run_dir / "checkpoint.pt").exists():
        print(f"no transformer at {run_dir}: training it with the script's defaults")
        train_tf(["--run-dir", str(run_dir), "--threads", str(args.threads)])
    tf, tf_summary = load_tf(run_dir)

    table = read_cell_table(cached.cell)
    results: dict = {"env": env, "cell": cell_info, "transformer_budget": tf_summary,
                     "random": {}, "chain": {}, "transformer_stopped_at": None,
                     "table_equals_network": {}}
    models = {"Mealy adder (sequential)": seq.run, "log-depth (scan)": la.run,
              "transformer": tf.predict}
    g = torch.Generator().manual_seed(args.seed)
    for length in LENGTHS:
        n = max(1, int(SAMPLES[length] * args.scale))
        xs, ys = random_operands(n, length, 10, g)
        ref = reference_add(xs, ys, 10)
        cx, cy = chain_operands(1, length, 10)
        cref = reference_add(cx, cy, 10)
        row, crow = {}, {}
        for name, fn in models.items():
            t = time.time()
            try:
                batch = TF_BATCH[length] if name == "transformer" else n
                with torch.no_grad():
                    out = _batched(fn, xs, ys, batch)
                    cout = fn(cx, cy)
            except (RuntimeError, MemoryError) as e:  # out of memory: record where it stopped
                results["transformer_stopped_at"] = {"length": length, "error": str(e)[:200]}
                row[name] = None
                crow[name] = None
                print(f"{name} stopped at {length} digits: {str(e)[:120]}")
                continue
            ok = int((out == ref).all(1).sum())
            row[name] = {"exact": ok, "n": n, "rate": ok / n,
                         "digit_acc": float((out == ref).float().mean()),
                         "seconds": round(time.time() - t, 3)}
            crow[name] = bool((cout == cref).all())
            print(f"{length:>6} digits  {name:<24} exact {ok}/{n}  chain 9…9+1: "
                  f"{'right' if crow[name] else 'WRONG'}  ({time.time() - t:.1f}s)", flush=True)
        results["random"][length] = row
        results["chain"][length] = crow
        same = all(np.array_equal(engine(table, a.numpy(), b.numpy()), seq.run(a, b).numpy())
                   for a, b in ((xs, ys), (cx, cy)) for engine in (table_sequential, table_lookahead))
        results["table_equals_network"][length] = same
        print(f"{length:>6} digits  table engines = the network's Mealy adder: {same}", flush=True)

    results["engines"] = _engines(args, g, cached, table)
    if args.transformer_probe:
        import resource

        L = args.transformer_probe
        xs, ys = random_operands(1, L, 10, g)
        ref = reference_add(xs, ys, 10)
        t = time.time()
        try:
            out = tf.predict(xs, ys)
            probe = {"digits": L, "ran": True, "seconds": round(time.time() - t, 1),
                     "exact": bool((out == ref).all()),
                     "digit_acc": float((out == ref).float().mean())}
        except (RuntimeError, MemoryError) as e:
            probe = {"digits": L, "ran": False, "error": str(e)[:200]}
        probe["peak_rss_gb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6, 2)
        results["transformer_probe"] = probe
        print(f"transformer probe: {probe}")
    results["total_seconds"] = round(time.time() - t0, 1)

    full = args.scale == 1.0 and args.engine_digits == 1e6  # smoke runs stay out of docs/
    for out in (Path(args.json),) + ((ROOT / "docs/bench/bench_carry.json",) if full else ()):
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(results, indent=2))
    _plot(results, Path(args.png))
    print(_markdown(results))
    return 0


#: The engines compared by `_engines`, in the order they are reported.
ENGINES = ("network: sequential (MealyAdder)", "network: log-depth (LookaheadAdder)",
           "table: sequential", "table: lookahead", "Python int +")


def _engines(args: argparse.Namespace, g: torch.Generator, cached, table) -> dict:
    """Digits per second of each engine (`ENGINES`) on one pair of random operands, every sum
    checked against ``decimal``'s exact addition of the same operands."""
    import decimal
    import statistics

    from archlaw.models.carry.data import DIGIT_CHARS

    sys.set_int_max_str_digits(0)
    n = int(args.engine_digits)
    xs, ys = random_operands(1, n, 10, g)
    text = lambda d: "".join(DIGIT_CHARS[v] for v in d[::-1]).lstrip("0") or "0"  # noqa: E731
    xn, yn = xs.numpy(), ys.numpy()
    seq, la = MealyAdder(cached.cell), LookaheadAdder(cached.cell, cached.combine)

    def as_text(out) -> str:
        d = np.asarray(out)[0]
        return (d[::-1].astype(np.uint8) + 48).tobytes().decode().lstrip("0") or "0"

    def reference(m: int) -> str:
        ctx = decimal.Context(prec=m + 2, Emax=decimal.MAX_EMAX)
        return str(ctx.add(decimal.Decimal(text(xn[0, :m].tolist())),
                           decimal.Decimal(text(yn[0, :m].tolist()))))

    m_seq = min(n, int(args.network_seq_digits))
    refs = {n: reference(n), m_seq: reference(m_seq)}
    t = time.perf_counter()
    xi, yi = int(text(xn[0].tolist())), int(text(yn[0].tolist()))
    build = time.perf_counter() - t
    runs = {
        ENGINES[0]: (m_seq, lambda: seq.run(xs[:, :m_seq], ys[:, :m_seq]), 1),
        ENGINES[1]: (n, lambda: la.run(xs, ys), args.repeat),
        ENGINES[2]: (n, lambda: table_sequential(table, xn, yn), args.repeat),
        ENGINES[3]: (n, lambda: table_lookahead(table, xn, yn), args.repeat),
        ENGINES[4]: (n, lambda: xi + yi, args.repeat),
    }
    seq.run(xs[:, :1000], ys[:, :1000])  # warm-up
    la.run(xs[:, :1000], ys[:, :1000])
    out: dict = {"digits": n, "python_ints_built_in_s": round(build, 2), "rows": {}}
    for name, (m, fn, reps) in runs.items():
        secs = []
        for _ in range(reps):
            t = time.perf_counter()
            got = fn()
            secs.append(time.perf_counter() - t)
        med = statistics.median(secs)
        exact = (int(refs[m]) == got) if isinstance(got, int) else as_text(got) == refs[m]
        out["rows"][name] = {"digits": m, "seconds": med, "all_seconds": secs,
                             "digits_per_s": round(m / med), "exact": exact}
        print(f"engine {name:<38} {m:>10,} digits  {m / med:>16,.0f} digits/s "
              f"(median of {reps}: {med:.4g} s)  exact={exact}", flush=True)
    la_rate = out["rows"][ENGINES[3]]["digits_per_s"]
    out["aim_1e7_digits_per_s_met"] = la_rate >= 1e7
    # the table lookahead's rate over each other engine's (digits/s over digits/s)
    out["lookahead_rate_over"] = {name: round(la_rate / r["digits_per_s"], 4)
                                  for name, r in out["rows"].items() if name != ENGINES[3]}
    print(f"table lookahead at {n:,} digits: {la_rate:,} digits/s; aim 10^7: "
          f"{'met' if la_rate >= 1e7 else 'missed'}")
    return out


def _train_sweep(args: argparse.Namespace, env: dict) -> int:
    """One training run per (base, seed): exact or not (errors out of 2·B²), seconds."""
    bases = [int(b) for b in args.train_sweep.split(",")]
    rows = []
    for base in bases:
        for seed in range(args.sweep_seeds):
            cfg = CellConfig.for_base(base, seed)
            if args.sweep_steps is not None:
                cfg = CellConfig(base=base, seed=seed, steps=args.sweep_steps)
            t = time.perf_counter()
            # one try of the shared loop (seeded before the cell is built), exact or not
            cell, rep = fit(cell_recipe(cfg), cell_loop(cfg, "cpu", max_tries=1), progress=False)
            secs, loss = time.perf_counter() - t, rep.final_loss
            wrong = len(cell_table_errors(cell))
            rows.append({"base": base, "seed": seed, "seeds_tried": list(rep.seeds_tried),
                         "steps": cfg.steps, "hidden": cfg.hidden,
                         "exact": wrong == 0, "wrong_cases": wrong, "cases": 2 * base * base,
                         "seconds": round(secs, 2), "final_loss": round(loss, 5)})
            print(f"base {base:>2} seed {seed} steps {cfg.steps}: "
                  f"{'exact' if wrong == 0 else f'{wrong} of {2 * base * base} wrong'} "
                  f"in {secs:.1f} s", flush=True)
    summary = {}
    for base in bases:
        rs = [r for r in rows if r["base"] == base]
        summary[base] = {"exact": sum(r["exact"] for r in rs), "runs": len(rs),
                         "steps": rs[0]["steps"],
                         "seconds": [r["seconds"] for r in rs]}
    out = Path(args.sweep_json)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"env": env, "argv": sys.argv[1:], "runs": rows,
                               "summary": summary}, indent=2))
    for base, sm in summary.items():
        print(f"base {base}: {sm['exact']} of {sm['runs']} seeds exact at {sm['steps']} steps; "
              f"seconds {sm['seconds']}")
    return 0


#: Run in a fresh process by `_memory`: the log-depth adder with its scan in one chunk (as it was
#: before chunking), on random operands of argv[1] digits; prints the sum's digits (top first).
_UNCHUNKED = """
import sys, torch
from archlaw.models.carry.train import CellConfig
from archlaw.models.carry.modules import LookaheadAdder
from archlaw.models.carry.data import format_digits, parse_number
from archlaw.models.carry.store import load_or_train
torch.set_num_threads(1)
c = load_or_train(CellConfig(), device="cpu")
x, y = (parse_number(open(p).read(), 10, p) for p in sys.argv[1:3])
w = max(len(x), len(y))
xs = torch.tensor([x + [0] * (w - len(x))]); ys = torch.tensor([y + [0] * (w - len(y))])
print(format_digits(LookaheadAdder(c.cell, c.combine).run(xs, ys, positions=10 ** 15)[0], 10))
"""


def _peak_rss(cmd: list[str], env: dict) -> tuple[float, float, str]:
    """(peak RSS in MB, seconds, stdout) of `cmd` run as a fresh process."""
    import subprocess
    import tempfile

    with tempfile.TemporaryFile() as out:
        t = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.DEVNULL, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        secs = time.perf_counter() - t
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0:
            raise RuntimeError(f"{cmd[3:]} exited {proc.returncode}")
        out.seek(0)
        return usage.ru_maxrss / 1024, secs, out.read().decode().strip()


def _memory(args: argparse.Namespace, env_info: dict) -> int:
    """Peak RSS of `archlaw add` by length and adder, against a baseline measured in this run."""
    import random
    import tempfile

    sys.set_int_max_str_digits(0)
    lengths = [int(float(v)) for v in args.memory.split(",")]
    work = Path(tempfile.mkdtemp(prefix="archlaw_mem_"))
    env = dict(os.environ, OMP_WAIT_POLICY="PASSIVE")
    if not args.cached_cell:
        env["ARCHLAW_CACHE"] = str(work / "cache")
    load_or_train(CellConfig(), device="cpu",
                  root=Path(env["ARCHLAW_CACHE"]) if "ARCHLAW_CACHE" in env else None)
    add = [sys.executable, "-c", "from archlaw.cli.app import main; raise SystemExit(main())",
           "add", "--threads", "1", "--device", "cpu"]
    base_mb, _, s = _peak_rss(add + ["1", "2"], env)
    assert s == "3", s
    rows = [{"what": "archlaw add 1 2 (baseline)", "digits": 1, "peak_rss_mb": round(base_mb, 1)}]
    print(f"baseline `archlaw add 1 2`: peak RSS {base_mb:.0f} MB", flush=True)
    rng = random.Random(args.seed)
    for n in lengths:
        x = rng.randrange(10 ** (n - 1), 10 ** n)
        y = rng.randrange(10 ** (n - 1), 10 ** n)
        a, b = work / f"a{n}.txt", work / f"b{n}.txt"
        a.write_text(f"{x}\n")
        b.write_text(f"{y}\n")
        runs = [("archlaw add --adder log-depth (chunked scan)", add + ["--adder", "log-depth"]),
                ("LookaheadAdder.run, one unchunked scan (before)", [sys.executable, "-c", _UNCHUNKED])]
        if n <= args.memory_seq_max:
            runs.append(("archlaw add (sequential)", add))
        for what, cmd in runs:
            mb, secs, out = _peak_rss(cmd + [f"@{a}" if cmd[3:4] == ["add"] else str(a),
                                             f"@{b}" if cmd[3:4] == ["add"] else str(b)], env)
            exact = out == str(x + y)
            rows.append({"what": what, "digits": n, "peak_rss_mb": round(mb, 1),
                         "above_baseline_mb": round(mb - base_mb, 1),
                         "bytes_per_digit_above_baseline": round((mb - base_mb) * 2 ** 20 / n, 1),
                         "seconds": round(secs, 2), "exact": exact})
            print(f"{n:>10,} digits  {what:<48} peak RSS {mb:7.0f} MB "
                  f"({(mb - base_mb) * 2 ** 20 / n:8.1f} B/digit above baseline)  {secs:6.1f} s  "
                  f"exact={exact}", flush=True)
    out = Path(args.memory_json)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"env": env_info, "argv": sys.argv[1:], "rows": rows}, indent=2))
    return 0 if all(r.get("exact", True) for r in rows) else 1


def _plot(results: dict, png: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6.4, 3.8), dpi=120)
    styles = {"Mealy adder (sequential)": ("o-", 9), "log-depth (scan)": ("s--", 6),
              "transformer": ("^-", 6)}
    for name, (style, ms) in styles.items():
        xs, ys = [], []
        for length, row in results["random"].items():
            if row.get(name) is not None:
                xs.append(int(length))
                ys.append(100 * row[name]["rate"])
        ax.plot(xs, ys, style, label=name, markersize=ms, markerfacecolor="none")
    tb = results["transformer_budget"]
    ax.axvline(8, color="grey", lw=0.8, ls=":")
    ax.text(8.6, 30, "longest training length\nof the transformer (8 digits);\nthe cells saw at most 4",
            fontsize=7, color="grey")
    ax.set_xscale("log")
    ax.set_xlabel("operand length (digits)")
    ax.set_ylabel("exact match, random operands (%)")
    ax.set_ylim(-3, 103)
    ax.set_title("Addition: learned law-checked adders vs a transformer (base 10)", fontsize=10)
    ax.legend(fontsize=8, loc="center right")
    fig.text(0.01, 0.01, f"transformer: {tb.get('steps')} steps × batch {tb.get('batch')}, "
             f"{tb.get('minutes')} CPU min, {tb.get('threads')} thread(s); "
             f"{tb.get('exact_match_8_digits', 0) * 100:.2f}% exact at 8 digits", fontsize=6.5)
    fig.tight_layout(rect=(0, 0.04, 1, 1))
    png.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(png)


def _markdown(results: dict) -> str:
    names = ["Mealy adder (sequential)", "log-depth (scan)", "transformer"]
    lines = ["| digits | " + " | ".join(f"{n}: random exact / 9…9+1" for n in names)
             + " | transformer: digits right |",
             "| ---: | " + " | ".join("---" for _ in names) + " | ---: |"]
    for length, row in results["random"].items():
        cells = []
        for n in names:
            r = row.get(n)
            c = results["chain"][length].get(n)
            if r is None:
                cells.append("not run (out of memory)")
            else:
                cells.append(f"{r['exact']:,}/{r['n']:,} ({100 * r['rate']:.2f}%) / "
                             f"{'right' if c else 'wrong'}")
        tr = row.get("transformer")
        lines.append(f"| {int(length):,} | " + " | ".join(cells) + " | "
                     + (f"{100 * tr['digit_acc']:.1f}%" if tr else "—") + " |")
    lines.append("")
    lines.append("")
    lines.append("| engine | digits | seconds (median) | digits/s | exact |")
    lines.append("| --- | ---: | ---: | ---: | --- |")
    for n, t in results["engines"]["rows"].items():
        lines.append(f"| {n} | {t['digits']:,} | {t['seconds']:.3g} | {t['digits_per_s']:,} | "
                     f"{t['exact']} |")
    lines.append("")
    same = results["table_equals_network"]
    lines.append(f"- table engines (sequential and lookahead) = the network's Mealy adder, digit for "
                 f"digit, on every operand of the accuracy table: {all(same.values())}")
    p = results.get("transformer_probe")
    if p:
        lines.append(f"- transformer on one pair of {p['digits']:,} digits: "
                     + (f"ran in {p['seconds']} s, exact: {p['exact']}, digits right "
                        f"{100 * p['digit_acc']:.1f}%" if p["ran"] else f"stopped: {p['error']}")
                     + f" (peak RSS of the whole benchmark {p['peak_rss_gb']} GB)")
    c = results["cell"]
    lines.append(f"- cell: trained in this run in {c['seconds']} s (seed {c['seed']}, seeds tried "
                 f"{c['seeds_tried']}); combine in {c['combine']['seconds']} s")
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())
