"""`archlaw new LAW [NAME=VALUE ...] -o DIR [--task NAME]`: write a script that builds, trains,
checks and saves a model of LAW.

The law's parameters and sorts are given as for ``archlaw spec`` (``n=16 X=float Y=float[4]``;
none at all: the construction's example, said on stderr). The script (``DIR/train_<law>.py``)
builds the model with `archlaw.build` (the architecture read off the law), trains it through the
one training loop on a shipped task (``--task``, default the law's own; ``none``: the user's
data, through the two functions the script leaves to fill in), checks the law on it and saves it
with its spec (`archlaw.models.build.save`). It runs as it is: ``python DIR/train_<law>.py
[--steps N] [--out PATH]``; a bad option of the script, or ``TASK = None`` with `my_batch` still
unwritten, is one line and exit status 2 there too.

DIR is made when it is missing, but not its parents: a missing parent is refused (a mistyped
path makes no folder tree). Nothing is overwritten: an existing file is refused with one line
(exit status 2), as are a law with no construction, a bad parameter or sort, a task that does
not fit them (the line says which requirement failed), and ``--task`` or ``-o`` given twice.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from string import Template

from archlaw.bridge.errors import ArchLawError

from .app import _Parser
from .spec import add_assignments

HELP = "write a script that builds, trains, checks and saves a model of a law"


class ScriptParser(_Parser):
    """The parser of the scripts `archlaw new` writes: a bad option is one line naming it, exit
    status 2, as for ``archlaw`` itself."""


def at_least(least: int):
    """An option type of those scripts: an int >= `least`; anything else is the parser's
    one-line error (``argument --steps: '0': expected an integer >= 1``)."""
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            value = least - 1
        if value < least:
            raise argparse.ArgumentTypeError(f"{text!r}: expected an integer >= {least}")
        return value
    return parse


class _Once(argparse.Action):
    """An option that may be given once: a second one is argparse's one-line error, not a silent
    override of the first."""

    def __call__(self, parser, namespace, values, option_string=None):
        if getattr(namespace, self.dest, None) is not None:
            parser.error(f"{option_string} given twice ({getattr(namespace, self.dest)} and "
                         f"{values}); give it once")
        setattr(namespace, self.dest, values)

#: The script `archlaw new` writes; ``$names`` are filled in by `script_text`.
SCRIPT = Template('''\
#!/usr/bin/env python3
"""Build, train, check and save a model of $law ($given_text).

Written by `archlaw new` (docs/building.md). The model, built by `archlaw.build` from the law
itself, is $architecture. It trains through archlaw's one training loop
(`archlaw.models.training.fit`) on the shipped task TASK, or, with TASK = None, on your own data
through `my_batch` and `my_loss` below. Then the law is checked on it and, when it holds, the
model is saved with its spec (read it back with `archlaw.models.build.load(PATH)`).

    python $script                  # train, check, save next to this script
    python $script --steps 5        # a quick run

