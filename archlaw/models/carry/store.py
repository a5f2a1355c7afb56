"""A user-level cache of trained carry cells (and their lookahead combines).

`load_or_train(base)` returns the cached cell for a base, training it first (about ten seconds on
a CPU, progress reported through a callback) when none is cached. Entries live under
``$ARCHLAW_CACHE`` or ``$XDG_CACHE_HOME/archlaw`` or ``~/.cache/archlaw``, in
``carry/base<B>-h<hidden>-seed<seed>/``, saved the project's one way (`archlaw.models.saved`):
``cell.safetensors`` + ``cell.json`` with the spec of ``ArchLaw.Carry.CarryCell`` and
``combine.safetensors`` + ``combine.json`` with the spec of ``ArchLaw.Carry.CombineLaws``. The
metadata holds the seeds, the training report, the versions and the weights' SHA-256; its
``extra`` holds this cache's record (``format``, ``config``, ``cell``, ``combine``,
``trained_on``, ``torch``), which `CachedAdder.meta` returns.

An entry whose spec does not match the laws as they are now, whose weights do not match their
recorded hash, or whose configuration differs from the one asked for, is retrained rather than
trusted. Laws that cannot be read are an error, not a cache miss. Writes go to a temporary
directory that is renamed into place, so two concurrent runs never see half an entry.

Repair (`repair`, run before every lookup): a temporary folder (``<entry>.tmp-*``) older than
`STALE_SECONDS` is from a killed write and is removed; an entry path that is not a folder (a
regular file, a dangling link) is removed, so it is trained once and then found, not retrained on
every run. Replacing an entry (``--retrain``, or a stale entry) first writes the new one
completely, then renames the old one aside (``<entry>.old-*``), renames the new one in, and only
then deletes the old: a kill between the two renames leaves the old entry aside, and the next
lookup renames it back, so a kill never loses both.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import torch

from archlaw.bridge.cachedir import cache_root
from archlaw.bridge.cachedir import cache_root_source as _root_source
from archlaw.bridge.devices import resolve_device
from archlaw.bridge.errors import ArchLawError

from archlaw.models.carry.modules import CarryCellMLP, CombineMLP
from archlaw.models.carry.train import CellConfig, train_cell, train_combine

__all__ = ["cache_root", "check_cache_root", "CachedAdder", "load_or_train", "entry_dir", "repair",
           "STALE_SECONDS"]

#: Bump when the cell's architecture, training or the entry's layout changes, so old entries are
#: not reused (2: saved through `archlaw.models.saved`).
FORMAT = 2


def check_cache_root(root: Path | None = None) -> Path:
    """The cache root (`root`, else `cache_root()`), created when absent; an `ArchLawError`
    naming it when it, or the nearest existing folder above it, is not a directory or cannot be
    created. Called before any training, so a bad cache never costs a training run."""
    r = Path(root) if root is not None else cache_root()
    where = f"cache directory {r}" + ("" if root is not None else f" (from {_root_source()})")
    probe = r
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    if probe.exists() and not probe.is_dir():
        what = "it" if probe == r else f"{probe} above it"
        raise ArchLawError(f"{where}: {what} is not a directory; accepted: a directory "
                           "(created when absent), e.g. ARCHLAW_CACHE=~/.cache/archlaw")
    try:
        r.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise ArchLawError(f"{where}: cannot be created ({e.strerror}); accepted: a writable "
                           "directory, e.g. ARCHLAW_CACHE=~/.cache/archlaw") from None
    return r


def entry_dir(cfg: CellConfig, root: Path | None = None) -> Path:
    return (root or cache_root()) / "carry" / f"base{cfg.base}-h{cfg.hidden}-seed{cfg.seed}"


#: Age (seconds since last modified) past which a temporary folder is from a killed write: a
#: write makes its folder after training, fills it and renames it within a second.
STALE_SECONDS = 600.0
_TMP, _OLD = ".tmp-", ".old-"
#: A write's temporary folder: ``<entry>.tmp-*``, or ``<entry>.<8 characters>`` as
#: ``tempfile.mkdtemp`` named them before the ``.tmp-`` prefix.
_TEMP_NAME = re.compile(r"base\d+-h\d+-seed\d+(\.tmp-.+|\.[a-z0-9_]{8})")


def _mtime(p: Path) -> float:
    try:
        return p.lstat().st_mtime
    except OSError:  # removed meanwhile by another run
        return 0.0


def _remove(p: Path) -> None:
    if p.is_dir() and not p.is_symlink():
        shutil.rmtree(p, ignore_errors=True)
    else:
        with contextlib.suppress(OSError):
            p.unlink()


def repair(d: Path, now: float | None = None) -> None:
    """Repair the cache around entry `d` (see the module docstring): remove stale temporary
    folders of any entry, an entry path that is not a folder, and set-aside old entries once
    `d` exists; rename the newest set-aside entry back when `d` is missing. Never raises for
    what it cannot remove: a lookup still follows."""
    parent = d.parent
    if not parent.is_dir():
        return
    if (d.is_symlink() or d.exists()) and not d.is_dir():
        _remove(d)
    asides = sorted(parent.glob(d.name + _OLD + "*"), key=_mtime, reverse=True)
    if asides and not d.exists():
        with contextlib.suppress(OSError):
            os.replace(asides.pop(0), d)
    if d.is_dir():
        for p in asides:
            _remove(p)
    now = time.time() if now is None else now
    for p in parent.iterdir():
        if _TEMP_NAME.fullmatch(p.name):
            if now - _mtime(p) > STALE_SECONDS:
                _remove(p)


def _install(tmp: Path, d: Path) -> bool:
    """Move the complete entry `tmp` to `d`, the previous entry (if any) set aside first and
    deleted only after; False (and `tmp` removed) when another writer's entry kept the place."""
    for _ in range(3):
        aside = None
        if d.exists() or d.is_symlink():
            aside = d.with_name(d.name + _OLD + uuid.uuid4().hex[:12])
            try:
                os.replace(d, aside)
            except OSError:
                continue
        try:
            os.replace(tmp, d)
        except OSError:  # another writer (or a repair) filled `d` in between: try again
            continue
        if aside is not None:
            _remove(aside)
        return True
    shutil.rmtree(tmp, ignore_errors=True)
    return False


