"""`archlaw verify CERT --model module:callable`: re-check a certificate.

Reads the certificate (``.sexp`` or ``.json``), rebuilds the model's binding (``--model``, or the
reference recorded in the certificate; ``--param`` values override recorded ones), and checks:
the axioms against the allowed list (propext, Quot.sound, Classical.choice), that the library's
theorem is still a ``lean`` statement with the same axioms, the SHA-256 of the weights, and that
every check re-runs with the recorded settings exhaustive and passing with the same number of
cases. Prints one line; exit 0 when verified, 1 with the reason on any mismatch.
"""

from __future__ import annotations

import argparse

from .cmd_check import add_model_place_arguments
from .errors import ArchLawError

HELP = "re-check a certificate: weights hash, axioms, and every check re-run"


def configure(p: argparse.ArgumentParser) -> None:
    p.add_argument("cert", metavar="CERT", help="certificate file (.sexp or .json)")
    p.add_argument("--model", default=None, metavar="MODULE:CALLABLE",
                   help="the model's binding callable (default: the one the certificate records)")
    p.add_argument("--param", action="append", default=[], metavar="K=V",
                   help="keyword argument for the model callable (overrides recorded ones)")
    add_model_place_arguments(p)


def run(args: argparse.Namespace) -> int:
    from rich.markup import escape

    from .certificate import load_certificate, verify_certificate
    from .cmd_check import load_binding, load_export, move_to_device, parse_params
    from .console import make_console

    cert = load_certificate(args.cert)
    ref = args.model or cert.model.get("ref")
    if not ref:
        raise ArchLawError("--model is required: the certificate records no model reference")
    params = {**dict(cert.model.get("params") or {}), **parse_params(args.param)}
    binding = load_binding(ref, params)
    move_to_device(binding, args.device)
    export = load_export(args.root, args.from_file)
    res = verify_certificate(cert, export, binding)
    con = make_console(soft_wrap=True)
    if res.ok:
        con.print(f"[bold green]ok[/] {escape(cert.theorem)}: {escape(res.reason)}")
        return 0
    con.print(f"[bold red]rejected[/] {escape(cert.theorem)}: {escape(res.reason)}")
    return 1
