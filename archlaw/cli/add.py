"""`archlaw add X Y`: add two numbers of any length with the learned, law-checked adder.

The sum goes to stdout on one line (most significant digit first, in the base given); how it was
computed and what was checked (statement provenance and check kind, separately) goes to stderr,
so ``archlaw add X Y`` composes with pipes. The cell is loaded from the user cache, or trained
and cached first (about ten seconds on a CPU; a progress bar is shown).

An operand longer than a shell argument (128 KiB) is given as ``@FILE`` or as ``-`` (stdin).
``--adder table`` and ``--adder table-lookahead`` read the cell off as a table once
(`archlaw.models.carry.table`) and run the table in numpy, not the network.
Memory grows with the digits only through the operands, the digit tensors and the sum (measured
by ``scripts/bench_carry.py --memory``); the log-depth adder's scan runs in chunks of
`archlaw.models.carry.modules.SCAN_POSITIONS` positions, so its working memory is a fixed figure.

Exit status: 0 the sum was printed (every law line passed); 1 refused, with one line on stderr and
nothing on stdout: a law FAILed on the cell (no sum is given from a cell that breaks its law), or
``--certificate`` cannot be issued (not certified, or any ``--adder`` but ``sequential``:
``add_correct`` is about the sequential Mealy adder running the network cell); 2 a user error (bad digits, base, seed, threads, device, a
cache that is not a directory, or no exact cell after the seeds tried).
"""

from __future__ import annotations

import argparse
import sys

from archlaw.bridge.devices import resolve_device
from archlaw.bridge.errors import ArchLawError

from .options import add_device

HELP = "add two numbers of any length with the learned carry adder (trained and cached on first use)"

MAX_BASE = 36
#: Upper bounds of --threads and --seed (torch takes at most 64-bit seeds; the cell's retries
#: use seed + 1000·k; more threads than this only wait).
MAX_THREADS = 256
MAX_SEED = 2 ** 31 - 1

#: The values of --adder: two run the network, two run the cell's table
#: (`archlaw.models.carry.table`).
ADDERS = ("sequential", "log-depth", "table", "table-lookahead")

#: Exit status of a refusal (a law FAILed on the cell, or a certificate cannot be issued),
#: as `archlaw check`; a user error is 2.
REFUSED = 1


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("x", metavar="X", help="first number, most significant digit first; "
                        "@FILE reads it from FILE, - from stdin (for numbers longer than a shell "
                        "argument, 128 KiB)")
    parser.add_argument("y", metavar="Y", help="second number, as X")
    parser.add_argument("--base", default="10",
                        help=f"digit base, an integer from 2 to {MAX_BASE} (default 10); digits "
                             "are 0-9 then a-z")
    parser.add_argument("--adder", choices=ADDERS, default="sequential",
                        help="sequential: the Mealy adder running the network cell (default); "
                             "log-depth: the network's lookahead scan (cell and learned combine); "
                             "table: the Mealy adder running the cell's table (read off the "
                             "network once, on all 2·B² inputs: the same sum, digit for digit); "
                             "table-lookahead: a vectorised carry-lookahead over that table "
                             "(numpy; the fastest, for long operands)")
    add_device(parser, what="the network (the table adders read their table there, then run in "
               "numpy on the CPU)")
    parser.add_argument("--seed", default="0",
                        help=f"training seed of the cell, 0 to {MAX_SEED} (default 0; not a "
                             "sampling seed: the cell's laws are checked exhaustively)")
    parser.add_argument("--threads", default="1",
                        help=f"torch CPU threads, 1 to {MAX_THREADS} (default 1: the cell is tiny, "
                             "more threads only wait)")
    parser.add_argument("--retrain", action="store_true",
                        help="train a fresh cell even if cached (the cached entry is replaced "
                             "only once the new one is saved)")
    parser.add_argument("--certificate", metavar="PATH", default=None,
                        help="also write the certificate of ArchLaw.Carry.add_correct (PATH.sexp "
                             "and PATH.json), for the sequential adder only; refused (exit 1) "
                             "unless the theorem's statement is `lean` (a Lean export) and its "
                             "hypotheses held exhaustively")
    parser.add_argument("--json", action="store_true",
                        help="print one JSON object (sum and provenance) instead")


