"""Benchmark: cases per second of one exhaustive check, on 1 and on N worker processes.

The check is ``ArchLaw.Carry.CarryCell`` (``(cell a b c).1.val + B * (cell a b c).2.val = a.val +
b.val + c.val``) at base 2,236: 2·B² = 9,999,392 cases, all enumerated (``--budget 10000000``).
Throughput needs no training: the cell is the adder's own table, looked up (`TableCell`; an
untrained ``CarryCellMLP(base=2236)`` would serve as well, but its 4,474-wide one-hot inputs make
one run take minutes on two cores), so the law holds and the figure is the engine's own rate:
enumeration, interpretation, comparison and the reduce.

Each run is the very command a user types, in a subprocess::

    python -m archlaw check ArchLaw.Carry.CarryCell --model bench_distributed:table_binding \\
        --param base=2236 --budget 10000000 --chunk-cases 262144 --json [--workers N]

and the rate is the field's cases over the field's wall time as rank 0 reports it (``seconds``
in ``--json``: its own share, then the wait for the others and the reduce), so process start-up
and the import of torch are left out; the wall time of the whole command is reported beside it.
Each worker gets ``OMP_NUM_THREADS`` = cores / N, so 1 worker and N workers use the same cores:
on a 2-core machine 2× is the ceiling. ``--chunk-cases`` is the same for every run, so every run
evaluates the same batches and the reports are equal (the script checks that they are, apart
from ``workers``).

On a multi-GPU node the same check runs one rank per GPU (``cuda:LOCAL_RANK``)::

    torchrun --nproc-per-node 8 -m archlaw check ArchLaw.Carry.CarryCell \\
        --model bench_distributed:table_binding --param base=2236 --budget 10000000 --json

(run from scripts/, or with scripts/ on PYTHONPATH), or this script with ``--workers 1,8``.

    OMP_WAIT_POLICY=PASSIVE python scripts/bench_distributed.py [--repeat 3] [--out F.json]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
LAW = "ArchLaw.Carry.CarryCell"
BASE = 2236


def table_binding(base: int = BASE):
    """``CarryCell B cell`` bound to the adder's table: ``cell a b c = divmod(a + b + c, B)``,
    looked up in (B, B, 2) buffers; the law holds on every case."""
    import torch

    from archlaw.bridge.binding import Binding

    class TableCell(torch.nn.Module):
        """decode(a, b, c): (N,) long each -> (digit (N,), carry (N,)) long, by table lookup."""

        def __init__(self, base: int):
            super().__init__()
            s = (torch.arange(base)[:, None, None] + torch.arange(base)[None, :, None]
                 + torch.arange(2)[None, None, :])
            self.base = base
            self.register_buffer("digit", s % base)
            self.register_buffer("carry", s // base)

        def decode(self, a, b, c):
            return self.digit[a, b, c], self.carry[a, b, c]

    cell = TableCell(int(base))
    return Binding(sorts={}, params={"B": cell.base},
                   symbols={"cell": lambda a, b, c: cell.decode(a, b, c)},
                   model_symbols=frozenset({"cell"}), module=cell,
                   metadata={"name": f"table cell B={cell.base}"})


def run_once(workers: int, chunk: int, device: str, threads: int) -> dict:
    argv = [sys.executable, "-m", "archlaw", "check", LAW, "--model",
            "bench_distributed:table_binding", "--param", f"base={BASE}",
            "--budget", "10000000", "--chunk-cases", str(chunk), "--device", device, "--json"]
    if workers > 1:
        argv += ["--workers", str(workers)]
    env = {**os.environ, "OMP_WAIT_POLICY": "PASSIVE",
           "OMP_NUM_THREADS": str(max(1, threads // workers))}
    t0 = time.perf_counter()
    r = subprocess.run(argv, cwd=HERE, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    if r.returncode != 0:
        raise SystemExit(f"bench_distributed: {' '.join(argv[2:])} exited {r.returncode}: "
                         f"{r.stderr.strip()[-500:]}")
    rep = json.loads(r.stdout)
    (field,) = rep["fields"]
    return {"workers": workers, "cases": field["cases"], "seconds": field["seconds"],
            "cases_per_s": field["cases"] / field["seconds"], "wall_s": wall, "report": rep}


def _without_timing(rep: dict) -> dict:
    if isinstance(rep, dict):
        return {k: _without_timing(v) for k, v in rep.items() if k not in ("seconds", "workers")}
    if isinstance(rep, list):
        return [_without_timing(v) for v in rep]
    return rep


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--workers", default="1,2", help="worker counts to run, e.g. 1,2 (default)")
    p.add_argument("--repeat", type=int, default=3,
                   help="runs per worker count; the median rate is reported (default 3)")
    p.add_argument("--chunk-cases", type=int, default=1 << 18,
                   help="cases per batch, the same in every run (default 262144)")
    p.add_argument("--device", default="auto", help="auto (each rank on cuda:LOCAL_RANK when "
                   "CUDA is available, else the CPU), or cpu")
    p.add_argument("--threads", type=int, default=os.cpu_count() or 1,
                   help="cores shared among the workers (default: all)")
    p.add_argument("--out", type=Path, default=None, help="write the results as JSON here")
    args = p.parse_args(argv)
    counts = [int(x) for x in args.workers.split(",")]
    runs = []
    for n in counts:  # interleaving would be fairer to drifting load; the median absorbs some
        tries = [run_once(n, args.chunk_cases, args.device, args.threads)
                 for _ in range(args.repeat)]
        best = sorted(tries, key=lambda r: r["cases_per_s"])[len(tries) // 2]
        runs.append({**best, "all_cases_per_s": [r["cases_per_s"] for r in tries]})
    base = runs[0]
    same = all(_without_timing(r["report"]) == _without_timing(base["report"]) for r in runs)
    print(f"{LAW} on the table cell, base {BASE}: {base['cases']:,} cases, exhaustive; "
          f"{args.threads} cores, torch threads per worker = cores / workers; "
          f"median of {args.repeat}")
    for r in runs:
        print(f"  {r['workers']} worker(s): {r['cases_per_s']:,.0f} cases/s "
              f"(check {r['seconds']:.2f} s, whole command {r['wall_s']:.1f} s with start-up), "
              f"{r['cases_per_s'] / base['cases_per_s']:.2f}x the first")
    print(f"  reports equal apart from workers and timings: {same}")
    if args.out:
        args.out.write_text(json.dumps({
            "argv": ["scripts/bench_distributed.py", *(sys.argv[1:] if argv is None else argv)],
            "law": LAW, "base": BASE, "cores": args.threads, "chunk_cases": args.chunk_cases,
            "device": args.device, "platform": platform.platform(),
            "python": sys.version.split()[0], "reports_equal": same,
            "runs": [{k: v for k, v in r.items() if k != "report"} for r in runs]}, indent=2) + "\n")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
