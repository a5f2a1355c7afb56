"""`archlaw spec LAW [NAME=VALUE ...] [--json]`: the torch interface a law's signature implies.

The command-line grammar of a law's parameters, defined here once and shared with ``archlaw
check`` (docs/specs.md):

* ``NAME=VALUE`` (positional, after LAW): one of the law's own parameters, and the law's
  signature says which kind: a Nat law parameter ``n=12`` (an integer), or a sort encoding
  ``X=float[3]`` (``float``, ``float[3]``, ``float[3,4]``, ``fin[10]`` or ``bool``);
* ``--symbol NAME=MODULE:FACTORY`` (``check`` only): a model symbol; FACTORY is called with no
  arguments and returns the nn.Module or callable (an nn.Module object itself is taken as it is);
* ``--layout NAME=LETTERS`` (``check`` only): that symbol's layout at the binding boundary
  (``NCL`` for nn.Conv1d, ``NCHW`` for nn.Conv2d, ``LNC`` for a sequence-first layer);
* ``--param K=V`` keeps its one meaning: a keyword argument of the ``--model`` callable.

Prints, per model symbol, each argument's and the result's tensor shape, dtype and layout, how a
finite result is decoded, and which constants the law fixes and where their meaning comes from
(`archlaw.bridge.spec.LawSpec`). Exit status 0, or 2 for a user error.
"""

from __future__ import annotations

import argparse
import importlib
import json
from typing import Any

from archlaw.bridge.errors import ArchLawError

from .options import add_from, add_root

HELP = "print the torch interface a law implies: tensor shapes, dtypes, layouts, fixed symbols"

ASSIGN_HELP = ("the law's parameters: a Nat law parameter as n=12, a sort as X=float[3] "
               "(float, float[3], float[3,4], fin[10] or bool); `archlaw spec LAW` names them")


def add_assignments(p: argparse.ArgumentParser) -> None:
    """The positional ``NAME=VALUE`` law parameters and sorts (module docstring)."""
    # default=[]: optional, so a missing LAW is not reported as "required: LAW, NAME=VALUE";
    # NAME=VALUE after an option is moved here by the parser (`archlaw.cli.app._Parser`)
    p.add_argument("assign", nargs="*", default=[], metavar="NAME=VALUE", help=ASSIGN_HELP)


def configure(p: argparse.ArgumentParser) -> None:
    p.epilog = ("Example: archlaw spec ArchLaw.ShiftEquivariant n=12 X=float[3] Y=float[3] "
                "(docs/specs.md).")
    p.add_argument("law", metavar="LAW", help="law name (full or unique suffix)")
    add_assignments(p)
    p.add_argument("--json", action="store_true", help="print the spec as JSON")
    add_root(p)
    add_from(p)


def register_family_sorts() -> None:
    """Import each family's bindings module, which registers the family's own sorts (the carry's
    generate/propagate, binary trees), so that their laws' specs resolve."""
    from archlaw.models.registry import FAMILY_MODULES

    for fixtures in FAMILY_MODULES:
        try:
            importlib.import_module(fixtures.rsplit(".", 1)[0] + ".bindings")
        except ModuleNotFoundError:
            continue


def find_law(export: Any, name: str) -> Any:
    decl = export.find(name)
    if decl.kind != "law":
        raise ArchLawError(f"{decl.name} is a {decl.kind}; a spec is a law's (its hypotheses' "
                           "laws each have one)")
    return decl


def given(law: Any, assign: list[str]) -> dict[str, Any]:
    """The ``NAME=VALUE`` arguments as `law_spec`/`derive_binding` keywords; a name given twice
    is refused."""
    from archlaw.bridge.spec import parse_assignment

    out: dict[str, Any] = {}
    for a in assign:
        k, v = parse_assignment(a, law)
        if k in out:
            raise ArchLawError(f"{k} given twice", where=f"argument {a!r}")
        out[k] = v
    return out


def run(args: argparse.Namespace) -> int:
    from archlaw.bridge.library import load_export_explained
    from archlaw.bridge.spec import law_spec

    register_family_sorts()
    export = load_export_explained(args.root, args.from_file).export
    law = find_law(export, args.law)
    spec = law_spec(law, statement=export.statement_label(law.statement_provenance),
                    **given(law, args.assign))
    print(json.dumps(spec.to_json(), indent=2) if args.json else spec.text())
    return 0

