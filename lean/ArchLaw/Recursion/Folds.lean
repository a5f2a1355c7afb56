import ArchLaw.Attr
import ArchLaw.Fold
import ArchLaw.Recursion.Functors

/-!
# Fold uniqueness, fold fusion and the certificate theorems

Right folds (`FoldLaws`, `AlgHomLaw`) are in `ArchLaw.Fold`. Here: left folds (left-to-right
RNNs), folds over binary trees (TreeRNNs), fusion with initial states, and the certificate
theorems that turn exhaustive checks of a finite decoded cell into statements about every input.
-/

namespace ArchLaw

/-! ## Left folds -/

/-- `run` is the left fold of `cell` from `init`: a left-to-right recurrent network.
Symbols: `cell : H → A → H` and `run : List A → H` (supplied by a model), `init : H`. -/
@[arch_law] structure FoldlLaws {A H : Type} (cell : H → A → H) (init : H) (run : List A → H) :
    Prop where
  /-- The empty sequence gives the initial state. -/
  nil : run [] = init
  /-- Appending one element applies the cell once to the state reached so far. -/
  snoc : ∀ (as : List A) (a : A), run (as ++ (a :: [])) = cell (run as) a

/-- Under the left-fold laws, `run` on `acc ++ l` continues the fold from `run acc`. -/
theorem FoldlLaws.run_append {A H : Type} {cell : H → A → H} {init : H} {run : List A → H}
    (h : FoldlLaws cell init run) :
    ∀ (l : List A) (acc : List A), run (acc ++ l) = List.foldl cell (run acc) l := by
  intro l
  induction l with
  | nil =>
    intro acc
    simp only [List.append_nil, List.foldl_nil]
  | cons a l ih =>
    intro acc
    have e : acc ++ a :: l = (acc ++ (a :: [])) ++ l := by
      simp only [List.append_assoc, List.cons_append, List.nil_append]
    exact (congrArg run e).trans ((ih (acc ++ (a :: []))).trans
      (congrArg (fun (x : H) => List.foldl cell x l) (h.snoc acc a)))

/-- The left-fold laws determine the model: it is `List.foldl cell init`. -/
@[arch_theorem] theorem FoldlLaws.eq_foldl {A H : Type} {cell : H → A → H} {init : H}
    {run : List A → H} (h : FoldlLaws cell init run) : run = List.foldl cell init := by
  funext l
  exact (h.run_append l []).trans (congrArg (fun (x : H) => List.foldl cell x l) h.nil)

/-! ## Homomorphisms and fusion -/

/-- `h` sends the initial state `x0` to the initial state `y0`. Symbols: `h`, `x0`, `y0`. -/
@[arch_law] structure InitHomLaw {X Y : Type} (h : X → Y) (x0 : X) (y0 : Y) : Prop where
  /-- The initial states correspond. -/
  map_init : h x0 = y0

/-- `h` is a homomorphism from the left-fold cell `f` to the left-fold cell `g`:
`h (f x a) = g (h x) a`. Symbols: `f`, `g`, `h`. -/
@[arch_law] structure LeftAlgHomLaw {A X Y : Type} (f : X → A → X) (g : Y → A → Y) (h : X → Y) :
    Prop where
  /-- `h` commutes with one step of the cells. -/
  map_cell : ∀ (x : X) (a : A), h (f x a) = g (h x) a

/-- Fusion for right folds with initial states: if `h x0 = y0` and `h (f a x) = g a (h x)`, then
`h ∘ List.foldr f x0 = List.foldr g y0`. -/
@[arch_theorem] theorem foldr_fusion {A X Y : Type} {f : A → X → X} {g : A → Y → Y} {h : X → Y}
    {x0 : X} {y0 : Y} (hcell : AlgHomLaw f g h) (hinit : InitHomLaw h x0 y0) :
    h ∘ List.foldr f x0 = List.foldr g y0 := by
  funext as
  induction as with
  | nil => exact hinit.map_init
  | cons a as ih => exact (hcell.map_cell a (List.foldr f x0 as)).trans (congrArg (g a) ih)

/-- A cell homomorphism commutes with the left fold from any state. -/
theorem LeftAlgHomLaw.foldl_comm {A X Y : Type} {f : X → A → X} {g : Y → A → Y} {h : X → Y}
    (hcell : LeftAlgHomLaw f g h) :
    ∀ (l : List A) (x : X), h (List.foldl f x l) = List.foldl g (h x) l := by
  intro l
  induction l with
  | nil =>
    intro x
    rfl
  | cons a l ih =>
    intro x
    exact (ih (f x a)).trans (congrArg (fun (y : Y) => List.foldl g y l) (hcell.map_cell x a))

/-- Fusion for left folds: if `h x0 = y0` and `h (f x a) = g (h x) a`, then
`h ∘ List.foldl f x0 = List.foldl g y0`. -/
@[arch_theorem] theorem foldl_fusion {A X Y : Type} {f : X → A → X} {g : Y → A → Y} {h : X → Y}
    {x0 : X} {y0 : Y} (hcell : LeftAlgHomLaw f g h) (hinit : InitHomLaw h x0 y0) :
    h ∘ List.foldl f x0 = List.foldl g y0 := by
  funext l
  exact (hcell.foldl_comm l x0).trans (congrArg (fun (y : Y) => List.foldl g y l) hinit.map_init)

/-! ## Trees -/

