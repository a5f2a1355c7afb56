"""Para morphisms bound to the laws of ``lean/ArchLaw/Para.lean``.

Every symbol comes from a morphism: a forward symbol ``f : P × A → B`` is `Para.apply`, and each
reverse derivative ``Rf : P × (A × B) → P × (A)`` is `torch.func.vjp` of that same function at
``(p, a)`` applied to the cotangent ``b``, giving ``(∂p, ∂a)``. So a law about ``Rf`` tests autograd
(and any custom `autograd.Function` inside the morphism) as much as the morphism.

Sorts. A parameter sort `Params` is sampled by the engine as one flat vector
(``FloatTensor((numel,))``, split into the named tensors inside the call), data ``Float(shape)``
as ``FloatTensor(shape)``, and `Prod` as the engine's ``ProdOf``: a parameter of a composite is the
pair of its factors' parameters, exactly as in Lean. The engine passes batches of N cases, each
with its own parameter value; the morphism runs per case under `torch.func.vmap`.

Laws and binders (``archlaw check`` / `check_law`):

================================  ===================================================
law                               binding
================================  ===================================================
``ArchLaw.Para.TiedLaw``          `tied_binding` (``untied``, ``tied``)
``ArchLaw.Para.AssocLaw``         `assoc_binding` (``fg_h``, ``f_gh``)
``ArchLaw.Para.UnrollLaw``        `unroll_binding` (``un``, ``um``, ``unm``)
``ArchLaw.Para.ChainRule``        `chain_binding` (``f``, ``Rf``, ``Rg``, ``Rgf``)
``ArchLaw.Para.ReparamRule``      `reparam_binding` (``r``, ``Rr``, ``Rf``, ``Rfr``)
``ArchLaw.Para.CopyLaw``          `copy_binding` (``dup``, ``Rdup``)
``ArchLaw.Para.TiedGradLaw``      `tied_grad_binding` (``Rf``, ``Rtied``)
``ArchLaw.Para.tied_grad_sum``    `tied_theorem_binding` (``dup``, ``Rdup``, ``Rf``, ``Rtied``)
================================  ===================================================
"""

from __future__ import annotations

from typing import Any, Callable

import torch
from torch.func import vjp, vmap

from archlaw.bridge import sorts as S
from archlaw.bridge.binding import Binding
from archlaw.bridge.errors import ArchLawError
from archlaw.models.para.modules import Float, Para, Params, Prod, Reparam, Sort, diag

__all__ = ["encoding", "to_value", "to_flat", "forward_symbol", "reverse_symbol", "map_symbol",
           "reverse_map_symbol", "tied_binding", "assoc_binding", "unroll_binding",
           "chain_binding", "reparam_binding", "copy_binding", "tied_grad_binding",
           "tied_theorem_binding"]


def encoding(s: Sort) -> S.Encoding:
    """The engine's encoding of a sort: `Params` as one flat float vector, `Float` as its
    tensor, `Prod` as ``ProdOf``."""
    if isinstance(s, Params):
        return S.FloatTensor((s.numel,))
    if isinstance(s, Float):
        return S.FloatTensor(tuple(s.shape))
    return S.ProdOf(encoding(s.fst), encoding(s.snd))


def to_value(s: Sort, v: Any) -> Any:
    """One case of the engine's encoding -> the morphism's value: a flat vector of a `Params`
    sort becomes its named tensors (views, so autograd flows back to the flat vector)."""
    if isinstance(s, Params):
        out, at = {}, 0
        for name, shape in s.shapes:
            k = 1
            for d in shape:
                k *= d
            out[name] = v[at:at + k].reshape(shape)
            at += k
        return out
    if isinstance(s, Float):
        return v
    return (to_value(s.fst, v[0]), to_value(s.snd, v[1]))


def to_flat(s: Sort, v: Any) -> Any:
    """The inverse of `to_value`: named tensors -> one flat vector (in `Params` order)."""
    if isinstance(s, Params):
        if not s.shapes:
            return torch.zeros(0)
        return torch.cat([v[name].reshape(-1) for name, _ in s.shapes])
    if isinstance(s, Float):
        return v
    return (to_flat(s.fst, v[0]), to_flat(s.snd, v[1]))


