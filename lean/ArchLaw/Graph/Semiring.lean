import ArchLaw.Attr
import ArchLaw.Equivariance

/-!
# Commutative monoids, idempotence, semirings, and the saturating tropical semiring

Aggregation in a graph network is a commutative monoid; Bellman–Ford is iterated relaxation in
the tropical (min, +) semiring. The laws here are the ones that make a message-passing result
independent of edge order (commutativity), of duplicated edges (idempotence) and of how
relaxations are grouped (distributivity).

* Laws (`@[arch_law]`): `Commutative mul` (`mul a b = mul b a`), `Idempotent mul`
  (`mul a a = a`), `SemiringLaws add zero mul` (distributivity both sides, `zero` absorbing).
  A commutative monoid is `MonoidLaws mul one` (from `ArchLaw.Equivariance`, reused, not
  restated) together with `Commutative mul`; a semiring is `MonoidLaws add zero`,
  `Commutative add`, `MonoidLaws mul one` and `SemiringLaws add zero mul`.
* The saturating tropical semiring on `Fin K`: `tmin` (⊕, identity `tropTop K = K - 1`, which
  stands for "unreachable or too far") and `tadd` (⊗, `a + b` saturated at `K - 1`, identity
  `0`). Proved: `tmin_monoid`, `tmin_comm`, `tmin_idem`, `tadd_monoid`, `tadd_comm`,
  `tropical_semiring` (all for `0 < K`).
