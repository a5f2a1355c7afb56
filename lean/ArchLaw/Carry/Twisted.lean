import ArchLaw.Attr
import ArchLaw.Carry.Basic

/-!
# Two-digit numbers as a twisted product, and why the carry cannot be avoided

* `twAdd c x y` adds pairs `(lo, hi)` of base-`B` digits with the carry function `c`:
  `(x₀, x₁) + (y₀, y₁) = (x₀ + y₀, x₁ + y₁ + c x₀ y₀)`, the carry added as a digit through its
  value.
* `twAdd_assoc` (an `@[arch_theorem]`, hypothesis `Cocycle c`): any 2-cocycle gives an
  associative addition. With `carry` it is a commutative group: `tw_add_zero`, `tw_zero_add`,
  `tw_add_neg`, `tw_neg_add`, `tw_comm`, `tw_assoc`.
* `enc (lo, hi) = lo.val + B * hi.val` is an additive bijection onto `Fin (B * B)`:
  `enc_injective`, `enc_surjective`, `enc_add`.
* `not_split`: for `2 ≤ B` no additive map `s : Fin B → Fin (B * B)` has `(s a).val % B = a.val`
  for every `a`: the extension `Z/B → Z/B² → Z/B` does not split, so no carry-free encoding of
  two-digit addition exists.

Written without a Lean toolchain: not compiled here.
-/

namespace ArchLaw.Carry

/-- Addition of two-digit numbers `(lo, hi)` twisted by a carry function `c`:
`(x₀, x₁) + (y₀, y₁) = (x₀ + y₀, x₁ + y₁ + c x₀ y₀)`, all digit sums modulo `B`. -/
def twAdd {B : Nat} (c : Fin B → Fin B → Fin 2) (x y : Fin B × Fin B) : Fin B × Fin B :=
  (x.1 + y.1, ⟨(x.2.val + y.2.val + (c x.1 y.1).val) % B, Nat.mod_lt _ (pos_of_fin x.1)⟩)

/-- The pair `(0, 0)`. -/
def twZero {B : Nat} (hB : 0 < B) : Fin B × Fin B := (⟨0, hB⟩, ⟨0, hB⟩)

/-- The digit `(B - a) % B`, the negative of `a` modulo `B`. -/
def negDigit {B : Nat} (a : Fin B) : Fin B := ⟨(B - a.val) % B, Nat.mod_lt _ (pos_of_fin a)⟩

/-- The inverse of `x` for the carry-twisted addition:
`(-x₀, 2B - x₁ - carry x₀ (-x₀))`, digits modulo `B`. -/
def twNeg {B : Nat} (x : Fin B × Fin B) : Fin B × Fin B :=
  (negDigit x.1,
    ⟨(B + B - (x.2.val + (carry x.1 (negDigit x.1)).val)) % B, Nat.mod_lt _ (pos_of_fin x.1)⟩)

/-- The two-digit encoding `(lo, hi) ↦ lo.val + B * hi.val`, into `Fin (B * B)`. -/
def enc {B : Nat} (x : Fin B × Fin B) : Fin (B * B) :=
  ⟨x.1.val + B * x.2.val, enc_lt x.1.isLt x.2.isLt⟩

/-- Pairs of digits are equal when their values are. -/
theorem pair_ext {B : Nat} {x y : Fin B × Fin B} (h1 : x.1.val = y.1.val) (h2 : x.2.val = y.2.val) :
    x = y := by
  cases x with
  | mk x1 x2 =>
    cases y with
    | mk y1 y2 =>
      have e1 : x1 = y1 := Fin.eq_of_val_eq h1
      have e2 : x2 = y2 := Fin.eq_of_val_eq h2
      rw [e1, e2]

/-- Any 2-cocycle makes the twisted addition associative. -/
@[arch_theorem] theorem twAdd_assoc {B : Nat} {c : Fin B → Fin B → Fin 2} (h : Cocycle c) :
    ∀ (x y z : Fin B × Fin B), twAdd c (twAdd c x y) z = twAdd c x (twAdd c y z) := by
  intro x y z
  apply pair_ext
  · show ((x.1.val + y.1.val) % B + z.1.val) % B = (x.1.val + (y.1.val + z.1.val) % B) % B
    rw [Nat.mod_add_mod, Nat.add_mod_mod, Nat.add_assoc]
  · show ((x.2.val + y.2.val + (c x.1 y.1).val) % B + z.2.val + (c (x.1 + y.1) z.1).val) % B
        = (x.2.val + (y.2.val + z.2.val + (c y.1 z.1).val) % B + (c x.1 (y.1 + z.1)).val) % B
    have hc := h.cocycle x.1 y.1 z.1
    rw [mod_add_add, add_mod_add]
    have e : x.2.val + y.2.val + (c x.1 y.1).val + z.2.val + (c (x.1 + y.1) z.1).val
        = x.2.val + (y.2.val + z.2.val + (c y.1 z.1).val) + (c x.1 (y.1 + z.1)).val := by
      omega
    rw [e]

