"""Benchmark: law cases checked per second: the engine, per-case loops, a hand-batched check.

Three workloads, each measured four ways in the same process with the same thread settings:

1. ``equivariance``: the library law ``ArchLaw.Equivariant`` (``f (actX g x) = actY g (f x)``) on
   a 64-channel circular convolution over signals of length 16, with C_16 acting by cyclic
   shifts: every group element is enumerated for each sampled input.
2. ``fold``: the ``cons`` field of ``ArchLaw.FoldLaws`` (``run (a :: as) = cell a (run as)``) on a
   tanh RNN (inputs Float[16], state Float[64]) over lists of exactly 1,000 elements.
3. ``cyclic shift``: the library law ``ArchLaw.ShiftEquivariant`` (``f (rotate k s) = rotate k
   (f s)``) on the same 64-channel circular convolution over signals ``Fin 16 → Float[64]``; the
   binding supplies only ``f``, and ``rotate`` runs from its Lean body (recorded per row).

Ways: ``engine`` (`check_law`, batched, chunked), ``engine, 1 case per batch`` (`check_law` with
``chunk_cases=1``: the same engine, a Python loop over cases), ``hand loop`` (plain torch, one
case at a time, no engine), and ``hand batched`` (plain torch, every case in one batch, written
as a practitioner would: ``f x`` once per input, shared by its group elements; drawing its
Gaussian inputs inside the timing, as the engine draws its cases): the practical limit. Per-case loops run on a prefix of the cases (they are slow); the rate is what is
compared, and ``hand_batched_per_engine`` is how many times faster the hand-batched check ran
than the engine (issue 14 aims at 1.5 or less): the engine and the hand-batched check are timed
alternately, round by round, and the ratio is the median of the rounds' ratios, so that both
see the same load on a shared machine. Each figure is the median of ``--repeat`` (3) timings. Results go to stdout (rich table) and, with ``--out``, to JSON. The laws are the library's, as `archlaw check` reads them (no hand-built fallback: an unreadable library is an error, exit 2); the output records each law's statement provenance and where it was read from.

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


def equivariance_batched(f, xs: torch.Tensor, act) -> float:
    """The Equivariant law on every (g, x), g in C_n, x in `xs` (N, C, n), in one batch; `act`
    (g, x) acts on the signal axis. ``f x`` runs once per x (the right side shares it across g).
    Returns the worst relative error (per case: max |lhs - rhs| / max |lhs|)."""
    n = xs.shape[-1]
    with torch.no_grad():
        g = torch.arange(n).repeat(xs.shape[0])                  # case (i, g) at row i * n + g
        x = xs.repeat_interleave(n, 0)
        lhs = f(act(g, x))
        rhs = act(g, f(xs).repeat_interleave(n, 0))
        err = (lhs - rhs).flatten(1).abs().amax(1) / lhs.flatten(1).abs().amax(1).clamp_min(1e-30)
    return float(err.max())


def rotate_signals(k: torch.Tensor, s: torch.Tensor) -> torch.Tensor:
    """Lean's ``rotate k s = fun i => s (i + k)`` on (N, n, C) signals, shifting case j by k[j]."""
    n = s.shape[1]
    idx = (torch.arange(n).unsqueeze(0) + k.unsqueeze(1)) % n
    return torch.gather(s, 1, idx.unsqueeze(2).expand(-1, -1, s.shape[2]))


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
    gen = torch.Generator().manual_seed(1)
    dt, rep, hdt, hworst, ratio = timed_pair(
        lambda: check_law(law, b, samples=samples),
        lambda: equivariance_batched(f, torch.randn(samples, C, n, generator=gen), roll))
    assert rep.passed, rep.summary()
    out.append(_row("equivariance", "engine (batched)", rep.cases, dt, rep.worst_error))
    dt, rep1 = timed(lambda: check_law(law, b, samples=max(1, loop_cases // n), chunk_cases=1))
    out.append(_row("equivariance", "engine, 1 case per batch", rep1.cases, dt, rep1.worst_error))
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
    out.append(_row("equivariance", "hand batched", samples * n, hdt, hworst, paired=ratio))
    return out


def conv_signal(conv: torch.nn.Module):
    """`conv` on signals ``Fin n → Float[C]`` as the engine holds them, (N, n, C)."""
    return lambda s: torch.relu(conv(s.transpose(1, 2))).transpose(1, 2)


def bench_shift(samples: int, loop_cases: int) -> list[dict]:
    """``ArchLaw.ShiftEquivariant`` on a 64-channel circular convolution, n = 16: a binding of
    `f` alone, the action `rotate` run from its Lean body."""
    seed_everything(0)
    C, n = 64, 16
    conv = torch.nn.Conv1d(C, C, 3, padding=1, padding_mode="circular")
    f = conv_signal(conv)
    b = Binding(sorts={"X": FloatTensor((C,)), "Y": FloatTensor((C,))}, params={"n": n},
                symbols={"f": f}, model_symbols=frozenset({"f"}), module=conv)
    law = _law("ArchLaw.ShiftEquivariant")
    w = "cyclic shift (rotate from its body)"
    out = []
    gen = torch.Generator().manual_seed(1)
    dt, rep, hdt, hworst, ratio = timed_pair(
        lambda: check_law(law, b, samples=samples),
        lambda: shift_batched(f, torch.randn(samples, n, C, generator=gen)))
    assert rep.passed, rep.summary()
    ran = dict(rep.ran)
    if ran.get("ArchLaw.rotate") != "body":   # the workload exists to time rotate's body
        raise SystemExit(f"bench_conformance: ArchLaw.rotate ran {ran.get('ArchLaw.rotate')!r}")
    out.append(_row(w, "engine (batched)", rep.cases, dt, rep.worst_error, ran))
    dt, rep1 = timed(lambda: check_law(law, b, samples=max(1, loop_cases // n), chunk_cases=1))
    out.append(_row(w, "engine, 1 case per batch", rep1.cases, dt, rep1.worst_error, dict(rep1.ran)))
    ss = torch.randn(loop_cases, n, C, generator=gen)

    def hand() -> float:
        worst = 0.0
        with torch.no_grad():
            for i in range(loop_cases):
                k, s = i % n, ss[i: i + 1]
                lhs, rhs = f(torch.roll(s, -k, 1)), torch.roll(f(s), -k, 1)  # rotate k: i ↦ i + k
                worst = max(worst, float((lhs - rhs).abs().max() / lhs.abs().max().clamp_min(1e-30)))
        return worst

    dt, worst = timed(hand)
    out.append(_row(w, "hand loop (1 case at a time)", loop_cases, dt, worst))
    out.append(_row(w, "hand batched", samples * n, hdt, hworst, paired=ratio))
    return out


def shift_batched(f, ss: torch.Tensor) -> float:
    """The ShiftEquivariant law on every (k, s), k in Fin n, s in `ss` (N, n, C), in one batch,
    ``f s`` once per s. Returns the worst relative error (per case, as `equivariance_batched`)."""
    n = ss.shape[1]
    with torch.no_grad():
        k = torch.arange(n).repeat(ss.shape[0])
        lhs = f(rotate_signals(k, ss.repeat_interleave(n, 0)))
        rhs = rotate_signals(k, f(ss).repeat_interleave(n, 0))
        err = (lhs - rhs).flatten(1).abs().amax(1) / lhs.flatten(1).abs().amax(1).clamp_min(1e-30)
    return float(err.max())


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
    gen = torch.Generator().manual_seed(1)
    dt, rep, hdt, hworst, ratio = timed_pair(
        lambda: check_law(law, b, samples=samples, **kw),
        lambda: fold_batched(net, torch.randn(samples, length, 16, generator=gen)))
    assert rep.passed, rep.summary()
    out.append(_row("fold (length 1,000)", "engine (batched)", rep.cases, dt, rep.worst_error))
    dt, rep1 = timed(lambda: check_law(law, b, samples=loop_cases, chunk_cases=1, **kw))
    out.append(_row("fold (length 1,000)", "engine, 1 case per batch", rep1.cases, dt,
                    rep1.worst_error))
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
    out.append(_row("fold (length 1,000)", "hand batched", samples, hdt, hworst, paired=ratio))
    return out


def fold_batched(net: RNN, xs: torch.Tensor) -> float:
    """The ``cons`` field on every list of `xs` (N, L, A) at once, on the model's own symbols:
    ``run (a :: as)`` against ``cell a (run as)``, each `run` one batched call. Returns the worst
    relative error."""
    n, length = xs.shape[0], xs.shape[1]
    with torch.no_grad():
        lhs = net.run(ListBatch(xs, torch.full((n,), length, dtype=torch.long)))
        rhs = net.cell(xs[:, 0], net.run(ListBatch(xs[:, 1:], torch.full((n,), length - 1,
                                                                           dtype=torch.long))))
        err = (lhs - rhs).abs().amax(1) / lhs.abs().amax(1).clamp_min(1e-30)
    return float(err.max())


REPEAT = 3


def hand_batched_per_engine(rows: list[dict], workload: str) -> dict:
    """How many times the hand-batched check's rate is the engine's on `workload` (rounded to
    0.01; above 1: the engine is slower): the median over the interleaved rounds of
    `timed_pair` (each round times both under the same load), and whether that is within issue
    14's 1.5x."""
    hand = next(r for r in rows if r["workload"] == workload and r["way"] == "hand batched")
    ratio = round(hand["per_engine_paired"], 2)
    return {"hand_batched_per_engine": ratio, "within_1_5x": ratio <= 1.5}


def timed_pair(engine, hand):
    """Run `engine` and `hand` alternately, REPEAT rounds, so that both are timed under the same
    load (the machine may be shared); (median engine seconds, its last result, median hand
    seconds, its last result, median over the rounds of engine seconds ÷ hand seconds, which is
    the hand-batched rate ÷ the engine's for as many cases)."""
    te, th, ratios, a, b = [], [], [], None, None
    for _ in range(REPEAT):
        t = time.perf_counter()
        a = engine()
        te.append(time.perf_counter() - t)
        t = time.perf_counter()
        b = hand()
        th.append(time.perf_counter() - t)
        ratios.append(te[-1] / th[-1])
    med = lambda xs: sorted(xs)[len(xs) // 2]  # noqa: E731
    return med(te), a, med(th), b, med(ratios)


def timed(fn):
    """Run `fn` REPEAT times; (median seconds, last result)."""
    times, out = [], None
    for _ in range(REPEAT):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return sorted(times)[len(times) // 2], out


def _row(workload: str, way: str, cases: int, seconds: float, worst: float,
         ran: dict | None = None, paired: float | None = None) -> dict:
    """One row; `ran`: the constants the engine evaluated and how (``LawReport.ran``);
    `paired`: for the hand-batched row, `timed_pair`'s median ratio to the engine."""
    return {"workload": workload, "way": way, "cases": cases, "seconds": round(seconds, 3),
            "cases_per_s": round(cases / seconds, 1), "worst_error": worst,
            **({"ran": ran} if ran is not None else {}),
            **({"per_engine_paired": round(paired, 3)} if paired is not None else {})}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--threads", type=int, default=1, help="torch.set_num_threads (default 1)")
    p.add_argument("--eq-samples", type=int, default=2000, help="inputs x (x 16 group elements)")
    p.add_argument("--fold-samples", type=int, default=256, help="lists of length 1,000")
    p.add_argument("--loop-cases", type=int, default=1600, help="cases for the per-case loops")
    p.add_argument("--fold-loop-cases", type=int, default=16, help="lists for the per-case loops")
    p.add_argument("--shift-samples", type=int, default=2000,
                   help="signals s for the cyclic-shift law (x 16 shifts)")
    p.add_argument("--repeat", type=int, default=3, help="timings per figure (median reported)")
    p.add_argument("--out", default=None, help="write the results as JSON here")
    args = p.parse_args(argv)
    torch.set_num_threads(args.threads)
    global REPEAT
    REPEAT = max(1, args.repeat)
    rows = bench_equivariance(args.eq_samples, args.loop_cases)
    rows += bench_fold(args.fold_samples, args.fold_loop_cases, 1000)
    rows += bench_shift(args.shift_samples, args.loop_cases)
    summary = {}
    for w in dict.fromkeys(r["workload"] for r in rows):
        base = next(r for r in rows if r["workload"] == w and r["way"].startswith("hand loop"))
        for r in rows:
            if r["workload"] == w:
                r["speedup_vs_hand_loop"] = round(r["cases_per_s"] / base["cases_per_s"], 1)
        summary[w] = hand_batched_per_engine(rows, w)
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
    for w, c in summary.items():
        con.print(f"{w}: hand batched {c['hand_batched_per_engine']}x the engine's rate "
                  f"({'within' if c['within_1_5x'] else 'NOT within'} issue 14's 1.5x)")
    for name, used in LAWS_USED.items():
        con.print(f"law {name}: statement {used['statement']}, read by {used['origin']}"
                  + (f" from {used['path']}" if used["path"] else ""))
    if args.out:
        with open(args.out, "w") as fh:
            json.dump({"env": env, "rows": rows, "engine_vs_hand_batched": summary}, fh, indent=2)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except ArchLawError as e:  # e.g. the library's laws cannot be read: say so, no fallback
        print(f"bench_conformance: error: {e}", file=sys.stderr)
        sys.exit(2)
