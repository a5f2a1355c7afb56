"""What a new user meets first, each a one-line error that says what to do: a typo in
``--model``'s attribute, a model that raises (``ARCHLAW_DEBUG=1`` for its traceback), a
hand-written binding that misses a law's symbol, a theorem-level binding without one of the
sorts a hypothesis needs (named as the law states it and as the theorem gives it)."""
from __future__ import annotations

import textwrap

import pytest
import torch

from archlaw.bridge.binding import Binding
from archlaw.bridge.errors import ArchLawError
from archlaw.bridge.sorts import Finite, FloatTensor
from archlaw.cli.app import main

USER = textwrap.dedent('''
    import torch
    from torch import nn
    from archlaw.bridge.binding import Binding
    from archlaw.bridge.sorts import Finite, FloatTensor

    def shift(g, x):
        return torch.roll(x, 1, -1)

    def build(symbol="f"):
        conv = nn.Conv1d(1, 1, 3, padding=1, padding_mode="circular")
        f = lambda x: conv(x[:, None, :])[:, 0, :]
        return Binding(sorts={"G": Finite(4), "X": FloatTensor((4,)), "Y": FloatTensor((4,))},
                       params={}, symbols={symbol: f, "actX": shift, "actY": shift},
                       model_symbols=frozenset({symbol}), module=conv)

    class Boom(nn.Module):
        def forward(self, x):
            return explode(x)

    def explode(x):
        raise RuntimeError("the user's own bug")

    def boom():
        return Boom()

    def identity():
        return lambda s: s

    def single():
        return lambda s: s.float()
''')

SHIFT = ["check", "ShiftEquivariant", "n=4", "X=float[2]", "Y=float[2]", "--samples", "5"]


@pytest.fixture
def user(tmp_path, monkeypatch):
    (tmp_path / "new_user_models.py").write_text(USER)
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("ARCHLAW_DEBUG", raising=False)
    return "new_user_models"


def _one_line(capsys) -> str:
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "Traceback" not in err, err
    return err


@pytest.mark.parametrize("argv", [
    ["check", "ArchLaw.Equivariant", "--model", "{u}:buld"],
    SHIFT + ["--symbol", "f={u}:bom"],
])
def test_a_typo_in_the_attribute_gets_a_did_you_mean(user, capsys, argv):
    assert main([a.format(u=user) for a in argv]) == 2
    err = _one_line(capsys)
    want = "build" if "buld" in " ".join(argv) else "boom"
    assert "has no attribute" in err and f"(did you mean {want!r}?)" in err, err


def test_an_attribute_with_no_close_name_gets_no_guess(user, capsys):
    assert main(["check", "ArchLaw.Equivariant", "--model", f"{user}:zzzzzz"]) == 2
    assert "did you mean" not in _one_line(capsys)


def test_a_model_that_raises_is_one_line_naming_the_symbol_and_the_exception(user, capsys):
    assert main(SHIFT + ["--symbol", f"f={user}:boom"]) == 2
    err = _one_line(capsys)
    assert "symbol 'f' raised RuntimeError" in err and "the user's own bug" in err, err
    assert "ARCHLAW_DEBUG=1 shows its traceback" in err


def test_archlaw_debug_shows_the_traceback_of_the_users_code(user, capsys, monkeypatch):
    monkeypatch.setenv("ARCHLAW_DEBUG", "1")
    assert main(SHIFT + ["--symbol", f"f={user}:boom"]) == 2
    err = capsys.readouterr().err
    assert "Traceback" in err and "new_user_models.py" in err and "in explode" in err, err
    last = err.strip().splitlines()[-1]
    assert "symbol 'f' raised RuntimeError" in last and "shows its traceback" not in last


def test_archlaw_debug_does_not_change_an_error_of_the_users_arguments(user, capsys, monkeypatch):
    """Nothing of the user's code ran: no traceback to show, with or without the variable."""
    monkeypatch.setenv("ARCHLAW_DEBUG", "1")
    assert main(SHIFT[:3] + ["--symbol", f"f={user}:boom"]) == 2
    err = _one_line(capsys)
    assert "give" in err and "ARCHLAW_DEBUG" not in err


