"""A user-level cache of trained carry cells (and their lookahead combines).

`load_or_train(base)` returns the cached cell for a base, training it first (about ten seconds on
a CPU, progress reported through a callback) when none is cached. Entries live under
``$ARCHLAW_CACHE`` or ``$XDG_CACHE_HOME/archlaw`` or ``~/.cache/archlaw``, in
``carry/base<B>-h<hidden>-seed<seed>/``: ``cell.safetensors``, ``combine.safetensors`` and
``meta.json`` (configuration, accepted seeds, training time, torch version, SHA-256 of each
weights file). An entry whose files do not match their recorded hashes, or whose configuration
differs from the one asked for, is retrained rather than trusted. Writes go to a temporary
directory that is renamed into place, so two concurrent runs never see half an entry.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import torch

from .carry import CarryCellMLP, CellConfig, CombineMLP, resolve_device, train_cell, train_combine

__all__ = ["cache_root", "CachedAdder", "load_or_train", "entry_dir"]

#: Bump when the cell's architecture or training changes, so old entries are not reused.
FORMAT = 1


def cache_root() -> Path:
    """``$ARCHLAW_CACHE``, else ``$XDG_CACHE_HOME/archlaw``, else ``~/.cache/archlaw``."""
    if os.environ.get("ARCHLAW_CACHE"):
        return Path(os.environ["ARCHLAW_CACHE"])
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "archlaw"


def entry_dir(cfg: CellConfig, root: Path | None = None) -> Path:
    return (root or cache_root()) / "carry" / f"base{cfg.base}-h{cfg.hidden}-seed{cfg.seed}"


@dataclass(frozen=True)
class CachedAdder:
    """A cell and combine with the metadata of how they were trained and where they are stored."""

    cell: CarryCellMLP
    combine: CombineMLP
    meta: dict
    path: Path
    trained_now: bool


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _load(d: Path, cfg: CellConfig, device: torch.device) -> CachedAdder | None:
    from safetensors.torch import load_file

    try:
        meta = json.loads((d / "meta.json").read_text())
        if meta.get("format") != FORMAT or meta.get("config") != cfg.to_dict():
            return None
        for name in ("cell.safetensors", "combine.safetensors"):
            if _sha256(d / name) != meta["sha256"][name]:
                return None
        cell = CarryCellMLP(cfg.base, cfg.hidden)
        cell.load_state_dict(load_file(str(d / "cell.safetensors")))
        comb = CombineMLP(meta["combine"]["config"]["hidden"])
        comb.load_state_dict(load_file(str(d / "combine.safetensors")))
    except (OSError, KeyError, ValueError, RuntimeError):
        return None
    return CachedAdder(cell.to(device).eval(), comb.to(device).eval(), meta, d, False)


def load_or_train(cfg: CellConfig = CellConfig(), device: str | torch.device = "auto",
                  root: Path | None = None, retrain: bool = False,
                  progress: Callable[[int, int], None] | None = None) -> CachedAdder:
    """The cached cell for `cfg`, trained (and cached) first when absent or invalid."""
    from safetensors.torch import save_file

    dev = resolve_device(device)
    d = entry_dir(cfg, root)
    if not retrain and d.exists():
        hit = _load(d, cfg, dev)
        if hit is not None:
            return hit
    cell, rep = train_cell(cfg, device=dev, progress=progress)
    comb, crep = train_combine(cell, seed=cfg.seed)
    d.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=d.name + ".", dir=d.parent))
    save_file({k: v.detach().cpu().contiguous() for k, v in cell.state_dict().items()},
              str(tmp / "cell.safetensors"))
    save_file({k: v.detach().cpu().contiguous() for k, v in comb.state_dict().items()},
              str(tmp / "combine.safetensors"))
    meta = {
        "format": FORMAT,
        "config": cfg.to_dict(),
        "cell": {"seed": rep.seed, "seeds_tried": list(rep.seeds_tried),
                 "seconds": round(rep.seconds, 2), "final_loss": rep.final_loss},
        "combine": {"seed": crep.seed, "seeds_tried": list(crep.seeds_tried),
                    "seconds": round(crep.seconds, 2), "config": crep.config},
        "trained_on": str(dev),
        "torch": torch.__version__,
        "sha256": {n: _sha256(tmp / n) for n in ("cell.safetensors", "combine.safetensors")},
    }
    (tmp / "meta.json").write_text(json.dumps(meta, indent=2))
    if d.exists():
        shutil.rmtree(d, ignore_errors=True)
    try:
        os.replace(tmp, d)
    except OSError:  # another process won the race: keep theirs
        shutil.rmtree(tmp, ignore_errors=True)
    return CachedAdder(cell.eval(), comb.eval(), meta, d, True)
