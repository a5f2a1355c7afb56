"""Run `archlaw` command lines, each in its own process, with a time limit each.

    python bad_input_driver.py CASES.json RESULTS.json

CASES maps a name to ``[args, env, cwd, limit_s]``; RESULTS maps it to ``[exit status, stdout,
stderr]`` (exit status None: killed at the limit). Why not one ``python -m archlaw``
per case: every command that touches a model imports torch (about 1.5 s of CPU each), so this
process imports it once and forks a fresh child per case; the child runs `cli.main` exactly as
the ``archlaw`` entry point does, with stdin, stdout and stderr of its own. A child that raises
prints its traceback to its stderr, as the real command would.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import tempfile
import time
import traceback

import torch  # noqa: F401 - imported once here, before forking, instead of in every child

import archlaw.bridge.certificate  # noqa: F401 - likewise (imports the conformance engine)
import archlaw.cli.app as cli


def run_case(args: list[str], env: dict[str, str], cwd: str, limit_s: float
             ) -> tuple[int | None, str, str]:
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        pid = os.fork()
        if pid == 0:  # the child: never returns
            code = 99
            try:
                os.dup2(out.fileno(), 1)
                os.dup2(err.fileno(), 2)
                os.dup2(os.open(os.devnull, os.O_RDONLY), 0)
                os.chdir(cwd)
                os.environ.update(env)
                sys.path.insert(0, cwd)
                try:
                    code = cli.main(args)
                except SystemExit as e:  # argparse's exits
                    code = e.code if isinstance(e.code, int) else 1
            except BaseException:  # noqa: BLE001 - shown as the real command would show it
                traceback.print_exc()
            finally:
                sys.stdout.flush()
                sys.stderr.flush()
                os._exit(code)
        deadline = time.monotonic() + limit_s
        while True:
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                rc: int | None = os.waitstatus_to_exitcode(status)
                break
            if time.monotonic() > deadline:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
                rc = None
                break
            time.sleep(0.02)
        out.seek(0)
        err.seek(0)
        return rc, out.read().decode(errors="replace"), err.read().decode(errors="replace")


def main() -> None:
    with open(sys.argv[1], encoding="utf-8") as f:
        cases = json.load(f)
    results = {name: run_case(*case) for name, case in cases.items()}
    with open(sys.argv[2], "w", encoding="utf-8") as f:
        json.dump(results, f)


if __name__ == "__main__":
    main()
