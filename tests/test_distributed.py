"""Sharded checks (`archlaw.bridge.distributed`): the same report from 1 or 2 workers.

Three launches of two gloo processes on the CPU, each a few seconds: `tests/distributed_driver.py`
under torchrun (every family's exhaustive, sampled and failing check, progress, and a rank that
raises mid-field and before any field), and ``archlaw check --workers 2`` twice (a certificate that
a single-process ``verify`` accepts; a rank whose model raises). Every collective has a 60 s
timeout and every launch a subprocess timeout, so a failure can never hang the suite.
"""

from __future__ import annotations

import dataclasses
import json
import os
import pickle
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, strategies as st

import distributed_driver as D
from archlaw.bridge.conformance import FieldTally, check_law
from archlaw.bridge.distributed import World, split_chunks
from archlaw.bridge.errors import ArchLawError
from archlaw.cli import main
from archlaw.models.registry import one_thread
from test_certificate import export_file  # noqa: F401 - the fixture: a lean export of the toys

TESTS = Path(__file__).resolve().parent
PY = sys.executable
TORCHRUN = [PY, "-m", "torch.distributed.run", "--nproc-per-node", "2", "--standalone"]


def _launch(argv: list[str]) -> subprocess.CompletedProcess:
    env = {**os.environ, "OMP_NUM_THREADS": "1", "OMP_WAIT_POLICY": "PASSIVE"}
    return subprocess.run(argv, cwd=TESTS, env=env, capture_output=True, text=True, timeout=300)


# -- the split and the merge (no processes) --------------------------------------------------------


@given(st.lists(st.integers(1, 50), max_size=30), st.integers(1, 6))
def test_split_chunks_is_contiguous_ordered_and_balanced(sizes, n):
    chunks, k = [], 0
    for s in sizes:
        chunks.append((k, k + s))
        k += s
    runs = split_chunks(chunks, n)
    assert len(runs) == n and [c for r in runs for c in r] == chunks
    # each run starts at the chunk boundary nearest its share: off by at most one chunk
    total, biggest = k, max(sizes, default=0)
    for r, run in enumerate(runs):
        cases = sum(b - a for a, b in run)
        assert abs(cases - total / n) <= 2 * biggest


@given(st.lists(st.tuples(st.booleans(), st.floats(0, 10), st.integers(0, 9)), min_size=1,
                max_size=40), st.data())
def test_merged_tallies_are_the_tally_of_the_whole(cases, data):
    """Counts add, the worst error and the longest list are maxima, the first violation the
    smallest index: the merge of any contiguous split equals the tally of the whole, in any
    order of merging (ranks' tallies are merged in rank order, but the result must not care)."""
    def tally(lo: int, hi: int) -> FieldTally:
        part = cases[lo:hi]
        bad = [lo + i for i, (ok, _, _) in enumerate(part) if not ok]
        return FieldTally(hi - lo, len(bad), 0, max((e for _, e, _ in part), default=0.0),
                          bad[0] if bad else None,
                          (min(n for *_, n in part), max(n for *_, n in part)) if part else None)
    cuts = sorted(data.draw(st.lists(st.integers(0, len(cases)), max_size=4)))
    bounds = [0, *cuts, len(cases)]
    parts = [tally(a, b) for a, b in zip(bounds, bounds[1:])]
    merged = FieldTally()
    for p in data.draw(st.permutations(parts)):
        merged = merged.merge(p)
    assert merged == tally(0, len(cases))


def test_world_from_env_reads_torchrun_variables_and_names_bad_ones():
    assert World.from_env({}) is None
    assert World.from_env({"RANK": "1", "WORLD_SIZE": "2", "LOCAL_RANK": "1"}) == World(1, 2, 1)
    with pytest.raises(ArchLawError, match="WORLD_SIZE='two'"):
        World.from_env({"RANK": "1", "WORLD_SIZE": "two"})
    with pytest.raises(ArchLawError, match="0 <= RANK < WORLD_SIZE"):
        World.from_env({"RANK": "2", "WORLD_SIZE": "2"})
    assert World(1, 2, 1).device("cpu") == "cpu"


