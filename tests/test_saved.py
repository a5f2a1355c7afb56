"""Saved models: safetensors + JSON metadata round-trip; the metadata records the same spec
`archlaw spec` prints (`archlaw.bridge.spec.LawSpec`); a spec that does not match the laws, or
weights that do not fit, are refused with one-line errors naming the difference."""

from __future__ import annotations

import dataclasses
import json

import pytest
import torch

import conformance_toys as T
from archlaw.bridge.certificate import weights_sha256
from archlaw.bridge.errors import ArchLawError
from archlaw.bridge.ir import Param, arrow
from archlaw.bridge.sorts import FloatTensor
from archlaw.bridge.spec import binding_spec, derive_binding, law_spec
from archlaw.models.saved import ModelSpec, load, read_meta, save, spec_of


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


def test_the_saved_spec_is_the_spec_archlaw_spec_prints(tmp_path):
    """One spec type: the metadata holds `LawSpec`s, read back equal, with shapes and dtypes;
    for a law bound from its spec it is exactly `law_spec` at the same values."""
    b, spec, (_, m) = _saved(tmp_path)
    (cell,) = [s for s in spec.specs[0].symbols if s.name == "cell"]
    assert [a.shape for a in cell.arguments] == [("N", 3), ("N", 4)]
    assert cell.result.dtype == "float" and cell.result.shape == ("N", 4)
    assert read_meta(m).spec == spec
    assert json.loads(m.read_text())["spec"]["laws"][0] == spec.specs[0].to_json()
    law = _shift_law()
    conv = torch.nn.Conv1d(2, 2, 3, padding=1, padding_mode="circular")
    derived = derive_binding(law, f=conv, n=6, X=(2,), Y=(2,), layout={"f": "NCL"})
    assert binding_spec(law, derived) == law_spec(law, n=6, X=(2,), Y=(2,))
    save(tmp_path / "conv", conv, spec=spec_of([law], derived))
    got = read_meta(tmp_path / "conv").spec.specs[0]
    assert got == law_spec(law, n=6, X=(2,), Y=(2,))
    assert got.fixed and got.symbols[0].arguments[0].layout == "NLC"


def _shift_law():
    from archlaw.bridge.library import load_export

    return load_export().find("ArchLaw.ShiftEquivariant")


def test_law_whose_symbol_changed_is_refused(tmp_path):
    _saved(tmp_path)
    changed = dataclasses.replace(T.FOLDR, params=tuple(
        Param("cell", arrow(T.H, T.A, T.H)) if p.name == "cell" else p for p in T.FOLDR.params))
    with pytest.raises(ArchLawError, match=r"symbol cell was saved as .* law now gives") as e:
        load(tmp_path / "rnn", T.RNN(), laws=[changed])
    assert "\n" not in str(e.value) and "rnn.json" in str(e.value)


def test_a_law_that_lost_a_symbol_is_refused_naming_it(tmp_path):
    _saved(tmp_path)
    lost = dataclasses.replace(T.FOLDR, params=tuple(p for p in T.FOLDR.params
                                                     if p.name != "init"))
    with pytest.raises(ArchLawError, match="symbol init is in the saved spec but is not a model "
                                           "symbol of Toy.FoldLaws now"):
        load(tmp_path / "rnn", T.RNN(), laws=[lost])


def test_a_saved_shape_that_differs_is_refused_naming_the_symbol_and_the_shapes(tmp_path):
    """The saved spec says H = Float[4]; a file edited (or saved by other code) to say cell
    returns (N, 5) does not fit the law at H = Float[4], and the line names both shapes."""
    _, spec, (_, m) = _saved(tmp_path)
    d = json.loads(m.read_text())
    (cell,) = [s for s in d["spec"]["laws"][0]["symbols"] if s["name"] == "cell"]
    cell["result"]["shape"] = ["N", 5]
    m.write_text(json.dumps(d))
    with pytest.raises(ArchLawError) as e:
        load(tmp_path / "rnn", T.RNN(), laws=[T.FOLDR])
    msg = str(e.value)
    assert "symbol cell, result: saved Float[4]: tensor (N, 5) float" in msg, msg
    assert "now Float[4]: tensor (N, 4) float" in msg and "\n" not in msg


def test_a_saved_dtype_or_sort_that_differs_is_refused_naming_it(tmp_path):
    b, spec, _ = _saved(tmp_path)
    other = dataclasses.replace(b, sorts={**b.sorts, "H": FloatTensor((5,))})
    with pytest.raises(ArchLawError, match="sort H is Float\\[4\\] in the saved spec, "
                                           "Float\\[5\\] now"):
        load(tmp_path / "rnn", T.RNN(), expect=spec_of([T.FOLDR], other))
    only_cell = dataclasses.replace(b, model_symbols=frozenset({"cell"}))
    with pytest.raises(ArchLawError, match="symbol init is in the saved spec but is not"):
        load(tmp_path / "rnn", T.RNN(), expect=spec_of([T.FOLDR], only_cell))


def test_other_law_is_refused(tmp_path):
    _saved(tmp_path)
    with pytest.raises(ArchLawError, match="not built for law Toy.LeftFoldLaws"):
        load(tmp_path / "rnn", T.RNN(), laws=[T.FOLDL])


def test_expected_spec_mismatch_is_refused(tmp_path):
    _, spec, _ = _saved(tmp_path)
    other = ModelSpec((dataclasses.replace(spec.specs[0], params={"B": 3}),))
    with pytest.raises(ArchLawError, match="law parameter B is not given in the saved spec, 3 now"):
        load(tmp_path / "rnn", T.RNN(), expect=other)
    with pytest.raises(ArchLawError, match="saved spec does not match: laws are"):
        load(tmp_path / "rnn", T.RNN(), expect=ModelSpec(()))


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
    with pytest.raises(ArchLawError, match="format 2"):
        read_meta(m)
    m.write_text(json.dumps({"archlaw-model": 1}))  # before specs: re-save, one line
    with pytest.raises(ArchLawError, match="format 1 .*save the model again"):
        read_meta(m)
    m.write_text(json.dumps({"archlaw-model": 2, "spec": {"laws": [{"law": "L"}]}}))
    with pytest.raises(ArchLawError, match="malformed spec"):
        read_meta(m)
    with pytest.raises(ArchLawError, match="cannot read"):
        read_meta(tmp_path / "absent")


def test_a_sort_known_here_only_by_its_text_is_compared_by_its_sorts(tmp_path):
    """A saved sort whose text names no encoding this reader rebuilds (``List Float[3]``) stands
    for itself: the law is re-derived with it by name, each tensor compared by its sort."""
    from archlaw.bridge.sorts import ListOf

    b = dataclasses.replace(T.fold_binding(seed=3), sorts={"A": ListOf(FloatTensor((3,))),
                                                          "H": FloatTensor((4,))})
    save(tmp_path / "rnn", b.module, spec=spec_of([T.FOLDR], b))
    assert read_meta(tmp_path / "rnn").spec.sorts["A"] == "List Float[3]"
    load(tmp_path / "rnn", T.RNN(), laws=[T.FOLDR])
    changed = dataclasses.replace(T.FOLDR, params=tuple(
        Param("cell", arrow(T.H, T.A, T.H)) if p.name == "cell" else p for p in T.FOLDR.params))
    with pytest.raises(ArchLawError, match="symbol cell was saved as"):
        load(tmp_path / "rnn", T.RNN(), laws=[changed])
