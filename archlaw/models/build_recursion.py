"""Fold and machine laws over finite sorts, built as decoded cells in runners (`build`).

Each law names its runner; the runner is the recursion the law states, so the law holds for any
cell, by construction, and training learns only the cells. The cells are `FiniteCell` tables,
decoded (argmax) at every step, over the law's finite sorts (each given as ``fin[m]``):

=======================  =========================================  =========================
law                      model (``archlaw.models.recursion``)       symbols bound
=======================  =========================================  =========================
``FoldlLaws {A H}``      `LeftFold` (states ``Fin H``)              ``cell init run``
``FoldLaws {A H}``       the same RNN read right to left            ``cell init run``
``TreeFoldLaws {L N H}`` `TreeFold` (states ``Fin H``)              ``leafCell nodeCell run``
``MealyLaws {S I O}``    `FiniteMealy` in a `MealyRunner`           ``nextState output state
                                                                    out``
``RestartLaws``,         the same machine                           ``state out`` / ``out``
``CausalLaw {S I O}``
``MooreLaws {S I O}``,   `FiniteMoore` in a `MooreRunner`           as for Mealy
``MooreRestartLaws``
=======================  =========================================  =========================

The symbols are the family's own bindings' (`foldl_binding`, `tree_binding`, `mealy_binding` ...),
so a built model is bound exactly as the family's trained models are. Architecture option:
``hidden``, the width of the cells' MLPs.
"""

from __future__ import annotations

from typing import Any, Callable

from archlaw.models.build_base import Construction, LawModel, arch_options, finite_size
from archlaw.models.recursion.bindings import (
    foldl_binding, foldr_binding, mealy_binding, moore_binding, tree_binding,
)
from archlaw.models.recursion.modules import FiniteMealy, FiniteMoore, LeftFold, TreeFold

__all__ = ["BuiltLeftFold", "BuiltRightFold", "BuiltTreeFold", "BuiltMealy", "BuiltMoore",
           "CONSTRUCTIONS"]


class BuiltLeftFold(LawModel, LeftFold):
    """A finite `LeftFold` as ``FoldlLaws``'s ``cell init run`` (`foldl_binding`)."""

    def all_symbols(self) -> dict[str, Callable[..., Any]]:
        return dict(foldl_binding(self, max_train_length=1).symbols)


class BuiltRightFold(LawModel, LeftFold):
    """A finite `LeftFold` read right to left as ``FoldLaws``'s ``cell init run``
    (`foldr_binding`: ``cell a h`` is the left fold's ``cell h a``, ``run`` reads the reversed
    list). Trained as the left fold it is, on lists whose answer does not depend on the order
    read (the counter task), or on the user's lists reversed."""

    def all_symbols(self) -> dict[str, Callable[..., Any]]:
        return dict(foldr_binding(self, max_train_length=1).symbols)


class BuiltTreeFold(LawModel, TreeFold):
    """A finite `TreeFold` as ``TreeFoldLaws``'s ``leafCell nodeCell run`` (`tree_binding`)."""

    def all_symbols(self) -> dict[str, Callable[..., Any]]:
        return dict(tree_binding(self, max_train_depth=1).symbols)


class BuiltMealy(LawModel, FiniteMealy):
    """A `FiniteMealy` as ``nextState output state out`` (`mealy_binding`)."""

    def all_symbols(self) -> dict[str, Callable[..., Any]]:
        return dict(mealy_binding(self, max_train_length=1).symbols)


class BuiltMoore(LawModel, FiniteMoore):
    """A `FiniteMoore` as ``nextState output state out`` (`moore_binding`)."""

    def all_symbols(self) -> dict[str, Callable[..., Any]]:
        return dict(moore_binding(self, max_train_length=1).symbols)


def _fold(c: Construction, cls: type) -> Callable[..., LeftFold]:
    def make(params, sorts, arch) -> LeftFold:
        h = finite_size(c, sorts, "H")
        return cls(finite_size(c, sorts, "A"), h, states=h, hidden=arch_options(c, arch)["hidden"])
    return make


