import ArchLaw.Category

/-!
# Algebras and coalgebras of endofunctors of `Type`

An *algebra* of an endofunctor `F` is a carrier `X` with a structure map `F X → X`; a
recurrent or recursive network's cell is one (for the list functor `1 + A × X` it is an initial
state and a cell `A → X → X`). A *coalgebra* is a map `X → F X`: an unfold, such as a Mealy or
Moore machine. Homomorphisms commute with the structure maps; they are what fusion theorems and
certificates are about (`ArchLaw.Fold`, `ArchLaw.Recursion`).

Endofunctors of `Type` are given concretely (`TypeFunctor`: an action on types and on functions,
with the functor laws stated pointwise) and are functors `typeCat ⥤ typeCat`
(`TypeFunctor.toFunctor`).
-/

namespace ArchLaw

/-- An endofunctor of `Type`: an action `obj` on types and `map` on functions, with the functor
laws stated pointwise. -/
structure TypeFunctor where
  /-- The action on types. -/
  obj : Type → Type
  /-- The action on functions. -/
  map : {X Y : Type} → (X → Y) → obj X → obj Y
  /-- `map` preserves identities. -/
  map_id : ∀ (X : Type) (x : obj X), map (fun (y : X) => y) x = x
  /-- `map` preserves composition. -/
  map_comp : ∀ (X Y Z : Type) (f : X → Y) (g : Y → Z) (x : obj X),
    map (fun (y : X) => g (f y)) x = map g (map f x)

/-- A `TypeFunctor` is a functor from the category of types to itself. -/
def TypeFunctor.toFunctor (F : TypeFunctor) : Functor typeCat typeCat where
  obj := F.obj
  map := fun f => F.map f
  map_id := fun X => funext fun x => F.map_id X x
  map_comp := fun X Y Z f g => funext fun x => F.map_comp X Y Z f g x

/-- An algebra of `F`: a carrier with a structure map `F carrier → carrier`. -/
structure Algebra (F : TypeFunctor) where
  /-- The carrier (for a recurrent network: its state space). -/
  carrier : Type
  /-- The structure map (for a recurrent network: initial state and cell together). -/
  str : F.obj carrier → carrier

/-- A homomorphism of `F`-algebras: a map of carriers that commutes with the structure maps. -/
structure Algebra.Hom {F : TypeFunctor} (α β : Algebra F) where
  /-- The underlying map of carriers. -/
  toFun : α.carrier → β.carrier
  /-- It commutes with the structure maps: `toFun ∘ α.str = β.str ∘ F.map toFun`. -/
  comm : ∀ (x : F.obj α.carrier), toFun (α.str x) = β.str (F.map toFun x)

/-- The identity homomorphism of an algebra. -/
def Algebra.Hom.id {F : TypeFunctor} (α : Algebra F) : Algebra.Hom α α where
  toFun := fun x => x
  comm := fun x => (congrArg α.str (F.map_id α.carrier x)).symm

/-- Composition of algebra homomorphisms (first `f`, then `g`). -/
def Algebra.Hom.comp {F : TypeFunctor} {α β γ : Algebra F}
    (f : Algebra.Hom α β) (g : Algebra.Hom β γ) : Algebra.Hom α γ where
  toFun := fun x => g.toFun (f.toFun x)
  comm := fun x =>
    ((congrArg g.toFun (f.comm x)).trans (g.comm (F.map f.toFun x))).trans
      (congrArg γ.str (F.map_comp α.carrier β.carrier γ.carrier f.toFun g.toFun x).symm)

/-- An algebra is initial when it has exactly one homomorphism to every algebra: `lift β` is the
fold into `β`, and `uniq` says every homomorphism agrees with it. -/
structure Algebra.IsInitial {F : TypeFunctor} (α : Algebra F) where
  /-- The homomorphism into each algebra (the fold). -/
  lift : (β : Algebra F) → Algebra.Hom α β
  /-- Every homomorphism equals the fold, pointwise. -/
  uniq : ∀ (β : Algebra F) (h : Algebra.Hom α β) (x : α.carrier), h.toFun x = (lift β).toFun x

/-- A coalgebra of `F`: a carrier with a structure map `carrier → F carrier` (one step of an
unfold, such as a Mealy machine's transition and output). -/
structure Coalgebra (F : TypeFunctor) where
  /-- The carrier (the state space). -/
  carrier : Type
  /-- The structure map. -/
  str : carrier → F.obj carrier

/-- A homomorphism of `F`-coalgebras: a map of carriers that commutes with the structure maps.
For machines it is a state compression that preserves every output. -/
structure Coalgebra.Hom {F : TypeFunctor} (α β : Coalgebra F) where
  /-- The underlying map of carriers. -/
  toFun : α.carrier → β.carrier
  /-- It commutes with the structure maps: `β.str ∘ toFun = F.map toFun ∘ α.str`. -/
  comm : ∀ (x : α.carrier), β.str (toFun x) = F.map toFun (α.str x)

/-- The identity homomorphism of a coalgebra. -/
def Coalgebra.Hom.id {F : TypeFunctor} (α : Coalgebra F) : Coalgebra.Hom α α where
  toFun := fun x => x
  comm := fun x => (F.map_id α.carrier (α.str x)).symm

/-- Composition of coalgebra homomorphisms (first `f`, then `g`). -/
def Coalgebra.Hom.comp {F : TypeFunctor} {α β γ : Coalgebra F}
    (f : Coalgebra.Hom α β) (g : Coalgebra.Hom β γ) : Coalgebra.Hom α γ where
  toFun := fun x => g.toFun (f.toFun x)
  comm := fun x =>
    ((g.comm (f.toFun x)).trans (congrArg (F.map g.toFun) (f.comm x))).trans
      (F.map_comp α.carrier β.carrier γ.carrier f.toFun g.toFun (α.str x)).symm

end ArchLaw
