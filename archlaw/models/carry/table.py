"""The carry cell read off as a table, and two adders that run on the table instead of the network.

`read_cell_table(cell)` enumerates the decoded cell (`CarryCellMLP.decode`: one-hot in, argmax
out, the decoding every adder uses) on all 2·B² inputs, once, through the engine's extraction
(the table `archlaw to-lean` writes, with the same SHA-256), into a `CellTable`: the digit and
carry tables, int arrays of shape (2, B, B) indexed ``[carry_in, a, b]``. From then on nothing
runs the network.

Two engines over a table, in numpy on the CPU; digits little-endian and batch-first, as
`MealyAdder.run`: ``xs, ys`` (N, L) ints in ``[0, B)``, optional ``carry_in`` (N,) in {0, 1},
result (N, L + 1) int64 sum digits, the last one the final carry.

* `table_sequential`: the Mealy adder run on the table, one step per position (vectorised over
  the batch). The table *is* the decoded cell on every input, so this is `MealyAdder.run` step
  for step: equal to the network by construction, and ``ArchLaw.Carry.add_correct`` speaks of it
  as of the network (the table passes ``CarryCell`` exactly when the decoded cell does).
* `table_lookahead`: carry-lookahead, a different algorithm from Lean's ``addWithCarry``. Each
  pair's status in ``ArchLaw.Carry.Gen`` is read off the table, ``(carry[0, a, b],
  carry[1, a, b])`` = (0, 0) kill, (0, 1) propagate, (1, 1) generate (`CellTable.statuses`;
  ``status_check`` compares it with Lean's ``status a b`` on all B² pairs). The carry into
  position i is ``eval (s₀ ⋆ … ⋆ sᵢ₋₁) c_in`` with ⋆ = Lean's own ``Gen.op`` (no learned
  combine): that this is the sequential carry chain is ``lookahead_correct`` /
  ``scan_correct`` for ``combine := Gen.op``, whose ``CombineLaws`` Lean proves
  (``op_combineLaws``). Because ``Gen.op x y = if y = P then x else y`` (``Gen.op_eq_ite``), the
  product of a prefix is its last non-propagate status, or P when it has none: one
  ``np.maximum.accumulate`` over the positions of the non-propagate statuses computes every
  prefix at once (the associative scan, O(L) work). That step, numpy computing the ``Gen.op``
  prefixes this way, is what the engine adds to the trust base (`archlaw.models.carry.bindings.LOOKAHEAD_TRUST`); it is tested
  against `table_sequential`, not checked by Lean. Each digit is then ``digit[carry, a, b]``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from archlaw.models.carry.bindings import carry_decl, cell_binding
from archlaw.models.carry.modules import G, K, P, CarryCellMLP

__all__ = ["CellTable", "read_cell_table", "table_sequential", "table_lookahead"]

@dataclass(frozen=True, eq=False)
class CellTable:
    """The decoded cell on all its inputs: ``digit[c, a, b]``, ``carry[c, a, b]``, int64 arrays of
    shape (2, B, B), read-only."""

    base: int
    digit: np.ndarray
    carry: np.ndarray
    #: SHA-256 of the extracted table (`archlaw.bridge.extraction.Table.sha256`)
    sha256: str

    @property
    def cases(self) -> int:
        """2·B², the number of inputs of the cell."""
        return 2 * self.base * self.base

    def statuses(self) -> np.ndarray:
        """(B, B) int64 lookahead statuses (K = 0, P = 1, G = 2) read off the carries:
        ``(carry[0], carry[1])`` = (0, 0) K, (0, 1) P, (1, 1) G; the pattern (1, 0), which no
        cell satisfying ``CarryCell`` has, is the out-of-range code 3, so that using it fails."""
        k0, k1 = self.carry[0], self.carry[1]
        return np.where(k0 == k1, np.where(k0 == 1, G, K), np.where(k1 == 1, P, 3))

    def decode(self, a: torch.Tensor, b: torch.Tensor, c: torch.Tensor
               ) -> tuple[torch.Tensor, torch.Tensor]:
        """`CarryCellMLP.decode` by lookup: a, b, c long tensors (same shape) -> (digit, carry)
        long tensors, so that the engine checks ``CarryCell`` on the table itself
        (`archlaw.models.carry.bindings.table_binding`)."""
        idx = (c.cpu() * self.base + a.cpu()) * self.base + b.cpu()
        d = torch.tensor(self.digit.reshape(-1))[idx].to(a.device)
        k = torch.tensor(self.carry.reshape(-1))[idx].to(a.device)
        return d, k

    def generators(self, a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
        """`CarryCellMLP.generators` on the table: the statuses of pairs (a, b), long tensors of
        any shape (so `archlaw.models.carry.bindings.status_check` checks a table as a cell)."""
        s = torch.tensor(self.statuses())
        return s[a.cpu(), b.cpu()].to(a.device)


def read_cell_table(cell: CarryCellMLP, export: Any = None) -> CellTable:
    """The decoded cell on all 2·B² inputs, read off by the engine's one extraction
    (`archlaw.bridge.extraction.symbol_table` of ``CarryCell``'s ``cell`` through
    `cell_binding`, which runs `CarryCellMLP.decode` in one batched call): the same table, and
    the same SHA-256, that `archlaw to-lean` writes to Lean and a certificate records."""
    from archlaw.bridge.extraction import symbol_table

    base = cell.base
    t = symbol_table(carry_decl("cell", export), cell_binding(cell), "cell",
                     limit=2 * base * base)
    # entries in enumeration order of cell a b c (c fastest), each (digit, carry)
    arr = np.asarray(t.entries, dtype=np.int64).reshape(base, base, 2, 2).transpose(2, 0, 1, 3)
    digit, carry = np.ascontiguousarray(arr[..., 0]), np.ascontiguousarray(arr[..., 1])
    digit.setflags(write=False)
    carry.setflags(write=False)
    return CellTable(base, digit, carry, t.sha256())


def _operands(table: CellTable, xs, ys, carry_in) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(pair index a·B + b as (N, L) int64, carry-in (N,) int64, N): checked shapes and digits."""
    x, y = np.asarray(xs), np.asarray(ys)
    if x.ndim != 2 or x.shape != y.shape:
        raise ValueError(f"xs and ys must be (N, L) arrays of one shape, got {x.shape} and {y.shape}")
    for name, v in (("xs", x), ("ys", y)):
        if v.size and (v.min() < 0 or v.max() >= table.base):
            raise ValueError(f"{name}: digits must be in [0, {table.base}), got {v.min()}..{v.max()}")
    pair = x.astype(np.int64) * table.base + y
    n = x.shape[0]
    cin = np.zeros(n, np.int64) if carry_in is None else np.asarray(carry_in, np.int64).reshape(n)
    if cin.size and (cin.min() < 0 or cin.max() > 1):
        raise ValueError("carry_in must be 0 or 1")
    return pair, cin, n


