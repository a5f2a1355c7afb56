"""`archlaw new` (issue 17, part 2): the script it writes builds, trains, checks and saves a model,
for every law with a construction; it never overwrites a file. The scripts run in this process
(one import of torch and the laws for all of them), at a tiny size."""
from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest
import torch

from archlaw.cli.app import main
from archlaw.models import build as built
from archlaw.models.registry import one_thread

#: law -> (the law's parameters and sorts, training steps): tiny, but each a shipped task's size
TINY = {
    "ArchLaw.ShiftEquivariant": (["n=6", "X=float", "Y=float[2]"], 2),
    "ArchLaw.PermEquivariant": (["n=4", "X=float[2]", "Y=float[2]"], 2),
    "ArchLaw.C4Equivariant": (["k=5", "X=float", "Y=float[2]"], 2),
    "ArchLaw.D4Equivariant": (["k=5", "X=float[1]", "Y=fin[2]"], 2),
    "ArchLaw.FoldlLaws": (["A=fin[2]", "H=fin[3]"], 2),
    "ArchLaw.FoldLaws": (["A=fin[2]", "H=fin[2]"], 2),
    "ArchLaw.TreeFoldLaws": (["L=fin[3]", "N=fin[2]", "H=fin[3]"], 2),
    "ArchLaw.MealyLaws": (["S=fin[3]", "I=fin[2]", "O=fin[2]"], 2),
    "ArchLaw.RestartLaws": (["S=fin[4]", "I=fin[2]", "O=fin[2]"], 2),
    "ArchLaw.CausalLaw": (["S=fin[3]", "I=fin[2]", "O=fin[2]"], 2),
    "ArchLaw.MooreLaws": (["S=fin[3]", "I=fin[2]", "O=fin[2]"], 2),
    "ArchLaw.MooreRestartLaws": (["S=fin[3]", "I=fin[2]", "O=fin[2]"], 2),
    "ArchLaw.Carry.CarryCell": (["B=2"], 200),  # passes once trained: enough steps to be exact
}


@pytest.fixture(autouse=True)
def _one_thread():
    with one_thread():
        yield


def _import(path: Path):
    spec = importlib.util.spec_from_file_location(f"new_script_{path.stem}", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _new(tmp: Path, law: str, *args: str) -> Path:
    before = set(tmp.glob("*.py")) if tmp.exists() else set()
    assert main(["new", law, *args, "-o", str(tmp)]) == 0
    (script,) = set(tmp.glob("*.py")) - before
    return script


def test_every_law_with_a_construction_has_a_tiny_run():
    assert set(TINY) == set(built.constructions())


def test_the_script_of_every_law_builds_trains_checks_and_saves(tmp_path, capsys):
    for law, (given, steps) in TINY.items():
        d = tmp_path / law.rsplit(".", 1)[1]
        script = _new(d, law, *given)
        out = d / "model"
        rc = _import(script).main(["--steps", str(steps), "--samples", "20", "--out", str(out),
                                   "--device", "cpu"])
        printed = capsys.readouterr().out
        assert rc == 0, f"{law}: {printed}"
        assert f"{law} on " in printed and ": PASS (" in printed
        meta = json.loads(out.with_suffix(".json").read_text())
        assert meta["extra"]["blueprint"]["given"] == given
        assert meta["extra"]["check"]["passed"] is True
        assert meta["training"]["steps"] == steps
        assert built.check(built.load(out), samples=10).passed  # the saved model, rebuilt


def test_without_parameters_the_example_is_used_and_said(tmp_path, capsys):
    script = _new(tmp_path, "FoldlLaws")
    assert "using the example A=fin[2] H=fin[3]" in capsys.readouterr().err
    assert 'GIVEN = ["A=fin[2]", "H=fin[3]"]' in script.read_text()


def test_an_existing_file_is_never_overwritten(tmp_path, capsys):
    given = ["S=fin[3]", "I=fin[2]", "O=fin[2]"]
    script = _new(tmp_path, "MealyLaws", *given)
    script.write_text("# mine\n")
    capsys.readouterr()
    assert main(["new", "MealyLaws", *given, "-o", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "exists; archlaw new never overwrites a file" in err and len(err.strip().splitlines()) == 1
    assert script.read_text() == "# mine\n"


@pytest.mark.parametrize("args, message", [
    (["InitHomLaw"], "no known construction for ArchLaw.InitHomLaw; laws that have one: "),
    (["FoldlLaws", "A=float", "H=fin[2]"], "needs finite sorts A and H"),
    (["FoldlLaws", "A=fin[3]", "H=fin[2]"], "task counter needs A=fin[2]"),
    (["FoldlLaws", "A=fin[2]", "H=fin[2]", "--task", "motif"], "task motif trains ShiftEquivariant"),
    (["ShiftEquivariant", "n=4", "X=float"], "give Y (sort)"),
])
def test_bad_input_is_one_line_and_writes_nothing(tmp_path, capsys, args, message):
    assert main(["new", *args, "-o", str(tmp_path / "d")]) == 2
    err = capsys.readouterr().err
    assert message in err.replace("\n", " ") and not (tmp_path / "d").exists()


def test_a_file_for_the_folder_is_one_line(tmp_path, capsys):
    (tmp_path / "f").write_text("x")
    assert main(["new", "FoldlLaws", "A=fin[2]", "H=fin[2]", "-o", str(tmp_path / "f")]) == 2
    assert "is not a folder; -o takes the folder" in capsys.readouterr().err


def test_your_own_data_goes_through_the_documented_functions(tmp_path, capsys):
    """``--task none``: the script trains on `my_batch` / `my_loss` (the loop's Recipe
    signature); here a regression onto a circular moving average, an equivariant target."""
    script = _new(tmp_path, "ShiftEquivariant", "n=8", "X=float", "Y=float", "--task", "none")
    mod = _import(script)
    assert mod.TASK is None
    with pytest.raises(NotImplementedError, match="write my_batch and my_loss"):
        mod.main(["--steps", "1", "--out", str(tmp_path / "m")])

    def my_batch(gen: torch.Generator, step: int, device: torch.device):
        x = torch.randn(16, 8, generator=gen)
        return x.to(device), ((x + x.roll(1, 1) + x.roll(-1, 1)) / 3).to(device)

    def my_loss(model, batch, step):
        return torch.nn.functional.mse_loss(model(batch[0]), batch[1])

    mod.my_batch, mod.my_loss = my_batch, my_loss
    assert mod.main(["--steps", "30", "--out", str(tmp_path / "m"), "--device", "cpu"]) == 0
    meta = json.loads((tmp_path / "m.json").read_text())
    assert meta["training"]["steps"] == 30 and meta["training"]["final_loss"] < 1.0
