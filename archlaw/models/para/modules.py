"""Para in torch: layers as morphisms ``(P, f : P × A → B)`` with explicit parameters.

A `Para` is a *function of its parameters*: ``apply(p, x)`` runs it at the parameter value ``p``
(through `torch.func.functional_call`, so the wrapped `nn.Module`'s own tensors are never read).
Where the parameters live is a separate matter: `Para.module()` binds a morphism to a value held
as `nn.Parameter`s (`ParaModule`), which is what an optimiser trains. This mirrors
``lean/ArchLaw/Para.lean``:

=====================  ========================================  ===========================
Lean                   torch                                     parameter sort
=====================  ========================================  ===========================
``comp f g``           ``f.then(g)`` (`Seq`)                     ``P × Q``
``par f g``            ``f.par(g)`` (`Par`)                      ``P × Q``
``ident A``            `Ident` ``(A)``                           ``Unit`` (no tensors)
``reparam r f``        ``f.reparam(r, Q, init)`` (`Reparam`)     ``Q``
``tie f``              ``f.tie()``                               ``P`` (``f`` has ``P × P``)
``unroll c n``         ``c.unroll(n)``                           ``P`` (``c : A → A``)
=====================  ========================================  ===========================

Values. A sort is `Float` (one tensor of a fixed per-case shape), `Params` (a layer's named
tensors) or `Prod` of two sorts. Data of sort ``Float(shape)`` is batched, ``(N, *shape)``; a
``Prod`` of data is a tuple. A parameter value is unbatched: a ``dict`` name -> tensor for
`Params`, a tuple for `Prod` (``Prod(P, Q)`` holds ``(p, q)``), ``{}`` for ``Unit``.

Typing. Sorts are checked where morphisms meet: `then` refuses ``f.cod != g.dom``, `tie`
refuses a parameter that is not two copies of one sort, `unroll` refuses a non-endomorphism,
`Layer` refuses a module whose output on its declared input sort is not its declared output
sort; each is one `ArchLawError` line naming both sides.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Union

import torch
from torch import nn
from torch.func import functional_call

from archlaw.bridge.errors import ArchLawError

__all__ = ["Float", "Params", "Prod", "Sort", "UNIT", "Para", "Layer", "Ident", "Seq", "Par",
           "Reparam", "ParaModule", "diag", "diag_pow", "iterate", "mlp"]


@dataclass(frozen=True)
class Float:
    """One float tensor per case, of per-case `shape` (batched data: ``(N, *shape)``)."""

    shape: tuple[int, ...]

    def describe(self) -> str:
        return f"Float[{', '.join(str(s) for s in self.shape)}]"


@dataclass(frozen=True)
class Params:
    """A layer's parameters: named tensors of fixed shapes (value: a ``dict`` name -> tensor).
    ``Params(())`` is ``Unit``, the identity's parameter."""

    shapes: tuple[tuple[str, tuple[int, ...]], ...]

    @property
    def numel(self) -> int:
        """Scalars in one value (the flat length a binding samples)."""
        n = 0
        for _, s in self.shapes:
            k = 1
            for d in s:
                k *= d
            n += k
        return n

    def describe(self) -> str:
        if not self.shapes:
            return "Unit"
        return "Params(" + ", ".join(f"{k}[{', '.join(str(d) for d in s)}]"
                                     for k, s in self.shapes) + ")"


@dataclass(frozen=True)
class Prod:
    """``fst × snd`` (value: a tuple)."""

    fst: "Sort"
    snd: "Sort"

    def describe(self) -> str:
        return f"({self.fst.describe()} × {self.snd.describe()})"


Sort = Union[Float, Params, Prod]

#: The trivial parameter sort (Lean's ``Unit``): no tensors.
UNIT = Params(())


def diag(p: Any) -> tuple[Any, Any]:
    """``Δ p = (p, p)``: the copy map along which `Para.tie` reparametrises."""
    return (p, p)


def diag_pow(n: int, p: Any) -> Any:
    """``Δⁿ p``: ``{}`` for n = 0, else ``(Δⁿ⁻¹ p, p)`` (Lean's ``diagPow``: the last
    component is the last step's parameter)."""
    v: Any = {}
    for _ in range(n):
        v = (v, p)
    return v


