import ArchLaw.Attr
import ArchLaw.Carry.Arith

/-!
# The carry of base-`B` addition, and the cocycle law

* `carry a b` is the carry out of adding two base-`B` digits: `1` when `a.val + b.val ≥ B`,
  else `0`. `carryIn a b c` is the same with a carry-in bit `c`.
* `Cocycle c` (an `@[arch_law]`, symbol `c : Fin B → Fin B → Fin 2`) is the 2-cocycle identity
  `c a b + c (a + b) d = c b d + c a (b + d)`, where `+` on digits is `Fin B` addition (it wraps)
  and the two sides are added in `Nat` through `.val` (`Fin 2` addition would wrap too).
* `carry_cocycle : Cocycle carry`, for every base `B`.

Digits of `Fin 2` are written `⟨0, _⟩` and `⟨1, _⟩` in bodies so that their values reduce by
projection; statements never use `Fin` numerals with a variable bound.

Written without a Lean toolchain: not compiled here.
-/

namespace ArchLaw.Carry

/-- Any digit shows that the base is positive. -/
theorem pos_of_fin {B : Nat} (x : Fin B) : 0 < B :=
  Nat.lt_of_le_of_lt (Nat.zero_le x.val) x.isLt

/-- The carry out of adding two base-`B` digits: `1` when `a.val + b.val ≥ B`, else `0`. -/
def carry {B : Nat} (a b : Fin B) : Fin 2 :=
  if a.val + b.val ≥ B then ⟨1, by decide⟩ else ⟨0, by decide⟩

/-- The carry out of adding two base-`B` digits and a carry-in bit `c`:
`1` when `a.val + b.val + c.val ≥ B`, else `0`. -/
def carryIn {B : Nat} (a b : Fin B) (c : Fin 2) : Fin 2 :=
  if a.val + b.val + c.val ≥ B then ⟨1, by decide⟩ else ⟨0, by decide⟩

/-- No carry below the base. -/
theorem carry_val_of_lt {B : Nat} {a b : Fin B} (h : a.val + b.val < B) : (carry a b).val = 0 := by
  unfold carry
  split
  · omega
  · rfl

/-- A carry at or above the base. -/
theorem carry_val_of_ge {B : Nat} {a b : Fin B} (h : B ≤ a.val + b.val) : (carry a b).val = 1 := by
  unfold carry
  split
  · rfl
  · omega

/-- No carry-out below the base. -/
theorem carryIn_val_of_lt {B : Nat} {a b : Fin B} {c : Fin 2} (h : a.val + b.val + c.val < B) :
    (carryIn a b c).val = 0 := by
  unfold carryIn
  split
  · omega
  · rfl

/-- A carry-out at or above the base. -/
theorem carryIn_val_of_ge {B : Nat} {a b : Fin B} {c : Fin 2} (h : B ≤ a.val + b.val + c.val) :
    (carryIn a b c).val = 1 := by
  unfold carryIn
  split
  · rfl
  · omega

/-- The carry is symmetric. -/
theorem carry_comm {B : Nat} (a b : Fin B) : carry a b = carry b a := by
  unfold carry
  rw [Nat.add_comm a.val b.val]

/-- With carry-in `0`, `carryIn` is `carry` (as values). -/
theorem carryIn_zero_val {B : Nat} (a b : Fin B) :
    (carryIn a b ⟨0, by decide⟩).val = (carry a b).val := by
  by_cases h : a.val + b.val < B
  · have h1 : (carryIn a b ⟨0, by decide⟩).val = 0 :=
      carryIn_val_of_lt (by show a.val + b.val + 0 < B; omega)
    rw [h1, carry_val_of_lt h]
  · have h1 : (carryIn a b ⟨0, by decide⟩).val = 1 :=
      carryIn_val_of_ge (by show B ≤ a.val + b.val + 0; omega)
    have h2 : (carry a b).val = 1 := carry_val_of_ge (by omega)
    rw [h1, h2]

