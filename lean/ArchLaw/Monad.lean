import ArchLaw.Algebra

/-!
# Monads and Eilenberg–Moore algebras

A monad on `Type` is an endofunctor `T` with a unit `X → T X` and a multiplication
`T (T X) → T X`, natural and satisfying the unit and associativity laws. An Eilenberg–Moore
algebra is an algebra `T X → X` compatible with both. In categorical deep learning, equivariant
layers are the homomorphisms of algebras of the monad `G × -` of a group action
(`ArchLaw.Equivariance`).

This `ArchLaw.Monad` is a structure, unrelated to core's `Monad` type class.
-/

namespace ArchLaw

/-- A monad on `Type`: an endofunctor `T` with natural `unit` and `mult` satisfying the left and
right unit laws and associativity. -/
structure Monad (T : TypeFunctor) where
  /-- The unit `η : X → T X`. -/
  unit : {X : Type} → X → T.obj X
  /-- The multiplication `μ : T (T X) → T X`. -/
  mult : {X : Type} → T.obj (T.obj X) → T.obj X
  /-- The unit is natural. -/
  unit_natural : ∀ (X Y : Type) (f : X → Y) (x : X), T.map f (unit x) = unit (f x)
  /-- The multiplication is natural. -/
  mult_natural : ∀ (X Y : Type) (f : X → Y) (m : T.obj (T.obj X)),
    T.map f (mult m) = mult (T.map (T.map f) m)
  /-- Left unit law: `μ ∘ η_T = id`. -/
  mult_unit : ∀ (X : Type) (m : T.obj X), mult (unit m) = m
  /-- Right unit law: `μ ∘ T η = id`. -/
  mult_map_unit : ∀ (X : Type) (m : T.obj X), mult (T.map (fun (x : X) => unit x) m) = m
  /-- Associativity: `μ ∘ μ_T = μ ∘ T μ`. -/
  mult_mult : ∀ (X : Type) (m : T.obj (T.obj (T.obj X))),
    mult (mult m) = mult (T.map (fun (n : T.obj (T.obj X)) => mult n) m)

/-- An Eilenberg–Moore algebra of a monad: an algebra `str : T X → X` compatible with the unit
(`str (unit x) = x`) and the multiplication (`str (mult m) = str (T.map str m)`). -/
structure EMAlgebra {T : TypeFunctor} (M : Monad T) where
  /-- The carrier. -/
  carrier : Type
  /-- The structure map. -/
  str : T.obj carrier → carrier
  /-- Unit law. -/
  unit_law : ∀ (x : carrier), str (M.unit x) = x
  /-- Multiplication law. -/
  mult_law : ∀ (m : T.obj (T.obj carrier)), str (M.mult m) = str (T.map str m)

/-- The underlying endofunctor algebra of an Eilenberg–Moore algebra. -/
def EMAlgebra.toAlgebra {T : TypeFunctor} {M : Monad T} (A : EMAlgebra M) : Algebra T where
  carrier := A.carrier
  str := A.str

/-- The free Eilenberg–Moore algebra on `X`: carrier `T X`, structure map `mult`. -/
def Monad.free {T : TypeFunctor} (M : Monad T) (X : Type) : EMAlgebra M where
  carrier := T.obj X
  str := fun m => M.mult m
  unit_law := fun x => M.mult_unit X x
  mult_law := fun m => M.mult_mult X m

/-- A homomorphism of Eilenberg–Moore algebras is a homomorphism of the underlying algebras. -/
abbrev EMAlgebra.Hom {T : TypeFunctor} {M : Monad T} (A B : EMAlgebra M) : Type :=
  Algebra.Hom A.toAlgebra B.toAlgebra

end ArchLaw