class Para:
    """A morphism ``A -> B`` of Para with parameter sort `param_sort` (see the module docstring).

    Subclasses implement `apply` and `init`; `dom`, `cod`, `param_sort` and `name` are set by
    their constructors."""

    dom: Sort
    cod: Sort
    param_sort: Sort
    name: str

    def apply(self, p: Any, x: Any) -> Any:
        """``f(p, x)``: `x` batched data of sort `dom`, `p` one parameter value; returns batched
        data of sort `cod`."""
        raise NotImplementedError

    def init(self) -> Any:
        """A fresh initial parameter value (cloned tensors, nothing shared with earlier calls)."""
        raise NotImplementedError

    def then(self, g: "Para") -> "Seq":
        """Sequential composition ``self ; g`` (Lean ``comp self g``), parameter ``P × Q``."""
        return Seq(self, g)

    def par(self, g: "Para") -> "Par":
        """Parallel composition ``self ⊗ g`` (Lean ``par self g``), parameter ``P × Q``."""
        return Par(self, g)

    def reparam(self, r: Callable[[Any], Any], sort: Sort, init: Any, name: str | None = None
                ) -> "Reparam":
        """Reparametrise along ``r : Q -> P`` (`sort` is ``Q``, `init` a value of it)."""
        return Reparam(self, r, sort, init, name)

    def tie(self) -> "Reparam":
        """Weight tying: reparametrise ``P × P`` along ``Δ``; the initial value is the first copy's."""
        s = self.param_sort
        if not isinstance(s, Prod) or s.fst != s.snd:
            raise ArchLawError(f"cannot tie {self.name}: its parameter sort is {s.describe()}; "
                               "tie needs P × P, two copies of one sort")
        return Reparam(self, diag, s.fst, self.init()[0], f"tie({self.name})")

    def unroll(self, n: int) -> "Reparam":
        """``n`` copies of this endomorphism in sequence, tied along ``Δⁿ`` (Lean ``unroll``)."""
        if self.dom != self.cod:
            raise ArchLawError(f"cannot unroll {self.name}: it maps {self.dom.describe()} to "
                               f"{self.cod.describe()}; unroll needs an endomorphism (A to A)")
        if isinstance(n, bool) or not isinstance(n, int) or n < 0:
            raise ArchLawError(f"unroll({n!r}) of {self.name}: expected a natural number of steps")
        return Reparam(iterate(self, n), lambda p: diag_pow(n, p), self.param_sort, self.init(),
                       f"unroll({self.name}, {n})")

    def module(self, value: Any = None) -> "ParaModule":
        """This morphism with its parameters held as `nn.Parameter`s (default: `init`)."""
        return ParaModule(self, self.init() if value is None else value)

    def __repr__(self) -> str:
        return f"{self.name} : {self.dom.describe()} -> {self.cod.describe()} " \
               f"[{self.param_sort.describe()}]"


def _probe(x: Sort) -> Any:
    """One all-zero case of data sort `x` (batch size 1)."""
    if isinstance(x, Float):
        return torch.zeros((1, *x.shape))
    if isinstance(x, Prod):
        return (_probe(x.fst), _probe(x.snd))
    raise ArchLawError(f"{x.describe()} is a parameter sort, not a data sort")


def _sort_of(y: Any) -> Sort:
    """The data sort of a batched value (per-case shape of each tensor)."""
    if isinstance(y, tuple) and len(y) == 2:
        return Prod(_sort_of(y[0]), _sort_of(y[1]))
    if isinstance(y, torch.Tensor):
        return Float(tuple(y.shape[1:]))
    raise ArchLawError(f"a layer returned {type(y).__name__}; expected a tensor or a pair")


class Layer(Para):
    """A `nn.Module` as a morphism: parameter sort its named parameters, run through
    `functional_call` at the given value (the module's own tensors are moved to the ``meta``
    device, so nothing can read them by mistake: a missing parameter is an error, not a stale
    weight). Buffers are refused (a running statistic is state, not a parameter)."""

    def __init__(self, module: nn.Module, dom: Sort, cod: Sort, name: str | None = None):
        self.name = name or type(module).__name__
        if any(True for _ in module.buffers()):
            raise ArchLawError(f"Layer {self.name}: the module has buffers; accepted: modules whose "
                               "state is all parameters")
        self._init = {k: v.detach().clone() for k, v in module.named_parameters()}
        self.param_sort = Params(tuple((k, tuple(v.shape)) for k, v in self._init.items()))
        self.dom, self.cod = dom, cod
        self._module = module.to("meta")
        with torch.no_grad():
            got = _sort_of(self.apply(self._init, _probe(dom)))
        if got != cod:
            raise ArchLawError(f"Layer {self.name}: on {dom.describe()} it gives {got.describe()}, "
                               f"but its declared output sort is {cod.describe()}")

    def apply(self, p, x):
        # no `strict=True` and no `tie_weights` search (each costs about as much as a small
        # layer): the template's tensors are on `meta`, so a parameter missing from `p` cannot
        # be read silently (torch refuses to mix meta and real tensors), and tying is Para's
        # own business (`tie`), never hidden inside one layer
        return functional_call(self._module, p, (x,), tie_weights=False)

    def init(self):
        return {k: v.clone() for k, v in self._init.items()}

    @property
    def template(self) -> nn.Module:
        """The wrapped module, its tensors on the ``meta`` device (a shape, never a value)."""
        return self._module


class Ident(Para):
    """The identity of `dom` (Lean ``ident``), parameter ``Unit``."""

    def __init__(self, dom: Sort):
        self.dom = self.cod = dom
        self.param_sort = UNIT
        self.name = f"id({dom.describe()})"

    def apply(self, p, x):
        return x

    def init(self):
        return {}


