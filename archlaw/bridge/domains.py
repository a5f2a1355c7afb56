"""The domains a law's binders range over in a check: enumerated, sampled, or crossed.

Given a field's binders ``∀ (x₁ : T₁) … (xₖ : Tₖ)`` and their encodings:

* **exhaustive**: every binder has a finite sort and the product of their cardinalities P fits
  the budget (default 10**6): all P cases, in lexicographic order (the first binder varies
  slowest, each sort in its own enumeration order, smallest first). The first failing case is
  therefore the smallest counterexample in that order.
* **crossed** (check kind ``sampled``): some binders have infinite sorts (floats, lists, Nat,
  trees). Each finite binder is still enumerated in full and crossed with S samples of the
  others, when P·S fits the budget (else S is cut to budget // P). An equivariance law
  ``∀ (g : G) (x : X)`` is thus checked on every group element for each sampled input.
* **crossed over group elements** (check kind ``sampled``): otherwise, when the field's leading
  binders are finite structures (``Perm n``, ``D4``: the orderings ``σ : Perm m`` of an edge
  list, a symmetry ``g : D4``) whose P values times S samples fit the budget, they are
  enumerated in full for each of S samples of the other binders, finite or not; every edge
  ordering of each sampled graph is tried even when the graphs are too many to enumerate.
* **sampled**: otherwise, every binder is sampled (finite ones uniformly), min(samples, budget)
  cases.

Samples are drawn in two steps: a *plan* (a list's length, a tree's depth, a Nat's value) for all
S samples, sorted so that the smallest come first (sum of the binders' size keys, ties broken by
the sum of sampled `Fin` values), then
their contents, block by block, each block from its own generator seeded by (seed, tag, block).
Blocks depend only on the plans, never on chunking, so a case replays exactly from the seed.
Float inputs are Gaussian with scaled extremes (see `archlaw.bridge.sorts.FloatTensor`), except
the first three samples in check order, whose float entries (in every float binder, pair part and
list element) are the degenerate inputs `archlaw.bridge.sorts.DEGENERATE`: all zeros, all equal,
one non-zero entry (lengths and discrete parts stay as drawn); lists
have lengths uniform in ``[0, max_length]``, by default 10x the binding's ``max_train_length``
(32 when unknown); trees up to 10x ``max_train_depth`` (8 when unknown).

Memory: cases are produced in chunks holding at most `MAX_SCALARS` scalars of inputs.
"""

from __future__ import annotations

import bisect
import hashlib
import math
from dataclasses import dataclass
from typing import Any, Iterator, Literal, Sequence

import torch

from .sorts import DEGENERATE, Encoding, Finite, SampleConfig, degenerate, take

__all__ = ["BinderDomain", "Domain", "build_domain", "derive_seed", "default_config",
           "DEFAULT_BUDGET", "DEFAULT_SAMPLES", "MAX_SCALARS"]

#: Default number of cases a check may try.
DEFAULT_BUDGET = 10**6
#: Default number of samples of the infinite binders.
DEFAULT_SAMPLES = 1000
#: At most this many input scalars per chunk (bounds memory).
MAX_SCALARS = 1 << 22
#: At most this many samples per block.
MAX_BLOCK = 4096

CheckKind = Literal["exhaustive", "sampled"]


def derive_seed(*parts: Any) -> int:
    """A stable 63-bit seed from any printable parts (never Python's salted `hash`)."""
    h = hashlib.sha256("/".join(str(p) for p in parts).encode()).digest()
    return int.from_bytes(h[:8], "little") & ((1 << 63) - 1)


def default_config(binding: Any, *, max_length: int | None = None, max_depth: int | None = None,
                   dtype: torch.dtype = torch.float32, device: torch.device | str = "cpu",
                   nat_max: int = 1000, min_length: int = 0) -> SampleConfig:
    """Sampling bounds for a binding: 10x its training maxima unless given."""
    if max_length is None:
        tl = getattr(binding, "max_train_length", None)
        max_length = 10 * tl if tl else 32
    if max_depth is None:
        td = getattr(binding, "max_train_depth", None)
        max_depth = 10 * td if td else 8
    return SampleConfig(max_length=max_length, max_depth=max_depth, nat_max=nat_max, dtype=dtype,
                        device=torch.device(device), min_length=min_length)


