import ArchLaw.Attr
import ArchLaw.Equivariance

/-!
# The library's concrete symmetries, with Lean's actions inside the law

`ArchLaw.Equivariant` takes its two actions as parameters: a binding supplies them in Python,
and nothing ties them to the library's own `rotate`, `permute` or `gridAct`. The laws here fix
the action to the library's definition, so a binding supplies only the network `f`, and the
check runs the action from its Lean body (docs/equivariance.md, "Which law to use"):

* `ShiftEquivariant`: cyclic shifts of a signal `Fin n → X` (`rotate`, the group `C_n`);
* `PermEquivariant`: permutations of a sequence axis `Fin n → X` (`permute`, the group `S_n`,
  as `Perm n`);
* `C4Equivariant`: the four rotations of a square grid `Fin k × Fin k → X` (`c4Act`, below);
* `D4Equivariant`: the eight symmetries of a square grid (`gridAct`);
* `D4GridAction`: a binding's own grid action is an action of `D4` with Lean's `D4.mul`.

`C4` is the rotation subgroup of `D4`: `C4.toD4 r` is the rotation by `r` quarter turns, and
`c4Act r = gridAct (C4.toD4 r)`. Its action law (`c4Act_action`) follows from `gridAct`'s and
from `C4.toD4` being a homomorphism from `(Fin 4, +, 0)` (`C4.toD4_add`, checked case by case).

Written without a Lean toolchain: not compiled here. The module is not imported by
`ArchLaw.lean`, so an error in it cannot break the rest of `lake build`; the source reader reads
its laws.
-/

namespace ArchLaw

/-! ## `C4`: the rotations of a square grid -/

/-- The rotation by `r` quarter turns as an element of `D₄`: `pt` of a quarter turn sends
`(i, j)` to `(j, rev i)` (a transpose after reversing the rows), of a half turn to
`(rev i, rev j)`. -/
def C4.toD4 : Fin 4 → D4
  | ⟨0, _⟩ => ⟨false, false, false⟩
  | ⟨1, _⟩ => ⟨true, true, false⟩
  | ⟨2, _⟩ => ⟨false, true, true⟩
  | _ => ⟨true, false, true⟩

/-- `C4` acts on square grids through `D₄`: `c4Act r x = gridAct (C4.toD4 r) x`. -/
def c4Act {k : Nat} {X : Type} (r : Fin 4) (x : Fin k × Fin k → X) : Fin k × Fin k → X :=
  gridAct (C4.toD4 r) x

/-- `C4.toD4` is a homomorphism from `(Fin 4, +)` to `D₄` (all 16 cases by computation). -/
theorem C4.toD4_add : ∀ (a b : Fin 4), C4.toD4 (a + b) = D4.mul (C4.toD4 a) (C4.toD4 b)
  | ⟨0, _⟩, ⟨0, _⟩ => rfl
  | ⟨0, _⟩, ⟨1, _⟩ => rfl
  | ⟨0, _⟩, ⟨2, _⟩ => rfl
  | ⟨0, _⟩, ⟨3, _⟩ => rfl
  | ⟨1, _⟩, ⟨0, _⟩ => rfl
  | ⟨1, _⟩, ⟨1, _⟩ => rfl
  | ⟨1, _⟩, ⟨2, _⟩ => rfl
  | ⟨1, _⟩, ⟨3, _⟩ => rfl
  | ⟨2, _⟩, ⟨0, _⟩ => rfl
  | ⟨2, _⟩, ⟨1, _⟩ => rfl
  | ⟨2, _⟩, ⟨2, _⟩ => rfl
  | ⟨2, _⟩, ⟨3, _⟩ => rfl
  | ⟨3, _⟩, ⟨0, _⟩ => rfl
  | ⟨3, _⟩, ⟨1, _⟩ => rfl
  | ⟨3, _⟩, ⟨2, _⟩ => rfl
  | ⟨3, _⟩, ⟨3, _⟩ => rfl
  | ⟨_ + 4, h⟩, _ => absurd h (by omega)
  | _, ⟨_ + 4, h⟩ => absurd h (by omega)

