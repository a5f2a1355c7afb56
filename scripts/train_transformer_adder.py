#!/usr/bin/env python
"""Train the baseline transformer adder (resumable; kept out of CI).

    nice -n 10 .venv/bin/python scripts/train_transformer_adder.py --steps 6000 --threads 1

Task: additions of at most 8 digits (zero-padded, aligned, reversed), per-digit cross-entropy,
see `archlaw.models.carry.baselines`. Curriculum on length: the longest operand starts at 3
digits and grows by one each time exact match at the current length reaches 90% (checked every
`--eval-every` steps), up to 8; operand lengths are drawn uniformly from 1 up to the current
maximum. 15% of positions are forced to sum to B - 1 so that carry chains are seen. AdamW with
linear warm-up then cosine decay.

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
import math
import os
import time
from pathlib import Path

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

from archlaw.bridge import atomic  # noqa: E402
from archlaw.bridge.devices import resolve_device  # noqa: E402
from archlaw.models.carry.data import random_operands, reference_add  # noqa: E402
from archlaw.models.carry.baselines import AlignedAdderTransformer, TransformerConfig  # noqa: E402

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


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--run-dir", default="runs/transformer_adder")
    ap.add_argument("--steps", type=int, default=6000, help="total optimiser steps (resume-aware)")
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--lr", type=float, default=3e-3)
    ap.add_argument("--warmup", type=int, default=200)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--base", type=int, default=10)
    ap.add_argument("--d-model", type=int, default=64)
    ap.add_argument("--layers", type=int, default=2)
    ap.add_argument("--heads", type=int, default=4)
    ap.add_argument("--eval-every", type=int, default=250)
    ap.add_argument("--save-every", type=int, default=500)
    ap.add_argument("--max-minutes", type=float, default=60.0, help="stop (and save) after this")
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
    torch.manual_seed(args.seed)
    model = AlignedAdderTransformer(cfg).to(device)
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=0.01)
    g = torch.Generator().manual_seed(args.seed)
    step, cur_len, spent = 0, 3, 0.0
    if ck_path.exists():
        ck = load_checkpoint(ck_path, device)
        model.load_state_dict(ck["model"])
        opt.load_state_dict(ck["opt"])
        g.set_state(ck["rng"])
        step, cur_len, spent = ck["step"], ck["cur_len"], ck["seconds"]
        print(f"resumed at step {step} (curriculum length {cur_len}, {spent / 60:.1f} min spent)")

    def save() -> None:
        save_checkpoint(ck_path, {"model": model.state_dict(), "opt": opt.state_dict(),
                                  "rng": g.get_state(), "step": step, "cur_len": cur_len,
                                  "seconds": spent, "config": cfg.to_dict(), "args": vars(args)})

    log = open(run_dir / "log.jsonl", "a")
    t0 = time.time()
    spent0 = spent
    while step < args.steps and (spent - spent0) / 60 < args.max_minutes:
        lr = args.lr * min(1.0, (step + 1) / args.warmup) * \
            0.5 * (1 + math.cos(math.pi * min(1.0, step / args.steps)))
        for pg in opt.param_groups:
            pg["lr"] = lr
        xs, ys = random_operands(args.batch, MAX_TRAIN_DIGITS, args.base, g, min_length=1,
                                 chain_prob=0.15)
        # curriculum: zero the digits above the current maximum length
        xs[:, cur_len:] = 0
        ys[:, cur_len:] = 0
        xs, ys = xs.to(device), ys.to(device)
        target = reference_add(xs, ys, args.base)
        loss = F.cross_entropy(model(xs, ys).reshape(-1, args.base), target.reshape(-1))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        step += 1
        spent = spent0 + (time.time() - t0)
        if step % args.eval_every == 0 or step == args.steps:
            eg = torch.Generator().manual_seed(10_000 + step)
            em_cur = exact_match(model, cur_len, 1000, eg)
            em8 = exact_match(model, MAX_TRAIN_DIGITS, 1000, eg)
            rec = {"step": step, "loss": float(loss.detach()), "lr": lr, "cur_len": cur_len,
                   "em_cur": em_cur, "em8": em8, "minutes": spent / 60}
            log.write(json.dumps(rec) + "\n")
            log.flush()
            print(json.dumps(rec), flush=True)
            if em_cur >= 0.9 and cur_len < MAX_TRAIN_DIGITS:
                cur_len += 1
        if step % args.save_every == 0:
            save()
    save()
    eg = torch.Generator().manual_seed(123_456)
    em8 = exact_match(model, MAX_TRAIN_DIGITS, 10_000, eg)
    summary = {"steps": step, "batch": args.batch, "minutes": round(spent / 60, 2),
               "threads": args.threads, "omp_wait_policy": os.environ.get("OMP_WAIT_POLICY"),
               "device": str(device), "config": cfg.to_dict(), "lr": args.lr, "seed": args.seed,
               "curriculum_length": cur_len, "exact_match_8_digits": em8,
               "eval": "10,000 random pairs of 8 digits, seed 123456"}
    atomic.write_text(run_dir / "summary.json", json.dumps(summary, indent=2))
    if args.docs_json:
        write_docs_json(run_dir, Path(args.docs_json))
    print(json.dumps(summary, indent=2))
    return 0


def write_docs_json(run_dir: Path, out: Path) -> None:
    """The run's ``summary.json`` and ``log.jsonl`` as one JSON file at `out`."""
    summary = json.loads((run_dir / "summary.json").read_text())
    log = [json.loads(line) for line in (run_dir / "log.jsonl").read_text().splitlines() if line]
    atomic.write_text(out, json.dumps({"summary": summary, "log": log}, indent=1))


if __name__ == "__main__":
    raise SystemExit(main())
