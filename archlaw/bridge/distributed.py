"""Law checks past one process: sharded over the ranks of a `torch.distributed` group.

Launched by ``torchrun --nproc-per-node N -m archlaw check ...`` (or ``archlaw check ...
--workers N``, which starts the N processes itself), every process builds the same model and
the same domains, and `Sharding` (the `archlaw.bridge.conformance.Shard` that `check_law` takes)
splits each field's cases:

* **which cases**: the single-process chunk list (`archlaw.bridge.domains.Domain.chunks`) is cut
  into N contiguous runs of about equal case counts (`split_chunks`), so every boundary falls on
  a single-process chunk boundary and every batch a rank evaluates is a batch the single process
  evaluates too. For an exhaustive domain that is a contiguous block of the enumeration order;
  for a sampled one, a contiguous block of the replayable sample plan, whose samples are drawn
  block by block, each from its own generator seeded by (seed, field, block), as in one process
  (a sample block cut by a rank boundary is drawn, identically, by both ranks).
* **the reduce**: after its chunks, each rank gathers every rank's `FieldTally` (one
  ``all_gather_object`` per field, over gloo: a few numbers, so the CPU backend serves GPU
  nodes too) and merges them in rank order: counts add, the worst error is the maximum, the
  first violation the minimum case index, i.e. the globally smallest counterexample. Every rank
  then rebuilds that counterexample from its index, as one process does, so every rank holds the
  single-process report, apart from its ``workers`` field. The worst error is the same to the
  last bit when every rank runs on the same device type (each batch is the same batch, and a
  maximum is exact); across device types (a CPU rank and a GPU rank) it may differ in the last
  bits, as the single-process result does between devices.
* **progress**: each rank adds its cases to a counter in the group's store; rank 0's progress
  callback is fed the sum (and, while rank 0 waits for the others at a field's end, polled from
  it), so the bar on rank 0 counts every rank's cases.
* **failure**: a rank that raises does not just die (the others would wait in the collective,
  and gloo would print "connection closed" tracebacks): `Sharding.run` sends its one-line error
  through the next collective, so every rank raises the same `WorkerFailed` naming the lowest
  failing rank; the CLI prints it once, on rank 0, and every rank exits with status 2 after a
  last barrier (so that no rank exits, and no launcher kills the rest, before rank 0 printed).
  A rank that dies without a word (killed, a segfault) or hangs is caught by the process group's
  timeout (`DEFAULT_TIMEOUT_S`, ``--worker-timeout``) or by gloo's closed connection, and
  reported as `WorkerLost`.

Only rank 0 prints or writes anything (the report, a certificate): the CLI's business.
"""

from __future__ import annotations

import contextlib
import datetime
import os
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, Iterator, Mapping, Sequence, TypeVar

from .errors import ArchLawError

if TYPE_CHECKING:  # imported when used: `--workers` launches ranks without importing torch
    from .conformance import FieldTally

__all__ = ["World", "Sharding", "WorkerFailed", "WorkerLost", "split_chunks", "process_group",
           "one_line", "DEFAULT_TIMEOUT_S"]

#: Seconds a rank waits in a collective for the others (torch's own default): a rank whose share
#: runs long makes the others wait that long at the field's end, so it must exceed the longest
#: share; it bounds only how long a hung or silently dead rank goes unnoticed.
DEFAULT_TIMEOUT_S = 1800.0
#: Seconds between two reads of the progress counter while rank 0 waits for the others.
POLL_S = 0.25

T = TypeVar("T")


@dataclass(frozen=True)
class World:
    """This process's place in the group, from the variables torchrun sets: `rank` (0 to
    `size` - 1) and `local_rank` (its index on this node, which picks its GPU)."""

    rank: int
    size: int
    local_rank: int

    @staticmethod
    def from_env(env: Mapping[str, str] | None = None) -> "World | None":
        """The world of a process launched by torchrun (or ``--workers``), None otherwise.
        Malformed variables are an `ArchLawError` naming them."""
        env = os.environ if env is None else env
        if "WORLD_SIZE" not in env or "RANK" not in env:
            return None
        try:
            size, rank = int(env["WORLD_SIZE"]), int(env["RANK"])
            local = int(env.get("LOCAL_RANK", rank))
        except ValueError:
            raise ArchLawError(f"WORLD_SIZE={env.get('WORLD_SIZE')!r}, RANK={env.get('RANK')!r}, "
                               f"LOCAL_RANK={env.get('LOCAL_RANK')!r}: expected integers (as "
                               "torchrun sets them)") from None
        if size < 1 or not 0 <= rank < size or local < 0:
            raise ArchLawError(f"WORLD_SIZE={size}, RANK={rank}, LOCAL_RANK={local}: expected "
                               "0 <= RANK < WORLD_SIZE and LOCAL_RANK >= 0")
        return World(rank, size, local)

    def device(self, requested: str = "auto") -> str:
        """Where this rank's model runs: ``auto`` and ``cuda`` mean ``cuda:LOCAL_RANK`` when CUDA
        is available (each rank its own GPU), else the CPU; anything else as given."""
        import torch

        if requested in ("auto", "cuda") and torch.cuda.is_available():
            return f"cuda:{self.local_rank % torch.cuda.device_count()}"
        return requested


