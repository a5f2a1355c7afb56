"""Recursion benchmark: accuracy against length and depth at 1×, 10× and 100× the training
maximum, for every model built from the laws and every baseline, trained and measured in one run;
then the laws checked on the trained models.

    nice -n 10 .venv/bin/python scripts/bench_recursion.py [--device auto] [--threads 1] [--quick]

Tasks (`archlaw.models.recursion.data`), trained on lengths 1..10 (lists) or depths 1..5 (trees),
evaluated at exactly 1×, 10× and 100× that maximum:

* counter: ones mod 3 (a left fold); models: LeftFold with a finite decoded cell, LeftFold with
  a GRU cell, LSTM, transformer (sinusoidal positions);
* tree: arithmetic mod 5 on caterpillar trees (a tree fold); TreeFold finite / MLP cells, and
  LSTM and transformer on the postfix serialisation (2·depth + 1 tokens);
* language: "no two consecutive 1s", an output after every bit (a Mealy transducer); finite Mealy
  and Moore machines (only outputs supervised), a GRU Mealy machine, LSTM, transformer.

Accuracy is that of the *final* answer (the whole list's count, the root's value, whether the
whole string is in the language), on the same evaluation sets for every model of a task, with
finite models decoded at every step. Writes docs/img/recursion_generalisation.png and a JSON of
every figure (`--out`, docs/bench/recursion_generalisation.json). Every model trains through the
shared loop (`archlaw.models.training.fit`), seeded before it is built; finite Mealy/Moore
machines train with up to 3 seeds (``seed + 1000·k``), keeping the first whose accuracy on a
held-out batch *at training lengths* is 1.0 (the seeds tried are reported).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def parse(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--device", default="auto", help="auto (cuda if available, else cpu), cpu, cuda")
    p.add_argument("--threads", type=int, default=1, help="torch.set_num_threads (default 1)")
    p.add_argument("--omp-wait-policy", default="PASSIVE", help="OMP_WAIT_POLICY (default PASSIVE)")
    p.add_argument("--quick", action="store_true", help="a few steps per model (smoke test)")
    p.add_argument("--seed", type=int, default=0,
                   help="first seed of every model: the shared loop seeds before it builds each "
                        "model; the finite machines may go on to seed+1000 and seed+2000")
    p.add_argument("--png", default=str(ROOT / "docs/img/recursion_generalisation.png"))
    p.add_argument("--out", default=str(ROOT / "docs/bench/recursion_generalisation.json"))
    p.add_argument("--replot", metavar="JSON", default=None,
                   help="only redraw the PNG from a JSON this script wrote (no training)")
    return p.parse_args(argv)


ARGS = parse() if __name__ == "__main__" else None
# must be set before torch (and its OpenMP runtime) is imported
os.environ["OMP_WAIT_POLICY"] = ARGS.omp_wait_policy if ARGS else "PASSIVE"

import torch  # noqa: E402
from archlaw.bridge.console import make_console  # noqa: E402
from archlaw.bridge.devices import resolve_device  # noqa: E402
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn  # noqa: E402
from rich.table import Table  # noqa: E402

from archlaw.bridge.conformance import check_law, check_theorem  # noqa: E402
from archlaw.bridge.errors import ArchLawError  # noqa: E402
from archlaw.bridge.library import load_export  # noqa: E402
from archlaw.models.recursion.modules import (
    FiniteMealy, FiniteMoore, FloatMealy, LeftFold, TreeFold,
)
from archlaw.models.recursion.baselines import LSTMTagger, SinusoidalTransformer  # noqa: E402
from archlaw.models.recursion.bindings import (
    foldl_binding, fold_hom_binding, mealy_binding, mealy_hom_binding, moore_binding, tree_binding,
    tree_hom_binding,
)
from archlaw.models.recursion.data import ArithTreeTask, CounterTask, NoTwoOnesTask  # noqa: E402
from archlaw.models.recursion.train import TrainConfig, answers, evaluate, train  # noqa: E402

MULTIPLES = (1, 10, 100)
console = make_console(width=150)


def specs(quick: bool):
    """(task name, task, max_train, [(model name, kind, factory, TrainConfig kwargs, seeds)]):
    `seeds` is how many seeds the shared loop may try (3 for the finite machines, which must reach
    1.0 on a held-out batch at training lengths; 1 for the others). A factory never seeds."""
    s = (lambda n: max(5, n // 40)) if quick else (lambda n: n)
    counter, tree, lang = CounterTask(3), ArithTreeTask(5), NoTwoOnesTask()
    return [
        ("counter (ones mod 3)", counter, 10, [
            ("LeftFold finite (Fin 3, decoded)", "law", lambda: LeftFold(2, 3, states=3, hidden=32),
             dict(steps=s(400), lr=3e-3), 1),
            ("LeftFold GRU (float state)", "law", lambda: LeftFold(2, 3, hidden=32), dict(steps=s(400), lr=3e-3), 1),
            ("LSTM", "baseline", lambda: LSTMTagger(2, 3, 64), dict(steps=s(1500), lr=3e-3), 1),
            ("Transformer (sinusoidal)", "baseline", lambda: SinusoidalTransformer(2, 3),
             dict(steps=s(1500), lr=1e-3), 1),
        ]),
        ("tree (arithmetic mod 5)", tree, 5, [
            ("TreeFold finite (Fin 5, decoded)", "law", lambda: TreeFold(5, 2, 5, states=5, hidden=64),
             dict(steps=s(400), lr=3e-3), 1),
            ("TreeFold MLP (float state)", "law", lambda: TreeFold(5, 2, 5, hidden=64),
             dict(steps=s(400), lr=3e-3), 1),
            ("LSTM (postfix)", "baseline", lambda: LSTMTagger(7, 5, 64), dict(steps=s(1500), lr=3e-3), 1),
            ("Transformer (postfix, sinusoidal)", "baseline", lambda: SinusoidalTransformer(7, 5),
             dict(steps=s(1500), lr=1e-3), 1),
        ]),
        ("language (no two consecutive 1s)", lang, 10, [
            ("Mealy finite (Fin 3, decoded)", "law", lambda: FiniteMealy(2, 2, 3, hidden=32),
             dict(steps=s(400), lr=1e-2, soft_fraction=0.5), 3),
            ("Moore finite (Fin 3, decoded)", "law", lambda: FiniteMoore(2, 2, 3, hidden=32),
             dict(steps=s(400), lr=1e-2, soft_fraction=0.5), 3),
            ("Mealy GRU (float state)", "law", lambda: FloatMealy(2, 2, hidden=32), dict(steps=s(400), lr=3e-3), 1),
            ("LSTM", "baseline", lambda: LSTMTagger(2, 2, 64), dict(steps=s(800), lr=3e-3), 1),
            ("Transformer (sinusoidal)", "baseline", lambda: SinusoidalTransformer(2, 2),
             dict(steps=s(800), lr=1e-3), 1),
        ]),
    ]


def eval_sets(task, max_train: int, seed: int, quick: bool) -> dict[int, object]:
    g = torch.Generator().manual_seed(10_000 + seed)
    n = {1: 256, 10: 256, 100: 128} if not quick else {1: 32, 10: 32, 100: 8}
    return {k: task.sample(n[k], k * max_train, k * max_train, g) for k in MULTIPLES}


def majority(data) -> float:
    y = answers(data)
    return float(torch.bincount(y).max()) / len(y)


def law_checks(export, name: str, model, task, max_train: int, samples: int) -> list[dict]:
    """The laws of the model's family on the trained model (structural laws sampled up to 10×;
    finite cells exhaustively)."""
    out = []

    def law(lname, binding, fields=None):
        r = check_law(export.find(lname), binding, samples=samples, seed=0)
        out.append({"law": r.law, "statement": r.statement, "check": r.check, "passed": r.passed,
                    "cases": r.cases, "worst_error": r.worst_error})

    def thm(tname, binding):
        r = check_theorem(export.find(tname), export, binding, samples=samples, seed=0)
        out.append({"law": r.theorem, "statement": r.statement, "check": r.check,
                    "passed": r.passed, "cases": sum(h.cases for _, h in r.hypotheses),
                    "verdict": r.verdict(), "certified": r.certified})

    if isinstance(model, LeftFold):
        law("FoldlLaws", foldl_binding(model, max_train_length=max_train, name=name))
        if model.finite:
            thm("foldl_fusion", fold_hom_binding(model, task.cell, 0, task.k, name=name))
    elif isinstance(model, TreeFold):
        law("TreeFoldLaws", tree_binding(model, max_train_depth=max_train, name=name))
        if model.finite:
            thm("tree_fusion", tree_hom_binding(model, task.leaf, task.node, task.p, name=name))
    elif isinstance(model, (FiniteMealy, FloatMealy)):
        b = mealy_binding(model, max_train_length=max_train, name=name)
        for lname in ("MealyLaws", "RestartLaws", "CausalLaw"):
            law(lname, b)
        if isinstance(model, FiniteMealy):
            law("MealyHomLaw", mealy_hom_binding(model, task.step, task.out, task.n_states, 0, name=name))
    elif isinstance(model, FiniteMoore):
        b = moore_binding(model, max_train_length=max_train, name=name)
        for lname in ("MooreLaws", "MooreRestartLaws"):
            law(lname, b)
    return out


def main(args: argparse.Namespace) -> int:
    if args.replot:
        try:
            data = json.loads(Path(args.replot).read_text())
            results, env = data["results"], data["env"]
        except (OSError, ValueError, KeyError) as e:
            raise SystemExit(f"bench_recursion: --replot {args.replot}: not a JSON this script "
                             f"wrote ({e})")
        plot(results, env, Path(args.png))
        console.print(f"redrew {args.png} from {args.replot}")
        return 0
    torch.set_num_threads(args.threads)
    dev = str(resolve_device(args.device))
    env = {"torch": torch.__version__, "python": platform.python_version(), "device": dev,
           "torch_threads": torch.get_num_threads(), "OMP_WAIT_POLICY": os.environ["OMP_WAIT_POLICY"],
           "cpu": platform.processor() or platform.machine(), "seed": args.seed, "quick": args.quick,
           "command": "nice -n 10 .venv/bin/python scripts/bench_recursion.py " + " ".join(sys.argv[1:])}
    console.print(f"[bold]recursion benchmark[/] on {dev}, torch {torch.__version__}, "
                  f"threads {env['torch_threads']}, OMP_WAIT_POLICY={env['OMP_WAIT_POLICY']}")
    try:
        export = load_export()
    except ArchLawError as e:
        console.print(f"[yellow]laws not readable ({e}); law checks skipped[/]")
        export = None
    results: list[dict] = []
    t_all = time.perf_counter()
    all_specs = specs(args.quick)
    total = sum(len(m) for _, _, _, m in all_specs)
    with Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
                  TimeElapsedColumn(), console=console, transient=True) as prog:
        bar = prog.add_task("models", total=total)
        for tname, task, max_train, models in all_specs:
            sets = eval_sets(task, max_train, args.seed, args.quick)
            chance = {k: majority(d) for k, d in sets.items()}
            for mname, kind, make, tkw, seeds in models:
                prog.update(bar, description=f"{tname}: {mname}")
                t0 = time.perf_counter()
                cfg = TrainConfig(max_train=max_train, seed=args.seed, device=dev, **tkw)
                held = task.sample(128, 1, max_train, torch.Generator().manual_seed(99))
                exact = (lambda m, held=held: evaluate(m, held, dev) == 1.0) if seeds > 1 else None
                # the loop seeds (weights and data) before building; finite machines keep the
                # first of their seeds that is exact on a held-out batch at training lengths
                model, res = train(make, task, cfg, accept=exact, max_tries=seeds, name=mname,
                                   progress=False)
                t_train = time.perf_counter() - t0
                t1 = time.perf_counter()
                acc = {k: evaluate(model, d, dev) for k, d in sets.items()}
                t_eval = time.perf_counter() - t1
                laws = (law_checks(export, mname, model, task, max_train, 300 if args.quick else 1000)
                        if export is not None and kind == "law" else [])
                results.append({
                    "task": tname, "model": mname, "kind": kind, "max_train": max_train,
                    "accuracy": {f"{k}x": acc[k] for k in MULTIPLES},
                    "eval_sizes": {f"{k}x": int(answers(sets[k]).shape[0]) for k in MULTIPLES},
                    "chance": {f"{k}x": chance[k] for k in MULTIPLES},
                    "train_steps": cfg.steps, "batch": cfg.batch, "lr": cfg.lr, "seed": res.seed,
                    "seeds_tried": list(res.seeds_tried), "tries": len(res.seeds_tried),
                    "accepted": res.accepted, "final_loss": res.final_loss,
                    "params": sum(p.numel() for p in model.parameters()),
                    "train_s": round(t_train, 1), "eval_s": round(t_eval, 1), "laws": laws,
                })
                prog.advance(bar)
    env["total_s"] = round(time.perf_counter() - t_all, 1)
    report(results, env)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps({"env": env, "results": results}, indent=1))
    plot(results, env, Path(args.png))
    console.print(f"wrote {args.png} and {args.out}; total {env['total_s']} s")
    return 0


def report(results: list[dict], env: dict) -> None:
    t = Table(title="final-answer accuracy at 1×, 10×, 100× the training length/depth")
    for c in ("task", "model", "1×", "10×", "100×", "chance 1×/10×/100×", "steps", "seeds tried",
              "train s", "eval s"):
        t.add_column(c)
    for r in results:
        a, c = r["accuracy"], r["chance"]
        t.add_row(r["task"], r["model"], *(f"{a[k]:.3f}" for k in ("1x", "10x", "100x")),
                  "/".join(f"{c[k]:.2f}" for k in ("1x", "10x", "100x")), str(r["train_steps"]),
                  ",".join(map(str, r["seeds_tried"])), str(r["train_s"]), str(r["eval_s"]))
    console.print(t)
    t = Table(title="laws on the trained models (structural laws sampled up to 10×; finite cells "
                    "exhaustive)")
    for c in ("model", "law / theorem", "statement", "check", "result", "cases"):
        t.add_column(c)
    for r in results:
        for lw in r["laws"]:
            res = lw.get("verdict") or ("pass" if lw["passed"] else "FAIL")
            t.add_row(r["model"], lw["law"].replace("ArchLaw.", ""), lw["statement"], lw["check"],
                      res, str(lw["cases"]))
    console.print(t)


def plot(results: list[dict], env: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    tasks = list(dict.fromkeys(r["task"] for r in results))
    fig, axes = plt.subplots(1, len(tasks), figsize=(5.2 * len(tasks), 4.2), sharey=True)
    for ax, tname in zip(axes, tasks):
        rows = [r for r in results if r["task"] == tname]
        for i, r in enumerate(rows):  # earlier lines drawn wider, so coinciding lines stay visible
            ys = [r["accuracy"][f"{k}x"] for k in MULTIPLES]
            style = "-o" if r["kind"] == "law" else "--s"
            ax.plot(MULTIPLES, ys, style, label=r["model"], alpha=0.85, lw=max(1.0, 4.0 - 0.8 * i),
                    markersize=max(4.0, 12.0 - 2.0 * i))
        ch = [rows[0]["chance"][f"{k}x"] for k in MULTIPLES]
        ax.plot(MULTIPLES, ch, ":", color="gray", label="majority class")
        unit = "depth" if "tree" in tname else "length"
        ax.set_xscale("log")
        ax.set_xticks(MULTIPLES, [f"{k}×\n({k * rows[0]['max_train']})" for k in MULTIPLES])
        ax.set_xlabel(f"{unit} (× training max {rows[0]['max_train']})")
        ax.set_title(tname, fontsize=10)
        ax.set_ylim(-0.02, 1.05)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7, loc="lower left")
    axes[0].set_ylabel("final-answer accuracy")
    fig.suptitle(f"Length/depth generalisation (solid: built from the laws, dashed: baselines) — "
                 f"{env['device']}, torch {env['torch']}, {env['torch_threads']} thread(s)", fontsize=10)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)


if __name__ == "__main__":
    sys.exit(main(ARGS))