/-- `run` is the fold over binary trees of `leafCell` and `nodeCell`: a recursive (tree)
network. Symbols: `leafCell : L → H`, `nodeCell : N → H → H → H`, `run : BTree L N → H`. -/
@[arch_law] structure TreeFoldLaws {L N H : Type} (leafCell : L → H) (nodeCell : N → H → H → H)
    (run : BTree L N → H) : Prop where
  /-- A leaf is read by the leaf cell. -/
  leaf : ∀ (a : L), run (BTree.leaf a) = leafCell a
  /-- A node combines the runs of its subtrees with the node cell. -/
  node : ∀ (o : N) (l : BTree L N) (r : BTree L N), run (BTree.node o l r) = nodeCell o (run l) (run r)

/-- The tree-fold laws determine the model: it is `BTree.fold leafCell nodeCell`. -/
@[arch_theorem] theorem TreeFoldLaws.eq_fold {L N H : Type} {leafCell : L → H}
    {nodeCell : N → H → H → H} {run : BTree L N → H} (h : TreeFoldLaws leafCell nodeCell run) :
    run = BTree.fold leafCell nodeCell := by
  funext t
  induction t with
  | leaf a => exact h.leaf a
  | node o l r ihl ihr =>
    exact (h.node o l r).trans
      ((congrArg (fun (x : H) => nodeCell o x (run r)) ihl).trans
        (congrArg (fun (x : H) => nodeCell o (BTree.fold leafCell nodeCell l) x) ihr))

/-- `h` is a homomorphism from the tree cells `leafX`, `nodeX` to the tree cells `leafY`,
`nodeY`. Symbols: all five. -/
@[arch_law] structure TreeAlgHomLaw {L N X Y : Type} (leafX : L → X) (nodeX : N → X → X → X)
    (leafY : L → Y) (nodeY : N → Y → Y → Y) (h : X → Y) : Prop where
  /-- `h` commutes with the leaf cells. -/
  map_leaf : ∀ (a : L), h (leafX a) = leafY a
  /-- `h` commutes with the node cells. -/
  map_node : ∀ (o : N) (x1 : X) (x2 : X), h (nodeX o x1 x2) = nodeY o (h x1) (h x2)

/-- Fusion for tree folds: a homomorphism of tree cells carries one tree fold to the other. -/
@[arch_theorem] theorem tree_fusion {L N X Y : Type} {leafX : L → X} {nodeX : N → X → X → X}
    {leafY : L → Y} {nodeY : N → Y → Y → Y} {h : X → Y}
    (hom : TreeAlgHomLaw leafX nodeX leafY nodeY h) :
    h ∘ BTree.fold leafX nodeX = BTree.fold leafY nodeY := by
  funext t
  induction t with
  | leaf a => exact hom.map_leaf a
  | node o l r ihl ihr =>
    exact (hom.map_node o (BTree.fold leafX nodeX l) (BTree.fold leafX nodeX r)).trans
      ((congrArg (fun (y : Y) => nodeY o y (h (BTree.fold leafX nodeX r))) ihl).trans
        (congrArg (fun (y : Y) => nodeY o (BTree.fold leafY nodeY l) y) ihr))

/-! ## Certificates for finite decoded cells

A model runs with its state decoded to a finite type `S` at every step, so its decoded cell
`cell` is a function on a finite set. Checking `AlgHomLaw cell spec dec` (or its left-fold or
tree version) and `InitHomLaw dec init specInit` is finitely many equations (states × inputs),
so an exhaustive check decides them. The theorems below turn such a check, together with the
fold laws of the model's run, into a statement about *every* list or tree, of any length or
depth: the decoded model equals the specification. -/

/-- Certificate for right folds: fold laws of the model's run, a homomorphism from the decoded
cell onto the specification's cell, and matching initial states give `dec (run as) =
List.foldr spec specInit as` for every list `as`. -/
@[arch_theorem] theorem foldr_certificate {A S T : Type} {cell : A → S → S} {init : S}
    {run : List A → S} {spec : A → T → T} {specInit : T} {dec : S → T}
    (hrun : FoldLaws cell init run) (hcell : AlgHomLaw cell spec dec)
    (hinit : InitHomLaw dec init specInit) :
    ∀ (as : List A), dec (run as) = List.foldr spec specInit as := by
  intro as
  exact (congrArg dec (congrFun hrun.eq_foldr as)).trans (congrFun (foldr_fusion hcell hinit) as)

/-- Certificate for left folds (left-to-right RNNs): `dec (run as) = List.foldl spec specInit as`
for every list `as`. -/
@[arch_theorem] theorem foldl_certificate {A S T : Type} {cell : S → A → S} {init : S}
    {run : List A → S} {spec : T → A → T} {specInit : T} {dec : S → T}
    (hrun : FoldlLaws cell init run) (hcell : LeftAlgHomLaw cell spec dec)
    (hinit : InitHomLaw dec init specInit) :
    ∀ (as : List A), dec (run as) = List.foldl spec specInit as := by
  intro as
  exact (congrArg dec (congrFun hrun.eq_foldl as)).trans (congrFun (foldl_fusion hcell hinit) as)

/-- Certificate for tree folds (TreeRNNs): `dec (run t) = BTree.fold specLeaf specNode t` for
every tree `t`, of any depth. -/
@[arch_theorem] theorem tree_certificate {L N S T : Type} {leafCell : L → S}
    {nodeCell : N → S → S → S} {run : BTree L N → S} {specLeaf : L → T}
    {specNode : N → T → T → T} {dec : S → T}
    (hrun : TreeFoldLaws leafCell nodeCell run)
    (hcell : TreeAlgHomLaw leafCell nodeCell specLeaf specNode dec) :
    ∀ (t : BTree L N), dec (run t) = BTree.fold specLeaf specNode t := by
  intro t
  exact (congrArg dec (congrFun hrun.eq_fold t)).trans (congrFun (tree_fusion hcell) t)

end ArchLaw