/-- Addition of two-digit numbers with the carry is associative. -/
theorem tw_assoc {B : Nat} (x y z : Fin B × Fin B) :
    twAdd carry (twAdd carry x y) z = twAdd carry x (twAdd carry y z) :=
  twAdd_assoc carry_cocycle x y z

/-- Addition of two-digit numbers with the carry is commutative. -/
theorem tw_comm {B : Nat} (x y : Fin B × Fin B) : twAdd carry x y = twAdd carry y x := by
  apply pair_ext
  · show (x.1.val + y.1.val) % B = (y.1.val + x.1.val) % B
    rw [Nat.add_comm x.1.val y.1.val]
  · show (x.2.val + y.2.val + (carry x.1 y.1).val) % B = (y.2.val + x.2.val + (carry y.1 x.1).val) % B
    rw [carry_comm x.1 y.1, Nat.add_comm x.2.val y.2.val]

/-- `(0, 0)` is a right unit. -/
theorem tw_add_zero {B : Nat} (hB : 0 < B) (x : Fin B × Fin B) : twAdd carry x (twZero hB) = x := by
  have h1 := x.1.isLt
  have h2 := x.2.isLt
  apply pair_ext
  · show (x.1.val + 0) % B = x.1.val
    rw [Nat.add_zero, Nat.mod_eq_of_lt h1]
  · have hc : (carry x.1 (twZero hB).1).val = 0 :=
      carry_val_of_lt (by show x.1.val + 0 < B; omega)
    show (x.2.val + 0 + (carry x.1 (twZero hB).1).val) % B = x.2.val
    rw [hc, Nat.add_zero, Nat.add_zero, Nat.mod_eq_of_lt h2]

/-- `(0, 0)` is a left unit. -/
theorem tw_zero_add {B : Nat} (hB : 0 < B) (x : Fin B × Fin B) : twAdd carry (twZero hB) x = x :=
  (tw_comm (twZero hB) x).trans (tw_add_zero hB x)

/-- `twNeg x` is a right inverse of `x`. -/
theorem tw_add_neg {B : Nat} (hB : 0 < B) (x : Fin B × Fin B) :
    twAdd carry x (twNeg x) = twZero hB := by
  have h1 := x.1.isLt
  have h2 := x.2.isLt
  have hc := (carry x.1 (negDigit x.1)).isLt
  apply pair_ext
  · show (x.1.val + (B - x.1.val) % B) % B = 0
    have e : x.1.val + (B - x.1.val) = B := by omega
    rw [Nat.add_mod_mod, e, Nat.mod_self]
  · show (x.2.val + (B + B - (x.2.val + (carry x.1 (negDigit x.1)).val)) % B
        + (carry x.1 (negDigit x.1)).val) % B = 0
    have e : x.2.val + (B + B - (x.2.val + (carry x.1 (negDigit x.1)).val))
        + (carry x.1 (negDigit x.1)).val = B * 2 := by
      omega
    rw [add_mod_add, e, Nat.mul_mod_right]

/-- `twNeg x` is a left inverse of `x`. -/
theorem tw_neg_add {B : Nat} (hB : 0 < B) (x : Fin B × Fin B) :
    twAdd carry (twNeg x) x = twZero hB :=
  (tw_comm (twNeg x) x).trans (tw_add_neg hB x)

/-- The encoding is injective. -/
theorem enc_injective {B : Nat} (x y : Fin B × Fin B) (h : enc x = enc y) : x = y := by
  have hv : x.1.val + B * x.2.val = y.1.val + B * y.2.val := Fin.val_eq_of_eq h
  have hB : 0 < B := pos_of_fin x.1
  have e1 : (x.1.val + B * x.2.val) % B = x.1.val := by
    rw [Nat.add_mul_mod_self_left, Nat.mod_eq_of_lt x.1.isLt]
  have e2 : (y.1.val + B * y.2.val) % B = y.1.val := by
    rw [Nat.add_mul_mod_self_left, Nat.mod_eq_of_lt y.1.isLt]
  have e3 : (x.1.val + B * x.2.val) % B = (y.1.val + B * y.2.val) % B := by
    rw [hv]
  have k1 : x.1.val = y.1.val := by omega
  have k2 : B * x.2.val = B * y.2.val := by omega
  exact pair_ext k1 (Nat.eq_of_mul_eq_mul_left hB k2)

/-- The encoding is surjective: every `n < B * B` is `n % B + B * (n / B)`. -/
theorem enc_surjective {B : Nat} (n : Fin (B * B)) : ∃ (x : Fin B × Fin B), enc x = n := by
  have hB : 0 < B := pos_of_lt_mul_self n.isLt
  have hdiv : n.val / B < B := div_lt_of_lt_mul_self n.isLt
  exact ⟨(⟨n.val % B, Nat.mod_lt _ hB⟩, ⟨n.val / B, hdiv⟩),
    Fin.eq_of_val_eq (Nat.mod_add_div n.val B)⟩

