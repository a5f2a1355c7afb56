"""Hoisting (`archlaw.bridge.hoist`): a term that mentions only some binders runs once per
distinct value of those binders; the verdicts, counts and counterexamples are those of the
unhoisted check."""
from __future__ import annotations

import pytest
import torch

from archlaw.bridge import sorts as S
from archlaw.bridge.binding import Binding
from archlaw.bridge.conformance import check_law
from archlaw.bridge.library import load_export


@pytest.fixture(scope="module")
def shift():
    return load_export().find("ArchLaw.ShiftEquivariant")


def _conv(padding_mode: str, rows: list[int]):
    torch.manual_seed(0)
    conv = torch.nn.Conv1d(2, 2, 3, padding=1, padding_mode=padding_mode).double()

    def f(s):  # (N, n, c), counting the cases it is run on
        rows.append(s.shape[0])
        return conv(s.transpose(1, 2)).transpose(1, 2)
    return Binding({"X": S.FloatTensor((2,)), "Y": S.FloatTensor((2,))}, {"n": 8}, {"f": f},
                   frozenset({"f"}))


def test_f_s_runs_once_per_signal_not_once_per_shift(shift):
    rows: list[int] = []
    rep = check_law(shift, _conv("circular", rows), samples=40, dtype=torch.float64)
    assert rep.passed and rep.cases == 8 * 40
    # `f (rotate k s)` on every case, `f s` once per sampled signal
    assert sum(rows) == rep.cases + 40


def test_a_hoisted_check_reports_what_the_unhoisted_one_does(shift):
    """One case per batch leaves nothing to share: the same violations, worst error and first
    counterexample as the hoisted check."""
    rows: list[int] = []
    hoisted = check_law(shift, _conv("zeros", rows), samples=12, dtype=torch.float64)
    plain = check_law(shift, _conv("zeros", []), samples=12, dtype=torch.float64, chunk_cases=1)
    assert sum(rows) < 2 * hoisted.cases
    a, b = hoisted.fields[0], plain.fields[0]
    assert (a.violations, a.worst_error) == (b.violations, b.worst_error) and a.violations
    assert a.counterexample.text() == b.counterexample.text()
