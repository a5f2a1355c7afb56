"""ArchLaw: laws of neural architectures, stated in Lean 4 (proved where Lean runs), checked on torch models.

The package has three layers, and imports run one way (a test walks them and fails on a cycle):

* `archlaw.bridge`: the engine. Reading laws (Lean source or a Lean export), the IR, interpreting
  terms over torch tensors, conformance checks, certificates. It imports no family.
* `archlaw.models`: the families (`carry`, `equivariance`, `recursion`), each the same slice of
  modules, data, training, bindings, fixtures and baselines, plus the shared model registry.
* `archlaw.cli`: the `archlaw` command (`python -m archlaw` runs the same), the only layer that
  sees both.

The names below are the small public API; they load on first use, so that ``import archlaw``
(and ``archlaw --help``) do not import torch.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

#: public name -> module that defines it
_API = {
    "ArchLawError": "archlaw.bridge.errors",
    "Binding": "archlaw.bridge.binding",
    "check_law": "archlaw.bridge.conformance",
    "check_theorem": "archlaw.bridge.conformance",
    "load_export": "archlaw.bridge.library",
    "assert_law": "archlaw.testing",
    "build": "archlaw.models.build",
}

__all__ = ["__version__", *_API]


def __getattr__(name: str) -> Any:
    try:
        module = _API[name]
    except KeyError:
        raise AttributeError(f"module 'archlaw' has no attribute {name!r}") from None
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value          # later lookups skip __getattr__
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
