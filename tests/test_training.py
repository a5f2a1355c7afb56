"""The one training loop (`archlaw.models.training`), its seeding rule, and the one sinusoidal
position table: every family's models are functions of the seed alone, constructors never seed,
the loop seeds before it builds, retries with the next seed and reports every seed tried."""

from __future__ import annotations

import ast
import math
from pathlib import Path

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from archlaw.models import positions
from archlaw.models.carry import baselines as carry_baselines
from archlaw.models.carry.baselines import AlignedAdderTransformer, TransformerConfig
from archlaw.models.carry.modules import CarryCellMLP, CombineMLP
from archlaw.models.equivariance import modules as E
from archlaw.models.equivariance.baselines import BaselineCNN, BaselineMLP
from archlaw.models.recursion import baselines as recursion_baselines
from archlaw.models.recursion.baselines import LSTMTagger, SinusoidalTransformer
from archlaw.models.recursion.modules import FiniteMealy, FiniteMoore, FloatMealy, LeftFold, TreeFold
from archlaw.models.training import (
    LoopConfig, Recipe, Schedule, fit, seed_everything, seeds_for,
)

ROOT = Path(__file__).resolve().parents[1]

#: Every family's trainable models and baselines, built as the loop builds them (no seed given).
FACTORIES = {
    "carry cell": lambda: CarryCellMLP(3, 8),
    "carry combine": lambda: CombineMLP(8),
    "carry transformer baseline": lambda: AlignedAdderTransformer(
        TransformerConfig(base=3, d_model=8, n_heads=2, n_layers=1, d_ff=16)),
    "equivariance D4 G-CNN": lambda: E.d4_cnn(width=2, classes=2),
    "equivariance C8 G-CNN": lambda: E.cyclic_gcnn(8, width=2, classes=2),
    "equivariance DeepSets": lambda: E.deepsets_net(5, width=3),
    "equivariance baseline CNN": lambda: BaselineCNN(width=3, classes=2),
    "equivariance baseline MLP": lambda: BaselineMLP(6, 5, 2),
    "recursion LeftFold finite": lambda: LeftFold(2, 3, states=3, hidden=8),
    "recursion LeftFold GRU": lambda: LeftFold(2, 3, hidden=8),
    "recursion TreeFold finite": lambda: TreeFold(5, 2, 5, states=5, hidden=8),
    "recursion Mealy finite": lambda: FiniteMealy(2, 2, 3, hidden=8),
    "recursion Moore finite": lambda: FiniteMoore(2, 2, 3, hidden=8),
    "recursion Mealy GRU": lambda: FloatMealy(2, 2, hidden=8),
    "recursion baseline LSTM": lambda: LSTMTagger(2, 3, 8),
    "recursion baseline transformer": lambda: SinusoidalTransformer(2, 3, d_model=8, heads=2,
                                                                    layers=1, ff=16),
}


def _weights(m: torch.nn.Module) -> dict[str, torch.Tensor]:
    return {k: v.detach().clone() for k, v in m.state_dict().items()}


def _same(a: dict, b: dict) -> bool:
    return a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)


@pytest.mark.parametrize("name", FACTORIES)
def test_each_family_model_is_a_function_of_the_seed(name):
    """Same seed, same weights (whatever was drawn in between); another seed, other weights."""
    make = FACTORIES[name]
    seed_everything(7)
    first = _weights(make())
    torch.rand(100)  # draws in between must not matter: the seed is set again before building
    seed_everything(7)
    again = _weights(make())
    seed_everything(8)
    other = _weights(make())
    assert _same(first, again)
    assert not _same(first, other), f"{name}: seed 8 built the same weights as seed 7"


@pytest.mark.parametrize("name", FACTORIES)
def test_constructors_never_seed(name):
    """A constructor that called torch.manual_seed would leave torch's generator in the same
    state whatever it was before: the draw after building must still depend on the seed."""
    after = []
    for seed in (1, 2):
        torch.manual_seed(seed)
        FACTORIES[name]()
        after.append(torch.rand(4))
    assert not torch.equal(after[0], after[1])


