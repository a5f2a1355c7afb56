import ArchLaw.Attr
import ArchLaw.Carry.Basic

/-!
# The cell law and the digit-wise adder

* `CarryCell B cell` (an `@[arch_law]`, symbol `cell : Fin B → Fin B → Fin 2 → Fin B × Fin 2`
  supplied by a model): `(cell a b c).1.val + B * (cell a b c).2.val = a.val + b.val + c.val`.
  Its `2·B²` cases are checked exhaustively.
* `decode xs`: the value of a little-endian digit list, `xs.foldr (fun d acc => d.val + B * acc) 0`.
* `addWithCarry cell xs ys c`: the Mealy adder. It runs `cell` over the digit pairs from the
  least significant end, feeding each carry forward; the shorter list is padded with zero digits;
  the final carry is emitted as one more digit when it is `1`.
  The zero digit is built from the digit it is paired with (`zeroLike x : Fin B`, value `0`,
  which needs no hypothesis on `B`); the final digit `1` exists when `1 < B` (`carryOut`).
* `add_correct_carry` and `add_correct` (`@[arch_theorem]`s, hypotheses `2 ≤ B` and
  `CarryCell B cell`): `decode (addWithCarry cell xs ys c) = decode xs + decode ys + c.val` and
  `decode (add cell xs ys) = decode xs + decode ys`, for all lists, of any lengths.
* `cell_cocycle` (`@[arch_theorem]`, hypothesis `CarryCell B cell`): the cell's carry with
  carry-in `0` is a 2-cocycle.

Written without a Lean toolchain: not compiled here.
-/

namespace ArchLaw.Carry

/-- The cell law of a base-`B` full adder (symbol `cell`, supplied by a model): the output digit
and carry encode the sum of the two input digits and the carry-in. -/
@[arch_law] structure CarryCell (B : Nat) (cell : Fin B → Fin B → Fin 2 → Fin B × Fin 2) : Prop where
  /-- `digit + B * carry-out = a + b + carry-in`, in `Nat`. -/
  spec : ∀ (a b : Fin B) (c : Fin 2),
    (cell a b c).1.val + B * (cell a b c).2.val = a.val + b.val + c.val

/-- The reference full adder: digit `(a + b + c) % B`, carry `carryIn a b c`. -/
def refCell {B : Nat} (a b : Fin B) (c : Fin 2) : Fin B × Fin 2 :=
  (⟨(a.val + b.val + c.val) % B, Nat.mod_lt _ (pos_of_fin a)⟩, carryIn a b c)

/-- The reference full adder satisfies the cell law, for every base. -/
theorem refCell_carryCell {B : Nat} :
    CarryCell B (refCell : Fin B → Fin B → Fin 2 → Fin B × Fin 2) := by
  constructor
  intro a b c
  exact carryIn_spec a b c

/-- The carry-out of any cell satisfying the law is `carryIn`. -/
theorem cell_carry_val {B : Nat} {cell : Fin B → Fin B → Fin 2 → Fin B × Fin 2}
    (h : CarryCell B cell) (a b : Fin B) (c : Fin 2) :
    (cell a b c).2.val = (carryIn a b c).val := by
  have hs := h.spec a b c
  have hd := (cell a b c).1.isLt
  rcases mul_bit B (cell a b c).2.val (cell a b c).2.isLt with ⟨hk, hm⟩ | ⟨hk, hm⟩
  · have hc : (carryIn a b c).val = 0 := carryIn_val_of_lt (by omega)
    omega
  · have hc : (carryIn a b c).val = 1 := carryIn_val_of_ge (by omega)
    omega

/-- The carry of a cell with carry-in `0`: the symbol `c` of `Cocycle` for a learned cell. -/
def cellCarry {B : Nat} (cell : Fin B → Fin B → Fin 2 → Fin B × Fin 2) (a b : Fin B) : Fin 2 :=
  (cell a b ⟨0, by decide⟩).2

/-- A lawful cell's carry with carry-in `0` is `carry`. -/
theorem cellCarry_val {B : Nat} {cell : Fin B → Fin B → Fin 2 → Fin B × Fin 2}
    (h : CarryCell B cell) (a b : Fin B) : (cellCarry cell a b).val = (carry a b).val :=
  (cell_carry_val h a b ⟨0, by decide⟩).trans (carryIn_zero_val a b)

