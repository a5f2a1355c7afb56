"""The carry family's registry fixtures for ``pytest --archlaw`` (built on first use, cached for
the session), its seeded violations, and `cached_binding`, the user cache's cell for
``archlaw check`` and ``archlaw verify``."""

from __future__ import annotations

import functools

from archlaw.bridge.binding import Binding
from archlaw.models.carry.bindings import LAW_NAMES, carry_binding, cell_binding, combine_binding
from archlaw.models.carry.modules import CarryCellMLP, table_cell, table_combine
from archlaw.models.carry.store import load_or_train
from archlaw.models.carry.train import CellConfig, TrainReport, train_cell
from archlaw.models.registry import one_thread, register


#: The trained fixture's configuration: base 2, small budget.
TINY_B2 = CellConfig(base=2, hidden=32, steps=300, seed=0)


@functools.lru_cache(maxsize=None)
def tiny_b2() -> tuple[CarryCellMLP, TrainReport]:
    """The base-2 cell trained with `TINY_B2` on the CPU, one thread (so it is the same cell in
    any process), once per process: the ``carry-cell-trained-b2`` entries and the tests share it."""
    with one_thread():
        return train_cell(TINY_B2, device="cpu")


def _register_fixtures() -> None:
    def trained(bind):
        def binding() -> Binding:
            cell, rep = tiny_b2()
            return bind(cell, seed=rep.seed, steps=TINY_B2.steps)
        return binding

    cell_law, coc, comb = (LAW_NAMES[k] for k in ("cell", "cocycle", "combine"))
    register("carry-cell-trained-b2", law=cell_law, theorem=LAW_NAMES["adder_theorem"],
             binding=trained(cell_binding))
    register("carry-cell-trained-b2", law=coc, binding=lambda: carry_binding(tiny_b2()[0]))
    register("carry-cell-table-b10", law=cell_law, theorem=LAW_NAMES["adder_theorem"],
             binding=lambda: cell_binding(table_cell(10)))
    register("carry-cell-table-b10", law=coc, binding=lambda: carry_binding(table_cell(10)))
    register("carry-combine-table", law=comb, binding=lambda: combine_binding(table_combine()))
    # the cell's carry, its carry-out and the combiner are the library's `carry`, `carryIn`
    # and `Gen.op` (lean/ArchLaw/Carry/Reference.lean): those run from their Lean bodies
    register("carry-cell-table-b10", law=LAW_NAMES["is_carry"],
             binding=lambda: carry_binding(table_cell(10)))
    register("carry-cell-table-b10", law=LAW_NAMES["carry_out"],
             binding=lambda: cell_binding(table_cell(10)))
    register("carry-cell-trained-b2", law=LAW_NAMES["carry_out"], binding=trained(cell_binding))
    register("carry-combine-table", law=LAW_NAMES["is_op"],
             binding=lambda: combine_binding(table_combine()))
    # seeded violations: one wrong case in the whole domain must be caught, for that reason:
    # the cell's one wrong case is the counterexample; the dropped carry of 7 + 5 first breaks
    # the cocycle at (1, 6, 5) (1 + 6 = 7, then 7 + 5; the first failing triple in enumeration
    # order); combine P P = K (instead of P) breaks the eval law exactly there
    register("carry-cell-one-fault-b10", law=cell_law, expect_pass=False,
             expect_field="spec", expect_counterexample="a := 3, b := 4, c := 1",
             binding=lambda: cell_binding(table_cell(10, faults={(3, 4, 1): (9, 0)})))
    register("carry-cocycle-one-fault-b10", law=coc, expect_pass=False,
             expect_field="cocycle", expect_counterexample="a := 1, b := 6, d := 5",
             binding=lambda: carry_binding(table_cell(10, faults={(7, 5, 0): (2, 0)})))
    register("carry-combine-one-fault", law=comb, expect_pass=False,
             expect_field="eval_combine", expect_counterexample="x := P, y := P",
             binding=lambda: combine_binding(table_combine({(1, 1): 0})))
    register("carry-combine-op-one-fault", law=LAW_NAMES["is_op"], expect_pass=False,
             expect_field="eq_op", expect_counterexample="x := P, y := P",
             binding=lambda: combine_binding(table_combine({(1, 1): 0})))


def cached_binding(base: str | int = 10, seed: str | int = 0, device: str = "auto") -> Binding:
    """The user cache's cell as a theorem-level binding (trained first when absent), for
    ``archlaw check ArchLaw.Carry.add_correct --model archlaw.models.carry.fixtures:cached_binding
    --param base=10`` and ``archlaw verify CERT --model ...``."""
    cached = load_or_train(CellConfig.for_base(int(base), int(seed)), device=device)
    return cell_binding(cached.cell, seed=cached.meta["cell"]["seed"], cache=str(cached.path))


def combine_table_binding() -> Binding:
    """The lookahead combine set by hand to the product of statuses (`table_combine`), as a
    binding of ``ArchLaw.Carry.CombineLaws combine`` for ``archlaw to-lean
    ArchLaw.Carry.scan_correct --model archlaw.models.carry.fixtures:combine_table_binding``."""
    return combine_binding(table_combine())


_register_fixtures()


def table_binding(base: str | int = 10) -> Binding:
    """A hand-set cell (`table_cell`: weights set, not learned, to compute the sum) as a
    theorem-level binding, of any base: ``archlaw to-lean ... --model
    archlaw.models.carry.fixtures:table_binding --param base=45`` writes the module at
    to-lean's size limit (2·45² = 4,050 cases) that the lean CI job times."""
    return cell_binding(table_cell(int(base)))
