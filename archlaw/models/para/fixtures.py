"""The Para family's registry fixtures (tiny, seeded morphisms) and seeded violations, for
``pytest --archlaw`` and ``archlaw demo``.

Every law of ``lean/ArchLaw/Para.lean`` is registered on conforming morphisms, and each has a
seeded violation that must be caught on the stated field:

=============================  ==================================================  ============
seeded violation               what is wrong                                       caught at
=============================  ==================================================  ============
`ClonedTie`                    "tied" by cloning: the second copy is a frozen       ``diag``
                               clone of the first, not the same parameter
misassociated (`_swapped`)     the right bracketing swaps ``g``'s and ``h``'s       ``assoc``
                               parameters
`skip_first_unroll`            an unroll loop that starts at step 1                 ``unroll_add``
`DetachedSeq`                  a composite that detaches the intermediate value     ``chain``
`DataTie`                      a tie through ``.data``: the copies get the tied     ``chain``
                               value, but no gradient flows back to it              (Reparam)
`DropCopy`                     a custom `autograd.Function` copy whose backward     ``copy``,
                               drops the second copy's gradient                     ``sum_copies``
=============================  ==================================================  ============

How the cloned tie is caught: the check *samples the parameter* ``p`` and feeds it through
`functional_call`, so it compares what each copy is made of. A clone keeps its own storage and
does not follow ``p``, so the law fails at initialisation already. Evaluated only at the
module's own weights (what a forward pass sees), the clone would pass until the first optimiser
step: ``tests/test_para.py`` shows both.

The gradient laws run in float64 with the explicit tolerance ``rtol=1e-12, atol=1e-13``
(`TOL64`, the float64 row of the default policy, written out so that the claim "to 1e-12" does
not depend on that policy).
"""

from __future__ import annotations

from typing import Any, Callable

import torch
from torch import nn

from archlaw.bridge.sorts import Tolerance
from archlaw.models.para.bindings import (assoc_binding, chain_binding, copy_binding,
                                          reparam_binding, tied_binding, tied_grad_binding,
                                          tied_theorem_binding, unroll_binding)
from archlaw.models.para.modules import Float, Layer, Para, Reparam, Seq, diag
from archlaw.models.registry import register
from archlaw.models.training import seed_everything

__all__ = ["TOL64", "tanh_layer", "ClonedTie", "DetachedSeq", "DataTie", "DropCopy", "drop_copy",
           "skip_first_unroll", "tie_dropping_copy", "model_binding"]

#: The gradient laws' tolerance in float64: relative 1e-12 (and 1e-13 absolute, for exact zeros).
TOL64 = Tolerance(rtol=1e-12, atol=1e-13)


def tanh_layer(d_in: int, d_out: int, seed: int, name: str) -> Layer:
    """``tanh(W x + b)`` as a Para layer, weights from `seed` (the caller's RNG untouched)."""
    with torch.random.fork_rng(devices=[]):
        seed_everything(seed)
        mod = nn.Sequential(nn.Linear(d_in, d_out), nn.Tanh())
    return Layer(mod, Float((d_in,)), Float((d_out,)), name)


class ClonedTie(Para):
    """Seeded violation: a "tied" layer that silently clones its weights. Its parameter is the
    first copy; the second copy is a frozen clone of the first copy's *initial* value, so it
    equals the tied layer at initialisation and drifts away from it once the parameter moves."""

    def __init__(self, untied: Para):
        self.f = untied
        self.param_sort = untied.param_sort.fst  # type: ignore[union-attr]
        self.dom, self.cod = untied.dom, untied.cod
        self._first = untied.init()[0]
        self._clone = {k: v.clone() for k, v in self._first.items()}
        self.name = f"cloned-tie({untied.name})"

    def apply(self, p, x):
        ref = next(iter(p.values()))
        return self.f.apply((p, {k: v.to(ref) for k, v in self._clone.items()}), x)

    def init(self):
        return {k: v.clone() for k, v in self._first.items()}


class DetachedSeq(Seq):
    """Seeded violation: ``f ; g`` with the intermediate value detached, so no gradient reaches
    ``f`` or the input (a stop-gradient left in by mistake); forward values are unchanged."""

    def apply(self, p, x):
        return self.g.apply(p[1], self.f.apply(p[0], x).detach())


class DataTie(Reparam):
    """Seeded violation: a tie written as ``layer2.weight.data = layer1.weight.data``: the
    forward sees the tied value, but the reparametrised parameter is detached from it, so no
    gradient reaches the tied parameter."""

    def __init__(self, untied: Para):
        super().__init__(untied, diag, untied.param_sort.fst,  # type: ignore[union-attr]
                         untied.init()[0], f"data-tie({untied.name})")

    def apply(self, p, x):
        return self.f.apply(tuple({k: t.detach() for k, t in c.items()} for c in self.r(p)), x)


class DropCopy(torch.autograd.Function):
    """Seeded violation: copy ``t -> (t, t)`` whose backward returns only the first copy's
    gradient (the correct one returns ``u + v``)."""

    generate_vmap_rule = True

    @staticmethod
    def forward(t):
        return t.clone(), t.clone()

    @staticmethod
    def setup_context(ctx, inputs, output):
        pass

    @staticmethod
    def backward(ctx, u, v):
        return u


def drop_copy(p: Any) -> tuple[Any, Any]:
    """`DropCopy` on a parameter value (a tensor, or a layer's dict of tensors)."""
    if isinstance(p, dict):
        pairs = {k: DropCopy.apply(t) for k, t in p.items()}
        return ({k: a for k, (a, _) in pairs.items()}, {k: b for k, (_, b) in pairs.items()})
    return DropCopy.apply(p)


