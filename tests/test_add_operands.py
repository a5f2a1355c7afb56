"""`archlaw add` takes operands longer than a shell argument (128 KiB) as ``@FILE`` or ``-``
(stdin), and the log-depth adder's scan runs in chunks (bounded working memory) with the same
sum. The cell and combine are the hand-built exact ones (`table_cell`, `table_combine`), so no
training runs; the memory figures themselves are measured by ``scripts/bench_carry.py --memory``."""

from __future__ import annotations

import io
import random
import sys

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from archlaw import cli
from archlaw.models.carry import modules as carry, store as carry_store
from archlaw.models.carry.modules import LookaheadAdder, table_cell, table_combine
from archlaw.models.carry.data import reference_add


@pytest.fixture()
def exact_cache(monkeypatch, tmp_path):
    """`archlaw add` finds the exact table cell and combine in its cache."""
    monkeypatch.setenv("ARCHLAW_CACHE", str(tmp_path))
    cached = carry_store.CachedAdder(table_cell(10), table_combine(),
                                     {"config": {"base": 10}, "cell": {"seed": 0}},
                                     tmp_path / "fake-entry", False)
    monkeypatch.setattr(carry_store, "load_or_train", lambda *a, **k: cached)


@pytest.fixture()
def big_ints():
    old = sys.get_int_max_str_digits()
    sys.set_int_max_str_digits(0)
    yield
    sys.set_int_max_str_digits(old)


def _stdin(monkeypatch, data: bytes) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))


def test_operands_from_files_longer_than_a_shell_argument(exact_cache, big_ints, tmp_path,
                                                          capsys, monkeypatch):
    """Exact on 140,000 digits, and the scan never holds more than SCAN_POSITIONS positions at
    once: its working memory does not grow with the operands."""
    scanned: list[int] = []
    real_scan = carry.hillis_steele_scan
    monkeypatch.setattr(carry, "hillis_steele_scan",
                        lambda xs, f: scanned.append(xs.numel()) or real_scan(xs, f))
    rng = random.Random(5)
    n = 140_000  # > 128 KiB, the most one shell argument can hold
    x, y = rng.randrange(10 ** (n - 1), 10 ** n), rng.randrange(10 ** (n - 1), 10 ** n)
    (tmp_path / "a.txt").write_text(f"{x}\n")
    (tmp_path / "b.txt").write_text(str(y))
    assert cli.main(["add", f"@{tmp_path / 'a.txt'}", f"@{tmp_path / 'b.txt'}",
                     "--adder", "log-depth"]) == 0
    assert capsys.readouterr().out == f"{x + y}\n"
    assert len(scanned) == -(-n // carry.SCAN_POSITIONS) and max(scanned) <= carry.SCAN_POSITIONS


def test_an_operand_from_stdin(exact_cache, monkeypatch, capsys):
    _stdin(monkeypatch, b"9" * 3000 + b"\n")
    assert cli.main(["add", "-", "1"]) == 0  # the sequential adder, the carry through every digit
    assert capsys.readouterr().out == "1" + "0" * 3000 + "\n"
    _stdin(monkeypatch, b"15\n")
    assert cli.main(["add", "27", "-", "--adder", "log-depth"]) == 0
    assert capsys.readouterr().out == "42\n"


@pytest.mark.parametrize("argv, stdin, needle", [
    (["@{d}/missing.txt", "1"], b"", "argument X: cannot read '{d}/missing.txt': No such file or directory"),
    (["1", "@{d}"], b"", "argument Y: cannot read '{d}': Is a directory"),
    (["-", "-"], b"12", "argument Y: '-' (stdin) is already the other operand"),
    (["-", "1"], b"\xff\xfe1\x002\x00", "argument X: stdin is not UTF-8 text (byte 1)"),
    (["1", "@{d}/bad.txt"], b"", "argument Y (@{d}/bad.txt): 'x' at position 3 is not a base-10 digit"),
    (["1", "@{d}/latin1.txt"], b"", "argument Y: '{d}/latin1.txt' is not UTF-8 text (byte 2)"),
])
def test_bad_operand_sources_are_one_line(exact_cache, monkeypatch, tmp_path, capsys, argv, stdin,
                                          needle):
    (tmp_path / "bad.txt").write_text("12x4\n")
    (tmp_path / "latin1.txt").write_bytes(b"1\xe92")
    _stdin(monkeypatch, stdin)
    assert cli.main(["add", *(a.format(d=tmp_path) for a in argv)]) == 2
    out, err = capsys.readouterr()
    assert out == "" and len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert needle.format(d=tmp_path) in " ".join(err.split())


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_the_chunked_scan_gives_the_same_sum(data):
    """Any chunk size (down to one position), batch, length and carry-in: the sum digits of
    schoolbook addition, including carry chains that cross chunk boundaries."""
    n = data.draw(st.integers(1, 3))
    length = data.draw(st.integers(0, 40))
    positions = data.draw(st.integers(1, 50))
    digits = st.lists(st.lists(st.sampled_from([0, 1, 5, 9]), min_size=length, max_size=length),
                      min_size=n, max_size=n)
    xs = torch.tensor(data.draw(digits), dtype=torch.long).reshape(n, length)
    ys = torch.tensor(data.draw(digits), dtype=torch.long).reshape(n, length)
    ci = torch.tensor(data.draw(st.lists(st.integers(0, 1), min_size=n, max_size=n)))
    adder = LookaheadAdder(table_cell(10), table_combine())
    got = adder.run(xs, ys, ci, positions=positions)
    assert torch.equal(got, reference_add(xs, ys, 10, ci))
    assert torch.equal(got, adder.run(xs, ys, ci, positions=10 ** 9))  # one chunk, as before