class Seq(Para):
    """``f ; g``: apply `f`, then `g` (Lean ``comp f g``); parameter ``(p_f, p_g)``."""

    def __init__(self, f: Para, g: Para):
        if f.cod != g.dom:
            raise ArchLawError(f"cannot compose {f.name} ; {g.name}: {f.name} gives "
                               f"{f.cod.describe()}, {g.name} takes {g.dom.describe()}")
        self.f, self.g = f, g
        self.dom, self.cod = f.dom, g.cod
        self.param_sort = Prod(f.param_sort, g.param_sort)
        self.name = f"({f.name} ; {g.name})"

    def apply(self, p, x):
        return self.g.apply(p[1], self.f.apply(p[0], x))

    def init(self):
        return (self.f.init(), self.g.init())


class Par(Para):
    """``f ⊗ g``: `f` on the first and `g` on the second component (Lean ``par f g``); data
    ``(a, c) -> (b, d)``, parameter ``(p_f, p_g)``."""

    def __init__(self, f: Para, g: Para):
        self.f, self.g = f, g
        self.dom, self.cod = Prod(f.dom, g.dom), Prod(f.cod, g.cod)
        self.param_sort = Prod(f.param_sort, g.param_sort)
        self.name = f"({f.name} ⊗ {g.name})"

    def apply(self, p, x):
        return (self.f.apply(p[0], x[0]), self.g.apply(p[1], x[1]))

    def init(self):
        return (self.f.init(), self.g.init())


class Reparam(Para):
    """`f` reparametrised along ``r : Q -> P`` (Lean ``reparam r f``): ``apply(q, x) =
    f.apply(r(q), x)``. `r` is any torch function of the value (autograd differentiates
    through it: the tied gradient is ``Rr`` of the copies' gradients)."""

    def __init__(self, f: Para, r: Callable[[Any], Any], sort: Sort, init: Any,
                 name: str | None = None):
        self.f, self.r = f, r
        self.dom, self.cod = f.dom, f.cod
        self.param_sort = sort
        self._init = init
        self.name = name or f"reparam({f.name})"

    def apply(self, p, x):
        return self.f.apply(self.r(p), x)

    def init(self):
        return _map_value(lambda t: t.clone(), self._init)


def iterate(c: Para, n: int) -> Para:
    """The n-fold composite of `c` (Lean ``iterate``): ``id`` for n = 0, else
    ``iterate(c, n - 1) ; c``; parameter ``P^n``."""
    out: Para = Ident(c.dom)
    for _ in range(n):
        out = Seq(out, c)
    return out


def _map_value(fn: Callable[[torch.Tensor], Any], v: Any) -> Any:
    if isinstance(v, torch.Tensor):
        return fn(v)
    if isinstance(v, dict):
        return {k: fn(t) for k, t in v.items()}
    return tuple(_map_value(fn, w) for w in v)


def _leaves(v: Any) -> list[torch.Tensor]:
    if isinstance(v, torch.Tensor):
        return [v]
    if isinstance(v, dict):
        return list(v.values())
    return [t for w in v for t in _leaves(w)]


class ParaModule(nn.Module):
    """A `Para` morphism bound to one parameter value held as `nn.Parameter`s, in the order of
    the value's leaves: ``forward(x) = morphism.apply(value(), x)``. A tied morphism has one
    copy of its parameter, so an optimiser steps it once, with the summed gradient."""

    def __init__(self, morphism: Para, value: Any):
        super().__init__()
        self.morphism = morphism
        self._shape = _map_value(lambda t: None, value)
        self.leaves = nn.ParameterList([nn.Parameter(t.detach().clone()) for t in _leaves(value)])

    def value(self) -> Any:
        """The current parameter value (the `nn.Parameter`s themselves, in the value's shape)."""
        it = iter(self.leaves)

        def build(s):
            if s is None:
                return next(it)
            if isinstance(s, dict):
                return {k: next(it) for k in s}
            return tuple(build(w) for w in s)
        return build(self._shape)

    def forward(self, x: Any) -> Any:
        return self.morphism.apply(self.value(), x)


def mlp(width: int, depth: int, *, act: Callable[[], nn.Module] = nn.ReLU,
        seed: int = 0) -> Para:
    """``depth`` layers of ``Linear(width, width)`` + `act`, composed in Para (left-nested
    ``((l₁ ; l₂) ; l₃) …``); weights from `seed` in PyTorch's default initialisation."""
    if depth < 1:
        raise ArchLawError(f"mlp depth={depth}; expected at least 1 layer")
    v = Float((width,))
    out: Para | None = None
    from archlaw.models.training import seed_everything

    with torch.random.fork_rng(devices=[]):   # the caller's global RNG state is left as it was
        seed_everything(seed)
        for i in range(depth):
            layer = Layer(nn.Sequential(nn.Linear(width, width), act()), v, v, f"l{i + 1}")
            out = layer if out is None else out.then(layer)
    assert out is not None
    return out
