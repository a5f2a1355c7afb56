"""Every bad input gets one line, a non-zero exit and no traceback; work is bounded.

The corpus test runs each command on a bad input in its own process, killed at a time limit
(a hang fails the test; nothing asserts a duration); tests/bad_input_driver.py forks those
processes from one that imported torch once, so the corpus costs seconds, not a torch import per
case. The unit tests below pin each refusal's wording
and the limits it names.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, strategies as st

import conformance_toys as T
from archlaw.bridge import interchange
from archlaw.bridge.certificate import load_certificate, make_certificate
from archlaw.cli.app import INTERNAL_ERROR, main
from archlaw.bridge.conformance import check_theorem
from archlaw.bridge.errors import ArchLawError
from archlaw.bridge.limits import MAX_BUDGET, MAX_FILE_BYTES, read_user_text, shorten_numerals
from archlaw.bridge.source_reader import MAX_DEPTH, read_text
from lawtools import FOLD, REPO, toy_lean_export

#: Seconds each case may run: generous on a loaded 2-core machine, while a hang (a FIFO read, a
#: base-100,000 training) would never end.
TIMEOUT_S = 60

_MODS = {
    "exits_mod.py": "def f(**kw):\n    raise SystemExit(0)\n",
    "interrupts_mod.py": "def f(**kw):\n    raise KeyboardInterrupt\n",
}


def _cert_json() -> dict:
    ex = T.export()
    rep = check_theorem(ex.find("adder_correct"), ex, T.cell_binding(10))
    return make_certificate(rep, T.cell_binding(10), model={"ref": "os:system", "params": {}},
                            settings={"seed": 0, "budget": 10 ** 6}).to_json()


def _deep_project(root: Path, statement: str) -> Path:
    import shutil

    shutil.copytree(FOLD, root)
    f = root / "Fix" / "Fold.lean"
    f.write_text(f.read_text().replace("end Fix", "@[arch_law] structure Deep : Prop where\n"
                                       f"  deep : ∀ (n : Nat), {statement}\nend Fix"))
    return root


def _corpus(d: Path) -> dict[str, tuple[list[str], dict[str, str]]]:
    """name -> (archlaw arguments, extra environment); files are made under `d`."""
    proj, laws = toy_lean_export(d)
    place = ["--root", str(proj), "--from", str(laws)]
    for name, text in _MODS.items():
        (d / name).write_text(text)
    cert = _cert_json()
    (d / "good.json").write_text(json.dumps(cert))
    (d / "utf16.json").write_bytes(json.dumps(cert).encode("utf-16"))
    (d / "latin1.json").write_bytes(json.dumps(cert).replace("adder", "add\xe9r").encode("latin-1"))
    (d / "bigint.json").write_text(json.dumps(cert).replace('"budget": 1000000',
                                                             '"budget": ' + "9" * 5000))
    (d / "deep.json").write_text('{"a": ' + "[" * 10 ** 5 + "]" * 10 ** 5 + "}")
    (d / "type.json").write_text(json.dumps({**cert, "settings": {"budget": "big"}}))
    (d / "toomuch.json").write_text(json.dumps({**cert, "settings": {"budget": 10 ** 12}}))
    (d / "base.json").write_text(json.dumps({**cert, "model": {"ref": "m:f",
                                                               "params": {"base": 100000}}}))
    sx = load_certificate(d / "good.json").to_sexp()
    (d / "bigint.sexp").write_text(re.sub(r"\(cases \d+\)", "(cases " + "7" * 20000 + ")", sx))
    (d / "deep.sexp").write_text("(" * 10 ** 5 + ")" * 10 ** 5)
    os.mkfifo(d / "fifo")
    with open(d / "huge.sexp", "wb") as f:  # sparse: no disk used
        f.truncate(MAX_FILE_BYTES + 1)
    chain = _deep_project(d / "chain", " + ".join(["n"] * 200) + " = n")
    parens = _deep_project(d / "parens", "(" * 500 + "n" + ")" * 500 + " = n")
    verify = ["verify", "--model", "exits_mod:f", *place]
    check = ["check", "adder_correct", "--model", "conformance_toys:cell_binding"]
    cells = ["check", "ArchLaw.Carry.CarryCell", "--root", str(REPO), "--model",
             "archlaw.models.carry.fixtures:cached_binding"]
    fold = _deep_project(d / "fold", "n = n")
    return {
        "verify utf-16": ([*verify, str(d / "utf16.json")], {}),
        "verify not utf-8": ([*verify, str(d / "latin1.json")], {}),
        "verify int over 4300 digits": ([*verify, str(d / "bigint.json")], {}),
        "verify json 1e5 deep": ([*verify, str(d / "deep.json")], {}),
        "verify budget 'big'": ([*verify, str(d / "type.json")], {}),
        "verify budget 1e12": ([*verify, str(d / "toomuch.json")], {}),
        "verify huge int in sexp": ([*verify, str(d / "bigint.sexp")], {}),
        "verify sexp 1e5 deep": ([*verify, str(d / "deep.sexp")], {}),
        "verify fifo": ([*verify, str(d / "fifo")], {}),
        "verify device": ([*verify, "/dev/zero"], {}),
        "verify directory": ([*verify, str(d)], {}),
        "verify model SystemExit(0)": ([*verify, str(d / "good.json")], {}),
        "verify model KeyboardInterrupt": (["verify", "--model", "interrupts_mod:f", *place,
                                            str(d / "good.json")], {}),
        "verify recorded base 100000": (["verify", str(d / "base.json"), *place, "--model",
                                         "archlaw.models.carry.fixtures:cached_binding"], {}),
        "verify recorded ref, no --model": (["verify", str(d / "good.json"), *place], {}),
        "laws --from fifo": (["laws", "--from", str(d / "fifo"), "--root", str(proj)], {}),
        "laws --from device": (["laws", "--from", "/dev/zero", "--root", str(proj)], {}),
        "laws --from huge": (["laws", "--from", str(d / "huge.sexp"), "--root", str(proj)], {}),
        "check --from fifo": ([*check, "--from", str(d / "fifo"), "--root", str(proj)], {}),
        "check --budget 1e9": ([*check, *place, "--budget", str(10 ** 9)], {}),
        "check --samples 0": ([*check, *place, "--samples", "0"], {}),
        "check --param base=100000": ([*cells, "--param", "base=100000"], {}),
        "check --param base=20000 digits": ([*cells, "--param", "base=" + "9" * 20000], {}),
        "laws 200-term chain": (["laws", "--root", str(chain)], {}),
        "laws 500 parentheses": (["laws", "--root", str(parens)], {}),
        "export 200-term chain": (["export", "--source", "--root", str(chain), "--out",
                                   str(d / "x.sexp")], {}),
        "check 500 parentheses": (["check", "Deep", "--root", str(parens), "--model", "m:f"], {}),
        "export --out ''": (["export", "--source", "--root", str(fold), "--out", ""], {}),
        "demo --digits too large": (["demo", "--root", str(REPO), "--digits", str(10 ** 9)], {}),
        "demo --digits not an integer": (["demo", "--digits", "many"], {}),
        "demo ARCHLAW_FAMILIES missing": (["demo", "--root", str(REPO), "--digits", "3"],
                                          {"ARCHLAW_FAMILIES": "no_such_family_mod"}),
        "add --base 100000": (["add", "1", "1", "--base", "100000"], {}),
    }


@pytest.fixture(scope="module")
def corpus_results(tmp_path_factory) -> dict[str, tuple[int | None, str, str]]:
    """Each case run in its own process (forked by tests/bad_input_driver.py, which imports torch
    once), under a time limit of `TIMEOUT_S` each: (exit status or None if killed, stdout,
    stderr)."""
    d = tmp_path_factory.mktemp("corpus")
    cache = tmp_path_factory.mktemp("cache")
    with pytest.MonkeyPatch.context() as mp:
        # the corpus records its lean export as lake's in this cache, so that verify's refusals
        # are about the certificates' bad fields, not about a declared statement
        mp.setenv("ARCHLAW_CACHE", str(cache))
        cases = {name: [args, env, str(d), TIMEOUT_S] for name, (args, env) in _corpus(d).items()}
    (d / "cases.json").write_text(json.dumps(cases))
    env = {**os.environ, "PYTHONPATH": str(REPO / "tests"), "COLUMNS": "100",
           "OMP_WAIT_POLICY": "PASSIVE", "ARCHLAW_CACHE": str(cache)}
    env.pop("ARCHLAW_DEBUG", None)  # a traceback shown on purpose would fail the test
    env.pop("ARCHLAW_FAMILIES", None)
    subprocess.run([sys.executable, str(REPO / "tests" / "bad_input_driver.py"),
                    str(d / "cases.json"), str(d / "results.json")], env=env, cwd=d, check=True,
                   timeout=TIMEOUT_S * 3, stdin=subprocess.DEVNULL)
    return {k: tuple(v) for k, v in json.loads((d / "results.json").read_text()).items()}


CORPUS = ["verify utf-16", "verify not utf-8", "verify int over 4300 digits",
          "verify json 1e5 deep", "verify budget 'big'", "verify budget 1e12",
          "verify huge int in sexp", "verify sexp 1e5 deep", "verify fifo", "verify device",
          "verify directory", "verify model SystemExit(0)", "verify model KeyboardInterrupt",
          "verify recorded base 100000", "verify recorded ref, no --model", "laws --from fifo",
          "laws --from device", "laws --from huge", "check --from fifo", "check --budget 1e9",
          "check --samples 0", "check --param base=100000", "check --param base=20000 digits",
          "laws 200-term chain", "laws 500 parentheses", "export 200-term chain",
          "check 500 parentheses", "export --out ''", "demo --digits too large",
          "demo --digits not an integer", "demo ARCHLAW_FAMILIES missing", "add --base 100000"]


def test_corpus_names_every_case(tmp_path):
    assert sorted(_corpus(tmp_path)) == sorted(CORPUS)


@pytest.mark.parametrize("case", CORPUS)
def test_every_bad_input_is_one_line_and_exit_2(corpus_results, case):
    rc, _, err = corpus_results[case]
    err = err.strip()
    assert rc == 2, (case, rc, err[-2000:])  # None: killed at the time limit
    assert "Traceback" not in err and "internal error" not in err, err[-2000:]
    assert len(err.splitlines()) == 1, err[-2000:]
    assert not re.search(r"\d{41}", err), "long numerals are elided"


def test_corpus_messages_say_what_is_accepted(corpus_results):
    says = {
        "verify utf-16": "UTF-16 text; certificate files are UTF-8",
        "verify int over 4300 digits": "Exceeds the limit (4300 digits)",
        "verify json 1e5 deep": "nested too deeply",
        "verify budget 'big'": "settings.budget 'big' is not accepted; expected an integer",
        "verify budget 1e12": f"expected an integer from 1 to {MAX_BUDGET:,}",
        "verify fifo": "is a FIFO; the certificate must be a regular file",
        "verify device": "is a device or special file",
        "verify model SystemExit(0)": "--model 'exits_mod:f' failed with --param (none): "
                                      "SystemExit: 0",
        "verify model KeyboardInterrupt": "KeyboardInterrupt",
        "verify recorded base 100000": "base 100000 is not accepted; expected an integer from 2 "
                                       "to 36",
        "laws --from huge": f"larger than the {MAX_FILE_BYTES:,}-byte limit on export files",
        "check --param base=20000 digits": "…(20,000 digits)…",
        "laws 200-term chain": "Fix/Fold.lean:61:",
        "laws 500 parentheses": f"nested deeper than {MAX_DEPTH} levels",
        "export --out ''": "--out '': is empty",
        "demo --digits too large": "--digits 1000000000 is not accepted; expected an integer "
                                   "from 1 to 100,000",
        "demo --digits not an integer": "argument --digits: invalid int value: 'many'",
        "demo ARCHLAW_FAMILIES missing": "cannot import module 'no_such_family_mod'",
    }
    for case, text in says.items():
        assert text in corpus_results[case][2], (case, corpus_results[case][2])
    # a value read from a file is quoted as data, never offered as a command to paste
    err = corpus_results["verify recorded ref, no --model"][2]
    assert "'os:system'" in err and "--model os:system" not in err


# -- unit tests ----------------------------------------------------------------------------------


@given(st.text(alphabet="0123456789 ab", max_size=300))
def test_shorten_numerals_elides_only_long_digit_runs(text):
    out = shorten_numerals(text)
    assert not re.search(r"\d{41}", out.replace(",", ""))  # the count itself is short
    runs = re.findall(r"\d+", text)
    if all(len(r) <= 40 for r in runs):
        assert out == text
    for r in runs:
        if len(r) > 40:
            assert f"{r[:10]}…({len(r):,} digits)…{r[-10:]}" in out


@pytest.mark.parametrize("statement", [" + ".join(["n"] * 200) + " = n",
                                       "(" * 500 + "n" + ")" * 500 + " = n",
                                       "[" + ", ".join(["n"] * 200) + "] = [n]",
                                       "∀ " + " ".join(f"x{i}" for i in range(200)) + " : Nat, n = n"])
def test_source_reader_refuses_deep_terms_with_a_position(statement):
    src = f"@[arch_law] structure Deep : Prop where\n  deep : ∀ (n : Nat), {statement}\n"
    with pytest.raises(ArchLawError, match=rf"^Test.lean:2:\d+: nested deeper than {MAX_DEPTH}"):
        read_text(src)


def test_source_reader_reads_a_term_just_within_the_limit_and_it_reads_back():
    src = ("@[arch_law] structure Deep : Prop where\n  deep : ∀ (n : Nat), "
           + " + ".join(["n"] * (MAX_DEPTH - 4)) + " = n\n")
    (d,) = read_text(src)
    from archlaw.bridge.ir import Export

    ex = Export(producer="source", lean_version=None, hashes=(), declarations=(d,))
    assert interchange.loads(interchange.dumps(ex)).declarations == (d,)


def test_a_declaration_too_deep_for_the_export_is_refused():
    """Terms within MAX_DEPTH whose sorts add enough levels: the reader refuses what the
    interchange reader would refuse, naming the declaration."""
    import dataclasses

    from archlaw.bridge.ir import App, Sort
    from archlaw.bridge.source_reader import _check_export_depth, tokenize

    (d,) = read_text("@[arch_law] structure L : Prop where\n  f : ∀ (n : Nat), n = n\n")
    t = Sort("Type")
    for _ in range(interchange.MAX_DEPTH):
        t = App("List", (t,), Sort("Type"))
    deep = dataclasses.replace(d, fields=(dataclasses.replace(d.fields[0], statement=t),))
    at = tokenize("structure", "Test.lean")[0]
    with pytest.raises(ArchLawError, match=r"Test.lean:1:0: L would nest \d+ levels deep"):
        _check_export_depth(deep, "Test.lean", at)
    _check_export_depth(d, "Test.lean", at)  # the real one passes


def test_read_user_text_refuses_what_is_not_a_regular_utf8_file(tmp_path):
    p = tmp_path / "f"
    p.write_bytes("ok ✓".encode())
    assert read_user_text(p, "export") == "ok ✓"
    p.write_bytes(b"12345")
    with pytest.raises(ArchLawError, match="5 bytes: larger than the 4-byte limit"):
        read_user_text(p, "export", limit=4)
    with pytest.raises(ArchLawError, match="no such file"):
        read_user_text(tmp_path / "nope", "export")


def test_cell_base_is_bounded_before_any_training():
    from archlaw.models.carry.train import MAX_BASE, CellConfig
    from archlaw.models.carry.fixtures import cached_binding

    for bad in (1, MAX_BASE + 1, 100000, "10", True):
        with pytest.raises(ArchLawError, match="base .* is not accepted; expected an integer "
                                               f"from 2 to {MAX_BASE}"):
            CellConfig(base=bad)
    with pytest.raises(ArchLawError, match="base 100000 is not accepted"):
        cached_binding(base=100000)
    from archlaw.cli.add import MAX_BASE as ADD_MAX_BASE

    assert ADD_MAX_BASE == MAX_BASE  # one bound, whichever command trains the cell


def test_internal_error_is_one_line_with_a_distinct_exit_and_debug_shows_it(monkeypatch, capsys):
    import archlaw.cli.laws as cmd_laws

    def boom(args):
        raise RuntimeError("a bug\nwith a second line")

    monkeypatch.setattr(cmd_laws, "run", boom)
    monkeypatch.delenv("ARCHLAW_DEBUG", raising=False)
    assert main(["laws"]) == INTERNAL_ERROR
    err = capsys.readouterr().err.strip()
    assert err.startswith("archlaw: error: internal error: RuntimeError: a bug (a bug in ArchLaw; "
                          "rerun with ARCHLAW_DEBUG=1 for the traceback")
    assert "\n" not in err
    monkeypatch.setenv("ARCHLAW_DEBUG", "1")
    with pytest.raises(RuntimeError, match="a bug"):
        main(["laws"])