# ---------------------------------------------------------------------------------------------
# The loop


def _regression(accept=lambda m: True, steps: int = 20) -> Recipe:
    """y = 3x on random x: a linear model learns it in a few steps."""
    def batch(g, step, dev):
        x = torch.randn(16, 1, generator=g).to(dev)
        return x, 3 * x

    def loss(m, b, step):
        return torch.nn.functional.mse_loss(m(b[0]), b[1])

    return Recipe(make=lambda: torch.nn.Linear(1, 1), batch=batch, loss=loss, accept=accept,
                  name="line")


def test_the_loop_seeds_before_building_and_is_reproducible():
    untrained, rep0 = fit(_regression(), LoopConfig(steps=0, lr=0.1, seed=5, device="cpu"))
    seed_everything(5)
    assert _same(_weights(untrained), _weights(torch.nn.Linear(1, 1)))
    assert rep0.steps == 0 and rep0.seeds_tried == (5,)
    torch.rand(10)
    a, rep_a = fit(_regression(), LoopConfig(steps=30, lr=0.1, seed=5, device="cpu"))
    b, _ = fit(_regression(), LoopConfig(steps=30, lr=0.1, seed=5, device="cpu"))
    c, _ = fit(_regression(), LoopConfig(steps=30, lr=0.1, seed=6, device="cpu"))
    assert _same(_weights(a), _weights(b)) and not _same(_weights(a), _weights(c))
    assert rep_a.final_loss < 0.5 and rep_a.accepted and rep_a.steps == 30
    assert rep_a.device == "cpu" and rep_a.stopped == "steps" and not a.training


def test_the_loop_retries_with_the_next_seed_and_reports_every_seed_tried():
    built = []

    def accept(m):  # only the third seed passes
        built.append(m)
        return len(built) == 3

    model, rep = fit(_regression(accept), LoopConfig(steps=2, lr=0.1, seed=4, max_tries=5,
                                                     device="cpu"))
    assert rep.seeds_tried == (4, 1004, 2004) and rep.seed == 2004 and rep.accepted
    assert model is built[-1]
    model, rep = fit(_regression(lambda m: False), LoopConfig(steps=2, lr=0.1, seed=0,
                                                              max_tries=3, device="cpu"))
    assert rep.seeds_tried == seeds_for(0, 3) == (0, 1000, 2000)
    assert rep.seed == 2000 and not rep.accepted


def test_the_time_budget_stops_a_try_and_says_so():
    _, rep = fit(_regression(), LoopConfig(steps=10 ** 6, lr=0.1, max_seconds=0.0, device="cpu"))
    assert rep.stopped == "time" and rep.steps == 0


def test_progress_callback_and_hooks_see_every_step():
    seen, hooked = [], []
    fit(_regression(), LoopConfig(steps=4, lr=0.1, device="cpu"),
        progress=lambda step, total: seen.append((step, total)),
        on_step=lambda run: hooked.append((run.step, run.lr)))
    assert seen == [(1, 4), (2, 4), (3, 4), (4, 4)]
    assert [s for s, _ in hooked] == [1, 2, 3, 4] and all(lr == 0.1 for _, lr in hooked)


def test_a_resume_hook_continues_from_its_step():
    steps = []
    fit(_regression(), LoopConfig(steps=5, lr=0.1, device="cpu"),
        on_start=lambda run: setattr(run, "step", 3), on_step=lambda run: steps.append(run.step))
    assert steps == [4, 5]


def test_a_bad_device_is_one_line_naming_the_setting():
    from archlaw.bridge.errors import ArchLawError

    with pytest.raises(ArchLawError, match=r"LoopConfig.device: 'gpu' is not accepted"):
        fit(_regression(), LoopConfig(steps=1, lr=0.1, device="gpu"))