@dataclass(frozen=True)
class BinderDomain:
    """How one binder was covered: `kind` exhaustive (all `size` values) or sampled (`size`
    samples)."""

    name: str
    sort: str
    kind: CheckKind
    size: int
    #: the number of values of a finite sort that was sampled (too many to enumerate within the
    #: budget), else None; not in the JSON (its sort says it)
    values: int | None = None

    def to_json(self) -> dict:
        return {"name": self.name, "sort": self.sort, "kind": self.kind, "size": self.size}


class Domain:
    """The cases of one field check; see the module docstring. Use `chunks()` then
    `materialize(start, stop)` (a dict binder name -> batched value of stop - start cases)."""

    def __init__(self, binders: Sequence[tuple[str, Encoding]], *, budget: int, samples: int,
                 seed: int, tag: str, cfg: SampleConfig):
        self.binders = tuple(binders)
        self.cfg, self.seed, self.tag = cfg, seed, tag
        cards = [e.cardinality for _, e in self.binders]
        finite = [i for i, c in enumerate(cards) if c is not None]
        infinite = [i for i, c in enumerate(cards) if c is None]
        prod = math.prod(cards[i] for i in finite)  # type: ignore[misc]
        if not infinite and prod <= budget:
            self.kind: CheckKind = "exhaustive"
            self.enum_idx, self.sample_idx, m = finite, [], 1
        elif infinite and prod * samples <= budget:
            self.kind, self.enum_idx, self.sample_idx, m = "sampled", finite, infinite, samples
        elif infinite and prod <= budget:
            self.kind, self.enum_idx, self.sample_idx = "sampled", finite, infinite
            m = max(1, budget // prod)
        elif lead := _leading_structures(self.binders, samples, budget):
            self.kind, self.enum_idx, m = "sampled", lead, samples
            self.sample_idx = [i for i in range(len(cards)) if i not in lead]
        else:
            self.kind, self.enum_idx, self.sample_idx = "sampled", [], list(range(len(cards)))
            m = max(1, min(samples, budget))
        self.P = math.prod(cards[i] for i in self.enum_idx)  # type: ignore[misc]
        self.S = m
        self.total = self.P * self.S
        dev = cfg.device
        self._enums = {i: self.binders[i][1].enumerate(dev) for i in self.enum_idx}
        # mixed-radix strides, first binder slowest
        self._strides: dict[int, int] = {}
        stride = 1
        for i in reversed(self.enum_idx):
            self._strides[i] = stride
            stride *= cards[i]  # type: ignore[operator]
        # plans of the sampled binders, sorted smallest first
        gen = torch.Generator().manual_seed(derive_seed(seed, tag, "plan"))
        self._plans: dict[int, torch.Tensor] = {}
        key = torch.zeros(self.S, dtype=torch.long)
        key2 = torch.zeros(self.S, dtype=torch.long)
        cost = torch.zeros(self.S, dtype=torch.long)
        for i in self.sample_idx:
            enc = self.binders[i][1]
            p = enc.plan(self.S, gen, cfg)
            self._plans[i] = p
            key += enc.size_key(p)
            if enc.cardinality is not None and isinstance(enc, Finite):
                key2 += p  # ties broken by the sampled finite values: smaller first
            cost += enc.numel(p)
        # sort by (size, finite values), both ascending: stable sort on the minor key first
        order = torch.argsort(key2, stable=True)
        order = order[torch.argsort(key[order], stable=True)]
        for i in self.sample_idx:
            self._plans[i] = self._plans[i][order]
        cost = cost[order] + len(self.enum_idx)
        self._cost = cost
        # blocks of samples: bounded scalars, independent of chunking
        self._blocks: list[int] = [0]
        acc, count = 0, 0
        for s in range(self.S):
            c = int(cost[s])
            if count and (acc + c > MAX_SCALARS or count >= MAX_BLOCK):
                self._blocks.append(s)
                acc, count = 0, 0
            acc += c
            count += 1
        self._blocks.append(self.S)
        self._cached: tuple[int, dict[int, Any]] | None = None

    # -- description -----------------------------------------------------------------------

    def describe(self) -> tuple[BinderDomain, ...]:
        out = []
        for i, (name, enc) in enumerate(self.binders):
            if i in self.enum_idx:
                out.append(BinderDomain(name, enc.describe(), "exhaustive", int(enc.cardinality)))
            else:
                out.append(BinderDomain(name, enc.describe(), "sampled", self.S,
                                        enc.cardinality))
        return tuple(out)

    # -- iteration -------------------------------------------------------------------------

    def chunks(self, max_cases: int | None = None) -> Iterator[tuple[int, int]]:
        """(start, stop) case ranges; never crossing a sample block; bounded in memory."""
        for b in range(len(self._blocks) - 1):
            s0, s1 = self._blocks[b], self._blocks[b + 1]
            per_case = max(1, int(self._cost[s0:s1].max()) if s1 > s0 else 1)
            step = max(1, MAX_SCALARS // per_case)
            if max_cases:
                step = min(step, max_cases)
            k, stop = s0 * self.P, s1 * self.P
            while k < stop:
                yield k, min(k + step, stop)
                k += step

    def _block(self, b: int) -> dict[int, Any]:
        if self._cached is not None and self._cached[0] == b:
            return self._cached[1]
        s0, s1 = self._blocks[b], self._blocks[b + 1]
        gen = torch.Generator().manual_seed(derive_seed(self.seed, self.tag, "block", b))
        vals = {i: self.binders[i][1].materialize(self._plans[i][s0:s1], gen, self.cfg)
                for i in self.sample_idx}
        if b == 0:  # the check's first samples are the degenerate float inputs
            kinds = torch.full((s1 - s0,), -1, dtype=torch.long)
            kinds[:len(DEGENERATE)] = torch.arange(min(len(DEGENERATE), s1 - s0))
            vals = {i: degenerate(self.binders[i][1], v, kinds) for i, v in vals.items()}
        self._cached = (b, vals)
        return vals

    def keys(self, start: int, stop: int) -> dict[str, torch.Tensor]:
        """Binder name -> long (stop - start,): which value of that binder each case of
        [start, stop) has (its enumeration digit, or its sample index): equal ids, equal
        values (`archlaw.bridge.hoist`)."""
        ks = torch.arange(start, stop)
        p = ks % self.P
        out: dict[str, torch.Tensor] = {}
        for i in self.enum_idx:
            card = self.binders[i][1].cardinality
            out[self.binders[i][0]] = torch.div(p, self._strides[i], rounding_mode="floor") % card
        s = torch.div(ks, self.P, rounding_mode="floor")
        for i in self.sample_idx:
            out[self.binders[i][0]] = s
        return out

    def materialize(self, start: int, stop: int) -> dict[str, Any]:
        """Binder name -> batched value for cases [start, stop) (within one block)."""
        dev = self.cfg.device
        ks = torch.arange(start, stop, device=dev)
        out: dict[str, Any] = {}
        p = ks % self.P
        for i in self.enum_idx:
            card = self.binders[i][1].cardinality
            digit = torch.div(p, self._strides[i], rounding_mode="floor") % card
            out[self.binders[i][0]] = take(self._enums[i], digit)
        if self.sample_idx:
            s = torch.div(ks, self.P, rounding_mode="floor")
            b = bisect.bisect_right(self._blocks, int(s[0])) - 1
            if int(s[-1]) >= self._blocks[b + 1]:
                raise ValueError("a chunk may not cross a sample block; use chunks()")
            vals = self._block(b)
            local = (s - self._blocks[b]).cpu()
            for i in self.sample_idx:
                out[self.binders[i][0]] = take(vals[i], local)
        return out


def _leading_structures(binders: Sequence[tuple[str, Encoding]], samples: int,
                        budget: int) -> list[int]:
    """The leading binders of finite-structure sorts (``Perm n``, ``D4``: a law's group
    elements, e.g. the edge orderings ``σ : Perm m``) whose P values, crossed with `samples`
    samples of the rest, fit the budget; [] when there are none or they do not fit."""
    lead, p = [], 1
    for i, (_, enc) in enumerate(binders):
        card = enc.cardinality
        if enc.kind != "Struct" or card is None or p * card * samples > budget:
            break
        lead.append(i)
        p *= card
    return lead if len(lead) < len(binders) else []


def build_domain(binders: Sequence[tuple[str, Encoding]], *, budget: int = DEFAULT_BUDGET,
                 samples: int = DEFAULT_SAMPLES, seed: int = 0, tag: str = "",
                 cfg: SampleConfig | None = None) -> Domain:
    """The `Domain` of a field's binders (see the module docstring)."""
    return Domain(binders, budget=budget, samples=samples, seed=seed, tag=tag,
                  cfg=cfg or SampleConfig())
