"""Run by ``torchrun --nproc-per-node 2 tests/distributed_driver.py OUT`` in tests/test_distributed.py:
every check of `CASES` sharded over the ranks of a gloo group, then a rank that raises, mid-field
and before any field. Each rank pickles what it saw to ``OUT/rank<R>.pkl``: its reports, rank 0's
progress calls, and the error each failure scenario raised on it. `CASES` is imported by the test
too, which runs each check in one process and compares."""

from __future__ import annotations

import os
import pickle
import sys
from pathlib import Path
from typing import Any, Callable

import torch

from archlaw.bridge.binding import Binding

#: Seconds a rank waits for the other in a collective: a failure scenario that hung would end here.
TIMEOUT_S = 60.0


def carry_cell(faults=None) -> Callable[[], Binding]:
    def build() -> Binding:
        from archlaw.models.carry.bindings import cell_binding
        from archlaw.models.carry.modules import table_cell

        return cell_binding(table_cell(10, faults=faults))
    return build


def carry_cocycle() -> Binding:
    from archlaw.models.carry.bindings import carry_binding
    from archlaw.models.carry.modules import table_cell

    return carry_binding(table_cell(10))


def d4_table() -> Binding:
    from archlaw.models.equivariance.bindings import group_binding
    from archlaw.models.equivariance.modules import d4_group

    return group_binding(d4_group())


def d4_cnn(broken: float = 0.0) -> Callable[[], Binding]:
    from archlaw.models.equivariance.fixtures import model_binding

    return lambda: model_binding("d4-cnn", size=5, broken=broken)


def para(fixture: str) -> Callable[[], Binding]:
    def build() -> Binding:
        from archlaw.models.para.fixtures import model_binding

        return model_binding(fixture)
    return build


def _para_check() -> dict[str, Any]:
    from archlaw.models.para.fixtures import TOL64

    # the gradient laws on autograd, in float64 to 1e-12, as the registry checks them
    return {"samples": 16, "seed": 0, "float64": True, "tolerance": TOL64, "chunk_cases": 4}


def recursion(fn: str) -> Callable[[], Binding]:
    def build() -> Binding:
        from archlaw.models.recursion import fixtures

        return getattr(fixtures, fn)()
    return build


#: name -> (law, binding callable, check_law keywords). One exhaustive, one sampled and one failing
#: check of every family; `chunk_cases` cuts each domain into several batches, so that each rank
#: gets some. The carry cell's fault (7, 4, 1) is case 149 of 200: in rank 1's half (cases
#: 100..199); with a second fault at (2, 0, 0) (case 40, rank 0's) the smallest is rank 0's.
CASES: dict[str, tuple[str, Callable[[], Binding], dict[str, Any]]] = {
    "carry exhaustive": ("ArchLaw.Carry.Cocycle", carry_cocycle, {"chunk_cases": 250}),
    "carry sampled": ("ArchLaw.Carry.Cocycle", carry_cocycle,
                      {"budget": 500, "samples": 500, "seed": 3, "chunk_cases": 100}),
    "carry fault on rank 1": ("ArchLaw.Carry.CarryCell", carry_cell({(7, 4, 1): (9, 0)}),
                              {"chunk_cases": 50}),
    "carry faults on both ranks": ("ArchLaw.Carry.CarryCell",
                                   carry_cell({(7, 4, 1): (9, 0), (2, 0, 0): (5, 0)}),
                                   {"chunk_cases": 50}),
    "equivariance exhaustive": ("ArchLaw.GroupLaws", d4_table, {"chunk_cases": 128}),
    "equivariance sampled": ("ArchLaw.Equivariant", d4_cnn(),
                             {"samples": 8, "seed": 1, "chunk_cases": 16}),
    "equivariance failing": ("ArchLaw.Equivariant", d4_cnn(1e-3),
                             {"samples": 8, "seed": 1, "chunk_cases": 16}),
    "recursion exhaustive": ("ArchLaw.LeftAlgHomLaw", recursion("b_fold_hom"), {"chunk_cases": 2}),
    "recursion sampled": ("ArchLaw.FoldlLaws", recursion("b_fold"),
                          {"samples": 300, "seed": 0, "chunk_cases": 100}),
    "recursion failing": ("ArchLaw.FoldlLaws", recursion("b_fold_wrong_beyond"),
                          {"samples": 300, "seed": 0, "chunk_cases": 100}),
    # Para has no exhaustive check: every Para law ranges over float parameters and inputs
    "para sampled": ("ArchLaw.Para.TiedGradLaw", para("para-tied-grad-f64"), _para_check()),
    "para failing": ("ArchLaw.Para.TiedGradLaw", para("para-tied-grad-dropped"), _para_check()),
}

#: The check whose progress rank 0 records.
PROGRESS_CASE = "carry fault on rank 1"


def raising_on(rank: int, when: str) -> Binding:
    """The carry cell, raising on rank `rank`: when its binding is built (``build``), or when
    the model is first called, mid-field (``call``)."""
    if when == "build" and int(os.environ["RANK"]) == rank:
        raise ValueError(f"no binding on rank {rank}")
    b = carry_cell()()
    if int(os.environ["RANK"]) != rank:
        return b

    def broken(*args: Any) -> Any:
        raise RuntimeError(f"the model failed on rank {rank}")
    return Binding(b.sorts, b.params, {**b.symbols, "cell": broken},
                   b.model_symbols, module=b.module, metadata=b.metadata)


def main(out: Path) -> None:
    from archlaw.bridge.conformance import check_law
    from archlaw.bridge.distributed import Sharding, World, WorkerFailed, process_group
    from archlaw.bridge.library import load_export

    world = World.from_env()
    assert world is not None and world.size == 2
    export = load_export()
    seen: dict[str, Any] = {"reports": {}, "progress": [], "errors": {}}
    with process_group(world, TIMEOUT_S):
        shard = Sharding(world, TIMEOUT_S)
        for name, (law, build, kw) in CASES.items():
            record = seen["progress"].append if name == PROGRESS_CASE else None
            progress = (lambda f, d, t: record((f, d, t))) if record else None
            seen["reports"][name] = shard.run(
                lambda: check_law(export.find(law), build(), shard=shard, progress=progress, **kw))
        for when in ("call", "build"):
            try:
                shard.run(lambda: check_law(export.find("ArchLaw.Carry.CarryCell"),
                                            raising_on(1, when), shard=shard, chunk_cases=50))
            except WorkerFailed as e:
                seen["errors"][when] = str(e)
        shard.barrier()
    (out / f"rank{world.rank}.pkl").write_bytes(pickle.dumps(seen))


if __name__ == "__main__":
    main(Path(sys.argv[1]))