Exit status: 0 the law held and the model was saved; 1 it failed (the counterexample is printed,
nothing is saved); 2 a user error (one line: a bad option, or TASK = None with my_batch and
my_loss not yet written).
"""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

import torch

import archlaw
from archlaw.bridge.devices import resolve_device
from archlaw.cli.new import ScriptParser, at_least
from archlaw.models import build as built
from archlaw.models.build_tasks import TaskConfig, train
from archlaw.models.training import LoopConfig, Recipe, fit

LAW = "$law"
#: the law's parameters and sorts, as `archlaw spec` takes them
GIVEN = $given
#: architecture options, each an int: $arch_help
ARCH = $arch
#: a shipped task ($tasks), or None: train on my_batch and my_loss
TASK = $task
#: optimiser steps (--steps)
STEPS = $steps


UNWRITTEN = ("TASK is None, so training reads my_batch and my_loss, which are not written yet: "
             "write them, or set TASK to a shipped task ($tasks)")


def my_batch(gen: torch.Generator, step: int, device: torch.device):
    """Your data (TASK = None): batch number `step`, drawn with `gen` (seeded by the loop) and
    put on `device`. Return whatever `my_loss` reads, e.g. (inputs, targets), the model's
    inputs shaped as `archlaw spec $law $given_text` prints them."""
    raise archlaw.ArchLawError(UNWRITTEN)


def my_loss(model: torch.nn.Module, batch, step: int) -> torch.Tensor:
    """Your loss (TASK = None): a scalar tensor for `batch`, the value `my_batch` returned."""
    raise archlaw.ArchLawError(UNWRITTEN)


def make() -> torch.nn.Module:
    """A fresh, untrained model (the loop builds one per seed it tries)."""
    return archlaw.build(LAW, *GIVEN, arch=ARCH)


def main(argv=None) -> int:
    p = ScriptParser(prog=Path(__file__).name, description=__doc__.splitlines()[0])
    p.add_argument("--steps", type=at_least(1), default=STEPS,
                   help=f"optimiser steps, at least 1 (default {STEPS})")
    p.add_argument("--seed", type=at_least(0), default=0, help="training seed, 0 or more (default 0)")
    p.add_argument("--samples", type=at_least(1), default=100,
                   help="cases the check samples where it cannot enumerate, at least 1 "
                        "(default 100)")
    p.add_argument("--device", default="auto", help="auto, cpu, cuda or cuda:N (default auto)")
    p.add_argument("--out", type=Path, default=Path(__file__).with_name("$stem"),
                   help="saved as OUT.safetensors and OUT.json (default: next to this script)")
    args = p.parse_args(argv)
    try:
        resolve_device(args.device)  # a bad --device: one line before anything is built
        if TASK is not None:
            model, report = train(make(), TASK, TaskConfig(steps=args.steps, seed=args.seed,
                                                           device=args.device))
        else:
            model, report = fit(Recipe(make=make, batch=my_batch, loss=my_loss),
                                LoopConfig(steps=args.steps, lr=3e-3, seed=args.seed,
                                           device=args.device), progress=False)
        print(f"trained {report.steps} steps (seed {report.seed}, {report.seconds:.1f} s), "
              f"final loss {report.final_loss:.4g}")
        check = built.check(model, samples=args.samples)
        print(check.summary())
        if not check.passed:
            print("not saved: the law failed on the trained model", file=sys.stderr)
            return 1
        weights, meta = built.save(args.out, model, report=check,
                                   training=dataclasses.asdict(report))
    except archlaw.ArchLawError as e:
        print(f"{p.prog}: error: {e}", file=sys.stderr)
        return 2
    print(f"saved {weights} and {meta}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
''')


def configure(p: argparse.ArgumentParser) -> None:
    p.epilog = ("Example: archlaw new ArchLaw.ShiftEquivariant n=16 X=float Y=float[4] -o "
                "mymodel (docs/building.md).")
    p.add_argument("law", metavar="LAW", help="law name (full or unique suffix)")
    add_assignments(p)
    p.add_argument("-o", "--out-dir", dest="out_dir", type=Path, required=True, metavar="DIR",
                   action=_Once, help="folder to write the script into (made when missing; its "
                                      "parent must exist); an existing file is never overwritten")
    p.add_argument("--task", default=None, action=_Once,
                   help="the shipped task the script trains on (default the law's own), or "
                        "none: your data, through the script's my_batch and my_loss")


def script_text(law: str, given: list[str], task: str | None, steps: int) -> tuple[str, str]:
    """(file name, text) of the script for `law` (full name) built with `given`
    (``NAME=VALUE``) and trained for `steps` on `task` (None: the user's data)."""
    from archlaw.models.build import construction_for, short
    from archlaw.models.build_tasks import task_names

    c = construction_for(law)
    stem = "model_" + short(law).replace(".", "_").lower()
    script = f"train_{short(law).replace('.', '_').lower()}.py"
    text = SCRIPT.substitute(
        law=law, given_text=" ".join(given), given=json.dumps(given), arch="{}",
        arch_help=", ".join(f"{k} (default {v})" for k, v in c.arch.items()),
        task=json.dumps(task) if task else "None", tasks=", ".join(task_names(law)),
        steps=steps, script=script, stem=stem, architecture=c.architecture)
    return script, text


def run(args: argparse.Namespace) -> int:
    from archlaw.bridge.spec import find_law
    from archlaw.models.build import build, construction_for
    from archlaw.models.build_tasks import find_task

    # the laws `archlaw.build` reads, as the script will (the library's, or the Lake project's
    # around the current directory): every construction is of a law of ArchLaw's library
    law = find_law(args.law, where=f"archlaw new {args.law}")
    c = construction_for(law.name)
    given = list(args.assign)
    if not given:
        given = list(c.example)
        print(f"archlaw new: no law parameters given; using the example {' '.join(given)}",
              file=sys.stderr)
    model = build(law, *given)  # every parameter and sort checked before anything is written
    task = c.task if args.task is None else (None if args.task == "none" else args.task)
    steps = 300
    if task is not None:
        try:
            steps = find_task(model.blueprint, task).steps
        except ArchLawError as e:
            raise ArchLawError(f"{e}; or --task none, to train on your own data") from None
    if task == "sums":  # the carry family's own budget for the base
        from archlaw.models.carry.train import default_steps

        steps = default_steps(model.blueprint.params["B"])
    name, text = script_text(law.name, model.blueprint.assignments(), task, steps)
    out = args.out_dir
    if out.exists() and not out.is_dir():
        raise ArchLawError("is not a folder; -o takes the folder to write the script into",
                           where=f"-o {out}")
    parent = out.absolute().parent
    if not out.exists() and not parent.is_dir():
        raise ArchLawError(f"{parent} is not an existing folder; archlaw new makes DIR but not "
                           "its parents (make them first, or choose another -o)",
                           where=f"-o {out}")
    path = out / name
    if path.exists() or path.is_symlink():
        raise ArchLawError("exists; archlaw new never overwrites a file (remove it, or choose "
                           "another -o)", where=str(path))
    try:
        out.mkdir(exist_ok=True)
        with open(path, "x", encoding="utf-8") as f:  # "x": refuse a file made meanwhile
            f.write(text)
    except OSError as e:
        raise ArchLawError(f"cannot write: {e.strerror}", where=str(path)) from None
    print(f"wrote {path}: {c.architecture}, trained on "
          f"{task or 'your data (fill in my_batch and my_loss)'}; run: python {path}")
    return 0
