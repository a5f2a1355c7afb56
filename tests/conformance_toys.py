"""Toy laws (IR built by hand) and toy models for the conformance engine's own tests.

Each law mirrors a family of the library: a finite cocycle law and a carry-cell law (``Fin B``),
an equivariance law (a cyclic group acting on float signals), right- and left-fold laws (lists),
and a theorem over the cell law for certificates. Models come in conforming and seeded-violation
versions. Bindings are built by functions that the CLI can import (``conformance_toys:...``).
"""

from __future__ import annotations

import torch

from archlaw.bridge.binding import Binding, ListBatch
from archlaw.bridge.ir import (
    ATTESTED_IN_MEMORY, PROP, TYPE, App, Export, Field, Lam, Law, Lit, Param, Pi, Theorem, Var, arrow, const,
)
from archlaw.bridge.sorts import Finite, FloatTensor

NAT = const("Nat", TYPE)


def nat(k: int) -> Lit:
    return Lit(k, NAT)


def eq(a, b):
    return const("Eq", PROP, a, b)


def add(a, b):
    return const("HAdd.hAdd", a.sort, a, b)


def mul(a, b):
    return const("HMul.hMul", a.sort, a, b)


def fin(n):
    return const("Fin", TYPE, n)


def lam1(v, body):
    return Lam(v, body)


def lam2(v, w, body):
    return Lam(v, Lam(w, body))


def forall(*vs, body):
    for v in reversed(vs):
        body = Pi(v, body)
    return body


# -- the cocycle law ---------------------------------------------------------------------------

B = Var("B", NAT)
FinB = fin(B)
Fin2 = fin(nat(2))
_c = Var("c", arrow(FinB, FinB, Fin2))
_a, _b, _d = Var("a", FinB), Var("b", FinB), Var("d", FinB)


def _capp(x, y):
    return App(_c, (x, y), Fin2)


COCYCLE = Law(
    "Toy.Cocycle", "Toy", None, "the carry is a 2-cocycle",
    (Param("B", NAT), Param("c", _c.sort)), "source", None,
    (Field("cocycle", forall(_a, _b, _d, body=eq(
        add(_capp(_a, _b), _capp(add(_a, _b), _d)),
        add(_capp(_b, _d), _capp(_a, add(_b, _d)))))),),
)


def carry(a: torch.Tensor, b: torch.Tensor, base: int) -> torch.Tensor:
    return (a + b >= base).long()


def cocycle_binding(base: int = 10, wrong: tuple[int, int] | None = None) -> Binding:
    """The true carry; with `wrong=(a, b)`, wrong on exactly that one input pair."""

    def c(a, b):
        out = carry(a, b, base)
        if wrong is not None:
            hit = (a == wrong[0]) & (b == wrong[1])
            out = torch.where(hit, 1 - out, out)
        return out

    return Binding(sorts={}, params={"B": base}, symbols={"c": c}, model_symbols=frozenset({"c"}))


# -- the carry cell law: (cell a b c).1.val + B * (cell a b c).2.val = a.val + b.val + c.val -----

_cell = Var("cell", arrow(FinB, FinB, Fin2, const("Prod", TYPE, FinB, Fin2)))
_ci = Var("ci", Fin2)


def _cell_app():
    return App(_cell, (_a, _b, _ci), const("Prod", TYPE, FinB, Fin2))


def _val(x):
    return const("Fin.val", NAT, x)


CELL = Law(
    "Toy.CarryCell", "Toy", None, "a digit cell with carry",
    (Param("B", NAT), Param("cell", _cell.sort)), "source", None,
    (Field("spec", forall(_a, _b, _ci, body=eq(
        add(_val(const("Prod.fst", FinB, _cell_app())),
            mul(B, _val(const("Prod.snd", Fin2, _cell_app())))),
        add(add(_val(_a), _val(_b)), _val(_ci))))),),
)


class CellNet(torch.nn.Module):
    """A table-free 'network' computing the cell by arithmetic, with a parameter to hash."""

    def __init__(self, base: int = 10, wrong: tuple[int, int, int] | None = None):
        super().__init__()
        self.base = base
        self.scale = torch.nn.Parameter(torch.ones(1))
        self.wrong = wrong

    def forward(self, a, b, c):
        s = (a + b + c) * self.scale.round().long()
        digit, carry_out = s % self.base, s // self.base
        if self.wrong is not None:
            hit = (a == self.wrong[0]) & (b == self.wrong[1]) & (c == self.wrong[2])
            digit = torch.where(hit, (digit + 1) % self.base, digit)
        return digit, carry_out


