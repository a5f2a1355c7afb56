"""The recursion family's entries in `archlaw.models.registry` (what ``pytest --archlaw`` checks).

Imported by `archlaw.models.recursion` (the module the registry loads). It imports nothing else of
the family at import time: each entry's binding is a zero-argument callable that imports
`archlaw.models.recursion_fixtures` when the check runs, trains the tiny seeded model once per
process (cached) and binds it. Registration is therefore cheap and free of import cycles.

Entries with ``expect_pass=False`` are seeded violations: the checker must catch them, and for
the reason `EXPECT` gives (the field that must fail and, for one wrong case, that case).
"""

from __future__ import annotations

import functools
from typing import Any

__all__ = ["TABLE", "EXPECT", "CHECK", "binding_of", "register_all"]

#: (model name, law, theorem or None, binding function in recursion_fixtures, expect_pass)
TABLE: tuple[tuple[str, str, str | None, str, bool], ...] = (
    ("rec-fold-finite", "ArchLaw.FoldlLaws", None, "b_fold", True),
    ("rec-fold-finite-rtl", "ArchLaw.FoldLaws", None, "b_fold_rtl", True),
    ("rec-fold-finite", "ArchLaw.LeftAlgHomLaw", "ArchLaw.foldl_fusion", "b_fold_hom", True),
    ("rec-fold-gru", "ArchLaw.FoldlLaws", None, "b_fold_gru", True),
    ("rec-tree-finite", "ArchLaw.TreeFoldLaws", None, "b_tree", True),
    ("rec-tree-finite", "ArchLaw.TreeAlgHomLaw", "ArchLaw.tree_fusion", "b_tree_hom", True),
    ("rec-tree-mlp", "ArchLaw.TreeFoldLaws", None, "b_tree_mlp", True),
    ("rec-mealy-finite", "ArchLaw.MealyLaws", None, "b_mealy", True),
    ("rec-mealy-finite", "ArchLaw.RestartLaws", None, "b_mealy", True),
    ("rec-mealy-finite", "ArchLaw.CausalLaw", None, "b_mealy", True),
    ("rec-mealy-finite", "ArchLaw.MealyHomLaw", None, "b_mealy_hom", True),
    ("rec-mealy-gru", "ArchLaw.MealyLaws", None, "b_mealy_gru", True),
    ("rec-mealy-gru", "ArchLaw.RestartLaws", None, "b_mealy_gru", True),
    ("rec-mealy-gru", "ArchLaw.CausalLaw", None, "b_mealy_gru", True),
    ("rec-moore-finite", "ArchLaw.MooreLaws", None, "b_moore", True),
    ("rec-moore-finite", "ArchLaw.MooreRestartLaws", None, "b_moore", True),
    ("rec-fold-finite-rtl", "ArchLaw.AlgHomLaw", "ArchLaw.foldr_fusion", "b_foldr_hom", True),
    ("rec-fold-finite-rtl", "ArchLaw.InitHomLaw", None, "b_foldr_hom", True),
    # certificate theorems: their run laws can only be sampled, so "passed, check sampled"
    ("rec-fold-finite-cert", "ArchLaw.FoldlLaws", "ArchLaw.foldl_certificate", "b_fold_cert", True),
    ("rec-fold-finite-rtl-cert", "ArchLaw.FoldLaws", "ArchLaw.foldr_certificate", "b_fold_cert_rtl",
     True),
    ("rec-tree-finite-cert", "ArchLaw.TreeFoldLaws", "ArchLaw.tree_certificate", "b_tree_cert", True),
    # seeded violations
    ("rec-fold-wrong-beyond", "ArchLaw.FoldlLaws", None, "b_fold_wrong_beyond", False),
    ("rec-fold-one-wrong-cell", "ArchLaw.LeftAlgHomLaw", None, "b_fold_one_wrong", False),
    ("rec-tree-wrong-beyond", "ArchLaw.TreeFoldLaws", None, "b_tree_wrong_beyond", False),
    ("rec-tree-one-wrong-cell", "ArchLaw.TreeAlgHomLaw", None, "b_tree_one_wrong", False),
    ("rec-mealy-positional", "ArchLaw.RestartLaws", None, "b_mealy_positional", False),
    ("rec-mealy-peeking", "ArchLaw.CausalLaw", None, "b_mealy_peeking", False),
    ("rec-mealy-one-wrong-cell", "ArchLaw.MealyHomLaw", None, "b_mealy_one_wrong", False),
    ("rec-fold-rtl-wrong-beyond", "ArchLaw.FoldLaws", None, "b_fold_rtl_wrong_beyond", False),
    ("rec-fold-rtl-one-wrong-cell", "ArchLaw.AlgHomLaw", None, "b_foldr_hom_one_wrong", False),
    ("rec-fold-wrong-init", "ArchLaw.InitHomLaw", None, "b_foldr_hom_wrong_init", False),
    ("rec-mealy-peeking", "ArchLaw.MealyLaws", None, "b_mealy_peeking", False),
    ("rec-moore-positional", "ArchLaw.MooreLaws", None, "b_moore_positional", False),
    ("rec-moore-positional", "ArchLaw.MooreRestartLaws", None, "b_moore_positional", False),
)

