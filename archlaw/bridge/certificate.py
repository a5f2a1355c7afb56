"""Certificates: a Lean theorem, instantiated for one trained model, whose hypotheses held
exhaustively on the model as it is run.

A certificate is issued only from a `ConformanceReport` with ``certified`` True: the theorem's
statement is ``lean`` (kernel-checked export), its axioms lie within `ALLOWED_AXIOMS`
(``propext``, ``Quot.sound``, ``Classical.choice``), every assumed law is ``lean`` too, every law
hypothesis was checked ``exhaustive``, exactly (no float tolerance) and passed, and every side
condition held; and only for a binding with a module (weights to hash). Anything else is refused
with the report's reasons; nothing short of that is ever called certified.

It records: the theorem, the SHA-256 of its statement text and of each assumed law's
(`archlaw.bridge.conformance.statement_text`) and its conclusion instantiated for the model; the
axioms; every check (hypothesis, law, field, kind, cases, domains, worst error); the SHA-256 of
the weights (`weights_sha256`: the state_dict in sorted key order, each entry's name, dtype,
shape and raw bytes); and the trust base: the runner (`Runner`: that the bound symbols, run as
checked, are the functions the theorem quantifies over, the one assumption no check can remove;
and each library or user constant the checks evaluated, how it ran and what that leaves
trusted), the device, dtype, module mode (eval) and torch version the checks ran with, and where the statements came from (the export file's path or
"source reader", the SHA-256 of its interchange text, its Lean version). Settings (seed, budget,
samples, ...) replay the checks. It is written both as an S-expression (``.sexp``, versioned)
and as JSON (``.json``); `load_certificate` reads either; a malformed entry is a one-line
``malformed certificate`` error.

`verify_certificate` re-checks one: first `static_checks` (allowed axioms, the library's theorem
exists under exactly that name, is ``lean`` from an export lake re-derived here, with the same
axioms and the same statement hash), then the model's reference and parameters against those it
was built from, the weights' hash (a missing hash never matches), and the checks re-run with the
recorded settings (certified again). From that re-run and the export loaded it then re-derives the
certificate the same model would get now, and refuses any field that differs, naming it (e.g.
``checks[0].domains[1].sort``, ``trust_base.dtype``). The fields it cannot re-derive here
(`NOT_REDERIVABLE`: the device and torch version of the original run, ...) it lists in its result
with their recorded values instead of accepting them silently. It returns a one-line reason.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

import sexpdata
from sexpdata import Symbol

from .conformance import (
    ALLOWED_AXIOMS, ConformanceReport, assumed_laws, check_theorem, merge_ran, statement_sha256,
)
from .crosscheck import CROSS_CHECK_BUDGET, CROSS_CHECK_SAMPLES
from .errors import ArchLawError
from .semantics import HOW_RAN, RAN_BODY, RAN_REGISTERED_AGREES, RAN_REGISTERED_ONLY
from .words import plural

__all__ = [
    "Certificate", "CheckRecord", "TrustBase", "Runner", "RanConstant", "TableRecord",
    "TABLE_RUNNER_ASSUMPTION", "TRUSTED_BY_HOW", "make_certificate", "weights_sha256", "bindings_sha256",
    "load_certificate", "verify_certificate", "static_checks", "VerifyResult", "CERTIFICATE_VERSION",
    "RUNNER_ASSUMPTION", "REPLAYED_SETTINGS", "NOT_REDERIVABLE", "rederived_mismatches",
]

#: 3: ``trust_base.runner`` is structured (`Runner`), no longer a sentence. (An optional
#: ``trust_base.tables``, absent when empty, needs no new version: a certificate without it reads
#: as before.)
CERTIFICATE_VERSION = 3
#: The trust base's unremovable assumption, about the model's bound symbols.
RUNNER_ASSUMPTION = ("the torch runner implements the Lean definition: the bound symbols, run as "
                     "checked (decoded where the theorem speaks of discrete values), are the "
                     "functions the theorem's hypotheses quantify over")
#: What each way a constant ran (`archlaw.bridge.semantics.HOW_RAN`) leaves trusted.
TRUSTED_BY_HOW = {
    RAN_BODY: "the interpreter evaluates the Lean body as Lean does",
    RAN_REGISTERED_AGREES: ("the registered torch function equals the Lean body beyond the "
                            "cross-checked cases (every case on a finite domain of at most "
                            f"{CROSS_CHECK_BUDGET} values, else {CROSS_CHECK_SAMPLES} samples), "
                            "and the interpreter evaluates the body as Lean does"),
    RAN_REGISTERED_ONLY: "the torch runner implements the Lean definition (nothing checked it "
                         "against a body)",
}


def weights_sha256(module: Any) -> str | None:
    """SHA-256 of a module's state_dict in a canonical order (sorted keys; for each: key, dtype,
    shape, then the contiguous CPU bytes). None when there is no module."""
    if module is None:
        return None
    import torch

    h = hashlib.sha256()
    sd = module.state_dict()
    for k in sorted(sd):
        t = sd[k]
        if not isinstance(t, torch.Tensor):
            h.update(f"{k}:{t!r};".encode())
            continue
        t = t.detach().to("cpu").contiguous()
        h.update(f"{k}:{str(t.dtype)}:{tuple(t.shape)};".encode())
        h.update(t.view(torch.uint8).numpy().tobytes() if t.numel() else b"")
    return h.hexdigest()


def bindings_sha256(bindings: Any) -> str | None:
    """The weights hash behind a check: of the binding's module, or, for a mapping of bindings
    (one per hypothesis), of its one distinct module; several distinct modules hash as the
    SHA-256 of ``key:hash;`` over the mapping's keys in sorted order."""
    if not isinstance(bindings, Mapping):
        return weights_sha256(getattr(bindings, "module", None))
    mods = {id(b.module): b.module for b in bindings.values() if getattr(b, "module", None) is not None}
    if len(mods) <= 1:
        return weights_sha256(next(iter(mods.values()), None))
    h = hashlib.sha256()
    for k in sorted(bindings):
        h.update(f"{k}:{weights_sha256(getattr(bindings[k], 'module', None))};".encode())
    return h.hexdigest()


