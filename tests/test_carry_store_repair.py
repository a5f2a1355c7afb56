"""The carry cache repairs itself: stale temporary folders of killed writes are removed, a
``--retrain`` killed between its renames never loses both entries, and an entry path that is a
regular file is repaired once instead of being retrained on every run.

Training is replaced by the hand-built exact cell and combine (`table_cell`, `table_combine`), so
these tests take no training time; the entries are saved and loaded the real way."""

from __future__ import annotations

import os
import time

import pytest

from archlaw.models.carry import store as carry_store
from archlaw.models.carry.train import CellConfig, TrainReport
from archlaw.models.carry.modules import table_cell, table_combine

#: table_cell(2) has hidden width 2·B² = 8, so a loaded entry fits this configuration
CFG = CellConfig(base=2, hidden=8)


@pytest.fixture()
def trainings(monkeypatch):
    """The list of training runs load_or_train makes (each returns the exact table cell)."""
    runs: list[int] = []

    def train_cell(cfg, device=None, progress=None):
        runs.append(cfg.seed)
        return table_cell(cfg.base), TrainReport(cfg.seed, (cfg.seed,), 0.0, 0.0, cfg.to_dict())

    def train_combine(cell, seed=0, **kw):
        return table_combine(), TrainReport(seed, (seed,), 0.0, 0.0, {"hidden": 9})

    monkeypatch.setattr(carry_store, "train_cell", train_cell)
    monkeypatch.setattr(carry_store, "train_combine", train_combine)
    return runs


def _weights(d):
    return (d / "cell.safetensors").read_bytes()


def test_an_entry_path_that_is_a_file_is_repaired_once(tmp_path, trainings):
    d = carry_store.entry_dir(CFG, tmp_path)
    d.parent.mkdir(parents=True)
    d.write_text("not an entry")
    assert carry_store.load_or_train(CFG, "cpu", tmp_path).trained_now
    assert d.is_dir()
    hit = carry_store.load_or_train(CFG, "cpu", tmp_path)
    assert not hit.trained_now and trainings == [0]  # the old cache retrained on every run


def test_stale_temporary_folders_are_removed_fresh_ones_kept(tmp_path, trainings):
    carry_store.load_or_train(CFG, "cpu", tmp_path)
    d = carry_store.entry_dir(CFG, tmp_path)
    other = d.with_name("base10-h128-seed3")
    stale = [d.with_name(d.name + ".tmp-killed"), d.with_name(d.name + ".k3j4h5g_"),
             other.with_name(other.name + ".tmp-x")]
    fresh = d.with_name(d.name + ".tmp-writing")
    for p in stale + [fresh]:
        p.mkdir()
        (p / "cell.json").write_text("{}")
    old = time.time() - 86_400  # a day: past STALE_SECONDS
    for p in stale:
        os.utime(p, (old, old))
    keep = d.with_name("unrelated.tmp-x")  # not an entry's: never touched
    keep.mkdir()
    os.utime(keep, (old, old))
    assert not carry_store.load_or_train(CFG, "cpu", tmp_path).trained_now
    assert not any(p.exists() for p in stale)
    assert fresh.is_dir() and keep.is_dir() and d.is_dir()  # a write in progress is left alone


def test_a_retrain_killed_between_its_renames_keeps_the_old_entry(tmp_path, trainings,
                                                                  monkeypatch):
    first = carry_store.load_or_train(CFG, "cpu", tmp_path)
    d, before = first.path, _weights(first.path)
    real = os.replace

    def killed_before_the_new_entry_moves_in(src, dst):
        if str(dst) == str(d):
            raise KeyboardInterrupt  # the process is killed here
        real(src, dst)

    monkeypatch.setattr(carry_store.os, "replace", killed_before_the_new_entry_moves_in)
    with pytest.raises(KeyboardInterrupt):
        carry_store.load_or_train(CFG, "cpu", tmp_path, retrain=True)
    monkeypatch.setattr(carry_store.os, "replace", real)
    assert len(trainings) == 2
    again = carry_store.load_or_train(CFG, "cpu", tmp_path)
    assert not again.trained_now and len(trainings) == 2  # the old entry came back
    assert _weights(d) == before
    assert sorted(p.name for p in d.parent.iterdir() if ".old-" in p.name) == []


def test_retrain_replaces_the_entry_and_leaves_nothing_aside(tmp_path, trainings):
    carry_store.load_or_train(CFG, "cpu", tmp_path)
    again = carry_store.load_or_train(CFG, "cpu", tmp_path, retrain=True)
    assert again.trained_now and trainings == [0, 0]
    names = [p.name for p in again.path.parent.iterdir()]
    assert names == [again.path.name]
    assert not carry_store.load_or_train(CFG, "cpu", tmp_path).trained_now