#: Why each seeded violation must be caught: (model name, law) -> (the field that must fail, a
#: substring its counterexample must contain, or None). A one-wrong-cell seed is caught with
#: exactly that case; a wrong-beyond seed by the field the wrong run breaks (its counterexample
#: is a long sampled list or tree, asserted by length in tests/test_recursion.py).
EXPECT: dict[tuple[str, str], tuple[str, str | None]] = {
    ("rec-fold-wrong-beyond", "ArchLaw.FoldlLaws"): ("snoc", None),
    ("rec-fold-one-wrong-cell", "ArchLaw.LeftAlgHomLaw"): ("map_cell", "x := 2, a := 1"),
    ("rec-tree-wrong-beyond", "ArchLaw.TreeFoldLaws"): ("node", None),
    ("rec-tree-one-wrong-cell", "ArchLaw.TreeAlgHomLaw"): ("map_node", "o := 1, x1 := 3, x2 := 4"),
    ("rec-mealy-positional", "ArchLaw.RestartLaws"): ("state_append", None),
    ("rec-mealy-peeking", "ArchLaw.CausalLaw"): ("causal", None),
    # the wrong case is (initial state, input 1); the trained machine's initial state is 1
    ("rec-mealy-one-wrong-cell", "ArchLaw.MealyHomLaw"): ("map_next", "s := 1, i := 1"),
    ("rec-fold-rtl-wrong-beyond", "ArchLaw.FoldLaws"): ("cons", None),
    ("rec-fold-rtl-one-wrong-cell", "ArchLaw.AlgHomLaw"): ("map_cell", "a := 0, x := 1"),
    ("rec-fold-wrong-init", "ArchLaw.InitHomLaw"): ("map_init", None),
    ("rec-mealy-peeking", "ArchLaw.MealyLaws"): ("out_cons", None),
    ("rec-moore-positional", "ArchLaw.MooreLaws"): ("state_cons", None),
    ("rec-moore-positional", "ArchLaw.MooreRestartLaws"): ("state_append", None),
}

#: Check settings of every entry: 500 samples of the list/tree binders (× the finite binders).
CHECK: dict[str, Any] = {"seed": 0, "samples": 500}


def binding_of(fn: str) -> Any:
    """Call `archlaw.models.recursion_fixtures.<fn>()` (imported on first use)."""
    from . import recursion_fixtures

    return getattr(recursion_fixtures, fn)()


def register_all() -> None:
    """Register every entry of `TABLE` (idempotent)."""
    from .registry import register

    for name, law, theorem, fn, expect in TABLE:
        field, ce = EXPECT.get((name, law), (None, None)) if not expect else (None, None)
        register(name, law=law, theorem=theorem, binding=functools.partial(binding_of, fn),
                 tiny=True, check=CHECK, expect_pass=expect, expect_field=field,
                 expect_counterexample=ce)


register_all()