@dataclass(frozen=True)
class CheckRecord:
    """One field check behind a certificate."""

    hypothesis: str
    law: str
    field: str
    kind: str
    cases: int
    passed: bool
    worst_error: float
    domains: tuple[tuple[str, str, str, int], ...]  # (binder, sort, kind, size)

    def to_json(self) -> dict:
        return {"hypothesis": self.hypothesis, "law": self.law, "field": self.field,
                "kind": self.kind, "cases": self.cases, "passed": self.passed,
                "worst_error": self.worst_error,
                "domains": [{"name": n, "sort": s, "kind": k, "size": z} for n, s, k, z in self.domains]}


@dataclass(frozen=True)
class RanConstant:
    """One library or user constant the checks evaluated: its Lean name, how it ran (one of
    `archlaw.bridge.semantics.HOW_RAN`) and what that leaves trusted (`TRUSTED_BY_HOW`).
    A mapping in both forms, so that later entries (table hashes, issue 18) extend it."""

    constant: str
    how: str
    trusted: str

    def to_json(self) -> dict:
        return {"constant": self.constant, "how": self.how, "trusted": self.trusted}


@dataclass(frozen=True)
class Runner:
    """The trust base's runner, as data: the assumption about the model's bound symbols
    (`RUNNER_ASSUMPTION`), and every constant the hypotheses' checks evaluated (the side
    conditions run none), sorted by name, each as `RanConstant`. Re-derived by `verify` from
    the re-run, so an added, dropped or edited entry is refused by its path
    (``trust_base.runner.constants[0].how``)."""

    bound_symbols: str
    constants: tuple[RanConstant, ...] = ()

    @staticmethod
    def of(ran: Any) -> "Runner":
        """The runner of (constant, how) pairs, e.g. `LawReport.ran` merged over hypotheses."""
        return Runner(RUNNER_ASSUMPTION, tuple(RanConstant(n, how, TRUSTED_BY_HOW[how])
                                               for n, how in ran))

    def to_json(self) -> dict:
        return {"bound_symbols": self.bound_symbols,
                "constants": [c.to_json() for c in self.constants]}

    @staticmethod
    def from_json(d: Any) -> "Runner":
        """Read `to_json`'s mapping; ValueError naming the entry (under ``trust_base.runner``)
        for anything else. Entries beyond the three known are refused by `verify`, which
        re-derives the whole field."""
        where = "trust_base.runner"
        if not isinstance(d, Mapping) or not isinstance(d.get("bound_symbols"), str) \
                or not isinstance(d.get("constants"), list):
            raise ValueError(f"{where} is not a mapping of bound_symbols (a string) and "
                             "constants (a list)")
        out = []
        for i, c in enumerate(d["constants"]):
            at = f"{where}.constants[{i}]"
            if not isinstance(c, Mapping) or not all(isinstance(c.get(k), str)
                                                     for k in ("constant", "how", "trusted")):
                raise ValueError(f"{at} is not a mapping of constant, how and trusted (strings)")
            if c["how"] not in HOW_RAN:
                raise ValueError(f"{at}.how {c['how']!r} is not one of: {'; '.join(HOW_RAN)}")
            out.append(RanConstant(c["constant"], c["how"], c["trusted"]))
        return Runner(d["bound_symbols"], tuple(out))


#: The runner's assumption when the model's symbols were extracted as tables (`archlaw to-lean`).
TABLE_RUNNER_ASSUMPTION = (
    "the bound symbols are the tables named in trust_base.tables: each read off the weights on "
    "its whole domain, decoded as the model is run (verify recomputes its SHA-256 from the "
    "weights); their laws are proved by Lean's kernel for those very tables in the generated "
    "module (lean_sha256). Still trusted: that the torch runner decodes the network as the "
    "extraction did, and that whatever runs the tables composes them as the Lean definitions do")


