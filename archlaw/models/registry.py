"""The project's registry of models, for `pytest --archlaw` and `archlaw check`.

Family modules register tiny, seeded fixtures when imported::

    from archlaw.models.registry import register

    register("carry-cell-b10", law="ArchLaw.Carry.CarryCell", theorem="ArchLaw.Carry.add_correct",
             binding=make_tiny_binding, tiny=True)

`binding` is a zero-argument callable returning a `archlaw.bridge.binding.Binding` (it is called
only when the check runs, so importing a family module stays cheap). `law` is a law's full name
(resolved against the library export, `archlaw.bridge.library.load_export`), its unique suffix,
or an `archlaw.bridge.ir.Law` value. `check` holds keyword arguments for `check_law` (seed,
budget, samples, float64, max_length ...). `expect_pass=False` marks a seeded violation that the
checker must catch (the plugin then passes when the check fails); `expect_field="cons"` and
`expect_counterexample="a := 4"` (a substring of the counterexample's text) say which failure it
must be, so a seeded violation is caught for the right reason, not for any failure at all.

`entries()` imports the known family modules (`FAMILY_MODULES`) lazily and tolerates those that
do not exist yet; any other import error propagates. The environment variable
``ARCHLAW_FAMILIES`` (a comma-separated module list; empty for none) replaces that list, e.g. to
run the plugin on a user's own registrations only; a module it names that cannot be found is an
`ArchLawError` naming it.
"""

from __future__ import annotations

import contextlib
import importlib
import os
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator, Mapping

__all__ = ["ModelEntry", "Outcome", "register", "entries", "get", "run_entry", "FAMILY_MODULES", "clear", "isolated",
           "one_thread"]

#: Family modules imported by `entries()` (missing ones are skipped).
FAMILY_MODULES = ("archlaw.models.carry.fixtures", "archlaw.models.equivariance.fixtures",
                  "archlaw.models.recursion.fixtures", "archlaw.models.para.fixtures",
                  "archlaw.models.pathfinding.fixtures")


@dataclass(frozen=True)
class ModelEntry:
    """One registered (model, law) pair."""

    name: str
    law: Any  # str (law name) or archlaw.bridge.ir.Law
    binding: Callable[[], Any]
    theorem: str | None = None
    tiny: bool = True
    check: Mapping[str, Any] = field(default_factory=dict)
    expect_pass: bool = True
    fields: tuple[str, ...] | None = None
    expect_field: str | None = None
    expect_counterexample: str | None = None

    @property
    def law_name(self) -> str:
        return self.law if isinstance(self.law, str) else self.law.name

    @property
    def id(self) -> str:
        return f"{self.law_name}[{self.name}]"


_ENTRIES: dict[tuple[str, str], ModelEntry] = {}
_loaded = False


def register(name: str, *, law: Any, binding: Callable[[], Any], theorem: str | None = None,
             tiny: bool = True, check: Mapping[str, Any] | None = None, expect_pass: bool = True,
             fields: tuple[str, ...] | None = None, expect_field: str | None = None,
             expect_counterexample: str | None = None) -> ModelEntry:
    """Register model `name` checked against `law` (see the module docstring). Registering the
    same (name, law) again replaces the earlier entry."""
    from archlaw.bridge.errors import ArchLawError

    if not callable(binding):
        raise ArchLawError(f"register({name!r}): binding must be a callable returning a Binding")
    if expect_pass and (expect_field is not None or expect_counterexample is not None):
        raise ArchLawError(f"register({name!r}): expect_field/expect_counterexample describe a "
                           "seeded violation; pass expect_pass=False with them")
    entry = ModelEntry(name, law, binding, theorem, tiny, dict(check or {}), expect_pass, fields,
                       expect_field, expect_counterexample)
    _ENTRIES[(name, entry.law_name)] = entry
    return entry


def _load_families() -> None:
    global _loaded
    if _loaded:
        return
    _loaded = True
    env = os.environ.get("ARCHLAW_FAMILIES")
    mods = FAMILY_MODULES if env is None else tuple(m.strip() for m in env.split(",") if m.strip())
    for mod in mods:
        try:
            importlib.import_module(mod)
        except ModuleNotFoundError as e:
            if env is not None and e.name is not None and \
                    (e.name == mod or mod.startswith(e.name + ".")):
                # a module the user named: skipping it would check nothing and say nothing
                from archlaw.bridge.errors import ArchLawError

                _loaded = False  # a corrected environment is read again
                raise ArchLawError(f"ARCHLAW_FAMILIES={env!r}: cannot import module {mod!r} "
                                   "(a comma-separated list of importable modules that "
                                   "register models; empty for none)") from None
            if e.name != mod:
                raise


