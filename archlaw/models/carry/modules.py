"""The certified adder: a learned carry cell inside a Mealy machine, and a log-depth adder.

The laws (``lean/ArchLaw/Carry*.lean``) and what this module supplies for them:

* ``CarryCell B cell`` with ``cell : Fin B → Fin B → Fin 2 → Fin B × Fin 2``:
  ``(cell a b c).1.val + B * (cell a b c).2.val = a.val + b.val + c.val``.
  `CarryCellMLP` is that cell: an MLP on one-hot digits and a one-hot carry; *decoded* (argmax
  digit, argmax carry) it is a function on exactly those finite sorts, checked on all 2·B² cases.
* ``Cocycle`` over a carry function ``c : Fin B → Fin B → Fin 2``: the learned carry is the cell's
  carry output with carry-in 0, checked on all B³ triples.
* The adder theorem: for every cell satisfying CarryCell, the Mealy adder over little-endian digit
  lists computes the sum. `MealyAdder.run` is that Mealy adder, running the cell hard-decoded at
  every step (argmax digit out, the argmax carry fed forward one-hot), so the object checked is
  exactly the object that runs. State 0 is "no carry" and is the start state.
* The lookahead laws over ``Gen`` (kill / propagate / generate) with a learned
  ``combine : Gen → Gen → Gen``: associativity (27 triples) and
  ``eval (combine x y) c = eval y (eval x c)`` (18 cases). `CombineMLP` is that combine;
  `LookaheadAdder` runs it as a Hillis–Steele parallel prefix scan (log₂ L rounds, each batched
  over all positions; in chunks of `SCAN_POSITIONS` positions, so memory stays bounded), taking
  each position's generator from the certified cell's carries.

Training lives in `archlaw.models.carry.train`, the bindings to the laws in
`archlaw.models.carry.bindings`.

Digits are ``torch.long``; batch-first; little-endian (``xs[:, i]`` has weight ``B**i``).
Generators are encoded ``K = 0, P = 1, G = 2`` (`GEN_NAMES`).
"""

from __future__ import annotations

from typing import Callable

import torch
import torch.nn.functional as F
from torch import nn

from archlaw.bridge.sorts import decode_argmax, one_hot

__all__ = [
    "CarryCellMLP", "MealyAdder", "CombineMLP", "LookaheadAdder", "GEN_NAMES", "K", "P", "G",
    "gen_eval", "hillis_steele_scan", "sequential_scan", "table_cell", "table_combine",
    "COMBINE_TABLE", "SCAN_POSITIONS",
]

#: Digit positions (over the whole batch) per chunk of `LookaheadAdder.run`: bounds its working
#: memory to about 3 KB × this (~100 MB measured), however long the operands
#: (``scripts/bench_carry.py --memory``); without chunks it was ~1.2 KB a digit (12.4 GB at 10⁷).
SCAN_POSITIONS = 1 << 15

#: The three generators of the carry-lookahead monoid, in encoding order.
GEN_NAMES = ("K", "P", "G")
K, P, G = 0, 1, 2


