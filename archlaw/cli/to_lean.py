"""`archlaw to-lean LAW-or-THEOREM --model module:callable -o DIR`: a model's finite symbols as a
Lean module whose laws the kernel proves by `decide` (docs/to-lean.md).

The binding is given as for ``archlaw check`` (``--model`` with ``--param``, or, for a law,
``--symbol`` with NAME=VALUE). The law (or each law hypothesis of the theorem) is first checked
on the model, exhaustively: a failing or sampled check is refused with one line and nothing is
written. A list law (``FoldlLaws``, ``MealyLaws`` ...) is stated for Lean's runner of the tables
instead, and its check on the model may be sampled (printed, and recorded in the sidecar). Then every model symbol of the law is read off on its whole domain as a table
(`archlaw.bridge.extraction`), and one module is written (`archlaw.bridge.tolean`):
``DIR/<Module/Path>.lean`` (``--module``, default ``ArchLawExamples.<Law><params>``), with
no hash, version or time inside, and beside it ``<Name>.json``, the sidecar: the SHA-256 of the
weights, of each table and of the Lean file, the model's reference, the archlaw and torch
versions. Then the round trip: the source reader reads the module back from DIR and the tables
it reads must be the ones extracted. ``--certificate OUT`` (for a theorem) writes a certificate
naming the tables (`archlaw.bridge.certificate`) when the theorem is certified.

Exit status: 0 written; 1 a certificate was asked for and cannot be issued; 2 a user error (a
failing law among them: nothing written).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from archlaw.bridge.errors import ArchLawError

from .check import add_binding_arguments
from .options import add_device, add_from, add_root

HELP = ("write a model's finite symbols as a Lean module whose laws the kernel proves by decide "
        "(or, for list laws, for Lean's runner of the tables)")


def configure(p: argparse.ArgumentParser) -> None:
    p.epilog = ("Example: archlaw to-lean ArchLaw.Carry.add_correct --model "
                "archlaw.models.carry.fixtures:cached_binding -o out (docs/to-lean.md).")
    p.add_argument("law", metavar="LAW", help="law or theorem name (full or unique suffix)")
    add_binding_arguments(p)
    p.add_argument("-o", "--out", required=True, type=Path, metavar="DIR",
                   help="folder the module is written under (as a Lake source directory: "
                        "DIR/ArchLawExamples/CarryCell10.lean)")
    p.add_argument("--module", default=None, metavar="NAME",
                   help="the Lean module's name (default ArchLawExamples.<Law><parameters>, "
                        "e.g. ArchLawExamples.CarryCell10)")
    p.add_argument("--certificate", metavar="OUT", default=None,
                   help="for a certified theorem, write OUT.sexp and OUT.json naming the tables")
    add_device(p, keep=True)
    add_root(p)
    add_from(p)


def sidecar(result, binding, lean_text: str, model: dict) -> dict:
    """The sidecar JSON: what the Lean file leaves out (hashes, versions, the model)."""
    import hashlib

    import torch

    import archlaw
    from archlaw.bridge.certificate import weights_sha256
    from archlaw.bridge.extraction import table_json
    from archlaw.bridge.tolean import module_path

    return {"archlaw-to-lean": 1, "module": result.module,
            "lean_file": module_path(result.module).as_posix(),
            "lean_sha256": hashlib.sha256(lean_text.encode("utf-8")).hexdigest(),
            "tables": table_json(result.tables), "laws": list(result.laws),
            "corollaries": list(result.corollaries),
            "checked_on_model": dict(sorted(result.checked.items())),
            "weights_sha256": weights_sha256(binding.module), "model": model,
            "archlaw": archlaw.__version__, "torch": torch.__version__}


def run(args: argparse.Namespace) -> int:
    from archlaw.bridge import atomic
    from archlaw.bridge.tolean import module_path, read_back, recheck, to_lean
    from archlaw.bridge.console import make_console

    from .check import binding_from_args, load_export_origin, move_to_device, parse_params

    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise ArchLawError("not a directory; -o takes the folder the module is written under",
                           where=str(out))
    export, origin = load_export_origin(args.root, args.from_file)
    decl = export.find(args.law)
    if args.certificate and decl.kind != "theorem":
        raise ArchLawError(f"--certificate: {decl.name} is a law; certificates are for "
                           "@[arch_theorem]s whose hypotheses are laws")
    params = parse_params(args.param)
    binding = binding_from_args(args, decl, params)
    move_to_device(binding, args.device)
    result = to_lean(decl, export, binding, module=args.module)  # refuses before writing
    lean_file = out / module_path(result.module)
    side = sidecar(result, binding, result.text, {"ref": args.model, "params": params})
    try:
        lean_file.parent.mkdir(parents=True, exist_ok=True)
        atomic.write_all([(lean_file, result.text.encode("utf-8")),
                          (lean_file.with_suffix(".json"),
                           (json.dumps(side, indent=2, sort_keys=True) + "\n").encode("utf-8")),
                          *_toolchain_pin(out)])
    except OSError as e:
        raise ArchLawError(f"cannot write the module: {e.strerror or e}",
                           where=str(e.filename or lean_file)) from None
    # the round trip: the reader reads the module back, and the engine re-checks the law(s) on
    # the generated symbols, run from their bodies
    back = read_back(out, result.module, result.tables, result.runs)
    reps = recheck(decl, export, binding, back)
    con = make_console(soft_wrap=True)
    for sym, t in sorted(result.tables.items()):
        con.print(f"table {sym}: {t.signature}, {t.cases:,} cases, sha256 {t.sha256()}",
                  highlight=False)
    how = ("for Lean's runner of the tables, by the library's runner lemma" if result.runs
           else "by decide")
    for law, check in sorted(result.checked.items()):
        con.print(f"checked on the model first: {law} passed, check {check}", highlight=False)
    con.print(f"wrote {lean_file} ({len(result.laws)} law(s) proved {how}, "
              f"{len(result.corollaries)} corollar{'y' if len(result.corollaries) == 1 else 'ies'}"
              f": {', '.join(c.split('.')[-1] for c in result.corollaries) or 'none'}) and "
              f"{lean_file.with_suffix('.json').name}", highlight=False)
    ran = _ran_text({k: v for f in back.functions.values() for k, v in f.ran.items()})
    for rep in reps:
        con.print(f"read back: the tables equal the extracted ones, and so does each generated "
                  f"symbol run from its Lean body by the interpreter; {rep.law} re-checked on it: "
                  f"{'pass' if rep.passed else 'FAIL'}, check {rep.check} "
                  f"({sum(f.cases for f in rep.fields):,} cases; ran: {ran})", highlight=False)
    if args.certificate:
        return _certificate(args, decl, export, binding, result, side, params, origin, con)
    return 0


def _toolchain_pin(out: Path) -> list[tuple[Path, bytes]]:
    """``out/lean-toolchain``, the Lean the module is written for (ArchLaw's own pin), when `out`
    is no Lake project yet: it makes `out` one for ``--root`` (`archlaw laws --root out`), which
    takes only a folder with a lakefile or lean-toolchain. Nothing when `out` has one already or
    the pin is not installed."""
    from archlaw.bridge.shipped import lean_library_root

    lib = lean_library_root()
    pin = lib / "lean-toolchain" if lib is not None else None
    if pin is None or not pin.is_file() or any(
            (out / f).exists() for f in ("lakefile.lean", "lakefile.toml", "lean-toolchain")):
        return []
    return [(out / "lean-toolchain", pin.read_bytes())]


def _ran_text(ran: dict) -> str:
    """``cellOf: body; nth: registered only; ...``, the table's row definitions counted."""
    import re

    rows = [n for n in ran if re.search(r"\.table_\w+_\d+$", n)]
    out = [f"{n.split('.')[-1]}: {how}" for n, how in sorted(ran.items()) if n not in rows]
    if rows:
        hows = sorted({ran[n] for n in rows})
        out.append(f"{len(rows)} row definitions: {', '.join(hows)}")
    return "; ".join(out)


def _certificate(args, decl, export, binding, result, side, params, origin, con) -> int:
    from archlaw.bridge.certificate import TableRecord, make_certificate
    from archlaw.bridge.conformance import check_theorem

    report = check_theorem(decl, export, binding)
    if not report.certified:
        con.print("[red]no certificate written[/]: " + "; ".join(report.reasons))
        return 1
    tables = TableRecord.of(result, side["lean_sha256"])
    cert = make_certificate(report, binding, model={"ref": args.model, "params": params},
                            export_origin=origin, tables=tables)
    written = cert.write(args.certificate)
    con.print(f"certificate written: {written[0]} and {written[1]}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    import sys

    from .app import main

    sys.exit(main(["to-lean", *sys.argv[1:]]))
