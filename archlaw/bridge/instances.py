"""Instance arguments of a law: ``[Add V]`` is resolved from V's encoding, never asked of a model.

Lean elides instance arguments in terms: ``x + y`` is ``HAdd.hAdd x y``, and the interpreter
(`archlaw.bridge.interpret`) gives ``+`` its meaning from the sort of the node: float ``+`` on a
float sort, wrapping ``+`` on ``Fin n``. So an instance binder ``[C S₁ … Sₖ]`` of a law is not a
symbol: it is *resolved*. A class is known when `INSTANCE_CLASSES` lists the Lean constants it
provides; its instance at the sort ``Sₖ`` (the last argument: the sort of the operation's result,
or of its operands for a relation such as ``≤``) is resolved when each of those constants has a
meaning there: a registered interpretation matching Sₖ's encoding, or the binding supplying the
constant by full name (as a group action's ``HSMul.hSMul``). A class with no known meaning, or an
operation with none at that sort, is one `ArchLawError` naming the class and saying how to
register it.

Extending, for a class of your own library::

    from archlaw.bridge.instances import register_instance_class
    from archlaw.bridge.interpret import interpretation

    register_instance_class("MyLib.Lattice", ("MyLib.Lattice.join",))

    @interpretation("MyLib.Lattice.join", sort="Float", arity=2)
    def _join(ctx, a, b):
        return torch.maximum(a, b)
"""

from __future__ import annotations

from typing import Any

from .errors import ArchLawError
from .interpret import registered
from .ir import App, Param, pretty
from .sorts import resolve_sort

__all__ = ["INSTANCE_CLASSES", "register_instance_class", "resolve_instance", "is_instance"]

#: Lean classes with a known meaning -> the constants an instance of each provides. A class with
#: no operations (``DecidableEq``: equality is decided by the sort's encoding) resolves at once.
INSTANCE_CLASSES: dict[str, tuple[str, ...]] = {
    "Add": ("HAdd.hAdd",), "HAdd": ("HAdd.hAdd",),
    "Sub": ("HSub.hSub",), "HSub": ("HSub.hSub",),
    "Mul": ("HMul.hMul",), "HMul": ("HMul.hMul",),
    "Div": ("HDiv.hDiv",), "HDiv": ("HDiv.hDiv",),
    "Mod": ("HMod.hMod",), "HMod": ("HMod.hMod",),
    "Pow": ("HPow.hPow",), "HPow": ("HPow.hPow",),
    "Neg": ("Neg.neg",),
    "SMul": ("HSMul.hSMul",), "HSMul": ("HSMul.hSMul",),
    "LE": ("LE.le",), "LT": ("LT.lt",),
    "DecidableEq": (),
}


def register_instance_class(name: str, ops: tuple[str, ...]) -> None:
    """Declare that Lean class `name` (full name) provides the constants `ops`; give each a
    meaning with `archlaw.bridge.interpret.interpretation` (or a binding's symbols)."""
    INSTANCE_CLASSES[name] = tuple(ops)


def is_instance(p: Param) -> bool:
    """True for an instance-implicit parameter (``[Add V]``)."""
    return p.binder == "inst_implicit"


def resolve_instance(p: Param, sorts: Any, params: Any, symbols: Any, *, where: str) -> None:
    """Check that the instance parameter `p` has a meaning under the binding's `sorts`,
    `params` and `symbols` (see the module docstring); `ArchLawError` naming the class
    otherwise. Returns nothing: the meaning itself is found at each use, by the interpreter."""
    what = f"instance argument [{p.name} : {pretty(p.sort)}]"
    cls = p.sort.head_name if isinstance(p.sort, App) else None
    if cls is None or cls not in INSTANCE_CLASSES:
        raise ArchLawError(
            f"{what}: class {cls or pretty(p.sort)} has no known meaning; register the constants "
            f"it provides with archlaw.bridge.instances.register_instance_class("
            f"{cls or pretty(p.sort)!r}, (...)) and give each a meaning with "
            "@archlaw.bridge.interpret.interpretation", where=where)
    ops = INSTANCE_CLASSES[cls]
    if not ops:
        return
    if not isinstance(p.sort, App) or not p.sort.args:
        raise ArchLawError(f"{what}: class {cls} is applied to no sort", where=where)
    enc = resolve_sort(p.sort.args[-1], sorts, params, where=where)
    interps = registered()
    for op in ops:
        if op in symbols or any(i.matches(enc) for i in interps.get(op, ())):
            continue
        raise ArchLawError(
            f"{what}: class {cls} needs {op} at {pretty(p.sort.args[-1])} = {enc.describe()}, "
            f"which has no meaning; register one with @archlaw.bridge.interpret.interpretation("
            f"{op!r}, sort={enc.kind!r}) or supply binding.symbols[{op!r}]", where=where)
