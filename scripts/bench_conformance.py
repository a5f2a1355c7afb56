"""Benchmark: law cases checked per second, batched engine vs. per-case loops, in one run.

Two workloads, each measured three ways in the same process with the same thread settings:

1. ``equivariance``: the library law ``ArchLaw.Equivariant`` (``f (actX g x) = actY g (f x)``) on
   a 64-channel circular convolution over signals of length 16, with C_16 acting by cyclic
   shifts: every group element is enumerated for each sampled input.
2. ``fold``: the ``cons`` field of ``ArchLaw.FoldLaws`` (``run (a :: as) = cell a (run as)``) on a
   tanh RNN (inputs Float[16], state Float[64]) over lists of exactly 1,000 elements.

Ways: ``engine`` (`check_law`, batched, chunked), ``engine, 1 case per batch`` (`check_law` with
``chunk_cases=1``: the same engine, a Python loop over cases), and ``hand loop`` (plain torch,
one case at a time, no engine). Per-case loops run on a prefix of the cases (they are slow); the
rate is what is compared. Each figure is the median of ``--repeat`` (3) timings. Results go to stdout (rich table) and, with ``--out``, to JSON. The laws are the library's, as `archlaw check` reads them (no hand-built fallback: an unreadable library is an error, exit 2); the output records each law's statement provenance and where it was read from.

    OMP_WAIT_POLICY=PASSIVE python scripts/bench_conformance.py --threads 1

The script sets ``OMP_WAIT_POLICY=PASSIVE`` (before importing torch) and
``torch.set_num_threads(--threads)`` itself, and reports both.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import torch  # noqa: E402

from archlaw.bridge.binding import Binding, ListBatch  # noqa: E402
from archlaw.bridge.conformance import check_law  # noqa: E402
from archlaw.bridge.errors import ArchLawError  # noqa: E402
from archlaw.bridge.ir import Law  # noqa: E402
from archlaw.bridge.sorts import Finite, FloatTensor  # noqa: E402
from archlaw.models.training import seed_everything  # noqa: E402


#: The laws the benchmark checked, as read: name -> (statement provenance, where from).
LAWS_USED: dict[str, dict] = {}


def _law(name: str) -> Law:
    """The library's law, as `archlaw check` reads it. No fallback: a benchmark of a law built
    here by hand would not be a benchmark of the library's law; an unreadable library is the
    error it is (`ArchLawError`, one line)."""
    from archlaw.bridge.library import load_export_explained

    loaded = load_export_explained()
    law = loaded.export.find(name)
    if not isinstance(law, Law):
        raise SystemExit(f"bench_conformance: {name} is a {law.kind}, not a law")
    LAWS_USED[name] = {"statement": law.statement_provenance, "origin": loaded.origin,
                       "path": str(loaded.path) if loaded.path else None}
    return law


def roll(g: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    """C_n acting on (N, C, n) signals: shift case i by g[i]."""
    n = x.shape[-1]
    idx = (torch.arange(n).unsqueeze(0) - g.unsqueeze(1)) % n
    return torch.gather(x, 2, idx.unsqueeze(1).expand(-1, x.shape[1], -1))


def bench_equivariance(samples: int, loop_cases: int) -> list[dict]:
    seed_everything(0)
    C, n = 64, 16
    conv = torch.nn.Conv1d(C, C, 3, padding=1, padding_mode="circular")
    f = lambda x: torch.relu(conv(x))  # noqa: E731
    b = Binding(sorts={"G": Finite(n), "X": FloatTensor((C, n)), "Y": FloatTensor((C, n))},
                params={}, symbols={"actX": roll, "actY": roll, "f": f},
                model_symbols=frozenset({"f"}), module=conv)
    law = _law("ArchLaw.Equivariant")
    out = []
    dt, rep = timed(lambda: check_law(law, b, samples=samples))
    assert rep.passed, rep.summary()
    out.append(_row("equivariance", "engine (batched)", rep.cases, dt, rep.worst_error))
    dt, rep1 = timed(lambda: check_law(law, b, samples=max(1, loop_cases // n), chunk_cases=1))
    out.append(_row("equivariance", "engine, 1 case per batch", rep1.cases, dt, rep1.worst_error))
    gen = torch.Generator().manual_seed(1)
    xs = torch.randn(loop_cases, C, n, generator=gen)

    def hand() -> float:
        worst = 0.0
        with torch.no_grad():
            for i in range(loop_cases):
                g = torch.tensor([i % n])
                x = xs[i: i + 1]
                lhs, rhs = f(roll(g, x)), roll(g, f(x))
                worst = max(worst, float((lhs - rhs).abs().max() / lhs.abs().max().clamp_min(1e-30)))
        return worst

    dt, worst = timed(hand)
    out.append(_row("equivariance", "hand loop (1 case at a time)", loop_cases, dt, worst))
    return out


class RNN(torch.nn.Module):
    """tanh RNN: cell a h = tanh(h W + a U); run folds from the right (last element first)."""

    def __init__(self, a: int = 16, h: int = 64):
        super().__init__()
        g = torch.Generator().manual_seed(0)
        self.W = torch.nn.Parameter(torch.randn(h, h, generator=g) / h ** 0.5)
        self.U = torch.nn.Parameter(torch.randn(a, h, generator=g) / a ** 0.5)
        self.h0 = torch.nn.Parameter(torch.zeros(h))

    def cell(self, a: torch.Tensor, h: torch.Tensor) -> torch.Tensor:
        return torch.tanh(h @ self.W + a @ self.U)

    def run(self, xs: ListBatch) -> torch.Tensor:
        n, length = xs.lengths.shape[0], xs.values.shape[1]
        h = self.h0.expand(n, -1)
        for p in reversed(range(length)):
            live = (p < xs.lengths).unsqueeze(1)
            h = torch.where(live, self.cell(xs.values[:, p], h), h)
        return h


def bench_fold(samples: int, loop_cases: int, length: int) -> list[dict]:
    net = RNN()
    b = Binding(sorts={"A": FloatTensor((16,)), "H": FloatTensor((64,))}, params={},
                symbols={"cell": net.cell, "init": lambda: net.h0, "run": net.run},
                model_symbols=frozenset({"cell", "init", "run"}), module=net)
    law = _law("ArchLaw.FoldLaws")
    kw = dict(fields=("cons",), max_length=length - 1, min_length=length - 1)  # a :: as has 1,000
    out = []
    dt, rep = timed(lambda: check_law(law, b, samples=samples, **kw))
    assert rep.passed, rep.summary()
    out.append(_row("fold (length 1,000)", "engine (batched)", rep.cases, dt, rep.worst_error))
    dt, rep1 = timed(lambda: check_law(law, b, samples=loop_cases, chunk_cases=1, **kw))
    out.append(_row("fold (length 1,000)", "engine, 1 case per batch", rep1.cases, dt,
                    rep1.worst_error))
    gen = torch.Generator().manual_seed(1)
    lists = [torch.randn(length, 16, generator=gen) for _ in range(loop_cases)]

    def hand() -> float:
        worst = 0.0
        with torch.no_grad():
            for xs in lists:
                h = net.h0
                for p in reversed(range(length)):  # run (a :: as)
                    h = net.cell(xs[p], h)
                h2 = net.h0
                for p in reversed(range(1, length)):  # cell a (run as)
                    h2 = net.cell(xs[p], h2)
                h2 = net.cell(xs[0], h2)
                worst = max(worst, float((h - h2).abs().max() / h.abs().max().clamp_min(1e-30)))
        return worst

    dt, worst = timed(hand)
    out.append(_row("fold (length 1,000)", "hand loop (1 case at a time)", loop_cases, dt, worst))
    return out


REPEAT = 3


def timed(fn):
    """Run `fn` REPEAT times; (median seconds, last result)."""
    times, out = [], None
    for _ in range(REPEAT):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return sorted(times)[len(times) // 2], out


def _row(workload: str, way: str, cases: int, seconds: float, worst: float) -> dict:
    return {"workload": workload, "way": way, "cases": cases, "seconds": round(seconds, 3),
            "cases_per_s": round(cases / seconds, 1), "worst_error": worst}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--threads", type=int, default=1, help="torch.set_num_threads (default 1)")
    p.add_argument("--eq-samples", type=int, default=2000, help="inputs x (x 16 group elements)")
    p.add_argument("--fold-samples", type=int, default=256, help="lists of length 1,000")
    p.add_argument("--loop-cases", type=int, default=1600, help="cases for the per-case loops")
    p.add_argument("--fold-loop-cases", type=int, default=16, help="lists for the per-case loops")
    p.add_argument("--repeat", type=int, default=3, help="timings per figure (median reported)")
    p.add_argument("--out", default=None, help="write the results as JSON here")
    args = p.parse_args(argv)
    torch.set_num_threads(args.threads)
    global REPEAT
    REPEAT = max(1, args.repeat)
    rows = bench_equivariance(args.eq_samples, args.loop_cases)
    rows += bench_fold(args.fold_samples, args.fold_loop_cases, 1000)
    for w in ("equivariance", "fold (length 1,000)"):
        base = next(r for r in rows if r["workload"] == w and r["way"].startswith("hand"))
        for r in rows:
            if r["workload"] == w:
                r["speedup_vs_hand_loop"] = round(r["cases_per_s"] / base["cases_per_s"], 1)
    env = {"repeat": REPEAT, "load_average": os.getloadavg(), "torch": torch.__version__, "threads": torch.get_num_threads(),
           "OMP_WAIT_POLICY": os.environ.get("OMP_WAIT_POLICY"), "python": platform.python_version(),
           "machine": platform.machine(), "cpus": os.cpu_count(),
           "command": "python scripts/bench_conformance.py " + " ".join(argv or sys.argv[1:]),
           "laws": LAWS_USED}
    from rich.table import Table

    from archlaw.bridge.console import make_console

    table = Table(title=f"conformance throughput (torch {env['torch']}, {env['threads']} thread(s), "
                        f"OMP_WAIT_POLICY={env['OMP_WAIT_POLICY']})")
    for col in ("workload", "way", "cases", "seconds", "cases/s", "x hand loop", "worst error"):
        table.add_column(col)
    for r in rows:
        table.add_row(r["workload"], r["way"], str(r["cases"]), f"{r['seconds']:.2f}",
                      f"{r['cases_per_s']:.1f}", f"{r['speedup_vs_hand_loop']:.1f}",
                      f"{r['worst_error']:.2g}")
    con = make_console(width=130)
    con.print(table)
    for name, used in LAWS_USED.items():
        con.print(f"law {name}: statement {used['statement']}, read by {used['origin']}"
                  + (f" from {used['path']}" if used["path"] else ""))
    if args.out:
        with open(args.out, "w") as fh:
            json.dump({"env": env, "rows": rows}, fh, indent=2)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except ArchLawError as e:  # e.g. the library's laws cannot be read: say so, no fallback
        print(f"bench_conformance: error: {e}", file=sys.stderr)
        sys.exit(2)
