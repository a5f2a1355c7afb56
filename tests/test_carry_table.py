"""The carry cell as a table (`archlaw.models.carry.table`): read off the decoded network, run
sequentially (equal to the network by construction) and by a vectorised carry-lookahead (a
different algorithm, tested against the sequential run), and `archlaw add --adder table|table-
lookahead`. One base-10 cell is trained once for the module (seeded, one CPU thread, seconds).
"""

from __future__ import annotations

import sys

import numpy as np
import pytest
import torch

from archlaw import cli
from archlaw.models.carry.bindings import LOOKAHEAD_TRUST
from archlaw.models.carry.data import chain_operands, random_operands, reference_add
from archlaw.models.carry.modules import G, K, P, MealyAdder, table_cell
from archlaw.models.carry.table import (
    read_cell_table, table_lookahead, table_sequential,
)
from archlaw.models.carry.train import CellConfig, train_cell
from archlaw.models.registry import one_thread
from lawtools import fake_carry_cache


@pytest.fixture(scope="module")
def cell():
    """The default base-10 cell, trained once (exact on its 200 cases, or training fails)."""
    with one_thread():
        return train_cell(CellConfig(), device="cpu")[0]


def _sums(n: int = 1000, longest: int = 300, seed: int = 0):
    """`n` random sums of random lengths 1..`longest` (10% of positions forced to propagate, so
    long carry chains occur), zero-padded to `longest`, with random carries-in."""
    g = torch.Generator().manual_seed(seed)
    xs, ys = random_operands(n, longest, 10, g, min_length=1, chain_prob=0.1)
    cin = torch.randint(0, 2, (n,), generator=g)
    return xs, ys, cin


