import ArchLaw.Carry.Adder
import ArchLaw.Carry.Lookahead
import ArchLaw.Fold
import ArchLaw.Recursion.Folds
import ArchLaw.Recursion.Machines

/-!
# Tables: a finite function read off a network, checked in one walk

`archlaw to-lean` (docs/to-lean.md) writes a learned finite symbol as a table, a nested list of
natural numbers, and proves its laws here, once for every table:

* `nth d xs j`: the `j`-th entry of `xs` (`d` past its end), by structural recursion on the list.
* `allIdx p i xs`: `p k x` for every entry `x` of `xs` at index `k`, counting from `i`; one walk
  over the list, each entry visited once (`allIdx_nth`: what it says about `nth`).
* The carry cell `Fin B → Fin B → Fin 2 → Fin B × Fin 2` as a table `t`: rows by `a`, then by
  `b`, then by `c` (`t[a][b][c] = (digit, carry)` as `Nat`), `cellOf t` the function it
  tabulates (the digit taken `% B`, the carry `% 2`, so that every entry is a value).
  `checkCarryCell B t` walks the table once, checking its shape (`B` rows of `B` rows of `2`)
  and every entry against the cell law as it goes, with no lookup into the table: its cost in
  the kernel is linear in the table's size (a lookup per case would make it quadratic).
  `checkCarryCell_sound`: `checkCarryCell B t = true → CarryCell B (cellOf t)`, for every `B` and
  `t`, proved once. A generated module proves `checkCarryCell B table = true` by `decide +kernel`
  (kernel evaluation only; no `native_decide`, which would trust the compiler).

* The lookahead combine `Gen → Gen → Gen` as a table `t : List (List Nat)` (`t[x][y]`, statuses
  coded `K = 0`, `P = 1`, `G = 2`), `combineOf t` the function it tabulates (`genOf`, `genIdx`).
  Its domain has 9 cases, so its laws (`CombineLaws`, `LookaheadLaws`, `EvalLaw`) are proved
  directly by `decide +kernel` on the quantified statements: core has no `Decidable` instance
  for `∀ x : Gen` (an inductive of ours), so `genForallDec` gives one here, proved once by
  cases, and `fin2ForallDec` the same for `∀ c : Fin 2` (not relying on whichever instance core
  has for `Fin`). 27 + 18 lookups of a 3 × 3 table: the quadratic cost does not matter here.
* Finite cells of the recursion family as tables of naturals (`tab1`, `tab2`, `finOf`: entry
  `% n`, so every entry is a value of `Fin n`), and Lean's own runners for them: `List.foldl`,
  `List.foldr`, `mealyState` (`List.foldl next`), `mealyOut`, `mooreOut` (structural recursion on
  the input list). `foldl_laws`, `foldr_laws`, `mealy_laws`, `moore_laws`: the list laws
  (`FoldlLaws`, `FoldLaws`, `MealyLaws`, `MooreLaws`) hold for these runners, for *any* cell
  and initial state, each field by `rfl` or one induction: a generated module states them for
  the runners applied to the table, proved by these lemmas (no `decide`: the lists are
  unbounded).

Enumerations are the lists themselves: no well-founded recursion anywhere, so that the kernel
reduces every check by structural recursion on `List`.

Kept out of `lean/ArchLaw.lean`'s imports, so that an error here cannot stop the library's
`lake build`; the lean CI job builds it on its own.

Written without a Lean toolchain: not compiled here.
-/

namespace ArchLaw.Tables

/-- The `j`-th entry of a list, `d` past its end. -/
def nth {α : Type} (d : α) : List α → Nat → α
  | [], _ => d
  | x :: _, 0 => x
  | _ :: xs, n + 1 => nth d xs n

/-- `p k x` for every entry `x` of the list at index `k`, the first at index `i`: one walk. -/
def allIdx {α : Type} (p : Nat → α → Bool) : Nat → List α → Bool
  | _, [] => true
  | i, x :: xs => p i x && allIdx p (i + 1) xs

/-- The left conjunct of a Boolean `&&`. -/
theorem band_left {a b : Bool} (h : (a && b) = true) : a = true := by
  cases a
  · first
      | exact Bool.noConfusion h
      | simp at h
  · rfl

/-- The right conjunct of a Boolean `&&`. -/
theorem band_right {a b : Bool} (h : (a && b) = true) : b = true := by
  cases a
  · first
      | exact Bool.noConfusion h
      | simp at h
  · first
      | exact h
      | simpa using h

