import ArchLaw.Attr
import ArchLaw.Algebra

/-!
# Fold laws: recurrent networks as algebras of the list functor

A right-to-left recurrent network with cell `cell : A → H → H` and initial state `init : H`
is an algebra of the list functor `X ↦ 1 + A × X`. Its unrolled run `run : List A → H` is the
fold. The laws below pin this down as data the bridge can check on a trained model:

* `FoldLaws cell init run` (symbols `cell`, `init`, `run`): `run [] = init` and
  `run (a :: as) = cell a (run as)`. `FoldLaws.eq_foldr` proves that they force
  `run = List.foldr cell init`: a model that satisfies them *is* the fold, at every length.
* `AlgHomLaw f g h` (symbols `f`, `g`, `h`): `h` is a homomorphism from the cell `f` to the cell
  `g`, `h (f a x) = g a (h x)`. `AlgHomLaw.foldr_fusion` proves fusion:
  `h ∘ List.foldr f x0 = List.foldr g (h x0)` for every `x0`.

Left folds, trees, initial algebras, certificates and machines are in `ArchLaw.Recursion`.
-/

namespace ArchLaw

/-- `run` is the right fold of `cell` from `init`: the algebra laws of the list functor.
Symbols: `cell : A → H → H` and `run : List A → H` are supplied by a model; `init : H` is its
initial state. -/
@[arch_law] structure FoldLaws {A H : Type} (cell : A → H → H) (init : H) (run : List A → H) :
    Prop where
  /-- The empty sequence gives the initial state. -/
  nil : run [] = init
  /-- Consuming one more element applies the cell once. -/
  cons : ∀ (a : A) (as : List A), run (a :: as) = cell a (run as)

/-- The fold laws determine the model: it is `List.foldr cell init`. -/
@[arch_theorem] theorem FoldLaws.eq_foldr {A H : Type} {cell : A → H → H} {init : H}
    {run : List A → H} (h : FoldLaws cell init run) : run = List.foldr cell init := by
  funext as
  induction as with
  | nil => exact h.nil
  | cons a as ih => exact (h.cons a as).trans (congrArg (cell a) ih)

/-- `h` is a homomorphism from the cell `f` to the cell `g` (an algebra homomorphism of the list
functor, without the initial state): `h (f a x) = g a (h x)`. Symbols: `f`, `g`, `h`. -/
@[arch_law] structure AlgHomLaw {A X Y : Type} (f : A → X → X) (g : A → Y → Y) (h : X → Y) :
    Prop where
  /-- `h` commutes with one step of the cells. -/
  map_cell : ∀ (a : A) (x : X), h (f a x) = g a (h x)

/-- Fold fusion: a homomorphism of cells carries the fold of `f` from `x0` to the fold of `g`
from `h x0`. -/
@[arch_theorem] theorem AlgHomLaw.foldr_fusion {A X Y : Type} {f : A → X → X} {g : A → Y → Y}
    {h : X → Y} (hom : AlgHomLaw f g h) :
    ∀ (x0 : X), h ∘ List.foldr f x0 = List.foldr g (h x0) := by
  intro x0
  funext as
  induction as with
  | nil => rfl
  | cons a as ih => exact (hom.map_cell a (List.foldr f x0 as)).trans (congrArg (g a) ih)

end ArchLaw
