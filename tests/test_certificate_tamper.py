"""`archlaw verify` checks everything a certificate says: every single-field edit of a valid
certificate, in both forms (JSON and S-expression), enumerated from the files themselves, is
refused with the edited field named, or, for the documented fields it cannot re-derive here
(`NOT_REDERIVABLE`), verified with that field listed as not re-derivable, with its edited value."""

from __future__ import annotations

import json
import re
from typing import Any, Iterator

import pytest
import sexpdata
from sexpdata import Symbol

from archlaw.bridge.certificate import NOT_REDERIVABLE, load_certificate
from archlaw.cli.app import main
from archlaw.bridge.errors import ArchLawError
from lawtools import toy_lean_export

MODEL = ["--model", "conformance_toys:cell_binding"]


@pytest.fixture(scope="module")
def issued(tmp_path_factory):
    """A certificate issued by `archlaw check` on the toy adder theorem, from a lean export file
    recorded in a temporary cache as made by lake; (folder, the --root/--from arguments)."""
    d = tmp_path_factory.mktemp("tamper")
    mp = pytest.MonkeyPatch()
    mp.setenv("ARCHLAW_CACHE", str(d / "cache"))
    proj, path = toy_lean_export(d)
    where = ["--root", str(proj), "--from", str(path)]
    assert main(["check", "adder_correct", *where, *MODEL, "--param", "base=10",
                 "--certificate", str(d / "cert")]) == 0
    yield d, where
    mp.undo()


def _edit(v: Any) -> Any:
    """One plausible edit of a leaf value: flip a bool, bump a number (``Fin 10`` -> ``Fin 11``),
    change a hash's last digit, or extend a string."""
    if isinstance(v, bool):
        return not v
    if isinstance(v, (int, float)):
        return v + 1 if isinstance(v, int) else v + 0.5
    if isinstance(v, str) and re.fullmatch(r"[0-9a-f]{64}", v):
        return v[:-1] + ("0" if v[-1] != "0" else "1")
    if isinstance(v, str) and re.search(r"\d+$", v):
        m = re.search(r"\d+$", v)
        return v[:m.start()] + str(int(m.group()) + 1)
    if isinstance(v, str):
        return v + "x"
    raise AssertionError(f"no edit for {v!r}")


