"""Training built models (`archlaw.models.build`) on the shipped tasks, through the one loop.

Every task trains through `archlaw.models.training.fit`, each seed on a fresh model built from
the same blueprint (`make_fresh`), with the families' own recipes where one fits:

==============  ==========================================  =================================
task            laws                                        data, loss (family)
==============  ==========================================  =================================
``motif``       ``ShiftEquivariant`` (X float or float[1],  `MotifTask`: which motif sits at a
                Y float[K] or fin[K], K classes)            cyclic shift; cross-entropy of f's
                                                            output averaged over positions
``disks``       ``PermEquivariant`` (X float[2], Y float[2]  `DiskCountTask`: is most of the set
                or fin[2])                                  in the unit disk; the same readout
``patterns``    ``C4Equivariant``, ``D4Equivariant``        `PatternTask` (k >= 5): which
                (X float or float[1], Y float[K]/fin[K])    pattern, turned, sits in the image
``counter``     ``FoldlLaws``, ``FoldLaws`` (A fin[2],      `CounterTask`: ones mod h, after
                H fin[h])                                   every prefix (recursion.train)
``arith``       ``TreeFoldLaws`` (L fin[p], N fin[2],       `ArithTreeTask`: arithmetic mod p
                H fin[p])                                   over trees (recursion.train)
``no-two-ones`` ``MealyLaws``, ``MooreLaws``, their         `NoTwoOnesTask`: "no two 1s in a
                restart laws, ``CausalLaw`` (I, O fin[2])   row" after every bit
``sums``        ``Carry.CarryCell``                         little-endian sums (carry.train's
                                                            recipe; kept only when exact)
==============  ==========================================  =================================

The symmetry tasks are invariant classifications; an equivariant f meets them through an
invariant readout (the mean of f's output over the index axes), so what is trained is f itself
and what is checked is f's law. Your own data goes through the same loop: a
`archlaw.models.training.Recipe` with ``batch(gen, step, device)`` and ``loss(model, batch,
step)`` (the script `archlaw new` writes has both, to fill in).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, Callable

import torch
import torch.nn.functional as F
from torch import nn

from archlaw.bridge.errors import ArchLawError
from archlaw.bridge.sorts import Finite, FloatTensor
from archlaw.models.build import build, short
from archlaw.models.build_base import Blueprint
from archlaw.models.training import LoopConfig, TrainReport, fit

__all__ = ["TaskConfig", "Task", "tasks", "task_names", "find_task", "make_fresh", "train"]


@dataclass(frozen=True)
class TaskConfig:
    """`steps` optimiser steps (None: the task's default), `batch` examples a step, `lr` (None:
    the task's default), `seed` the first seed, `max_tries` seeds in all (kept: the first the
    task accepts; None: 1, or 5 for ``sums`` as in the carry family), `train_size` the fixed
    training set of a symmetry task, `device` any ``--device`` value. A count below 1 or a
    learning rate that is not a positive number is one `ArchLawError` line naming the field (a
    0 is never read as "the default": only None is)."""

    steps: int | None = None
    batch: int = 64
    lr: float | None = None
    seed: int = 0
    max_tries: int | None = None
    train_size: int = 1000
    device: str = "auto"

    def __post_init__(self) -> None:
        for name in ("steps", "batch", "max_tries", "train_size"):
            v = getattr(self, name)
            if v is None and name in ("steps", "max_tries"):
                continue
            if isinstance(v, bool) or not isinstance(v, int) or v < 1:
                raise ArchLawError(f"{v!r}: expected an int >= 1"
                                   + (" (or None: the task's default)"
                                      if name in ("steps", "max_tries") else ""),
                                   where=f"TaskConfig.{name}")
        if self.lr is not None and (isinstance(self.lr, bool)
                                    or not isinstance(self.lr, (int, float))
                                    or not 0 < self.lr < float("inf")):
            raise ArchLawError(f"{self.lr!r}: expected a positive number (or None: the task's "
                               "default)", where="TaskConfig.lr")
        if isinstance(self.seed, bool) or not isinstance(self.seed, int):
            raise ArchLawError(f"{self.seed!r}: expected an int", where="TaskConfig.seed")

    def or_default(self, name: str, default: Any) -> Any:
        """Field `name`, or `default` where it is None (the task's own value)."""
        v = getattr(self, name)
        return default if v is None else v


@dataclass(frozen=True)
class Task:
    """A shipped task: `laws` it trains, `what` it is, `steps` by default, `fits(bp)` (raises
    one `ArchLawError` line saying what the task needs when a blueprint's sorts do not fit it),
    and `run(make, bp, cfg)`, which trains through `fit` and returns (model, report)."""

    name: str
    laws: tuple[str, ...]
    what: str
    steps: int
    fits: Callable[[Blueprint], Any]
    run: Callable[[Callable[[], nn.Module], Blueprint, TaskConfig], tuple[nn.Module, TrainReport]]


def make_fresh(model: Any) -> Callable[[], nn.Module]:
    """A factory of fresh, untrained models with `model`'s blueprint (one for each seed `fit`
    tries; it never seeds)."""
    bp: Blueprint = model.blueprint
    return lambda: build(bp.law, arch=bp.arch, **bp.given())


def _given(bp: Blueprint, name: str) -> str:
    """``NAME=VALUE`` of one law parameter or sort of `bp`, as the command line writes it."""
    return next(a for a in bp.assignments() if a.split("=", 1)[0] == name)


def _needs(task: str, bp: Blueprint, text: str, failed: str) -> ArchLawError:
    """The task's whole requirement `text`, the part that `failed` first, and what the model
    has."""
    return ArchLawError(f"needs {text}; here {failed} (this model has "
                        f"{', '.join(bp.assignments())})", where=f"task {task}")


def _classes(task: str, bp: Blueprint, x_channels: int, what: str) -> int:
    """K for a symmetry task: X of `x_channels` float channels, Y float[K] or fin[K]."""
    x, y = bp.sorts["X"], bp.sorts["Y"]
    if not (isinstance(x, FloatTensor) and len(x.shape) <= 1
            and (x.shape[0] if x.shape else 1) == x_channels):
        want = "float or float[1]" if x_channels == 1 else f"float[{x_channels}]"
        raise _needs(task, bp, what, f"{_given(bp, 'X')} is not {want}")
    if isinstance(y, Finite) and y.n >= 2:
        return y.n
    if isinstance(y, FloatTensor) and len(y.shape) == 1 and y.shape[0] >= 2:
        return y.shape[0]
    raise _needs(task, bp, what, f"{_given(bp, 'Y')} is not float[K] or fin[K] with K >= 2")


def _symmetric(make: Callable[[], nn.Module], x: torch.Tensor, y: torch.Tensor,
               axes: tuple[int, ...], classes: int, cfg: TaskConfig, steps: int, name: str):
    """Train f on an invariant classification through the family's recipe (minibatches of a
    fixed set), its loss replaced by the cross-entropy of f's output averaged over `axes`."""
    from archlaw.models.equivariance.train import recipe

    def loss(model: nn.Module, b, step: int) -> torch.Tensor:
        out = model(b[0])
        return F.cross_entropy(out.reshape(*out.shape[:1 + len(axes)], classes).mean(axes), b[1])

    r = dataclasses.replace(recipe(make, x, y, cfg.batch, name), loss=loss)
    return fit(r, LoopConfig(steps=steps, lr=cfg.or_default("lr", 3e-3), seed=cfg.seed,
                             max_tries=cfg.or_default("max_tries", 1), device=cfg.device),
               progress=False)


def _motif_classes(bp: Blueprint) -> int:
    return _classes("motif", bp, 1, "X=float or float[1] and Y=float[K] or fin[K], K >= 2")


def _motif(make, bp, cfg):
    from archlaw.models.equivariance.data import MotifTask

    k, n = _motif_classes(bp), bp.params["n"]
    task = MotifTask(classes=k, n=n, motif=min(5, n))
    x, y = task.sample(cfg.train_size, cfg.seed)
    x = x[:, 0].reshape(x.shape[0], n, *bp.sorts["X"].shape)  # (N, 1, n) -> the spec's (N, n, *X)
    return _symmetric(make, x, y, (1,), k, cfg, cfg.or_default("steps", 300), "motif")


def _disks_fit(bp: Blueprint) -> None:
    what = "X=float[2] and Y=float[2] or fin[2]"
    if _classes("disks", bp, 2, what) != 2:
        raise _needs("disks", bp, what, f"{_given(bp, 'Y')} is not float[2] or fin[2]")


def _disks(make, bp, cfg):
    from archlaw.models.equivariance.data import DiskCountTask

    _disks_fit(bp)
    x, y = DiskCountTask(n=bp.params["n"]).sample(cfg.train_size, cfg.seed)  # (N, n, 2): the spec's
    return _symmetric(make, x, y, (1,), 2, cfg, cfg.or_default("steps", 300), "disks")


def _patterns_classes(bp: Blueprint) -> int:
    what = "k >= 5, X=float or float[1] and Y=float[K] or fin[K], K >= 2"
    if bp.params["k"] < 5:
        raise _needs("patterns", bp, what, f"{_given(bp, 'k')} is below 5")
    return _classes("patterns", bp, 1, what)


def _patterns(make, bp, cfg):
    from archlaw.models.equivariance.data import PatternTask

    k, size = _patterns_classes(bp), bp.params["k"]
    x, y = PatternTask(classes=k, size=size).sample(cfg.train_size, cfg.seed)
    x = x[:, 0].reshape(x.shape[0], size, size, *bp.sorts["X"].shape)  # -> (N, k, k, *X)
    return _symmetric(make, x, y, (1, 2), k, cfg, cfg.or_default("steps", 200), "patterns")


def _fin(bp: Blueprint, name: str) -> int:
    enc = bp.sorts.get(name)
    return enc.n if isinstance(enc, Finite) else -1


def _recursion_task(task_name: str, bp: Blueprint) -> Any:
    """The recursion family's task object for `task_name`, once `bp`'s sorts fit it."""
    from archlaw.models.recursion import data

    if task_name == "counter":
        wants = {"A": (2, 2, "fin[2]"), "H": (2, None, "fin[h], h >= 2")}
        what = "A=fin[2] and H=fin[h], h >= 2"
    elif task_name == "arith":
        p = _fin(bp, "L")
        wants = {"L": (2, None, "fin[p], p >= 2"), "N": (2, 2, "fin[2]"),
                 "H": (p, p, f"fin[{p}], as L")}
        what = "L=fin[p], N=fin[2] and H=fin[p], p >= 2"
    else:
        wants = {"S": (3, None, "fin[s], s >= 3"), "I": (2, 2, "fin[2]"), "O": (2, 2, "fin[2]")}
        what = "S=fin[s] with s >= 3, I=fin[2] and O=fin[2]"
    for name, (least, most, want) in wants.items():
        n = _fin(bp, name)
        if n < least or (most is not None and n > most):
            raise _needs(task_name, bp, what, f"{_given(bp, name)} is not {want}")
    if task_name == "counter":
        return data.CounterTask(k=_fin(bp, "H"))
    if task_name == "arith":
        return data.ArithTreeTask(p=_fin(bp, "L"))
    return data.NoTwoOnesTask()


def _recursion(task_name: str, bp: Blueprint, cfg: TaskConfig, make, default_steps: int,
               default_lr: float = 3e-3, **kw):
    from archlaw.models.recursion import train as rtrain

    task = _recursion_task(task_name, bp)
    tc = rtrain.TrainConfig(steps=cfg.or_default("steps", default_steps), batch=cfg.batch,
                            seed=cfg.seed, device=cfg.device,
                            lr=cfg.or_default("lr", default_lr), **kw)
    return rtrain.train(make, task, tc, max_tries=cfg.or_default("max_tries", 1),
                        name=task_name, progress=False)


def _sums(make, bp, cfg):
    from archlaw.models.build_base import arch_options
    from archlaw.models.build_carry import CARRY
    from archlaw.models.carry.train import CellConfig, cell_loop, cell_recipe, default_steps

    base = bp.params["B"]
    cc = CellConfig(base=base, hidden=arch_options(CARRY, bp.arch)["hidden"], seed=cfg.seed,
                    steps=cfg.or_default("steps", default_steps(base)),
                    batch=max(cfg.batch, 256), **({"lr": cfg.lr} if cfg.lr is not None else {}))
    r = dataclasses.replace(cell_recipe(cc), make=make)
    return fit(r, cell_loop(cc, cfg.device, cfg.or_default("max_tries", 5)), progress=False)


_MACHINES = ("ArchLaw.MealyLaws", "ArchLaw.RestartLaws", "ArchLaw.CausalLaw", "ArchLaw.MooreLaws",
             "ArchLaw.MooreRestartLaws")


def tasks() -> dict[str, Task]:
    """The shipped tasks by name (module docstring)."""
    return {t.name: t for t in (
        Task("motif", ("ArchLaw.ShiftEquivariant",), "which motif sits, cyclically shifted, in a "
             "noisy signal", 300, _motif_classes, _motif),
        Task("disks", ("ArchLaw.PermEquivariant",), "whether most points of a set lie in the "
             "unit disk", 300, _disks_fit, _disks),
        Task("patterns", ("ArchLaw.C4Equivariant", "ArchLaw.D4Equivariant"), "which 5×5 "
             "pattern, turned or reflected, sits in a noisy image", 200, _patterns_classes,
             _patterns),
        Task("counter", ("ArchLaw.FoldlLaws", "ArchLaw.FoldLaws"), "the number of ones mod h, "
             "after every prefix", 300, lambda bp: _recursion_task("counter", bp),
             lambda make, bp, cfg: _recursion("counter", bp, cfg, make, 300)),
        Task("arith", ("ArchLaw.TreeFoldLaws",), "arithmetic mod p over trees", 300,
             lambda bp: _recursion_task("arith", bp),
             lambda make, bp, cfg: _recursion("arith", bp, cfg, make, 300)),
        Task("no-two-ones", _MACHINES, "after every bit, whether no two 1s came in a row", 400,
             lambda bp: _recursion_task("no-two-ones", bp),
             lambda make, bp, cfg: _recursion("no-two-ones", bp, cfg, make, 400,
                                              default_lr=1e-2, soft_fraction=0.5)),
        Task("sums", ("ArchLaw.Carry.CarryCell",), "sums of little-endian numbers (a seed is "
             "kept only when its cell is exact)", 800, lambda bp: None, _sums),
    )}


def task_names(law: str) -> list[str]:
    """The shipped tasks that train models of `law` (a full name)."""
    return [t.name for t in tasks().values() if law in t.laws]


def find_task(bp: Blueprint, task: str) -> Task:
    """The shipped `task`, once it fits `bp` (its law and sorts); else one line saying why."""
    found = tasks().get(task)
    if found is None:
        raise ArchLawError(f"no shipped task {task!r}; accepted: {', '.join(tasks())}",
                           where="task")
    if bp.law not in found.laws:
        raise ArchLawError(f"task {task} trains {', '.join(short(n) for n in found.laws)}, not "
                           f"{short(bp.law)}; its tasks: {', '.join(task_names(bp.law)) or 'none'}",
                           where="task")
    found.fits(bp)
    return found


def train(model: Any, task: str, cfg: TaskConfig = TaskConfig()) -> tuple[nn.Module, TrainReport]:
    """Train fresh models with `model`'s blueprint on the shipped `task` through `fit`; returns
    the kept model (eval mode, with its blueprint) and the loop's report. A task that does not
    fit the law or its sorts is one line saying what it needs (`find_task`)."""
    return find_task(model.blueprint, task).run(make_fresh(model), model.blueprint, cfg)
