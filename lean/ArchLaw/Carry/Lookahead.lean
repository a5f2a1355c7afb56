import ArchLaw.Attr
import ArchLaw.Carry.Basic

/-!
# The carry-lookahead monoid and parallel prefix scans

Each digit pair `(a, b)` has a status in `Gen`: it *generates* a carry (`G`, `a + b ≥ B`),
*propagates* the incoming one (`P`, `a + b = B - 1`), or *kills* it (`K`). A status acts on a
carry bit by `Gen.eval`: `eval K c = 0`, `eval G c = 1`, `eval P c = c`. Statuses compose by
`Gen.op x y = if y = P then x else y` (`x` earlier, `y` later), an associative operation with
unit `P`, and `eval (op x y) = eval y ∘ eval x`.

Laws for a learned `combine : Gen → Gen → Gen` (the symbol a model supplies):
* `LookaheadLaws combine`: associativity (27 cases);
* `EvalLaw combine`: `eval (combine x y) c = eval y (eval x c)` (18 cases);
* `CombineLaws combine`: both at once (what the torch side checks, 27 + 18 cases).

Theorems (`@[arch_theorem]`):
* `lookahead_correct` (`EvalLaw`): folding the statuses with `combine` from `P` and evaluating
  at `cin` gives the sequential carry chain's final carry `carryChain ps cin`; so the carry into
  position `i` is `eval (s₀ ⋆ … ⋆ sᵢ₋₁) cin` (`carry_into_position`, with `List.take i`).
* `scan_correct` (`CombineLaws`): *any* bracketing of the statuses (a `ScanTree`, the shape a
  parallel prefix scan evaluates) gives the same carry.
* `scan_assoc` (`LookaheadLaws`): any bracketing gives the same status as the left fold.

Written without a Lean toolchain: not compiled here.
-/

namespace ArchLaw.Carry

/-- The carry status of a digit position: kill (`K`), propagate (`P`) or generate (`G`). -/
inductive Gen where
  /-- Kill (`K`): no carry out, whatever comes in. -/
  | kill
  /-- Propagate (`P`): the carry out is the carry in. -/
  | prop
  /-- Generate (`G`): a carry out, whatever comes in. -/
  | gen
  deriving DecidableEq, Repr

namespace Gen

/-- Composition of statuses, `x` (earlier) then `y` (later): `if y = P then x else y`. -/
def op (x y : Gen) : Gen :=
  match y with
  | Gen.kill => Gen.kill
  | Gen.prop => x
  | Gen.gen => Gen.gen

/-- A status acting on a carry bit: `eval K c = 0`, `eval P c = c`, `eval G c = 1`. -/
def eval (s : Gen) (c : Fin 2) : Fin 2 :=
  match s with
  | Gen.kill => ⟨0, by decide⟩
  | Gen.prop => c
  | Gen.gen => ⟨1, by decide⟩

/-- `op` is `if y = P then x else y`. -/
theorem op_eq_ite (x y : Gen) : op x y = if y = Gen.prop then x else y := by
  cases x <;> cases y <;> first | rfl | decide

/-- `op` is associative. -/
theorem op_assoc (x y z : Gen) : op (op x y) z = op x (op y z) := by
  cases x <;> cases y <;> cases z <;> rfl

/-- `P` is a left unit of `op`. -/
theorem prop_op (x : Gen) : op Gen.prop x = x := by
  cases x <;> rfl

/-- `P` is a right unit of `op`. -/
theorem op_prop (x : Gen) : op x Gen.prop = x := by
  cases x <;> rfl

/-- `eval` turns `op` into composition: `eval (op x y) c = eval y (eval x c)`. -/
theorem eval_op (x y : Gen) (c : Fin 2) : eval (op x y) c = eval y (eval x c) := by
  cases x <;> cases y <;> rfl

end Gen

/-- Associativity of a learned status combiner (symbol `combine`, supplied by a model). -/
@[arch_law] structure LookaheadLaws (combine : Gen → Gen → Gen) : Prop where
  /-- `combine (combine x y) z = combine x (combine y z)`. -/
  assoc : ∀ (x y z : Gen), combine (combine x y) z = combine x (combine y z)

/-- The eval law of a learned status combiner (symbol `combine`, supplied by a model). -/
@[arch_law] structure EvalLaw (combine : Gen → Gen → Gen) : Prop where
  /-- `eval (combine x y) c = eval y (eval x c)`: combining then acting is acting twice. -/
  eval_combine : ∀ (x y : Gen) (c : Fin 2), Gen.eval (combine x y) c = Gen.eval y (Gen.eval x c)

/-- Both laws of a learned status combiner (symbol `combine`, supplied by a model):
associativity and the eval law. -/
@[arch_law] structure CombineLaws (combine : Gen → Gen → Gen) : Prop where
  /-- `combine (combine x y) z = combine x (combine y z)`. -/
  assoc : ∀ (x y z : Gen), combine (combine x y) z = combine x (combine y z)
  /-- `eval (combine x y) c = eval y (eval x c)`. -/
  eval_combine : ∀ (x y : Gen) (c : Fin 2), Gen.eval (combine x y) c = Gen.eval y (Gen.eval x c)

