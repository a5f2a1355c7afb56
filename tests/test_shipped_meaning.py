"""Every shipped law's check reports which constants ran from Lean bodies (issue 14): the named
constants `rotate`, `permute`, `gridAct`, `D4.pt`, `D4.mul`, `ArchLaw.Carry.carry`, `carryIn`,
`Gen.op` and `Gen.eval` each run under a registry entry's check, from their bodies (or, for
`Gen.eval`, through its registration after the cross-check against the body); an independent
torch fast path of each agrees with its body under that very check, and one seeded to
disagree in one case is reported with that case."""
from __future__ import annotations

import pytest
import torch

from archlaw.bridge import interpret
from archlaw.bridge.errors import ArchLawError
from archlaw.bridge.semantics import RAN_BODY, RAN_REGISTERED_AGREES, HOW_RAN
from archlaw.bridge.tables import Table
from archlaw.models import registry
from archlaw.models.equivariance.concrete import grid_act

#: Each named constant, the registry entry (model, law) whose check runs it, and how.
NAMED = {
    "ArchLaw.rotate": ("conv1d-circular", "ArchLaw.ShiftEquivariant", RAN_BODY),
    "ArchLaw.permute": ("deepsets-s4", "ArchLaw.PermEquivariant", RAN_BODY),
    "ArchLaw.gridAct": ("conv2d-d4-averaged", "ArchLaw.D4Equivariant", RAN_BODY),
    "ArchLaw.D4.pt": ("conv2d-d4-averaged", "ArchLaw.D4Equivariant", RAN_BODY),
    "ArchLaw.D4.mul": ("grid-act", "ArchLaw.D4GridAction", RAN_BODY),
    "ArchLaw.Carry.carry": ("carry-cell-table-b10", "ArchLaw.Carry.IsCarry", RAN_BODY),
    "ArchLaw.Carry.carryIn": ("carry-cell-table-b10", "ArchLaw.Carry.CarryOut", RAN_BODY),
    "ArchLaw.Carry.Gen.op": ("carry-combine-table", "ArchLaw.Carry.IsLookaheadOp", RAN_BODY),
    "ArchLaw.Carry.Gen.eval": ("carry-combine-table", "ArchLaw.Carry.CombineLaws",
                               RAN_REGISTERED_AGREES),
}


def _entry(model: str, law: str) -> registry.ModelEntry:
    got = [e for e in registry.get(model) if e.law_name == law]
    assert len(got) == 1, (model, law, [e.id for e in registry.get(model)])
    return got[0]


def _export():
    from archlaw.bridge.library import load_export

    return load_export()


def _run(model: str, law: str) -> registry.Outcome:
    return registry.run_entry(_entry(model, law), _export())


@pytest.mark.parametrize("name", sorted(NAMED))
def test_each_named_constant_runs_under_a_shipped_check(name):
    model, law, how = NAMED[name]
    out = _run(model, law)
    assert out.passed, out.text
    assert dict(out.report.ran)[name] == how, out.report.ran
    assert {"constant": name, "how": how} in out.report.to_json()["ran"]


def _tiny_entries_with_definitions():
    export = _export()
    for e in registry.entries():
        if "trained" in e.name or e.theorem is not None:
            continue  # trained cells: the same laws run on the table cells below
        law = export.find(e.law_name) if isinstance(e.law, str) else e.law
        if law.definitions:
            yield e, law


def test_every_shipped_check_lists_the_definitions_its_law_applies():
    """For each tiny registry entry whose law applies Lean definitions, the report lists each of
    them with how it ran (and reports nothing it did not run)."""
    seen = 0
    for entry, law in _tiny_entries_with_definitions():
        out = registry.run_entry(entry, _export())
        assert out.as_expected, (entry.id, out.mismatch)
        ran = dict(out.report.ran)
        assert all(how in HOW_RAN for how in ran.values())
        # a definition reached only through a registered constant's body need not run; every
        # definition the law's statement applies directly does
        direct = {d.name for d in law.definitions} & _heads(law)
        assert direct <= set(ran), (entry.id, direct - set(ran))
        seen += 1
    assert seen >= 10


def _heads(law) -> set[str]:
    from archlaw.bridge import ir

    out: set[str] = set()
    stack = [f.statement for f in law.fields]
    while stack:
        t = stack.pop()
        if isinstance(t, ir.App):
            out.add(t.head_name)
        if not isinstance(t, ir.Sort):
            stack.extend(ir.children(t))
    return out


# -- independent torch fast paths, checked against the bodies under the shipped checks ---------

def _carry(ctx, a, b):
    return (a + b >= ctx.arg_enc(0).n).long()


