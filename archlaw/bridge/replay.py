"""One case of a check, in full: what ``archlaw check ... --case K`` prints.

A counterexample's text (`archlaw.bridge.conformance.Counterexample.text`) renders tensors to a
few significant digits, enough to read, not to reproduce. Re-running exactly case K of a field
(``check_law(..., case=K)``: the same seed, budget, samples and bounds draw the same domain, and
K is the counterexample's ``case``, its index in check order) records its binder values and both
sides of the equation at full precision, as written here: a tensor as its shape, dtype and nested
values (each float as Python's shortest round-trip repr), a list as its elements, a pair as both.
"""

from __future__ import annotations

from typing import Any

import torch

from .binding import ListBatch

__all__ = ["full_text"]


def full_text(v: Any, enc: Any = None) -> str:
    """The batched value `v` of one case (batch size 1), every entry at full precision; `enc`,
    its encoding, turns a function over a finite type (`archlaw.bridge.tables`) into its
    table, the tensor a model takes or returns."""
    from .tables import TableSort, to_tensor

    if isinstance(enc, TableSort):
        v = to_tensor(enc, v, 1)
    return _text(v, 0)


def _text(v: Any, i: int) -> str:
    if isinstance(v, torch.Tensor):
        x = v[i].detach().cpu()
        dt = str(x.dtype).replace("torch.", "")
        return f"tensor {tuple(x.shape)} {dt} {x.tolist()!r}"
    if isinstance(v, ListBatch):
        n = int(v.lengths[i])
        vals = v.values if isinstance(v.values, tuple) else (v.values,)
        parts = [_text(t[i, :n][None], 0) for t in vals]
        return f"list of {n}: " + (parts[0] if len(parts) == 1 else "(" + ", ".join(parts) + ")")
    if isinstance(v, tuple):
        return "(" + ", ".join(_text(x, i) for x in v) + ")"
    return repr(v)
