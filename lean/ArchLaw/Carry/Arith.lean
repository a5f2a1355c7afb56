/-!
# Natural-number facts for the carry

Small lemmas about `%`, `/` and `*` by a variable base `B`, stated over plain `Nat` variables so
that the carry proofs can instantiate them. `omega` is used below only where every product or
remainder by a variable is an opaque atom to it and the needed facts about it are given by hand
(`Nat.mod_add_div`, `Nat.mod_lt`, `mul_bit`, ...).

Written without a Lean toolchain: not compiled here.
-/

namespace ArchLaw.Carry

/-- `k * m ≤ k * (m + d)`: multiplication on the left is monotone (stated with the difference
`d` so that no ordered-semiring lemma is needed). -/
theorem mul_le_mul_l (k m d : Nat) : k * m ≤ k * (m + d) := by
  rw [Nat.mul_add]
  omega

/-- A bit times `B` is `0` or `B`: for `k < 2`, either `k = 0` and `B * k = 0`, or `k = 1` and
`B * k = B`. -/
theorem mul_bit (B k : Nat) (hk : k < 2) : (k = 0 ∧ B * k = 0) ∨ (k = 1 ∧ B * k = B) := by
  have h : k = 0 ∨ k = 1 := by omega
  rcases h with h | h
  · subst h
    exact Or.inl ⟨rfl, Nat.mul_zero B⟩
  · subst h
    exact Or.inr ⟨rfl, Nat.mul_one B⟩

/-- A number in `[B, 2B)` reduces modulo `B` by one subtraction. -/
theorem mod_of_le_of_lt_two {s B : Nat} (h1 : B ≤ s) (h2 : s < B + B) : s % B = s - B := by
  have e : s = s - B + B := by omega
  have hlt : s - B < B := by omega
  calc s % B = (s - B + B) % B := by rw [← e]
    _ = (s - B) % B := Nat.add_mod_right (s - B) B
    _ = s - B := Nat.mod_eq_of_lt hlt

/-- The sum of two digits and a bit reduces modulo `B` by at most one subtraction, and the
remainder is below `B`. -/
theorem mod_cases {s B : Nat} (h2 : s < B + B) :
    (s < B ∧ s % B = s) ∨ (B ≤ s ∧ s % B = s - B) := by
  by_cases h : s < B
  · exact Or.inl ⟨h, Nat.mod_eq_of_lt h⟩
  · exact Or.inr ⟨by omega, mod_of_le_of_lt_two (by omega) h2⟩

/-- Pulling an inner remainder out of the first summand: `(m % B + p + q) % B = (m + p + q) % B`. -/
theorem mod_add_add (m p q B : Nat) : (m % B + p + q) % B = (m + p + q) % B := by
  have h := Nat.mod_add_div m B
  have e : m + p + q = m % B + p + q + B * (m / B) := by omega
  rw [e, Nat.add_mul_mod_self_left]

/-- Pulling an inner remainder out of the middle summand: `(p + m % B + q) % B = (p + m + q) % B`. -/
theorem add_mod_add (p m q B : Nat) : (p + m % B + q) % B = (p + m + q) % B := by
  have h := Nat.mod_add_div m B
  have e : p + m + q = p + m % B + q + B * (m / B) := by omega
  rw [e, Nat.add_mul_mod_self_left]

/-- `lo + B * hi < B * B` for two digits `lo hi < B`: the two-digit encoding stays in range. -/
theorem enc_lt {B lo hi : Nat} (hlo : lo < B) (hhi : hi < B) : lo + B * hi < B * B := by
  have h1 := mul_le_mul_l B (hi + 1) (B - (hi + 1))
  have e : hi + 1 + (B - (hi + 1)) = B := by omega
  rw [e, Nat.mul_add, Nat.mul_one] at h1
  omega

/-- `B < B * B` for `2 ≤ B`. -/
theorem lt_mul_self {B : Nat} (hB : 2 ≤ B) : B < B * B := by
  have h1 := mul_le_mul_l B 2 (B - 2)
  have e : 2 + (B - 2) = B := by omega
  rw [e] at h1
  omega

/-- Anything below `B * B` shows `0 < B`. -/
theorem pos_of_lt_mul_self {v B : Nat} (h : v < B * B) : 0 < B := by
  by_cases hB : B = 0
  · rw [hB, Nat.zero_mul] at h
    omega
  · omega

/-- The high digit of a number below `B * B` is a digit: `n / B < B`. -/
theorem div_lt_of_lt_mul_self {n B : Nat} (h : n < B * B) : n / B < B := by
  have h1 := Nat.mod_add_div n B
  by_cases h2 : n / B < B
  · exact h2
  · have h3 : B ≤ n / B := by omega
    have h4 := mul_le_mul_l B B (n / B - B)
    have e : B + (n / B - B) = n / B := by omega
    rw [e] at h4
    omega

/-- If `v < M` and `v + v ≡ v (mod M)` then `v = 0`: the only idempotent of `Z/M` under `+`. -/
theorem double_mod_eq_self {v M : Nat} (hv : v < M) (h : (v + v) % M = v) : v = 0 := by
  by_cases h1 : v + v < M
  · rw [Nat.mod_eq_of_lt h1] at h
    omega
  · have h2 : (v + v) % M = v + v - M := mod_of_le_of_lt_two (by omega) (by omega)
    omega

/-- The arithmetic heart of non-splitting: if `v1 ≡ 1 (mod B)` then `B * v1 ≢ 0 (mod B * B)`
(for `2 ≤ B`), since `B * v1 ≡ B (mod B * B)`. -/
theorem no_split_nat {B v1 : Nat} (hB : 2 ≤ B) (hres : v1 % B = 1)
    (hzero : (B * v1) % (B * B) = 0) : False := by
  have h1 := Nat.mod_add_div v1 B
  rw [hres] at h1
  have h2 : B * (1 + B * (v1 / B)) = B * v1 := by rw [h1]
  rw [Nat.mul_add, Nat.mul_one, ← Nat.mul_assoc] at h2
  rw [← h2, Nat.add_mul_mod_self_left] at hzero
  rw [Nat.mod_eq_of_lt (lt_mul_self hB)] at hzero
  omega

end ArchLaw.Carry