def tie_dropping_copy(untied: Para) -> Reparam:
    """Seeded violation: ``untied`` tied along `drop_copy` instead of ``Δ``: the same forward,
    but the tied gradient is only the first copy's."""
    return untied.reparam(drop_copy, untied.param_sort.fst, untied.init()[0],  # type: ignore
                          f"tie-drop-copy({untied.name})")


def skip_first_unroll(c: Para, n: int) -> Para:
    """Seeded violation: an unroll whose loop starts at step 1, so it applies the cell
    ``n - 1`` times."""
    r = c.unroll(max(n - 1, 0))
    r.name = f"skip-first-unroll({c.name}, {n})"
    return r


def _swapped(f: Para, g: Para, h: Para) -> Para:
    """Seeded violation: ``f ; (g ; h)`` read with ``g``'s and ``h``'s parameters swapped."""
    right = f.then(g.then(h))
    init = right.init()
    return right.reparam(lambda v: (v[0], (v[1][1], v[1][0])), right.param_sort, init,
                         f"misassociated({right.name})")


def _pair() -> Para:
    return tanh_layer(3, 3, 1, "l1").then(tanh_layer(3, 3, 2, "l2"))


def _register_fixtures() -> None:
    def reg(name: str, law: str, binding: Callable[[], Any], f64: bool = False, **kw: Any):
        check = {"samples": 16, "seed": 0, "float64": f64}
        if f64:
            check["tolerance"] = TOL64
        register(name, law=f"ArchLaw.Para.{law}", binding=binding, check=check, **kw)

    # forward: tying, associativity, unrolling (float32 and float64)
    for f64 in (False, True):
        tag = "f64" if f64 else "f32"
        reg(f"para-tie-{tag}", "TiedLaw", lambda: tied_binding(_pair(), _pair().tie()), f64)
        reg(f"para-assoc-{tag}", "AssocLaw",
            lambda: assoc_binding(*_bracketings()), f64)
        reg(f"para-unroll-2-3-{tag}", "UnrollLaw", lambda: unroll_binding(
            *(tanh_layer(3, 3, 5, "cell").unroll(k) for k in (2, 3, 5))), f64)
    reg("para-tie-cloned", "TiedLaw", lambda: tied_binding(_pair(), ClonedTie(_pair())),
        expect_pass=False, expect_field="diag")
    reg("para-assoc-misassociated", "AssocLaw",
        lambda: assoc_binding(_bracketings()[0], _swapped(*_chain3())),
        expect_pass=False, expect_field="assoc")
    reg("para-unroll-skip-first", "UnrollLaw", lambda: unroll_binding(
        *(skip_first_unroll(tanh_layer(3, 3, 5, "cell"), k) for k in (2, 3, 5))),
        expect_pass=False, expect_field="unroll_add")

    # gradients, on autograd, in float64 to 1e-12
    reg("para-chain-f64", "ChainRule",
        lambda: chain_binding(tanh_layer(3, 4, 6, "f"), tanh_layer(4, 2, 7, "g")), True)
    reg("para-chain-detached", "ChainRule", lambda: chain_binding(
        tanh_layer(3, 4, 6, "f"), tanh_layer(4, 2, 7, "g"),
        DetachedSeq(tanh_layer(3, 4, 6, "f"), tanh_layer(4, 2, 7, "g"))), True,
        expect_pass=False, expect_field="chain")
    reg("para-reparam-tie-f64", "ReparamRule", lambda: reparam_binding(_pair().tie()), True)
    reg("para-reparam-data-tie", "ReparamRule", lambda: reparam_binding(DataTie(_pair())), True,
        expect_pass=False, expect_field="chain")
    reg("para-copy-f64", "CopyLaw", lambda: copy_binding(Float((5,))), True)
    reg("para-copy-dropped", "CopyLaw",
        lambda: copy_binding(Float((5,)), drop_copy, "drop-copy"), True,
        expect_pass=False, expect_field="copy")
    reg("para-tied-grad-f64", "TiedGradLaw", lambda: tied_grad_binding(_pair().tie()), True)
    reg("para-tied-grad-dropped", "TiedGradLaw",
        lambda: tied_grad_binding(tie_dropping_copy(_pair())), True,
        expect_pass=False, expect_field="sum_copies")
    # the theorem: its hypotheses (ReparamRule along the tie's copy map, CopyLaw) on the model
    reg("para-tied-theorem-f64", "TiedGradLaw",
        lambda: tied_theorem_binding(_pair().tie()), True, theorem="ArchLaw.Para.tied_grad_sum")
    reg("para-tied-theorem-dropped", "TiedGradLaw",
        lambda: tied_theorem_binding(tie_dropping_copy(_pair())), True,
        theorem="ArchLaw.Para.tied_grad_sum", expect_pass=False, expect_field="copy")


def _chain3() -> tuple[Para, Para, Para]:
    return tanh_layer(3, 3, 3, "f"), tanh_layer(3, 3, 4, "g"), tanh_layer(3, 3, 8, "h")


def _bracketings() -> tuple[Para, Para]:
    f, g, h = _chain3()
    return f.then(g).then(h), f.then(g.then(h))


_register_fixtures()


def model_binding(fixture: str = "para-tied-grad-f64") -> Any:
    """For ``archlaw check LAW --model archlaw.models.para.fixtures:model_binding --param
    fixture=NAME``: the binding of the registered Para fixture `NAME` (its law is the entry's;
    the seeded violations are among them)."""
    from archlaw.bridge.errors import ArchLawError
    from archlaw.models.registry import entries, get

    mine = get(fixture)
    if not fixture.startswith("para-") or not mine:
        names = sorted({e.name for e in entries() if e.name.startswith("para-")})
        raise ArchLawError(f"--param fixture={fixture!r}; accepted: {', '.join(names)}")
    return mine[0].binding()
