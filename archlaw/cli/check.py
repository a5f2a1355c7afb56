"""`archlaw check LAW --model module:callable`: check a law (or a theorem's hypotheses) on a model.

Or, for a law, with no binding code: ``archlaw check LAW NAME=VALUE ... --symbol
f=module:factory [--layout f=NCL]`` binds each model symbol from the law's spec (the grammar:
`archlaw.cli.spec`, docs/specs.md).

The callable is imported from ``module`` and called with the ``--param K=V`` values (ints, floats
or strings) as keyword arguments; it returns an `archlaw.bridge.binding.Binding` (for a theorem,
also a dict of them keyed by hypothesis, law or law short name). LAW is a law or
theorem name (full, or a unique suffix) from the library export. For a law, every field is
checked (`archlaw.bridge.conformance.check_law`); for a theorem, every law hypothesis, plus the
certification decision (`check_theorem`), and ``--certificate OUT`` writes ``OUT.sexp`` and
``OUT.json`` when, and only when, the theorem is certified. ``--dtype`` runs the module and the
samples in one dtype (``--float64`` its alias) and ``--rtol/--atol`` override the tolerance policy;
the replay line, the JSON and a certificate's settings record both.

``--workers N`` (or ``torchrun --nproc-per-node N -m archlaw check ...``) shards the check over N
processes, each on its own device, and prints the one-process report with its workers field N;
a failing rank ends the run with one line naming it (`archlaw.cli.workers`, docs/distributed.md).

Exit status: 0 all checks passed (and the certificate, if asked, was written); 1 a violation, or
a certificate was asked for and cannot be issued (the reasons are printed); 2 a user error.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import importlib
import json
import sys
from typing import Any, Iterator, Mapping

from archlaw.bridge.errors import ArchLawError

from .options import add_device, add_from, add_root
from .spec import add_assignments

HELP = ("check a law or theorem on a model (--symbol NAME=MODULE:FACTORY bound from the "
        "law's spec, or --model MODULE:CALLABLE returning a Binding)")


def configure(p: argparse.ArgumentParser) -> None:
    p.epilog = ("Examples, from the folder holding mylayers.py / mymodels.py: archlaw check "
                "ArchLaw.ShiftEquivariant n=12 X=float[3] Y=float[3] --symbol f=mylayers:conv "
                "--layout f=NCL (a stock module bound from the law's spec: README.md, 'Bring your "
                "own module', docs/specs.md); archlaw check ArchLaw.Equivariant --model "
                "mymodels:build (a hand-written Binding: README.md, 'Check your own module'; "
                "bindings, domains and tolerances: docs/conformance.md).")
    p.add_argument("law", metavar="LAW", help="law or theorem name (full or unique suffix)")
    add_binding_arguments(p)
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.add_argument("--seed", type=int, default=0,
                   help="sampling seed: which cases are drawn, 0 to 2^63-1 (default 0; not a "
                        "training seed)")
    p.add_argument("--budget", type=int, default=10**6,
                   help="most cases per field, at most 10^8; finite domains up to this size are "
                        "exhaustive (default 10^6)")
    p.add_argument("--samples", type=int, default=1000,
                   help="samples of infinite binders, at most 10^7 (default 1000)")
    p.add_argument("--max-length", type=int, default=None,
                   help="longest sampled list, at most 10^4 (default 10x the binding's "
                        "max_train_length)")
    add_precision_arguments(p)
    p.add_argument("--case", type=int, default=None, metavar="K",
                   help="re-run exactly case K of each field (the number a replay line ends "
                        "with; give the same --seed, --budget, --samples, --max-length and "
                        "--dtype) and print its values in full")
    p.add_argument("--certificate", metavar="OUT", default=None,
                   help="for a certified theorem, write OUT.sexp and OUT.json")
    add_model_place_arguments(p)
    add_worker_arguments(p)


def add_binding_arguments(p: argparse.ArgumentParser) -> None:
    """How a model is bound: the positional NAME=VALUE law parameters, ``--model`` with
    ``--param``, ``--symbol`` with ``--layout`` (shared by ``archlaw check`` and ``archlaw
    to-lean``; `binding_from_args` reads them)."""
    add_assignments(p)
    p.add_argument("--model", default=None, metavar="MODULE:CALLABLE",
                   help="a callable returning an archlaw Binding, called with the --param "
                        "values; MODULE is imported from the current directory or sys.path "
                        "(for what --symbol cannot express)")
    p.add_argument("--param", action="append", default=[], metavar="K=V",
                   help="keyword argument for the --model callable (repeatable)")
    p.add_argument("--symbol", action="append", default=[], metavar="NAME=MODULE:FACTORY",
                   help="a law's model symbol bound from its spec (`archlaw spec LAW`), no "
                        "binding code: FACTORY is called with no arguments and returns the "
                        "nn.Module or callable (repeatable; docs/specs.md); a stock nn.RNN/GRU/"
                        "LSTM given for one symbol of a fold or machine law supplies the rest "
                        "(docs/sequence-modules.md)")
    p.add_argument("--layout", action="append", default=[], metavar="NAME=LETTERS",
                   help="a --symbol's tensor layout: NCL for nn.Conv1d, NCHW for nn.Conv2d, "
                        "LNC for a sequence-first layer (default: the spec's NLC / NHWC, or LNC "
                        "for a module with batch_first=False)")


def add_worker_arguments(p: argparse.ArgumentParser) -> None:
    """``--workers``, ``--worker-timeout`` and ``--chunk-cases``: a check sharded over several
    processes (`archlaw.bridge.distributed`; docs/distributed.md)."""
    p.add_argument("--workers", type=int, default=1, metavar="N",
                   help="split the check over N processes on this machine, launched by archlaw "
                        "itself (each on cuda:RANK when CUDA is available, else the CPU); the "
                        "report is the one-process report, with its workers field N. Under "
                        "`torchrun --nproc-per-node N -m archlaw check ...` the split is "
                        "torchrun's and this may be left out (default 1)")
    p.add_argument("--worker-timeout", type=float, default=1800.0, metavar="SECONDS",
                   help="how long a worker waits for the others at a field's end before the run "
                        "fails (a hung or killed worker); must exceed the longest share "
                        "(default 1800)")
    p.add_argument("--chunk-cases", type=int, default=None, metavar="N",
                   help="most cases per batch (default: as many as fit 4M input scalars); "
                        "workers split a field at batch boundaries, so a small domain needs a "
                        "cap to reach more than one worker")


#: The dtypes ``--dtype`` accepts: the rows of the tolerance policy (`sorts.TOLERANCES`).
DTYPES = ("float32", "float64", "float16", "bfloat16")


def add_precision_arguments(p: argparse.ArgumentParser) -> None:
    """``--dtype`` (``--float64`` its alias) and ``--rtol`` / ``--atol``."""
    p.add_argument("--dtype", choices=DTYPES, default=None,
                   help="run the model and the samples in this dtype (the module is cast for the "
                        "check and restored; default: float32 samples, the module as it is)")
    p.add_argument("--float64", action="store_true", help="the same as --dtype float64")
    p.add_argument("--rtol", type=float, default=None,
                   help="relative tolerance of float comparisons, in place of the dtype's policy "
                        "row (the other of rtol/atol stays the row's)")
    p.add_argument("--atol", type=float, default=None,
                   help="absolute tolerance of float comparisons, in place of the dtype's policy "
                        "row (the other of rtol/atol stays the row's)")


def precision_kwargs(args: argparse.Namespace) -> dict[str, Any]:
    """``dtype`` (a torch dtype or None) and ``tolerance`` (a `Tolerance` when ``--rtol`` or
    ``--atol`` is given, else None) for `check_law`, from the flags of `add_precision_arguments`."""
    import math

    import torch

    from archlaw.bridge.sorts import Tolerance, tolerance_for

    if args.float64 and args.dtype not in (None, "float64"):
        raise ArchLawError(f"--float64 is an alias of --dtype float64; got --dtype {args.dtype} "
                           "too: give one")
    name = "float64" if args.float64 else args.dtype
    dtype = getattr(torch, name) if name else None
    for flag, v in (("--rtol", args.rtol), ("--atol", args.atol)):
        if v is not None and not (math.isfinite(v) and v >= 0):
            raise ArchLawError(f"{flag} {v}: expected a finite number >= 0, e.g. {flag} 1e-3")
    tolerance = None
    if args.rtol is not None or args.atol is not None:
        row = tolerance_for(dtype or torch.float32)
        tolerance = Tolerance(row.rtol if args.rtol is None else args.rtol,
                              row.atol if args.atol is None else args.atol)
    return {"dtype": dtype, "tolerance": tolerance}


def add_model_place_arguments(p: argparse.ArgumentParser) -> None:
    """``--device`` (where the model runs) and ``--root`` / ``--from`` (where the laws come from),
    shared by ``archlaw check`` and ``archlaw verify``."""
    add_device(p, keep=True)
    add_root(p)
    add_from(p)


def parse_params(items: list[str]) -> dict[str, Any]:
    """``["B=10", "name=x"]`` -> ``{"B": 10, "name": "x"}`` (int, then float, else string)."""
    out: dict[str, Any] = {}
    for item in items:
        if "=" not in item:
            raise ArchLawError(f"--param {item!r}: expected K=V, e.g. --param B=10")
        k, v = item.split("=", 1)
        if not k.isidentifier():
            raise ArchLawError(f"--param {item!r}: {k!r} is not a Python identifier")
        val: Any = v
        if v.strip().lstrip("+-").isdigit() and len(v.strip().lstrip("+-")) > 4300:
            # past Python's int/str limit float() would turn it into inf: refuse, not convert
            raise ArchLawError(f"--param {k}={v}: an integer of more than 4,300 digits is not "
                               "accepted")
        for conv in (int, float):
            try:
                val = conv(v)
                break
            except ValueError:
                continue
        out[k] = val
    return out


def load_binding(ref: str, params: dict[str, Any], flag: str = "--model") -> Any:
    """Import ``module:callable``, call it with `params`, and check it returned a Binding. Any
    failure (a module that does not import, a bad ``--param`` value, the callable raising) is an
    `ArchLawError` naming `flag` and the first line of the original error. The module is
    imported with the current directory first on ``sys.path`` (as ``python -m`` does); when its
    file is there but fails to import, the error says so."""
    if not isinstance(ref, str) or ref.count(":") != 1 or not all(ref.split(":")):
        raise ArchLawError(f"{flag} {ref!r}: expected module:callable, e.g. "
                           "mymodels:build")
    mod_name, attr = ref.split(":")
    _refuse_path(flag, ref, mod_name, attr)
    with _cwd_on_path():
        return _import_and_call(ref, mod_name, attr, params, flag)


def _refuse_path(flag: str, ref: str, mod_name: str, attr: str) -> None:
    """A file path where a module name goes (``./mylayers.py``, ``mylayers.py``, ``pkg/m``):
    one line naming the module name to give instead."""
    if not (mod_name.endswith(".py") or "/" in mod_name or "\\" in mod_name):
        return
    from pathlib import PurePath

    name = ".".join(p for p in PurePath(mod_name.replace("\\", "/")).with_suffix("").parts
                    if p not in (".", "..", "/"))
    raise ArchLawError(f"{flag} {ref!r}: give a module name, not a path: {name}:{attr} (imported "
                       "from the current directory or sys.path)")


@contextlib.contextmanager
def _cwd_on_path() -> Iterator[None]:
    """The current directory first on ``sys.path`` for the duration, as ``python -m`` and pytest
    put it there, so that ``--model mymodels:build`` finds ``./mymodels.py`` without
    PYTHONPATH. Restored after (the CLI is also called in-process, by tests and scripts)."""
    import os

    cwd = os.getcwd()
    if cwd in sys.path or "" in sys.path:
        yield
        return
    sys.path.insert(0, cwd)
    importlib.invalidate_caches()  # a module file written since the last import is seen
    try:
        yield
    finally:
        with contextlib.suppress(ValueError):
            sys.path.remove(cwd)


def _local_module_file(mod_name: str) -> Any:
    """The file of module `mod_name` in the current directory (``m.py`` or ``m/__init__.py``),
    or None."""
    from pathlib import Path

    rel = Path(*mod_name.split("."))
    for cand in (rel.with_suffix(".py"), rel / "__init__.py"):
        if cand.is_file():
            return cand
    return None


def _module_file_hint(mod_name: str) -> str:
    """``" (m.py is in the current directory but does not import: ...)"`` when the module's file
    is here, so that a user whose own file fails to import is not told it is missing."""
    cand = _local_module_file(mod_name)
    if cand is None:
        return ""
    return (f" ({cand} is in the current directory but does not import: run "
            f"`python -c 'import {mod_name}'` there for the traceback)")


def _shadow_hint(mod_name: str, mod: Any) -> str:
    """``" (./code.py is shadowed by ...)"`` when a module of that name was imported from
    elsewhere (the standard library's ``code``, say) although the current directory holds one."""
    from pathlib import Path

    cand = _local_module_file(mod_name)
    got = getattr(mod, "__file__", None)
    if cand is None or (got is not None and Path(got).resolve() == cand.resolve()):
        return ""
    return (f" ({cand} in the current directory is shadowed by the module {mod_name} imported "
            f"from {got or 'a built-in'}: rename your file)")


def _import_attr(ref: str, mod_name: str, attr: str, flag: str) -> Any:
    """``mod_name.attr`` imported (call inside `_cwd_on_path`); every failure is one line naming
    `flag`, with a hint when a local file of that name is there but does not import or is
    shadowed."""
    try:
        mod = importlib.import_module(mod_name)
    except ModuleNotFoundError as e:
        if e.name is not None and (mod_name == e.name or mod_name.startswith(e.name + ".")):
            raise ArchLawError(f"{flag} {ref!r}: cannot import module {e.name!r} (looked in the "
                               "current directory and on sys.path)") from None
        raise ArchLawError(f"{flag} {ref!r}: importing {mod_name} failed: {_first_line(e)}"
                           f"{_module_file_hint(mod_name)}") from None
    except (Exception, SystemExit, KeyboardInterrupt) as e:  # noqa: BLE001 - any error of
        # user code becomes one line; sys.exit(0) or a KeyboardInterrupt raised by it too, which
        # would otherwise end `verify` with status 0 and no output (chained: ARCHLAW_DEBUG=1
        # shows the user's traceback)
        raise ArchLawError(f"{flag} {ref!r}: importing {mod_name} failed: {_first_line(e)}"
                           f"{_module_file_hint(mod_name)}") from e
    obj = mod
    for part in attr.split("."):
        owner, obj = obj, getattr(obj, part, None)
        if obj is None:
            raise ArchLawError(f"{flag} {ref!r}: module {mod_name} has no attribute {attr!r}"
                               f"{_did_you_mean(part, owner)}{_shadow_hint(mod_name, mod)}")
    return obj


def _did_you_mean(name: str, owner: Any) -> str:
    """``" (did you mean 'build'?)"`` for the closest public attribute of `owner`, or ''."""
    import difflib

    names = [n for n in dir(owner) if not n.startswith("_")]
    close = difflib.get_close_matches(name, names, n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _import_and_call(ref: str, mod_name: str, attr: str, params: dict[str, Any], flag: str) -> Any:
    from archlaw.bridge.binding import Binding

    fn = _import_attr(ref, mod_name, attr, flag)
    if not callable(fn):
        raise ArchLawError(f"{flag} {ref!r}: {attr} is not callable")
    try:
        out = fn(**params)
    except TypeError as e:
        strings = [f"{k}={v!r}" for k, v in params.items() if isinstance(v, str)]
        hint = (f" ({', '.join(strings)} reached {attr} as a string: --param values are passed "
                "as an int, else a float, else the string as written)" if strings else "")
        raise ArchLawError(f"{flag} {ref!r}: bad parameters {sorted(params)} (--param): "
                           f"{_first_line(e)}{hint}") from None
    except ArchLawError as e:
        raise ArchLawError(f"{flag} {ref!r} with --param {_params_text(params)}: {e}") from None
    except (Exception, SystemExit, KeyboardInterrupt) as e:  # noqa: BLE001 - as above
        raise ArchLawError(f"{flag} {ref!r} failed with --param {_params_text(params)}: "
                           f"{_first_line(e)}") from e
    if isinstance(out, Mapping) and out and all(isinstance(b, Binding) for b in out.values()):
        return dict(out)
    if not isinstance(out, Binding):
        raise ArchLawError(f"{flag} {ref!r}: returned {type(out).__name__}, expected an "
                           "archlaw.bridge.binding.Binding (or, for a theorem, a dict of them "
                           "keyed by hypothesis or law name)")
    return out


def _first_line(e: BaseException) -> str:
    text = str(e).strip().splitlines()
    return f"{type(e).__name__}: {text[0]}" if text else type(e).__name__


def _params_text(params: Mapping[str, Any]) -> str:
    return " ".join(f"{k}={v!r}" for k, v in params.items()) or "(none)"


def _pairs(items: list[str], flag: str, what: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for it in items:
        k, eq, v = it.partition("=")
        if not eq or not k or not v:
            raise ArchLawError(f"{flag} {it!r}: expected NAME={what}")
        if k in out:
            raise ArchLawError(f"{flag} {it!r}: {k} given twice")
        out[k] = v
    return out


def load_symbol(name: str, ref: str) -> Any:
    """``MODULE:FACTORY`` -> the nn.Module or callable for symbol `name`: FACTORY called with no
    arguments, or an nn.Module object taken as it is. Any failure is one line naming --symbol."""
    import torch

    flag = f"--symbol {name + '=' + ref!r}"  # quoted: a ref ending in ':' is not doubled
    if ref.count(":") != 1 or not all(ref.split(":")):
        raise ArchLawError(f"{flag}: expected NAME=MODULE:FACTORY, e.g. f=mymodels:conv")
    mod_name, attr = ref.split(":")
    _refuse_path(f"--symbol {name}", ref, mod_name, attr)
    with _cwd_on_path():
        obj = _import_attr(ref, mod_name, attr, f"--symbol {name}")
    if isinstance(obj, torch.nn.Module):
        return obj
    if not callable(obj):
        raise ArchLawError(f"{flag}: {attr} is not callable")
    needs = _required_parameters(obj)
    if needs:
        raise ArchLawError(f"{flag}: {attr} takes ({', '.join(needs)}), but --symbol calls "
                           "FACTORY with no arguments: give a zero-argument factory returning "
                           f"the nn.Module or callable (def make(): return {attr}, when {attr} "
                           "is the symbol's function itself)")
    try:
        out = obj()
    except (Exception, SystemExit, KeyboardInterrupt) as e:  # noqa: BLE001 - user code
        raise ArchLawError(f"{flag}: calling {attr}() failed: {_first_line(e)}") from e
    if not callable(out):
        raise ArchLawError(f"{flag}: {attr}() returned {type(out).__name__}, expected an "
                           "nn.Module or a callable on tensors")
    return out


def _required_parameters(fn: Any) -> list[str]:
    """The parameters `fn` cannot be called without (none when its signature is unknown)."""
    import inspect

    try:
        sig = inspect.signature(fn)
    except (TypeError, ValueError):
        return []
    return [p.name for p in sig.parameters.values() if p.default is inspect.Parameter.empty
            and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)]


def spec_binding(args: argparse.Namespace, decl: Any) -> Any:
    """``archlaw check LAW NAME=VALUE ... --symbol NAME=MODULE:FACTORY [--layout NAME=LETTERS]``
    -> the `Binding` derived from the law's spec (`archlaw.bridge.spec.derive_binding`)."""
    from archlaw.bridge.spec import derive_binding

    if decl.kind != "law":
        raise ArchLawError(f"--symbol binds a law's symbols; {decl.name} is a {decl.kind}, whose "
                           "hypotheses each need a binding: give --model MODULE:CALLABLE")
    if args.param:
        raise ArchLawError(f"--param {' '.join(args.param)}: --param passes keyword arguments to a "
                           "--model callable; a --symbol factory is called with none")
    if not args.symbol:
        raise ArchLawError("give --symbol NAME=MODULE:FACTORY for each of the law's model "
                           "symbols (see `archlaw spec LAW`), or --model MODULE:CALLABLE "
                           "returning a Binding")
    if args.model:
        raise ArchLawError(f"--model {args.model!r} and --symbol both given: one binds the law")
    from .spec import given, register_family_sorts

    register_family_sorts()
    symbols = {k: load_symbol(k, v) for k, v in _pairs(args.symbol, "--symbol",
                                                        "MODULE:FACTORY").items()}
    kw = given(decl, args.assign)
    clash = set(kw) & set(symbols)
    if clash:
        raise ArchLawError(f"{', '.join(sorted(clash))} given both as NAME=VALUE and --symbol")
    return derive_binding(decl, layout=_pairs(args.layout, "--layout", "LETTERS"),
                          **kw, **symbols)


def binding_from_args(args: argparse.Namespace, decl: Any, params: dict[str, Any]) -> Any:
    """The binding the check command's options give for `decl`: ``--symbol`` (with NAME=VALUE
    and ``--layout``) through the law's spec, else the ``--model`` callable called with
    `params` (``--param``); shared by ``archlaw check`` and ``archlaw to-lean``."""
    if args.symbol or not args.model:
        return spec_binding(args, decl)
    if args.assign or args.layout:
        raise ArchLawError(f"{' '.join(args.assign + args.layout)}: law parameters, sorts "
                           "and --layout go with --symbol; a --model callable builds the "
                           "whole binding (give it --param K=V)")
    return load_binding(args.model, params)


def load_export_origin(root: str | None, from_file: str | None) -> tuple[Any, str]:
    """The library export and where it came from, as a certificate's trust base records it: the
    interchange file's path, the Lean export's path, or ``source reader``."""
    from pathlib import Path

    from archlaw.bridge.library import load_export_explained

    loaded = load_export_explained(root=Path(root) if root else None,
                                   from_file=Path(from_file) if from_file else None)
    origin = str(loaded.path.resolve()) if loaded.path is not None else "source reader"
    return loaded.export, origin


def move_to_device(binding: Any, device: str) -> None:
    """Move the binding's module (or each binding's, for a mapping) (`--device`)."""
    if isinstance(binding, Mapping):
        for b in binding.values():
            move_to_device(b, device)
        return
    if device == "keep" or binding.module is None:
        return
    from archlaw.bridge.devices import resolve_device

    binding.module.to(resolve_device(device, also=("keep",)))


def check_kwargs(args: argparse.Namespace) -> dict[str, Any]:
    return {"seed": args.seed, "budget": args.budget, "samples": args.samples,
            "max_length": getattr(args, "max_length", None), **precision_kwargs(args)}


def settings_record(kw: Mapping[str, Any]) -> dict[str, Any]:
    """`check_kwargs` as JSON-ready data, as a certificate records its settings: the dtype by
    name, a tolerance override as ``rtol`` and ``atol``; None values left out."""
    out: dict[str, Any] = {}
    for k, v in kw.items():
        if v is None:
            continue
        if k == "dtype":
            out[k] = str(v).replace("torch.", "")
        elif k == "tolerance":
            out["rtol"], out["atol"] = v.rtol, v.atol
        else:
            out[k] = v
    return out


@contextlib.contextmanager
def progress_bar(enabled: bool) -> Iterator[Any]:
    """A rich progress bar (on stderr, transient) fed by check_law's `progress` callback; none
    when stderr is not a terminal (a pipe, a log), where rich would leave a blank line on it,
    before an error's line too."""
    from archlaw.bridge.console import make_console

    con = make_console(stderr=True)
    if not enabled or not con.is_terminal:
        yield None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(), console=con, transient=True) as bar:
        tasks: dict[str, Any] = {}

        def update(field: str, done: int, total: int) -> None:
            if field not in tasks:
                tasks[field] = bar.add_task(f"checking {field}", total=total)
            bar.update(tasks[field], completed=done)

        yield update


def run(args: argparse.Namespace) -> int:
    from .workers import run_sharded

    return run_sharded(args, check)


def check(args: argparse.Namespace, shard: Any = None) -> int:
    """The check in this process; with `shard` (`archlaw.bridge.distributed.Sharding`), this
    rank's share of it: every rank computes the whole report, only rank 0 shows or writes it."""
    from archlaw.bridge.conformance import check_law, check_theorem

    if args.max_length is not None and args.max_length < 1:
        raise ArchLawError(f"--max-length {args.max_length}: must be at least 1 (the longest "
                           "sampled list)")
    from archlaw.bridge.limits import check_settings

    check_settings(check_kwargs(args))  # bounded work: --seed, --budget, --samples, --max-length
    if args.case is not None and args.case < 0:
        raise ArchLawError(f"--case {args.case}: a case number is at least 0 (the number a "
                           "replay line ends with)")
    if args.case is not None and args.certificate:
        raise ArchLawError("--case re-runs one case; a certificate needs the whole check: drop "
                           "--case or --certificate")
    export, origin = load_export_origin(args.root, args.from_file)
    decl = export.find(args.law)
    params = parse_params(args.param)
    binding = binding_from_args(args, decl, params)
    move_to_device(binding, args.device if shard is None else shard.world.device(args.device))
    kw = check_kwargs(args)
    # not in `kw`: a certificate's settings record what changes the cases checked, and these do not
    run_kw = {"chunk_cases": args.chunk_cases, "shard": shard}
    if args.case is not None:
        run_kw["case"] = args.case
    shown = shard is None or shard.world.rank == 0
    if shard is not None:
        shard.ready()
    if decl.kind == "law":
        if isinstance(binding, Mapping):
            raise ArchLawError(f"--model {args.model!r} returned a dict of bindings; a law needs "
                               "one Binding")
        from archlaw.bridge.spec import check_model_symbols

        check_model_symbols(decl, binding)
        if args.certificate:
            raise ArchLawError(f"--certificate: {decl.name} is a law; certificates are for "
                               "@[arch_theorem]s whose hypotheses are laws")
        with progress_bar(not args.json and shown) as update:
            rep = check_law(decl, binding, progress=update, **kw, **run_kw)
        # shown `lean (declared)` when the export's lean producer was not re-derived by lake here
        rep = dataclasses.replace(rep, statement=export.statement_label(decl.statement_provenance))
        if not shown:
            pass
        elif args.json:
            print(json.dumps(rep.to_json(timing=True), indent=2))
        else:
            render_law_report(rep, rerun=_rerun_argv(args))
            _case_note(args.case)
        return 0 if rep.passed else 1
    with progress_bar(not args.json and shown) as update:
        report = check_theorem(decl, export, binding, progress=update, **kw, **run_kw)
    status = 0 if report.passed else 1
    written = None
    if not shown:  # rank > 0: the same report and status as rank 0, which shows and writes them
        return status if report.certified or not args.certificate else 1
    if args.certificate and report.certified:
        from archlaw.bridge.certificate import make_certificate

        cert = make_certificate(report, binding, model={"ref": args.model, "params": params},
                                settings=settings_record(kw),
                                export_origin=origin)
        written = cert.write(args.certificate)
    elif args.certificate:
        status = 1
    if args.json:
        out = report.to_json(timing=True)
        out["certificate"] = [str(p) for p in written] if written else None
        print(json.dumps(out, indent=2))
    else:
        for _, rep in report.hypotheses:
            render_law_report(rep, rerun=_rerun_argv(args))
        render_theorem_verdict(report, args.certificate, written)
        _case_note(args.case)
    return status


def _case_note(case: int | None) -> None:
    """After a ``--case K`` run: it re-ran one case, and checked no law."""
    if case is not None:
        from archlaw.bridge.console import make_console

        make_console().print(f"[yellow]note[/]: --case {case} re-ran case {case} of each field "
                             "that has one, and nothing else: the law itself was not checked")


# -- rich output ---------------------------------------------------------------------------------


def _rerun_argv(args: argparse.Namespace) -> list[str] | None:
    """The command line as given, to re-run one case with ``--case K`` (None once it has one)."""
    argv = list(getattr(args, "_argv", None) or [])
    return None if not argv or args.case is not None else argv


def render_law_report(rep: Any, console: Any = None, rerun: list[str] | None = None) -> None:
    """A table of the fields of a `LawReport` (its caption: the sampling bounds, the list lengths
    sampled and the module mode, as in `summary()`), then each counterexample with its replay
    seed and, given the command line `rerun`, the command that re-runs that case alone."""
    from rich.markup import escape
    from rich.table import Table

    from archlaw.bridge.console import make_console

    con = console or make_console()
    verdict = "[bold green]PASS[/]" if rep.passed else "[bold red]FAIL[/]"
    table = Table(title=f"{escape(rep.law)} on {escape(rep.model)}: {verdict}  "
                        f"(statement {rep.statement}, check {rep.check}, {rep.runs_on}"
                        + (f", {rep.workers} workers)" if rep.workers > 1 else ")"),
                  title_justify="left", caption=f"settings: {escape(rep.settings_text())}",
                  caption_justify="left")
    for col in ("field", "check", "cases", "bad", "vacuous", "worst err", "compare", "result"):
        table.add_column(col, justify="right" if col in ("cases", "bad", "vacuous", "worst err")
                         else "left", no_wrap=True)
    for f in rep.fields:
        comp = "exact" if f.discrete else f"rel {f.tolerance.rtol:g}"
        table.add_row(escape(f.field), f.check, str(f.cases), str(f.violations), str(f.vacuous),
                      f"{f.worst_error:.3g}", comp,
                      "[green]pass[/]" if f.passed else "[red]FAIL[/]")
    con.print(table)
    for f in rep.fields:
        cut = [d for d in f.domains if d.kind == "sampled" and d.size < rep.samples]
        if cut:
            enumerated = f.cases // max(1, cut[0].size)
            con.print(f"[yellow]note[/]: {escape(f.field)} drew {cut[0].size:,} samples of "
                      f"{', '.join(escape(d.name) for d in cut)}, not --samples {rep.samples:,}: "
                      f"each sample is crossed with {enumerated:,} enumerated cases and the budget "
                      f"is {rep.budget:,} cases (raise --budget to draw more)")
    for f in rep.fields:
        big = [d for d in f.domains if d.kind == "sampled" and d.values is not None]
        if big and f.check != "exhaustive":
            con.print(f"[yellow]note[/]: {escape(f.field)} drew {big[0].size:,} samples of "
                      + ", ".join(f"{escape(d.name)} ({escape(d.sort)}: {d.values:,} values)"
                                  for d in big)
                      + f", too many to enumerate within --budget {rep.budget:,}: the check is "
                        "sampled, not exhaustive")
    for f in rep.fields:
        if f.counterexample is not None:
            con.print(f"[red]counterexample[/] to [bold]{escape(f.field)}[/] "
                      f"(smallest in {'enumeration' if f.check == 'exhaustive' else 'sampling'} "
                      f"order, case {f.counterexample.case}):")
            con.print("  " + escape(f.counterexample.text()).replace("\n", "\n  "))
            for name, text in f.counterexample.tensors:  # `--case K`: every value in full
                con.print(f"  {escape(name)} = {escape(text)}", soft_wrap=True)
            con.print(f"  replay: {escape(f.replay)}")
            if rerun is not None and f.counterexample.passes_alone:
                con.print("  (no --case line: this case holds when run alone, so re-running it "
                          "alone would not reproduce the failure; the replay settings above "
                          "re-run the whole batch)")
            elif rerun is not None:
                import shlex

                cmd = shlex.join(["archlaw", *rerun, "--case", str(f.counterexample.case)])
                con.print(f"  this case alone, in full: {escape(cmd)}", soft_wrap=True)


def render_theorem_verdict(report: Any, asked: str | None, written: Any, console: Any = None) -> None:
    from rich.markup import escape

    from archlaw.bridge.console import make_console

    con = console or make_console()
    style = "bold green" if report.certified else ("yellow" if report.passed else "bold red")
    con.print(f"[{style}]{escape(report.theorem)}: {escape(report.verdict())}[/]")
    con.print(f"  conclusion for this model: {escape(report.conclusion)}")
    for s in report.side_conditions:
        con.print(f"  side condition {escape(s.name)} : {escape(s.statement)} -> {s.holds}")
    for r in report.reasons:
        con.print(f"  not certified: {escape(r)}")
    if written:
        con.print(f"  certificate written: {written[0]} and {written[1]}")
    elif asked:
        con.print("  [red]no certificate written[/]: only a lean statement whose hypotheses all "
                  "held exhaustively is certified")


if __name__ == "__main__":  # pragma: no cover
    from .app import main

    sys.exit(main(["check", *sys.argv[1:]]))
