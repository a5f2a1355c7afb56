/-!
# A minimal category theory

Categories, functors and natural transformations, just enough to say what an algebra, a
coalgebra and a monad are. Everything lives in the `ArchLaw` namespace, clear of core's
`Functor` and `Monad` type classes. Laws are stated with explicit binders so that proofs can
introduce them by name.
-/

namespace ArchLaw

universe u w

/-- A category with objects in `Obj` and morphisms in `Type`: identities, composition
(`comp f g` is "first `f`, then `g`") and the unit and associativity laws. -/
structure Category (Obj : Type u) where
  /-- The morphisms from `X` to `Y`. -/
  Hom : Obj → Obj → Type
  /-- The identity morphism of `X`. -/
  id : (X : Obj) → Hom X X
  /-- Composition in diagrammatic order: first `f`, then `g`. -/
  comp : {X Y Z : Obj} → Hom X Y → Hom Y Z → Hom X Z
  /-- The identity is a left unit. -/
  id_comp : ∀ (X Y : Obj) (f : Hom X Y), comp (id X) f = f
  /-- The identity is a right unit. -/
  comp_id : ∀ (X Y : Obj) (f : Hom X Y), comp f (id Y) = f
  /-- Composition is associative. -/
  assoc : ∀ (W X Y Z : Obj) (f : Hom W X) (g : Hom X Y) (h : Hom Y Z),
    comp (comp f g) h = comp f (comp g h)

/-- The category of types and functions. -/
abbrev typeCat : Category Type where
  Hom := fun (X Y : Type) => X → Y
  id := fun (X : Type) (x : X) => x
  comp := fun f g x => g (f x)
  id_comp := fun _ _ _ => rfl
  comp_id := fun _ _ _ => rfl
  assoc := fun _ _ _ _ _ _ _ => rfl

/-- A functor between categories: an action on objects and on morphisms that preserves
identities and composition. -/
structure Functor {C : Type u} {D : Type w} (CC : Category C) (DD : Category D) where
  /-- The action on objects. -/
  obj : C → D
  /-- The action on morphisms. -/
  map : {X Y : C} → CC.Hom X Y → DD.Hom (obj X) (obj Y)
  /-- Identities are preserved. -/
  map_id : ∀ (X : C), map (CC.id X) = DD.id (obj X)
  /-- Composition is preserved. -/
  map_comp : ∀ (X Y Z : C) (f : CC.Hom X Y) (g : CC.Hom Y Z),
    map (CC.comp f g) = DD.comp (map f) (map g)

/-- A natural transformation between two functors `F G : CC ⥤ DD`: a family of morphisms
`app X : F X → G X` commuting with every `map`. -/
structure NatTrans {C : Type u} {D : Type w} {CC : Category C} {DD : Category D}
    (F G : Functor CC DD) where
  /-- The component at `X`. -/
  app : (X : C) → DD.Hom (F.obj X) (G.obj X)
  /-- Naturality: `F.map f ≫ app Y = app X ≫ G.map f`. -/
  naturality : ∀ (X Y : C) (f : CC.Hom X Y),
    DD.comp (F.map f) (app Y) = DD.comp (app X) (G.map f)

/-- The identity functor of a category. -/
def Functor.id {C : Type u} (CC : Category C) : Functor CC CC where
  obj := fun X => X
  map := fun f => f
  map_id := fun _ => rfl
  map_comp := fun _ _ _ _ _ => rfl

/-- The identity natural transformation of a functor. -/
def NatTrans.id {C : Type u} {D : Type w} {CC : Category C} {DD : Category D}
    (F : Functor CC DD) : NatTrans F F where
  app := fun X => DD.id (F.obj X)
  naturality := fun X Y f =>
    (DD.comp_id (F.obj X) (F.obj Y) (F.map f)).trans (DD.id_comp (F.obj X) (F.obj Y) (F.map f)).symm

end ArchLaw