/-- The division identity for one digit sum: `(a + b) % B + B * carry a b = a + b`. -/
theorem carry_spec {B : Nat} (a b : Fin B) :
    (a.val + b.val) % B + B * (carry a b).val = a.val + b.val := by
  have ha := a.isLt
  have hb := b.isLt
  rcases mod_cases (s := a.val + b.val) (B := B) (by omega) with ⟨h, hm⟩ | ⟨h, hm⟩
  · rw [hm, carry_val_of_lt h, Nat.mul_zero, Nat.add_zero]
  · rw [hm, carry_val_of_ge h, Nat.mul_one]
    omega

/-- The division identity with a carry-in: `(a + b + c) % B + B * carryIn a b c = a + b + c`. -/
theorem carryIn_spec {B : Nat} (a b : Fin B) (c : Fin 2) :
    (a.val + b.val + c.val) % B + B * (carryIn a b c).val = a.val + b.val + c.val := by
  have ha := a.isLt
  have hb := b.isLt
  have hc := c.isLt
  rcases mod_cases (s := a.val + b.val + c.val) (B := B) (by omega) with ⟨h, hm⟩ | ⟨h, hm⟩
  · rw [hm, carryIn_val_of_lt h, Nat.mul_zero, Nat.add_zero]
  · rw [hm, carryIn_val_of_ge h, Nat.mul_one]
    omega

/-- The 2-cocycle law for a carry function `c : Fin B → Fin B → Fin 2` (symbol supplied by a
model: the carry output of a learned cell with carry-in 0). Its `B³` cases are checked
exhaustively. -/
@[arch_law] structure Cocycle {B : Nat} (c : Fin B → Fin B → Fin 2) : Prop where
  /-- `c a b + c (a + b) d = c b d + c a (b + d)`: digits add in `Fin B`, carries in `Nat`. -/
  cocycle : ∀ (a b d : Fin B), (c a b).val + (c (a + b) d).val = (c b d).val + (c a (b + d)).val

/-- The Nat arithmetic behind the cocycle identity: two ways of splitting `a + b + d` into a
remainder below `B` and a multiple of `B` agree on the multiple. -/
theorem cocycle_nat {B a b d m1 m2 m3 m4 c1 c2 c3 c4 : Nat}
    (hm2 : m2 < B) (hm4 : m4 < B)
    (h1 : m1 + B * c1 = a + b) (h2 : m2 + B * c2 = m1 + d)
    (h3 : m3 + B * c3 = b + d) (h4 : m4 + B * c4 = a + m3)
    (hc1 : c1 < 2) (hc2 : c2 < 2) (hc3 : c3 < 2) (hc4 : c4 < 2) :
    c1 + c2 = c3 + c4 := by
  rcases mul_bit B c1 hc1 with ⟨e1, f1⟩ | ⟨e1, f1⟩ <;>
  rcases mul_bit B c2 hc2 with ⟨e2, f2⟩ | ⟨e2, f2⟩ <;>
  rcases mul_bit B c3 hc3 with ⟨e3, f3⟩ | ⟨e3, f3⟩ <;>
  rcases mul_bit B c4 hc4 with ⟨e4, f4⟩ | ⟨e4, f4⟩ <;>
  omega

/-- The carry of base-`B` addition is a 2-cocycle, for every base `B`. -/
theorem carry_cocycle {B : Nat} : Cocycle (carry : Fin B → Fin B → Fin 2) := by
  constructor
  intro a b d
  have hB : 0 < B := pos_of_fin a
  have h1 : (a.val + b.val) % B + B * (carry a b).val = a.val + b.val := carry_spec a b
  have h2 : ((a.val + b.val) % B + d.val) % B + B * (carry (a + b) d).val
      = (a.val + b.val) % B + d.val := carry_spec (a + b) d
  have h3 : (b.val + d.val) % B + B * (carry b d).val = b.val + d.val := carry_spec b d
  have h4 : (a.val + (b.val + d.val) % B) % B + B * (carry a (b + d)).val
      = a.val + (b.val + d.val) % B := carry_spec a (b + d)
  exact cocycle_nat (Nat.mod_lt _ hB) (Nat.mod_lt _ hB) h1 h2 h3 h4
    (carry a b).isLt (carry (a + b) d).isLt (carry b d).isLt (carry a (b + d)).isLt

end ArchLaw.Carry
