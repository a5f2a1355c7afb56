"""`archlaw verify CERT --model module:callable`: re-check a certificate.

Reads the certificate (``.sexp`` or ``.json``) and first runs the checks that need no model: the
axioms against the allowed list (propext, Quot.sound, Classical.choice), that the library's
theorem exists, is still a ``lean`` statement with the same axioms and the same statement text
(SHA-256). Only then does it build the model's binding: from ``--model`` (``--param`` values
override the recorded ones), or, with ``--trust-model-ref``, from the ``module:callable`` the
certificate records (never by default: that would run code named by a file), and compares
``model.ref`` and ``model.params`` with the reference and parameters it was built from (a
``--param`` that changes a recorded value is refused). Then the SHA-256 of the weights, and every
check re-run with the recorded settings; from that re-run and the export loaded it re-derives
every other field (conclusion, checks and their domains, trust base) and refuses any difference,
naming the field (`archlaw.bridge.certificate.verify_certificate`). Prints one line, then, when
verified, a second one listing the fields it cannot re-derive here with their recorded values
(`NOT_REDERIVABLE`: the device and torch version of the original run, the seed, ...). Exit 0 when
verified, 1 with the reason on any mismatch, 2 on a user error. A sibling file that is not the
same certificate (``c.json`` beside ``c.sexp``: an interrupted write, or an edit) is said in a
note on stderr; the file named is the one verified.
"""

from __future__ import annotations

import argparse

from .check import add_model_place_arguments
from archlaw.bridge.errors import ArchLawError

HELP = "re-check a certificate: weights hash, axioms, and every check re-run"


def configure(p: argparse.ArgumentParser) -> None:
    p.add_argument("cert", metavar="CERT", help="certificate file (.sexp or .json)")
    p.add_argument("--model", default=None, metavar="MODULE:CALLABLE",
                   help="the model's binding callable (required unless --trust-model-ref)")
    p.add_argument("--trust-model-ref", action="store_true",
                   help="import and call the module:callable the certificate names (runs code "
                        "named by the certificate file: only for certificates you trust)")
    p.add_argument("--param", action="append", default=[], metavar="K=V",
                   help="keyword argument for the model callable, for a certificate that records "
                        "no parameters (one that differs from the recorded ones is refused)")
    add_model_place_arguments(p)


def run(args: argparse.Namespace) -> int:
    from rich.markup import escape

    from archlaw.bridge.certificate import load_certificate, static_checks, verify_certificate
    from .check import load_binding, load_export_origin, move_to_device, parse_params
    from archlaw.bridge.console import make_console

    cert = load_certificate(args.cert)
    con = make_console(soft_wrap=True)
    from archlaw.bridge.certificate import pair_mismatch

    twin = pair_mismatch(args.cert, cert)  # said, not fatal: the file named is what is verified
    if twin:
        make_console(stderr=True, soft_wrap=True).print(f"[yellow]note:[/] {escape(twin)}")
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
    export, origin = load_export_origin(args.root, args.from_file)
    res = static_checks(cert, export)
    if res is None:
        binding = load_binding(ref, params)
        move_to_device(binding, args.device)
        res = verify_certificate(cert, export, binding, model_ref=ref, params=params,
                                 export_origin=origin)
    if res.ok:
        con.print(f"[bold green]ok[/] {escape(cert.theorem)}: {escape(res.reason)}")
        if res.not_rederived:
            con.print(f"  not re-derivable here, taken as recorded: "
                      f"{escape('; '.join(res.not_rederived))}")
        return 0
    con.print(f"[bold red]rejected[/] {escape(cert.theorem)}: {escape(res.reason)}")
    return 1
