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