@dataclass(frozen=True)
class TableRecord:
    """A model symbol extracted as a table (`archlaw.bridge.extraction`) and the generated Lean
    module that proves its law (`archlaw.bridge.tolean`): the law and symbol, the number of
    cases, the SHA-256 of the table's canonical serialisation and of the module's text."""

    law: str
    symbol: str
    cases: int
    sha256: str
    module: str
    lean_sha256: str

    @staticmethod
    def of(result: Any, lean_sha256: str) -> tuple["TableRecord", ...]:
        """One record per table of a `ToLean` result, sorted by symbol."""
        return tuple(TableRecord(t.law, sym, t.cases, t.sha256(), result.module, lean_sha256)
                     for sym, t in sorted(result.tables.items()))

    def to_json(self) -> dict:
        return {"law": self.law, "symbol": self.symbol, "cases": self.cases,
                "sha256": self.sha256, "module": self.module, "lean_sha256": self.lean_sha256}

    @staticmethod
    def from_json(d: Any, i: int) -> "TableRecord":
        at = f"trust_base.tables[{i}]"
        keys = ("law", "symbol", "sha256", "module", "lean_sha256")
        if not isinstance(d, Mapping) or not all(isinstance(d.get(k), str) for k in keys) \
                or not isinstance(d.get("cases"), int):
            raise ValueError(f"{at} is not a mapping of law, symbol, module, sha256, "
                             "lean_sha256 (strings) and cases (an integer)")
        return TableRecord(d["law"], d["symbol"], d["cases"], d["sha256"], d["module"],
                           d["lean_sha256"])


@dataclass(frozen=True)
class TrustBase:
    """What the certificate rests on besides Lean's kernel."""

    runner: Runner
    device: str
    dtype: str
    torch: str
    #: the module's mode during the checks (`LawReport.mode`)
    mode: str = "eval"
    #: where the statements came from: the export file's path, or "source reader", or
    #: "in-memory export"; the SHA-256 of its interchange text; its Lean version (None: not Lean)
    export_origin: str = "in-memory export"
    export_sha256: str = ""
    lean_version: str | None = None
    #: the tables the model's symbols were extracted as (`TableRecord`), for a certificate
    #: issued by ``archlaw to-lean``; empty (and absent from the file) otherwise
    tables: tuple[TableRecord, ...] = ()

    def to_json(self) -> dict:
        out = {"runner": self.runner.to_json(), "device": self.device, "dtype": self.dtype, "torch": self.torch,
               "mode": self.mode, "export_origin": self.export_origin,
               "export_sha256": self.export_sha256, "lean_version": self.lean_version}
        if self.tables:  # absent when empty: certificates without tables read as before
            out["tables"] = [t.to_json() for t in self.tables]
        return out


_TRUST_KEYS = ("runner", "device", "dtype", "torch", "mode", "export_origin", "export_sha256",
               "lean_version")


def _tables_from_json(items: Any) -> tuple[TableRecord, ...]:
    if not isinstance(items, list):
        raise ValueError("trust_base.tables is not a list")
    return tuple(TableRecord.from_json(d, i) for i, d in enumerate(items))