/-- The Nat arithmetic of `enc_add`. -/
theorem enc_add_nat {B x1 y1 x2 y2 c m : Nat} (hspec : m + B * c = x1 + y1) (hm : m < B) :
    m + B * ((x2 + y2 + c) % B) = (x1 + B * x2 + (y1 + B * y2)) % (B * B) := by
  have hB : 0 < B := Nat.lt_of_le_of_lt (Nat.zero_le m) hm
  have F2 := Nat.mod_add_div (x2 + y2 + c) B
  have D1 : B * (x2 + y2 + c) = B * x2 + B * y2 + B * c := by
    rw [Nat.mul_add, Nat.mul_add]
  have D2 : B * ((x2 + y2 + c) % B) + B * B * ((x2 + y2 + c) / B) = B * (x2 + y2 + c) := by
    rw [Nat.mul_assoc, ← Nat.mul_add, Nat.mod_add_div]
  have E : x1 + B * x2 + (y1 + B * y2)
      = m + B * ((x2 + y2 + c) % B) + B * B * ((x2 + y2 + c) / B) := by
    omega
  have L : m + B * ((x2 + y2 + c) % B) < B * B := enc_lt hm (Nat.mod_lt _ hB)
  rw [E, Nat.add_mul_mod_self_left, Nat.mod_eq_of_lt L]

/-- The encoding is additive: the carry-twisted sum of two-digit numbers encodes the sum
modulo `B * B`. -/
theorem enc_add {B : Nat} (x y : Fin B × Fin B) : enc (twAdd carry x y) = enc x + enc y := by
  apply Fin.eq_of_val_eq
  show (x.1.val + y.1.val) % B + B * ((x.2.val + y.2.val + (carry x.1 y.1).val) % B)
      = (x.1.val + B * x.2.val + (y.1.val + B * y.2.val)) % (B * B)
  exact enc_add_nat (carry_spec x.1 y.1) (Nat.mod_lt _ (pos_of_fin x.1))

/-- Iterating an additive section: `s` at the digit `k % B` has value `k * (s 1) mod B²`. -/
theorem split_iter {B : Nat} (hB : 2 ≤ B) (s : Fin B → Fin (B * B))
    (hadd : ∀ (a b : Fin B), s (a + b) = s a + s b) (one : Fin B) (hone : one.val = 1) :
    ∀ (k : Nat) (a : Fin B), a.val = k % B → (s a).val = (k * (s one).val) % (B * B) := by
  have hB0 : 0 < B := by omega
  intro k
  induction k with
  | zero =>
    intro a ha
    show (s a).val = (0 * (s one).val) % (B * B)
    have hz := Nat.zero_mod B
    have ha0 : a.val = 0 := ha.trans hz
    have haa : a + a = a := Fin.eq_of_val_eq (by rw [Fin.val_add, ha0, Nat.zero_add, Nat.zero_mod])
    have hs := hadd a a
    rw [haa] at hs
    have hv : (s a).val = (s a + s a).val := congrArg Fin.val hs
    rw [Fin.val_add] at hv
    have h0 : (s a).val = 0 := double_mod_eq_self (s a).isLt hv.symm
    rw [h0, Nat.zero_mul, Nat.zero_mod]
  | succ k ih =>
    intro a ha
    show (s a).val = ((k + 1) * (s one).val) % (B * B)
    have ha1 : a.val = (k + 1) % B := ha
    have hk : k % B < B := Nat.mod_lt k hB0
    have e : a = (⟨k % B, hk⟩ : Fin B) + one := by
      apply Fin.eq_of_val_eq
      show a.val = (k % B + one.val) % B
      rw [hone, Nat.mod_add_mod]
      exact ha1
    have ih' : (s ⟨k % B, hk⟩).val = (k * (s one).val) % (B * B) := ih ⟨k % B, hk⟩ rfl
    rw [e, hadd, Fin.val_add, ih', Nat.mod_add_mod, Nat.add_mul, Nat.one_mul]

/-- The extension does not split: for `2 ≤ B` there is no additive map `s : Fin B → Fin (B * B)`
that picks, for every digit `a`, a two-digit number with low digit `a`. -/
theorem not_split {B : Nat} (hB : 2 ≤ B) :
    ¬ ∃ (s : Fin B → Fin (B * B)),
      (∀ (a b : Fin B), s (a + b) = s a + s b) ∧ ∀ (a : Fin B), (s a).val % B = a.val := by
  intro hex
  obtain ⟨s, hadd, hres⟩ := hex
  have hB0 : 0 < B := by omega
  have hB1 : 1 < B := by omega
  have it := split_iter hB s hadd ⟨1, hB1⟩ rfl
  have z0 : (s ⟨0, hB0⟩).val = 0 := by
    have h0 := it 0 ⟨0, hB0⟩ (by show 0 = 0 % B; rw [Nat.zero_mod])
    rw [h0, Nat.zero_mul, Nat.zero_mod]
  have zB : (s ⟨0, hB0⟩).val = (B * (s ⟨1, hB1⟩).val) % (B * B) :=
    it B ⟨0, hB0⟩ (by show 0 = B % B; rw [Nat.mod_self])
  exact no_split_nat hB (hres ⟨1, hB1⟩) (by rw [← zB, z0])

end ArchLaw.Carry