def cell_binding(base: int = 10, wrong: str = "", scale: float = 1.0) -> Binding:
    """Binding for `CELL`; `wrong="a,b,c"` seeds one wrong case; `scale` perturbs the weights."""
    w = tuple(int(x) for x in wrong.split(",")) if wrong else None
    net = CellNet(base, w)  # type: ignore[arg-type]
    with torch.no_grad():
        net.scale.fill_(scale)
    return Binding(sorts={}, params={"B": base}, symbols={"cell": lambda a, b, c: net(a, b, c)},
                   model_symbols=frozenset({"cell"}), module=net, metadata={"name": "CellNet"})


# -- a theorem over the cell law -----------------------------------------------------------------

_h = Var("h", App("Toy.CarryCell", (B, _cell), PROP))
_hB = Var("hB", const("LE.le", PROP, nat(2), B))
_xs = Var("xs", const("List", TYPE, FinB))


def theorem(statement: str = "lean", axioms: tuple[str, ...] | None = ("propext",)) -> Theorem:
    """``theorem Toy.adder {B} (hB : 2 ≤ B) {cell} (h : CarryCell B cell) : ∀ xs, P xs``."""
    concl = Pi(_xs, eq(const("List.length", NAT, _xs), const("List.length", NAT, _xs)))
    return Theorem("Toy.adder_correct", "Toy", None, "the adder is correct",
                   (Param("B", NAT, "implicit"), Param("hB", _hB.sort),
                    Param("cell", _cell.sort, "implicit"), Param("h", _h.sort)),
                   statement, axioms, concl)


def export(statement: str = "lean", axioms: tuple[str, ...] | None = ("propext",)) -> Export:
    import dataclasses

    laws = tuple(dataclasses.replace(law, statement_provenance=statement,
                                     axioms=() if statement == "lean" else None)
                 for law in (COCYCLE, CELL))
    # built in memory: its lean producer is taken as given (a file's would only be declared)
    return Export(statement, "4.20.0" if statement == "lean" else None, (),
                  (*laws, theorem(statement, axioms)), attestation=ATTESTED_IN_MEMORY)


# -- equivariance: f (g • x) = g • f x for the cyclic group C_n rolling signals ------------------

G = Var("G", TYPE)
X = Var("X", TYPE)
_g, _x = Var("g", G), Var("x", X)
_f = Var("f", arrow(X, X))
_act = Var("act", arrow(G, X, X))

EQUIVARIANT = Law(
    "Toy.Equivariant", "Toy", None, "f commutes with the action",
    (Param("G", TYPE, "implicit"), Param("X", TYPE, "implicit"), Param("act", _act.sort),
     Param("f", _f.sort)), "source", None,
    (Field("equivariant", forall(_g, _x, body=eq(
        App(_f, (App(_act, (_g, _x), X),), X), App(_act, (_g, App(_f, (_x,), X)), X)))),),
)


