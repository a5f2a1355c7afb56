"""`archlaw spec` and `archlaw check --symbol` (issue 16): the command-line grammar of law
parameters and sort encodings, and stock torch modules bound from the spec with no binding code."""
from __future__ import annotations

import textwrap

import pytest

from archlaw.bridge.library import load_export
from archlaw.bridge.spec import _param_kinds
from archlaw.cli.app import main

USER = textwrap.dedent('''
    import torch
    from torch import nn

    def circular():
        torch.manual_seed(0)
        return nn.Conv1d(3, 3, 5, padding=2, padding_mode="circular")

    def zeros():
        torch.manual_seed(0)
        return nn.Conv1d(3, 3, 5, padding=2)

    def layer(batch_first=False):
        torch.manual_seed(1)
        return nn.TransformerEncoderLayer(4, 2, dim_feedforward=8, dropout=0.0,
                                          batch_first=batch_first)

    seq_first = layer(False)
    batch_first = layer(True)

    class Causal(nn.Module):
        def __init__(self):
            super().__init__()
            self.layer = layer(True)

        def forward(self, x):
            mask = nn.Transformer.generate_square_subsequent_mask(x.shape[1], dtype=x.dtype)
            return self.layer(x, src_mask=mask)

    def conv2d(averaged=True):
        torch.manual_seed(2)
        conv = nn.Conv2d(2, 2, 5, padding=2).double()
        if averaged:
            with torch.no_grad():
                conv.weight.copy_(sum(torch.rot90(conv.weight, r, dims=(2, 3)) for r in range(4)) / 4)
        return conv

    def random_conv2d():
        return conv2d(False)

    def drops_a_position():
        return lambda s: s[:, :-1]
''')


@pytest.fixture
def user(tmp_path, monkeypatch):
    """A user's folder holding their own module file, as the current directory."""
    (tmp_path / "spec_user_models.py").write_text(USER)
    monkeypatch.chdir(tmp_path)
    return "spec_user_models"


SHIFT = ["check", "ShiftEquivariant", "n=12", "X=float[3]", "Y=float[3]", "--samples", "30",
         "--dtype", "float64"]
PERM = ["check", "PermEquivariant", "n=4", "X=float[4]", "Y=float[4]", "--samples", "20",
        "--dtype", "float64"]
C4 = ["check", "C4Equivariant", "k=5", "X=float[2]", "Y=float[2]", "--samples", "20",
      "--dtype", "float64", "--layout", "f=NCHW"]


@pytest.mark.parametrize("argv, symbol, status", [
    (SHIFT + ["--layout", "f=NCL"], "circular", 0),
    (SHIFT + ["--layout", "f=NCL"], "zeros", 1),
    (PERM, "seq_first", 0),
    (PERM, "batch_first", 0),
    (PERM, "Causal", 1),
    (C4, "conv2d", 0),
    (C4, "random_conv2d", 1),
])
def test_stock_modules_get_the_right_verdict_from_the_cli(user, capsys, argv, symbol, status):
    assert main(argv + ["--symbol", f"f={user}:{symbol}"]) == status
    out = capsys.readouterr().out
    assert ("counterexample" in out) == (status == 1)


@pytest.mark.parametrize("extra, words", [
    (["--symbol", "f={u}:drops_a_position"], "symbol 'f' returned shape"),
    (["--symbol", "f={u}:circular", "--param", "c=3"], "--param passes keyword arguments"),
    (["--symbol", "f={u}:nothing"], "has no attribute 'nothing'"),
    (["--symbol", "f={u}:circular", "--layout", "g=NCL"], "not a model symbol"),
    (["--symbol", "f={u}:circular", "--layout", "f=NCW"], "not an order of the spec's letters"),
    (["--model", "{u}:circular"], "go with --symbol"),
    ([], "give --symbol"),
])
def test_bad_symbol_arguments_are_one_line(user, capsys, extra, words):
    assert main(SHIFT + [e.format(u=user) for e in extra]) == 2
    err = capsys.readouterr().err.strip()
    assert words in err and len(err.splitlines()) == 1, err


def test_a_theorem_needs_model(user, capsys):
    assert main(["check", "Carry.add_correct", "--symbol", f"f={user}:circular"]) == 2
    assert "give --model" in capsys.readouterr().err


def _assignments(law, sort: str) -> list[str]:
    return [f"{k}=3" if v == "nat" else f"{k}={sort}" for k, v in _param_kinds(law).items()
            if v != "symbol"]


def test_every_shipped_law_prints_its_spec(capsys):
    """Nat parameters 3 and sorts float[2]; a law whose operations need finite sorts (a group's
    multiplication on indices, say) is given fin[3]."""
    for law in load_export().laws:
        status = main(["spec", law.name, *_assignments(law, "float[2]")])
        if status != 0:
            capsys.readouterr()
            status = main(["spec", law.name, *_assignments(law, "fin[3]")])
        out, err = capsys.readouterr()
        assert status == 0, (law.name, err)
        assert out.startswith(law.name) and "fixed by the law:" in out


def test_the_spec_names_shapes_layouts_decodings_and_where_fixed_symbols_come_from(capsys):
    assert main(["spec", "ShiftEquivariant", "n=12", "X=float[3]", "Y=float[3]"]) == 0
    out = capsys.readouterr().out
    assert "argument 1: Fin 12 → Float[3]: tensor (N, 12, 3) float, layout NLC" in out
    assert "ArchLaw.rotate (Lean body)" in out
    assert main(["spec", "CombineLaws", "--json"]) == 0
    import json
    spec = json.loads(capsys.readouterr().out)
    assert spec["symbols"][0]["result"]["decode"].startswith("or logits")


@pytest.mark.parametrize("argv, words", [
    (["spec", "ShiftEquivariant", "n=12", "X=float[3]"], "give Y (sort)"),
    (["spec", "ShiftEquivariant", "n=x", "X=float[3]", "Y=float[3]"], "give an integer"),
    (["spec", "ShiftEquivariant", "n=1", "X=floot", "Y=float[3]"], "not a sort encoding"),
    (["spec", "ShiftEquivariant", "f=3"], "law parameters or sorts (n, X, Y)"),
    (["spec", "ShiftEquivariant", "n=1", "n=2"], "n given twice"),
    (["spec", "Carry.add_correct"], "is a theorem"),
])
def test_bad_spec_arguments_are_one_line(capsys, argv, words):
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert words in err and len(err.splitlines()) == 1, err


def test_the_spec_shown_on_docs_specs_md_is_what_the_command_prints(capsys):
    import docpages

    page = docpages.ROOT / "docs/specs.md"
    shown = [b.text for b in docpages.blocks(page) if b.info.strip() == "text"][0]
    cmd = [c for c in docpages.sh_commands(page) if c.text.startswith("archlaw spec")][0]
    assert main(cmd.text.split()[1:]) == 0
    assert capsys.readouterr().out.strip() == shown.strip()