def test_worker_options_are_one_line_errors(capsys, monkeypatch):
    for argv, what in ((["--workers", "0"], "--workers 0: expected 1 to 256"),
                       (["--worker-timeout", "0"], "--worker-timeout 0.0: expected seconds"),
                       (["--chunk-cases", "0"], "--chunk-cases 0: expected at least 1")):
        assert main(["check", "ArchLaw.Carry.CarryCell", "--model", "m:f", *argv]) == 2
        err = capsys.readouterr().err
        assert what in err and err.count("\n") == 1
    # under torchrun (its variables set), a different --workers is refused, by rank 0 alone
    for rank, said in (("0", True), ("1", False)):
        monkeypatch.setenv("RANK", rank)
        monkeypatch.setenv("WORLD_SIZE", "2")
        assert main(["check", "ArchLaw.Carry.CarryCell", "--model", "m:f", "--workers", "3"]) == 2
        err = capsys.readouterr().err
        assert ("this process is one of 2 started by torchrun" in err) == said
        # a bad option is rejected by argparse before any group forms: rank 0 alone says so
        with pytest.raises(SystemExit) as exit_:
            main(["check", "ArchLaw.Carry.CarryCell", "--no-such-flag"])
        assert exit_.value.code == 2
        err = capsys.readouterr().err
        assert ("--no-such-flag" in err) == said and err.count("\n") == int(said)


# -- torchrun: every family, 1 worker against 2 ------------------------------------------------------


@pytest.fixture(scope="module")
def ranks(tmp_path_factory) -> list[dict]:
    """What each rank of one torchrun launch of the driver saw."""
    out = tmp_path_factory.mktemp("ranks")
    r = _launch([*TORCHRUN, "distributed_driver.py", str(out)])
    assert r.returncode == 0, r.stdout + r.stderr
    return [pickle.loads((out / f"rank{k}.pkl").read_bytes()) for k in (0, 1)]


@pytest.fixture(scope="module")
def single() -> dict:
    """Every check of the driver in one process (one thread, as each torchrun rank)."""
    from archlaw.bridge.library import load_export

    export = load_export()
    with one_thread():
        return {name: check_law(export.find(law), build(), **kw)
                for name, (law, build, kw) in D.CASES.items()}


@pytest.mark.parametrize("name", list(D.CASES))
def test_two_workers_report_what_one_process_reports(ranks, single, name):
    """The same cases, verdict, counts, worst error (to the bit: both CPU), counterexample and
    replay line; only `workers` differs. Every rank holds the report, not rank 0 alone."""
    one, two = single[name], ranks[0]["reports"][name]
    assert two.workers == 2 and one.workers == 1
    assert dataclasses.replace(two, workers=1) == one, f"{name}:\n{two.summary()}\n{one.summary()}"
    assert ranks[1]["reports"][name] == two
    assert two.to_json()["workers"] == 2


def test_the_cases_cover_each_kind_and_each_rank(single):
    kinds = {name: (rep.check, rep.passed) for name, rep in single.items()}
    for family, failing in (("carry", "carry fault on rank 1"), ("equivariance", None),
                            ("recursion", None)):
        assert kinds[f"{family} exhaustive"] == ("exhaustive", True)
        assert kinds[f"{family} sampled"] == ("sampled", True)
        assert kinds[failing or f"{family} failing"][1] is False
    # Para: sampled only (its laws range over float parameters), one passing, one failing
    assert kinds["para sampled"] == ("sampled", True) and kinds["para failing"] == ("sampled", False)
    # the seeded fault lies in rank 1's block of the single-process chunks: the counterexample
    # came from the second rank, and with a second fault in rank 0's block the smaller wins
    chunks = [(k, k + 50) for k in range(0, 200, 50)]
    (lo, _), *_, (_, hi) = split_chunks(chunks, 2)[1]
    assert lo <= single["carry fault on rank 1"].fields[0].counterexample.case < hi
    both = single["carry faults on both ranks"].fields[0]
    assert both.violations == 2 and both.counterexample.case < lo