def roll(g: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    """Batched cyclic shift: x (N, C, n) rolled by g (N,) along the last axis."""
    n = x.shape[-1]
    idx = (torch.arange(n, device=x.device).unsqueeze(0) - g.unsqueeze(1)) % n
    return torch.gather(x, 2, idx.unsqueeze(1).expand(-1, x.shape[1], -1))


class CircConv(torch.nn.Module):
    """A circular convolution: equivariant to cyclic shifts. `break_by` adds a term that depends
    on absolute position (relative size `break_by`); `nan_frac` returns NaN on that fraction of
    inputs (those whose first entry exceeds the matching Gaussian quantile)."""

    def __init__(self, channels: int = 4, n: int = 8, seed: int = 0, break_by: float = 0.0,
                 nan_frac: float = 0.0):
        super().__init__()
        g = torch.Generator().manual_seed(seed)
        self.conv = torch.nn.Conv1d(channels, channels, 3, padding=1, padding_mode="circular")
        with torch.no_grad():
            self.conv.weight.copy_(torch.randn(self.conv.weight.shape, generator=g) * 0.3)
            self.conv.bias.copy_(torch.randn(self.conv.bias.shape, generator=g) * 0.1)
        self.break_by, self.nan_frac = break_by, nan_frac
        self.register_buffer("pos", torch.linspace(0, 1, n))

    def forward(self, x):
        y = torch.tanh(self.conv(x))
        if self.break_by:
            scale = y.abs().flatten(1).amax(1).reshape(-1, 1, 1)
            y = y + self.break_by * scale * self.pos
        if self.nan_frac:
            thr = torch.distributions.Normal(0.0, 1.0).icdf(torch.tensor(1 - self.nan_frac))
            bad = x[:, 0, 0] > thr * x.flatten(1).std(1)  # scale-free: ~nan_frac of inputs
            y = torch.where(bad.reshape(-1, 1, 1), torch.full_like(y, float("nan")), y)
        return y


def equivariant_binding(channels: int = 4, n: int = 8, seed: int = 0, break_by: float = 0.0,
                        nan_frac: float = 0.0) -> Binding:
    net = CircConv(channels, n, seed, break_by, nan_frac)
    return Binding(sorts={"G": Finite(n), "X": FloatTensor((channels, n))}, params={},
                   symbols={"act": roll, "f": lambda x: net(x)}, model_symbols=frozenset({"f"}),
                   module=net, metadata={"name": "CircConv"})


# -- fold laws over lists --------------------------------------------------------------------------

A = Var("A", TYPE)
H = Var("H", TYPE)
LA = const("List", TYPE, A)
_fcell = Var("cell", arrow(A, H, H))
_init = Var("init", H)
_run = Var("run", arrow(LA, H))
_x1, _as = Var("a", A), Var("as", LA)

FOLDR = Law(
    "Toy.FoldLaws", "Toy", None, "run is the right fold of cell",
    (Param("A", TYPE, "implicit"), Param("H", TYPE, "implicit"), Param("cell", _fcell.sort),
     Param("init", H), Param("run", _run.sort)), "source", None,
    (Field("nil", eq(App(_run, (const("List.nil", LA),), H), _init)),
     Field("cons", forall(_x1, _as, body=eq(App(_run, (const("List.cons", LA, _x1, _as),), H),
                                            App(_fcell, (_x1, App(_run, (_as,), H)), H))))),
)

_lcell = Var("cell", arrow(H, A, H))
_singleton = const("List.cons", LA, _x1, const("List.nil", LA))
FOLDL = Law(
    "Toy.LeftFoldLaws", "Toy", None, "run is the left fold of cell",
    (Param("A", TYPE, "implicit"), Param("H", TYPE, "implicit"), Param("cell", _lcell.sort),
     Param("init", H), Param("run", _run.sort)), "source", None,
    (Field("nil", eq(App(_run, (const("List.nil", LA),), H), _init)),
     Field("snoc", forall(_as, _x1, body=eq(
         App(_run, (const("HAppend.hAppend", LA, _as, _singleton),), H),
         App(_lcell, (App(_run, (_as,), H), _x1), H))))),
)


class RNN(torch.nn.Module):
    """A tanh RNN cell over float vectors, run as a fold over padded batches (right fold:
    last element first; left fold: first element first). `wrong_beyond=L` perturbs the state
    of lists longer than L."""

    def __init__(self, a: int = 3, h: int = 4, seed: int = 0, left: bool = False,
                 wrong_beyond: int | None = None):
        super().__init__()
        g = torch.Generator().manual_seed(seed)
        self.W = torch.nn.Parameter(torch.randn(h, h, generator=g) * 0.4)
        self.U = torch.nn.Parameter(torch.randn(a, h, generator=g) * 0.4)
        self.h0 = torch.nn.Parameter(torch.randn(h, generator=g) * 0.1)
        self.left, self.wrong_beyond = left, wrong_beyond

    def cell(self, x, h):
        return torch.tanh(h @ self.W + x @ self.U)

    def forward(self, xs: ListBatch) -> torch.Tensor:
        n, length = xs.lengths.shape[0], xs.values.shape[1]
        h = self.h0.expand(n, -1)
        steps = range(length) if self.left else reversed(range(length))
        for p in steps:
            live = (p < xs.lengths).unsqueeze(1)
            h = torch.where(live, self.cell(xs.values[:, p], h), h)
        if self.wrong_beyond is not None:
            h = torch.where((xs.lengths > self.wrong_beyond).unsqueeze(1), h * (1 + 1e-3), h)
        return h


def fold_binding(seed: int = 0, left: bool = False, wrong_beyond: int | None = None,
                 train_length: int = 8) -> Binding:
    net = RNN(seed=seed, left=left, wrong_beyond=wrong_beyond)
    cell = (lambda h, x: net.cell(x, h)) if left else (lambda x, h: net.cell(x, h))
    return Binding(sorts={"A": FloatTensor((3,)), "H": FloatTensor((4,))}, params={},
                   symbols={"cell": cell, "init": lambda: net.h0, "run": lambda xs: net(xs)},
                   model_symbols=frozenset({"cell", "init", "run"}),
                   max_train_length=train_length, module=net, metadata={"name": "RNN"})