def _json_edits(x: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    """(path, edited document) for every leaf of a JSON document."""
    if isinstance(x, dict):
        for k, v in x.items():
            for p, e in _json_edits(v, f"{path}.{k}" if path else k):
                yield p, {**x, k: e}
    elif isinstance(x, list):
        for i, v in enumerate(x):
            for p, e in _json_edits(v, f"{path}[{i}]"):
                yield p, [*x[:i], e, *x[i + 1:]]
    else:
        yield path, _edit(x)


def _sexp_edits(x: Any) -> Iterator[Any]:
    """Every S-expression document with one atom edited (a list's head keyword stays); a string
    holding JSON (trust-base, model and settings entries) gets each of its own leaves edited."""
    if isinstance(x, list):
        for i, v in enumerate(x):
            if i == 0 and isinstance(v, Symbol):
                continue
            for e in _sexp_edits(v):
                yield [*x[:i], e, *x[i + 1:]]
    elif isinstance(x, Symbol):
        if str(x) in ("true", "false"):
            yield Symbol("false" if str(x) == "true" else "true")
    else:
        try:
            inner = json.loads(x) if isinstance(x, str) else None
        except ValueError:
            inner = None
        if isinstance(x, str) and (inner is not None or x == "null"):
            for _, e in _json_edits(inner):
                yield json.dumps(e)
        else:
            yield _edit(x)


def _leaves(x: Any, path: str = "") -> dict[str, Any]:
    if isinstance(x, dict):
        return {k2: v2 for k, v in x.items() for k2, v2 in _leaves(v, f"{path}.{k}" if path else k).items()}
    if isinstance(x, list):
        return {k2: v2 for i, v in enumerate(x) for k2, v2 in _leaves(v, f"{path}[{i}]").items()}
    return {path: x}


def _named(path: str) -> str:
    """How verify names the field at `path`: the axioms as a list, the version as 'version',
    every other field by its path."""
    return {"archlaw-certificate": "version"}.get(path, re.sub(r"^axioms\[\d+\]$", "axioms", path))


def _names(path: str) -> list[str]:
    """The names that identify an edit of `path`: its own, or an entry above it that holds it
    (``model.paramsx`` for a renamed ``model.params`` entry), never a bare group (``model``)."""
    parts = _named(path).split(".")
    return [".".join(parts[:i]) for i in range(len(parts), 1, -1)] or [parts[0]]


def _verify(path, where, capsys) -> tuple[int, str]:
    rc = main(["verify", str(path), *where, *MODEL])
    cap = capsys.readouterr()
    return rc, cap.out + cap.err


def _outcome(rc: int, out: str, fields: list[str]) -> str:
    """'refused' (exit 1 or 2, one line naming a changed field), 'reported' (exit 0, the field
    listed as not re-derivable with its value), else what went wrong."""
    lines = out.strip().splitlines()
    if rc in (1, 2):
        assert len(lines) == 1 and "Traceback" not in out, out
        assert any(n in lines[0] for f in fields for n in _names(f)), (fields, out)
        return "refused"
    assert rc == 0, out
    assert len(lines) == 2 and lines[1].startswith("  not re-derivable here"), out
    assert all(f in NOT_REDERIVABLE or f.rsplit(".", 1)[0] in NOT_REDERIVABLE for f in fields), \
        f"verify accepted an edit of {fields} silently: {out}"
    assert any(_named(f) + "=" in lines[1] for f in fields), (fields, out)
    return "reported"


def test_every_single_field_edit_of_the_json_is_refused_or_reported(issued, capsys, tmp_path):
    d, where = issued
    rc, out = _verify(d / "cert.json", where, capsys)
    assert rc == 0, out                                 # the unedited certificate verifies
    doc = json.loads((d / "cert.json").read_text())
    seen: dict[str, str] = {}
    for path, edited in _json_edits(doc):
        p = tmp_path / "edited.json"
        p.write_text(json.dumps(edited))
        rc, out = _verify(p, where, capsys)
        seen[path] = _outcome(rc, out, [path])
    reported = sorted(p for p, o in seen.items() if o == "reported")
    # every field, the 12 domain entries included, was edited: 39 fields of this certificate
    # (its dtype is the trust base's; the settings record no dtype flag that was not given).
    # Version 3's structured runner adds no leaf here: the sentence became
    # trust_base.runner.bound_symbols, and this toy law runs no library constant, so
    # trust_base.runner.constants is empty (its entries' edits: tests/test_certificate_runner.py)
    assert len(seen) == 39 and "checks[0].domains[2].size" in seen
    assert reported == ["settings.budget", "settings.samples", "settings.seed",
                        "trust_base.device", "trust_base.export_origin", "trust_base.torch"]
    assert sum(o == "refused" for o in seen.values()) == 33


def test_every_single_atom_edit_of_the_sexp_is_refused_or_reported(issued, capsys, tmp_path):
    d, where = issued
    text = (d / "cert.sexp").read_text()
    original = load_certificate(d / "cert.sexp").to_json()
    doc = sexpdata.loads(text)
    outcomes = []
    for edited in _sexp_edits(doc):
        p = tmp_path / "edited.sexp"
        p.write_text(sexpdata.dumps(edited))
        try:
            now = _leaves(load_certificate(p).to_json())
            was = _leaves(original)
            fields = sorted(k for k in {*was, *now} if was.get(k, ...) != now.get(k, ...))
        except ArchLawError:
            fields = ["archlaw-certificate"]           # only the version is refused on reading
        assert fields, sexpdata.dumps(edited)
        rc, out = _verify(p, where, capsys)
        outcomes.append(_outcome(rc, out, fields))
    # the 39 fields of the JSON form, plus the keys of the 5 model and settings entries
    assert len(outcomes) == 44
    assert outcomes.count("reported") == 6 and outcomes.count("refused") == 38


def test_a_duplicated_check_or_a_partial_theorem_name_is_refused(issued, capsys, tmp_path):
    """Edits the per-field loop cannot make: a check replaced by a copy of another, and the
    theorem named by a suffix that the library resolves (``adder_correct``)."""
    d, where = issued
    doc = json.loads((d / "cert.json").read_text())
    p = tmp_path / "e.json"
    p.write_text(json.dumps({**doc, "theorem": "adder_correct"}))
    rc, out = _verify(p, where, capsys)
    assert rc == 1 and "theorem: certificate 'adder_correct'" in out
    two = {**doc, "checks": doc["checks"] * 2}
    p.write_text(json.dumps(two))
    rc, out = _verify(p, where, capsys)
    assert rc == 1 and "checks[1].hypothesis: certificate 'h', re-derived (absent)" in out
