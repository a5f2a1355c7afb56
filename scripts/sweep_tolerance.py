"""The float tolerance rule across seeds: no false alarm, and the 1e8-channel case caught.

The rule (`archlaw.bridge.sorts.Tolerance`) takes its scale per group (one per index of a
value's first axis), never over the whole output. This sweep checks, for each seed, in float32:

* every conforming model of the registry (`archlaw.models.registry`, tiny fixtures; the check's
  seed varied, samples raised to at least ``--samples``): must pass;
* the stock torch modules of `archlaw.models.equivariance.stock` (TransformerEncoderLayer under
  permutations, circular Conv1d under shifts, C4-averaged Conv2d under rotations; weights and
  inputs drawn from the seed): must pass;
* the seeded violation `big_channel_binding` (first channel 1e8 times the others, the others not
  equivariant): must fail.

Run: ``python scripts/sweep_tolerance.py [--seeds 20] [--samples 200] [--no-registry]``. Prints
one row per (model, law) with passes/fails over the seeds and the worst error seen; exits 1 on
any false alarm or missed violation.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import time

from archlaw.bridge.conformance import check_law
from archlaw.bridge.library import load_export
from archlaw.models.equivariance.stock import STOCK, big_channel_binding
from archlaw.models.registry import entries, one_thread, run_entry


def _worst(report) -> float:
    if hasattr(report, "hypotheses"):
        return max((r.worst_error for _, r in report.hypotheses), default=0.0)
    return report.worst_error


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seeds", type=int, default=20)
    ap.add_argument("--samples", type=int, default=200)
    ap.add_argument("--no-registry", action="store_true", help="stock modules only")
    args = ap.parse_args(argv)
    export = load_export()
    law = export.find("ArchLaw.Equivariant")
    rows: list[tuple[str, bool, int, int, float]] = []  # name, expect, passed, failed, worst
    t0 = time.perf_counter()

    def tally(name: str, expect: bool, results: list[tuple[bool, float]]) -> None:
        ok = sum(p for p, _ in results)
        rows.append((name, expect, ok, len(results) - ok, max(w for _, w in results)))

    for name, make in {**STOCK, "big-channel (seeded violation)": big_channel_binding}.items():
        res = []
        for seed in range(args.seeds):
            rep = check_law(law, make(seed), seed=seed, samples=args.samples)
            res.append((rep.passed, rep.worst_error))
        tally(name, make is not big_channel_binding, res)
    if not args.no_registry:
        with one_thread():
            for e in entries():
                if not e.expect_pass:
                    continue
                res = []
                for seed in range(args.seeds):
                    check = {**e.check, "seed": seed}
                    if "samples" in check:
                        check["samples"] = max(check["samples"], args.samples)
                    out = run_entry(dataclasses.replace(e, check=check), export)
                    res.append((out.passed, _worst(out.report)))
                tally(e.id, True, res)
    bad = 0
    print(f"{'model':58} {'expect':7} {'pass':>5} {'fail':>5} {'worst error':>12}")
    for name, expect, ok, fail, worst in rows:
        wrong = fail if expect else ok
        bad += wrong
        flag = "" if not wrong else "  <-- " + ("FALSE ALARM" if expect else "MISSED")
        print(f"{name:58} {'pass' if expect else 'fail':7} {ok:5} {fail:5} {worst:12.3g}{flag}")
    print(f"{len(rows)} rows x {args.seeds} seeds, {args.samples} samples (at least), "
          f"{bad} wrong, {time.perf_counter() - t0:.0f} s")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
