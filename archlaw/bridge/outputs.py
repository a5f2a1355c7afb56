"""What a bound symbol returned, checked against the sort the law declares for it.

A binding's callable for ``f : A → R`` must return R's batched value for the N cases it was
given (the table in `archlaw.bridge.sorts`). Nothing downstream may be trusted to notice when it
does not: a (N, 6, 16) tensor for ``Float[6, 15]`` compares fine against another (N, 6, 16), an
int64 tensor passes as a float, a tuple flows into the next symbol and fails there, blaming it.
So every value a symbol returns is validated here, at the symbol, before anything uses it; a
mismatch is one `ArchLawError` line naming the symbol, its declared sort and what came back.

========================  ==================================================================
declared sort             accepted value for a batch of N cases
========================  ==================================================================
`Finite`, `NatEnc`        an integer tensor (N,) (bool allowed), entries in range
`BoolEnc`                 a ``torch.bool`` tensor (N,)
`FloatTensor(shape)`      a floating tensor (N, *shape), no less precise than its float
                          arguments (`check_precision`)
`ListOf(elem)`            a `ListBatch`: lengths long (N,) within the padded width L, every
                          leaf of ``values`` with leading dims (N, L), its elements valid at elem
`ProdOf(a, b)`            a tuple of exactly two values, valid at a and b
`FunctionSort`, others    a value with a ``batch_size`` must have N; otherwise not checked here
========================  ==================================================================
"""

from __future__ import annotations

from typing import Any, Iterable, Mapping

import torch

from .binding import ListBatch
from .errors import ArchLawError
from .sorts import (
    BoolEnc, Encoding, Finite, FloatTensor, FunctionSort, ListOf, ProdOf, flatten_list, list_width,
)

__all__ = ["validate_output", "check_precision", "value_text", "record_nonfinite"]


def value_text(v: Any) -> str:
    """A short description of a batched value: ``shape (5, 6, 16) float32``, ``a tuple of 3
    values (…)``, ``ListBatch(values shape (5, 4, 2) float32, lengths shape (5,) int64)``, or the
    type's name."""
    if isinstance(v, torch.Tensor):
        return f"shape {tuple(v.shape)} {str(v.dtype).replace('torch.', '')}"
    if isinstance(v, tuple):
        return f"a tuple of {len(v)} values (" + ", ".join(value_text(x) for x in v) + ")"
    if isinstance(v, ListBatch):
        return f"ListBatch(values {value_text(v.values)}, lengths {value_text(v.lengths)})"
    return f"a {type(v).__name__}"


def validate_output(v: Any, enc: Encoding, n: int | None, name: str, where: str = "") -> None:
    """Raise `ArchLawError` unless `v` is a valid batched value of `enc` for `n` cases (None:
    batch size unknown, not checked). `name` is the symbol that returned `v`."""
    _check(v, enc, n, name, where, v, enc)


def check_precision(out: Any, args: tuple[Any, ...], name: str, where: str = "",
                    exact: bool = False) -> None:
    """Refuse a float result less precise than the symbol's float arguments, which come in the
    check's dtype: a float16 or float32 result in a float64 check compares its rounding, not the
    law. A more precise one is harmless, unless `exact` (a binding derived from a spec, whose
    float is the check's dtype). Nothing to compare without a float argument."""
    want = next((a.dtype for a in args if isinstance(a, torch.Tensor) and a.is_floating_point()),
                None)
    if want is None or not isinstance(out, torch.Tensor) or not out.is_floating_point() \
            or out.dtype == want or (not exact and torch.finfo(out.dtype).bits
                                     >= torch.finfo(want).bits):
        return
    got, run = (str(t).replace("torch.", "") for t in (out.dtype, want))
    spec = "; a spec's float is the check's dtype" if exact else ""
    raise ArchLawError(f"symbol {name!r} returned dtype {got} where the check runs in {run} (its "
                       f"float arguments' dtype{spec}): the module's parameters follow the "
                       "check's dtype; a cast inside the model does not", where=where or None)


def _fail(name: str, top: Any, top_enc: Encoding, why: str, where: str) -> ArchLawError:
    return ArchLawError(f"symbol {name!r} returned {value_text(top)} for its declared sort "
                        f"{top_enc.describe()}: {why}", where=where or None)


