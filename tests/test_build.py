"""`archlaw.build` (issue 17, part 2): models built from a law meet it before any training, held
to it by `assert_law` through the binding derived from the law's spec; `CarryCell` after training.
`archlaw new`'s scripts: tests/test_build_new.py."""
from __future__ import annotations

import json

import pytest
import torch

import archlaw
from archlaw.bridge.errors import ArchLawError
from archlaw.bridge.sorts import BoolEnc, Finite
from archlaw.models import build as built
from archlaw.models.build_tasks import TaskConfig, train
from archlaw.models.registry import one_thread
from archlaw.testing import assert_law

F2, F3, F5 = Finite(2), Finite(3), Finite(5)

#: every law with a construction, at a small size: law -> the law's parameters and sorts
SMALL = {
    "ArchLaw.ShiftEquivariant": dict(n=8, X=(), Y=(3,)),
    "ArchLaw.PermEquivariant": dict(n=5, X=(2,), Y=(3,)),
    "ArchLaw.C4Equivariant": dict(k=5, X=(2,), Y=()),
    "ArchLaw.D4Equivariant": dict(k=4, X=(), Y=(2,)),
    "ArchLaw.FoldlLaws": dict(A=F2, H=F3),
    "ArchLaw.FoldLaws": dict(A=F3, H=F2),
    "ArchLaw.TreeFoldLaws": dict(L=F3, N=F2, H=F5),
    "ArchLaw.MealyLaws": dict(S=F3, I=F2, O=F3),
    "ArchLaw.RestartLaws": dict(S=F3, I=F2, O=F2),
    "ArchLaw.CausalLaw": dict(S=F3, I=F3, O=F2),
    "ArchLaw.MooreLaws": dict(S=F3, I=F2, O=F2),
    "ArchLaw.MooreRestartLaws": dict(S=F2, I=F3, O=F2),
}


@pytest.fixture(autouse=True)
def _one_thread():
    """Tiny models: one torch thread (the machine's cores are shared)."""
    with one_thread():
        yield


def test_every_construction_is_tested_and_carry_cell_is_the_one_trained():
    assert set(built.constructions()) == set(SMALL) | {"ArchLaw.Carry.CarryCell"}


@pytest.mark.parametrize("law", sorted(SMALL))
def test_a_built_model_passes_its_law_before_any_training(law):
    torch.manual_seed(0)
    model = archlaw.build(law, **SMALL[law])
    # the model's symbols, bound by the spec-derived binding (no binding code)
    report = assert_law(law, **SMALL[law], **model.law_symbols(), samples=40)
    assert report.passed and all(f.cases > 0 for f in report.fields)
    assert built.check(model, samples=40).passed  # the same, through build's own binding


def test_finite_signals_are_read_one_hot_and_returned_as_logits_decoded_by_the_binding():
    torch.manual_seed(0)
    f = archlaw.build("ShiftEquivariant", n=5, X=F3, Y=F2)
    x = torch.randint(0, 3, (4, 5))
    assert f(x).shape == (4, 5, 2)  # logits over Fin 2 at each of the 5 positions
    report = built.check(f)
    assert report.passed and report.fields[0].domains[0].kind == "exhaustive"  # 5 shifts × 3^5


def test_the_check_tells_the_groups_apart():
    """A C4 network is not D4-equivariant (reflections), and a circular convolution does not
    commute with permutations: built models of one law fail another's, with a counterexample."""
    torch.manual_seed(0)
    c4 = archlaw.build("C4Equivariant", k=5, X=(), Y=(2,))
    with pytest.raises(AssertionError, match="counterexample"):
        assert_law("D4Equivariant", f=c4, k=5, X=(), Y=(2,), samples=20)
    conv = archlaw.build("ShiftEquivariant", n=5, X=(2,), Y=(2,))
    with pytest.raises(AssertionError, match="counterexample"):
        assert_law("PermEquivariant", f=conv, n=5, X=(2,), Y=(2,), samples=20)


