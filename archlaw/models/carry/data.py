"""Data for the carry: digit tensors, a reference (non-learned) adder, and samplers.

Numbers are little-endian digit tensors: ``xs[..., i]`` is the digit of weight ``B**i``, dtype
``torch.long``, values in ``[0, B)``. A batch of N numbers of L digits has shape (N, L); shorter
numbers are zero-padded at the top (aligned), which leaves their value unchanged.

The sum of two L-digit numbers has L + 1 digits (the last one is the final carry, 0 or 1).
Everything here is plain arithmetic used as *ground truth* for training and evaluation; none of it
is part of a learned model.
"""

from __future__ import annotations

import sys

import torch

__all__ = [
    "reference_add", "random_operands", "chain_operands", "digits_of_int", "int_of_digits",
    "parse_number", "format_digits", "DIGIT_CHARS",
]

#: Digits accepted on the command line, in value order (bases up to 36).
DIGIT_CHARS = "0123456789abcdefghijklmnopqrstuvwxyz"


def reference_add(xs: torch.Tensor, ys: torch.Tensor, base: int, carry_in: torch.Tensor | None = None
                  ) -> torch.Tensor:
    """Schoolbook addition. xs, ys: (N, L) long little-endian digits -> (N, L + 1) sum digits.

    `carry_in`: optional (N,) long in {0, 1}. A loop over the L positions, vectorised over N.
    """
    n, length = xs.shape
    out = torch.empty(n, length + 1, dtype=torch.long, device=xs.device)
    c = torch.zeros(n, dtype=torch.long, device=xs.device) if carry_in is None else carry_in.long()
    for i in range(length):
        s = xs[:, i] + ys[:, i] + c
        out[:, i] = s % base
        c = s // base
    out[:, length] = c
    return out


def random_operands(n: int, length: int, base: int, generator: torch.Generator,
                    min_length: int | None = None, chain_prob: float = 0.0,
                    device: torch.device | str = "cpu") -> tuple[torch.Tensor, torch.Tensor]:
    """N pairs of random numbers, returned as (N, length) digit tensors.

    Each pair gets an effective length drawn uniformly from ``[min_length, length]`` (default:
    exactly `length`); digits above it are zero. With `chain_prob` > 0, each position of a pair is,
    with that probability, forced to sum to ``B - 1`` (a "propagate" position), so that long carry
    chains, rare under uniform digits, are seen.
    """
    lo = length if min_length is None else min_length
    xs = torch.randint(0, base, (n, length), generator=generator)
    ys = torch.randint(0, base, (n, length), generator=generator)
    if chain_prob > 0:
        prop = torch.rand(n, length, generator=generator) < chain_prob
        ys = torch.where(prop, (base - 1) - xs, ys)
    if lo < length:
        eff = torch.randint(lo, length + 1, (n, 1), generator=generator)
        keep = torch.arange(length).unsqueeze(0) < eff
        xs = xs * keep
        ys = ys * keep
    return xs.to(device), ys.to(device)


def chain_operands(n: int, length: int, base: int, device: torch.device | str = "cpu"
                   ) -> tuple[torch.Tensor, torch.Tensor]:
    """``(B^length - 1) + 1`` (``99…9 + 1`` in base 10), repeated N times: (N, length) each.

    The carry must travel through every position: the hardest case for a carry mechanism.
    """
    xs = torch.full((n, length), base - 1, dtype=torch.long, device=device)
    ys = torch.zeros(n, length, dtype=torch.long, device=device)
    ys[:, 0] = 1
    return xs, ys


def _lift_int_limit() -> None:
    if hasattr(sys, "set_int_max_str_digits"):
        sys.set_int_max_str_digits(0)


def digits_of_int(value: int, base: int, length: int | None = None) -> list[int]:
    """Little-endian digits of a non-negative int (at least one digit; zero-padded to `length`)."""
    if value < 0:
        raise ValueError("digits_of_int needs a non-negative integer")
    out: list[int] = []
    if base == 10:
        _lift_int_limit()
        out = [int(ch) for ch in reversed(str(value))]
    else:
        while value:
            value, d = divmod(value, base)
            out.append(d)
        out = out or [0]
    if length is not None:
        out += [0] * (length - len(out))
    return out


def int_of_digits(digits: list[int] | torch.Tensor, base: int) -> int:
    """The value of little-endian digits (a list or a 1-D tensor)."""
    ds = digits.tolist() if isinstance(digits, torch.Tensor) else list(digits)
    if base == 10:
        _lift_int_limit()
        text = "".join(str(d) for d in reversed(ds)).lstrip("0")
        return int(text or "0")
    value = 0
    for d in reversed(ds):
        value = value * base + int(d)
    return value


def parse_number(text: str, base: int, argument: str) -> list[int]:
    """Parse a number written in `base` (most significant digit first) to little-endian digits.

    Accepts digits ``0-9a-z`` (case-insensitive) below the base, and ``_`` as a separator.
    Raises `ArchLawError` naming `argument`, the bad character and its position otherwise.
    """
    from archlaw.bridge.errors import ArchLawError

    accepted = DIGIT_CHARS[:base]
    shown = accepted if base <= 16 else f"{accepted[0]}-{accepted[-1]}"
    text = text.strip()
    if not text:
        raise ArchLawError(f"argument {argument}: empty number; expected digits {shown} (base {base})")
    digits: list[int] = []
    for pos, ch in enumerate(text):
        if ch == "_":
            continue
        v = DIGIT_CHARS.find(ch.lower())
        if v < 0 or v >= base:
            raise ArchLawError(
                f"argument {argument}: {ch!r} at position {pos + 1} is not a base-{base} digit; "
                f"accepted digits: {shown}")
        digits.append(v)
    if not digits:
        raise ArchLawError(f"argument {argument}: no digits; expected digits {shown} (base {base})")
    digits.reverse()
    return digits


def format_digits(digits: list[int] | torch.Tensor, base: int) -> str:
    """Little-endian digits -> text, most significant first, leading zeros dropped."""
    ds = digits.tolist() if isinstance(digits, torch.Tensor) else list(digits)
    text = "".join(DIGIT_CHARS[d] for d in reversed(ds)).lstrip("0")
    return text or "0"