def table_sequential(table: CellTable, xs, ys, carry_in=None) -> np.ndarray:
    """The Mealy adder on the table: (N, L) digits -> (N, L + 1) int64 sum digits; carry state 0
    at the start (or `carry_in`), one table step per position over the whole batch."""
    pair, c, n = _operands(table, xs, ys, carry_in)
    length = pair.shape[1]
    stride = table.base * table.base
    digit, carry = table.digit.reshape(-1), table.carry.reshape(-1)
    cols = np.ascontiguousarray(pair.T)  # position i's pairs contiguous
    out = np.empty((length + 1, n), np.int64)
    for i in range(length):
        k = c * stride + cols[i]
        out[i] = digit[k]
        c = carry[k]
    out[length] = c
    return np.ascontiguousarray(out.T)


def table_lookahead(table: CellTable, xs, ys, carry_in=None) -> np.ndarray:
    """Carry-lookahead on the table (module docstring): (N, L) digits -> (N, L + 1) int64 sum
    digits. Raises ValueError when a pair's status is the impossible (1, 0) pattern."""
    pair, cin, n = _operands(table, xs, ys, carry_in)
    length = pair.shape[1]
    statuses = table.statuses().reshape(-1)
    if (statuses == 3).any():
        a, b = divmod(int(np.flatnonzero(statuses == 3)[0]), table.base)
        raise ValueError(f"the table's carries at a={a}, b={b} are (1, 0): no lookahead status")
    out = np.empty((n, length + 1), np.int64)
    out[:, length] = cin
    if length == 0:
        return out
    # Position i is marked 4·i + 2 (K) or 4·i + 3 (G), and below every non-propagate mark when
    # it propagates (4·i − 4·L − 8: negative, even); position 0's mark is raised to at least
    # c_in − 2 (−2 or −1: above any propagate mark, below any other). The running maximum is then
    # the last non-propagate status at or before each position (the Gen.op prefix, with c_in as
    # the status K or G in front), and its low bit is the carry out of that prefix.
    wide = np.int64 if 4 * length + 8 >= 2 ** 31 else np.int32
    code = np.where(statuses == P, -4 * length - 8, np.where(statuses == G, 3, 2)).astype(wide)
    mark = code[pair]
    mark += np.arange(0, 4 * length, 4, dtype=wide)
    np.maximum(mark[:, 0], (cin - 2).astype(wide), out=mark[:, 0])
    np.maximum.accumulate(mark, axis=1, out=mark)
    mark &= 1  # the carry out of each position
    stride = table.base * table.base
    digit = table.digit.reshape(-1)
    out[:, 0] = digit[cin * stride + pair[:, 0]]
    out[:, 1:length] = digit[mark[:, :-1] * stride + pair[:, 1:]]
    out[:, length] = mark[:, -1]
    return out
