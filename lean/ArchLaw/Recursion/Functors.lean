import ArchLaw.Algebra

/-!
# The list and binary-tree functors and their initial algebras

* `listF A` is the functor `X ↦ 1 + A × X` (as the inductive `ListF A X`). Its initial algebra is
  `List A` (`listAlg A`, `listAlgInitial A`); the unique homomorphism into an algebra is the
  right fold (`listFold`, which is `List.foldr`).
* `treeF L N` is the functor `X ↦ L + N × X × X` (as `TreeF L N X`). Its initial algebra is the
  type `BTree L N` of binary trees with leaf labels in `L` (digits, for arithmetic expressions)
  and node labels in `N` (operators); the unique homomorphism is `BTree.fold`.
* `mealyF I O` (`X ↦ (I → X) × (I → O)`) and `mooreF I O` (`X ↦ (I → X) × O`) are the functors
  whose coalgebras are Mealy and Moore machines (`ArchLaw.Recursion.Machines`).
-/

namespace ArchLaw

/-! ## Lists -/

/-- One step of a list: empty, or an element and the rest (`1 + A × X`). -/
inductive ListF (A X : Type) : Type where
  /-- The empty case. -/
  | nil : ListF A X
  /-- An element and the rest. -/
  | cons : A → X → ListF A X

/-- `ListF A` on functions: map the rest. -/
def ListF.map {A X Y : Type} (f : X → Y) : ListF A X → ListF A Y
  | ListF.nil => ListF.nil
  | ListF.cons a x => ListF.cons a (f x)

/-- The list functor `X ↦ 1 + A × X`. -/
def listF (A : Type) : TypeFunctor where
  obj := ListF A
  map := fun f x => ListF.map f x
  map_id := by
    intro X x
    cases x <;> rfl
  map_comp := by
    intro X Y Z f g x
    cases x <;> rfl

/-- The structure map of the initial algebra: `nil ↦ []`, `cons a as ↦ a :: as`. -/
def ListF.toList {A : Type} : ListF A (List A) → List A
  | ListF.nil => []
  | ListF.cons a as => a :: as

/-- `List A` as an algebra of the list functor. -/
def listAlg (A : Type) : Algebra (listF A) where
  carrier := List A
  str := ListF.toList

/-- The fold into an algebra `β` of the list functor: `List.foldr` of `β`'s structure map. -/
def listFold {A : Type} (β : Algebra (listF A)) : List A → β.carrier :=
  List.foldr (fun (a : A) (x : β.carrier) => β.str (ListF.cons a x)) (β.str ListF.nil)

/-- `List A` is the initial algebra of the list functor: the fold is a homomorphism, and every
homomorphism out of `listAlg A` is the fold. -/
def listAlgInitial (A : Type) : Algebra.IsInitial (listAlg A) where
  lift := fun β =>
    { toFun := listFold β
      comm := by
        intro x
        cases x <;> rfl }
  uniq := by
    intro β h x
    induction x with
    | nil => exact h.comm ListF.nil
    | cons a as ih =>
      exact (h.comm (ListF.cons a as)).trans
        (congrArg (fun (t : β.carrier) => β.str (ListF.cons a t)) ih)

/-! ## Binary trees -/

/-- Binary trees with leaf labels in `L` and node labels in `N`. For tree evaluation of
arithmetic expressions mod `p`, leaves are digits and nodes carry an operator. -/
inductive BTree (L N : Type) : Type where
  /-- A leaf carrying a label (a digit). -/
  | leaf : L → BTree L N
  /-- A node carrying a label (an operator) and two subtrees. -/
  | node : N → BTree L N → BTree L N → BTree L N

/-- The fold over binary trees: a recursive network with cells `leafCell` and `nodeCell`. -/
def BTree.fold {L N H : Type} (leafCell : L → H) (nodeCell : N → H → H → H) : BTree L N → H
  | BTree.leaf a => leafCell a
  | BTree.node o l r => nodeCell o (BTree.fold leafCell nodeCell l) (BTree.fold leafCell nodeCell r)