/-- The carry of any cell satisfying the cell law is a 2-cocycle. -/
@[arch_theorem] theorem cell_cocycle {B : Nat} {cell : Fin B → Fin B → Fin 2 → Fin B × Fin 2}
    (h : CarryCell B cell) : Cocycle (cellCarry cell) := by
  constructor
  intro a b d
  rw [cellCarry_val h a b, cellCarry_val h (a + b) d, cellCarry_val h b d,
    cellCarry_val h a (b + d)]
  exact Cocycle.cocycle carry_cocycle a b d

/-- The value of a little-endian list of base-`B` digits. -/
def decode {B : Nat} (xs : List (Fin B)) : Nat :=
  xs.foldr (fun (d : Fin B) (acc : Nat) => d.val + B * acc) 0

/-- `decode [] = 0`. -/
theorem decode_nil {B : Nat} : decode ([] : List (Fin B)) = 0 := rfl

/-- `decode (x :: xs) = x.val + B * decode xs`. -/
theorem decode_cons {B : Nat} (x : Fin B) (xs : List (Fin B)) :
    decode (x :: xs) = x.val + B * decode xs := rfl

/-- The digit `0`, built from any digit `x` (which shows `0 < B`): the padding digit. -/
def zeroLike {B : Nat} (x : Fin B) : Fin B := ⟨0, pos_of_fin x⟩

/-- The final carry as digits: `[1]` when the carry is `1` (and `1 < B`), else `[]`. -/
def carryOut {B : Nat} (c : Fin 2) : List (Fin B) :=
  if h : 1 < B then (if c.val = 1 then [⟨1, h⟩] else []) else []

/-- The adder after `ys` has run out: `x` paired with the zero digit. -/
def addTailL {B : Nat} (cell : Fin B → Fin B → Fin 2 → Fin B × Fin 2)
    (xs : List (Fin B)) (c : Fin 2) : List (Fin B) :=
  match xs with
  | [] => carryOut c
  | x :: xs => (cell x (zeroLike x) c).1 :: addTailL cell xs (cell x (zeroLike x) c).2

/-- The adder after `xs` has run out: the zero digit paired with `y`. -/
def addTailR {B : Nat} (cell : Fin B → Fin B → Fin 2 → Fin B × Fin 2)
    (ys : List (Fin B)) (c : Fin 2) : List (Fin B) :=
  match ys with
  | [] => carryOut c
  | y :: ys => (cell (zeroLike y) y c).1 :: addTailR cell ys (cell (zeroLike y) y c).2

/-- The Mealy adder with carry-in `c` over little-endian digit lists: one `cell` step per digit
position, the carry fed forward, the shorter list padded with zeros, the final carry emitted as
a digit when it is `1`. -/
def addWithCarry {B : Nat} (cell : Fin B → Fin B → Fin 2 → Fin B × Fin 2)
    (xs ys : List (Fin B)) (c : Fin 2) : List (Fin B) :=
  match xs, ys with
  | [], ys => addTailR cell ys c
  | x :: xs, [] => addTailL cell (x :: xs) c
  | x :: xs, y :: ys => (cell x y c).1 :: addWithCarry cell xs ys (cell x y c).2

/-- The Mealy adder with carry-in `0`. -/
def add {B : Nat} (cell : Fin B → Fin B → Fin 2 → Fin B × Fin 2) (xs ys : List (Fin B)) :
    List (Fin B) :=
  addWithCarry cell xs ys ⟨0, by decide⟩

/-- The emitted final carry decodes to the carry. -/
theorem decode_carryOut {B : Nat} (hB : 2 ≤ B) (c : Fin 2) :
    decode (carryOut c : List (Fin B)) = c.val := by
  have hc := c.isLt
  unfold carryOut
  split
  · split
    · show 1 + B * 0 = c.val
      omega
    · show 0 = c.val
      omega
  · omega