/-- Rotating is an action of `C4 = (Fin 4, +, 0)` on `Fin k × Fin k`-indexed grids. -/
theorem c4Act_action (k : Nat) (X : Type) :
    GroupAction (fun (a b : Fin 4) => a + b) 0 (@c4Act k X) :=
  ⟨fun _ => funext fun _ => rfl,
   fun g h x => by
     show gridAct (C4.toD4 g) (gridAct (C4.toD4 h) x) = gridAct (C4.toD4 (g + h)) x
     rw [C4.toD4_add]
     exact (gridAct_action k X).mul_act (C4.toD4 g) (C4.toD4 h) x⟩

/-! ## Laws with the library's actions -/

/-- `f` commutes with cyclic shifts of `Fin n`-indexed signals (`rotate`, the group `C_n`).
Symbols: `f` (supplied by a network: a signal of `X`s to a signal of `Y`s). -/
@[arch_law] structure ShiftEquivariant {n : Nat} {X Y : Type} (f : (Fin n → X) → (Fin n → Y)) :
    Prop where
  /-- Shifting the input shifts the output by as much. -/
  map_act : ∀ (k : Fin n) (s : Fin n → X), f (rotate k s) = rotate k (f s)

/-- `f` commutes with permutations of a `Fin n`-indexed sequence axis (`permute`, the group
`S_n`). Symbols: `f` (supplied by a network). -/
@[arch_law] structure PermEquivariant {n : Nat} {X Y : Type} (f : (Fin n → X) → (Fin n → Y)) :
    Prop where
  /-- Permuting the input permutes the output the same way. -/
  map_act : ∀ (p : Perm n) (s : Fin n → X), f (permute p s) = permute p (f s)

/-- `f` commutes with the four rotations of a square grid (`c4Act`, the group `C4`).
Symbols: `f` (supplied by a network: a grid of `X`s to a grid of `Y`s). -/
@[arch_law] structure C4Equivariant {k : Nat} {X Y : Type}
    (f : (Fin k × Fin k → X) → (Fin k × Fin k → Y)) : Prop where
  /-- Rotating the input rotates the output. -/
  map_act : ∀ (r : Fin 4) (x : Fin k × Fin k → X), f (c4Act r x) = c4Act r (f x)

/-- `f` commutes with the eight symmetries of a square grid (`gridAct`, the group `D₄`).
Symbols: `f` (supplied by a network). -/
@[arch_law] structure D4Equivariant {k : Nat} {X Y : Type}
    (f : (Fin k × Fin k → X) → (Fin k × Fin k → Y)) : Prop where
  /-- Rotating or reflecting the input does the same to the output. -/
  map_act : ∀ (g : D4) (x : Fin k × Fin k → X), f (gridAct g x) = gridAct g (f x)

/-- `act` is an action of `D₄`, with the library's group law `D4.mul` and unit `D4.one`, on
square grids: a binding's own grid action (Python code) is tied to Lean's group, not to a
Python re-telling of it. Symbols: `act` (fixed meaning: a binding's action on grids). -/
@[arch_law] structure D4GridAction {k : Nat} {X : Type}
    (act : D4 → (Fin k × Fin k → X) → (Fin k × Fin k → X)) : Prop where
  /-- The identity acts trivially. -/
  one_act : ∀ (x : Fin k × Fin k → X), act D4.one x = x
  /-- Acting by `h` then by `g` is acting by `D4.mul g h`. -/
  mul_act : ∀ (g h : D4) (x : Fin k × Fin k → X), act g (act h x) = act (D4.mul g h) x

/-- The library's `gridAct` meets it (`gridAct_action`, field by field). -/
theorem gridAct_d4GridAction (k : Nat) (X : Type) : D4GridAction (@gridAct k X) :=
  ⟨(gridAct_action k X).one_act, (gridAct_action k X).mul_act⟩

/-- The concrete laws are instances of the abstract one: a map that meets `ShiftEquivariant` is
`Equivariant` for `rotate` on both sides. -/
theorem ShiftEquivariant.equivariant {n : Nat} {X Y : Type}
    {f : (Fin n → X) → (Fin n → Y)} (h : ShiftEquivariant f) :
    Equivariant (@rotate n X) (@rotate n Y) f :=
  ⟨fun g x => h.map_act g x⟩

end ArchLaw
