"""Stock sequence modules bind as folds and machines with no binding code (issue 17, part 1):
`nn.RNN` / `nn.GRU` / `nn.LSTM` against `FoldlLaws`, `MealyLaws`, `MooreLaws`, `RestartLaws`,
`MooreRestartLaws` and `CausalLaw`; a transformer encoder, causal mask or not, against the
machine laws with the prefix as its state (`archlaw.bridge.sequence`)."""
from __future__ import annotations

import textwrap

import pytest
import torch
from torch import nn

from archlaw.bridge.binding import ListBatch
from archlaw.bridge.errors import ArchLawError
from archlaw.bridge.sequence import Causal, Recurrent
from archlaw.bridge.sorts import FloatTensor
from archlaw.cli.app import main
from archlaw.testing import assert_law

MACHINE_LAWS = ("MealyLaws", "RestartLaws", "CausalLaw", "MooreLaws", "MooreRestartLaws")


def _module(kind: str, layers: int, batch_first: bool) -> nn.RNNBase:
    torch.manual_seed(0)
    return getattr(nn, kind)(3, 5, num_layers=layers, batch_first=batch_first)


@pytest.mark.parametrize("kind, layers, batch_first", [
    ("GRU", 1, False), ("GRU", 1, True), ("GRU", 2, False), ("GRU", 2, True),
    ("LSTM", 1, False), ("LSTM", 1, True), ("LSTM", 2, False), ("LSTM", 2, True),
    ("RNN", 2, False),
])
def test_a_stock_recurrent_module_passes_the_fold_and_machine_laws(kind, layers, batch_first):
    """One module given for one symbol supplies every symbol and sort of the law."""
    rnn = _module(kind, layers, batch_first)
    rep = assert_law("FoldlLaws", run=rnn, samples=40)
    assert rep.passed and {f.field for f in rep.fields} == {"nil", "snoc"}
    for law in MACHINE_LAWS:
        assert assert_law(law, out=rnn, samples=40).passed


def test_the_sorts_are_read_off_the_module():
    """State (num_layers, H_out), for the LSTM the pair (h, c); input Float[input_size]; output
    the top layer's h. A sort the user gives must agree with the module's."""
    torch.manual_seed(0)
    lstm = nn.LSTM(3, 6, num_layers=2, proj_size=4)
    state, inp, out = Recurrent(lstm, "").sorts()
    assert state.describe() == "Float[2, 4] × Float[2, 6]"
    assert (inp, out) == (FloatTensor((3,)), FloatTensor((4,)))
    assert assert_law("MealyLaws", out=lstm, I=(3,), O=(4,), samples=20).passed  # proj_size too
    with pytest.raises(ArchLawError, match=r"H = Float\[5\] was given, but the module's H is "
                                           r"Float\[1, 5\]") as e:
        assert_law("FoldlLaws", run=_module("GRU", 1, False), H=(5,))
    assert "\n" not in str(e.value)


def test_the_cell_is_the_module_itself():
    """The cell is the module run one step with its own weights: change a weight in place and
    the cell changes with it (a separately built *Cell would not)."""
    gru = _module("GRU", 2, True)
    ad = Recurrent(gru, "")
    s = torch.randn(4, 2, 5)
    a = torch.randn(4, 3)
    before = ad.step(s, a)
    with torch.no_grad():
        gru.weight_ih_l1.add_(1.0)
    after = ad.step(s, a)
    assert torch.equal(before[:, 0], after[:, 0]) and not torch.equal(before[:, 1], after[:, 1])


def test_packing_never_reads_padding():
    """Whatever the padding holds (here NaN), the runs are those of the lists themselves."""
    gru = _module("GRU", 2, False)
    ad = Recurrent(gru, "")
    vals = torch.randn(3, 4, 3)
    lengths = torch.tensor([0, 2, 4])
    poisoned = vals.clone()
    poisoned[0] = float("nan")
    poisoned[1, 2:] = float("nan")
    a, b = ad.run(ListBatch(vals, lengths)), ad.run(ListBatch(poisoned, lengths))
    assert torch.equal(a, b) and torch.equal(a[0], torch.zeros(2, 5))   # [] keeps init
    out = ad.out(torch.zeros(3, 2, 5), ListBatch(poisoned, lengths))
    assert not out.values[1, :2].isnan().any() and torch.equal(out.lengths, lengths)


def test_a_run_that_reads_past_each_lists_length_fails_at_the_empty_list():
    """The GRU run over the padded tensor, no packing and no mask: the empty list padded to the
    batch's width is run through the padding, so `snoc` fails, first at ``as := []``. (The
    check's first three cases are its degenerate inputs, which fill the padding with the same
    value as the elements, so a run through them agrees; the fourth, shortest first, is the
    empty list at 100 samples.)"""
    gru = _module("GRU", 1, False)

    def padded_run(xs: ListBatch) -> torch.Tensor:
        if xs.values.shape[1] == 0:  # torch refuses a length-0 sequence
            return torch.zeros(xs.batch_size, 1, 5, dtype=xs.values.dtype)
        return gru(xs.values.transpose(0, 1))[1].transpose(0, 1)

    with pytest.raises(AssertionError, match=r"snoc: FAIL") as e:
        assert_law("FoldlLaws", run=padded_run, cell=gru, samples=100)
    assert "counterexample: as := []," in str(e.value)