@dataclass(frozen=True)
class Certificate:
    """See the module docstring. `model` holds how to rebuild the binding (``ref`` =
    ``module:callable`` and its ``params``) when known; `settings` the check settings."""

    theorem: str
    statement: str
    conclusion: str
    axioms: tuple[str, ...]
    checks: tuple[CheckRecord, ...]
    #: SHA-256 of the statement text (`archlaw.bridge.conformance.statement_text`)
    weights_sha256: str | None
    trust_base: TrustBase
    statement_sha256: str = ""
    model: Mapping[str, Any] = field(default_factory=dict)
    settings: Mapping[str, Any] = field(default_factory=dict)
    version: int = CERTIFICATE_VERSION

    # -- JSON ----------------------------------------------------------------------------------

    def to_json(self) -> dict:
        return {
            "archlaw-certificate": self.version, "theorem": self.theorem,
            "statement": self.statement, "conclusion": self.conclusion,
            "statement_sha256": self.statement_sha256,
            "axioms": list(self.axioms), "weights_sha256": self.weights_sha256,
            "trust_base": self.trust_base.to_json(), "model": dict(self.model),
            "settings": dict(self.settings), "checks": [c.to_json() for c in self.checks],
        }

    @staticmethod
    def from_json(d: Mapping[str, Any], where: str = "<json>") -> "Certificate":
        try:
            if d.get("archlaw-certificate") == 2:
                # version 2's runner was a sentence: the constants it ran are not recorded
                raise ArchLawError("a version 2 certificate, whose trust base does not list the "
                                   "constants the checks ran; this archlaw reads version "
                                   f"{CERTIFICATE_VERSION}: re-issue it with `archlaw check "
                                   "--certificate`", where=where)
            if d.get("archlaw-certificate") != CERTIFICATE_VERSION:
                raise ArchLawError(f"not an archlaw certificate of version {CERTIFICATE_VERSION}",
                                   where=where)
            checks = tuple(CheckRecord(
                c["hypothesis"], c["law"], c["field"], c["kind"], int(c["cases"]), bool(c["passed"]),
                float(c["worst_error"]),
                tuple((x["name"], x["sort"], x["kind"], int(x["size"])) for x in c["domains"]))
                for c in d["checks"])
            tb = d["trust_base"]
            for k in ("theorem", "statement", "conclusion", "statement_sha256"):
                if not isinstance(d[k], str):
                    raise ValueError(f"{k} is not a string")
            if d["weights_sha256"] is not None and not isinstance(d["weights_sha256"], str):
                raise ValueError("weights_sha256 is not a string")
            model, settings = d.get("model") or {}, d.get("settings") or {}
            if not isinstance(model, Mapping) or not isinstance(settings, Mapping):
                raise ValueError("model and settings must be mappings")
            if not isinstance(model.get("params") or {}, Mapping):
                raise ValueError("model params must be a mapping of keyword arguments")
            from .limits import check_settings

            # the settings are replayed by `verify`: the same bounds as `archlaw check`'s flags
            check_settings(settings, "settings.", where=where)
            return Certificate(d["theorem"], d["statement"], d["conclusion"], tuple(d["axioms"]),
                               checks, d["weights_sha256"],
                               TrustBase(Runner.from_json(tb["runner"]),
                                         *(tb[k] for k in _TRUST_KEYS[1:]),
                                         tables=_tables_from_json(tb.get("tables", []))),
                               d["statement_sha256"],
                               dict(model), dict(settings))
        except (KeyError, TypeError, ValueError, AttributeError, IndexError, OverflowError) as e:
            # OverflowError: a huge integer that the S-expression reader took as float inf
            raise ArchLawError(f"malformed certificate: missing or bad entry {e}", where=where) from None

    # -- S-expressions -------------------------------------------------------------------------

    def to_sexp(self) -> str:
        S = Symbol
        checks = [[S("check"), [S("hypothesis"), c.hypothesis], [S("law"), c.law],
                   [S("field"), c.field], [S("kind"), c.kind], [S("cases"), c.cases],
                   [S("passed"), S("true") if c.passed else S("false")],
                   [S("worst-error"), float(c.worst_error)],
                   [S("domains"), *([S("binder"), n, s, k, z] for n, s, k, z in c.domains)]]
                  for c in self.checks]
        doc = [S("archlaw-certificate"), [S("version"), self.version],
               [S("theorem"), self.theorem], [S("statement"), self.statement],
               [S("conclusion"), self.conclusion],
               [S("statement-sha256"), self.statement_sha256], [S("axioms"), *self.axioms],
               [S("weights-sha256"), self.weights_sha256 or S("none")],
               [S("trust-base"), *([S(k.replace("_", "-")), json.dumps(v)]
                                    for k, v in self.trust_base.to_json().items())],
               [S("model"), *([S("entry"), k, json.dumps(v)] for k, v in self.model.items())],
               [S("settings"), *([S("entry"), k, json.dumps(v)] for k, v in self.settings.items())],
               [S("checks"), *checks]]
        return "\n  ".join([sexpdata.dumps(doc[:1])[:-1]] + [sexpdata.dumps(x) for x in doc[1:]]) + ")\n"

    @staticmethod
    def from_sexp(text: str, where: str = "<sexp>") -> "Certificate":
        try:
            doc = sexpdata.loads(text)
        except Exception as e:  # sexpdata raises several types on bad text
            raise ArchLawError(f"unreadable S-expression: {e}", where=where) from None
        if not (isinstance(doc, list) and doc and doc[0] == Symbol("archlaw-certificate")):
            raise ArchLawError("not an (archlaw-certificate ...) S-expression", where=where)
        try:
            entries = {str(x[0]): x[1:] for x in doc[1:] if isinstance(x, list) and x}

            def one(key: str) -> Any:
                if key not in entries or not entries[key]:
                    raise ArchLawError(f"malformed certificate: missing ({key} ...)", where=where)
                v = entries[key][0]
                return None if v == Symbol("none") else v

            def sub(items: list) -> dict:
                return {str(x[0]): (x[1] if len(x) == 2 else x[1:]) for x in items}

            tb = sub(entries.get("trust-base", []))
            checks = []
            for c in entries.get("checks", []):
                d = sub(c[1:])
                doms = tuple((b[1], b[2], b[3], int(b[4]))
                             for x in c[1:] if x[0] == Symbol("domains") for b in x[1:])
                checks.append({"hypothesis": d["hypothesis"], "law": d["law"], "field": d["field"],
                               "kind": d["kind"], "cases": d["cases"],
                               "passed": d["passed"] == Symbol("true"),
                               "worst_error": d["worst-error"],
                               "domains": [{"name": n, "sort": s, "kind": k, "size": z}
                                           for n, s, k, z in doms]})
            as_json = {
                "archlaw-certificate": one("version"), "theorem": one("theorem"),
                "statement": one("statement"), "conclusion": one("conclusion"),
                "statement_sha256": one("statement-sha256"),
                "axioms": [str(a) for a in entries.get("axioms", [])],
                "weights_sha256": one("weights-sha256"),
                "trust_base": {k: json.loads(tb[k.replace("_", "-")])
                               for k in (*_TRUST_KEYS, *(("tables",) if "tables" in tb else ()))},
                "model": {x[1]: json.loads(x[2]) for x in entries.get("model", [])},
                "settings": {x[1]: json.loads(x[2]) for x in entries.get("settings", [])},
                "checks": checks,
            }
        except ArchLawError:
            raise
        except (KeyError, TypeError, ValueError, AttributeError, IndexError, RecursionError) as e:
            # a check without entries, a model entry that is not JSON (or nested too deeply), ...
            raise ArchLawError(f"malformed certificate: bad entry ({type(e).__name__}: "
                               f"{str(e).splitlines()[0] if str(e) else e!r})", where=where) from None
        return Certificate.from_json(as_json, where)

    def write(self, path: str | Path) -> tuple[Path, Path]:
        """Write ``<stem>.sexp`` and ``<stem>.json`` next to `path`; returns both paths.

        Written as a pair (`archlaw.bridge.atomic.write_all`): both files are complete and
        synced under temporary names before either is moved into place, so a kill never leaves
        a torn file; it can at worst fall between the two renames, leaving a new ``.sexp``
        beside the previous ``.json``, which `pair_mismatch` reports."""
        from . import atomic

        p = Path(path)
        stem = p.with_suffix("") if p.suffix in (".sexp", ".json") else p
        sx, js = stem.with_suffix(".sexp"), stem.with_suffix(".json")
        try:
            atomic.write_all([(sx, self.to_sexp().encode("utf-8")),
                              (js, (json.dumps(self.to_json(), indent=2) + "\n").encode("utf-8"))])
        except OSError as e:
            raise ArchLawError(f"cannot write the certificate: {e.strerror or e}",
                               where=str(e.filename or sx)) from None
        return sx, js