def test_a_hand_written_binding_missing_a_symbol_names_it_and_its_typo(user, capsys):
    assert main(["check", "ArchLaw.Equivariant", "--model", f"{user}:build", "--param",
                 "symbol=ff", "--samples", "5"]) == 2
    err = _one_line(capsys)
    assert "the binding has no symbol f (did you mean to bind 'ff' as 'f'?)" in err, err
    assert "model symbols the law does not have: ff" in err
    assert main(["check", "ArchLaw.Equivariant", "--model", f"{user}:build", "--samples",
                 "5"]) == 0  # the same binding, with the law's name


def test_a_binding_shared_by_several_laws_may_bind_more():
    """One binding serves all of a theorem's hypotheses: symbols beyond the law's are fine."""
    from archlaw.bridge.library import load_export
    from archlaw.bridge.spec import check_model_symbols

    law = load_export().find("ArchLaw.Equivariant")
    b = Binding({"G": Finite(2), "X": FloatTensor((1,)), "Y": FloatTensor((1,))}, {},
                {"f": abs, "actX": abs, "actY": abs, "k": abs}, frozenset({"f", "k"}))
    check_model_symbols(law, b)
    with pytest.raises(ArchLawError, match="no symbol f; .*does not have: k"):
        check_model_symbols(law, Binding(b.sorts, {}, {"actX": abs, "actY": abs, "k": abs},
                                         frozenset({"k"})))


def test_a_theorem_binding_without_a_sort_names_it_as_the_law_states_it():
    """``Equivariant.comp`` applies ``Equivariant actY actZ k``: the law's Y is the theorem's Z.
    Without an encoding for Z, the line names both (not only the theorem's Z, which the law
    never mentions)."""
    from archlaw.bridge.conformance import check_theorem
    from archlaw.bridge.library import load_export

    export = load_export()
    act = lambda g, x: torch.roll(x, 1, -1)  # noqa: E731
    b = Binding({"G": Finite(4), "X": FloatTensor((4,)), "Y": FloatTensor((4,))}, {},
                {"actX": act, "actY": act, "actZ": act, "f": lambda x: x, "k": lambda x: x},
                frozenset({"f", "k"}))
    with pytest.raises(ArchLawError) as e:
        check_theorem(export.find("ArchLaw.Equivariant.comp"), export, b, samples=5)
    msg = str(e.value)
    assert "the law's sort Y, given as Z by hypothesis ArchLaw.Equivariant actY actZ k" in msg
    assert "'Z' has no encoding" in msg and "\n" not in msg


def _shift_binding(f):
    act = lambda g, x: torch.roll(x, 1, -1)  # noqa: E731
    return Binding({"G": Finite(4), "X": FloatTensor((4,)), "Y": FloatTensor((4,))}, {},
                   {"f": f, "actX": act, "actY": act}, frozenset({"f"}))


def test_a_hand_written_binding_returning_less_precision_than_the_check_is_one_line():
    """A float16 (or float32) result in a float64 check would compare its rounding, not the
    law: one line naming the symbol. A more precise result is harmless and accepted."""
    from archlaw.bridge.conformance import check_law
    from archlaw.bridge.library import load_export

    law = load_export().find("ArchLaw.Equivariant")
    with pytest.raises(ArchLawError) as e:
        check_law(law, _shift_binding(lambda x: x.to(torch.float16)), samples=5,
                  dtype=torch.float64)
    msg = str(e.value)
    assert "symbol 'f' returned dtype float16 where the check runs in float64" in msg, msg
    assert "\n" not in msg
    assert check_law(law, _shift_binding(lambda x: x.double()), samples=5).passed  # float32 check


@pytest.mark.parametrize("extra, words", [
    (["--symbol", "f={u}:identity", "--symbol", "g={u}:identity"],
     "ArchLaw.ShiftEquivariant has no parameter 'g'"),                # a symbol the law lacks
    (["--symbol", "f={u}:single", "--dtype", "float64"],
     "symbol 'f' returned dtype float32 where the check runs in float64"),  # a wrong dtype
])
def test_a_symbol_binding_that_does_not_fit_the_spec_is_one_line_naming_it(user, capsys, extra,
                                                                          words):
    assert main(SHIFT + [e.format(u=user) for e in extra]) == 2
    err = _one_line(capsys)
    assert words in err, err


def test_assert_law_names_an_extra_symbol():
    from archlaw.testing import assert_law

    with pytest.raises(ArchLawError, match="has no parameter 'g'"):
        assert_law("ShiftEquivariant", f=lambda s: s, g=lambda s: s, n=3, X=(1,), Y=(1,))
