"""Sort encodings: how the values of a law's sorts are laid out as batched torch values.

A law speaks of sorts (``Fin B``, ``Nat``, ``List A``, ``A × B``, an abstract ``H``). Checking it on
a model needs, for each sort, an *encoding*: how a batch of N values is stored, how to enumerate
or sample them, how to compare two batches, and how to print one value as Lean-like text. The
batched (decoded) forms are the ones of `archlaw.bridge.binding`:

=====================  =====================================================================
encoding               batched value for N cases
=====================  =====================================================================
`Finite(n)`            ``torch.long`` (N,) with entries in ``[0, n)`` (``Fin n``)
`NatEnc()`             ``torch.long`` (N,), entries ``>= 0`` (``Nat``)
`BoolEnc()`            ``torch.bool`` (N,) (``Bool``; propositions evaluate to this too)
`FloatTensor(shape)`   floating (N, *shape); dtype follows the check (`dtype`, float32 by default)
`ListOf(elem)`         `ListBatch`: elem's batched value with leading dims (N, L), lengths (N,)
`ProdOf(a, b)`         a tuple ``(a_value, b_value)``
`FunctionSort(a, b)`   a callable from batched a to batched b (never enumerated or sampled)
=====================  =====================================================================

Resolution. `resolve_sort` maps a law's sort `Term` to an encoding under a binding: ``Fin n``
(``n`` any closed Nat expression of the law parameters, e.g. ``B * B``), ``Nat``, ``Bool``,
``Float``, ``List A``, ``A × B`` (``Prod``), arrows, abstract sort parameters through
``binding.sorts``, and library inductive types registered with `register_sort`.

Extending. A family module registers an encoding for a library type (a tree type, say)::

    @register_sort("ArchLaw.BTree")
    def _btree(args, params):        # args: the encodings of the type's arguments
        return TreeEncoding(args[0])  # a subclass of `Encoding`

A custom encoding subclasses `Encoding`, states `discrete` (True only when its `equal` is
exact; derived from the encodings it holds, as `ListOf` and `ProdOf` do: there is no default,
and a check refuses an encoding that does not say) and implements the methods marked
*required* below;
its batched values must either be tensors/tuples/`ListBatch` (handled by `take`/`where` here)
or objects with ``take(idx)``, ``where(mask, other)`` and ``batch_size``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Callable, Mapping

import torch

from .binding import ListBatch
from .errors import ArchLawError
from .ir import App, Lit, Pi, Sort, Term, Var, pretty

__all__ = [
    "Encoding", "Finite", "NatEnc", "BoolEnc", "FloatTensor", "FloatVec", "ListOf", "ProdOf",
    "FunctionSort", "SampleConfig", "Tolerance", "TOLERANCES", "tolerance_for", "float_close",
    "register_sort", "register_arrow", "resolve_sort", "static_nat", "one_hot", "decode_argmax",
    "take", "where", "batch_size", "pad_list", "flatten_list", "describe", "map_leaves",
    "DEGENERATE", "degenerate",
]


# --------------------------------------------------------------------------------------------
# Tolerances (the per-dtype policy; see docs/conformance.md, "Comparison and tolerance policy")


@dataclass(frozen=True)
class Tolerance:
    """Float comparison, per *group*. A value of sort ``Float[d₁, d₂, …]`` with two or more
    axes has one group per index of its first axis (a channel of ``Float[C, H, W]``, a row of
    ``Float[L, d]``); a ``Float`` or ``Float[d]`` is one group; a list compares each element as
    a value of its own sort, and a ``List Float`` as one group (so ``List (Float[d])`` and
    ``Float[L, d]``, and ``List Float`` and ``Float[L]``, are compared alike). A group passes
    iff ``max|l - r| <= atol + rtol * max(max|l|, max|r|)``, both maxima over the group's
    entries, and every entry of both sides is finite; a case passes iff all its groups do. The
    scale is never taken over the whole value: one large channel (1e8 times the others) would
    otherwise hide any error in the small ones. The groups are no smaller, because a float32
    sum rounds relative to its terms, not its result: a smaller group (one row of a channel)
    can cancel to a small maximum and fail a conforming layer (seen on a D4 group convolution).

    The reported error of a case is the worst group's relative error
    ``max|l - r| / max(max|l|, max|r|)`` (0 for an exactly equal group, ``inf`` when either side
    holds a NaN or Inf). See `float_close`.
    """

    rtol: float
    atol: float


def float_close(x: torch.Tensor, y: torch.Tensor, tol: Tolerance,
                live: torch.Tensor | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """The `Tolerance` rule on float values (N, …, k) whose groups are their last axis (each
    group k entries; callers reshape to put a group there): (ok bool (N,), error float64 (N,)).
    `live`: bool, broadcastable to `x`, False on entries that are not compared (list
    padding)."""
    n = x.shape[0]
    a = x.detach()
    b = y.detach().to(a.dtype)
    if live is not None:
        live = live.to(a.device)
        a = torch.where(live, a, torch.zeros_like(a))
        b = torch.where(live, b, torch.zeros_like(b))
    if not a.numel():
        z = torch.zeros(n, dtype=torch.float64, device=x.device)
        return torch.ones(n, dtype=torch.bool, device=x.device), z
    # reductions in the values' own dtype (no float64 copy of the batch); a NaN or Inf in a
    # group makes its max |l - r| or max |l|, |r| non-finite (amax propagates NaN)
    diff = (a - b).abs().amax(-1).reshape(n, -1).to(torch.float64)
    scale = torch.maximum(a.abs().amax(-1), b.abs().amax(-1)).reshape(n, -1).to(torch.float64)
    finite = torch.isfinite(diff) & torch.isfinite(scale)
    ok = (finite & (diff <= tol.atol + tol.rtol * scale)).all(1)
    rel = torch.where(diff == 0, torch.zeros_like(diff), diff / scale.clamp_min(1e-300))
    err = torch.where(finite, rel, torch.full_like(rel, math.inf)).amax(1)
    return ok.to(x.device), err.to(x.device)


#: The default policy, by dtype of the compared values.
TOLERANCES: dict[torch.dtype, Tolerance] = {
    torch.float64: Tolerance(1e-12, 1e-13),
    torch.float32: Tolerance(1e-5, 1e-6),
    torch.float16: Tolerance(1e-3, 1e-4),
    torch.bfloat16: Tolerance(1e-2, 1e-3),
}


def tolerance_for(dtype: torch.dtype) -> Tolerance:
    """The default tolerance for values of `dtype` (float32's for unknown dtypes)."""
    return TOLERANCES.get(dtype, TOLERANCES[torch.float32])


# --------------------------------------------------------------------------------------------
# Generic operations on batched values


def batch_size(v: Any) -> int:
    """N, the number of cases in a batched value."""
    if isinstance(v, torch.Tensor):
        return int(v.shape[0])
    if isinstance(v, tuple):
        return batch_size(v[0])
    if isinstance(v, ListBatch):
        return v.batch_size
    if hasattr(v, "batch_size"):
        return int(v.batch_size)
    raise TypeError(f"not a batched value: {type(v).__name__}")


def take(v: Any, idx: torch.Tensor) -> Any:
    """Select cases ``idx`` (a long tensor) of a batched value (leading dim of every leaf)."""
    if isinstance(v, torch.Tensor):
        return v[idx.to(v.device)]
    if isinstance(v, tuple):
        return tuple(take(x, idx) for x in v)
    if isinstance(v, ListBatch):
        return ListBatch(take(v.values, idx), take(v.lengths, idx))
    if hasattr(v, "take"):
        return v.take(idx)
    if callable(v):  # a case-independent function (a model symbol)
        return v
    raise TypeError(f"cannot index a value of type {type(v).__name__}")


def map_leaves(v: Any, f: Callable[[torch.Tensor], torch.Tensor]) -> Any:
    """`f` applied to every tensor leaf of a batched value (tuples, and the values of a
    `ListBatch`; its lengths only when they are batched per position, i.e. nested lists)."""
    if isinstance(v, torch.Tensor):
        return f(v)
    if isinstance(v, tuple):
        return tuple(map_leaves(x, f) for x in v)
    if isinstance(v, ListBatch):
        return ListBatch(map_leaves(v.values, f), f(v.lengths) if v.lengths.dim() > 1 else v.lengths)
    raise TypeError(f"cannot map over a value of type {type(v).__name__}")


def pad_list(lb: ListBatch, length: int) -> ListBatch:
    """Pad (never truncate) a `ListBatch` to `length` positions (padding is zeros)."""

    def pad(t: torch.Tensor) -> torch.Tensor:
        cur = t.shape[1]
        if cur >= length:
            return t
        shape = (t.shape[0], length - cur, *t.shape[2:])
        return torch.cat([t, torch.zeros(shape, dtype=t.dtype, device=t.device)], dim=1)

    return ListBatch(map_leaves(lb.values, pad), lb.lengths)


def list_width(lb: ListBatch) -> int:
    """L, the padded length of a `ListBatch`."""
    v = lb.values
    while isinstance(v, (tuple, ListBatch)):
        v = v[0] if isinstance(v, tuple) else v.values
    return int(v.shape[1])


def where(mask: torch.Tensor, a: Any, b: Any) -> Any:
    """Case-wise ``a if mask else b`` for batched values of the same encoding."""
    if isinstance(a, torch.Tensor):
        m = mask.reshape(mask.shape[0], *([1] * (a.dim() - 1))).to(a.device)
        return torch.where(m, a, b)
    if isinstance(a, tuple):
        return tuple(where(mask, x, y) for x, y in zip(a, b))
    if isinstance(a, ListBatch):
        length = max(list_width(a), list_width(b))
        a, b = pad_list(a, length), pad_list(b, length)
        return ListBatch(where(mask, a.values, b.values), torch.where(mask, a.lengths, b.lengths))
    if hasattr(a, "where"):
        return a.where(mask, b)
    raise TypeError(f"cannot select between values of type {type(a).__name__}")


def flatten_list(lb: ListBatch) -> Any:
    """The elements of a `ListBatch` as one batch of N*L cases (padding included)."""
    return map_leaves(lb.values, lambda t: t.reshape(t.shape[0] * t.shape[1], *t.shape[2:]))


def unflatten(v: Any, n: int, length: int) -> Any:
    """Inverse of `flatten_list` on a batch of N*L element values."""
    return map_leaves(v, lambda t: t.reshape(n, length, *t.shape[1:]))


def one_hot(x: torch.Tensor, n: int, dtype: torch.dtype = torch.float32) -> torch.Tensor:
    """Long (N, ...) indices in ``[0, n)`` -> (N, ..., n) one-hot floats."""
    return torch.nn.functional.one_hot(x, n).to(dtype)


def decode_argmax(logits: torch.Tensor) -> torch.Tensor:
    """(N, ..., n) scores -> long (N, ...) decoded indices (the hard decoding a model runs)."""
    return logits.argmax(dim=-1)


# --------------------------------------------------------------------------------------------
# Encodings


@dataclass(frozen=True)
class SampleConfig:
    """How to sample unbounded sorts. `max_length` / `max_depth`: the longest list / deepest tree
    (default: 10x the binding's training maximum); `nat_max`: the largest sampled Nat;
    `dtype`/`device`: of sampled floats; `min_length`: the shortest sampled list (default 0;
    equal to `max_length` to check at one length only)."""

    max_length: int = 32
    max_depth: int = 8
    nat_max: int = 1000
    dtype: torch.dtype = torch.float32
    device: torch.device = torch.device("cpu")
    min_length: int = 0


class Encoding:
    """Base class of sort encodings (see the module docstring).

    Required: `describe`, `kind`, `discrete`, `equal`, `render`. Finite encodings: `cardinality`,
    `enumerate`. Sampled encodings: `plan`, `materialize` (and `size_key`, `numel` for
    ordering and memory). `lit`, `broadcast`, `empty` when the sort has numerals, 0-ary
    symbols, or appears as list elements.
    """

    #: Short family name used by interpretations to dispatch on sorts ("Fin", "Nat", "Float" ...).
    kind: str = "?"

    @property
    def discrete(self) -> bool:
        """True when `equal` compares values exactly (after decoding), False when it compares
        any part up to a tolerance. Every encoding states it, derived from its component
        encodings where it has any (`ListOf`, `ProdOf`): a certificate rests on it (Lean's ``=``
        is exact equality), so there is no default to inherit by mistake."""
        raise ArchLawError(f"encoding {type(self).__name__} ({self.describe()}) does not say "
                           "whether it compares exactly: define `discrete` on it (True only when "
                           "its `equal` is exact, derived from its component encodings)")

    def describe(self) -> str:
        raise NotImplementedError

    def __str__(self) -> str:
        return self.describe()

    @property
    def cardinality(self) -> int | None:
        """The number of values, or None for an infinite or continuous sort."""
        return None

    def enumerate(self, device: torch.device) -> Any:
        """All values as one batch, smallest first (finite encodings only)."""
        raise ArchLawError(f"sort {self.describe()} is not finite; it can only be sampled")

    def plan(self, n: int, gen: torch.Generator, cfg: SampleConfig) -> torch.Tensor:
        """Draw the *shape* of n samples (a long (n,) tensor: a length, a depth, an index ...);
        contents are drawn later by `materialize`. Sorting by `size_key` gives smallest first."""
        raise ArchLawError(f"sort {self.describe()} cannot be sampled; register a sampler for it")

    def size_key(self, plan: torch.Tensor) -> torch.Tensor:
        """Ordering key of planned samples: smaller means a smaller counterexample."""
        return torch.zeros_like(plan)

    def numel(self, plan: torch.Tensor) -> torch.Tensor:
        """Approximate number of scalars per planned sample (to bound memory)."""
        return torch.ones_like(plan)

    def materialize(self, plan: torch.Tensor, gen: torch.Generator, cfg: SampleConfig) -> Any:
        """The batched values of the planned samples (deterministic given `gen`)."""
        raise NotImplementedError

    def equal(self, x: Any, y: Any, tol: Tolerance | None) -> tuple[torch.Tensor, torch.Tensor]:
        """Case-wise comparison: (ok bool (N,), error float64 (N,)). Discrete: error 0 or 1."""
        raise NotImplementedError

    def render(self, v: Any, i: int) -> str:
        """Case `i` of batched value `v` as Lean-like text."""
        raise NotImplementedError

    def lit(self, k: int, n: int, device: torch.device, dtype: torch.dtype) -> Any:
        """The numeral ``k`` at this sort, broadcast to n cases."""
        raise ArchLawError(f"sort {self.describe()} has no numerals")

    def broadcast(self, v: Any, n: int, device: torch.device, dtype: torch.dtype) -> Any:
        """One (unbatched) value, e.g. a 0-ary symbol, repeated for n cases."""
        raise ArchLawError(f"cannot broadcast a constant of sort {self.describe()}")

    def empty(self, n: int, device: torch.device, dtype: torch.dtype) -> Any:
        """A batch of n lists of length 0 of this element sort: leading dims (n, 0)."""
        raise ArchLawError(f"lists of {self.describe()} are not supported: its encoding has no "
                           "`empty`")


class LongScalar(Encoding):
    """The shared part of the exact integer encodings (`Finite`, `NatEnc`): long (N,) values,
    compared exactly and printed as integers."""

    discrete = True

    def materialize(self, plan, gen, cfg):
        return plan.to(cfg.device)

    def equal(self, x, y, tol):
        ok = x == y
        return ok, (~ok).to(torch.float64)

    def render(self, v, i):
        return str(int(v[i]))

    def broadcast(self, v, n, device, dtype):
        return torch.as_tensor(v, device=device).long().reshape(()).expand(n).clone()

    def empty(self, n, device, dtype):
        return torch.zeros((n, 0), dtype=torch.long, device=device)


@dataclass(frozen=True)
class Finite(LongScalar):
    """``Fin n``: long indices in ``[0, n)``; models see them decoded (use `one_hot` to feed a
    network, `decode_argmax` to read one)."""

    n: int
    kind = "Fin"

    def describe(self) -> str:
        return f"Fin {self.n}"

    @property
    def cardinality(self) -> int:
        return self.n

    def enumerate(self, device: torch.device) -> torch.Tensor:
        return torch.arange(self.n, device=device)

    def plan(self, n, gen, cfg):
        return torch.randint(0, self.n, (n,), generator=gen)

    def lit(self, k, n, device, dtype):
        return torch.full((n,), k % self.n, dtype=torch.long, device=device)

    def one_hot(self, x: torch.Tensor, dtype: torch.dtype = torch.float32) -> torch.Tensor:
        """(N,) indices -> (N, n) one-hot."""
        return one_hot(x, self.n, dtype)


@dataclass(frozen=True)
class NatEnc(LongScalar):
    """``Nat``: long (N,) values; sampled uniformly in ``[0, nat_max]``, smallest first."""

    kind = "Nat"

    def describe(self) -> str:
        return "Nat"

    def plan(self, n, gen, cfg):
        return torch.randint(0, cfg.nat_max + 1, (n,), generator=gen)

    def size_key(self, plan):
        return plan

    def lit(self, k, n, device, dtype):
        return torch.full((n,), k, dtype=torch.long, device=device)


@dataclass(frozen=True)
class BoolEnc(Encoding):
    """``Bool`` (and decided propositions): torch.bool (N,)."""

    kind = "Bool"
    discrete = True

    def describe(self) -> str:
        return "Bool"

    @property
    def cardinality(self) -> int:
        return 2

    def enumerate(self, device):
        return torch.tensor([False, True], device=device)

    def plan(self, n, gen, cfg):
        return torch.randint(0, 2, (n,), generator=gen)

    def materialize(self, plan, gen, cfg):
        return plan.bool().to(cfg.device)

    def equal(self, x, y, tol):
        ok = x == y
        return ok, (~ok).to(torch.float64)

    def render(self, v, i):
        return "true" if bool(v[i]) else "false"

    def broadcast(self, v, n, device, dtype):
        return torch.as_tensor(v, device=device).bool().reshape(()).expand(n).clone()

    def empty(self, n, device, dtype):
        return torch.zeros((n, 0), dtype=torch.bool, device=device)


#: Scales applied to a fraction of sampled float inputs ("scaled extremes").
EXTREME_SCALES = (1e-4, 1e-2, 1e2, 1e4)

#: Headroom of a scaled sample: its entries reach about 5·s (Gaussian tails), and a layer may
#: multiply two of them and sum about 100 such products (a dot product, an attention score).
_SAMPLE_PEAK = 5.0
_PRODUCT_TERMS = 100.0


def extreme_scales(dtype: torch.dtype) -> tuple[float, ...]:
    """The `EXTREME_SCALES` whose samples fit `dtype`: those s for which the sum of 100 products
    of two entries of size 5·s stays finite and above the smallest normal number, i.e.
    ``tiny <= (5 s)^2 <= max / 100`` (`torch.finfo`). float32, float64 and bfloat16 keep all four;
    float16 (largest value 65504) keeps 1e-2 only: its ×1e4 samples overflowed to inf, so that
    every float16 model failed, at the identity element too."""
    fi = torch.finfo(dtype)
    return tuple(s for s in EXTREME_SCALES
                 if fi.tiny <= (_SAMPLE_PEAK * s) ** 2 <= fi.max / _PRODUCT_TERMS)


@dataclass(frozen=True)
class FloatTensor(Encoding):
    """A float sort: tensors of `shape` per case, (N, *shape) batched. `dtype` None follows the
    check (float32, or float64 in float64 mode). Sampled as standard Gaussians, except that one
    in eight samples is scaled by one of `EXTREME_SCALES` (those that fit the dtype:
    `extreme_scales`); a check's first three samples are the `DEGENERATE` inputs (all zeros
    first; see `degenerate` and `archlaw.bridge.domains`)."""

    shape: tuple[int, ...] = ()
    dtype: torch.dtype | None = None
    kind = "Float"
    discrete = False

    def describe(self) -> str:
        dims = ", ".join(str(s) for s in self.shape)
        return f"Float[{dims}]" if self.shape else "Float"

    def plan(self, n, gen, cfg):
        return torch.zeros(n, dtype=torch.long)

    def numel(self, plan):
        return torch.full_like(plan, max(1, math.prod(self.shape)))

    def materialize(self, plan, gen, cfg):
        n = int(plan.shape[0])
        dtype = self.dtype or cfg.dtype
        # drawn in the check's own dtype (float32 or float64; a half precision from float32):
        # a float64 draw cast down cost the fold workload most of its gap to a hand-written
        # check (docs/semantics.md, "What running bodies costs"). Deterministic per seed and
        # dtype; every extreme scale fits the dtype (`extreme_scales`).
        draw = dtype if dtype in (torch.float32, torch.float64) else torch.float32
        x = torch.randn((n, *self.shape), generator=gen, dtype=draw)
        scales = extreme_scales(dtype)
        pick = torch.randint(0, 8 * max(1, len(scales)), (n,), generator=gen)
        if scales:
            table = torch.ones(8 * len(scales), dtype=draw)
            table[: len(scales)] = torch.tensor(scales, dtype=draw)
            x.mul_(table[pick].reshape(n, *([1] * len(self.shape))))
        return x.to(dtype=dtype, device=cfg.device)

    def equal(self, x, y, tol):
        # one group per index of the first axis of a value of 2 or more axes, else one group
        # for the whole value: see `Tolerance`
        n = x.shape[0]
        groups = self.shape[0] if len(self.shape) >= 2 else 1
        return float_close(x.reshape(n, groups, -1), y.reshape(n, groups, -1),
                           tol or tolerance_for(x.dtype))

    def render(self, v, i):
        t = v[i].detach().cpu()
        if t.dim() == 0:
            return f"{float(t):.6g}"
        flat = t.flatten().tolist()
        body = ", ".join(f"{x:.4g}" for x in flat[:6]) + (", …" if len(flat) > 6 else "")
        return f"tensor{list(t.shape)}[{body}]"

    def lit(self, k, n, device, dtype):
        return torch.full((n, *self.shape), float(k), dtype=self.dtype or dtype, device=device)

    def broadcast(self, v, n, device, dtype):
        t = torch.as_tensor(v, device=device, dtype=self.dtype or dtype)
        if tuple(t.shape) != tuple(self.shape):
            raise ArchLawError(f"a constant of sort {self.describe()} must have shape "
                               f"{tuple(self.shape)}, got {tuple(t.shape)}")
        return t.unsqueeze(0).expand(n, *self.shape).clone()

    def empty(self, n, device, dtype):
        return torch.zeros((n, 0, *self.shape), dtype=self.dtype or dtype, device=device)


#: The name `binding.py`'s docstring uses for a vector-valued float sort.
FloatVec = FloatTensor

#: The degenerate float inputs a check draws first (`degenerate`), in this order: all zeros;
#: all entries equal (to 1); a single non-zero entry (the first, 1). They are the classic
#: failure points of norms without an epsilon (0/0) and of softmax-like normalisations.
DEGENERATE = ("zeros", "all-equal", "one non-zero entry")


def degenerate(enc: Encoding, v: Any, kinds: torch.Tensor) -> Any:
    """`v` with the float entries of case i replaced by degenerate input ``kinds[i]`` (an index
    into `DEGENERATE`; -1 leaves the case as drawn). ``kinds``: long (N,). Applies to float
    sorts and, through them, to products (each part) and lists (every element of the list);
    other sorts are returned unchanged. Only the float leaves change, so lengths, depths and
    discrete parts stay as sampled."""
    if isinstance(enc, FloatTensor) and isinstance(v, torch.Tensor):
        n = v.shape[0]
        k = kinds.to(v.device)
        rows = (k >= 0).nonzero().flatten()
        if not rows.numel():
            return v
        flat = v.reshape(n, -1)
        sub, kk = flat[rows], k[rows]      # only the degenerate cases are touched
        sub[kk == 0] = 0
        sub[kk == 1] = 1
        if flat.shape[1]:
            one = kk == 2
            sub[one] = 0
            sub[one, 0] = 1
        return flat.index_copy(0, rows, sub).reshape(v.shape)
    if isinstance(enc, ProdOf) and isinstance(v, tuple):
        return (degenerate(enc.fst, v[0], kinds), degenerate(enc.snd, v[1], kinds))
    if hasattr(enc, "degenerate"):  # an encoding that knows its own (a table: `tables`)
        return enc.degenerate(v, kinds)
    if isinstance(enc, ListOf) and isinstance(v, ListBatch):
        n, length = v.batch_size, list_width(v)
        if not n * length:
            return v
        elems = degenerate(enc.elem, flatten_list(v), kinds.repeat_interleave(length))
        return ListBatch(unflatten(elems, n, length), v.lengths)
    return v


@dataclass(frozen=True)
class ListOf(Encoding):
    """``List A``: a `ListBatch` (elem values with leading dims (N, L), lengths (N,)).
    Sampled with lengths uniform in ``[min_length, max_length]``, shortest first."""

    elem: Encoding
    kind = "List"

    @property
    def discrete(self) -> bool:  # type: ignore[override]
        return self.elem.discrete

    def describe(self) -> str:
        e = self.elem.describe()
        return f"List ({e})" if " " in e else f"List {e}"

    def plan(self, n, gen, cfg):
        return torch.randint(min(cfg.min_length, cfg.max_length), cfg.max_length + 1, (n,),
                             generator=gen)

    def size_key(self, plan):
        return plan

    def numel(self, plan):
        unit = self.elem.numel(torch.zeros(1, dtype=torch.long))
        return (plan + 1) * int(unit[0])

    def materialize(self, plan, gen, cfg):
        n = int(plan.shape[0])
        length = int(plan.max()) if n else 0
        eplan = self.elem.plan(n * length, gen, cfg)
        vals = self.elem.materialize(eplan, gen, cfg) if n * length else self.elem.empty(n, cfg.device, cfg.dtype)
        if n * length:
            vals = unflatten(vals, n, length)
        return ListBatch(vals, plan.to(cfg.device))

    def equal(self, x: ListBatch, y: ListBatch, tol):
        n = x.batch_size
        same_len = x.lengths == y.lengths
        length = max(list_width(x), list_width(y))
        xs, ys = pad_list(x, length), pad_list(y, length)
        if length == 0:
            return same_len, (~same_len).to(torch.float64)
        if isinstance(self.elem, FloatTensor) and not self.elem.shape:
            # a list of scalars is one group, as a Float[L] is (see `Tolerance`)
            pos = torch.arange(length, device=x.lengths.device).unsqueeze(0)
            live = pos < torch.minimum(x.lengths, y.lengths).unsqueeze(1)
            ok_f, err_f = float_close(xs.values.unsqueeze(1), ys.values.unsqueeze(1),
                                      tol or tolerance_for(xs.values.dtype), live.unsqueeze(1))
            return same_len & ok_f, torch.where(same_len, err_f, torch.full_like(err_f, math.inf))
        ok_e, err_e = self.elem.equal(flatten_list(xs), flatten_list(ys), tol)
        pos = torch.arange(length, device=x.lengths.device).unsqueeze(0)
        live = pos < torch.minimum(x.lengths, y.lengths).unsqueeze(1)
        ok_e = ok_e.reshape(n, length) | ~live
        err_e = torch.where(live, err_e.reshape(n, length), torch.zeros_like(err_e.reshape(n, length)))
        ok = same_len & ok_e.all(1)
        err = torch.where(same_len, err_e.amax(1), torch.full_like(err_e[:, 0], math.inf if not self.elem.discrete else 1.0))
        return ok, err

    def render(self, v: ListBatch, i):
        k = int(v.lengths[i])
        row = take(v.values, torch.tensor([i]))
        row = map_leaves(row, lambda t: t[0]) if not isinstance(row, ListBatch) else row
        items = [self.elem.render(row, j) for j in range(min(k, 12))]
        more = f", … ({k} elements)" if k > 12 else ""
        return "[" + ", ".join(items) + more + "]"

    def broadcast(self, v, n, device, dtype):
        if isinstance(v, ListBatch):
            return take(v, torch.zeros(n, dtype=torch.long))
        raise ArchLawError(f"a constant of sort {self.describe()} must be a ListBatch of one list")

    def empty(self, n, device, dtype):
        # n lists of length 0 whose (absent) elements are lists: leading dims (n, 0, 0)
        return ListBatch(map_leaves(self.elem.empty(n, device, dtype),
                                     lambda t: t.reshape(n, 0, *t.shape[1:])),
                         torch.zeros((n, 0), dtype=torch.long, device=device))


@dataclass(frozen=True)
class ProdOf(Encoding):
    """``A × B``: a tuple ``(a, b)`` of batched values; enumerated with ``a`` varying slowest."""

    fst: Encoding
    snd: Encoding
    kind = "Prod"

    @property
    def discrete(self) -> bool:  # type: ignore[override]
        return self.fst.discrete and self.snd.discrete

    def describe(self) -> str:
        return f"{_paren(self.fst)} × {_paren(self.snd)}"

    @property
    def cardinality(self):
        a, b = self.fst.cardinality, self.snd.cardinality
        return None if a is None or b is None else a * b

    def enumerate(self, device):
        a, b = self.fst.enumerate(device), self.snd.enumerate(device)
        na, nb = batch_size(a), batch_size(b)
        ia = torch.arange(na, device=device).repeat_interleave(nb)
        ib = torch.arange(nb, device=device).repeat(na)
        return (take(a, ia), take(b, ib))

    def plan(self, n, gen, cfg):
        # two plans packed in one long: the pair's shape is drawn when materializing
        return torch.zeros(n, dtype=torch.long)

    def numel(self, plan):
        return self.fst.numel(plan) + self.snd.numel(plan)

    def materialize(self, plan, gen, cfg):
        n = int(plan.shape[0])
        pa, pb = self.fst.plan(n, gen, cfg), self.snd.plan(n, gen, cfg)
        return (self.fst.materialize(pa, gen, cfg), self.snd.materialize(pb, gen, cfg))

    def equal(self, x, y, tol):
        oa, ea = self.fst.equal(x[0], y[0], tol)
        ob, eb = self.snd.equal(x[1], y[1], tol)
        return oa & ob, torch.maximum(ea, eb)

    def render(self, v, i):
        return f"({self.fst.render(v[0], i)}, {self.snd.render(v[1], i)})"

    def lit(self, k, n, device, dtype):
        raise ArchLawError(f"sort {self.describe()} has no numerals")

    def broadcast(self, v, n, device, dtype):
        return (self.fst.broadcast(v[0], n, device, dtype), self.snd.broadcast(v[1], n, device, dtype))

    def empty(self, n, device, dtype):
        return (self.fst.empty(n, device, dtype), self.snd.empty(n, device, dtype))


@dataclass(frozen=True)
class FunctionSort(Encoding):
    """``A → B``: values are callables on batched values. Never enumerated, sampled or compared
    (state laws pointwise)."""

    dom: Encoding
    cod: Encoding
    kind = "Fun"

    @property
    def discrete(self) -> bool:  # type: ignore[override]
        # a function compared as its table of values is exact only if those values are
        return self.dom.discrete and self.cod.discrete

    def describe(self) -> str:
        return f"{_paren(self.dom)} → {self.cod.describe()}"

    def equal(self, x, y, tol):
        raise ArchLawError(f"cannot compare functions of sort {self.describe()}: state the law "
                           "pointwise (∀ x, f x = g x)")

    def render(self, v, i):
        return "<function>"


def _paren(e: Encoding) -> str:
    """Parenthesise arrows (functions and tables) and products inside products and arrow domains
    (application binds tighter than both, as in Lean: ``Fin 2 × Bool``, ``(Fin 2 → Bool) → Nat``,
    ``(Fin 8 → Float) → Fin 8 → Float``)."""
    s = e.describe()
    return f"({s})" if e.kind in ("Fun", "Prod", "Table") else s


def describe(e: Encoding) -> str:
    """Lean-like text of an encoding (as stored in saved-model specs and certificates)."""
    return e.describe()


# --------------------------------------------------------------------------------------------
# Resolution of sort terms

SortFactory = Callable[[tuple[Encoding, ...], Mapping[str, int]], Encoding]
_SORTS: dict[str, SortFactory] = {}


def register_sort(name: str) -> Callable[[SortFactory], SortFactory]:
    """Decorator: register the encoding of the library type constant `name` (e.g.
    ``"ArchLaw.BTree"``). The factory gets the encodings of the type's explicit arguments and
    the law parameters, and returns an `Encoding`. A later registration replaces an earlier one."""

    def deco(f: SortFactory) -> SortFactory:
        _SORTS[name] = f
        return f

    return deco


_ARROWS: list[Callable[[Encoding, Encoding], Encoding | None]] = []


def register_arrow(f: Callable[[Encoding, Encoding], Encoding | None]) -> None:
    """Register `f(dom, cod)`: the encoding of an arrow sort ``dom → cod`` other than a
    `FunctionSort`, or None. `archlaw.bridge.tables` registers the tables of functions over
    finite types (kept there, so that this module does not grow a second idea)."""
    _ARROWS.append(f)


_NAT_OPS: dict[str, Callable[[int, int], int]] = {
    "HAdd.hAdd": lambda a, b: a + b,
    "HSub.hSub": lambda a, b: max(a - b, 0),
    "HMul.hMul": lambda a, b: a * b,
    "HDiv.hDiv": lambda a, b: a // b if b else 0,
    "HMod.hMod": lambda a, b: a % b if b else a,
    "HPow.hPow": lambda a, b: a ** b,
}


def static_nat(t: Term, params: Mapping[str, int], *, where: str = "") -> int:
    """Evaluate a closed Nat expression of the law parameters (``B``, ``B * B``, ``n + 1``)."""
    if isinstance(t, Lit) and isinstance(t.value, int):
        return t.value
    if isinstance(t, Var):
        if t.name in params:
            return int(params[t.name])
        raise ArchLawError(f"law parameter {t.name!r} has no value; give it in the binding's "
                           f"params (e.g. --param {t.name}=10)", where=where or None)
    if isinstance(t, App) and isinstance(t.head, str):
        if t.head in _NAT_OPS and len(t.args) == 2:
            return _NAT_OPS[t.head](static_nat(t.args[0], params, where=where),
                                    static_nat(t.args[1], params, where=where))
        if t.head == "Nat.succ" and len(t.args) == 1:
            return static_nat(t.args[0], params, where=where) + 1
        if t.head == "Fin.val" and len(t.args) == 1:
            return static_nat(t.args[0], params, where=where)
    raise ArchLawError(f"cannot evaluate {pretty(t)} to a number from the law parameters "
                       f"{dict(params)}", where=where or None)


def resolve_sort(t: Term, sorts: Mapping[str, Any], params: Mapping[str, int], *,
                 where: str = "") -> Encoding:
    """The encoding of sort term `t` given the binding's `sorts` (encodings of sort parameters)
    and `params` (values of Nat parameters). Raises `ArchLawError` naming the sort otherwise."""
    if isinstance(t, Var):
        if t.name in sorts:
            e = sorts[t.name]
            if not isinstance(e, Encoding):
                raise ArchLawError(f"binding.sorts[{t.name!r}] must be an Encoding from "
                                   f"archlaw.bridge.sorts, got {type(e).__name__}", where=where or None)
            return e
        raise ArchLawError(f"sort parameter {t.name!r} has no encoding; give one in binding.sorts "
                           "(e.g. Finite(10) or FloatTensor((16,)))", where=where or None)
    if isinstance(t, Pi):
        dom = resolve_sort(t.var.sort, sorts, params, where=where)
        cod = resolve_sort(t.body, sorts, params, where=where)
        for arrow in _ARROWS:  # a function over a finite type is a table (`tables`)
            got = arrow(dom, cod)
            if got is not None:
                return got
        return FunctionSort(dom, cod)
    if isinstance(t, App) and isinstance(t.head, str):
        h, a = t.head, t.args
        if h == "Fin" and len(a) == 1:
            n = static_nat(a[0], params, where=where)
            if n <= 0:
                raise ArchLawError(f"Fin {n} is empty", where=where or None)
            return Finite(n)
        if h == "Nat" and not a:
            return NatEnc()
        if h in ("Bool", "Prop") and not a:
            return BoolEnc()
        if h == "Float" and not a:
            return FloatTensor((), torch.float64)
        if h == "Float32" and not a:
            return FloatTensor((), torch.float32)
        if h == "List" and len(a) == 1:
            return ListOf(resolve_sort(a[0], sorts, params, where=where))
        if h == "Prod" and len(a) == 2:
            return ProdOf(resolve_sort(a[0], sorts, params, where=where),
                          resolve_sort(a[1], sorts, params, where=where))
        if h in _SORTS:
            args = tuple(_resolve_arg(x, sorts, params, where) for x in a)
            return _SORTS[h](args, params)  # type: ignore[arg-type]
        if h in sorts:  # a sort constant bound by name
            return sorts[h]
    if isinstance(t, Sort) and t.name == "Prop":
        return BoolEnc()
    raise ArchLawError(f"no encoding for sort {pretty(t)}; known: Fin n, Nat, Bool, Float, List, "
                       f"×, arrows, binding.sorts, registered {sorted(_SORTS)} "
                       "(register one with @archlaw.bridge.sorts.register_sort(NAME))",
                       where=where or None)


def _resolve_arg(x: Term, sorts, params, where) -> Any:
    # type constructors may take Nat arguments (a depth, a size): pass those as ints
    try:
        return resolve_sort(x, sorts, params, where=where)
    except ArchLawError:
        return static_nat(x, params, where=where)