class WorkerFailed(ArchLawError):
    """A rank raised: `rank` and its one-line `error`; raised on every rank alike."""

    def __init__(self, rank: int, size: int, error: str):
        self.rank, self.size, self.error = rank, size, error
        super().__init__(f"rank {rank} of {size}: {error}")


class WorkerLost(ArchLawError):
    """The group broke without a word from the failing rank (it was killed, it hung past the
    timeout): gloo's own error, in one line."""


def one_line(e: BaseException) -> str:
    """The line a CLI prints for `e`: an `ArchLawError`'s message as it is, anything else as
    ``Type: first line`` (an exception in a user's model is not ArchLaw's bug to report)."""
    if isinstance(e, ArchLawError):
        return " ".join(str(e).split())
    text = str(e).strip().splitlines()
    return f"{type(e).__name__}: {text[0].strip()}" if text else type(e).__name__


def split_chunks(chunks: Sequence[tuple[int, int]], n: int) -> list[list[tuple[int, int]]]:
    """`chunks` (contiguous ``(start, stop)`` case ranges, in order) cut into `n` contiguous runs,
    one per rank, of about equal case counts: run r begins at the chunk boundary nearest to
    r/n of the cases. Their concatenation is `chunks`; a run may be empty when there are fewer
    chunks than ranks."""
    if n < 1:
        raise ValueError(f"n must be at least 1 (got {n})")
    if not chunks:
        return [[] for _ in range(n)]
    lo, hi = chunks[0][0], chunks[-1][1]
    starts = [a for a, _ in chunks] + [hi]
    cuts = [0]
    for r in range(1, n):
        target = lo + (hi - lo) * r / n
        # the boundary nearest the target, never before the previous cut
        i = min(range(cuts[-1], len(starts)), key=lambda j: (abs(starts[j] - target), j))
        cuts.append(i)
    cuts.append(len(chunks))
    return [list(chunks[cuts[r]:cuts[r + 1]]) for r in range(n)]


@contextlib.contextmanager
def process_group(world: World, timeout_s: float = DEFAULT_TIMEOUT_S) -> Iterator[None]:
    """A gloo process group over `world` (``env://``: MASTER_ADDR and MASTER_PORT, as torchrun
    and ``--workers`` set them), with `timeout_s` on every collective; destroyed after."""
    import torch.distributed as dist

    try:
        dist.init_process_group("gloo", rank=world.rank, world_size=world.size,
                                timeout=datetime.timedelta(seconds=timeout_s))
    except (RuntimeError, ValueError) as e:
        raise ArchLawError(f"rank {world.rank} of {world.size}: could not join the process group "
                           f"(MASTER_ADDR={os.environ.get('MASTER_ADDR')!r}, MASTER_PORT="
                           f"{os.environ.get('MASTER_PORT')!r}): {one_line(e)}") from None
    try:
        yield
    finally:
        with contextlib.suppress(Exception):
            dist.destroy_process_group()