def test_the_table_is_the_decoded_cell_indexed_carry_in_a_b():
    """Indexed [carry_in, a, b], on every case: a seeded fault shows up at its own index only."""
    cell = table_cell(10, faults={(3, 4, 1): (9, 0)})
    t = read_cell_table(cell)
    assert t.base == 10 and t.digit.shape == t.carry.shape == (2, 10, 10) and t.cases == 200
    assert (t.digit[1, 3, 4], t.carry[1, 3, 4]) == (9, 0)
    c, a, b = np.meshgrid(np.arange(2), np.arange(10), np.arange(10), indexing="ij")
    s = a + b + c
    wrong = (t.digit != s % 10) | (t.carry != s // 10)
    assert list(zip(*np.nonzero(wrong))) == [(1, 3, 4)]
    d, k = cell.decode(torch.tensor([3]), torch.tensor([4]), torch.tensor([1]))
    assert (int(d), int(k)) == (9, 0)
    assert not t.digit.flags.writeable  # read once, never edited
    # the engine's one extraction: the very table (and hash) `archlaw to-lean` writes to Lean
    from archlaw.bridge.extraction import symbol_table
    from archlaw.models.carry.bindings import carry_decl, cell_binding

    extracted = symbol_table(carry_decl("cell"), cell_binding(cell), "cell")
    assert t.sha256 == extracted.sha256() and extracted.entries[(3 * 10 + 4) * 2 + 1] == (9, 0)


def test_statuses_are_read_off_the_carries():
    t = read_cell_table(table_cell(10))
    s = t.statuses()
    assert (s[2, 6], s[2, 7], s[2, 8], s[9, 9], s[0, 0]) == (K, P, G, G, K)
    bad = read_cell_table(table_cell(10, faults={(1, 1, 0): (2, 1)}))  # carries (1, 0) at 1 + 1
    assert bad.statuses()[1, 1] == 3
    with pytest.raises(ValueError, match="a=1, b=1 are \\(1, 0\\)"):
        table_lookahead(bad, np.array([[1]]), np.array([[1]]))


def test_table_engines_equal_the_network_on_1000_random_sums(cell):
    xs, ys, cin = _sums()
    net = MealyAdder(cell).run(xs, ys, cin).numpy()
    t = read_cell_table(cell)
    seq = table_sequential(t, xs.numpy(), ys.numpy(), cin.numpy())
    look = table_lookahead(t, xs.numpy(), ys.numpy(), cin.numpy())
    assert np.array_equal(look, seq)  # the lookahead against the sequential run of the table
    assert np.array_equal(seq, net)   # the table against the network
    assert np.array_equal(seq, reference_add(xs, ys, 10, cin).numpy())


def test_table_engines_equal_the_network_on_the_chain_at_10_000_digits(cell):
    xs, ys = chain_operands(1, 10_000, 10)
    t = read_cell_table(cell)
    net = MealyAdder(cell).run(xs, ys).numpy()
    seq = table_sequential(t, xs.numpy(), ys.numpy())
    look = table_lookahead(t, xs.numpy(), ys.numpy())
    want = np.zeros((1, 10_001), np.int64)
    want[0, -1] = 1
    assert np.array_equal(seq, want) and np.array_equal(look, want) and np.array_equal(net, want)


def test_the_sequential_table_run_is_the_network_even_on_a_wrong_cell():
    """Equal by construction: a cell that breaks its law is still run digit for digit as the
    network runs it (the law check, not the runner, refuses it)."""
    cell = table_cell(10, faults={(3, 4, 1): (9, 0), (7, 5, 0): (2, 0)})
    xs, ys, cin = _sums(200, 40, seed=1)
    net = MealyAdder(cell).run(xs, ys, cin).numpy()
    assert np.array_equal(table_sequential(read_cell_table(cell), xs.numpy(), ys.numpy(),
                                           cin.numpy()), net)
    assert not np.array_equal(net, reference_add(xs, ys, 10, cin).numpy())


@pytest.mark.parametrize("base", [2, 3, 16, 36])
def test_lookahead_equals_the_sequential_run_in_other_bases(base):
    t = read_cell_table(table_cell(base))
    g = torch.Generator().manual_seed(base)
    xs, ys = random_operands(300, 64, base, g, min_length=0, chain_prob=0.3)
    cin = torch.randint(0, 2, (300,), generator=g).numpy()
    seq = table_sequential(t, xs.numpy(), ys.numpy(), cin)
    assert np.array_equal(table_lookahead(t, xs.numpy(), ys.numpy(), cin), seq)
    assert np.array_equal(seq, reference_add(xs, ys, base, torch.from_numpy(cin)).numpy())


def test_edge_shapes_and_bad_digits():
    t = read_cell_table(table_cell(10))
    empty = np.zeros((3, 0), np.int64)
    for engine in (table_sequential, table_lookahead):
        assert engine(t, empty, empty, np.array([0, 1, 1])).tolist() == [[0], [1], [1]]
        assert engine(t, np.array([[9]]), np.array([[9]]), [1]).tolist() == [[9, 1]]
        with pytest.raises(ValueError, match=r"ys: digits must be in \[0, 10\)"):
            engine(t, np.array([[1]]), np.array([[10]]))
        with pytest.raises(ValueError, match="one shape"):
            engine(t, np.array([[1, 2]]), np.array([[1]]))


# --- archlaw add --adder table | table-lookahead ---------------------------------------------


@pytest.mark.parametrize("adder", ["table", "table-lookahead"])
def test_add_on_the_table(monkeypatch, tmp_path, capsys, adder):
    fake_carry_cache(monkeypatch, tmp_path, table_cell(10))
    assert cli.main(["add", "12", "39", "--adder", adder]) == 0
    out, err = capsys.readouterr()
    assert out == "51\n"
    err = " ".join(err.split())
    assert "ArchLaw.Carry.CarryCell (on the table): pass — statement source, check exhaustive " \
           "(200 cases)" in err or "statement lean" in err
    assert "table (trust base): the hard-decoded cell on all 200 inputs" in err
    assert f"table sha256 {read_cell_table(table_cell(10)).sha256}" in err
    if adder == "table-lookahead":
        assert f"runner (trust base): {LOOKAHEAD_TRUST}" in err
        assert "status read off the cell's table = ArchLaw.Carry.status on all 100 pairs: " \
               "pass" in err
    else:
        assert "step for step MealyAdder" in err


@pytest.mark.parametrize("adder", ["table", "table-lookahead"])
def test_add_on_the_table_refuses_a_cell_that_breaks_its_law(monkeypatch, tmp_path, capsys,
                                                              adder):
    fake_carry_cache(monkeypatch, tmp_path, table_cell(10, faults={(3, 4, 1): (9, 0)}))
    assert cli.main(["add", "12", "3", "--adder", adder]) == 1
    out, err = capsys.readouterr()
    assert out == "" and len(err.strip().splitlines()) == 1
    assert "ArchLaw.Carry.CarryCell: FAIL" in err and "a := 3, b := 4, c := 1" in err


def test_add_on_the_table_gives_no_certificate(monkeypatch, tmp_path, capsys):
    fake_carry_cache(monkeypatch, tmp_path, table_cell(10))
    assert cli.main(["add", "1", "2", "--adder", "table", "--certificate",
                     str(tmp_path / "c")]) == 1
    out, err = capsys.readouterr()
    assert out == "" and "--adder table:" in err and "sequential MealyAdder" in err
    assert not (tmp_path / "c.json").exists()


def test_add_long_operands_from_a_file_and_stdin(monkeypatch, tmp_path, capsys):
    """10,000-digit operands, one from @FILE and one from stdin, both table engines, against
    Python's integers (built from the same text)."""
    import io
    import random

    if hasattr(sys, "set_int_max_str_digits"):
        monkeypatch.setattr(sys, "set_int_max_str_digits", sys.set_int_max_str_digits)
        sys.set_int_max_str_digits(0)
    fake_carry_cache(monkeypatch, tmp_path, table_cell(10))
    rng = random.Random(0)
    x = "9" * 10_000
    y = "".join(rng.choice("0123456789") for _ in range(10_000)).lstrip("0")
    (tmp_path / "x.txt").write_text(x + "\n")
    for adder in ("table", "table-lookahead"):
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(y.encode())))
        assert cli.main(["add", f"@{tmp_path / 'x.txt'}", "-", "--adder", adder]) == 0
        assert capsys.readouterr().out == f"{int(x) + int(y)}\n"
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"1")))
        assert cli.main(["add", f"@{tmp_path / 'x.txt'}", "-", "--adder", adder]) == 0
        assert capsys.readouterr().out == "1" + "0" * 10_000 + "\n"