def _batch1(x: Any) -> Any:
    return tuple(_batch1(y) for y in x) if isinstance(x, tuple) else x.unsqueeze(0)


def _unbatch1(x: Any) -> Any:
    return tuple(_unbatch1(y) for y in x) if isinstance(x, tuple) else x.squeeze(0)


def _one_case(m: Para) -> Callable[[Any, Any], Any]:
    """``(p, a) -> m.apply(p, a)`` for one case, `p` in the engine's (flat) encoding."""
    return lambda p, a: _unbatch1(m.apply(to_value(m.param_sort, p), _batch1(a)))


def forward_symbol(m: Para) -> Callable[[Any], Any]:
    """The symbol ``f : P × A → B`` of `m`: batched ``(p, a)`` -> batched ``b``."""
    one = _one_case(m)
    return lambda pa: vmap(one)(pa[0], pa[1])


def reverse_symbol(m: Para) -> Callable[[Any], Any]:
    """The symbol ``Rf : P × (A × B) → P × A`` of `m`: `torch.func.vjp` of ``(p, a) ↦ f (p, a)``
    at each case, applied to the cotangent ``b``."""
    one = _one_case(m)

    def rev(p, a, b):
        _, pull = vjp(one, p, a)
        return pull(b)
    return lambda pab: vmap(rev)(pab[0], pab[1][0], pab[1][1])


def map_symbol(r: Callable[[Any], Any], q: Sort, p: Sort) -> Callable[[Any], Any]:
    """A reparametrisation ``r : Q → P`` (on morphism values) as a symbol on encoded values."""
    return vmap(lambda v: to_flat(p, r(to_value(q, v))))


def reverse_map_symbol(r: Callable[[Any], Any], q: Sort, p: Sort) -> Callable[[Any], Any]:
    """``Rr : Q × P → Q``: `torch.func.vjp` of `r` at ``q`` applied to the cotangent."""
    def rev(v, dp):
        _, pull = vjp(lambda w: to_flat(p, r(to_value(q, w))), v)
        return pull(dp)[0]
    return lambda qp: vmap(rev)(qp[0], qp[1])


def _binding(sorts: dict[str, Sort], symbols: dict[str, Callable[..., Any]], name: str,
             **meta: Any) -> Binding:
    return Binding(sorts={k: encoding(v) for k, v in sorts.items()}, params={}, symbols=symbols,
                   model_symbols=frozenset(symbols), module=None,
                   metadata={"name": name, "model": name, **meta})


def _pair_of(s: Sort, what: str) -> Prod:
    if not isinstance(s, Prod):
        raise ArchLawError(f"{what}: expected a product sort, got {s.describe()}")
    return s


def tied_binding(untied: Para, tied: Para) -> Binding:
    """``TiedLaw untied tied``: `tied` must have parameter ``P`` and `untied` ``P × P``."""
    p = tied.param_sort
    if untied.param_sort != Prod(p, p) or untied.dom != tied.dom or untied.cod != tied.cod:
        raise ArchLawError(f"TiedLaw: untied {untied!r} and tied {tied!r} do not fit; the untied "
                           "layer needs parameter P × P where the tied one has P, and one A -> B")
    return _binding({"P": p, "A": tied.dom, "B": tied.cod},
                    {"untied": forward_symbol(untied), "tied": forward_symbol(tied)}, tied.name)


def assoc_binding(fg_h: Para, f_gh: Para) -> Binding:
    """``AssocLaw fg_h f_gh``: parameters ``((P × Q) × R)`` and ``(P × (Q × R))``."""
    outer = _pair_of(fg_h.param_sort, f"AssocLaw: {fg_h.name}")
    pq = _pair_of(outer.fst, f"AssocLaw: {fg_h.name}")
    want = Prod(pq.fst, Prod(pq.snd, outer.snd))
    if f_gh.param_sort != want or f_gh.dom != fg_h.dom or f_gh.cod != fg_h.cod:
        raise ArchLawError(f"AssocLaw: {f_gh!r} does not fit {fg_h!r}; expected parameter "
                           f"{want.describe()}")
    return _binding({"P": pq.fst, "Q": pq.snd, "R": outer.snd, "A": fg_h.dom, "D": fg_h.cod},
                    {"fg_h": forward_symbol(fg_h), "f_gh": forward_symbol(f_gh)},
                    f"{fg_h.name} vs {f_gh.name}")


