"""Saved models: safetensors + JSON metadata round-trip; a spec that does not match the laws, or
weights that do not fit, are refused with one-line errors."""

from __future__ import annotations

import dataclasses
import json

import pytest
import torch

import conformance_toys as T
from archlaw.bridge.certificate import weights_sha256
from archlaw.bridge.errors import ArchLawError
from archlaw.bridge.ir import Param, arrow
from archlaw.models.saved import load, read_meta, save, spec_of


def _saved(tmp_path):
    b = T.fold_binding(seed=3)
    spec = spec_of([T.FOLDR], b)
    paths = save(tmp_path / "rnn", b.module, spec=spec, seeds={"init": 3},
                 training={"steps": 0, "lr": 1e-3})
    return b, spec, paths


def test_round_trip(tmp_path):
    b, spec, (w, m) = _saved(tmp_path)
    assert w.suffix == ".safetensors" and m.suffix == ".json"
    assert spec.signatures["Toy.FoldLaws.cell"] == "Float[3] → Float[4] → Float[4]"
    assert spec.signatures["Toy.FoldLaws.run"] == "List Float[3] → Float[4]"
    fresh = T.RNN(seed=99)
    meta = load(tmp_path / "rnn", fresh, laws=[T.FOLDR], expect=spec)
    assert meta.seeds == {"init": 3} and meta.training["lr"] == 1e-3
    assert meta.versions["torch"] == torch.__version__
    assert weights_sha256(fresh) == weights_sha256(b.module) == meta.weights_sha256


def test_law_whose_symbol_changed_is_refused(tmp_path):
    _saved(tmp_path)
    changed = dataclasses.replace(T.FOLDR, params=tuple(
        Param("cell", arrow(T.H, T.A, T.H)) if p.name == "cell" else p for p in T.FOLDR.params))
    with pytest.raises(ArchLawError, match=r"symbol Toy.FoldLaws.cell was saved as .* law now gives"):
        load(tmp_path / "rnn", T.RNN(), laws=[changed])


def test_other_law_is_refused(tmp_path):
    _saved(tmp_path)
    with pytest.raises(ArchLawError, match="not built for law Toy.LeftFoldLaws"):
        load(tmp_path / "rnn", T.RNN(), laws=[T.FOLDL])


def test_expected_spec_mismatch_is_refused(tmp_path):
    _, spec, _ = _saved(tmp_path)
    other = dataclasses.replace(spec, params={"B": 3})
    with pytest.raises(ArchLawError, match="saved spec does not match: params"):
        load(tmp_path / "rnn", T.RNN(), expect=other)


def test_weights_that_do_not_fit_are_refused(tmp_path):
    _saved(tmp_path)
    with pytest.raises(ArchLawError, match="weight [WU]: saved"):
        load(tmp_path / "rnn", T.RNN(h=5))
    with pytest.raises(ArchLawError, match="missing"):
        load(tmp_path / "rnn", torch.nn.Linear(2, 2))


def test_bad_metadata_is_a_one_line_error(tmp_path):
    _, _, (_, m) = _saved(tmp_path)
    m.write_text("{not json")
    with pytest.raises(ArchLawError, match="bad JSON"):
        read_meta(m)
    m.write_text(json.dumps({"archlaw-model": 99}))
    with pytest.raises(ArchLawError, match="format 1"):
        read_meta(m)
    with pytest.raises(ArchLawError, match="cannot read"):
        read_meta(tmp_path / "absent")
