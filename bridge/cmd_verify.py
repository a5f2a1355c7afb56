"""`archlaw verify CERT --model module:callable`: re-check a certificate.

Reads the certificate (``.sexp`` or ``.json``) and first runs the checks that need no model: the
axioms against the allowed list (propext, Quot.sound, Classical.choice), that the library's
theorem exists, is still a ``lean`` statement with the same axioms and the same statement text
(SHA-256). Only then does it build the model's binding: from ``--model`` (``--param`` values
override the recorded ones), or, with ``--trust-model-ref``, from the ``module:callable`` the
certificate records (never by default: that would run code named by a file). Then the SHA-256 of
the weights, the conclusion instantiated for the model, and every check re-run with the recorded
settings exhaustive and passing with the same number of cases. Prints one line; exit 0 when
verified, 1 with the reason on any mismatch, 2 on a user error.
"""

from __future__ import annotations

import argparse

from .cmd_check import add_model_place_arguments
from .errors import ArchLawError

HELP = "re-check a certificate: weights hash, axioms, and every check re-run"


def configure(p: argparse.ArgumentParser) -> None:
    p.add_argument("cert", metavar="CERT", help="certificate file (.sexp or .json)")
    p.add_argument("--model", default=None, metavar="MODULE:CALLABLE",
                   help="the model's binding callable (required unless --trust-model-ref)")
    p.add_argument("--trust-model-ref", action="store_true",
                   help="import and call the module:callable the certificate names (runs code "
                        "named by the certificate file: only for certificates you trust)")
    p.add_argument("--param", action="append", default=[], metavar="K=V",
                   help="keyword argument for the model callable (overrides recorded ones)")
    add_model_place_arguments(p)


def run(args: argparse.Namespace) -> int:
    from rich.markup import escape

    from .certificate import load_certificate, static_checks, verify_certificate
    from .cmd_check import load_binding, load_export_origin, move_to_device, parse_params
    from .console import make_console

    cert = load_certificate(args.cert)
    con = make_console(soft_wrap=True)
    params = {**dict(cert.model.get("params") or {}), **parse_params(args.param)}
    if args.model:
        ref = args.model
    elif args.trust_model_ref:
        ref = cert.model.get("ref")
        if not isinstance(ref, str) or not ref:
            raise ArchLawError("--trust-model-ref: the certificate records no model reference; "
                               "pass --model MODULE:CALLABLE", where=args.cert)
    else:
        recorded = cert.model.get("ref")
        # the recorded value is quoted as data, never as a command to paste: a certificate can
        # name any importable callable (os:system)
        raise ArchLawError("--model MODULE:CALLABLE is required (verify never imports code named "
                           "inside a certificate on its own"
                           + (f"; the certificate records the model reference {repr(recorded)[:100]}, "
                              "unchecked: read it before trusting it)" if recorded else ")"),
                           where=args.cert)
    # everything that needs no model first: a certificate that fails here runs no code
    export, _ = load_export_origin(args.root, args.from_file)
    res = static_checks(cert, export)
    if res is None:
        binding = load_binding(ref, params)
        move_to_device(binding, args.device)
        res = verify_certificate(cert, export, binding)
    if res.ok:
        con.print(f"[bold green]ok[/] {escape(cert.theorem)}: {escape(res.reason)}")
        return 0
    con.print(f"[bold red]rejected[/] {escape(cert.theorem)}: {escape(res.reason)}")
    return 1