def make_certificate(report: ConformanceReport, binding: Any, *, model: Mapping[str, Any] | None
                     = None, settings: Mapping[str, Any] | None = None,
                     export_origin: str | None = None,
                     tables: tuple[TableRecord, ...] = ()) -> Certificate:
    """The certificate of a certified `report`; `ArchLawError` with the reasons otherwise, or
    when the binding has no module (no weights to hash: the certificate would bind to nothing).
    `export_origin`: the export file's path, or "source reader" (default: "in-memory export",
    or "source reader" when the export's producer is the source reader). `tables`: the tables
    the model's symbols were extracted as (``archlaw to-lean``), recorded in the trust base,
    whose runner then assumes `TABLE_RUNNER_ASSUMPTION`."""
    if not report.certified:
        raise ArchLawError(f"no certificate for {report.theorem}: {report.verdict()}; "
                           + "; ".join(report.reasons))
    weights = bindings_sha256(binding)
    if weights is None:
        raise ArchLawError(f"no certificate for {report.theorem}: the binding has no module, so "
                           "there are no weights to hash; set Binding.module to the model")
    import torch

    checks = []
    device = dtype = "cpu"
    modes = set()
    ran = merge_ran(p for _, rep in report.hypotheses for p in rep.ran)
    for hyp, rep in report.hypotheses:
        device, dtype = rep.device, rep.dtype
        modes.add(rep.mode)
        for f in rep.fields:
            checks.append(CheckRecord(hyp, rep.law, f.field, f.check, f.cases, f.passed,
                                      float(f.worst_error),
                                      tuple((d.name, d.sort, d.kind, d.size) for d in f.domains)))
    origin = export_origin or ("source reader" if report.export_producer == "source"
                               else "in-memory export")
    return Certificate(report.theorem, report.statement, report.conclusion,
                       tuple(report.axioms or ()), tuple(checks), weights,
                       TrustBase(_runner(ran, tables), device, dtype, torch.__version__,
                                 "; ".join(sorted(modes)) or "no module", origin,
                                 report.export_sha256, report.lean_version, tuple(tables)),
                       report.statement_sha256, dict(model or {}), dict(settings or {}))


def _runner(ran: Any, tables: tuple[TableRecord, ...]) -> Runner:
    r = Runner.of(ran)
    return Runner(TABLE_RUNNER_ASSUMPTION, r.constants) if tables else r


def load_certificate(path: str | Path) -> Certificate:
    """Read a certificate written by `Certificate.write` (S-expression or JSON, by content).
    The file must be a regular UTF-8 file of at most `archlaw.bridge.limits.MAX_FILE_BYTES`;
    anything unreadable (an integer past Python's 4,300-digit conversion limit, nesting that
    exhausts the parser's recursion, ...) is a one-line error naming the file."""
    from .limits import read_user_text

    p = Path(path)
    text = read_user_text(p, "certificate")
    if text.lstrip().startswith("{"):
        try:
            doc = json.loads(text)
        except json.JSONDecodeError as e:
            raise ArchLawError(f"bad JSON at line {e.lineno}: {e.msg}", where=str(p)) from None
        except RecursionError:
            raise ArchLawError("unreadable JSON: nested too deeply", where=str(p)) from None
        except ValueError as e:  # an integer over Python's int_max_str_digits (4,300 digits)
            raise ArchLawError(f"unreadable JSON: {str(e).split(':')[0]}", where=str(p)) from None
        return Certificate.from_json(doc, where=str(p))
    return Certificate.from_sexp(text, where=str(p))


