"""How a model meets a law: the binding, and the batched values that flow through a check.

A law's parameters are sorts (``A : Type``), law parameters (``B : Nat``) and symbols
(``cell : A → H → H``). A `Binding` gives each of them a meaning in torch:

* `sorts`       each sort parameter's encoding, e.g. ``{"A": Finite(10), "H": FloatVec((16,))}``
                (see `archlaw.bridge.sorts` for the encodings);
* `params`      each law parameter's value, e.g. ``{"B": 10}``;
* `symbols`     each symbol's batched callable (see below);
* `model_symbols` which of those symbols the network supplies; the others have a fixed meaning
                (a group action, a decoding) and are supplied by the binding's author;
* `max_train_length` / `max_train_depth`: the longest list / deepest tree seen in training, so that
                checks can sample up to 10× beyond it;
* `module`      the torch module whose weights a certificate hashes (None for a pure function).

Batched values (the *decoded* form; a binding's callables take and return these):

=====================  ====================================================================
sort                   value for a batch of N cases
=====================  ====================================================================
``Fin n``, ``Nat``     ``torch.long`` tensor of shape (N,)
``Bool``               ``torch.bool`` tensor of shape (N,)
a float encoding       floating tensor of shape (N, *shape)
``A × B``              a tuple ``(a, b)`` of batched values
``List A``             `ListBatch`: ``values`` with leading dims (N, L, ...), ``lengths`` (N,)
``A → B``              a Python callable from batched A to batched B
=====================  ====================================================================

A symbol of sort ``A₁ → … → Aₖ → R`` is a callable taking k batched values (all of batch size N)
and returning one batched R. Models that speak of discrete sorts return *decoded* values
(argmax taken inside), so a check sees the model exactly as it is run.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

import torch

__all__ = ["ListBatch", "Binding"]


@dataclass(frozen=True)
class ListBatch:
    """A batch of N lists padded to a common length L.

    `values`: a tensor (or tuple of tensors, for lists of products) with leading dims (N, L);
    entries at positions ``>= lengths[i]`` are padding and never read.
    `lengths`: ``torch.long`` of shape (N,).
    """

    values: Any
    lengths: torch.Tensor

    @property
    def batch_size(self) -> int:
        return int(self.lengths.shape[0])

    @property
    def max_length(self) -> int:
        return int(self.lengths.max()) if self.lengths.numel() else 0


@dataclass(frozen=True)
class Binding:
    """A model bound to a law's parameters (see the module docstring)."""

    sorts: Mapping[str, Any]
    params: Mapping[str, int]
    symbols: Mapping[str, Callable[..., Any]]
    model_symbols: frozenset[str]
    max_train_length: int | None = None
    max_train_depth: int | None = None
    module: torch.nn.Module | None = None
    #: Free-form facts recorded in reports and certificates (task, seed, training config ...).
    metadata: Mapping[str, Any] = field(default_factory=dict)
