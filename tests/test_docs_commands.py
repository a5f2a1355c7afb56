"""Every command the README and docs/ show is run, and exits as the page says; or it is marked
``# shown only: REASON`` on the page and listed in `SHOWN_ONLY` below with the same reason.

How (conventions in `tests/docpages.py`):

* README commands (and those of the other `USER_PAGES`) run in a fresh folder, as a new user
  runs them (the page's ``python file=`` blocks written there first: the user's ``mymodels.py``);
  docs/ pages' commands run in the checkout, where they name its scripts and fixtures. Every
  command gets one temporary ``ARCHLAW_CACHE`` (so the carry cell is trained once for all of
  them), ``OMP_WAIT_POLICY=PASSIVE``, a time limit, and the bin folder of the virtual
  environment running the tests first on PATH, as with the venv active (plain ``python`` and
  ``archlaw`` are its). On a checkout page ``.venv/bin/`` means that environment too; a user's
  folder has no ``.venv``, so there ``.venv/bin/...`` runs as written, and fails as it would
  for the user.
* A plain ``archlaw ...`` line runs in a forked child of one process that imported torch once
  (`bad_input_driver.py`, exactly as the entry point runs it); any other line runs in bash.
* A fenced ``python`` block without ``file=`` is run as a script in the same folder.
* An inline ``archlaw`` span is run when it is a concrete command line; a synopsis (metavariables
  in capitals, ``[``) must name only options its subcommand's ``--help`` lists; a bare
  ``archlaw NAME`` must name a subcommand.
* A comment ``# exit N without Lean`` states the status where no ``lake`` is on PATH; where Lean
  is installed (the ``lean`` CI job) that line is skipped: its status there depends on the export.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import docpages

ROOT = docpages.ROOT
DRIVER = Path(__file__).resolve().parent / "bad_input_driver.py"
VENV_BIN = Path(sys.executable).parent
LIMIT_S = 120

#: (page, command) -> the reason the page gives for showing it without running it.
SHOWN_ONLY = {
    ("docs/lean-imports.md", "archlaw laws --root myproj"):
        "your own project (tests/test_imports.py runs these on tests/fixtures/userproj)",
    ("docs/lean-imports.md", "archlaw check three_layers --root myproj --model mymodels:build"):
        "your own project and module (tests/test_imports.py checks the fixture's)",
    ("docs/lean-imports.md", "archlaw lint-lean --root myproj"):
        "your own project (tests/test_imports.py lints the fixture)",
    ("README.md", "make demo"):
        "the tour below, minutes (tests/test_demo.py runs `archlaw demo`)",
    ("README.md", "make test"):
        "the whole suite, including the `pytest --archlaw` law checks (CI runs it)",
    ("docs/ci.md", "make test"): "the whole suite, which CI runs",
    ("docs/ci.md", "lake build"): "needs Lean",
    ("docs/ci.md", "lake exe archlaw-export build/laws.sexp"): "needs Lean",
    ("docs/ci.md", "lake build archlaw-export-v2"):
        "needs Lean (the version-2 exporter, written blind)",
    ("docs/ci.md", "ARCHLAW_LEAN_V2=1 .venv/bin/python -m pytest -q -p no:cacheprovider "
                   "tests/test_lean_export.py"):
        "needs Lean (compares the two producers' definitions)",
    ("docs/ci.md", ".venv/bin/archlaw export --out build/laws.sexp"): "needs Lean",
    ("docs/ci.md", ".venv/bin/archlaw export --with-blind --out build/laws-with-blind.sexp"):
        "needs Lean",
    ("docs/ci.md", ".venv/bin/archlaw laws --from build/laws.sexp --require-verified"):
        "needs Lean (a fresh export lake made here)",
    ("docs/lean.md", "curl https://raw.githubusercontent.com/leanprover/elan/master/elan-init.sh"
                     " -sSf | sh"): "needs the network (elan, the Lean version manager)",
    ("docs/lean.md", "lake build"): "needs Lean (the lean CI job runs it)",
    ("docs/lean.md", "lake exe archlaw-export build/laws.sexp"):
        "needs Lean (the lean CI job runs it)",
    ("docs/lean.md", "archlaw export"):
        "needs Lean (the lean CI job runs it); adds the SHA-256 of every file under lean/",
    ("docs/lean.md", "archlaw export --with-blind"):
        "needs Lean (the lean CI job runs it); also the modules written blind that build",
    ("docs/laws.md", "archlaw export"): "needs Lean (lake build + lake exe archlaw-export; exit 1 "
                                        "without it, saying how to get Lean)",
    ("docs/benchmarks.md", "OMP_WAIT_POLICY=PASSIVE .venv/bin/python scripts/bench_conformance.py "
                           "--threads 1 --out docs/bench/bench_conformance.json"):
        "about 1 minute; rewrites the committed figures",
    ("docs/benchmarks.md", "OMP_WAIT_POLICY=PASSIVE .venv/bin/python scripts/sweep_tolerance.py"):
        "20 seeds over the registry, minutes",
    ("docs/carry.md", "OMP_WAIT_POLICY=PASSIVE nice -n 10 .venv/bin/python scripts/bench_carry.py "
                      "--threads 1 --train-sweep $(seq -s, 2 36) --sweep-json "
                      "docs/bench/carry_train_sweep_bases.json"): "about 4 minutes",
    ("docs/carry.md", "OMP_WAIT_POLICY=PASSIVE nice -n 10 .venv/bin/python scripts/bench_carry.py "
                      "--threads 1 --train-sweep 10,16,36 --sweep-seeds 5"): "about 2 minutes",
    ("docs/carry.md", "nice -n 10 .venv/bin/python scripts/train_transformer_adder.py --steps 8000 "
                      "--threads 1"): "about 5 minutes of training",
    ("docs/carry.md", "OMP_WAIT_POLICY=PASSIVE .venv/bin/python scripts/bench_carry.py --threads 1"):
        "about 5 minutes, needs runs/transformer_adder/",
    ("docs/equivariance.md", "bash scripts/setup_bench_env.sh"):
        "needs the network (escnn + e3nn in /tmp/archlaw-bench-venv, gfortran via apt, numpy<2, "
        "torch==2.13.0; never the main .venv)",
    ("docs/equivariance.md", ".venv/bin/python scripts/bench_equivariance.py --device auto "
                             "--threads 1"):
        "about 6 minutes; JSON in out/ and docs/bench/bench_equivariance.json",
    ("docs/pathfinding.md", "nice -n 5 .venv/bin/python scripts/bench_pathfinding.py --threads 1"):
        "about 5 minutes; writes docs/bench/bench_pathfinding.json and the PNG",
    ("docs/recursion.md", "nice -n 10 .venv/bin/python scripts/bench_recursion.py"):
        "about 5 minutes (--device auto --threads 1 are the defaults)",
    ("docs/para.md", ".venv/bin/python scripts/bench_para.py --threads 1"):
        "about 10 s; rewrites docs/bench/bench_para.json (tests/test_para.py runs the script at a "
        "tiny size)",
    ("docs/distributed.md", "OMP_WAIT_POLICY=PASSIVE python scripts/bench_distributed.py --out "
                            "docs/bench/bench_distributed.json"):
        "about a minute (6 commands of 10^7 cases); rewrites the committed figures "
        "(tests/test_distributed.py runs --workers 2)",
    ("docs/distributed.md", "cd scripts && torchrun --nproc-per-node 8 -m archlaw check "
                            "ArchLaw.Carry.CarryCell  --model bench_distributed:table_binding "
                            "--param base=2236 --budget 10000000 --json"): "a node with 8 GPUs",
    # docs/training.md shows the family pages' benchmark commands again, as they were rerun
    ("docs/training.md", "OMP_WAIT_POLICY=PASSIVE nice -n 10 .venv/bin/python "
                         "scripts/train_transformer_adder.py --steps 8000 --threads 1"):
        "about 5 minutes of training",
    ("docs/training.md", "OMP_WAIT_POLICY=PASSIVE nice -n 10 .venv/bin/python scripts/bench_carry.py "
                         "--threads 1"): "about 5 minutes, needs runs/transformer_adder/",
    ("docs/training.md", "nice -n 10 .venv/bin/python scripts/bench_recursion.py"):
        "about 5 minutes (--device auto --threads 1 are the defaults)",
    ("docs/training.md", "bash scripts/setup_bench_env.sh"):
        "needs the network (escnn + e3nn in /tmp/archlaw-bench-venv, gfortran via apt, numpy<2, "
        "torch==2.13.0; never the main .venv)",
    ("docs/training.md", "OMP_WAIT_POLICY=PASSIVE nice -n 10 .venv/bin/python "
                         "scripts/bench_equivariance.py --device auto --threads 1"):
        "about 6 minutes; JSON in out/ and docs/bench/bench_equivariance.json",
}

#: Inline concrete commands that are not run as they stand, with the status they have where they
#: are run (None: not run) and why.
INLINE = {
    "archlaw export --out build/laws.sexp":
        (None, "a step of the lean CI job: needs Lean"),
    "archlaw export --with-blind --out build/laws-with-blind.sexp":
        (None, "a step of the lean CI job: needs Lean"),
    "archlaw laws --from build/laws.sexp --require-verified":
        (None, "a step of the lean CI job: needs Lean and the export it makes"),
    "archlaw laws --require-verified": (1, "without Lean every entry is `source`"),
}


def _has_lean() -> bool:
    return shutil.which("lake") is not None


#: Pages whose commands run in a fresh folder holding the page's ``python file=`` blocks, as a
#: new user runs them (a user's own module and test file); the others run in the checkout.
USER_PAGES = ("README.md", "docs/specs.md", "docs/sequence-modules.md", "docs/building.md")


def _cwd_for(page: str, tmp: Path) -> Path:
    if page not in USER_PAGES:
        return ROOT
    d = tmp / ("user" if page == "README.md" else "user-" + Path(page).stem)
    if not d.exists():
        d.mkdir()
        for b in docpages.blocks(ROOT / page):
            m = re.search(r"\bfile=(\S+)", b.info)
            if b.info.startswith("python") and m:
                (d / m.group(1)).write_text(b.text + "\n", encoding="utf-8")
    return d


def _env(cache: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(ARCHLAW_CACHE=str(cache), OMP_WAIT_POLICY="PASSIVE",
               PATH=f"{VENV_BIN}{os.pathsep}{env.get('PATH', '')}")
    env.pop("ARCHLAW_FAMILIES", None)
    return env


def _venv(text: str) -> str:
    return re.sub(r"(?<![\w/])\.venv/bin/", f"{VENV_BIN}/", text)


def _plain_archlaw(text: str) -> list[str] | None:
    """The arguments of a line that is just `archlaw ARGS` (no shell syntax), else None."""
    if re.search(r"[$|;&<>`\\]", text):
        return None
    words = shlex.split(text)
    if words and words[0] in ("archlaw", ".venv/bin/archlaw"):
        return words[1:]
    return None


def _run_all(cases: list[tuple[str, str, Path]], tmp: Path) -> dict[str, tuple]:
    """Run (key, command, cwd) cases; key -> (exit status or None if killed, stdout, stderr)."""
    env = _env(tmp / "cache")
    results: dict[str, tuple] = {}
    forked = {}
    for key, text, cwd in cases:
        in_checkout = Path(cwd).resolve() == ROOT
        args = _plain_archlaw(text) if in_checkout or not text.startswith(".venv/") else None
        if args is not None:
            forked[key] = [args, {"ARCHLAW_CACHE": env["ARCHLAW_CACHE"],
                                  "OMP_WAIT_POLICY": "PASSIVE"}, str(cwd), LIMIT_S]
            continue
        try:
            r = subprocess.run(["bash", "-c", _venv(text) if in_checkout else text], cwd=cwd,
                               env=env, capture_output=True, text=True, timeout=LIMIT_S)
            results[key] = (r.returncode, r.stdout, r.stderr)
        except subprocess.TimeoutExpired:
            results[key] = (None, "", f"killed after {LIMIT_S} s")
    if forked:
        (tmp / "cases.json").write_text(json.dumps(forked))
        subprocess.run([sys.executable, str(DRIVER), str(tmp / "cases.json"),
                        str(tmp / "results.json")], check=True, cwd=ROOT, env=env,
                       timeout=LIMIT_S * len(forked))
        results.update({k: tuple(v) for k, v in
                        json.loads((tmp / "results.json").read_text()).items()})
    return results


def _python_blocks() -> list[docpages.Block]:
    return [b for p in docpages.pages() for b in docpages.blocks(p)
            if b.info.split()[:1] == ["python"] and "file=" not in b.info]


def test_exceptions_on_the_pages_are_the_exceptions_listed_here():
    marked = {(c.page, c.text): c.shown_only for p in docpages.pages()
              for c in docpages.sh_commands(p) if c.shown_only}
    assert marked == SHOWN_ONLY


def test_every_shown_command_exits_as_its_page_says(tmp_path):
    cases, expect = [], {}
    for p in docpages.pages():
        for c in docpages.sh_commands(p):
            if c.shown_only:
                continue
            line = _strip_lean_note(c)
            if line is None:
                continue
            key = f"{c.page}:{c.line}: {c.text}"
            cases.append((key, c.text, _cwd_for(c.page, tmp_path)))
            expect[key] = c.exit
        for page, line, text in docpages.inline_commands(p):
            if docpages.is_synopsis(text) or len(text.split()) <= 2:
                continue  # checked by the synopsis test
            status = INLINE.get(text, (0, ""))[0]
            if status is None or (text in INLINE and _has_lean()):
                continue
            key = f"{page}:{line}: `{text}`"
            cases.append((key, text, _cwd_for(page, tmp_path)))
            expect[key] = status
    for k, b in enumerate(_python_blocks()):
        script = tmp_path / f"block{k}.py"
        script.write_text(b.text + "\n", encoding="utf-8")
        key = f"{b.page}:{b.line}: python block"
        cases.append((key, f"{sys.executable} {script}", _cwd_for(b.page, tmp_path)))
        expect[key] = 0
    assert len(cases) >= 20, "the pages show fewer commands than expected: is the parser broken?"
    results = _run_all(cases, tmp_path)
    wrong = [f"{key}: exit {results[key][0]}, the page says {expect[key]}\n"
             f"  stderr: {results[key][2].strip()[-600:]}"
             for key in expect if results[key][0] != expect[key]]
    assert wrong == [], "\n".join(wrong)


def _strip_lean_note(c: docpages.Command) -> str | None:
    """The command, or None when its stated status holds only without Lean and Lean is here."""
    page_line = (ROOT / c.page).read_text(encoding="utf-8").split("\n")[c.line - 1]
    if "without Lean" in page_line and _has_lean():
        return None
    return c.text


def _help_options(sub: str) -> set[str]:
    out = subprocess.run([sys.executable, "-m", "archlaw", sub, "--help"], capture_output=True,
                         text=True, timeout=60, env=_env(ROOT / "build" / "unused-cache"))
    assert out.returncode == 0, out.stderr
    return set(re.findall(r"--[a-z][a-z0-9-]*", out.stdout))


def test_synopses_and_command_names_match_the_cli():
    from archlaw.cli.app import COMMANDS

    wrong, helps = [], {}
    for p in docpages.pages():
        for page, line, text in docpages.inline_commands(p):
            words = text.split()
            if len(words) < 2 or words[1] == "COMMAND":
                continue
            if words[1] not in COMMANDS:
                wrong.append(f"{page}:{line}: `{text}`: no subcommand {words[1]!r}")
                continue
            if docpages.is_synopsis(text) or len(words) <= 2:
                if words[1] not in helps:
                    helps[words[1]] = _help_options(words[1])
                unknown = set(re.findall(r"--[a-z][a-z0-9-]*", text)) - helps[words[1]]
                if unknown:
                    wrong.append(f"{page}:{line}: `{text}`: {sorted(unknown)} not in "
                                 f"`archlaw {words[1]} --help`")
    assert wrong == []


def test_a_wrong_exit_status_on_a_page_is_caught(tmp_path):
    """The runner is not blind: a command whose page claims the wrong status is reported."""
    case = ("k", "archlaw add 12 x", ROOT)
    assert _run_all([case], tmp_path)["k"][0] == 2  # the page (carry.md) says exit 2; not 0
    case = ("b", "archlaw add \"$(python3 -c 'print(1)')\" 1", ROOT)
    r = _run_all([case], tmp_path)["b"]
    assert r[0] == 0 and r[1].strip() == "2"


def test_in_a_users_folder_python_is_the_venvs_and_dot_venv_does_not_exist(tmp_path):
    """A user page's command runs as a user with the venv active runs it: plain ``python`` and
    ``archlaw`` are the test's venv, and a ``.venv/bin/python`` (before: rewritten to the venv,
    so the pages showed it and it failed in a user's folder) is not found there."""
    user = tmp_path / "user-x"
    user.mkdir()
    r = _run_all([("py", "python -c 'import archlaw, sys; print(sys.prefix)'", user),
                  ("dot", ".venv/bin/python -c pass", user),
                  ("cli", ".venv/bin/archlaw laws", user),
                  ("root", ".venv/bin/python -c pass", ROOT)], tmp_path)
    assert r["py"][0] == 0 and Path(r["py"][1].strip()) == Path(sys.prefix)
    assert r["dot"][0] == 127 and r["cli"][0] == 127 and r["root"][0] == 0


def test_no_user_page_shows_a_command_through_dot_venv():
    bad = [f"{c.page}:{c.line}: {c.text}" for page in USER_PAGES
           for c in docpages.sh_commands(ROOT / page) if ".venv/" in c.text]
    bad += [f"{page}:{line}: {text}" for p in USER_PAGES
            for page, line, text in docpages.inline_commands(ROOT / p) if ".venv/" in text]
    assert bad == []