/-- One step of a tree: a leaf, or a node with two children (`L + N × X × X`). -/
inductive TreeF (L N X : Type) : Type where
  /-- A leaf. -/
  | leaf : L → TreeF L N X
  /-- A node with two children. -/
  | node : N → X → X → TreeF L N X

/-- `TreeF L N` on functions: map both children. -/
def TreeF.map {L N X Y : Type} (f : X → Y) : TreeF L N X → TreeF L N Y
  | TreeF.leaf a => TreeF.leaf a
  | TreeF.node o l r => TreeF.node o (f l) (f r)

/-- The binary-tree functor `X ↦ L + N × X × X`. -/
def treeF (L N : Type) : TypeFunctor where
  obj := TreeF L N
  map := fun f x => TreeF.map f x
  map_id := by
    intro X x
    cases x <;> rfl
  map_comp := by
    intro X Y Z f g x
    cases x <;> rfl

/-- The structure map of the initial algebra of trees. -/
def TreeF.toTree {L N : Type} : TreeF L N (BTree L N) → BTree L N
  | TreeF.leaf a => BTree.leaf a
  | TreeF.node o l r => BTree.node o l r

/-- `BTree L N` as an algebra of the tree functor. -/
def treeAlg (L N : Type) : Algebra (treeF L N) where
  carrier := BTree L N
  str := TreeF.toTree

/-- The fold into an algebra `β` of the tree functor. -/
def treeFold {L N : Type} (β : Algebra (treeF L N)) : BTree L N → β.carrier :=
  BTree.fold (fun (a : L) => β.str (TreeF.leaf a))
    (fun (o : N) (l r : β.carrier) => β.str (TreeF.node o l r))

/-- `BTree L N` is the initial algebra of the tree functor. -/
def treeAlgInitial (L N : Type) : Algebra.IsInitial (treeAlg L N) where
  lift := fun β =>
    { toFun := treeFold β
      comm := by
        intro x
        cases x <;> rfl }
  uniq := by
    intro β h x
    induction x with
    | leaf a => exact h.comm (TreeF.leaf a)
    | node o l r ihl ihr =>
      exact (h.comm (TreeF.node o l r)).trans
        ((congrArg (fun (t : β.carrier) => β.str (TreeF.node o t (h.toFun r))) ihl).trans
          (congrArg (fun (t : β.carrier) => β.str (TreeF.node o (treeFold β l) t)) ihr))

/-! ## Machines -/

/-- One step of a Mealy machine on inputs `I` and outputs `O`: for each input, a next state and
an output. -/
inductive MealyF (I O X : Type) : Type where
  /-- Next states and outputs, per input. -/
  | mk : (I → X) → (I → O) → MealyF I O X

/-- `MealyF I O` on functions: map the next states. -/
def MealyF.map {I O X Y : Type} (f : X → Y) : MealyF I O X → MealyF I O Y
  | MealyF.mk n e => MealyF.mk (fun (i : I) => f (n i)) e

/-- The Mealy functor `X ↦ (I → X) × (I → O)`. -/
def mealyF (I O : Type) : TypeFunctor where
  obj := MealyF I O
  map := fun f x => MealyF.map f x
  map_id := by
    intro X x
    cases x
    rfl
  map_comp := by
    intro X Y Z f g x
    cases x
    rfl

/-- One step of a Moore machine: for each input a next state, and one output for the current
state. -/
inductive MooreF (I O X : Type) : Type where
  /-- Next states per input, and the current output. -/
  | mk : (I → X) → O → MooreF I O X

/-- `MooreF I O` on functions: map the next states. -/
def MooreF.map {I O X Y : Type} (f : X → Y) : MooreF I O X → MooreF I O Y
  | MooreF.mk n o => MooreF.mk (fun (i : I) => f (n i)) o

/-- The Moore functor `X ↦ (I → X) × O`. -/
def mooreF (I O : Type) : TypeFunctor where
  obj := MooreF I O
  map := fun f x => MooreF.map f x
  map_id := by
    intro X x
    cases x
    rfl
  map_comp := by
    intro X Y Z f g x
    cases x
    rfl

end ArchLaw
