"""How ``archlaw check`` runs on several processes: under torchrun, or launching them itself.

* Under ``torchrun --nproc-per-node N -m archlaw check ...`` (torchrun sets RANK, WORLD_SIZE,
  LOCAL_RANK, MASTER_ADDR and MASTER_PORT), each process joins a gloo group, checks its share
  (`archlaw.bridge.distributed.Sharding`), and rank 0 prints the report. A failure on any rank is
  printed once, by rank 0, as ``archlaw: error: rank R of N: ...``, and every rank exits with
  status 2; torchrun then adds its own ``ChildFailedError`` block (docs/distributed.md shows it).
* ``archlaw check ... --workers N`` starts the N processes itself (``python -m archlaw`` with the
  same arguments and those variables set, ``OMP_NUM_THREADS`` split between them unless set),
  waits for them, and exits with rank 0's status: 0, 1, or 2 with the one line; nothing else is
  printed. A worker killed by a signal is said in one line too, and the others are stopped.
"""

from __future__ import annotations

import argparse
import math
import os
import signal
import socket
import subprocess
import sys
import time
from typing import Any, Callable

from archlaw.bridge.errors import ArchLawError

#: Most processes ``--workers`` starts on one machine.
MAX_WORKERS = 256
#: Seconds the remaining workers get to exit after one was killed, before they are killed too.
GRACE_S = 5.0


def validate(args: argparse.Namespace) -> None:
    """The worker options' bounds, each an `ArchLawError` naming the flag."""
    if not 1 <= args.workers <= MAX_WORKERS:
        raise ArchLawError(f"--workers {args.workers}: expected 1 to {MAX_WORKERS} processes")
    t = args.worker_timeout
    if not (math.isfinite(t) and 1 <= t <= 7 * 24 * 3600):
        raise ArchLawError(f"--worker-timeout {t}: expected seconds from 1 to 604800 (a week)")
    if args.chunk_cases is not None and args.chunk_cases < 1:
        raise ArchLawError(f"--chunk-cases {args.chunk_cases}: expected at least 1 case per batch")


def run_sharded(args: argparse.Namespace, check: Callable[[argparse.Namespace, Any], int]) -> int:
    """`check(args, shard)` in this process: alone (shard None), as one rank of a group started
    by torchrun or by `launch`, or, for ``--workers N`` outside any group, `launch` itself."""
    from archlaw.bridge.distributed import World

    world = World.from_env()
    try:
        validate(args)
        if world is not None and world.size > 1 and args.workers not in (1, world.size):
            raise ArchLawError(f"--workers {args.workers}, but this process is one of "
                               f"{world.size} started by torchrun (WORLD_SIZE={world.size}): "
                               "leave --workers out under torchrun, or give the same number")
    except ArchLawError:
        if world is not None and world.rank != 0:
            return 2  # every rank finds the same bad flag: rank 0 alone says it
        raise
    if world is None or world.size == 1:
        return launch(args) if args.workers > 1 else check(args, None)
    return _rank(args, world, check)


def _rank(args: argparse.Namespace, world: Any, check: Callable[[argparse.Namespace, Any], int]
          ) -> int:
    from archlaw.bridge.distributed import Sharding, WorkerFailed, WorkerLost, process_group

    from .app import _print_error

    with process_group(world, args.worker_timeout):
        shard = Sharding(world, args.worker_timeout)
        try:
            return shard.run(lambda: check(args, shard))
        except WorkerFailed as e:
            if world.rank == 0:
                _print_error(str(e))
            shard.barrier()  # nobody leaves (nor is stopped by torchrun) before rank 0 printed
            return 2
        except WorkerLost as e:  # the group is broken: no barrier, each rank says what it saw
            if world.rank == 0:
                _print_error(str(e))
            return 2


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def launch(args: argparse.Namespace) -> int:
    """Start ``--workers N`` ranks of this very command line on this machine and wait for them;
    rank 0's exit status is the run's."""
    n = args.workers
    argv = list(getattr(args, "_argv", None) or sys.argv[1:])
    threads = os.environ.get("OMP_NUM_THREADS") or str(max(1, (os.cpu_count() or 1) // n))
    base = {**os.environ, "WORLD_SIZE": str(n), "LOCAL_WORLD_SIZE": str(n),
            "MASTER_ADDR": "127.0.0.1", "MASTER_PORT": str(_free_port()),
            "OMP_NUM_THREADS": threads}
    procs = [subprocess.Popen([sys.executable, "-m", "archlaw", *argv],
                              env={**base, "RANK": str(r), "LOCAL_RANK": str(r)})
             for r in range(n)]
    try:
        while True:
            codes = [p.poll() for p in procs]
            killed = [(r, c) for r, c in enumerate(codes) if c is not None and c < 0]
            if killed:
                _stop(procs)
                r, c = killed[0]
                raise ArchLawError(f"rank {r} of {n}: killed by signal "
                                   f"{signal.Signals(-c).name}; the other workers were stopped")
            if all(c is not None for c in codes):
                return int(codes[0])  # type: ignore[arg-type]
            time.sleep(0.05)
    except KeyboardInterrupt:  # the terminal sent SIGINT to the workers too
        _stop(procs)
        raise


def _stop(procs: list[subprocess.Popen]) -> None:
    """Terminate the workers still running, kill those that outlast `GRACE_S`."""
    for p in procs:
        if p.poll() is None:
            p.terminate()
    deadline = time.monotonic() + GRACE_S
    for p in procs:
        try:
            p.wait(max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
