"""Time Lean on a generated module at `archlaw to-lean`'s size limit (issue 18).

`MAX_TABLE_CASES` (archlaw/bridge/extraction.py) is unmeasured: it was set without a Lean
toolchain. This script writes, with ``archlaw to-lean``, the module of the largest carry cell
under the limit (the hand-set `table_cell` of base B with 2·B² ≤ the limit: B = 45, 4,050 cases),
then, where ``lake`` is on PATH, builds ``ArchLaw.Tables`` and times ``lake env lean FILE`` on it
(the kernel's ``decide +kernel`` over the whole table included). It writes ``OUT/timing.json``
with the command, the base, the cases and the seconds (or why nothing was timed), and prints it.
Torch runs on one thread.
The lean CI job runs it (.github/workflows/ci.yml); the limit changes only from that figure.

    python scripts/to_lean_at_limit.py --out build/at-limit
"""

from __future__ import annotations

import argparse
import json
import math
import shutil
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def main(argv: list[str] | None = None) -> int:
    from archlaw.bridge.extraction import MAX_TABLE_CASES
    from archlaw.cli.app import main as archlaw
    from archlaw.models.registry import one_thread

    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--out", type=Path, required=True, help="folder for the module and timing.json")
    p.add_argument("--no-lake", action="store_true", help="write the module only, time nothing")
    args = p.parse_args(argv)
    base = math.isqrt(MAX_TABLE_CASES // 2)
    cmd = ["to-lean", "ArchLaw.Carry.add_correct", "--model",
           "archlaw.models.carry.fixtures:table_binding", "--param", f"base={base}",
           "-o", str(args.out), "--root", str(REPO)]
    with one_thread():  # torch on one thread (restored after): the figure is Lean's
        rc = archlaw(cmd)
    if rc != 0:
        return rc
    lean_file = args.out / f"ArchLawExamples/CarryCell{base}.lean"
    record = {"command": "archlaw " + " ".join(cmd), "base": base, "cases": 2 * base * base,
              "limit": MAX_TABLE_CASES, "lean_file": str(lean_file),
              "lean_bytes": lean_file.stat().st_size}
    if args.no_lake or shutil.which("lake") is None:
        record["seconds"] = None
        record["why"] = "--no-lake" if args.no_lake else "no lake on PATH: nothing timed"
    else:
        subprocess.run(["lake", "build", "ArchLaw.Tables"], cwd=REPO, check=True)
        t0 = time.perf_counter()
        done = subprocess.run(["lake", "env", "lean", str(lean_file.resolve())], cwd=REPO)
        record["seconds"] = round(time.perf_counter() - t0, 2)
        record["timed"] = "lake env lean FILE (elaboration and kernel check of the module)"
        record["lean_exit"] = done.returncode
    (args.out / "timing.json").write_text(json.dumps(record, indent=2) + "\n")
    print(json.dumps(record, indent=2))
    return 0 if record.get("lean_exit", 0) == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