/-- The left tail of the adder adds the carry to the remaining digits. -/
theorem decode_addTailL {B : Nat} (hB : 2 ≤ B) {cell : Fin B → Fin B → Fin 2 → Fin B × Fin 2}
    (h : CarryCell B cell) :
    ∀ (xs : List (Fin B)) (c : Fin 2), decode (addTailL cell xs c) = decode xs + c.val := by
  intro xs
  induction xs with
  | nil =>
    intro c
    show decode (carryOut c : List (Fin B)) = 0 + c.val
    rw [decode_carryOut hB c, Nat.zero_add]
  | cons x xs ih =>
    intro c
    have hs := h.spec x (zeroLike x) c
    have hz : (zeroLike x).val = 0 := rfl
    show (cell x (zeroLike x) c).1.val + B * decode (addTailL cell xs (cell x (zeroLike x) c).2)
      = x.val + B * decode xs + c.val
    rw [ih, Nat.mul_add]
    omega

/-- The right tail of the adder adds the carry to the remaining digits. -/
theorem decode_addTailR {B : Nat} (hB : 2 ≤ B) {cell : Fin B → Fin B → Fin 2 → Fin B × Fin 2}
    (h : CarryCell B cell) :
    ∀ (ys : List (Fin B)) (c : Fin 2), decode (addTailR cell ys c) = decode ys + c.val := by
  intro ys
  induction ys with
  | nil =>
    intro c
    show decode (carryOut c : List (Fin B)) = 0 + c.val
    rw [decode_carryOut hB c, Nat.zero_add]
  | cons y ys ih =>
    intro c
    have hs := h.spec (zeroLike y) y c
    have hz : (zeroLike y).val = 0 := rfl
    show (cell (zeroLike y) y c).1.val + B * decode (addTailR cell ys (cell (zeroLike y) y c).2)
      = y.val + B * decode ys + c.val
    rw [ih, Nat.mul_add]
    omega

/-- The adder with carry-in is correct for every cell satisfying the cell law, for all digit
lists of any lengths: `decode (addWithCarry cell xs ys c) = decode xs + decode ys + c.val`. -/
@[arch_theorem] theorem add_correct_carry {B : Nat} (hB : 2 ≤ B)
    {cell : Fin B → Fin B → Fin 2 → Fin B × Fin 2} (h : CarryCell B cell) :
    ∀ (xs ys : List (Fin B)) (c : Fin 2),
      decode (addWithCarry cell xs ys c) = decode xs + decode ys + c.val := by
  intro xs
  induction xs with
  | nil =>
    intro ys c
    show decode (addTailR cell ys c) = 0 + decode ys + c.val
    rw [decode_addTailR hB h, Nat.zero_add]
  | cons x xs ih =>
    intro ys c
    cases ys with
    | nil =>
      show decode (addTailL cell (x :: xs) c) = decode (x :: xs) + 0 + c.val
      rw [decode_addTailL hB h, Nat.add_zero]
    | cons y ys =>
      have hs := h.spec x y c
      show (cell x y c).1.val + B * decode (addWithCarry cell xs ys (cell x y c).2)
        = x.val + B * decode xs + (y.val + B * decode ys) + c.val
      rw [ih, Nat.mul_add, Nat.mul_add]
      omega

/-- The adder is correct for every cell satisfying the cell law, for all digit lists of any
lengths: `decode (add cell xs ys) = decode xs + decode ys`. -/
@[arch_theorem] theorem add_correct {B : Nat} (hB : 2 ≤ B)
    {cell : Fin B → Fin B → Fin 2 → Fin B × Fin 2} (h : CarryCell B cell) :
    ∀ (xs ys : List (Fin B)), decode (add cell xs ys) = decode xs + decode ys := by
  intro xs ys
  -- No `omega` here: its atoms would be `decode (addWithCarry .. ⟨0, p⟩)` terms whose proofs `p`
  -- of `0 < 2` need not be the same term (`add`'s body has its own), and whether omega identifies
  -- such atoms depends on the release. Rewrite the carry-in value away instead; `exact` then
  -- unfolds `add` and compares the proofs by proof irrelevance.
  have e := add_correct_carry hB h xs ys ⟨0, by decide⟩
  have h0 : (⟨0, by decide⟩ : Fin 2).val = 0 := rfl
  rw [h0, Nat.add_zero] at e
  exact e

end ArchLaw.Carry