def test_progress_on_rank0_counts_every_rank(ranks):
    calls = ranks[0]["progress"]
    assert calls and calls[-1] == ("spec", 200, 200)
    assert calls[0][1] < 200  # rank 0's own half first, then the others' cases added
    assert ranks[1]["progress"] == []


def test_a_rank_that_raises_fails_every_rank_with_its_one_line(ranks):
    for seen in ranks:
        assert seen["errors"]["build"] == "rank 1 of 2: ValueError: no binding on rank 1"
        mid = seen["errors"]["call"]
        assert mid.startswith("rank 1 of 2: law ArchLaw.Carry.CarryCell, field spec: symbol "
                              "'cell' raised RuntimeError") and "\n" not in mid


# -- archlaw check --workers 2 ---------------------------------------------------------------------


def _root(path: Path) -> list[str]:
    return ["--root", str(path.parent / "proj"), "--from", str(path)]


def _strip(d):
    if isinstance(d, dict):
        return {k: _strip(v) for k, v in d.items() if k not in ("seconds", "workers")}
    if isinstance(d, list):
        return [_strip(v) for v in d]
    return d


def test_cli_workers_certificate_verifies_in_one_process(export_file, tmp_path, capsys,  # noqa: F811
                                                        monkeypatch):
    argv = ["check", "adder_correct", *_root(export_file), "--model",
            "conformance_toys:cell_binding", "--param", "base=10", "--json", "--chunk-cases", "50"]
    r = _launch([PY, "-m", "archlaw", *argv, "--workers", "2", "--certificate",
                 str(tmp_path / "two")])
    assert r.returncode == 0, r.stderr
    two = json.loads(r.stdout)
    assert [h["workers"] for h in two["hypotheses"]] == [2] and two["certified"]
    monkeypatch.chdir(TESTS)  # conformance_toys is imported from the current directory
    assert main([*argv, "--certificate", str(tmp_path / "one")]) == 0
    one = json.loads(capsys.readouterr().out)
    assert _strip(two) == {**_strip(one), "certificate": two["certificate"]}
    # the certificate is the one-process certificate, and a one-process verify accepts it
    assert (tmp_path / "two.json").read_text() == (tmp_path / "one.json").read_text()
    assert main(["verify", str(tmp_path / "two.sexp"), *_root(export_file), "--model",
                 "conformance_toys:cell_binding"]) == 0


def test_cli_workers_a_raising_rank_ends_the_run_with_one_line(tmp_path):
    (tmp_path / "raising_models.py").write_text(
        "import os\n"
        "from archlaw.models.carry.bindings import cell_binding\n"
        "from archlaw.models.carry.modules import table_cell\n"
        "def build():\n"
        "    if os.environ['RANK'] == '1':\n"
        "        raise RuntimeError('boom on this worker')\n"
        "    return cell_binding(table_cell(10))\n")
    r = subprocess.run([PY, "-m", "archlaw", "check", "ArchLaw.Carry.CarryCell", "--model",
                        "raising_models:build", "--workers", "2", "--worker-timeout", "60"],
                       cwd=tmp_path, capture_output=True, text=True, timeout=300,
                       env={**os.environ, "OMP_NUM_THREADS": "1", "OMP_WAIT_POLICY": "PASSIVE"})
    assert r.returncode == 2 and r.stdout == ""
    assert r.stderr == ("archlaw: error: rank 1 of 2: --model 'raising_models:build' failed with "
                        "--param (none): RuntimeError: boom on this worker\n")