* `tshift d w`: a distance `d : Fin K` plus an edge weight `w : Fin W`, saturated at `K - 1`
  (the relaxation's `d_u + w`, used by `RelaxCell` in `ArchLaw.Graph.BellmanFord`).

Every arithmetic fact is reduced to `Nat` through `nmin_cases` and `satVal_cases` and closed
by `omega` (which treats `nmin a b` and `satVal K s` as atoms).

Written without a Lean toolchain: not compiled here. The module is not imported by
`ArchLaw.lean`, so an error in it cannot break the rest of `lake build`; the source reader
reads its laws.
-/

namespace ArchLaw

/-! ## Laws -/

/-- `mul` is commutative. With `MonoidLaws mul one`, `(mul, one)` is a commutative monoid: the
shape of an aggregation whose result does not depend on the order of the messages. Symbols:
`mul` (supplied by a network, or of fixed meaning: an aggregation's binary operation). -/
@[arch_law] structure Commutative {M : Type} (mul : M → M → M) : Prop where
  /-- Commutativity. -/
  mul_comm : ∀ (a : M) (b : M), mul a b = mul b a

/-- `mul` is idempotent: combining a message with itself changes nothing, so an aggregation
by `mul` ignores duplicated edges (`min`, `max`, `or` are; `+` and mean are not). Symbols:
`mul`. -/
@[arch_law] structure Idempotent {M : Type} (mul : M → M → M) : Prop where
  /-- Idempotence. -/
  mul_idem : ∀ (a : M), mul a a = a

/-- The laws coupling the two operations of a semiring `(R, add, zero, mul, one)`:
distributivity on both sides and `zero` absorbing. The rest of a semiring is
`MonoidLaws add zero`, `Commutative add` and `MonoidLaws mul one`. Symbols: `add`, `zero`,
`mul` (fixed meaning: in the tropical semiring, `min`, "unreachable" and `+`). -/
@[arch_law] structure SemiringLaws {R : Type} (add : R → R → R) (zero : R) (mul : R → R → R) :
    Prop where
  /-- Left distributivity: `a ⊗ (b ⊕ c) = a ⊗ b ⊕ a ⊗ c`. -/
  left_distrib : ∀ (a : R) (b : R) (c : R), mul a (add b c) = add (mul a b) (mul a c)
  /-- Right distributivity: `(a ⊕ b) ⊗ c = a ⊗ c ⊕ b ⊗ c`. -/
  right_distrib : ∀ (a : R) (b : R) (c : R), mul (add a b) c = add (mul a c) (mul b c)
  /-- `zero` absorbs on the left. -/
  zero_mul : ∀ (a : R), mul zero a = zero
  /-- `zero` absorbs on the right. -/
  mul_zero : ∀ (a : R), mul a zero = zero

/-! ## `Nat` helpers -/

/-- The smaller of two naturals. -/
def nmin (a b : Nat) : Nat := if a ≤ b then a else b

/-- `s` saturated at `K - 1`: `s` when `s < K`, else `K - 1`. -/
def satVal (K s : Nat) : Nat := if s < K then s else K - 1

/-- The two cases of `nmin`. -/
theorem nmin_cases (a b : Nat) : (nmin a b = a ∧ a ≤ b) ∨ (nmin a b = b ∧ b < a) := by
  unfold nmin
  by_cases h : a ≤ b
  · left
    rw [if_pos h]
    exact ⟨rfl, h⟩
  · right
    rw [if_neg h]
    exact ⟨rfl, by omega⟩

/-- The two cases of `satVal`. -/
theorem satVal_cases (K s : Nat) : (satVal K s = s ∧ s < K) ∨ (satVal K s = K - 1 ∧ K ≤ s) := by
  unfold satVal
  by_cases h : s < K
  · left
    rw [if_pos h]
    exact ⟨rfl, h⟩
  · right
    rw [if_neg h]
    exact ⟨rfl, by omega⟩

/-- A saturated value is below `K` when `K` is positive. -/
theorem satVal_lt {K : Nat} (s : Nat) (hK : 0 < K) : satVal K s < K := by
  have h := satVal_cases K s
  omega

/-! ## The saturating tropical semiring on `Fin K` -/

/-- Tropical ⊕: the smaller distance. -/
def tmin {K : Nat} (a b : Fin K) : Fin K :=
  ⟨nmin a.val b.val, by have h := nmin_cases a.val b.val; have ha := a.isLt; omega⟩

/-- Tropical ⊗: the sum of two distances, saturated at `K - 1`. -/
def tadd {K : Nat} (a b : Fin K) : Fin K :=
  ⟨satVal K (a.val + b.val), by have h := satVal_cases K (a.val + b.val); have ha := a.isLt; omega⟩

/-- A distance plus an edge weight of `Fin W`, saturated at `K - 1`: the relaxation's
`d_u + w`. -/
def tshift {K W : Nat} (d : Fin K) (w : Fin W) : Fin K :=
  ⟨satVal K (d.val + w.val), by have h := satVal_cases K (d.val + w.val); have hd := d.isLt; omega⟩

/-- "Unreachable or too far": `K - 1`, the identity of `tmin` and the absorbing element of
`tadd`. -/
def tropTop (K : Nat) (hK : 0 < K) : Fin K := ⟨K - 1, by omega⟩

/-- Distance zero: the identity of `tadd`. -/
def tropZero (K : Nat) (hK : 0 < K) : Fin K := ⟨0, hK⟩

theorem tmin_val {K : Nat} (a b : Fin K) : (tmin a b).val = nmin a.val b.val := rfl

theorem tadd_val {K : Nat} (a b : Fin K) : (tadd a b).val = satVal K (a.val + b.val) := rfl

theorem tshift_val {K W : Nat} (d : Fin K) (w : Fin W) :
    (tshift d w).val = satVal K (d.val + w.val) := rfl

/-- `tmin` is associative. -/
theorem tmin_assoc {K : Nat} (a b c : Fin K) : tmin (tmin a b) c = tmin a (tmin b c) := by
  apply Fin.ext
  simp only [tmin_val]
  have h1 := nmin_cases a.val b.val
  have h2 := nmin_cases (nmin a.val b.val) c.val
  have h3 := nmin_cases b.val c.val
  have h4 := nmin_cases a.val (nmin b.val c.val)
  omega

/-- `(tmin, K - 1)` is a monoid on `Fin K`. -/
theorem tmin_monoid (K : Nat) (hK : 0 < K) : MonoidLaws (@tmin K) (tropTop K hK) := by
  refine ⟨fun a b c => tmin_assoc a b c, fun a => ?_, fun a => ?_⟩
  · apply Fin.ext
    have h := nmin_cases (K - 1) a.val
    have ha := a.isLt
    show nmin (K - 1) a.val = a.val
    omega
  · apply Fin.ext
    have h := nmin_cases a.val (K - 1)
    have ha := a.isLt
    show nmin a.val (K - 1) = a.val
    omega

/-- `tmin` is commutative. -/
theorem tmin_comm (K : Nat) : Commutative (@tmin K) := by
  constructor
  intro a b
  apply Fin.ext
  simp only [tmin_val]
  have h1 := nmin_cases a.val b.val
  have h2 := nmin_cases b.val a.val
  omega

/-- `tmin` is idempotent. -/
theorem tmin_idem (K : Nat) : Idempotent (@tmin K) := by
  constructor
  intro a
  apply Fin.ext
  simp only [tmin_val]
  have h := nmin_cases a.val a.val
  omega

/-- `tadd` is associative (saturation commutes with further addition). -/
theorem tadd_assoc {K : Nat} (a b c : Fin K) : tadd (tadd a b) c = tadd a (tadd b c) := by
  apply Fin.ext
  simp only [tadd_val]
  have h1 := satVal_cases K (a.val + b.val)
  have h2 := satVal_cases K (satVal K (a.val + b.val) + c.val)
  have h3 := satVal_cases K (b.val + c.val)
  have h4 := satVal_cases K (a.val + satVal K (b.val + c.val))
  have ha := a.isLt
  omega

/-- `(tadd, 0)` is a monoid on `Fin K`. -/
theorem tadd_monoid (K : Nat) (hK : 0 < K) : MonoidLaws (@tadd K) (tropZero K hK) := by
  refine ⟨fun a b c => tadd_assoc a b c, fun a => ?_, fun a => ?_⟩
  · apply Fin.ext
    have h := satVal_cases K (0 + a.val)
    have ha := a.isLt
    show satVal K (0 + a.val) = a.val
    omega
  · apply Fin.ext
    have h := satVal_cases K (a.val + 0)
    have ha := a.isLt
    show satVal K (a.val + 0) = a.val
    omega

/-- `tadd` is commutative. -/
theorem tadd_comm (K : Nat) : Commutative (@tadd K) := by
  constructor
  intro a b
  apply Fin.ext
  simp only [tadd_val]
  rw [Nat.add_comm]

/-- `tadd` distributes over `tmin` (on the left). -/
theorem tadd_tmin {K : Nat} (a b c : Fin K) :
    tadd a (tmin b c) = tmin (tadd a b) (tadd a c) := by
  apply Fin.ext
  simp only [tadd_val, tmin_val]
  have h1 := nmin_cases b.val c.val
  have h2 := satVal_cases K (a.val + nmin b.val c.val)
  have h3 := satVal_cases K (a.val + b.val)
  have h4 := satVal_cases K (a.val + c.val)
  have h5 := nmin_cases (satVal K (a.val + b.val)) (satVal K (a.val + c.val))
  omega

/-- The saturating tropical semiring: `(Fin K, tmin, K - 1, tadd, 0)` meets the coupling laws
(with `tmin_monoid`, `tmin_comm`, `tadd_monoid`: a commutative semiring, idempotent in ⊕). -/
theorem tropical_semiring (K : Nat) (hK : 0 < K) :
    SemiringLaws (@tmin K) (tropTop K hK) (@tadd K) := by
  refine ⟨fun a b c => tadd_tmin a b c, fun a b c => ?_, fun a => ?_, fun a => ?_⟩
  · rw [(tadd_comm K).mul_comm (tmin a b) c, tadd_tmin, (tadd_comm K).mul_comm c a,
      (tadd_comm K).mul_comm c b]
  · apply Fin.ext
    have h := satVal_cases K (K - 1 + a.val)
    have ha := a.isLt
    show satVal K (K - 1 + a.val) = K - 1
    omega
  · apply Fin.ext
    have h := satVal_cases K (a.val + (K - 1))
    have ha := a.isLt
    show satVal K (a.val + (K - 1)) = K - 1
    omega

end ArchLaw
