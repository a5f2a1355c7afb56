"""Para benchmark: forward+backward time of a Para composition against the same `nn.Sequential`.

    .venv/bin/python scripts/bench_para.py [--threads 1] [--repeats 200] [--rounds 7] [--out FILE]

The network is 8 layers of ``Linear(256, 256)`` + ReLU, batch 64, float32, on the CPU. The Para
side is ``archlaw.models.para.modules.mlp`` bound to its parameters (`ParaModule`): every layer
runs through `torch.func.functional_call` at the held value. The baseline is the same network,
the same weights, as a plain `nn.Sequential` (`archlaw.models.para.baselines.sequential_of`),
measured in the same run. One step is ``zero grads; loss = y.square().mean(); backward``.

The two are timed in alternating rounds (`--rounds`, each `--repeats` steps after a warm-up), so
that drift of the machine hits both; the ratio reported is median(Para) / median(Sequential)
over rounds. The torch thread count is set (`--threads`, default 1) and recorded. Prints one
JSON object and writes it to `--out` (default docs/bench/bench_para.json).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

ROOT = Path(__file__).resolve().parent.parent


def _step_time(module, x, repeats: int) -> float:
    """Seconds per forward+backward step, averaged over `repeats` steps."""
    params = list(module.parameters())
    t0 = time.perf_counter()
    for _ in range(repeats):
        for p in params:
            p.grad = None
        module(x).square().mean().backward()
    return (time.perf_counter() - t0) / repeats


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--threads", type=int, default=1, help="torch threads (default 1)")
    ap.add_argument("--repeats", type=int, default=200, help="steps per timed round (default 200)")
    ap.add_argument("--rounds", type=int, default=7, help="alternating rounds (default 7)")
    ap.add_argument("--width", type=int, default=256)
    ap.add_argument("--depth", type=int, default=8)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--out", type=Path, default=ROOT / "docs/bench/bench_para.json")
    args = ap.parse_args(argv)
    if min(args.threads, args.repeats, args.rounds, args.width, args.depth, args.batch) < 1:
        print("bench_para: --threads, --repeats, --rounds, --width, --depth and --batch must be "
              "at least 1", file=sys.stderr)
        return 2

    import torch

    sys.path.insert(0, str(ROOT))
    from archlaw.models.para.baselines import sequential_of
    from archlaw.models.para.modules import mlp

    torch.set_num_threads(args.threads)
    m = mlp(args.width, args.depth, seed=0)
    para = m.module()
    seq = sequential_of(m, para.value())
    x = torch.randn(args.batch, args.width, generator=torch.Generator().manual_seed(0))
    with torch.no_grad():   # the same computation, or the ratio means nothing
        same = torch.equal(para(x), seq(x))
    for mod in (para, seq):
        _step_time(mod, x, max(5, args.repeats // 10))   # warm-up
    t_para, t_seq = [], []
    for _ in range(args.rounds):
        t_para.append(_step_time(para, x, args.repeats))
        t_seq.append(_step_time(seq, x, args.repeats))
    mp, ms = statistics.median(t_para), statistics.median(t_seq)
    out = {
        "network": f"{args.depth} x (Linear({args.width}, {args.width}) + ReLU)",
        "batch": args.batch, "dtype": "float32", "device": "cpu", "threads": args.threads,
        "torch": torch.__version__, "repeats": args.repeats, "rounds": args.rounds,
        "same_output": same,
        "para_ms": round(mp * 1e3, 4), "sequential_ms": round(ms * 1e3, 4),
        "ratio": round(mp / ms, 3),
        "para_ms_rounds": [round(t * 1e3, 4) for t in t_para],
        "sequential_ms_rounds": [round(t * 1e3, 4) for t in t_seq],
        "command": "scripts/bench_para.py " + " ".join(argv if argv is not None else sys.argv[1:]),
    }
    text = json.dumps(out, indent=2)
    print(text)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
