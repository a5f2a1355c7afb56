"""A new user's first hour with the CLI, from the README only: each test failed on the code
before its fix (zero-case checks that passed, law parameters refused after a flag, path-like
MODULE:FACTORY, missing layout hints, a replay line that cannot reproduce, unclear messages)."""

from __future__ import annotations

import json
import textwrap

import pytest
import torch

from archlaw.bridge.errors import ArchLawError
from archlaw.cli.app import main

SHIFT = ["ArchLaw.ShiftEquivariant", "n=12", "X=float[3]", "Y=float[3]"]

LAYERS = '''
import torch
from torch import nn


def conv(padding_mode="circular"):
    torch.manual_seed(0)
    return nn.Conv1d(3, 3, 5, padding=2, padding_mode=padding_mode)


def gru():
    torch.manual_seed(0)
    return nn.GRU(3, 4)


def encoder_bf():
    torch.manual_seed(0)
    return nn.TransformerEncoderLayer(8, 2, dim_feedforward=16, dropout=0.0, batch_first=True)


def layer(x):  # the symbol function itself, not a factory
    return x


def flat():  # returns (N, 2) where (N, 12, 3) is expected
    return lambda x: x.reshape(x.shape[0], -1)[:, :2]


def nans():
    return lambda x: x * float("nan")


def mixer():  # mixes its batch: the output for one case depends on the others
    return lambda x: x + x.mean(0, keepdim=True)
'''

MODELS = '''
import torch
from archlaw.bridge.binding import Binding
from archlaw.bridge.sorts import Finite, FloatTensor


def build(channels=4, n=8, padding="circular"):
    conv = torch.nn.Conv1d(channels, channels, 3, padding=1, padding_mode=padding)

    def shift(g, x):
        idx = (torch.arange(n) - g[:, None]) % n
        return torch.gather(x, 2, idx[:, None, :].expand_as(x))

    shape = FloatTensor((channels, n))
    return Binding(sorts={"G": Finite(n), "X": shape, "Y": shape}, params={},
                   symbols={"f": conv, "actX": shift, "actY": shift},
                   model_symbols=frozenset({"f"}), module=conv)
'''


@pytest.fixture()
def here(tmp_path, monkeypatch):
    """A folder holding the user's fl_layers.py and fl_models.py, as the current directory."""
    (tmp_path / "fl_layers.py").write_text(textwrap.dedent(LAYERS))
    (tmp_path / "fl_models.py").write_text(textwrap.dedent(MODELS))
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _error(capsys, argv: list[str], prog: str = "archlaw") -> str:
    """The one line `argv` fails with (exit 2; argparse's errors exit from the parser)."""
    try:
        rc = main(argv)
    except SystemExit as e:
        rc = e.code
    assert rc == 2
    err = capsys.readouterr().err
    assert err.startswith(f"{prog}: error:") and err.count("\n") == 1, repr(err)
    return err


# -- 1. a check with zero cases is not a pass --------------------------------------------------


def test_a_field_with_no_cases_is_refused_not_passed(here, capsys):
    """Before: `--param n=0` printed PASS with `cases: 0` and exit 0."""
    err = _error(capsys, ["check", "ArchLaw.Equivariant", "--model", "fl_models:build",
                          "--param", "n=0"])
    assert "binder g ranges over Fin 0, which is empty" in err and "no cases" in err
    err = _error(capsys, ["check", *SHIFT[:1], "n=0", *SHIFT[2:], "--symbol", "f=fl_layers:conv",
                          "--layout", "f=NCL"])
    assert "Fin 0 is empty" in err


def test_check_law_refuses_an_empty_field(here, monkeypatch):
    monkeypatch.syspath_prepend(str(here))
    import fl_models

    from archlaw.bridge.conformance import check_law
    from archlaw.bridge.library import load_export

    law = load_export().find("ArchLaw.Equivariant")
    with pytest.raises(ArchLawError, match="which is empty"):
        check_law(law, fl_models.build(n=0), samples=3)


# -- 2. law parameters anywhere; a subcommand's errors point to its own help -------------------