def test_spec_shapes_in_and_out():
    torch.manual_seed(0)
    grid = archlaw.build("D4Equivariant", k=6, X=(2,), Y=(3,), arch={"width": 4, "depth": 1})
    assert grid(torch.randn(7, 6, 6, 2)).shape == (7, 6, 6, 3)  # NHWC in and out
    sets = archlaw.build("PermEquivariant", "n=9", "X=float", "Y=float[4]")  # n > 7 too
    assert sets(torch.randn(2, 9)).shape == (2, 9, 4)
    signal = archlaw.build("ShiftEquivariant", n=100_000, X=(), Y=(), arch={"width": 2})
    x = torch.randn(1, 100_000)
    assert torch.equal(signal(x.roll(-3, 1)), signal(x).roll(-3, 1))  # rotate 3, both sides


def test_carry_cell_passes_only_after_training():
    torch.manual_seed(0)
    cell = archlaw.build("Carry.CarryCell", B=2)
    assert not built.check(cell).passed  # untrained: one table satisfies the law
    cell, report = train(cell, "sums", TaskConfig(steps=200, device="cpu"))
    assert report.accepted
    assert assert_law("Carry.CarryCell", B=2, **cell.law_symbols()).passed


def build_like(model):
    return archlaw.build(model.blueprint.law, arch=model.blueprint.arch, **model.blueprint.given())


def test_save_and_load_keep_the_spec_and_the_function(tmp_path):
    torch.manual_seed(0)
    f = archlaw.build("ShiftEquivariant", n=6, X=(2,), Y=(2,), arch={"width": 4})
    built.save(tmp_path / "m", f, report=built.check(f, samples=10))
    meta = json.loads((tmp_path / "m.json").read_text())
    assert meta["extra"]["blueprint"] == {"law": "ArchLaw.ShiftEquivariant",
                                          "given": ["n=6", "X=float[2]", "Y=float[2]"],
                                          "arch": {"width": 4, "depth": 3, "kernel": 3}}
    (law_spec,) = meta["spec"]["laws"]
    assert law_spec["symbols"][0]["arguments"][0]["shape"] == ["N", 6, 2]
    assert meta["extra"]["check"]["passed"] is True
    # the signature saved is the law's, as `saved.load(laws=...)` recomputes it from the text
    from archlaw.models import saved

    law = archlaw.load_export().find("ShiftEquivariant")
    assert saved.read_meta(tmp_path / "m").spec.signatures == {
        "ArchLaw.ShiftEquivariant.f": "(Fin 6 → Float[2]) → Fin 6 → Float[2]"}
    saved.load(tmp_path / "m", build_like(f), laws=[law])
    g = built.load(tmp_path / "m")
    x = torch.randn(3, 6, 2)
    assert torch.equal(f(x), g(x))
    # a saved spec that no longer matches the rebuilt model is refused, naming the file
    meta["extra"]["blueprint"]["given"] = ["n=7", "X=float[2]", "Y=float[2]"]
    (tmp_path / "m.json").write_text(json.dumps(meta))
    with pytest.raises(ArchLawError, match="m.json: saved spec does not match"):
        built.load(tmp_path / "m")


@pytest.mark.parametrize("call, message", [
    (lambda: archlaw.build("InitHomLaw"),
     "no known construction for ArchLaw.InitHomLaw; laws that have one: ShiftEquivariant, "),
    (lambda: archlaw.build("FoldlLaws", A=(3,), H=F2),
     "needs finite sorts A and H .*; A is Float\\[3\\]"),
    (lambda: archlaw.build("PermEquivariant", n=4, X=BoolEnc(), Y=()), "X is Bool"),
    (lambda: archlaw.build("ShiftEquivariant", n=4, X=(), Y=(), arch={"widht": 3}),
     "no architecture option 'widht' .* accepted: width \\(default 16\\)"),
    (lambda: archlaw.build("C4Equivariant", k=5, X=(), Y=(), arch={"kernel": 2}), "odd kernel"),
    (lambda: archlaw.build("ShiftEquivariant", n=4, X=()), "give Y \\(sort\\)"),
    (lambda: archlaw.build("ShiftEquivariant", "n=4", n=4, X=(), Y=()), "n given twice"),
    (lambda: archlaw.build("ShiftEquivariant", n=4, X=(), Y=(), f=torch.nn.Identity()),
     "not its model symbols"),
    (lambda: archlaw.build("Carry.CarryCell", B=1), "B=1: .* from 2 to 36"),
    (lambda: archlaw.build("ShiftEquivariant", n=0, X=(), Y=()), "n >= 1"),
])
def test_bad_input_is_one_line(call, message):
    with pytest.raises(ArchLawError, match=message) as e:
        call()
    assert "\n" not in str(e.value)


