"""Hoisting: a term that mentions only some of a field's binders runs once per distinct value
of those binders, not once per case.

A field ``∀ (k : Fin n) (s : Fin n → X), f (rotate k s) = rotate k (f s)`` is checked on the
product of its binders' values: every shift k for every sampled signal s. The sub-term ``f s``
does not mention k, so evaluating it per case would run the model n times on each signal.
`Hoist` holds a chunk's binder values and, per binder, the id of each case's value (its
enumeration digit, or its sample index: `archlaw.bridge.domains.Domain.keys`). The evaluator
(`archlaw.bridge.interpret.Evaluator.eval`) asks `Hoist.run` first at every application: when
the term's free variables are some but not all of the binders, still bound to the chunk's
values (not shadowed by a ``fun``), and take at most half as many distinct values as there
are cases, the term is evaluated on one case per distinct value and its value spread back to
every case (`archlaw.bridge.sorts.take`: an index, a table's row indices). Values are the same
as without hoisting (a model runs in eval mode: the same input gives the same output); only
the number of model calls changes.

Propositions and function values other than tables (a partial application, a closure) are
never hoisted; a table (``f s : Fin n → Y``) is data, and is.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

import torch

from .errors import ArchLawError
from .ir import App, Pi, Sort, Term, free_vars, is_prop
from .sorts import take

__all__ = ["Hoist", "MISS"]

#: `Hoist.run`'s answer when the term is not hoisted (evaluate it as usual).
MISS = object()


@dataclass
class Hoist:
    """One chunk's binder values (`env`) and their ids (`keys`: binder -> long (n,))."""

    env: Mapping[str, Any]
    keys: Mapping[str, torch.Tensor]
    _groups: dict = field(default_factory=dict, repr=False)
    _free: dict = field(default_factory=dict, repr=False)

    def run(self, ev: Any, t: App, env: Mapping[str, Any]) -> Any:
        """`t`'s value, evaluated once per distinct value of the binders it mentions, or `MISS`."""
        if isinstance(t.sort, Sort) or is_prop(t) or (isinstance(t.sort, Pi)
                                                        and not _is_table(ev, t.sort)):
            return MISS
        got = self._free.get(id(t))
        if got is None or got[0] is not t:
            got = (t, free_vars(t))
            self._free[id(t)] = got
        # the variables with a value per case (binders, or variables a `fun` binds); the
        # others (symbols, parameters, sorts) are the same for every case
        fv = got[1] & env.keys()
        if not fv or not fv < self.keys.keys():
            return MISS
        if any(env[v] is not self.env[v] for v in fv):
            return MISS  # shadowed, or not this chunk's value
        first, inverse = self.groups(frozenset(fv))
        if 2 * int(first.shape[0]) > ev.n:
            return MISS
        sub = ev.with_n(int(first.shape[0]))
        val = sub.eval(t, {v: take(env[v], first) for v in fv})
        return take(val, inverse)

    def groups(self, names: frozenset[str]) -> tuple[torch.Tensor, torch.Tensor]:
        """(first case of each distinct value of `names`' binders, each case's value index)."""
        got = self._groups.get(names)
        if got is None:
            cols = [self.keys[v].cpu() for v in sorted(names)]
            if len(cols) == 1:  # one binder (the common case): a 1-D unique is much cheaper
                uniq, inverse = torch.unique(cols[0], return_inverse=True)
            else:
                uniq, inverse = torch.unique(torch.stack(cols, dim=1), dim=0, return_inverse=True)
            m = int(cols[0].shape[0])
            first = torch.full((uniq.shape[0],), m, dtype=torch.long)
            first.scatter_reduce_(0, inverse, torch.arange(m), reduce="amin")
            got = (first, inverse)
            self._groups[names] = got
        return got


def _is_table(ev: Any, sort: Term) -> bool:
    try:
        return ev.resolve(sort).kind == "Table"
    except ArchLawError:
        return False