def pair_mismatch(path: str | Path, cert: Certificate) -> str | None:
    """None when `path`'s sibling (``.json`` beside a ``.sexp``, and the reverse) is absent or
    holds the same certificate as `cert` (read from `path`); else one line saying that the pair
    does not match: a write interrupted between its two renames, or one file edited."""
    p = Path(path)
    if p.suffix not in (".sexp", ".json"):
        return None
    other = p.with_suffix(".json" if p.suffix == ".sexp" else ".sexp")
    if not other.is_file():
        return None
    try:
        twin = load_certificate(other)
    except ArchLawError as e:
        return f"{p.name} and {other.name} are not the same certificate ({other.name} is unreadable: {e})"
    a, b = cert.to_json(), twin.to_json()
    if a != b:
        diff = sorted(k for k in a.keys() | b.keys() if a.get(k) != b.get(k))
        return (f"{p.name} and {other.name} are not the same certificate (they differ in "
                f"{', '.join(diff)}): a write was interrupted or one file was edited; "
                f"{p.name} is the one read")
    return None


@dataclass(frozen=True)
class VerifyResult:
    """`ok`, and a one-line `reason` (what matched, or the mismatches, each naming its field);
    `not_rederived`: the fields taken as recorded because they cannot be re-derived here, each
    ``field=value (why)``."""

    ok: bool
    reason: str
    report: ConformanceReport | None = None
    not_rederived: tuple[str, ...] = ()


#: The settings the checks are replayed with (keyword arguments of `check_theorem`); any other
#: settings entry is refused, since it would be recorded but never replayed.
REPLAYED_SETTINGS = ("seed", "budget", "samples", "max_length", "float64", "dtype", "rtol", "atol")
#: The fields `verify_certificate` cannot re-derive here, and why. Each one present is listed in
#: `VerifyResult.not_rederived` with its recorded value; every other field is re-derived from the
#: re-run and the export loaded, and a difference is refused. (``settings.float64`` is re-derived:
#: the re-run's dtype must be the recorded ``trust_base.dtype``.)
NOT_REDERIVABLE = {
    "trust_base.device": "the device of the original run",
    "trust_base.torch": "the torch version of the original run",
    "trust_base.export_origin": "where it was issued; the export's content is compared through "
                                "trust_base.export_sha256",
    "settings.seed": "an exhaustive check draws no samples",
    "settings.samples": "an exhaustive check draws no samples",
    "settings.budget": "any budget of at least every domain's size enumerates the same cases",
    "settings.max_length": "it bounds only list domains, whose sizes are compared",
    "model.ref": "not told which module:callable built the model",
    "model.params": "not told which parameters built the model",
}


def _short(v: Any) -> str:
    """A value as it appears in a mismatch line: repr, cut to 80 characters."""
    text = repr(v)
    return text if len(text) <= 80 else text[:77] + "..."


def _leaves(x: Any, path: str = "") -> dict[str, Any]:
    """Every leaf of a certificate's JSON by its path: ``trust_base.dtype``,
    ``checks[0].domains[1].sort``; an empty list or mapping is a leaf."""
    if isinstance(x, Mapping) and x:
        out: dict[str, Any] = {}
        for k, v in x.items():
            out.update(_leaves(v, f"{path}.{k}" if path else str(k)))
        return out
    if isinstance(x, (list, tuple)) and x:
        out = {}
        for i, v in enumerate(x):
            out.update(_leaves(v, f"{path}[{i}]"))
        return out
    return {path: x}


def rederived_mismatches(cert: Certificate, now: Certificate) -> list[str]:
    """The fields in which `cert` differs from `now`, the certificate re-derived from the re-run
    and the export loaded, one ``field: certificate X, re-derived Y`` each, in the certificate's
    order. The model and settings entries and the `NOT_REDERIVABLE` fields are not compared here
    (`verify_certificate` handles them)."""
    def compared(path: str) -> bool:
        return not (path.startswith(("model.", "settings.")) or path in ("model", "settings")
                    or path in NOT_REDERIVABLE)

    absent = object()
    mine, theirs = _leaves(cert.to_json()), _leaves(now.to_json())
    out = []
    for path in [*mine, *(p for p in theirs if p not in mine)]:
        a, b = mine.get(path, absent), theirs.get(path, absent)
        if not compared(path) or a == b and type(a) is type(b):
            continue
        line = (f"{path}: certificate {'(absent)' if a is absent else _short(a)}, re-derived "
                f"{'(absent)' if b is absent else _short(b)}")
        if path == "trust_base.dtype":
            line += f" (the re-run's dtype, with settings.float64={bool(cert.settings.get('float64'))})"
        out.append(line)
    return out