/-- `CombineLaws` gives `LookaheadLaws`. -/
theorem CombineLaws.toLookaheadLaws {combine : Gen → Gen → Gen} (h : CombineLaws combine) :
    LookaheadLaws combine :=
  ⟨h.assoc⟩

/-- `CombineLaws` gives `EvalLaw`. -/
theorem CombineLaws.toEvalLaw {combine : Gen → Gen → Gen} (h : CombineLaws combine) :
    EvalLaw combine :=
  ⟨h.eval_combine⟩

/-- The reference combiner `Gen.op` satisfies both laws. -/
theorem op_combineLaws : CombineLaws Gen.op :=
  ⟨Gen.op_assoc, Gen.eval_op⟩

/-- The status of a digit pair: `G` if `a + b ≥ B`, `P` if `a + b = B - 1`, `K` otherwise. -/
def status {B : Nat} (a b : Fin B) : Gen :=
  if a.val + b.val ≥ B then Gen.gen else if a.val + b.val + 1 = B then Gen.prop else Gen.kill

/-- The status of a digit pair given as a pair. -/
def pairStatus {B : Nat} (p : Fin B × Fin B) : Gen :=
  status p.1 p.2

/-- The sequential carry chain over little-endian digit pairs: the final carry out. -/
def carryChain {B : Nat} (ps : List (Fin B × Fin B)) (cin : Fin 2) : Fin 2 :=
  ps.foldl (fun (c : Fin 2) (p : Fin B × Fin B) => carryIn p.1 p.2 c) cin

/-- A digit pair's status acts on the carry exactly as the full adder's carry-out. -/
theorem eval_status {B : Nat} (a b : Fin B) (c : Fin 2) :
    Gen.eval (status a b) c = carryIn a b c := by
  apply Fin.eq_of_val_eq
  have hc := c.isLt
  unfold status
  split
  · have hk : (carryIn a b c).val = 1 := carryIn_val_of_ge (by omega)
    show 1 = (carryIn a b c).val
    exact hk.symm
  · split
    · by_cases hc1 : c.val = 1
      · have hk : (carryIn a b c).val = 1 := carryIn_val_of_ge (by omega)
        show c.val = (carryIn a b c).val
        omega
      · have hk : (carryIn a b c).val = 0 := carryIn_val_of_lt (by omega)
        show c.val = (carryIn a b c).val
        omega
    · have hk : (carryIn a b c).val = 0 := carryIn_val_of_lt (by omega)
      show 0 = (carryIn a b c).val
      exact hk.symm

/-- `eval_status` for a pair. -/
theorem eval_pairStatus {B : Nat} (p : Fin B × Fin B) (c : Fin 2) :
    Gen.eval (pairStatus p) c = carryIn p.1 p.2 c :=
  eval_status p.1 p.2 c

/-- Left folds over an append. -/
theorem foldl_app {α β : Type} (f : α → β → α) :
    ∀ (l₁ l₂ : List β) (a : α), List.foldl f a (l₁ ++ l₂) = List.foldl f (List.foldl f a l₁) l₂ := by
  intro l₁
  induction l₁ with
  | nil => intro l₂ a; rfl
  | cons b l ih => intro l₂ a; exact ih l₂ (f a b)

/-- For any combiner with the eval law, folding statuses from `g` and evaluating at `c` runs the
carry chain from `eval g c`. -/
theorem foldl_eval_of {B : Nat} {combine : Gen → Gen → Gen}
    (hev : ∀ (x y : Gen) (c : Fin 2), Gen.eval (combine x y) c = Gen.eval y (Gen.eval x c)) :
    ∀ (ps : List (Fin B × Fin B)) (g : Gen) (c : Fin 2),
      Gen.eval (List.foldl combine g (List.map pairStatus ps)) c = carryChain ps (Gen.eval g c) := by
  intro ps
  induction ps with
  | nil => intro g c; rfl
  | cons p ps ih =>
    intro g c
    show Gen.eval (List.foldl combine (combine g (pairStatus p)) (List.map pairStatus ps)) c
      = carryChain ps (carryIn p.1 p.2 (Gen.eval g c))
    rw [ih, hev, eval_pairStatus]

/-- Carry lookahead is correct for any combiner with the eval law: the fold of the statuses
from `P`, evaluated at the carry-in, is the final carry of the sequential chain. -/
@[arch_theorem] theorem lookahead_correct {B : Nat} {combine : Gen → Gen → Gen}
    (h : EvalLaw combine) :
    ∀ (ps : List (Fin B × Fin B)) (cin : Fin 2),
      Gen.eval (List.foldl combine Gen.prop (List.map pairStatus ps)) cin = carryChain ps cin := by
  intro ps cin
  exact foldl_eval_of h.eval_combine ps Gen.prop cin

