"""`archlaw check`'s table records what the README says every report records: the sampling
bounds, the list lengths actually sampled and the module mode (as `LawReport.summary()` does)."""

import io

from rich.console import Console

from archlaw.cli.check import render_law_report
from archlaw.bridge.conformance import check_law
from archlaw.bridge.library import load_export
from archlaw.models.carry.modules import table_cell
from archlaw.models.carry.bindings import cell_binding


def _render(rep) -> str:
    buf = io.StringIO()
    render_law_report(rep, console=Console(file=buf, width=200, emoji=False, color_system=None))
    return buf.getvalue()


def test_table_caption_records_bounds_and_mode():
    rep = check_law(load_export().find("CarryCell"), cell_binding(table_cell(3)), max_length=7)
    out = " ".join(_render(rep).split())     # the caption wraps at the table's width
    assert f"settings: {rep.settings_text()}" in out
    for word in ("max_length=7", "min_length=0", "max_depth=", "nat_max=", "dtype=float32",
                 "mode=eval"):
        assert word in out


def test_a_check_with_no_float_names_no_dtype():
    """An integer cell (Python's divmod) on a finite law: no float sample, no float weight, so
    the dtype changed nothing and the header must not claim "float32 on cpu"; the replay
    settings keep ``dtype=`` (the flag that replays it)."""
    from archlaw.bridge.binding import Binding

    def cell(a, b, c):
        return (a + b + c) % 3, (a + b + c) // 3

    rep = check_law(load_export().find("CarryCell"),
                    Binding({}, {"B": 3}, {"cell": cell}, frozenset({"cell"})))
    assert rep.passed and rep.check == "exhaustive"
    head = " ".join(_render(rep).split()).split("settings:")[0]  # the title wraps
    assert "float32" not in head and "no floats, on cpu" in head, head
    assert "no floats, on cpu" in rep.summary().splitlines()[0]


def test_a_float_module_on_a_finite_law_names_its_dtype():
    from archlaw.models.carry.modules import CarryCellMLP

    rep = check_law(load_export().find("CarryCell"), cell_binding(CarryCellMLP(3, 8)))
    assert "float32 on cpu" in " ".join(_render(rep).split()).split("settings:")[0]


def test_a_float_sort_names_its_dtype_with_no_module():
    import torch
    from archlaw.bridge.spec import derive_binding

    rep = check_law(load_export().find("ShiftEquivariant"),
                    derive_binding(load_export().find("ShiftEquivariant"), f=lambda s: s.roll(1, 1),
                                   n=3, X=(1,), Y=(1,)),
                    samples=3, dtype=torch.float64)
    assert "float64 on cpu" in rep.summary().splitlines()[0]