/-- What one walk says about every entry: `allIdx p i xs = true` gives `p (i + j)` at the
`j`-th entry, for every `j` below the length. -/
theorem allIdx_nth {α : Type} (p : Nat → α → Bool) (d : α) :
    ∀ (xs : List α) (i j : Nat), allIdx p i xs = true → j < xs.length →
      p (i + j) (nth d xs j) = true := by
  intro xs
  induction xs with
  | nil =>
    intro i j _ hj
    have h0 : ([] : List α).length = 0 := rfl
    exact False.elim (by omega)
  | cons x xs ih =>
    intro i j h hj
    have h' : (p i x && allIdx p (i + 1) xs) = true := by
      first
        | exact h
        | (simp only [allIdx] at h; exact h)
    cases j with
    | zero =>
      have h1 : p i x = true := band_left h'
      first
        | exact h1
        | (simp only [nth, Nat.add_zero]; exact h1)
    | succ k =>
      have hk : k < xs.length := by
        have hl : (x :: xs).length = xs.length + 1 := rfl
        omega
      have h2 := ih (i + 1) k (band_right h') hk
      have e : i + 1 + k = i + (k + 1) := by omega
      rw [e] at h2
      first
        | exact h2
        | (simp only [nth]; exact h2)

/-- `allIdx_nth` from index `0`: `p j` holds at the `j`-th entry. -/
theorem allIdx_nth0 {α : Type} (p : Nat → α → Bool) (d : α) (xs : List α) (j : Nat)
    (h : allIdx p 0 xs = true) (hj : j < xs.length) : p j (nth d xs j) = true := by
  have h1 := allIdx_nth p d xs 0 j h hj
  rw [Nat.zero_add] at h1
  exact h1

/-! ## The carry cell as a table -/

/-- The entry `t[a][b][c]` of a three-level table, `(0, 0)` where it has none. -/
def entry3 (t : List (List (List (Nat × Nat)))) (a b c : Nat) : Nat × Nat :=
  nth (0, 0) (nth [] (nth [] t a) b) c

/-- The function `Fin B → Fin B → Fin 2 → Fin B × Fin 2` a table tabulates: the entry's digit
`% B` and carry `% 2`. -/
def cellOf {B : Nat} (t : List (List (List (Nat × Nat)))) (a b : Fin B) (c : Fin 2) :
    Fin B × Fin 2 :=
  (⟨(entry3 t a.val b.val c.val).1 % B, Nat.mod_lt _ (ArchLaw.Carry.pos_of_fin a)⟩,
   ⟨(entry3 t a.val b.val c.val).2 % 2, Nat.mod_lt _ (by decide)⟩)

/-- The cell law at one entry: `digit % B + B * (carry % 2) = a + b + c`. -/
def cellEntryOk (B a b c : Nat) (e : Nat × Nat) : Bool :=
  Nat.beq (e.1 % B + B * (e.2 % 2)) (a + b + c)

/-- The row `t[a][b]`: two entries (`c = 0, 1`), each meeting the law. -/
def cellColOk (B a b : Nat) (cs : List (Nat × Nat)) : Bool :=
  Nat.beq cs.length 2 && allIdx (cellEntryOk B a b) 0 cs

/-- The row `t[a]`: `B` rows (`b < B`), each `cellColOk`. -/
def cellRowOk (B a : Nat) (row : List (List (Nat × Nat))) : Bool :=
  Nat.beq row.length B && allIdx (cellColOk B a) 0 row

/-- The table's check, in one walk: `B` rows, each `cellRowOk`. -/
def checkCarryCell (B : Nat) (t : List (List (List (Nat × Nat)))) : Bool :=
  Nat.beq t.length B && allIdx (cellRowOk B) 0 t

/-- Soundness, once for every table: a table that passes `checkCarryCell` tabulates a cell that
satisfies the cell law. -/
theorem checkCarryCell_sound {B : Nat} (t : List (List (List (Nat × Nat))))
    (h : checkCarryCell B t = true) :
    ArchLaw.Carry.CarryCell B (cellOf t : Fin B → Fin B → Fin 2 → Fin B × Fin 2) := by
  constructor
  intro a b c
  have h0 : (Nat.beq t.length B && allIdx (cellRowOk B) 0 t) = true := by
    first
      | exact h
      | (simp only [checkCarryCell] at h; exact h)
  have hlen : t.length = B := Nat.eq_of_beq_eq_true (band_left h0)
  have ha : a.val < t.length := by
    have := a.isLt
    omega
  have hr : cellRowOk B a.val (nth [] t a.val) = true :=
    allIdx_nth0 (cellRowOk B) [] t a.val (band_right h0) ha
  have hr' : (Nat.beq (nth [] t a.val).length B
      && allIdx (cellColOk B a.val) 0 (nth [] t a.val)) = true := by
    first
      | exact hr
      | (simp only [cellRowOk] at hr; exact hr)
  have hb : b.val < (nth [] t a.val).length := by
    have h1 := Nat.eq_of_beq_eq_true (band_left hr')
    have h2 := b.isLt
    omega
  have hc : cellColOk B a.val b.val (nth [] (nth [] t a.val) b.val) = true :=
    allIdx_nth0 (cellColOk B a.val) [] (nth [] t a.val) b.val (band_right hr') hb
  have hc' : (Nat.beq (nth [] (nth [] t a.val) b.val).length 2
      && allIdx (cellEntryOk B a.val b.val) 0 (nth [] (nth [] t a.val) b.val)) = true := by
    first
      | exact hc
      | (simp only [cellColOk] at hc; exact hc)
  have hcl : c.val < (nth [] (nth [] t a.val) b.val).length := by
    have h1 := Nat.eq_of_beq_eq_true (band_left hc')
    have h2 := c.isLt
    omega
  have he : cellEntryOk B a.val b.val c.val
      (nth (0, 0) (nth [] (nth [] t a.val) b.val) c.val) = true :=
    allIdx_nth0 (cellEntryOk B a.val b.val) (0, 0) (nth [] (nth [] t a.val) b.val) c.val
      (band_right hc') hcl
  have he' : Nat.beq ((nth (0, 0) (nth [] (nth [] t a.val) b.val) c.val).1 % B
      + B * ((nth (0, 0) (nth [] (nth [] t a.val) b.val) c.val).2 % 2))
      (a.val + b.val + c.val) = true := by
    first
      | exact he
      | (simp only [cellEntryOk] at he; exact he)
  have e := Nat.eq_of_beq_eq_true he'
  -- `cellOf t a b c` unfolds (through `entry3`) to exactly the pair `e` speaks of
  first
    | exact e
    | (simp only [cellOf, entry3]; exact e)

/-! ## Finite quantifiers: `Gen` and `Fin 2` -/

/-- A statement about every status follows from the three cases. -/
theorem gen_all {P : ArchLaw.Carry.Gen → Prop} (hk : P ArchLaw.Carry.Gen.kill)
    (hp : P ArchLaw.Carry.Gen.prop) (hg : P ArchLaw.Carry.Gen.gen) :
    ∀ (x : ArchLaw.Carry.Gen), P x := by
  intro x
  cases x with
  | kill => exact hk
  | prop => exact hp
  | gen => exact hg

/-- `∀ x : Gen, P x` is decidable: the three cases, in order. -/
instance genForallDec (P : ArchLaw.Carry.Gen → Prop) [DecidablePred P] :
    Decidable (∀ (x : ArchLaw.Carry.Gen), P x) :=
  if hk : P ArchLaw.Carry.Gen.kill then
    if hp : P ArchLaw.Carry.Gen.prop then
      if hg : P ArchLaw.Carry.Gen.gen then Decidable.isTrue (gen_all hk hp hg)
      else Decidable.isFalse (fun (h : ∀ (x : ArchLaw.Carry.Gen), P x) => hg (h _))
    else Decidable.isFalse (fun (h : ∀ (x : ArchLaw.Carry.Gen), P x) => hp (h _))
  else Decidable.isFalse (fun (h : ∀ (x : ArchLaw.Carry.Gen), P x) => hk (h _))

/-- A statement about every carry bit follows from the two cases. -/
theorem fin2_all {P : Fin 2 → Prop} (h0 : P ⟨0, by decide⟩) (h1 : P ⟨1, by decide⟩) :
    ∀ (c : Fin 2), P c := by
  intro c
  cases c with
  | mk v hv =>
    cases v with
    | zero => exact h0
    | succ w =>
      cases w with
      | zero => exact h1
      | succ k => exact False.elim (by omega)

/-- `∀ c : Fin 2, P c` is decidable: the two cases, in order. -/
instance fin2ForallDec (P : Fin 2 → Prop) [DecidablePred P] : Decidable (∀ (c : Fin 2), P c) :=
  if h0 : P ⟨0, by decide⟩ then
    if h1 : P ⟨1, by decide⟩ then Decidable.isTrue (fin2_all h0 h1)
    else Decidable.isFalse (fun (h : ∀ (c : Fin 2), P c) => h1 (h _))
  else Decidable.isFalse (fun (h : ∀ (c : Fin 2), P c) => h0 (h _))

/-! ## The lookahead combine as a table -/

/-- The status a code stands for: `0 ↦ K`, `1 ↦ P`, anything else `↦ G`. -/
def genOf (n : Nat) : ArchLaw.Carry.Gen :=
  match n with
  | 0 => ArchLaw.Carry.Gen.kill
  | 1 => ArchLaw.Carry.Gen.prop
  | _ => ArchLaw.Carry.Gen.gen

/-- The code of a status: `K ↦ 0`, `P ↦ 1`, `G ↦ 2` (the torch side's encoding). -/
def genIdx (x : ArchLaw.Carry.Gen) : Nat :=
  match x with
  | ArchLaw.Carry.Gen.kill => 0
  | ArchLaw.Carry.Gen.prop => 1
  | ArchLaw.Carry.Gen.gen => 2

/-- The combiner a `3 × 3` table of codes tabulates: `combineOf t x y = genOf t[x][y]`. -/
def combineOf (t : List (List Nat)) (x y : ArchLaw.Carry.Gen) : ArchLaw.Carry.Gen :=
  genOf (nth 0 (nth [] t (genIdx x)) (genIdx y))

/-! ## Finite cells as tables, and Lean's own runners -/

/-- A natural as a value of `Fin n`: `v % n`; `z`, any value of `Fin n`, only witnesses
`0 < n` (a generated module passes `⟨0, by decide⟩`). -/
def finOf {n : Nat} (z : Fin n) (v : Nat) : Fin n :=
  ⟨v % n, Nat.mod_lt v (ArchLaw.Carry.pos_of_fin z)⟩

/-- The function of one finite argument a list tabulates: `tab1 z t a = t[a] % n`. -/
def tab1 {p n : Nat} (z : Fin n) (t : List Nat) (a : Fin p) : Fin n :=
  finOf z (nth 0 t a.val)

/-- The function of two finite arguments a table tabulates: `tab2 z t a b = t[a][b] % n`. -/
def tab2 {p q n : Nat} (z : Fin n) (t : List (List Nat)) (a : Fin p) (b : Fin q) : Fin n :=
  finOf z (nth 0 (nth [] t a.val) b.val)

/-- Lean's Mealy runner, the state after reading `u` from `s`: the left fold of `next`. -/
def mealyState {S I : Type} (next : S → I → S) (s : S) (u : List I) : S :=
  List.foldl next s u

/-- Lean's Mealy runner, the outputs on `u` from `s`: one per input. -/
def mealyOut {S I O : Type} (next : S → I → S) (output : S → I → O) : S → List I → List O
  | _, [] => []
  | s, i :: u => output s i :: mealyOut next output (next s i) u

/-- Lean's Moore runner, the outputs on `u` from `s`: one per state visited, the first
included. -/
def mooreOut {S I O : Type} (next : S → I → S) (output : S → O) : S → List I → List O
  | s, [] => output s :: []
  | s, i :: u => output s :: mooreOut next output (next s i) u

/-- Appending one element to a left fold's input applies the cell once more. -/
theorem foldl_snoc {A H : Type} (cell : H → A → H) (a : A) :
    ∀ (as : List A) (x : H), List.foldl cell x (as ++ (a :: [])) = cell (List.foldl cell x as) a := by
  intro as
  induction as with
  | nil => intro x; rfl
  | cons b l ih =>
    intro x
    -- definitional unfolding of `++` and one `foldl` step; the simp fallback states them
    first
      | exact ih (cell x b)
      | (simp only [List.cons_append, List.foldl_cons]; exact ih (cell x b))

/-- `List.foldl cell init` satisfies the left-fold laws, for every cell and initial state. -/
theorem foldl_laws {A H : Type} (cell : H → A → H) (init : H) :
    ArchLaw.FoldlLaws cell init (List.foldl cell init) :=
  { nil := rfl
    snoc := fun (as : List A) (a : A) => foldl_snoc cell a as init }

/-- `List.foldr cell init` satisfies the right-fold laws, for every cell and initial state. -/
theorem foldr_laws {A H : Type} (cell : A → H → H) (init : H) :
    ArchLaw.FoldLaws cell init (List.foldr cell init) :=
  { nil := rfl
    cons := fun (a : A) (as : List A) => rfl }

/-- Lean's Mealy runners satisfy the Mealy laws, for every transition and output. -/
theorem mealy_laws {S I O : Type} (next : S → I → S) (output : S → I → O) :
    ArchLaw.MealyLaws next output (mealyState next) (mealyOut next output) :=
  { state_nil := fun (s : S) => rfl
    state_cons := fun (s : S) (i : I) (u : List I) => rfl
    out_nil := fun (s : S) => rfl
    out_cons := fun (s : S) (i : I) (u : List I) => rfl }

/-- Lean's Moore runners satisfy the Moore laws, for every transition and output. -/
theorem moore_laws {S I O : Type} (next : S → I → S) (output : S → O) :
    ArchLaw.MooreLaws next output (mealyState next) (mooreOut next output) :=
  { state_nil := fun (s : S) => rfl
    state_cons := fun (s : S) (i : I) (u : List I) => rfl
    out_nil := fun (s : S) => rfl
    out_cons := fun (s : S) (i : I) (u : List I) => rfl }

end ArchLaw.Tables