def _carry_in(ctx, a, b, c):
    return (a + b + c >= ctx.arg_enc(0).n).long()


def _gen_op(ctx, x, y):  # K = 0, P = 1, G = 2: `if y = P then x else y`
    return torch.where(y == 1, x, y)


def _d4_mul(ctx, g, h):
    (s1, a1, b1), (s2, a2, b2) = g, h
    return (s1 ^ s2, torch.where(s1, b2, a2) ^ a1, torch.where(s1, a2, b2) ^ b1)


def _d4_pt(ctx, k, g, p):
    swap, fr, fc = g
    i = torch.where(fr, k - 1 - p[0], p[0])
    j = torch.where(fc, k - 1 - p[1], p[1])
    return torch.where(swap, j, i), torch.where(swap, i, j)


def _rotate(ctx, k, s):
    v = s.dense()
    n = v.shape[1]
    idx = (torch.arange(n, device=v.device)[None, :] + k[:, None]) % n
    return Table(ctx.enc, torch.gather(v, 1, idx[..., None].expand(v.shape)))


def _permute(ctx, p, s):
    v = s.dense()
    inv = p[1].dense()
    return Table(ctx.enc, torch.gather(v, 1, inv[..., None].expand(v.shape)))


def _grid_act(ctx, g, x):
    return Table(ctx.enc, grid_act(g, x.dense()))


def _wrong_at(fast, bad):
    """`fast` with its result changed on the cases where `bad(*args)` holds."""
    def wrong(ctx, *args):
        out = fast(ctx, *args)
        mask = bad(*args)
        if isinstance(out, Table):
            v = out.dense()
            return Table(out.enc, torch.where(mask.view(-1, *[1] * (v.dim() - 1)), v + 1, v))
        if isinstance(out, tuple):
            return (out[0] ^ mask,) + out[1:]
        return torch.where(mask, 1 - out if out.max() <= 1 else (out + 1) % 3, out)
    return wrong


#: constant -> (fast path, arity, a predicate seeding one disagreeing case, the case as the
#: error prints it)
FAST = {
    "ArchLaw.Carry.carry": (_carry, 2, lambda a, b: (a == 4) & (b == 6), "(4, 6)"),
    "ArchLaw.Carry.carryIn": (_carry_in, 3, lambda a, b, c: (a == 2) & (b == 7) & (c == 1),
                              "(2, 7, 1)"),
    "ArchLaw.Carry.Gen.op": (_gen_op, 2, lambda x, y: (x == 2) & (y == 1), "(G, P)"),
    "ArchLaw.D4.mul": (_d4_mul, 2, lambda g, h: g[0] & h[1] & ~h[0], "(⟨true, false, false⟩, "
                       "⟨false, true, false⟩)"),
    "ArchLaw.D4.pt": (_d4_pt, 3, lambda k, g, p: g[0] & g[1] & (p[0] == 0) & (p[1] == 1), None),
    "ArchLaw.rotate": (_rotate, 2, lambda k, s: k == 3, None),
    "ArchLaw.permute": (_permute, 2, lambda p, s: p[0](torch.zeros_like(p[0].dense()[:, 0])) == 1,
                        None),
    "ArchLaw.gridAct": (_grid_act, 2, lambda g, x: g[0] & g[2], None),
}


def _with(name: str, fn, arity: int):
    """Register `fn` for `name` until the returned undo is called, which leaves the registry
    as it was (no empty entry: `archlaw spec` lists every registered name)."""
    interpret.interpretation(name, arity=arity)(fn)

    def undo() -> None:
        regs = interpret._REGISTRY[name]
        regs.pop()
        if not regs:
            del interpret._REGISTRY[name]
    return undo


@pytest.mark.parametrize("name", sorted(FAST))
def test_a_fast_path_agrees_with_the_body_under_the_shipped_check(name):
    fast, arity, _, _ = FAST[name]
    model, law, _ = NAMED[name]
    undo = _with(name, fast, arity)
    try:
        out = _run(model, law)
    finally:
        undo()
    assert out.passed, out.text
    assert dict(out.report.ran)[name] == RAN_REGISTERED_AGREES


@pytest.mark.parametrize("name", sorted(FAST))
def test_a_fast_path_that_disagrees_in_one_case_is_reported_with_it(name):
    fast, arity, bad, case = FAST[name]
    model, law, _ = NAMED[name]
    undo = _with(name, _wrong_at(fast, bad), arity)
    try:
        with pytest.raises(ArchLawError) as e:
            _run(model, law)
    finally:
        undo()
    msg = str(e.value)
    assert "\n" not in msg
    assert f"`{name}` disagrees with its Lean body at (" in msg, msg
    if case is not None:
        assert f"at {case}: registered" in msg, msg
