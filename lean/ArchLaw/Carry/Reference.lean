import ArchLaw.Attr
import ArchLaw.Carry.Basic
import ArchLaw.Carry.Adder
import ArchLaw.Carry.Lookahead

/-!
# A model computes the library's carry definitions

Laws saying that a model's symbol *is* one of the library's definitions, value by value:
`carry`, `carryIn` and `Gen.op`. The check runs each definition from its Lean body (no Python
re-telling of it), so these laws tie a learned cell or combiner to the Lean text
(docs/semantics.md, "Shipped checks").

| law | symbol from the model | definition it must equal | cases |
| --- | --- | --- | --- |
| `IsCarry {B} c` | `c : Fin B → Fin B → Fin 2` | `carry` | `B²` |
| `CarryOut B cell` | `cell : Fin B → Fin B → Fin 2 → Fin B × Fin 2` | `carryIn` (its carry-out) | `2·B²` |
| `IsLookaheadOp combine` | `combine : Gen → Gen → Gen` | `Gen.op` | 9 |

Written without a Lean toolchain: not compiled here. The module is not imported by
`ArchLaw.lean` (nor by `ArchLaw.Carry`), so an error in it cannot break the library's
`lake build`; CI builds it in a step allowed to fail, and the source reader reads its laws.
-/

namespace ArchLaw.Carry

/-- The learned carry `c` (a cell's carry with carry-in `0`) is the library's `carry`.
Symbols: `c` (supplied by a network). -/
@[arch_law] structure IsCarry {B : Nat} (c : Fin B → Fin B → Fin 2) : Prop where
  /-- `c a b = carry a b` for every pair of digits. -/
  eq_carry : ∀ (a b : Fin B), c a b = carry a b

/-- The carry-out of a full-adder cell is the library's `carryIn`.
Symbols: `cell` (supplied by a network). -/
@[arch_law] structure CarryOut (B : Nat) (cell : Fin B → Fin B → Fin 2 → Fin B × Fin 2) :
    Prop where
  /-- `(cell a b c).2 = carryIn a b c` for every pair of digits and carry-in. -/
  carry_out : ∀ (a b : Fin B) (c : Fin 2), (cell a b c).2 = carryIn a b c

/-- The learned status combiner is the library's lookahead operator `Gen.op`.
Symbols: `combine` (supplied by a network). -/
@[arch_law] structure IsLookaheadOp (combine : Gen → Gen → Gen) : Prop where
  /-- `combine x y = Gen.op x y` for every pair of statuses. -/
  eq_op : ∀ (x y : Gen), combine x y = Gen.op x y

/-- The library's definitions meet their own reference laws. -/
theorem carry_isCarry {B : Nat} : IsCarry (@carry B) := ⟨fun _ _ => rfl⟩

/-- `Gen.op` is the lookahead operator. -/
theorem op_isLookaheadOp : IsLookaheadOp Gen.op := ⟨fun _ _ => rfl⟩

end ArchLaw.Carry