def test_law_parameters_are_accepted_after_flags(here, capsys):
    """Before: `unrecognized arguments: n=12 X=float[3] Y=float[3]`."""
    assert main(["check", SHIFT[0], "--symbol", "f=fl_layers:conv", *SHIFT[1:], "--layout",
                 "f=NCL", "--dtype", "float64", "--samples", "5", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["passed"] is True
    assert main(["spec", SHIFT[0], "--json", *SHIFT[1:]]) == 0
    assert json.loads(capsys.readouterr().out)


def test_a_subcommands_bad_argument_points_to_its_help(capsys):
    err = _error(capsys, ["check", "ArchLaw.Equivariant", "--bogus"], prog="archlaw check")
    assert "unrecognized arguments: --bogus" in err and "`archlaw check --help`" in err
    err = _error(capsys, ["check"], prog="archlaw check")
    assert "required: LAW" in err and "NAME=VALUE" not in err


# -- 7. honest help; --root is a Lake project ------------------------------------------------


def test_help_says_stated_not_proved_and_shows_the_symbol_flow(capsys):
    from archlaw.cli.app import build_parser

    p = build_parser()
    assert "proved in Lean" not in p.description and "stated in Lean 4" in p.description
    sub = next(a for a in p._actions if a.dest == "command").choices["check"]
    assert "--symbol f=" in sub.epilog and "--model" in sub.epilog


def test_root_must_be_a_lake_project(tmp_path, capsys):
    """Before: `laws --root /tmp` read every .lean file below it."""
    (tmp_path / "A.lean").write_text("def x : Nat := 1\n")
    err = _error(capsys, ["laws", "--root", str(tmp_path)])
    assert str(tmp_path) in err and "lakefile.lean" in err and "Lake project" in err


# -- 3. MODULE:FACTORY hints --------------------------------------------------------------------


@pytest.mark.parametrize("ref", ["./fl_layers.py:conv", "fl_layers.py:conv"])
def test_a_path_for_a_module_gets_the_module_name(here, capsys, ref):
    """Before: a relative-import TypeError, or `cannot import module 'fl_layers.py'`."""
    err = _error(capsys, ["check", *SHIFT, "--symbol", f"f={ref}"])
    assert "give a module name, not a path: fl_layers:conv" in err
    err = _error(capsys, ["check", "ArchLaw.Equivariant", "--model", ref.replace("conv", "b")])
    assert "give a module name, not a path: fl_layers:b" in err


def test_a_symbol_function_for_a_factory_gets_a_hint(here, capsys):
    """Before: `calling layer() failed: TypeError: layer() missing 1 required positional...`."""
    err = _error(capsys, ["check", *SHIFT, "--symbol", "f=fl_layers:layer"])
    assert "layer takes (x)" in err and "zero-argument factory" in err


def test_an_empty_factory_is_not_printed_with_a_doubled_colon(here, capsys):
    err = _error(capsys, ["check", *SHIFT, "--symbol", "f=fl_layers:"])
    assert "::" not in err and "'f=fl_layers:'" in err and "NAME=MODULE:FACTORY" in err


# -- 4. layout hints ----------------------------------------------------------------------------


def test_a_conv_without_its_layout_gets_the_layout_hint(here, capsys):
    """Before: only torch's `expected input[...] to have 3 channels, but got 12`."""
    err = _error(capsys, ["check", *SHIFT, "--symbol", "f=fl_layers:conv"])
    assert "to have 3 channels, but got 12" in err
    assert "(an nn.Conv1d takes (N, C, L): try --layout f=NCL" in err


def test_a_layout_against_batch_first_is_refused(here, capsys):
    """Before: the check ran the batch-first layer sequence-first and FAILed on mixed batches."""
    err = _error(capsys, ["check", "ArchLaw.PermEquivariant", "n=5", "X=float[8]", "Y=float[8]",
                          "--symbol", "f=fl_layers:encoder_bf", "--layout", "f=LNC"])
    assert "layout 'LNC' contradicts the module's batch_first=True" in err


def test_a_recurrent_module_takes_no_layout(here, capsys):
    """Before: `--layout run=LNC` on a stock GRU was accepted without a word."""
    err = _error(capsys, ["check", "ArchLaw.FoldlLaws", "--symbol", "run=fl_layers:gru",
                          "--layout", "run=LNC"])
    assert "recurrent modules take no --layout (batch_first is read from the module)" in err


# -- 5. no replay line that cannot reproduce -----------------------------------------------------


def test_a_batch_mixing_failure_offers_no_case_line(here, capsys):
    """Before: `this case alone, in full: ... --case 0`, which then PASSed."""
    assert main(["check", *SHIFT, "--symbol", "f=fl_layers:mixer", "--samples", "5"]) == 1
    out = " ".join(capsys.readouterr().out.split())
    assert "holds when run alone" in out
    assert "this case alone, in full" not in out and "would not reproduce the failure" in out


# -- 6. messages ---------------------------------------------------------------------------------


def test_a_tables_wrong_shape_is_said_as_returned(here, capsys):
    """Before: `returned shape (720, 3)`, the entries flattened into one batch."""
    err = _error(capsys, ["check", *SHIFT[:3], "Y=float[2]", "--symbol", "f=fl_layers:conv",
                          "--layout", "f=NCL", "--samples", "5"])
    assert "returned shape (60, 12, 3) float32" in err and "expected shape (60, 12, 2)" in err


def test_a_non_finite_output_is_named_in_the_counterexample(here, capsys):
    assert main(["check", *SHIFT, "--symbol", "f=fl_layers:nans", "--samples", "5"]) == 1
    out = " ".join(capsys.readouterr().out.split())
    assert "note: f returned non-finite values (NaN or inf) on this case" in out
    assert main(["check", *SHIFT, "--symbol", "f=fl_layers:nans", "--samples", "5",
                 "--json"]) == 1
    cex = json.loads(capsys.readouterr().out)["fields"][0]["counterexample"]
    assert cex["nonfinite"] == ["f"]


def test_a_string_param_that_breaks_the_model_is_explained(here, capsys):
    """Before: only `TypeError: not all arguments converted during string formatting`."""
    err = _error(capsys, ["check", "ArchLaw.Equivariant", "--model", "fl_models:build",
                          "--param", "channels=abc"])
    assert "channels='abc' reached build as a string" in err and "--param values" in err


def test_the_sort_form_spec_prints_is_accepted(here, capsys):
    """Before: `'Float[3]' is not a sort encoding`, though `archlaw spec` prints `X = Float[3]`."""
    assert main(["spec", SHIFT[0], "n=12", "X=Float[3]", "Y=float[3]"]) == 0
    assert "X = Float[3]" in capsys.readouterr().out
    from archlaw.bridge.sorts import Finite
    from archlaw.bridge.spec import parse_encoding

    assert parse_encoding("Fin 10", "t") == Finite(10) == parse_encoding("FIN[10]", "t")


def test_a_permutation_prints_as_its_images(here, capsys):
    """Before: `p := ⟨[0, 1, 2, 4, 3], [0, 1, 2, 4, 3]⟩`, the inverse beside it unexplained."""
    (here / "fl_cums.py").write_text("def cums():\n    return lambda x: x.cumsum(1)\n")
    argv = ["check", "ArchLaw.PermEquivariant", "n=5", "X=float[2]", "Y=float[2]", "--symbol",
            "f=fl_cums:cums", "--samples", "3"]
    assert main(argv) == 1
    out = capsys.readouterr().out
    assert "p := (perm [0, 1, 2, 4, 3])" in out and "⟨" not in out


def test_a_finite_binder_too_large_to_enumerate_gets_a_note(here, capsys):
    """Before: at 720 permutations over a budget of 100 the check sampled them with no note."""
    argv = ["check", "ArchLaw.PermEquivariant", "n=6", "X=float[2]", "Y=float[2]", "--symbol",
            "f=fl_layers:mixer", "--samples", "2", "--budget", "100"]
    main(argv)
    out = " ".join(capsys.readouterr().out.split())
    assert "drew 2 samples of p (ArchLaw.Perm 6: 720 values), too many to enumerate within " \
           "--budget 100" in out


def test_a_closed_pipe_ends_the_listing_quietly():
    """`archlaw laws | head -1`: the reader leaves early; no "internal error" line."""
    import subprocess
    import sys

    proc = subprocess.run(f"'{sys.executable}' -m archlaw laws | head -1", shell=True,
                          capture_output=True, text=True, timeout=300)
    assert proc.stdout.count("\n") == 1
    assert "internal error" not in proc.stderr and "Traceback" not in proc.stderr, proc.stderr