def entries(*, tiny_only: bool = True, load: bool = True) -> tuple[ModelEntry, ...]:
    """All registered entries (after importing the family modules), in registration order."""
    if load:
        _load_families()
    return tuple(e for e in _ENTRIES.values() if e.tiny or not tiny_only)


def get(name: str) -> tuple[ModelEntry, ...]:
    """The entries registered under model `name`."""
    _load_families()
    return tuple(e for e in _ENTRIES.values() if e.name == name)


def clear() -> None:
    """Forget every entry (tests only; see `isolated`)."""
    global _loaded
    _ENTRIES.clear()
    _loaded = False


@contextlib.contextmanager
def isolated() -> Iterator[None]:
    """Tests only: whatever is registered or cleared inside the block is undone after it.

    Family modules register on import, and a module is imported once per process: a test that
    `clear`s the registry without restoring it would leave later tests without those entries."""
    global _loaded
    saved, loaded = dict(_ENTRIES), _loaded
    try:
        yield
    finally:
        _ENTRIES.clear()
        _ENTRIES.update(saved)
        _loaded = loaded


@contextlib.contextmanager
def one_thread() -> Iterator[None]:
    """Tiny fixtures train on one torch thread (the suite shares two cores, and the fixture is
    then the same cell whatever the caller's thread count); the count is restored afterwards."""
    import torch

    n = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(n)


@dataclass(frozen=True)
class Outcome:
    """What checking one entry gave: `passed` is whether the law (or every hypothesis of the
    theorem) held; `as_expected` is whether that is what the entry expects (a seeded violation
    is as expected when it is caught); `report` is the `LawReport` or `ConformanceReport`;
    `text` is the summary a failure prints (counterexample and replay seed included)."""

    entry: ModelEntry
    passed: bool
    report: Any
    text: str

    @property
    def as_expected(self) -> bool:
        return self.mismatch is None

    @property
    def mismatch(self) -> str | None:
        """None when the outcome is what the entry expects; else why not, in one line."""
        e = self.entry
        if e.expect_pass:
            return None if self.passed else "the check failed"
        if self.passed:
            return "seeded violation NOT caught by the checker"
        failing = [f for f in self._fields() if not f.passed]
        if e.expect_field is not None:
            failing = [f for f in failing if f.field == e.expect_field]
            if not failing:
                return (f"seeded violation caught for the wrong reason: expected field "
                        f"{e.expect_field!r} to fail, failed: "
                        f"{[f.field for f in self._fields() if not f.passed]}")
        if e.expect_counterexample is not None and not any(
                f.counterexample is not None and e.expect_counterexample in f.counterexample.text()
                for f in failing):
            return (f"seeded violation caught for the wrong reason: no counterexample"
                    f"{' to ' + repr(e.expect_field) if e.expect_field else ''} contains "
                    f"{e.expect_counterexample!r}")
        return None

    def _fields(self) -> list[Any]:
        rep = self.report
        if hasattr(rep, "hypotheses"):
            return [f for _, r in rep.hypotheses for f in r.fields]
        return list(rep.fields)

    @property
    def statement(self) -> str:
        return self.report.statement

    @property
    def check(self) -> str:
        return self.report.check


def run_entry(entry: ModelEntry, export: Any) -> Outcome:
    """Check one registered entry against the library `export` (the one place that does it:
    the pytest plugin and `archlaw demo` both call this)."""
    from archlaw.bridge.conformance import check_law, check_theorem

    law = export.find(entry.law) if isinstance(entry.law, str) else entry.law
    binding = entry.binding()
    if entry.theorem:
        rep = check_theorem(export.find(entry.theorem), export, binding, **dict(entry.check))
        text = "\n".join(r.summary() for _, r in rep.hypotheses) + f"\n{rep.theorem}: {rep.verdict()}"
        return Outcome(entry, rep.passed, rep, text)
    rep = check_law(law, binding, fields=entry.fields, **dict(entry.check))
    return Outcome(entry, rep.passed, rep, rep.summary())