class Sharding:
    """This rank's share of every field check of a run (the `Shard` that `check_law` takes) and
    the run's failure protocol (`run`). Every rank must make the same calls in the same order:
    one `reduce` per field checked, then the end of `run`."""

    def __init__(self, world: World, timeout_s: float = DEFAULT_TIMEOUT_S):
        self.world = world
        self.workers = world.size
        self.timeout_s = timeout_s
        self._progress: Callable[[str, int, int], None] | None = None
        self._field = 0  # index of the field being checked in this run (all ranks agree)
        self._done = 0  # cases this rank has reported for it

    # -- the Shard protocol ------------------------------------------------------------------

    def select(self, chunks: Sequence[tuple[int, int]]) -> Sequence[tuple[int, int]]:
        return split_chunks(chunks, self.world.size)[self.world.rank]

    def track(self, progress: Callable[[str, int, int], None] | None
              ) -> Callable[[str, int, int], None]:
        """This rank's progress callback for `check_law`; `progress` (rank 0's only: the other
        ranks' is ignored) is then called with every rank's cases summed."""
        self._progress = progress if self.world.rank == 0 else None
        return self.progress

    def progress(self, field: str, done: int, total: int) -> None:
        """`check_law`'s progress callback for this rank: adds this rank's new cases to the
        group's counter for the field; on rank 0, shows the sum."""
        if done < self._done:  # a new field began (reduce resets _done; this is a safeguard)
            self._done = 0
        store = self._store()
        if store is None:
            if self._progress is not None:
                self._progress(field, done, total)
            return
        summed = store.add(self._key(), done - self._done)
        self._done = done
        if self._progress is not None:
            self._progress(field, summed, total)

    def reduce(self, field: str, total: int, tally: FieldTally) -> FieldTally:
        if self._progress is not None:
            self._wait_for_progress(field, total, tally.cases)
        from .conformance import FieldTally

        tallies = self._exchange(("ok", tally))
        merged = FieldTally()
        for t in tallies:
            merged = merged.merge(t)
        self._field += 1
        self._done = 0
        if self._progress is not None:
            self._progress(field, merged.cases, total)
        return merged

    # -- the run -----------------------------------------------------------------------------

    def run(self, fn: Callable[[], T]) -> T:
        """`fn()` on every rank, then a last collective; an exception on any rank becomes the
        same `WorkerFailed` on every rank (see the module docstring). KeyboardInterrupt
        reaches every rank from the terminal, and is left to propagate."""
        try:
            out = fn()
        except (WorkerFailed, WorkerLost, KeyboardInterrupt):
            raise
        except BaseException as e:  # noqa: BLE001 - any error of this rank, said to the others
            self._flag_failure()
            self._exchange(("error", one_line(e)))
            raise AssertionError("unreachable: an error exchange always raises") from e
        self._exchange(("ok", None))
        return out

    def ready(self) -> None:
        """Every rank waits here until all are ready to check (the model built and placed), so
        that the checks start together (a field's time on rank 0 is then the sharded check's,
        not its own start-up's lead on the others); a rank that failed before says so here."""
        self._exchange(("ok", None))

    def barrier(self) -> None:
        """A last meeting of every rank after a failure was printed, so that none exits (and no
        launcher stops the rest) before rank 0 has printed; a broken group is passed over."""
        import torch.distributed as dist

        with contextlib.suppress(Exception):
            dist.barrier()

    # -- internals ---------------------------------------------------------------------------

    def _exchange(self, payload: tuple[str, Any]) -> list[Any]:
        import torch.distributed as dist

        got: list[Any] = [None] * self.world.size
        try:
            dist.all_gather_object(got, payload)
        except Exception as e:  # noqa: BLE001 - gloo's errors come as RuntimeError subclasses
            raise WorkerLost(f"rank {self.world.rank} of {self.world.size}: lost the other "
                             f"workers ({one_line(e)}); a worker was killed, crashed or did not "
                             f"answer within {self.timeout_s:g} s (--worker-timeout)") from None
        failed = [(r, p[1]) for r, p in enumerate(got) if p[0] == "error"]
        if failed:
            raise WorkerFailed(failed[0][0], self.world.size, failed[0][1])
        return [p[1] for p in got]

    def _store(self) -> Any:
        import torch.distributed as dist

        if not dist.is_initialized():
            return None
        try:  # the group's own key-value store (no public accessor; None if it changes)
            return dist.distributed_c10d._get_default_store()
        except Exception:  # noqa: BLE001
            return None

    def _key(self) -> str:
        return f"archlaw/progress/{self._field}"

    def _flag_failure(self) -> None:
        store = self._store()
        if store is not None:
            with contextlib.suppress(Exception):
                store.set("archlaw/failed", "1")

    def _wait_for_progress(self, field: str, total: int, mine: int) -> None:
        """Rank 0, done with its own chunks: show the others' progress until their counter
        reaches the field's total cases, a rank flags a failure, or the timeout."""
        store = self._store()
        if store is None:
            return
        deadline = time.monotonic() + self.timeout_s
        while time.monotonic() < deadline:
            summed = store.add(self._key(), 0)
            self._progress(field, summed, total)  # type: ignore[misc]
            if summed >= total or store.check(["archlaw/failed"]):
                return
            time.sleep(POLL_S)