def _model_mismatches(cert: Certificate, model_ref: str | None,
                      params: Mapping[str, Any] | None) -> tuple[list[str], list[str]]:
    """(mismatches, not re-derived) of the certificate's model entries against the reference and
    parameters the model being verified was built from (None: not known to the caller)."""
    bad: list[str] = []
    notes: list[str] = []
    for k in sorted(set(cert.model) - {"ref", "params"}):
        bad.append(f"model.{k}: not a model entry (accepted: ref, params)")
    ref = cert.model.get("ref")
    if model_ref is None:
        if ref is not None:
            notes.append(f"model.ref={_short(ref)} ({NOT_REDERIVABLE['model.ref']})")
    elif ref is None:
        notes.append(f"model.ref: the certificate records none; the model was built by "
                     f"{_short(model_ref)}")
    elif ref != model_ref:
        bad.append(f"model.ref: certificate {_short(ref)}, the model verified was built by "
                   f"{_short(model_ref)}")
    recorded = dict(cert.model.get("params") or {})
    if params is None:
        if recorded:
            notes.append(f"model.params={_short(recorded)} ({NOT_REDERIVABLE['model.params']})")
    elif "params" not in cert.model:
        if params:
            notes.append(f"model.params: the certificate records none; the model was built with "
                         f"{_short(dict(params))}")
    else:
        missing = object()
        for k in sorted(set(recorded) | set(params)):
            a, b = recorded.get(k, missing), params.get(k, missing)
            if a != b or type(a) is not type(b):
                bad.append(f"model.params.{k}: certificate "
                           f"{'(absent)' if a is missing else _short(a)}, the model verified was "
                           f"built with {'(absent)' if b is missing else _short(b)}")
    return bad, notes


def _settings_notes(cert: Certificate, now: Certificate) -> tuple[list[str], list[str]]:
    """(mismatches, not re-derived) of the settings and the other `NOT_REDERIVABLE` fields."""
    bad = [f"settings.{k}: not a setting the checks are replayed with (accepted: "
           f"{', '.join(REPLAYED_SETTINGS)})" for k in cert.settings if k not in REPLAYED_SETTINGS]
    notes = []
    here = {"trust_base.device": "this re-run's", "trust_base.torch": "this torch's",
            "trust_base.export_origin": "the export loaded here"}
    mine, ours = cert.trust_base.to_json(), now.trust_base.to_json()
    for path, why in NOT_REDERIVABLE.items():
        group, _, key = path.partition(".")
        if group == "trust_base":
            same = "the same as" if mine[key] == ours[key] else "DIFFERENT from"
            notes.append(f"{path}={_short(mine[key])} ({why}; {same} {here[path]}, "
                         f"{_short(ours[key])})")
        elif group == "settings" and key in cert.settings:
            notes.append(f"{path}={_short(cert.settings[key])} ({why})")
    return bad, notes


def static_checks(cert: Certificate, export: Any) -> VerifyResult | None:
    """The checks that need no model: allowed axioms, statement provenance, the theorem exists
    in the library, is ``lean`` with the same axioms, and its statement text hashes as recorded.
    None when they pass; else the first mismatch. Run before any model is built."""
    bad = sorted(set(cert.axioms) - ALLOWED_AXIOMS)
    if bad:
        return VerifyResult(False, f"axioms outside the allowed list: {', '.join(bad)}")
    if cert.statement != "lean":
        return VerifyResult(False, f"statement provenance is {cert.statement!r}, not 'lean'")
    if not cert.weights_sha256:
        return VerifyResult(False, "the certificate records no weights hash")
    try:
        thm = export.find(cert.theorem)
    except ArchLawError as e:
        return VerifyResult(False, f"theorem not in the library: {e}")
    if thm.name != cert.theorem:   # find also takes a unique suffix; a certificate names it fully
        return VerifyResult(False, f"theorem: certificate {cert.theorem!r}, the library's "
                                   f"declaration is {thm.name!r}")
    if getattr(thm, "kind", "") != "theorem":
        return VerifyResult(False, f"{cert.theorem} is not a theorem")
    if thm.statement_provenance != "lean":
        return VerifyResult(False, f"the library's {cert.theorem} has statement provenance "
                                   f"{thm.statement_provenance!r}, not 'lean'")
    if not export.lean_verified:
        return VerifyResult(False, f"statement: the library's {cert.theorem} is lean (declared): "
                                   "the export says Lean made it, but lake did not re-derive it "
                                   "from these Lean files here (`archlaw laws` says why), so no "
                                   "certificate rests on it")
    if thm.axioms is None or tuple(sorted(thm.axioms)) != tuple(sorted(cert.axioms)):
        return VerifyResult(False, f"the library's axioms for {cert.theorem} "
                                   f"({thm.axioms}) differ from the certificate's ({list(cert.axioms)})")
    now = statement_sha256(thm, [law for _, law in assumed_laws(thm, export)])
    if now != cert.statement_sha256:
        return VerifyResult(False, f"statement mismatch (statement_sha256): the library's "
                                   f"statement of {cert.theorem} "
                                   f"hashes {now}, the certificate's {cert.statement_sha256 or 'none'}")
    return None