def _parse_int_arg(text: str, name: str, lo: int, hi: int | None) -> int:
    try:
        v = int(text)
    except ValueError:
        v = None
    if v is None or v < lo or (hi is not None and v > hi):
        rng = f"an integer from {lo} to {hi}" if hi is not None else f"an integer ≥ {lo}"
        raise ArchLawError(f"argument {name}: {text!r} is not accepted; expected {rng}")
    return v


def read_operand(arg: str, name: str, stdin_used: bool = False) -> tuple[str, str]:
    """(the operand's text, the name to use in its errors): `arg` itself; the contents of FILE
    for ``@FILE``; stdin for ``-`` (once: both operands cannot come from stdin). The text is
    UTF-8; surrounding whitespace, such as a final newline, is dropped by `parse_number`.
    An unreadable file is an `ArchLawError` naming the argument and the file."""
    if arg == "-":
        if stdin_used:
            raise ArchLawError(f"argument {name}: '-' (stdin) is already the other operand; "
                               "accepted: a number, @FILE, or '-' for one operand only")
        try:
            return sys.stdin.buffer.read().decode("utf-8"), f"{name} (stdin)"
        except UnicodeDecodeError as e:
            raise ArchLawError(f"argument {name}: stdin is not UTF-8 text (byte {e.start + 1}); "
                               "accepted: digits as text") from None
    if not arg.startswith("@"):
        return arg, name
    path = arg[1:]
    try:
        with open(path, "rb") as fh:
            return fh.read().decode("utf-8"), f"{name} ({arg})"
    except OSError as e:
        raise ArchLawError(f"argument {name}: cannot read {path!r}: {e.strerror or e}; "
                           "accepted: @FILE naming a readable file of digits") from None
    except UnicodeDecodeError as e:
        raise ArchLawError(f"argument {name}: {path!r} is not UTF-8 text (byte {e.start + 1}); "
                           "accepted: a file of digits") from None


def _digits_tensor(digits: list[int], width: int, dev: object) -> object:
    """Little-endian `digits` as a (1, width) long tensor, zero-padded: 8 bytes a digit, with
    no padded copy of the list."""
    import torch

    t = torch.zeros(1, width, dtype=torch.long)
    t[0, :len(digits)] = torch.tensor(digits, dtype=torch.long)
    return t.to(dev)


def _refuse(message: str) -> int:
    """Print the one-line refusal on stderr; the exit status of a refusal."""
    from rich.markup import escape

    from archlaw.bridge.console import make_console

    make_console(stderr=True, soft_wrap=True).print(f"[bold red]archlaw: refused:[/] {escape(message)}")
    return REFUSED


