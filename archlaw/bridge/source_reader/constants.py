"""Stage 5 of the source reader: the library of constants.

In: the reader's table of Lean core signatures (`_CORE`, as Lean-like headers) and the headers
the reader finds under the root, each as a `ConstEntry` whose signature is computed on first
use. Out: `Library`, the fully qualified names visible to the elaborator with their signatures
(a header that refers to itself is an error, not a loop) and the unfolding of ``abbrev``s
(`Library.delta`) that unification uses.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Optional

from ..errors import ArchLawError
from ..ir import App, Term
from .terms import _Fail
from .unification import _fv, _subst


# ============================================================================================
# Core signatures (a small table of Lean core constants, as Lean-like headers)

_CORE = r"""
Nat : Type
Int : Type
Bool : Type
String : Type
Float : Type
Unit : Type
True : Prop
False : Prop
Fin (n : Nat) : Type
List (α : Type) : Type
Option (α : Type) : Type
Prod (α β : Type) : Type
Sum (α β : Type) : Type
Eq {α : Type} (a b : α) : Prop
Ne {α : Type} (a b : α) : Prop
HEq {α : Type} (a : α) {β : Type} (b : β) : Prop
And (a b : Prop) : Prop
Or (a b : Prop) : Prop
Not (a : Prop) : Prop
Iff (a b : Prop) : Prop
Exists {α : Type} (p : α → Prop) : Prop
ite {α : Type} (c : Prop) [h : Decidable c] (t e : α) : α
id {α : Type} (a : α) : α
Function.comp {α β δ : Type} (f : β → δ) (g : α → β) : α → δ
Function.const {α : Type} (β : Type) (a : α) : β → α
Decidable (p : Prop) : Type
DecidableEq (α : Type) : Type
Inhabited (α : Type) : Type
BEq (α : Type) : Type
Repr (α : Type) : Type
Add (α : Type) : Type
Mul (α : Type) : Type
Sub (α : Type) : Type
Div (α : Type) : Type
Mod (α : Type) : Type
Neg (α : Type) : Type
Append (α : Type) : Type
LE (α : Type) : Type
LT (α : Type) : Type
Max (α : Type) : Type
Min (α : Type) : Type
SMul (α β : Type) : Type
HAdd.hAdd {α : Type} (a b : α) : α
HSub.hSub {α : Type} (a b : α) : α
HMul.hMul {α : Type} (a b : α) : α
HDiv.hDiv {α : Type} (a b : α) : α
HMod.hMod {α : Type} (a b : α) : α
HAppend.hAppend {α : Type} (a b : α) : α
HPow.hPow {α β : Type} (a : α) (b : β) : α
HSMul.hSMul {α β : Type} (a : α) (b : β) : β
LE.le {α : Type} (a b : α) : Prop
LT.lt {α : Type} (a b : α) : Prop
GE.ge {α : Type} (a b : α) : Prop
GT.gt {α : Type} (a b : α) : Prop
Max.max {α : Type} (a b : α) : α
Min.min {α : Type} (a b : α) : α
Nat.succ (n : Nat) : Nat
Nat.pred (n : Nat) : Nat
Nat.zero : Nat
Bool.true : Bool
Bool.false : Bool
not (b : Bool) : Bool
and (a b : Bool) : Bool
or (a b : Bool) : Bool
Fin.rev {n : Nat} (i : Fin n) : Fin n
Fin.val {n : Nat} (self : Fin n) : Nat
Fin.mk {n : Nat} (val : Nat) (isLt : val < n) : Fin n
Fin.last (n : Nat) : Fin (n + 1)
Fin.succ {n : Nat} (i : Fin n) : Fin (n + 1)
Fin.castSucc {n : Nat} (i : Fin n) : Fin (n + 1)
Prod.mk {α β : Type} (fst : α) (snd : β) : α × β
Prod.fst {α β : Type} (self : α × β) : α
Prod.snd {α β : Type} (self : α × β) : β
Prod.map {α₁ α₂ β₁ β₂ : Type} (f : α₁ → α₂) (g : β₁ → β₂) (x : α₁ × β₁) : α₂ × β₂
Option.some {α : Type} (val : α) : Option α
Option.none {α : Type} : Option α
List.nil {α : Type} : List α
List.cons {α : Type} (head : α) (tail : List α) : List α
List.foldr {α β : Type} (f : α → β → β) (init : β) (l : List α) : β
List.foldl {α β : Type} (f : α → β → α) (init : α) (l : List β) : α
List.map {α β : Type} (f : α → β) (l : List α) : List β
List.length {α : Type} (l : List α) : Nat
List.take {α : Type} (n : Nat) (xs : List α) : List α
List.drop {α : Type} (n : Nat) (xs : List α) : List α
List.append {α : Type} (xs ys : List α) : List α
List.reverse {α : Type} (as : List α) : List α
List.replicate {α : Type} (n : Nat) (a : α) : List α
List.zip {α β : Type} (xs : List α) (ys : List β) : List (α × β)
List.zipWith {α β γ : Type} (f : α → β → γ) (xs : List α) (ys : List β) : List γ
List.sum {α : Type} [Add α] (l : List α) : α
List.head? {α : Type} (l : List α) : Option α
List.getLast? {α : Type} (l : List α) : Option α
List.scanl {α β : Type} (f : α → β → α) (init : α) (l : List β) : List α
List.flatten {α : Type} (l : List (List α)) : List α
List.range (n : Nat) : List Nat
"""

#: Short names Lean exports to the root namespace.
_ALIASES = {"true": "Bool.true", "false": "Bool.false", "min": "Min.min", "max": "Max.max",
            "id": "id", "ite": "ite"}

#: Structures of the core table with their fields (for `.1`, `.2`).
_CORE_FIELDS = {"Prod": ("fst", "snd"), "Fin": ("val", "isLt")}


# ============================================================================================
# The library: constants with lazily elaborated signatures


@dataclass
class ConstEntry:
    """A constant of the library (or of core) whose signature is elaborated on first use."""

    name: str
    file: str
    compute: Callable[[], Term]
    sig: Optional[Term] = None
    error: Optional[ArchLawError] = None
    busy: bool = False
    fields: tuple[str, ...] = ()      # for structures: field names in order
    #: for an ``abbrev``: its parameters (name, binder) and body, read on first use
    unfold: Optional[Callable[[], Optional[tuple[list[tuple[str, str]], Term]]]] = None
    body: Optional[tuple[list[tuple[str, str]], Term]] = None
    body_tried: bool = False


class Library:
    """All constants visible to the reader: core's table plus every header under the root."""

    def __init__(self) -> None:
        self.consts: dict[str, ConstEntry] = {}
        self.namespaces: set[str] = set()

    def add(self, entry: ConstEntry) -> None:
        self.consts.setdefault(entry.name, entry)
        parts = entry.name.split(".")
        for k in range(1, len(parts)):
            self.namespaces.add(".".join(parts[:k]))

    def delta(self, t: App) -> Optional[Term]:
        """Unfold ``C args`` for an ``abbrev C``: its body with the explicit parameters replaced
        by `args`; None if C is not an abbrev, its body is outside the fragment, an implicit
        parameter occurs in the body (implicit arguments are elided), or args are partial."""
        e = self.consts.get(t.head) if isinstance(t.head, str) else None
        if e is None or e.unfold is None:
            return None
        if not e.body_tried:
            e.body_tried = True
            try:
                e.body = e.unfold()
            except (ArchLawError, _Fail, RecursionError):
                e.body = None
        if e.body is None:
            return None
        params, body = e.body
        explicit = [n for n, b in params if b == "explicit"]
        if len(explicit) != len(t.args):
            return None
        if {n for n, b in params if b != "explicit"} & _fv(body):
            return None
        return _subst(body, dict(zip(explicit, t.args)))  # type: ignore[return-value]

    def signature(self, name: str, use_pos: tuple[int, int]) -> Term:
        e = self.consts[name]
        if e.sig is not None:
            return e.sig
        if e.error is not None:
            raise e.error
        if e.busy:
            raise _Fail(use_pos, f"the header of {name} refers to itself")
        e.busy = True
        try:
            e.sig = e.compute()
        except ArchLawError as err:
            e.error = ArchLawError(f"{err} (needed for the signature of {name})")
            raise e.error from None
        finally:
            e.busy = False
        return e.sig