def test_add_bad_operand_files_are_one_line(monkeypatch, tmp_path, capsys):
    fake_carry_cache(monkeypatch, tmp_path, table_cell(10))
    missing = tmp_path / "nope.txt"
    assert cli.main(["add", f"@{missing}", "1", "--adder", "table-lookahead"]) == 2
    raw = capsys.readouterr().err
    err = " ".join(raw.split())
    assert len(raw.strip().splitlines()) == 1 and "Traceback" not in raw
    assert f"argument X: cannot read '{missing}'" in err and "accepted: @FILE" in err
    bad = tmp_path / "bad.txt"
    bad.write_text("12345x7\n")
    assert cli.main(["add", "1", f"@{bad}", "--adder", "table"]) == 2
    err = " ".join(capsys.readouterr().err.split())
    assert f"argument Y (@{bad}): 'x' at position 6 is not a base-10 digit" in err


# --- scripts/bench_carry.py: the engine comparison checks every sum ---------------------------


@pytest.mark.parametrize("faults", [None, {(3, 4, 0): (8, 0)}])
def test_the_benchmark_checks_every_engines_sum(monkeypatch, faults):
    """`_engines` (tiny sizes): every engine's sum is checked against `decimal`'s, so a cell with
    one wrong digit case makes every learned engine's row inexact, and Python's `+` stays exact."""
    from argparse import Namespace
    from types import SimpleNamespace

    from archlaw.models.carry.modules import table_combine
    from lawtools import load_script

    monkeypatch.setattr(sys, "set_int_max_str_digits", lambda n: None)  # 3,000 digits: no need
    bench = load_script("bench_carry")
    cell = table_cell(10, faults=faults)
    cached = SimpleNamespace(cell=cell, combine=table_combine())
    out = bench._engines(Namespace(engine_digits=3000, network_seq_digits=500, repeat=1),
                         torch.Generator().manual_seed(0), cached, read_cell_table(cell))
    rows = out["rows"]
    assert list(rows) == list(bench.ENGINES)
    assert rows["network: sequential (MealyAdder)"]["digits"] == 500
    assert all(r["digits"] == 3000 for name, r in rows.items() if "MealyAdder" not in name)
    learned = [r["exact"] for name, r in rows.items() if name != "Python int +"]
    assert rows["Python int +"]["exact"]
    assert learned == [faults is None] * 4
    assert set(out["lookahead_rate_over"]) == set(bench.ENGINES) - {"table: lookahead"}