def _rederive_tables(cert: Certificate, thm: Any, export: Any, binding: Any
                     ) -> tuple[tuple[TableRecord, ...], list[str]]:
    """The certificate's tables recomputed from the model's weights (and the generated module's
    text from them), and one mismatch line per table or Lean file hash that differs."""
    import hashlib

    from .tolean import to_lean

    modules = {t.module for t in cert.trust_base.tables}
    if len(modules) != 1:
        return (), [f"trust_base.tables: the tables name {len(modules)} modules, expected one"]
    try:
        result = to_lean(thm, export, binding, module=modules.pop(), tables_only=True)
    except ArchLawError as e:
        return (), [f"trust_base.tables: the tables cannot be recomputed from the model: {e}"]
    lean_sha = hashlib.sha256(result.text.encode("utf-8")).hexdigest()
    now = TableRecord.of(result, lean_sha)
    bad = []
    mine = {t.symbol: (i, t) for i, t in enumerate(cert.trust_base.tables)}
    for t in now:
        if t.symbol not in mine:
            bad.append(f"trust_base.tables: no table of {t.symbol} recorded")
            continue
        i, rec = mine[t.symbol]
        if rec.sha256 != t.sha256:
            bad.append(f"table hash mismatch (trust_base.tables[{i}].sha256): certificate "
                       f"{rec.sha256}, recomputed from the weights {t.sha256} (the table of "
                       f"{t.symbol}, {t.cases:,} cases)")
        elif rec.lean_sha256 != t.lean_sha256:
            bad.append(f"trust_base.tables[{i}].lean_sha256: certificate {rec.lean_sha256}, "
                       f"the module regenerated from the table {t.lean_sha256}")
    return now, bad


def verify_certificate(cert: Certificate, export: Any, binding: Any, *,
                       model_ref: str | None = None, params: Mapping[str, Any] | None = None,
                       export_origin: str | None = None) -> VerifyResult:
    """Re-check `cert` against the library `export` and the model `binding` (see the module
    docstring). `model_ref` and `params`: the ``module:callable`` and keyword arguments that
    built `binding`, compared with ``model.ref`` and ``model.params`` (None: unknown, listed as
    not re-derived); `export_origin`: where `export` was loaded from (as `make_certificate`
    takes it). Never raises for a mismatch: returns ``VerifyResult(False, reason)``."""
    static = static_checks(cert, export)
    if static is not None:
        return static
    thm = export.find(cert.theorem)
    bad, model_notes = _model_mismatches(cert, model_ref, params)
    if bad:
        return VerifyResult(False, "; ".join(bad))
    tables: tuple[TableRecord, ...] = ()
    if cert.trust_base.tables:
        tables, bad_tables = _rederive_tables(cert, thm, export, binding)
        if bad_tables:
            return VerifyResult(False, "; ".join(bad_tables))
    got = bindings_sha256(binding)
    if got is None:
        return VerifyResult(False, "the model has no module: no weights hash to compare")
    # the fields the model came from, named in every later refusal: an edited parameter shows
    # up only as the model it builds (other weights, other domains)
    built = ("" if model_ref is None else f" (the model built by model.ref={model_ref!r}"
             + "".join(f", model.params.{k}={_short(v)}" for k, v in (params or {}).items()) + ")")
    if got != cert.weights_sha256:
        return VerifyResult(False, f"weights hash mismatch (weights_sha256): certificate "
                                   f"{cert.weights_sha256}, model {got}{built}")
    s = dict(cert.settings)
    kwargs = {k: s[k] for k in ("seed", "budget", "samples", "max_length") if k in s}
    if s.get("float64"):
        kwargs["float64"] = True
    # the dtype and a tolerance override are replayed as recorded (`archlaw.cli.check.settings_record`)
    from .sorts import TOLERANCES, Tolerance

    if "dtype" in s:
        known = {str(d).replace("torch.", ""): d for d in TOLERANCES}
        if s["dtype"] not in known:
            return VerifyResult(False, f"the certificate records dtype {s['dtype']!r}; accepted: "
                                       f"{', '.join(known)}")
        kwargs["dtype"] = known[s["dtype"]]
    if isinstance(s.get("rtol"), (int, float)) and isinstance(s.get("atol"), (int, float)):
        kwargs["tolerance"] = Tolerance(float(s["rtol"]), float(s["atol"]))
    try:
        rep = check_theorem(thm, export, binding, **kwargs)
    except ArchLawError as e:
        return VerifyResult(False, f"re-check failed: {e}")
    if not rep.certified:
        return VerifyResult(False, "re-check failed: " + "; ".join(rep.reasons) + built, rep)
    if rep.conclusion != cert.conclusion:
        return VerifyResult(False, f"conclusion mismatch: certificate {cert.conclusion!r}, "
                                   f"re-check {rep.conclusion!r}{built}", rep)
    now = make_certificate(rep, binding, model=cert.model, settings=cert.settings,
                           export_origin=export_origin or "unknown (not given to verify)",
                           tables=tables)
    bad = rederived_mismatches(cert, now)
    bad_settings, notes = _settings_notes(cert, now)
    bad += bad_settings
    if bad:
        return VerifyResult(False, "; ".join(bad) + built, rep)
    return VerifyResult(True, f"verified: {len(cert.checks)} checks re-run exhaustive and passed; "
                              "weights, axioms, statement, conclusion, checks, domains and trust "
                              "base re-derived and equal", rep, tuple(notes + model_notes))