class CarryCellMLP(nn.Module):
    """One digit position of an adder: ``(a, b, carry_in) -> (sum digit, carry_out)``.

    forward(a, b, c): a, b (N, B) and c (N, 2) float (one-hot, or probabilities while training)
    -> (digit logits (N, B), carry logits (N, 2)).
    decode(a, b, c): a, b, c (N,) long -> (digit (N,) long in [0, B), carry (N,) long in {0, 1});
    the cell as the law's function ``Fin B → Fin B → Fin 2 → Fin B × Fin 2``.
    """

    def __init__(self, base: int = 10, hidden: int = 128):
        super().__init__()
        if base < 2:
            raise ValueError(f"base must be at least 2, got {base}")
        self.base = base
        self.hidden = hidden
        self.net = nn.Sequential(
            nn.Linear(2 * base + 2, hidden), nn.ReLU(),
            nn.Linear(hidden, hidden), nn.ReLU(),
            nn.Linear(hidden, base + 2),
        )

    def forward(self, a: torch.Tensor, b: torch.Tensor, c: torch.Tensor
                ) -> tuple[torch.Tensor, torch.Tensor]:
        out = self.net(torch.cat([a, b, c], -1))
        return out[..., : self.base], out[..., self.base:]

    @torch.no_grad()
    def decode(self, a: torch.Tensor, b: torch.Tensor, c: torch.Tensor
               ) -> tuple[torch.Tensor, torch.Tensor]:
        dtype = next(self.parameters()).dtype
        d, k = self(one_hot(a, self.base, dtype), one_hot(b, self.base, dtype),
                    one_hot(c, 2, dtype))
        return decode_argmax(d), decode_argmax(k)

    def carry0(self, a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
        """The learned carry function ``c a b``: the cell's carry output with carry-in 0. (N,) long."""
        return self.decode(a, b, torch.zeros_like(a))[1]

    def generators(self, a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
        """Each position's lookahead generator, read off the cell's carries (any shape, long).

        ``(carry(a,b,0), carry(a,b,1))`` = (0,0) -> K, (0,1) -> P, (1,1) -> G. The pattern (1,0)
        cannot occur in a cell satisfying CarryCell; it is mapped to the out-of-range code 3 so
        that any use of it fails loudly instead of being silently repaired.
        """
        shape = a.shape
        a, b = a.reshape(-1), b.reshape(-1)
        k0 = self.decode(a, b, torch.zeros_like(a))[1]
        k1 = self.decode(a, b, torch.ones_like(a))[1]
        gen = torch.where(k0 == k1, torch.where(k0 == 1, G, K), torch.where(k1 == 1, P, 3))
        return gen.reshape(shape)


class MealyAdder(nn.Module):
    """The Mealy adder over a carry cell; the carry state starts at 0 ("no carry").

    forward(xs, ys, hard=False): xs, ys (N, L) long -> log-probabilities (N, L + 1, B) of the sum
    digits, the carry relaxed (soft mixture; straight-through when `hard`). Training only.
    run(xs, ys, carry_in=None): (N, L) long -> (N, L + 1) long sum digits, the cell hard-decoded
    at every step; the last digit is the final carry. This is the adder that is certified.
    """

    def __init__(self, cell: CarryCellMLP):
        super().__init__()
        self.cell = cell

    @property
    def base(self) -> int:
        return self.cell.base

    def forward(self, xs: torch.Tensor, ys: torch.Tensor, hard: bool = False,
                carry_in: torch.Tensor | None = None) -> torch.Tensor:
        n, length = xs.shape
        dtype = next(self.parameters()).dtype
        ci = torch.zeros(n, dtype=torch.long, device=xs.device) if carry_in is None else carry_in
        c = one_hot(ci, 2, dtype)
        xo = one_hot(xs, self.base, dtype)
        yo = one_hot(ys, self.base, dtype)
        outs = []
        for i in range(length):
            d, k = self.cell(xo[:, i], yo[:, i], c)
            outs.append(F.log_softmax(d, -1))
            p = F.softmax(k, -1)
            if hard:
                p = one_hot(decode_argmax(p), 2, dtype) + p - p.detach()
            c = p
        # the final carry is the last digit: probability c[0] of digit 0, c[1] of digit 1
        last = torch.full((n, self.base), -1e4, dtype=dtype, device=xs.device)
        last = torch.cat([torch.log(c.clamp_min(1e-9)), last[:, 2:]], -1)
        outs.append(last)
        return torch.stack(outs, 1)

    @torch.no_grad()
    def run(self, xs: torch.Tensor, ys: torch.Tensor, carry_in: torch.Tensor | None = None
            ) -> torch.Tensor:
        n, length = xs.shape
        out = torch.empty(n, length + 1, dtype=torch.long, device=xs.device)
        c = torch.zeros(n, dtype=torch.long, device=xs.device) if carry_in is None \
            else carry_in.long()
        for i in range(length):
            out[:, i], c = self.cell.decode(xs[:, i], ys[:, i], c)
        out[:, length] = c
        return out

    def add_lists(self, xs: list[int], ys: list[int], carry_in: int = 0) -> list[int]:
        """Lean's ``addWithCarry cell xs ys c`` on little-endian digit lists, digit for digit.

        The shorter list is padded with zero digits (Lean pairs the longer list's digits with
        ``zeroLike``, the digit 0), the cell runs hard-decoded at every position, and the final
        carry is emitted as one more digit only when it is 1 (``carryOut``). `run` computes the
        same digits for a batch, always emitting the final carry (a top digit 0 when there is
        none), which does not change ``decode``.
        """
        n = max(len(xs), len(ys))
        dev = next(self.parameters()).device
        xt = torch.tensor([list(xs) + [0] * (n - len(xs))], dtype=torch.long, device=dev)
        yt = torch.tensor([list(ys) + [0] * (n - len(ys))], dtype=torch.long, device=dev)
        out = self.run(xt, yt, torch.tensor([carry_in], device=dev))[0].tolist()
        return out if out[-1] == 1 else out[:-1]


# ---------------------------------------------------------------------------------------------
# The lookahead monoid


def gen_eval(x: torch.Tensor, c: torch.Tensor) -> torch.Tensor:
    """``eval`` of the lookahead monoid: K -> 0, G -> 1, P -> c. Long tensors, broadcast."""
    return torch.where(x == G, torch.ones_like(c), torch.where(x == K, torch.zeros_like(c), c))


class CombineMLP(nn.Module):
    """A learned ``combine : Gen → Gen → Gen`` (x earlier, y later).

    forward(x, y): (…, 3) float probabilities -> (…, 3) logits.
    decode(x, y): long codes in {0, 1, 2} (any shape) -> long codes, argmax of the one-hot run.
    """

    def __init__(self, hidden: int = 32):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(6, hidden), nn.ReLU(), nn.Linear(hidden, 3))

    def forward(self, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        return self.net(torch.cat([x, y], -1))

    @torch.no_grad()
    def decode(self, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        dtype = next(self.parameters()).dtype
        return decode_argmax(self(one_hot(x, 3, dtype), one_hot(y, 3, dtype)))


def hillis_steele_scan(xs: torch.Tensor, combine: Callable[[torch.Tensor, torch.Tensor], torch.Tensor]
                       ) -> torch.Tensor:
    """Inclusive prefix scan along dim 1: ``out[:, i] = xs[:, 0] ⋆ … ⋆ xs[:, i]``.

    ⌈log₂ L⌉ rounds; round d combines every position i ≥ d with position i - d in one batched
    call. Correct for any associative `combine` (associativity is what the law check provides).
    xs: (N, L, ...) -> (N, L, ...).
    """
    out = xs
    d = 1
    length = xs.shape[1]
    while d < length:
        out = torch.cat([out[:, :d], combine(out[:, :-d], out[:, d:])], 1)
        d *= 2
    return out


def sequential_scan(xs: torch.Tensor, combine: Callable[[torch.Tensor, torch.Tensor], torch.Tensor]
                    ) -> torch.Tensor:
    """The same prefix products, as the left-to-right chain ``((x0 ⋆ x1) ⋆ x2) ⋆ …``."""
    outs = [xs[:, 0]]
    for i in range(1, xs.shape[1]):
        outs.append(combine(outs[-1], xs[:, i]))
    return torch.stack(outs, 1)


class LookaheadAdder(nn.Module):
    """Log-depth adder: generators from the certified cell, prefix scan with a learned combine.

    run(xs, ys, carry_in=None): (N, L) long -> (N, L + 1) long sum digits. The carry into
    position i is ``eval (s₀ ⋆ … ⋆ sᵢ₋₁) c_in``; each digit is then the cell's digit given that
    carry. Everything is hard-decoded: the combine MLP runs on one-hot codes and is argmaxed in
    every round of the scan.
    forward(xs, ys, carry_in): log-probabilities (N, L + 1, B) with the combine relaxed to
    probabilities (the cell frozen), for training the combine.
    """

    def __init__(self, cell: CarryCellMLP, combine: CombineMLP):
        super().__init__()
        self.cell = cell
        self.combine = combine

    @property
    def base(self) -> int:
        return self.cell.base

    @torch.no_grad()
    def carries(self, xs: torch.Tensor, ys: torch.Tensor, carry_in: torch.Tensor | None = None
                ) -> torch.Tensor:
        """Carries into positions 0..L (the last is the final carry): (N, L + 1) long."""
        n = xs.shape[0]
        ci = torch.zeros(n, dtype=torch.long, device=xs.device) if carry_in is None \
            else carry_in.long()
        prefix = hillis_steele_scan(self.cell.generators(xs, ys), self.combine.decode)
        return torch.cat([ci[:, None], gen_eval(prefix, ci[:, None])], 1)

    @torch.no_grad()
    def run(self, xs: torch.Tensor, ys: torch.Tensor, carry_in: torch.Tensor | None = None,
            positions: int | None = None) -> torch.Tensor:
        """The sum digits, (N, L + 1) long, computed in chunks of about `positions` digit
        positions (default `SCAN_POSITIONS`, counted over the batch), so that the working memory
        (one-hot inputs and hidden activations of the cell and the combine, ~3 KB a position)
        is bounded whatever L is. Within a chunk the scan is log-depth; the chunks run in order,
        the carry out of one the carry into the next. That is the same sum by the eval law
        ``eval (combine x y) c = eval y (eval x c)`` (checked exhaustively with the combine's
        laws): the carry into position i of a chunk starting at s is
        ``eval (sₛ ⋆ … ⋆ sᵢ₋₁) (eval (s₀ ⋆ … ⋆ sₛ₋₁) c_in)``."""
        n, length = xs.shape
        step = max(1, (SCAN_POSITIONS if positions is None else positions) // max(n, 1))
        out = torch.empty(n, length + 1, dtype=torch.long, device=xs.device)
        c = torch.zeros(n, dtype=torch.long, device=xs.device) if carry_in is None \
            else carry_in.long()
        for s in range(0, length, step):
            x, y = xs[:, s:s + step], ys[:, s:s + step]
            cs = self.carries(x, y, c)
            d, _ = self.cell.decode(x.reshape(-1), y.reshape(-1), cs[:, :-1].reshape(-1))
            out[:, s:s + x.shape[1]] = d.reshape(n, x.shape[1])
            c = cs[:, -1]
        out[:, length] = c
        return out

    def forward(self, xs: torch.Tensor, ys: torch.Tensor, carry_in: torch.Tensor | None = None
                ) -> torch.Tensor:
        n, length = xs.shape
        dtype = next(self.combine.parameters()).dtype
        ci = torch.zeros(n, dtype=torch.long, device=xs.device) if carry_in is None else carry_in
        gens = one_hot(self.cell.generators(xs, ys), 3, dtype)
        prefix = hillis_steele_scan(gens, lambda x, y: F.softmax(self.combine(x, y), -1))
        cf = ci.to(dtype)[:, None]
        p_carry = prefix[..., G] + prefix[..., P] * cf          # P(eval prefix c_in = 1)
        p_carry = torch.cat([cf, p_carry], 1)                   # (N, L + 1)
        with torch.no_grad():
            flat_x, flat_y = xs.reshape(-1), ys.reshape(-1)
            oh = lambda t, k: one_hot(t, k, dtype)  # noqa: E731
            d0 = F.softmax(self.cell(oh(flat_x, self.base), oh(flat_y, self.base),
                                     oh(torch.zeros_like(flat_x), 2))[0], -1)
            d1 = F.softmax(self.cell(oh(flat_x, self.base), oh(flat_y, self.base),
                                     oh(torch.ones_like(flat_x), 2))[0], -1)
        pc = p_carry[:, :-1].reshape(-1, 1)
        digits = (pc * d1 + (1 - pc) * d0).reshape(n, length, self.base)
        last_p = torch.stack([1 - p_carry[:, -1], p_carry[:, -1]], -1)
        last = torch.cat([last_p, torch.zeros(n, self.base - 2, dtype=dtype, device=xs.device)], -1)
        probs = torch.cat([digits, last[:, None]], 1)
        return torch.log(probs.clamp_min(1e-9))


# ---------------------------------------------------------------------------------------------
# Hand-built modules: exact fixtures and seeded faults for the checker (no training involved)


def table_cell(base: int, faults: dict[tuple[int, int, int], tuple[int, int]] | None = None
               ) -> CarryCellMLP:
    """A `CarryCellMLP` whose weights are *set*, not learned, to compute ``divmod(a + b + c, B)``.

    Hidden width 2·B²: unit (a, b, c) fires (ReLU output 1) exactly on its one-hot input and votes
    for its digit and carry. `faults` overrides chosen entries ``(a, b, c) -> (digit, carry)``:
    a seeded violation that a law check must catch with that very counterexample.
    """
    cell = CarryCellMLP(base, hidden=2 * base * base)
    lin1, lin2, lin3 = cell.net[0], cell.net[2], cell.net[4]
    with torch.no_grad():
        for t in (lin1.weight, lin1.bias, lin2.weight, lin2.bias, lin3.weight, lin3.bias):
            t.zero_()
        lin2.weight.copy_(torch.eye(2 * base * base))
        lin1.bias.fill_(-2.0)
        h = 0
        for a in range(base):
            for b in range(base):
                for c in range(2):
                    lin1.weight[h, a] = lin1.weight[h, base + b] = lin1.weight[h, 2 * base + c] = 1
                    d, k = divmod(a + b + c, base)[::-1]
                    if faults and (a, b, c) in faults:
                        d, k = faults[(a, b, c)]
                    lin3.weight[d, h] = 1
                    lin3.weight[base + k, h] = 1
                    h += 1
    return cell.eval()


#: The lookahead monoid's product ``x ⋆ y = if y = P then x else y`` as a table [x][y].
COMBINE_TABLE = ((K, K, G), (K, P, G), (K, G, G))


def table_combine(faults: dict[tuple[int, int], int] | None = None) -> CombineMLP:
    """A `CombineMLP` set (not learned) to the lookahead product, with optional seeded faults
    ``(x, y) -> z``. Hidden width 9: one unit per input pair."""
    comb = CombineMLP(hidden=9)
    lin1, lin2 = comb.net[0], comb.net[2]
    with torch.no_grad():
        for t in (lin1.weight, lin1.bias, lin2.weight, lin2.bias):
            t.zero_()
        lin1.bias.fill_(-1.0)
        for x in range(3):
            for y in range(3):
                h = 3 * x + y
                lin1.weight[h, x] = lin1.weight[h, 3 + y] = 1
                z = COMBINE_TABLE[x][y] if not faults or (x, y) not in faults else faults[(x, y)]
                lin2.weight[z, h] = 1
    return comb.eval()