def test_schedules_match_the_formulas_the_families_used():
    """The carry cell's warm-up + linear decay to 0.1, the recursion models' cosine (torch's
    CosineAnnealingLR), and the transformer's warm-up then cosine."""
    cell = Schedule(warmup=50, decay="linear", floor=0.1)
    for step in (0, 10, 49, 50, 400, 799):
        old = min(1.0, (step + 1) / 50) * (0.1 + 0.9 * (1 - step / 800))
        assert math.isclose(cell.factor(step, 800), old, rel_tol=1e-12)
    p = torch.nn.Parameter(torch.zeros(1))
    opt = torch.optim.SGD([p], lr=1.0)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, 40)
    for step in range(40):
        assert math.isclose(Schedule(decay="cosine").factor(step, 40), opt.param_groups[0]["lr"],
                            rel_tol=1e-9, abs_tol=1e-12)
        opt.step()
        sched.step()
    tf = Schedule(warmup=200, decay="cosine")
    assert tf.factor(0, 8000) == pytest.approx(1 / 200 * 0.5 * (1 + math.cos(0)))
    assert tf.factor(8000, 8000) == pytest.approx(0.0, abs=1e-12)


@settings(max_examples=60, deadline=None)
@given(warmup=st.integers(0, 50), decay=st.sampled_from(["constant", "linear", "cosine"]),
       floor=st.floats(0, 1), steps=st.integers(1, 500), data=st.data())
def test_a_schedule_factor_stays_in_its_bounds(warmup, decay, floor, steps, data):
    step = data.draw(st.integers(0, steps))
    f = Schedule(warmup, decay, floor).factor(step, steps)
    assert 0.0 <= f <= 1.0 + 1e-12
    if step + 1 >= max(warmup, 1) and decay != "constant":
        assert f >= floor - 1e-12


def test_training_is_written_once():
    """One loop: no module of the package, and no training script, builds an optimiser or seeds
    torch's global generator except `archlaw.models.training` (the equivariance benchmark's
    third-party part runs in escnn's environment, without archlaw, and is left out)."""
    files = [p for p in (ROOT / "archlaw").rglob("*.py") if p.name != "training.py"]
    files += [ROOT / "scripts" / n for n in ("train_transformer_adder.py", "bench_recursion.py",
                                             "bench_carry.py", "bench_conformance.py",
                                             "bench_pathfinding.py")]
    bench_eq = ROOT / "scripts" / "bench_equivariance.py"
    tree = ast.parse(bench_eq.read_text())
    main = next(n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == "main")
    sources = {p: p.read_text() for p in files} | {bench_eq: ast.unparse(main)}
    bad = [f"{p.relative_to(ROOT)}: {what}" for p, text in sources.items()
           for what in ("torch.optim.", "manual_seed(torch", "torch.manual_seed(",
                        "cuda.manual_seed")
           if what in text]
    assert bad == []


# ---------------------------------------------------------------------------------------------
# One sinusoidal position table


def test_both_transformer_baselines_use_the_one_position_table():
    assert carry_baselines.sinusoidal_positions is positions.sinusoidal_positions
    assert recursion_baselines.sinusoidal_positions is positions.sinusoidal_positions
    assert not hasattr(carry_baselines, "sinusoid")


@pytest.mark.parametrize("dim", [1, 2, 7, 8, 64])
def test_the_position_table_is_vaswanis(dim):
    pe = positions.sinusoidal_positions(50, dim, dtype=torch.float64)
    assert pe.shape == (50, dim) and pe.dtype == torch.float64
    for t in (0, 1, 49):
        for j in range(dim):
            angle = t / 10000 ** (2 * (j // 2) / dim)
            want = math.sin(angle) if j % 2 == 0 else math.cos(angle)
            assert pe[t, j].item() == pytest.approx(want, abs=1e-12)


def test_the_position_table_is_accurate_far_past_training_lengths():
    """The adder baseline runs at 100,000 positions: the table is computed in float64, so its
    float32 entries are the correctly rounded values there (a float32 angle is off by ~6e-3)."""
    t = torch.tensor([99_999.0], dtype=torch.float64)
    pe = positions.sinusoidal_positions(100_000, 64)[-1]
    assert pe.dtype == torch.float32
    assert torch.allclose(pe[0].double(), torch.sin(t)[0], atol=1e-7)
    assert torch.allclose(pe[1].double(), torch.cos(t)[0], atol=1e-7)