def _check(v: Any, enc: Encoding, n: int | None, name: str, where: str, top: Any,
           top_enc: Encoding) -> None:
    def fail(why: str) -> ArchLawError:
        return _fail(name, top, top_enc, why, where)

    def batch(t: torch.Tensor, rest: tuple[int, ...] | None, what: str) -> None:
        want = (n, *rest) if rest is not None and n is not None else None
        if want is not None and tuple(t.shape) != want:
            raise fail(f"expected {what} of shape {want}")
        if n is not None and (t.dim() == 0 or t.shape[0] != n):
            raise fail(f"expected {what} with leading dimension N = {n} (a binding's callables "
                       "are batched)")

    if isinstance(enc, ProdOf):
        if not (isinstance(v, tuple) and len(v) == 2):
            raise fail(f"expected a pair (a tuple of 2 batched values) for {enc.describe()}")
        _check(v[0], enc.fst, n, name, where, top, top_enc)
        _check(v[1], enc.snd, n, name, where, top, top_enc)
        return
    if isinstance(enc, FloatTensor):
        if not isinstance(v, torch.Tensor):
            raise fail("expected a floating tensor")
        if not v.is_floating_point():
            dtype = str(v.dtype).replace("torch.", "")
            raise fail(f"expected a floating tensor, got dtype {dtype}")
        batch(v, tuple(enc.shape), f"a {enc.describe()} batch")
        return
    if isinstance(enc, ListOf):
        if not isinstance(v, ListBatch):
            raise fail("expected a ListBatch (values with leading dims (N, L), lengths (N,))")
        lengths = v.lengths
        if not isinstance(lengths, torch.Tensor) or lengths.is_floating_point() \
                or lengths.dtype == torch.bool:
            raise fail("expected integer list lengths")
        batch(lengths, (), "list lengths")
        width = list_width(v)
        if lengths.numel() and (int(lengths.min()) < 0 or int(lengths.max()) > width):
            raise fail(f"list lengths must lie in [0, {width}] (the padded width)")
        for leaf in _leaves(v.values):
            if leaf.dim() < 2 or (n is not None and leaf.shape[0] != n) or leaf.shape[1] != width:
                raise fail(f"expected list values with leading dims (N, L) = ({n}, {width})")
        m = None if n is None else n * width
        _check(flatten_list(v), enc.elem, m, name, where, top, top_enc)
        return
    if isinstance(enc, FunctionSort):
        return  # a curried result: its own arguments' results are checked when applied
    if enc.kind in ("Fin", "Nat") or isinstance(enc, Finite):
        if not isinstance(v, torch.Tensor):
            raise fail("expected a long tensor of decoded values")
        if v.is_floating_point() or v.is_complex():
            # the historical wording: models must decode themselves
            raise ArchLawError(f"symbol {name!r} returned {v.dtype} values for the sort "
                               f"{enc.describe()}; decode them (argmax, .long()) in the binding",
                               where=where or None)
        batch(v, (), f"a {enc.describe()} batch")
        if v.numel():
            lo, hi = int(v.min()), int(v.max())
            top_n = enc.n if isinstance(enc, Finite) else None
            if lo < 0 or (top_n is not None and hi >= top_n):
                bad = lo if lo < 0 else hi
                raise ArchLawError(f"symbol {name!r} returned {bad}, outside {enc.describe()}",
                                   where=where or None)
        return
    if isinstance(enc, BoolEnc):
        if not isinstance(v, torch.Tensor) or v.dtype != torch.bool:
            raise fail("expected a torch.bool tensor")
        batch(v, (), "a Bool batch")
        return
    # a registered encoding: its values carry their batch size (`archlaw.bridge.sorts`)
    size = getattr(v, "batch_size", None)
    if n is not None and isinstance(size, int) and size != n:
        raise fail(f"expected {n} cases, got {size}")


def _leaves(v: Any) -> list[torch.Tensor]:
    if isinstance(v, torch.Tensor):
        return [v]
    if isinstance(v, tuple):
        return [t for x in v for t in _leaves(x)]
    if isinstance(v, ListBatch):
        return _leaves(v.values) + ([v.lengths] if v.lengths.dim() > 1 else [])
    return []


def _nonfinite(v: Any) -> bool:
    """Whether a float tensor in `v` (a tensor, a tuple of values, a `ListBatch`) holds a NaN
    or an infinity."""
    if isinstance(v, torch.Tensor):
        return v.is_floating_point() and not bool(torch.isfinite(v).all())
    if isinstance(v, (tuple, list)):
        return any(_nonfinite(x) for x in v)
    if isinstance(v, ListBatch):
        return _nonfinite(v.values)
    return False


def record_nonfinite(symbols: Mapping[str, Any], names: Iterable[str]
                     ) -> tuple[dict[str, Any], set[str]]:
    """`symbols` with each callable named in `names` wrapped to note, in the returned set, its
    name when a value it returns holds NaN or inf (a counterexample says so: such a case fails
    whatever the law)."""
    found: set[str] = set()

    def wrap(name: str, f: Any) -> Any:
        def call(*args: Any) -> Any:
            out = f(*args)
            if _nonfinite(out):
                found.add(name)
            return out
        return call

    return ({k: wrap(k, f) if k in set(names) and callable(f) and not isinstance(f, torch.Tensor)
             else f for k, f in symbols.items()}, found)