def run(args: argparse.Namespace) -> int:
    base = _parse_int_arg(args.base, "--base", 2, MAX_BASE)
    seed = _parse_int_arg(args.seed, "--seed", 0, MAX_SEED)
    from archlaw.models.carry.data import parse_number

    xt, xname = read_operand(args.x, "X")
    xd = parse_number(xt, base, xname)
    del xt
    yt, yname = read_operand(args.y, "Y", stdin_used=args.x == "-")
    yd = parse_number(yt, base, yname)
    del yt
    threads = _parse_int_arg(args.threads, "--threads", 1, MAX_THREADS)
    if args.certificate and args.adder != "sequential":
        return _refuse(f"--certificate with --adder {args.adder}: the certificate is of "
                       "ArchLaw.Carry.add_correct, which is about the sequential MealyAdder "
                       "running the network cell; use --adder sequential")
    from archlaw.models.carry.store import check_cache_root

    check_cache_root()  # a cache that cannot be used is a user error, said before any training
    import os

    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # read when torch's OpenMP starts
    import json

    import torch

    dev = resolve_device(args.device)
    torch.set_num_threads(threads)
    from archlaw.models.carry.train import CellConfig
    from archlaw.models.carry.data import format_digits
    from archlaw.models.carry.bindings import adder_report
    from archlaw.models.carry.store import entry_dir, load_or_train

    from archlaw.bridge.console import make_console

    err = make_console(stderr=True, soft_wrap=True)
    cfg = CellConfig.for_base(base, seed)

    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
                  TimeElapsedColumn(), console=err, transient=True,
                  disable=not err.is_terminal) as prog:
        task = None

        def progress(step: int, total: int) -> None:
            nonlocal task
            if task is None:
                if not err.is_terminal:
                    err.print(f"training the base-{base} carry cell (first use; cached at "
                              f"{entry_dir(cfg)})", highlight=False, markup=False)
                task = prog.add_task(f"training the base-{base} carry cell (cached at "
                                     f"{entry_dir(cfg)})", total=total)
            prog.update(task, completed=step, total=total)

        cached = load_or_train(cfg, device=dev, retrain=args.retrain, progress=progress)

    width = max(len(xd), len(yd))
    on_table = args.adder.startswith("table")
    xs, ys = (_digits_tensor(d, width, "cpu" if on_table else dev) for d in (xd, yd))
    del xd, yd  # the tensors hold the digits from here on
    table = None
    if on_table:
        from archlaw.models.carry.table import read_cell_table

        table = read_cell_table(cached.cell)
    report = adder_report(cached.cell, cached.combine if args.adder == "log-depth" else None,
                          table=table, table_lookahead=args.adder == "table-lookahead")
    if not report.passed:
        return _refuse(f"no sum: the base-{base} cell at {cached.path} breaks its law: "
                       f"{report.failure()} (try --retrain)")
    if on_table:
        from archlaw.models.carry.table import table_lookahead, table_sequential

        engine = table_lookahead if args.adder == "table-lookahead" else table_sequential
        out = torch.from_numpy(engine(table, xs.numpy(), ys.numpy())[0])
    elif args.adder == "log-depth":
        from archlaw.models.carry.modules import LookaheadAdder

        out = LookaheadAdder(cached.cell, cached.combine).run(xs, ys)[0]
    else:
        from archlaw.models.carry.modules import MealyAdder

        out = MealyAdder(cached.cell).run(xs, ys)[0]
    total = format_digits(out.cpu(), base)
    cert_paths = None
    if args.certificate:
        if report.conformance is None or not report.certified:
            why = "; ".join(report.reasons) or report.verdict
            return _refuse(f"--certificate: no certificate for {report.theorem}: "
                           f"{report.verdict} ({why})")
        from archlaw.bridge.certificate import make_certificate

        cert = make_certificate(report.conformance, report.binding,
                                model={"adder": args.adder, "cache": str(cached.path),
                                       "base": base, "seed": cached.meta["cell"]["seed"]})
        cert_paths = [str(p) for p in cert.write(args.certificate)]

    if args.json:
        print(json.dumps({"sum": total, "base": base, "adder": args.adder, "device": str(dev),
                          "cell": {"path": str(cached.path), "trained_now": cached.trained_now,
                                   "seed": cached.meta["cell"]["seed"]},
                          "checks": report.as_dict(), "certificate": cert_paths}))
        return 0
    sys.stdout.write(total + "\n")
    sys.stdout.flush()
    err.print(report.text(args.adder, cached, "cpu (numpy), the table read on " + str(dev)
                          if on_table else str(dev)), highlight=False, markup=False)
    if cert_paths:
        err.print(f"certificate written: {', '.join(cert_paths)}", highlight=False, markup=False)
    return 0