def test_a_task_that_does_not_fit_says_what_it_needs():
    fold = archlaw.build("FoldlLaws", A=F3, H=F2)
    with pytest.raises(ArchLawError, match="task counter: needs A=fin\\[2\\] and H=fin\\[h\\], "
                                           "h >= 2; here A=fin\\[3\\] is not fin\\[2\\]"):
        train(fold, "counter")
    with pytest.raises(ArchLawError, match="task motif trains ShiftEquivariant, not FoldlLaws; "
                                           "its tasks: counter"):
        train(fold, "motif")
    with pytest.raises(ArchLawError, match="no shipped task 'nope'; accepted: motif, "):
        train(fold, "nope")


@pytest.mark.parametrize("law, given, task, failed", [
    ("C4Equivariant", dict(k=5, X=(2,), Y=(2,)), "patterns", "X=float[2] is not float or float[1]"),
    ("C4Equivariant", dict(k=4, X=(), Y=(2,)), "patterns", "k=4 is below 5"),
    ("ShiftEquivariant", dict(n=6, X=(), Y=()), "motif",
     "Y=float is not float[K] or fin[K] with K >= 2"),
    ("PermEquivariant", dict(n=4, X=(2,), Y=(3,)), "disks", "Y=float[3] is not float[2] or fin[2]"),
    ("FoldlLaws", dict(A=F2, H=Finite(1)), "counter", "H=fin[1] is not fin[h], h >= 2"),
    ("TreeFoldLaws", dict(L=F3, N=F2, H=F5), "arith", "H=fin[5] is not fin[3], as L"),
    ("TreeFoldLaws", dict(L=F3, N=F3, H=F3), "arith", "N=fin[3] is not fin[2]"),
    ("MealyLaws", dict(S=F2, I=F2, O=F2), "no-two-ones", "S=fin[2] is not fin[s], s >= 3"),
    ("MealyLaws", dict(S=F3, I=F2, O=F3), "no-two-ones", "O=fin[3] is not fin[2]"),
])
def test_an_unfitting_task_says_which_requirement_failed(law, given, task, failed):
    """The whole requirement, then the part this model misses, then what it has (one line)."""
    with pytest.raises(ArchLawError) as e:
        train(archlaw.build(law, **given), task)
    msg = str(e.value)
    assert f"; here {failed} (this model has " in msg and "\n" not in msg
    assert msg.startswith(f"task {task}: needs ")


@pytest.mark.parametrize("field, value", [
    ("steps", 0), ("steps", -3), ("batch", 0), ("max_tries", 0), ("train_size", -1),
    ("lr", 0.0), ("lr", -1e-3), ("lr", float("nan")), ("steps", 2.5), ("seed", "0"),
])
def test_a_bad_training_setting_is_refused_not_replaced_by_the_default(field, value):
    """Before: ``steps=0`` trained the task's 300 steps (``cfg.steps or 300``)."""
    with pytest.raises(ArchLawError, match=f"^TaskConfig.{field}: ") as e:
        TaskConfig(**{field: value})
    assert "\n" not in str(e.value)


def test_the_steps_asked_for_are_the_steps_trained():
    model, report = train(archlaw.build("ShiftEquivariant", n=6, X=(), Y=(2,)), "motif",
                          TaskConfig(steps=1, batch=4, train_size=8, device="cpu"))
    assert report.steps == 1 and TaskConfig().or_default("steps", 7) == 7
