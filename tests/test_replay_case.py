"""``archlaw check ... --case K`` (and ``check_law(..., case=K)``): re-run exactly case K of a
report, the counterexample's number in its replay line, and print its values in full."""
from __future__ import annotations

import ast
import re
import shlex
import textwrap

import pytest
import torch

from archlaw.bridge.conformance import check_law
from archlaw.bridge.errors import ArchLawError
from archlaw.bridge.library import load_export
from archlaw.bridge.spec import derive_binding
from archlaw.cli.app import main

USER = textwrap.dedent('''
    import torch
    from torch import nn

    def zeros():
        torch.manual_seed(0)
        return nn.Conv1d(3, 3, 5, padding=2)

    def circular():
        torch.manual_seed(0)
        return nn.Conv1d(3, 3, 5, padding=2, padding_mode="circular")
''')
SHIFT = ["check", "ShiftEquivariant", "n=6", "X=float[3]", "Y=float[3]", "--layout", "f=NCL",
         "--dtype", "float64", "--samples", "50"]


def _conv():
    torch.manual_seed(0)
    return torch.nn.Conv1d(3, 3, 5, padding=2).double()


@pytest.fixture
def user(tmp_path, monkeypatch):
    (tmp_path / "case_user_models.py").write_text(USER)
    monkeypatch.chdir(tmp_path)
    return ["--symbol", "f=case_user_models:zeros"]


def test_the_replayed_case_is_the_counterexample_with_its_tensors_in_full():
    """The values printed in full are the case's: the model run here on the printed input,
    shifted, gives the printed lhs exactly."""
    law = load_export().find("ShiftEquivariant")
    conv = _conv()
    kw = dict(samples=50, dtype=torch.float64)
    full = check_law(law, derive_binding(law, f=conv, n=6, X=(3,), Y=(3,), layout={"f": "NCL"}),
                     **kw)
    (field,) = full.fields
    k = field.counterexample.case
    assert not field.passed and field.replay.endswith(f"case {k}")
    one = check_law(law, derive_binding(law, f=conv, n=6, X=(3,), Y=(3,), layout={"f": "NCL"}),
                    case=k, **kw)
    (got,) = one.fields
    assert got.cases == 1 and got.check == "sampled" and not got.passed
    assert got.counterexample.case == k and got.counterexample.values == \
        field.counterexample.values
    tensors = dict(got.counterexample.tensors)
    assert set(tensors) == {"k", "s", "lhs", "rhs"}
    def value(text: str) -> torch.Tensor:  # "tensor (6, 3) float64 [[...]]" -> the tensor
        m = re.fullmatch(r"tensor \(.*?\) (\w+) (.*)", text)
        return torch.tensor(ast.literal_eval(m.group(2)), dtype=getattr(torch, m.group(1)))

    shift = int(value(tensors["k"]))
    s = value(tensors["s"])  # (6, 3): positions × channels
    with torch.no_grad():  # f (ArchLaw.rotate k s), rotate by its Lean body: fun i => s (i + k)
        lhs = conv(torch.roll(s, -shift, 0).T[None])[0].T
    torch.testing.assert_close(lhs, value(tensors["lhs"]), rtol=1e-14, atol=1e-14)
    assert not torch.allclose(value(tensors["lhs"]), value(tensors["rhs"]))


def test_the_cli_replays_the_case_its_replay_line_names(user, capsys):
    """The failure prints the command that re-runs its case alone: the same line plus --case K,
    K the replay line's case."""
    assert main(SHIFT + user) == 1
    out = capsys.readouterr().out
    k = int(re.search(r"replay: .* case (\d+)", out).group(1))
    cmd = re.search(r"this case alone, in full: (.*)", out).group(1)
    assert shlex.split(cmd) == ["archlaw", *SHIFT, *user, "--case", str(k)]
    assert main(shlex.split(cmd)[1:]) == 1
    out = " ".join(capsys.readouterr().out.split())
    assert f"case {k}):" in out and "lhs = tensor (6, 3) float64 [[" in out
    assert "the law itself was not checked" in out


def test_a_case_that_holds_exits_0_and_says_it_checked_no_law(user, capsys):
    assert main(SHIFT + ["--symbol", "f=case_user_models:circular", "--case", "7"]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "re-ran case 7" in out and "counterexample" not in out and "the law itself was not checked" in out


@pytest.mark.parametrize("extra, words", [
    (["--case", "-1"], "--case -1: a case number is at least 0"),
    (["--case", "999999"], "case 999999: no field of ArchLaw.ShiftEquivariant has that many"),
])
def test_a_bad_case_is_one_line(user, capsys, extra, words):
    assert main(SHIFT + user + extra) == 2
    err = capsys.readouterr().err.strip()
    assert words in err and len(err.splitlines()) == 1, err


def test_a_case_cannot_make_a_certificate(capsys, tmp_path):
    assert main(["check", "Carry.add_correct", "--model", "no_such_module_here:build",
                 "--case", "0", "--certificate", str(tmp_path / "c")]) == 2
    assert "a certificate needs the whole check" in capsys.readouterr().err


def test_check_law_refuses_a_case_no_field_has():
    law = load_export().find("ShiftEquivariant")
    b = derive_binding(law, f=lambda s: s, n=2, X=(1,), Y=(1,))
    with pytest.raises(ArchLawError, match="no field of"):
        check_law(law, b, samples=2, case=10**6)
