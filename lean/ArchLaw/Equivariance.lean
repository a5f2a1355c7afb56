import ArchLaw.Attr
import ArchLaw.Monad

/-!
# Equivariance: group actions as algebras of the monad `G × -`

Geometric deep learning, recovered as algebra. A group `G` (core Lean has no `Group`: the
group is given by explicit `mul`, `one`, `inv` and the law `GroupLaws`) makes `G × -` a monad
(`pairMonad`: unit `x ↦ (1, x)`, multiplication `(g, (h, x)) ↦ (g * h, x)`). Its
Eilenberg–Moore algebras are exactly the group actions (`GroupAction`: `act 1 x = x` and
`act g (act h x) = act (g * h) x`), and the algebra homomorphisms are exactly the equivariant
maps (`Equivariant`: `f (g • x) = g • f x`). A layer is lawful when it is such a homomorphism.

* Laws (`@[arch_law]`): `MonoidLaws`, `GroupLaws`, `GroupAction`, `Equivariant`, `Invariant`.
* Theorems: identity and composition are equivariant (`Equivariant.id`, `Equivariant.comp`);
  invariance is equivariance to the trivial action (`Invariant.equivariant_trivial`,
  `Equivariant.invariant_of_trivial`); actions and equivariant maps are the Eilenberg–Moore
  algebras and their homomorphisms (`GroupAction.toEMAlgebra`, `EMAlgebra.toGroupAction`,
  `Equivariant.toHom`, `Equivariant.of_hom`).
* Concrete actions, with their action laws proved:
  - the cyclic group `C_n = Fin n` rotating `Fin n`-indexed signals (`rotate`, `rotate_action`);
  - the symmetric group `S_n` (`Perm n`) permuting `Fin n`-indexed sets (`permute`,
    `permute_action`, `perm_group_laws`);
  - the dihedral group `D₄` (`D4`, signed permutations of the two axes) acting on square grids
    `Fin k × Fin k → X` by flips and transposes (`gridAct`, `gridAct_action`, `d4_group_laws`).

The torch layers generated from these definitions are in `models/equivariant.py`; their actions
implement `rotate`, `permute` and `gridAct` index for index.
-/

namespace ArchLaw

/-! ## Laws -/