/-- The carry into position `i` is `eval (s₀ ⋆ … ⋆ sᵢ₋₁) cin`: the carry chain over the first
`i` digit pairs. -/
theorem carry_into_position {B : Nat} {combine : Gen → Gen → Gen} (h : EvalLaw combine)
    (ps : List (Fin B × Fin B)) (cin : Fin 2) (i : Nat) :
    carryChain (List.take i ps) cin
      = Gen.eval (List.foldl combine Gen.prop (List.map pairStatus (List.take i ps))) cin :=
  (lookahead_correct h (List.take i ps) cin).symm

/-- The sequential carry chain is the `Gen.op` fold of the statuses, evaluated at the carry-in. -/
theorem carryChain_eq_op_fold {B : Nat} (ps : List (Fin B × Fin B)) (cin : Fin 2) :
    carryChain ps cin = Gen.eval (List.foldl Gen.op Gen.prop (List.map pairStatus ps)) cin :=
  (lookahead_correct op_combineLaws.toEvalLaw ps cin).symm

/-- A bracketing of a nonempty sequence of statuses: the shape in which a parallel prefix scan
(or any divide-and-conquer reduction) combines them. -/
inductive ScanTree where
  /-- One status. -/
  | leaf (s : Gen) : ScanTree
  /-- The combination of a left (earlier) and a right (later) part. -/
  | node (l r : ScanTree) : ScanTree

/-- The statuses of a bracketing, left to right. -/
def ScanTree.leaves (t : ScanTree) : List Gen :=
  match t with
  | ScanTree.leaf s => [s]
  | ScanTree.node l r => ScanTree.leaves l ++ ScanTree.leaves r

/-- Evaluating a bracketing with `combine`. -/
def ScanTree.reduce (combine : Gen → Gen → Gen) (t : ScanTree) : Gen :=
  match t with
  | ScanTree.leaf s => s
  | ScanTree.node l r => combine (ScanTree.reduce combine l) (ScanTree.reduce combine r)

/-- With the eval law, evaluating any bracketing acts as its statuses one after the other. -/
theorem tree_eval_of {combine : Gen → Gen → Gen}
    (hev : ∀ (x y : Gen) (c : Fin 2), Gen.eval (combine x y) c = Gen.eval y (Gen.eval x c)) :
    ∀ (t : ScanTree) (c : Fin 2),
      Gen.eval (ScanTree.reduce combine t) c
        = List.foldl (fun (c' : Fin 2) (s : Gen) => Gen.eval s c') c (ScanTree.leaves t) := by
  intro t
  induction t with
  | leaf s => intro c; rfl
  | node l r ihl ihr =>
    intro c
    show Gen.eval (combine (ScanTree.reduce combine l) (ScanTree.reduce combine r)) c
      = List.foldl (fun (c' : Fin 2) (s : Gen) => Gen.eval s c') c
          (ScanTree.leaves l ++ ScanTree.leaves r)
    rw [hev, ihl, ihr, foldl_app]

/-- Acting with the statuses of the digit pairs one after the other is the carry chain. -/
theorem foldl_eval_statuses {B : Nat} :
    ∀ (ps : List (Fin B × Fin B)) (c : Fin 2),
      List.foldl (fun (c' : Fin 2) (s : Gen) => Gen.eval s c') c (List.map pairStatus ps)
        = carryChain ps c := by
  intro ps
  induction ps with
  | nil => intro c; rfl
  | cons p ps ih =>
    intro c
    show List.foldl (fun (c' : Fin 2) (s : Gen) => Gen.eval s c') (Gen.eval (pairStatus p) c)
        (List.map pairStatus ps)
      = carryChain ps (carryIn p.1 p.2 c)
    rw [ih, eval_pairStatus]

/-- A parallel prefix scan is correct: for a combiner satisfying the laws, evaluating any
bracketing of the digit pairs' statuses at the carry-in gives the sequential chain's carry. -/
@[arch_theorem] theorem scan_correct {B : Nat} {combine : Gen → Gen → Gen}
    (h : CombineLaws combine) :
    ∀ (t : ScanTree) (ps : List (Fin B × Fin B)) (cin : Fin 2),
      ScanTree.leaves t = List.map pairStatus ps →
        Gen.eval (ScanTree.reduce combine t) cin = carryChain ps cin := by
  intro t ps cin ht
  rw [tree_eval_of h.eval_combine, ht, foldl_eval_statuses]

/-- With associativity, every bracketing gives the status of the left fold (after any prefix
`g`): the order of combination in a parallel scan does not matter. -/
@[arch_theorem] theorem scan_assoc {combine : Gen → Gen → Gen} (h : LookaheadLaws combine) :
    ∀ (t : ScanTree) (g : Gen),
      combine g (ScanTree.reduce combine t) = List.foldl combine g (ScanTree.leaves t) := by
  intro t
  induction t with
  | leaf s => intro g; rfl
  | node l r ihl ihr =>
    intro g
    show combine g (combine (ScanTree.reduce combine l) (ScanTree.reduce combine r))
      = List.foldl combine g (ScanTree.leaves l ++ ScanTree.leaves r)
    rw [← h.assoc, ihr, ihl, foldl_app]

end ArchLaw.Carry