@dataclass(frozen=True)
class CachedAdder:
    """A cell and combine with the metadata of how they were trained and where they are stored."""

    cell: CarryCellMLP
    combine: CombineMLP
    meta: dict
    path: Path
    trained_now: bool


def _laws() -> tuple[list, list]:
    """(cell laws, combine laws): ``ArchLaw.Carry.CarryCell`` and ``ArchLaw.Carry.CombineLaws``
    as the library reads them now (an `ArchLawError` when it cannot be read)."""
    from archlaw.models.carry.bindings import carry_decl

    return [carry_decl("cell")], [carry_decl("combine")]


def _specs(cell: CarryCellMLP, comb: CombineMLP, laws: tuple[list, list]) -> tuple[Any, Any]:
    """(cell spec, combine spec): what the laws say these modules implement."""
    from archlaw.models.saved import spec_of

    from archlaw.models.carry.bindings import cell_binding, combine_binding

    return spec_of(laws[0], cell_binding(cell)), spec_of(laws[1], combine_binding(comb))


def _load(d: Path, cfg: CellConfig, device: torch.device, laws: tuple[list, list]
          ) -> CachedAdder | None:
    """The entry at `d`, or None when it is absent, unreadable, stale or does not match `laws`."""
    from archlaw.bridge.certificate import weights_sha256
    from archlaw.models import saved

    try:
        meta = dict(saved.read_meta(d / "cell").extra)
        if meta.get("format") != FORMAT or meta.get("config") != cfg.to_dict():
            return None
        cell = CarryCellMLP(cfg.base, cfg.hidden)
        comb = CombineMLP(meta["combine"]["config"]["hidden"])
        specs = _specs(cell, comb, laws)
        for name, module, law, spec in zip(("cell", "combine"), (cell, comb), laws, specs):
            got = saved.load(d / name, module, laws=law, expect=spec)
            if got.weights_sha256 != weights_sha256(module):
                return None
    except (ArchLawError, OSError, KeyError, TypeError, ValueError, RuntimeError):
        return None
    return CachedAdder(cell.to(device).eval(), comb.to(device).eval(), meta, d, False)


def load_or_train(cfg: CellConfig = CellConfig(), device: str | torch.device = "auto",
                  root: Path | None = None, retrain: bool = False,
                  progress: Callable[[int, int], None] | None = None) -> CachedAdder:
    """The cached cell for `cfg`, trained (and cached) first when absent or invalid."""
    from archlaw.models import saved

    dev = resolve_device(device)
    d = entry_dir(cfg, root)
    if not d.is_dir():
        check_cache_root(root)  # before training: a cache that cannot hold the entry is an error
    repair(d)
    laws = _laws()  # read first: unreadable laws are an error, not a cache miss
    if not retrain and d.exists():
        hit = _load(d, cfg, dev, laws)
        if hit is not None:
            return hit
    cell, rep = train_cell(cfg, device=dev, progress=progress)
    comb, crep = train_combine(cell, seed=cfg.seed)
    cell_spec, comb_spec = _specs(cell, comb, laws)
    meta = {
        "format": FORMAT,
        "config": cfg.to_dict(),
        "cell": {"seed": rep.seed, "seeds_tried": list(rep.seeds_tried),
                 "seconds": round(rep.seconds, 2), "final_loss": rep.final_loss},
        "combine": {"seed": crep.seed, "seeds_tried": list(crep.seeds_tried),
                    "seconds": round(crep.seconds, 2), "config": crep.config},
        "trained_on": str(dev),
        "torch": torch.__version__,
    }
    try:
        d.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=d.name + _TMP, dir=d.parent))
    except OSError as e:
        raise ArchLawError(f"cache directory {d.parent}: cannot write the trained cell "
                           f"({e.strerror}); accepted: a writable directory") from None
    saved.save(tmp / "cell", cell, spec=cell_spec,
               seeds={"seed": rep.seed, "seeds_tried": list(rep.seeds_tried)},
               training=cfg.to_dict(), extra=meta)
    saved.save(tmp / "combine", comb, spec=comb_spec,
               seeds={"seed": crep.seed, "seeds_tried": list(crep.seeds_tried)},
               training=dict(crep.config), extra=meta)
    _install(tmp, d)  # the old entry is deleted only once the new one is in place
    return CachedAdder(cell.eval(), comb.eval(), meta, d, True)