def unroll_binding(un: Para, um: Para, unm: Para) -> Binding:
    """``UnrollLaw un um unm``: three endomorphisms with one parameter sort."""
    if not (un.param_sort == um.param_sort == unm.param_sort) or \
            not (un.dom == un.cod == um.dom == um.cod == unm.dom == unm.cod):
        raise ArchLawError(f"UnrollLaw: {un!r}, {um!r} and {unm!r} must be endomorphisms of one "
                           "sort with one parameter sort")
    return _binding({"P": un.param_sort, "A": un.dom},
                    {"un": forward_symbol(un), "um": forward_symbol(um),
                     "unm": forward_symbol(unm)}, unm.name)


def chain_binding(f: Para, g: Para, gf: Para | None = None) -> Binding:
    """``ChainRule f Rf Rg Rgf`` for the composite `gf` (default ``f.then(g)``)."""
    gf = f.then(g) if gf is None else gf
    if gf.param_sort != Prod(f.param_sort, g.param_sort) or gf.dom != f.dom or gf.cod != g.cod:
        raise ArchLawError(f"ChainRule: {gf!r} is not a composite of {f!r} and {g!r}")
    return _binding({"P": f.param_sort, "Q": g.param_sort, "A": f.dom, "B": f.cod, "C": g.cod},
                    {"f": forward_symbol(f), "Rf": reverse_symbol(f), "Rg": reverse_symbol(g),
                     "Rgf": reverse_symbol(gf)}, gf.name)


def reparam_binding(fr: Reparam) -> Binding:
    """``ReparamRule r Rr Rf Rfr`` of a reparametrised morphism ``fr = f.reparam(r, Q, …)``."""
    q, p = fr.param_sort, fr.f.param_sort
    return _binding({"P": p, "Q": q, "A": fr.dom, "B": fr.cod},
                    {"r": map_symbol(fr.r, q, p), "Rr": reverse_map_symbol(fr.r, q, p),
                     "Rf": reverse_symbol(fr.f), "Rfr": reverse_symbol(fr)}, fr.name)


def copy_binding(p: Sort, copy: Callable[[Any], Any] = diag, name: str = "diag") -> Binding:
    """``CopyLaw dup Rdup`` of a copy map on values of sort `p` (default `diag`, the one
    `Para.tie` reparametrises along); ``+`` is resolved from P's float encoding."""
    pp = Prod(p, p)
    return _binding({"P": p}, {"dup": map_symbol(copy, p, pp),
                               "Rdup": reverse_map_symbol(copy, p, pp)}, name)


def _tied_parts(tied: Reparam) -> tuple[Sort, Para]:
    p, untied = tied.param_sort, tied.f
    if untied.param_sort != Prod(p, p):
        raise ArchLawError(f"TiedGradLaw: {tied!r} is not a tied layer (its untied layer "
                           f"{untied!r} should have parameter P × P)")
    return p, untied


def tied_grad_binding(tied: Reparam) -> Binding:
    """``TiedGradLaw Rf Rtied`` of a tied morphism (`Para.tie`, or any `Reparam` of ``P × P``
    with parameter ``P``)."""
    p, untied = _tied_parts(tied)
    return _binding({"P": p, "A": tied.dom, "B": tied.cod},
                    {"Rf": reverse_symbol(untied), "Rtied": reverse_symbol(tied)}, tied.name)


def tied_theorem_binding(tied: Reparam) -> Binding:
    """The theorem-level binding of ``tied_grad_sum``: ``dup`` is the tie's own
    reparametrisation map, ``Rdup``/``Rf``/``Rtied`` autograd on it, the untied and tied layer."""
    p, untied = _tied_parts(tied)
    pp = Prod(p, p)
    return _binding({"P": p, "A": tied.dom, "B": tied.cod},
                    {"dup": map_symbol(tied.r, p, pp), "Rdup": reverse_map_symbol(tied.r, p, pp),
                     "Rf": reverse_symbol(untied), "Rtied": reverse_symbol(tied)}, tied.name)
