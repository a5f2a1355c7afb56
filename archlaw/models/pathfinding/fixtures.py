"""The pathfinding family's registry fixtures for ``pytest --archlaw``: tiny models and seeded
violations bound to the laws."""

from __future__ import annotations