def test_a_bidirectional_module_or_another_law_is_refused_with_one_line():
    torch.manual_seed(0)
    with pytest.raises(ArchLawError, match=r"GRU\(bidirectional=True\) is not a fold") as e:
        assert_law("FoldlLaws", run=nn.GRU(3, 5, bidirectional=True))
    assert "\n" not in str(e.value)
    with pytest.raises(ArchLawError, match="binds the laws FoldlLaws, MealyLaws") as e:
        assert_law("ShiftEquivariant", f=_module("GRU", 1, False), n=4, X=(3,), Y=(5,))
    assert "\n" not in str(e.value)


def _encoder(batch_first: bool) -> nn.TransformerEncoder:
    torch.manual_seed(1)
    layer = nn.TransformerEncoderLayer(8, 2, dim_feedforward=16, dropout=0.0,
                                       batch_first=batch_first)
    return nn.TransformerEncoder(layer, 2, enable_nested_tensor=False)


@pytest.mark.parametrize("batch_first", [False, True])
def test_a_causal_encoder_passes_the_machine_laws_and_an_unmasked_one_fails(batch_first):
    """The state is the prefix: the restart and Mealy laws hold exactly when no output reads a
    later position."""
    enc = _encoder(batch_first)
    for law in ("CausalLaw", "RestartLaws", "MealyLaws"):
        assert assert_law(law, out=Causal(enc), samples=30).passed
    with pytest.raises(AssertionError, match="causal: FAIL"):
        assert_law("CausalLaw", out=enc, samples=30)
    with pytest.raises(AssertionError, match="out_append: FAIL"):
        assert_law("RestartLaws", out=enc, samples=30)


def test_an_encoder_layer_binds_too_and_has_no_fold():
    torch.manual_seed(1)
    layer = nn.TransformerEncoderLayer(4, 2, dim_feedforward=8, dropout=0.0, batch_first=True)
    assert assert_law("CausalLaw", out=Causal(layer), samples=20).passed
    with pytest.raises(ArchLawError, match="has no run to bind run"):
        assert_law("FoldlLaws", run=Causal(layer))
    with pytest.raises(ArchLawError, match="Causal wraps an nn.TransformerEncoder"):
        Causal(nn.Linear(2, 2))


USER = textwrap.dedent('''
    import torch
    from torch import nn

    torch.manual_seed(0)
    GRU = nn.GRU(3, 5, num_layers=2, batch_first=True)

    def lstm():
        torch.manual_seed(0)
        return nn.LSTM(3, 5)

    def padded_run():
        def run(xs):
            if xs.values.shape[1] == 0:
                return torch.zeros(xs.batch_size, 2, 5, dtype=xs.values.dtype)
            return GRU(xs.values)[1].transpose(0, 1)
        return run
''')


@pytest.mark.parametrize("argv, status", [
    (["FoldlLaws", "--symbol", "run={u}:GRU"], 0),
    (["MealyLaws", "--symbol", "out={u}:lstm"], 0),
    (["RestartLaws", "S=float[1,5]", "--symbol", "out={u}:lstm"], 2),  # the LSTM's is a pair
    (["FoldlLaws", "--symbol", "run={u}:padded_run", "--symbol", "cell={u}:GRU",
      "--samples", "200"], 1),
])
def test_from_the_cli_with_no_binding_code(tmp_path, monkeypatch, capsys, argv, status):
    (tmp_path / "seq_user_models.py").write_text(USER)
    monkeypatch.chdir(tmp_path)
    args = ["check", *[a.format(u="seq_user_models") for a in argv]]
    args += [] if "--samples" in args else ["--samples", "30"]
    assert main(args) == status
    out = capsys.readouterr()
    if status == 1:
        assert "counterexample to snoc" in out.out and "as := [], a := " in out.out
    if status == 2:
        assert "S = Float[1, 5] was given" in out.err and out.err.strip().count("\n") == 0


def test_two_different_stock_modules_must_agree():
    gru, lstm = _module("GRU", 1, False), _module("LSTM", 1, False)
    with pytest.raises(ArchLawError, match="give init: two different stock modules"):
        assert_law("FoldlLaws", run=gru, cell=_module("GRU", 1, False))
    with pytest.raises(ArchLawError, match="different state, input or output sorts"):
        assert_law("FoldlLaws", run=gru, cell=lstm, init=gru)
    # two modules of the same shape and weights: each plays its own symbol, and they agree
    assert assert_law("FoldlLaws", run=gru, cell=_module("GRU", 1, False), init=gru,
                      samples=20).passed


def test_the_registry_entries_hold_under_further_check_seeds():
    """No false alarm: the conforming stock entries pass, and the seeded violations are caught,
    under a check seed other than the registry's, in float32 (the check's default dtype)."""
    from archlaw.bridge.conformance import check_law
    from archlaw.bridge.library import load_export
    import archlaw.models.recursion.fixtures as fx

    export = load_export()
    stock = [f for f in fx.FIXTURES if f[0].startswith("seq-")]
    assert len(stock) >= 10
    for name, law, _, make, expect in stock:
        rep = check_law(export.find(law), make(), seed=1, samples=200)
        assert rep.passed == expect, rep.summary()