def _tree(params, sorts, arch) -> BuiltTreeFold:
    c = TREE
    h = finite_size(c, sorts, "H")
    return BuiltTreeFold(finite_size(c, sorts, "L"), finite_size(c, sorts, "N"), h, states=h,
                         hidden=arch_options(c, arch)["hidden"])


def _machine(c: Construction, cls: type) -> Callable[..., Any]:
    def make(params, sorts, arch) -> Any:
        return cls(finite_size(c, sorts, "I"), finite_size(c, sorts, "O"),
                   finite_size(c, sorts, "S"), hidden=arch_options(c, arch)["hidden"])
    return make


_FOLD_NEEDS = "finite sorts A and H (A=fin[a], H=fin[h]): the cell is decoded at every step"
_MACHINE_NEEDS = ("finite sorts S, I and O (S=fin[s], I=fin[i], O=fin[o]): the cells are "
                  "decoded at every step")

FOLDL = Construction("ArchLaw.FoldlLaws", "a decoded cell in a left fold (LeftFold)",
                     _FOLD_NEEDS, lambda p, s, a: _fold(FOLDL, BuiltLeftFold)(p, s, a),
                     {"hidden": 32}, ("A=fin[2]", "H=fin[3]"), "counter")
FOLDR = Construction("ArchLaw.FoldLaws", "a decoded cell in a right fold (LeftFold read right "
                     "to left)", _FOLD_NEEDS, lambda p, s, a: _fold(FOLDR, BuiltRightFold)(p, s, a),
                     {"hidden": 32}, ("A=fin[2]", "H=fin[3]"), "counter")
TREE = Construction("ArchLaw.TreeFoldLaws", "decoded cells in a tree fold (TreeFold)",
                    "finite sorts L, N and H (L=fin[l], N=fin[n], H=fin[h]): the cells are decoded "
                    "at every level", lambda p, s, a: _tree(p, s, a), {"hidden": 64},
                    ("L=fin[5]", "N=fin[2]", "H=fin[5]"), "arith")
MEALY = Construction("ArchLaw.MealyLaws", "a finite Mealy machine (FiniteMealy in a MealyRunner)",
                     _MACHINE_NEEDS, lambda p, s, a: _machine(MEALY, BuiltMealy)(p, s, a),
                     {"hidden": 32}, ("S=fin[3]", "I=fin[2]", "O=fin[2]"), "no-two-ones")
RESTART = Construction("ArchLaw.RestartLaws", MEALY.architecture, _MACHINE_NEEDS,
                       lambda p, s, a: _machine(RESTART, BuiltMealy)(p, s, a), {"hidden": 32},
                       MEALY.example, "no-two-ones")
CAUSAL = Construction("ArchLaw.CausalLaw", MEALY.architecture, _MACHINE_NEEDS,
                      lambda p, s, a: _machine(CAUSAL, BuiltMealy)(p, s, a), {"hidden": 32},
                      MEALY.example, "no-two-ones")
MOORE = Construction("ArchLaw.MooreLaws", "a finite Moore machine (FiniteMoore in a MooreRunner)",
                     _MACHINE_NEEDS, lambda p, s, a: _machine(MOORE, BuiltMoore)(p, s, a),
                     {"hidden": 32}, ("S=fin[3]", "I=fin[2]", "O=fin[2]"), "no-two-ones")
MOORE_RESTART = Construction("ArchLaw.MooreRestartLaws", MOORE.architecture, _MACHINE_NEEDS,
                             lambda p, s, a: _machine(MOORE_RESTART, BuiltMoore)(p, s, a),
                             {"hidden": 32}, MOORE.example, "no-two-ones")

CONSTRUCTIONS = (FOLDL, FOLDR, TREE, MEALY, RESTART, CAUSAL, MOORE, MOORE_RESTART)
