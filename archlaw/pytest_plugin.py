"""pytest plugin (entry point ``pytest11``): ``pytest --archlaw`` checks every registered model
against its laws.

With ``--archlaw``, one test item is collected per (law, model) entry of the project's registry
(`archlaw.models.registry`; family modules register tiny seeded fixtures on import). Laws named
by string are resolved against the library export (`archlaw.bridge.library.load_export`, read
once per session). An item runs `check_law` (or `check_theorem` for entries with a theorem) with
the entry's settings and fails when a law is violated, printing the report with the smallest
counterexample and the seed that replays it. An entry registered with ``expect_pass=False`` is a
seeded violation: its item passes only when the checker catches it.

Kept import-light: without ``--archlaw`` this module imports nothing but pytest; torch and the
registry are imported only when the items are collected.
"""

from __future__ import annotations

from typing import Any

import pytest


def pytest_addoption(parser) -> None:
    group = parser.getgroup("archlaw")
    group.addoption("--archlaw", action="store_true", default=False,
                    help="collect one law check per (law, model) from ArchLaw's model registry")


class ArchLawCheckFailed(Exception):
    """A law check that failed (or a seeded violation that was not caught)."""

    def __init__(self, text: str):
        super().__init__(text)
        self.text = text


class ArchLawItem(pytest.Item):
    """One (law, model) check from the registry."""

    def __init__(self, *, entry: Any, **kw: Any):
        super().__init__(**kw)
        self.entry = entry

    def runtest(self) -> None:
        from archlaw.models.registry import run_entry

        out = run_entry(self.entry, _export(self.config))
        self.user_properties.append(("archlaw", out.text))
        if not out.as_expected:
            raise ArchLawCheckFailed(out.text if self.entry.expect_pass else
                                     f"{out.mismatch}:\n" + out.text)

    def repr_failure(self, excinfo, style=None):  # type: ignore[override]
        if isinstance(excinfo.value, ArchLawCheckFailed):
            return excinfo.value.text
        from archlaw.bridge.errors import ArchLawError

        if isinstance(excinfo.value, ArchLawError):
            return f"archlaw: error: {excinfo.value}"
        return super().repr_failure(excinfo, style=style)

    def reportinfo(self):
        return self.path, None, f"archlaw {self.entry.id}"


def _export(config) -> Any:
    key = "_archlaw_export"
    if not hasattr(config, key):
        from archlaw.bridge.library import load_export

        setattr(config, key, load_export())
    return getattr(config, key)


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(session, config, items) -> None:
    if not config.getoption("archlaw", default=False):
        return
    from archlaw.models.registry import entries

    for entry in entries():
        items.append(ArchLawItem.from_parent(session, name=entry.id, nodeid=f"archlaw::{entry.id}",
                                             entry=entry))
