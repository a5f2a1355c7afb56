#!/usr/bin/env python
"""Train the baseline transformer adder (resumable; kept out of CI).

    nice -n 10 .venv/bin/python scripts/train_transformer_adder.py --steps 8000 --threads 1

Task: additions of at most 8 digits (zero-padded, aligned, reversed), per-digit cross-entropy,
see `archlaw.models.carry.baselines`. Curriculum on length: the longest operand starts at 3
digits and grows by one each time exact match at the current length reaches 90% (checked every
`--eval-every` steps), up to 8; operand lengths are drawn uniformly from 1 up to the current
maximum. 15% of positions are forced to sum to B - 1 so that carry chains are seen. Trained by the
shared loop (`archlaw.models.training.fit`): seeded before the model is built, AdamW with linear
warm-up then cosine decay, gradient norm clipped to 1.

State lives in ``--run-dir`` (default ``runs/transformer_adder``, git-ignored): ``checkpoint.pt``
(weights, optimiser, RNG, step, curriculum, wall time spent) written every `--save-every` steps
and at the end, and ``log.jsonl``. Running the same command again resumes where it stopped;
``--steps`` is the total. ``summary.json`` records the budget (steps, batch, minutes, threads)
and the final exact match at 8 digits on 10,000 fresh random pairs; the summary and the training
log are also written to ``--docs-json`` (default ``docs/bench/transformer_adder.json``, committed,
so docs/carry.md's figures have their raw data; ``--docs-json ''`` skips it).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

from archlaw.bridge import atomic  # noqa: E402
from archlaw.bridge.devices import resolve_device  # noqa: E402
from archlaw.models.carry.data import random_operands, reference_add  # noqa: E402
from archlaw.models.carry.baselines import AlignedAdderTransformer, TransformerConfig  # noqa: E402
from archlaw.models.training import LoopConfig, Recipe, Run, Schedule, fit  # noqa: E402

MAX_TRAIN_DIGITS = 8


@torch.no_grad()
def exact_match(model: AlignedAdderTransformer, length: int, n: int, g: torch.Generator,
                batch: int = 2000) -> float:
    """Exact-match rate on n random pairs of exactly `length` digits."""
    model.eval()
    ok = 0
    for start in range(0, n, batch):
        k = min(batch, n - start)
        xs, ys = random_operands(k, length, model.cfg.base, g)
        ok += int((model.predict(xs, ys) == reference_add(xs, ys, model.cfg.base)).all(1).sum())
    model.train()
    return ok / n


def save_checkpoint(path: Path, state: dict) -> None:
    """Write a checkpoint atomically (`archlaw.bridge.atomic`): a kill mid-save leaves the
    previous checkpoint, never a torn one. `state` holds only tensors, numbers, strings and
    containers of them, so that `load_checkpoint` reads it without unpickling code."""
    with atomic.open_atomic(path) as fh:
        torch.save(state, fh)


def load_checkpoint(path: Path, device: str | torch.device) -> dict:
    """A checkpoint written by `save_checkpoint`, read with ``weights_only=True``: torch's
    restricted unpickler, which builds tensors and plain containers and refuses anything that
    would import or call code named in the file."""
    return torch.load(path, map_location=device, weights_only=True)


def load(run_dir: Path) -> tuple[AlignedAdderTransformer, dict]:
    """The trained model and its summary from a run directory (for the benchmark)."""
    ck = load_checkpoint(run_dir / "checkpoint.pt", "cpu")
    model = AlignedAdderTransformer(TransformerConfig(**ck["config"]))
    model.load_state_dict(ck["model"])
    model.eval()
    summary = json.loads((run_dir / "summary.json").read_text()) if (run_dir / "summary.json").exists() else {}
    return model, summary


#: The default budget: the one the committed figures (docs/bench/transformer_adder.json) and the
#: docs (docs/carry.md, docs/training.md) describe, and the one `scripts/bench_carry.py` trains
#: when no transformer is there.
STEPS = 8000


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--run-dir", default="runs/transformer_adder")
    ap.add_argument("--steps", type=int, default=STEPS,
                    help=f"total optimiser steps (resume-aware; default {STEPS})")
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--lr", type=float, default=3e-3)
    ap.add_argument("--warmup", type=int, default=200)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--seed", type=int, default=0,
                    help="seeds the weights and the data (the shared loop, before the model is built)")
    ap.add_argument("--base", type=int, default=10)
    ap.add_argument("--d-model", type=int, default=64)
    ap.add_argument("--layers", type=int, default=2)
    ap.add_argument("--heads", type=int, default=4)
    ap.add_argument("--eval-every", type=int, default=250)
    ap.add_argument("--save-every", type=int, default=500)
    ap.add_argument("--max-minutes", type=float, default=60.0,
                    help="this invocation's time budget: stop (and save) after this")
    ap.add_argument("--device", default="auto")
    ap.add_argument("--docs-json", default="docs/bench/transformer_adder.json",
                    help="also write the summary and training log here ('' to skip)")
    args = ap.parse_args(argv)

    torch.set_num_threads(args.threads)
    device = resolve_device(args.device)
    run_dir = Path(args.run_dir)
    run_dir.mkdir(parents=True, exist_ok=True)
    ck_path = run_dir / "checkpoint.pt"

    cfg = TransformerConfig(base=args.base, d_model=args.d_model, n_heads=args.heads,
                            n_layers=args.layers, d_ff=4 * args.d_model)
    # what the family-specific part keeps between steps: the curriculum length, the wall time
    # spent by earlier invocations, and the live run (for checkpoints)
    state: dict = {"cur_len": 3, "spent0": 0.0, "run": None}

    def spent() -> float:
        return state["spent0"] + state["run"].seconds

    def resume(run: Run) -> None:
        state["run"] = run
        if ck_path.exists():
            ck = load_checkpoint(ck_path, run.device)
            run.model.load_state_dict(ck["model"])
            run.optimizer.load_state_dict(ck["opt"])
            run.generator.set_state(ck["rng"])
            run.step, state["cur_len"], state["spent0"] = ck["step"], ck["cur_len"], ck["seconds"]
            print(f"resumed at step {run.step} (curriculum length {state['cur_len']}, "
                  f"{state['spent0'] / 60:.1f} min spent)")

    def save() -> None:
        run = state["run"]
        save_checkpoint(ck_path, {"model": run.model.state_dict(), "opt": run.optimizer.state_dict(),
                                  "rng": run.generator.get_state(), "step": run.step,
                                  "cur_len": state["cur_len"], "seconds": spent(),
                                  "config": cfg.to_dict(), "args": vars(args)})

    def batch(g: torch.Generator, step: int, dev: torch.device):
        xs, ys = random_operands(args.batch, MAX_TRAIN_DIGITS, args.base, g, min_length=1,
                                 chain_prob=0.15)
        # curriculum: zero the digits above the current maximum length
        xs[:, state["cur_len"]:] = 0
        ys[:, state["cur_len"]:] = 0
        xs, ys = xs.to(dev), ys.to(dev)
        return xs, ys, reference_add(xs, ys, args.base)

    def loss(model: torch.nn.Module, b, step: int) -> torch.Tensor:
        xs, ys, target = b
        return F.cross_entropy(model(xs, ys).reshape(-1, args.base), target.reshape(-1))

    log = open(run_dir / "log.jsonl", "a")

    def after_step(run: Run) -> None:
        if run.step % args.eval_every == 0 or run.step == args.steps:
            eg = torch.Generator().manual_seed(10_000 + run.step)
            em_cur = exact_match(run.model, state["cur_len"], 1000, eg)
            em8 = exact_match(run.model, MAX_TRAIN_DIGITS, 1000, eg)
            rec = {"step": run.step, "loss": run.loss, "lr": run.lr, "cur_len": state["cur_len"],
                   "em_cur": em_cur, "em8": em8, "minutes": spent() / 60}
            log.write(json.dumps(rec) + "\n")
            log.flush()
            print(json.dumps(rec), flush=True)
            if em_cur >= 0.9 and state["cur_len"] < MAX_TRAIN_DIGITS:
                state["cur_len"] += 1
        if run.step % args.save_every == 0:
            save()

    # the shared loop: seeded before the model is built; AdamW, linear warm-up then cosine
    # decay, gradient norm clipped to 1; --max-minutes is this invocation's time budget
    loop = LoopConfig(steps=args.steps, lr=args.lr, optimizer="adamw", weight_decay=0.01,
                      schedule=Schedule(warmup=args.warmup, decay="cosine"), clip=1.0,
                      seed=args.seed, max_seconds=args.max_minutes * 60, device=device)
    model, rep = fit(Recipe(make=lambda: AlignedAdderTransformer(cfg), batch=batch, loss=loss,
                            name="the transformer adder"), loop, on_start=resume, on_step=after_step)
    log.close()
    save()
    eg = torch.Generator().manual_seed(123_456)
    em8 = exact_match(model, MAX_TRAIN_DIGITS, 10_000, eg)
    summary = {"argv": ["scripts/train_transformer_adder.py",
                        *(sys.argv[1:] if argv is None else argv)],
               "steps": rep.steps, "batch": args.batch, "minutes": round(spent() / 60, 2),
               "threads": args.threads, "omp_wait_policy": os.environ.get("OMP_WAIT_POLICY"),
               "device": str(device), "config": cfg.to_dict(), "lr": args.lr, "seed": rep.seed,
               "seeds_tried": list(rep.seeds_tried), "stopped": rep.stopped,
               "curriculum_length": state["cur_len"], "exact_match_8_digits": em8,
               "eval": "10,000 random pairs of 8 digits, seed 123456"}
    atomic.write_text(run_dir / "summary.json", json.dumps(summary, indent=2))
    if args.docs_json:
        write_docs_json(run_dir, Path(args.docs_json))
    print(json.dumps(summary, indent=2))
    return 0


def write_docs_json(run_dir: Path, out: Path) -> None:
    """The run's ``summary.json`` and ``log.jsonl`` as one JSON file at `out`, with the command
    that produced it (``argv``) at the top, where `tests/test_docs_figures.py` reads it."""
    summary = json.loads((run_dir / "summary.json").read_text())
    log = [json.loads(line) for line in (run_dir / "log.jsonl").read_text().splitlines() if line]
    atomic.write_text(out, json.dumps({"argv": summary.get("argv"), "summary": summary, "log": log},
                                      indent=1))


if __name__ == "__main__":
    raise SystemExit(main())
