"""pytest plugin (entry point ``pytest11``): ``pytest --archlaw`` checks every registered model
against its laws. Kept import-light: torch is imported only when ``--archlaw`` is given."""

from __future__ import annotations


def pytest_addoption(parser) -> None:
    group = parser.getgroup("archlaw")
    group.addoption("--archlaw", action="store_true", default=False,
                    help="collect one law check per (law, model) from ArchLaw's model registry")