/-- `mul` and `one` form a monoid: associativity and the two unit laws. Symbols: `mul`, `one`
(fixed meaning: a group's multiplication table and identity). -/
@[arch_law] structure MonoidLaws {G : Type} (mul : G → G → G) (one : G) : Prop where
  /-- Associativity. -/
  mul_assoc : ∀ (a : G) (b : G) (c : G), mul (mul a b) c = mul a (mul b c)
  /-- Left unit. -/
  one_mul : ∀ (a : G), mul one a = a
  /-- Right unit. -/
  mul_one : ∀ (a : G), mul a one = a

/-- `mul`, `one` and `inv` form a group (left inverses suffice with the monoid laws). -/
@[arch_law] structure GroupLaws {G : Type} (mul : G → G → G) (one : G) (inv : G → G) : Prop where
  /-- Associativity. -/
  mul_assoc : ∀ (a : G) (b : G) (c : G), mul (mul a b) c = mul a (mul b c)
  /-- Left unit. -/
  one_mul : ∀ (a : G), mul one a = a
  /-- Right unit. -/
  mul_one : ∀ (a : G), mul a one = a
  /-- Left inverse. -/
  inv_mul : ∀ (a : G), mul (inv a) a = one

/-- `act` is an action of `(G, mul, one)` on `X`: an Eilenberg–Moore algebra of the monad
`G × -` written curried (see `GroupAction.toEMAlgebra`). Symbols: `mul`, `one`, `act` (all of
fixed meaning: the group and how it moves inputs or features). -/
@[arch_law] structure GroupAction {G X : Type} (mul : G → G → G) (one : G) (act : G → X → X) :
    Prop where
  /-- Unit law: the identity acts trivially. -/
  one_act : ∀ (x : X), act one x = x
  /-- Multiplication law: acting by `h` then by `g` is acting by `g * h`. -/
  mul_act : ∀ (g : G) (h : G) (x : X), act g (act h x) = act (mul g h) x

/-- `f` is equivariant from the action `actX` to the action `actY`: a homomorphism of
`G × -`-algebras. Symbols: `f` (supplied by a network: a layer or a whole model); `actX`,
`actY` (fixed meaning: the group's action on inputs and outputs). -/
@[arch_law] structure Equivariant {G X Y : Type} (actX : G → X → X) (actY : G → Y → Y)
    (f : X → Y) : Prop where
  /-- Transforming the input transforms the output the same way. -/
  map_act : ∀ (g : G) (x : X), f (actX g x) = actY g (f x)

/-- `f` is invariant under the action `actX`. Symbols: `f` (supplied by a network), `actX`. -/
@[arch_law] structure Invariant {G X Y : Type} (actX : G → X → X) (f : X → Y) : Prop where
  /-- Transforming the input leaves the output unchanged. -/
  map_act : ∀ (g : G) (x : X), f (actX g x) = f x

/-! ## Identity, composition, invariance -/

/-- The identity map is equivariant. -/
theorem Equivariant.id {G X : Type} (actX : G → X → X) :
    Equivariant actX actX (fun (x : X) => x) :=
  ⟨fun _ _ => rfl⟩

/-- Equivariant maps compose: a network of equivariant layers is equivariant. -/
@[arch_theorem] theorem Equivariant.comp {G X Y Z : Type} {actX : G → X → X} {actY : G → Y → Y}
    {actZ : G → Z → Z} {f : X → Y} {k : Y → Z} (hf : Equivariant actX actY f)
    (hk : Equivariant actY actZ k) : Equivariant actX actZ (k ∘ f) :=
  ⟨fun g x => (congrArg k (hf.map_act g x)).trans (hk.map_act g (f x))⟩

/-- The trivial action of any `G` on `X`. -/
def trivialAct {G X : Type} (g : G) (x : X) : X := x

/-- Every monoid acts trivially. -/
theorem trivialAct_action {G X : Type} (mul : G → G → G) (one : G) :
    GroupAction mul one (@trivialAct G X) :=
  ⟨fun _ => rfl, fun _ _ _ => rfl⟩

/-- Invariance is equivariance to the trivial action on outputs (one direction). -/
@[arch_theorem] theorem Invariant.equivariant_trivial {G X Y : Type} {actX : G → X → X}
    {f : X → Y} (h : Invariant actX f) :
    Equivariant actX (fun (g : G) => fun (y : Y) => y) f :=
  ⟨fun g x => h.map_act g x⟩

/-- Invariance is equivariance to the trivial action on outputs (the other direction). -/
@[arch_theorem] theorem Equivariant.invariant_of_trivial {G X Y : Type} {actX : G → X → X}
    {f : X → Y} (h : Equivariant actX (fun (g : G) => fun (y : Y) => y) f) :
    Invariant actX f :=
  ⟨fun g x => h.map_act g x⟩

/-- An invariant map after an equivariant one is invariant (equivariant layers, then an
invariant pooling, give an invariant network). -/
@[arch_theorem] theorem Invariant.comp_equivariant {G X Y Z : Type} {actX : G → X → X}
    {actY : G → Y → Y} {f : X → Y} {p : Y → Z} (hf : Equivariant actX actY f)
    (hp : Invariant actY p) : Invariant actX (p ∘ f) :=
  ⟨fun g x => (congrArg p (hf.map_act g x)).trans (hp.map_act g (f x))⟩

/-- In a group action, `g⁻¹` undoes `g`. -/
@[arch_theorem] theorem GroupAction.inv_act_act {G X : Type} {mul : G → G → G} {one : G}
    {inv : G → G} {act : G → X → X} (hG : GroupLaws mul one inv) (hA : GroupAction mul one act) :
    ∀ (g : G) (x : X), act (inv g) (act g x) = x := by
  intro g x
  rw [hA.mul_act, hG.inv_mul, hA.one_act]

/-- A group satisfies the monoid laws. -/
theorem GroupLaws.toMonoidLaws {G : Type} {mul : G → G → G} {one : G} {inv : G → G}
    (h : GroupLaws mul one inv) : MonoidLaws mul one :=
  ⟨h.mul_assoc, h.one_mul, h.mul_one⟩

/-! ## The monad `G × -` and its algebras -/

/-- The endofunctor `X ↦ G × X`, mapping the second component. -/
def pairFunctor (G : Type) : TypeFunctor where
  obj := fun X => G × X
  map := fun f p => (Prod.fst p, f (Prod.snd p))
  map_id := fun _ _ => rfl
  map_comp := fun _ _ _ _ _ _ => rfl

/-- The monad `G × -` of a monoid `(G, mul, one)` (the writer monad): unit `x ↦ (one, x)`,
multiplication `(g, (h, x)) ↦ (mul g h, x)`. -/
def pairMonad {G : Type} (mul : G → G → G) (one : G) (h : MonoidLaws mul one) :
    ArchLaw.Monad (pairFunctor G) where
  unit := fun x => (one, x)
  mult := fun m => (mul (Prod.fst m) (Prod.fst (Prod.snd m)), Prod.snd (Prod.snd m))
  unit_natural := fun _ _ _ _ => rfl
  mult_natural := fun _ _ _ _ => rfl
  mult_unit := fun _ m => congrArg (fun (a : G) => (a, Prod.snd m)) (h.one_mul (Prod.fst m))
  mult_map_unit := fun _ m => congrArg (fun (a : G) => (a, Prod.snd m)) (h.mul_one (Prod.fst m))
  mult_mult := fun _ m =>
    congrArg (fun (a : G) => (a, Prod.snd (Prod.snd (Prod.snd m))))
      (h.mul_assoc (Prod.fst m) (Prod.fst (Prod.snd m)) (Prod.fst (Prod.snd (Prod.snd m))))

/-- A group action is an Eilenberg–Moore algebra of `G × -`, with structure map
`(g, x) ↦ act g x`. -/
def GroupAction.toEMAlgebra {G X : Type} {mul : G → G → G} {one : G} {act : G → X → X}
    (hM : MonoidLaws mul one) (hA : GroupAction mul one act) : EMAlgebra (pairMonad mul one hM) where
  carrier := X
  str := fun p => act (Prod.fst p) (Prod.snd p)
  unit_law := fun x => hA.one_act x
  mult_law := fun m =>
    (hA.mul_act (Prod.fst m) (Prod.fst (Prod.snd m)) (Prod.snd (Prod.snd m))).symm

/-- Conversely, every Eilenberg–Moore algebra of `G × -` is a group action, curried. -/
theorem EMAlgebra.toGroupAction {G : Type} {mul : G → G → G} {one : G} {hM : MonoidLaws mul one}
    (A : EMAlgebra (pairMonad mul one hM)) :
    GroupAction mul one (fun (g : G) (x : A.carrier) => A.str (g, x)) :=
  ⟨fun x => A.unit_law x, fun g h x => (A.mult_law (g, (h, x))).symm⟩

/-- An equivariant map is a homomorphism of the Eilenberg–Moore algebras of the two actions. -/
def Equivariant.toHom {G X Y : Type} {mul : G → G → G} {one : G} {actX : G → X → X}
    {actY : G → Y → Y} {f : X → Y} (hM : MonoidLaws mul one) (hX : GroupAction mul one actX)
    (hY : GroupAction mul one actY) (hf : Equivariant actX actY f) :
    EMAlgebra.Hom (hX.toEMAlgebra hM) (hY.toEMAlgebra hM) where
  toFun := f
  comm := fun p => hf.map_act (Prod.fst p) (Prod.snd p)

/-- A homomorphism of the Eilenberg–Moore algebras of two actions is an equivariant map. -/
theorem Equivariant.of_hom {G X Y : Type} {mul : G → G → G} {one : G} {actX : G → X → X}
    {actY : G → Y → Y} {hM : MonoidLaws mul one} {hX : GroupAction mul one actX}
    {hY : GroupAction mul one actY}
    (φ : EMAlgebra.Hom (hX.toEMAlgebra hM) (hY.toEMAlgebra hM)) :
    Equivariant actX actY φ.toFun :=
  ⟨fun g x => φ.comm (g, x)⟩

/-! ## The cyclic group `C_n` rotating signals -/

/-- Rotation of a cyclic signal by `k`: `(rotate k s) i = s (i + k)` (addition in `Fin n`
wraps). In torch: `torch.roll(s, -k)`. -/
def rotate {n : Nat} {X : Type} (k : Fin n) (s : Fin n → X) : Fin n → X :=
  fun i => s (i + k)

/-- Addition in `Fin n` is associative. -/
theorem fin_add_assoc {n : Nat} (a b c : Fin n) : a + b + c = a + (b + c) := by
  apply Fin.ext
  simp only [Fin.val_add]
  rw [Nat.mod_add_mod, Nat.add_mod_mod, Nat.add_assoc]

/-- `(Fin n, +, 0)` is a monoid (the cyclic group `C_n`, `n ≠ 0`). -/
theorem cyclic_monoid_laws {n : Nat} [NeZero n] :
    MonoidLaws (fun (a b : Fin n) => a + b) 0 :=
  ⟨fin_add_assoc, fun a => Fin.zero_add a, fun a => Fin.add_zero a⟩

/-- Rotation is an action of `C_n` on `Fin n`-indexed signals. -/
theorem rotate_action {n : Nat} [NeZero n] (X : Type) :
    GroupAction (fun (a b : Fin n) => a + b) 0 (@rotate n X) :=
  ⟨fun s => funext fun i => congrArg s (Fin.add_zero i),
   fun g h s => funext fun i => congrArg s (fin_add_assoc i g h)⟩

/-! ## The symmetric group `S_n` permuting sets -/

/-- A permutation of `Fin n`, with its inverse. -/
structure Perm (n : Nat) where
  /-- Where each point goes. -/
  toFun : Fin n → Fin n
  /-- The inverse map. -/
  invFun : Fin n → Fin n
  /-- `invFun` undoes `toFun`. -/
  left_inv : ∀ (i : Fin n), invFun (toFun i) = i
  /-- `toFun` undoes `invFun`. -/
  right_inv : ∀ (i : Fin n), toFun (invFun i) = i

/-- Permutations are equal when their maps and inverse maps are. -/
theorem Perm.ext {n : Nat} : ∀ (p q : Perm n), p.toFun = q.toFun → p.invFun = q.invFun → p = q
  | ⟨f, g, _, _⟩, ⟨f', g', _, _⟩, h1, h2 => by
    have e1 : f = f' := h1
    have e2 : g = g' := h2
    subst e1
    subst e2
    rfl

/-- The identity permutation. -/
def Perm.one (n : Nat) : Perm n :=
  ⟨fun i => i, fun i => i, fun _ => rfl, fun _ => rfl⟩

/-- Composition: `(mul p q) i = p (q i)`. -/
def Perm.mul {n : Nat} (p q : Perm n) : Perm n :=
  ⟨fun i => p.toFun (q.toFun i), fun i => q.invFun (p.invFun i),
   fun i => (congrArg q.invFun (p.left_inv (q.toFun i))).trans (q.left_inv i),
   fun i => (congrArg p.toFun (q.right_inv (p.invFun i))).trans (p.right_inv i)⟩

/-- The inverse permutation. -/
def Perm.inv {n : Nat} (p : Perm n) : Perm n :=
  ⟨p.invFun, p.toFun, p.right_inv, p.left_inv⟩

/-- Permutations of `Fin n` form the group `S_n`. -/
theorem perm_group_laws (n : Nat) : GroupLaws (@Perm.mul n) (Perm.one n) (@Perm.inv n) :=
  ⟨fun _ _ _ => rfl, fun _ => rfl, fun _ => rfl,
   fun a => Perm.ext (Perm.mul (Perm.inv a) a) (Perm.one n)
     (funext fun i => a.left_inv i) (funext fun i => a.left_inv i)⟩

/-- `S_n` permutes a `Fin n`-indexed set: `(permute σ s) i = s (σ⁻¹ i)`. In torch:
`x[:, σ⁻¹]` along the set axis. -/
def permute {n : Nat} {X : Type} (p : Perm n) (s : Fin n → X) : Fin n → X :=
  fun i => s (p.invFun i)

/-- Permuting is an action of `S_n` on `Fin n`-indexed sets. -/
theorem permute_action (n : Nat) (X : Type) :
    GroupAction (@Perm.mul n) (Perm.one n) (@permute n X) :=
  ⟨fun _ => rfl, fun _ _ _ => rfl⟩

/-! ## The dihedral group `D₄` on square grids -/

/-- An element of `D₄` as a signed permutation of the two grid axes: the point map first
reflects the row index when `flipRow` and the column index when `flipCol`, then swaps the two
when `swap` (see `D4.pt`). Its 8 values are the 8 symmetries of the square. -/
structure D4 where
  /-- Transpose. -/
  swap : Bool
  /-- Reverse the row index. -/
  flipRow : Bool
  /-- Reverse the column index. -/
  flipCol : Bool

/-- Exclusive or, by cases (so that it reduces on literals). -/
def bxor : Bool → Bool → Bool
  | false, b => b
  | true, b => !b

/-- Reverse an index of `Fin k` when the flag is set (`Fin.rev i = k - 1 - i`). -/
def reflect (k : Nat) : Bool → Fin k → Fin k
  | false, i => i
  | true, i => Fin.rev i

/-- Swap the two coordinates when the flag is set. -/
def swapIf {k : Nat} : Bool → Fin k × Fin k → Fin k × Fin k
  | false, p => p
  | true, p => (p.2, p.1)

/-- The point map of `g` on the grid `Fin k × Fin k`. -/
def D4.pt (k : Nat) (g : D4) (p : Fin k × Fin k) : Fin k × Fin k :=
  swapIf g.swap (reflect k g.flipRow p.1, reflect k g.flipCol p.2)

/-- The group law of `D₄`, chosen so that `D4.pt (mul g h) = D4.pt h ∘ D4.pt g`. -/
def D4.mul : D4 → D4 → D4
  | ⟨false, a1, b1⟩, ⟨s2, a2, b2⟩ => ⟨s2, bxor a2 a1, bxor b2 b1⟩
  | ⟨true, a1, b1⟩, ⟨s2, a2, b2⟩ => ⟨!s2, bxor b2 a1, bxor a2 b1⟩

/-- The identity of `D₄`. -/
def D4.one : D4 := ⟨false, false, false⟩

/-- Inverses in `D₄`: reflections are involutions; with a swap, the two flags trade places. -/
def D4.inv : D4 → D4
  | ⟨false, a, b⟩ => ⟨false, a, b⟩
  | ⟨true, a, b⟩ => ⟨true, b, a⟩

/-- `D₄` acts on square grids by precomposition with the point map: `gridAct g x = x ∘ pt g`.
In torch: transpose the last two dims when `swap`, then flip rows / columns. -/
def gridAct {k : Nat} {X : Type} (g : D4) (x : Fin k × Fin k → X) : Fin k × Fin k → X :=
  fun p => x (D4.pt k g p)

/-- Two reflections compose to one. The four flag cases in the order `cases a <;> cases b`
leaves them: `(false, false)`, `(false, true)`, `(true, false)` close by computation; only
`(true, true)` needs `Fin.rev (Fin.rev i) = i` (`Fin.rev_rev`, core `Init/Data/Fin/Lemmas.lean`). -/
theorem reflect_reflect (k : Nat) (a b : Bool) (i : Fin k) :
    reflect k a (reflect k b i) = reflect k (bxor a b) i := by
  cases a <;> cases b
  · rfl
  · rfl
  · rfl
  · show Fin.rev (Fin.rev i) = i
    exact Fin.rev_rev i

/-- Swapping with a negated flag is swapping the pair first. -/
theorem swapIf_not {k : Nat} (s : Bool) (x y : Fin k) : swapIf (!s) (x, y) = swapIf s (y, x) := by
  cases s <;> rfl

/-- The point map reverses products: `pt (mul g h) = pt h ∘ pt g`. -/
theorem D4.pt_mul (k : Nat) (g h : D4) (p : Fin k × Fin k) :
    D4.pt k (D4.mul g h) p = D4.pt k h (D4.pt k g p) := by
  rcases g with ⟨s1, a1, b1⟩
  rcases h with ⟨s2, a2, b2⟩
  rcases p with ⟨i, j⟩
  cases s1
  · show swapIf s2 (reflect k (bxor a2 a1) i, reflect k (bxor b2 b1) j) =
      swapIf s2 (reflect k a2 (reflect k a1 i), reflect k b2 (reflect k b1 j))
    rw [reflect_reflect, reflect_reflect]
  · show swapIf (!s2) (reflect k (bxor b2 a1) i, reflect k (bxor a2 b1) j) =
      swapIf s2 (reflect k a2 (reflect k b1 j), reflect k b2 (reflect k a1 i))
    rw [reflect_reflect, reflect_reflect, swapIf_not]

/-- `gridAct` is an action of `D₄` on `Fin k × Fin k`-indexed grids. -/
theorem gridAct_action (k : Nat) (X : Type) : GroupAction D4.mul D4.one (@gridAct k X) :=
  ⟨fun _ => funext fun _ => rfl,
   fun g h x => funext fun p => congrArg x (D4.pt_mul k g h p).symm⟩

/-- `D₄` is a group (checked case by case over its 8 elements). -/
theorem d4_group_laws : GroupLaws D4.mul D4.one D4.inv := by
  refine ⟨fun a b c => ?_, fun a => ?_, fun a => ?_, fun a => ?_⟩
  · rcases a with ⟨s1, a1, b1⟩
    rcases b with ⟨s2, a2, b2⟩
    rcases c with ⟨s3, a3, b3⟩
    cases s1 <;> cases a1 <;> cases b1 <;> cases s2 <;> cases a2 <;> cases b2 <;>
      cases s3 <;> cases a3 <;> cases b3 <;> rfl
  · rcases a with ⟨s, x, y⟩
    cases s <;> cases x <;> cases y <;> rfl
  · rcases a with ⟨s, x, y⟩
    cases s <;> cases x <;> cases y <;> rfl
  · rcases a with ⟨s, x, y⟩
    cases s <;> cases x <;> cases y <;> rfl

end ArchLaw
