import ArchLaw.Attr
import ArchLaw.Recursion

/-!
# Para: parameters, weight tying and sharing as reparametrisations

In categorical deep learning a layer is a morphism of the 2-category Para: a parameter type `P`
and a function `f : P × A → B`. Composing layers takes the product of their parameters
(`comp`); a reparametrisation `r : Q → P` (a 2-cell) turns `f` into `reparam r f : Q × A → B`;
weight tying is the reparametrisation along the copy map `diag : P → P × P` (`tie`). Composition
is associative and unital only up to the canonical reparametrisations (the product associator
`assocR` and unitors `unitL`, `unitR`): `comp_assoc`, `ident_comp`, `comp_ident`.

Unrolling: the n-fold composite of an endomorphism `c : P × A → A` has parameter `P^n`
(`ParamPow P n`); tied along `Δⁿ` (`diagPow n`) it is `unroll c n : P × A → A`, and
`unroll c (n + m) = unroll c m` after `unroll c n` (`unroll_add`). With inputs: a recurrent cell
`cell : (P × X) × H → H` is an endomorphism of `H` whose parameter holds the weights and one input;
its n-fold composite, tied along `Δⁿ` beside the n inputs (`tieInputs`), is the left fold of the
cell over the inputs (`unrollInputs_eq_foldl`), so a run meeting `ArchLaw.FoldlLaws` of
`ArchLaw.Recursion` is that unrolled network (`unroll_eq_run`).

The gradient side, in the style of reverse derivative categories. The engine samples first-order
values only, so the reverse derivative is not a higher-order operator here: each morphism `f`
gets its own symbol `Rf : P × A × B → P × A` beside it (`(p, a, b) ↦ (∂p, ∂a)`, the
vector-Jacobian product of the cotangent `b`), supplied by autograd on the model.

* Laws (`@[arch_law]`): `TiedLaw` (tied equals untied on the diagonal), `AssocLaw`,
  `UnrollLaw`, `ChainRule` (the reverse derivative of a composite), `ReparamRule` (of a
  reparametrisation), `CopyLaw` (`Rdup (p, (u, v)) = u + v`: the reverse derivative of the copy
  map is addition; `+` is the sort's own, an instance binder, never a symbol), `TiedGradLaw`.
* Theorem (`@[arch_theorem]`): `tied_grad_sum`: for any symbols meeting `ReparamRule` along
  `dup` and `CopyLaw`, the tied layer's reverse derivative is the sum of its two copies'
  parameter gradients (`TiedGradLaw`).
* The torch side is `archlaw/models/para/` (`Para`, `reparam`, `tie`, `unroll`; each `R…`
  symbol is `torch.func.vjp` on the morphism).

Written without a Lean toolchain: not compiled here. The module is not imported by
`ArchLaw.lean`, so an error in it cannot break the rest of `lake build`; the source reader reads
its laws and theorems.
-/

namespace ArchLaw.Para

/-! ## Para over types and functions -/

/-- Sequential composition in Para: `f : P × A → B` then `g : Q × B → C`, with parameter
`P × Q` (first the parameter of `f`). -/
def comp {P Q A B C : Type} (f : P × A → B) (g : Q × B → C) : (P × Q) × A → C :=
  fun (x : (P × Q) × A) => g (Prod.snd (Prod.fst x), f (Prod.fst (Prod.fst x), Prod.snd x))

/-- The identity of `A` in Para, with the trivial parameter `Unit`. -/
def ident (A : Type) : Unit × A → A :=
  fun (x : Unit × A) => Prod.snd x

/-- Parallel composition (the monoidal product): `f` and `g` side by side, parameter `P × Q`. -/
def par {P Q A B C D : Type} (f : P × A → B) (g : Q × C → D) : (P × Q) × (A × C) → B × D :=
  fun (x : (P × Q) × (A × C)) =>
    (f (Prod.fst (Prod.fst x), Prod.fst (Prod.snd x)), g (Prod.snd (Prod.fst x), Prod.snd (Prod.snd x)))

/-- Reparametrisation along `r : Q → P` (a 2-cell of Para). -/
def reparam {P Q A B : Type} (r : Q → P) (f : P × A → B) : Q × A → B :=
  fun (x : Q × A) => f (r (Prod.fst x), Prod.snd x)

/-- The product associator `(P × Q) × R → P × (Q × R)`. -/
def assocR {P Q R : Type} (x : (P × Q) × R) : P × (Q × R) :=
  (Prod.fst (Prod.fst x), (Prod.snd (Prod.fst x), Prod.snd x))

/-- The left unitor `Unit × P → P`. -/
def unitL {P : Type} (x : Unit × P) : P := Prod.snd x

/-- The right unitor `P × Unit → P`. -/
def unitR {P : Type} (x : P × Unit) : P := Prod.fst x

/-- The copy map `Δ : P → P × P`. -/
def diag {P : Type} (p : P) : P × P := (p, p)

/-- Weight tying: reparametrisation along `Δ`, so both copies of the parameter are one. -/
def tie {P A B : Type} (f : (P × P) × A → B) : P × A → B := reparam diag f

/-- Composition is associative up to the associator. -/
theorem comp_assoc {P Q R A B C D : Type} (f : P × A → B) (g : Q × B → C) (h : R × C → D) :
    comp (comp f g) h = reparam assocR (comp f (comp g h)) :=
  funext fun _ => rfl

/-- The identity is a left unit up to the left unitor. -/
theorem ident_comp {P A B : Type} (f : P × A → B) : comp (ident A) f = reparam unitL f :=
  funext fun _ => rfl

/-- The identity is a right unit up to the right unitor. -/
theorem comp_ident {P A B : Type} (f : P × A → B) : comp f (ident B) = reparam unitR f :=
  funext fun _ => rfl

/-- Reparametrising along the identity changes nothing. -/
theorem reparam_id {P A B : Type} (f : P × A → B) : reparam (fun (p : P) => p) f = f :=
  funext fun x => by cases x; rfl

/-- Reparametrisations compose (contravariantly). -/
theorem reparam_reparam {P Q S A B : Type} (r : Q → P) (s : S → Q) (f : P × A → B) :
    reparam s (reparam r f) = reparam (fun (x : S) => r (s x)) f :=
  funext fun _ => rfl

/-- Composition respects reparametrisation of either factor (whiskering of 2-cells). -/
theorem comp_reparam {P P' Q Q' A B C : Type} (r : P' → P) (s : Q' → Q) (f : P × A → B)
    (g : Q × B → C) :
    comp (reparam r f) (reparam s g) =
      reparam (fun (x : P' × Q') => (r (Prod.fst x), s (Prod.snd x))) (comp f g) :=
  funext fun _ => rfl

/-- Tying evaluates the untied layer on the diagonal. -/
theorem tie_apply {P A B : Type} (f : (P × P) × A → B) (p : P) (a : A) :
    tie f (p, a) = f ((p, p), a) := rfl

/-! ## Unrolling: n-fold composites tied along Δⁿ -/

/-- `P^n` as an iterated product: `ParamPow P 0 = Unit`, `ParamPow P (n + 1) = P^n × P`. -/
def ParamPow (P : Type) : Nat → Type
  | 0 => Unit
  | n + 1 => ParamPow P n × P

/-- The n-fold sequential composite of an endomorphism `c` of Para, parameter `P^n`; the last
factor's parameter is the last component. -/
def iterate {P A : Type} (c : P × A → A) : (n : Nat) → ParamPow P n × A → A
  | 0 => ident A
  | n + 1 => comp (iterate c n) c

/-- `Δⁿ : P → P^n`, every component the same parameter. -/
def diagPow {P : Type} : (n : Nat) → P → ParamPow P n
  | 0 => fun (_ : P) => ()
  | n + 1 => fun (p : P) => (diagPow n p, p)

/-- The n-fold composite of `c`, tied along `Δⁿ`: one parameter shared by every step. -/
def unroll {P A : Type} (c : P × A → A) (n : Nat) : P × A → A :=
  reparam (diagPow n) (iterate c n)

/-- Unrolling zero times is the identity. -/
theorem unroll_zero {P A : Type} (c : P × A → A) (p : P) (a : A) : unroll c 0 (p, a) = a := rfl

/-- One more step applies the cell once more, with the same parameter. -/
theorem unroll_succ {P A : Type} (c : P × A → A) (n : Nat) (p : P) (a : A) :
    unroll c (n + 1) (p, a) = c (p, unroll c n (p, a)) := rfl

/-- `unroll (n + m)` is `unroll m` after `unroll n`, at the same parameter. -/
theorem unroll_add {P A : Type} (c : P × A → A) (n : Nat) :
    ∀ (m : Nat) (p : P) (a : A), unroll c (n + m) (p, a) = unroll c m (p, unroll c n (p, a)) := by
  intro m
  induction m with
  | zero => intro p a; rfl
  | succ k ih =>
    intro p a
    show c (p, unroll c (n + k) (p, a)) = c (p, unroll c k (p, unroll c n (p, a)))
    rw [ih p a]

/-- Tie the parameter along `Δⁿ` beside `n` inputs: `(p, (x₁, …, xₙ)) ↦ ((p, x₁), …, (p, xₙ))`. -/
def tieInputs {P X : Type} : (n : Nat) → P × ParamPow X n → ParamPow (P × X) n
  | 0 => fun (_ : P × ParamPow X 0) => ()
  | n + 1 => fun (y : P × ParamPow X (n + 1)) =>
    (tieInputs n (Prod.fst y, Prod.fst (Prod.snd y)), (Prod.fst y, Prod.snd (Prod.snd y)))

/-- The inputs `(x₁, …, xₙ)` as the list `[x₁, …, xₙ]`. -/
def vecToList {X : Type} : (n : Nat) → ParamPow X n → List X
  | 0 => fun (_ : ParamPow X 0) => []
  | n + 1 => fun (xs : ParamPow X (n + 1)) => vecToList n (Prod.fst xs) ++ [Prod.snd xs]

/-- A recurrent network as Para: the n-fold composite of `cell` (an endomorphism of `H` whose
parameter holds the weights and one input), tied along `Δⁿ` on the weights. -/
def unrollInputs {P X H : Type} (cell : (P × X) × H → H) (n : Nat) :
    (P × ParamPow X n) × H → H :=
  reparam (tieInputs n) (iterate cell n)

/-- The unrolling theorem: the n-fold composite of a cell, tied along `Δⁿ`, is the left fold of
the cell over the n inputs. -/
theorem unrollInputs_eq_foldl {P X H : Type} (cell : (P × X) × H → H) (p : P) :
    ∀ (n : Nat) (xs : ParamPow X n) (h : H),
      unrollInputs cell n ((p, xs), h) =
        List.foldl (fun (s : H) (x : X) => cell ((p, x), s)) h (vecToList n xs) := by
  intro n
  induction n with
  | zero => intro xs h; rfl
  | succ k ih =>
    intro xs h
    show cell ((p, Prod.snd xs), unrollInputs cell k ((p, Prod.fst xs), h)) =
      List.foldl (fun (s : H) (x : X) => cell ((p, x), s)) h
        (vecToList k (Prod.fst xs) ++ [Prod.snd xs])
    rw [List.foldl_append, ih (Prod.fst xs) h]
    all_goals rfl

/-- With `ArchLaw.Recursion`: a run that meets the left-fold laws of the tied cell is the
unrolled Para network on every input sequence. -/
theorem unroll_eq_run {P X H : Type} {cell : (P × X) × H → H} {p : P} {h0 : H}
    {run : List X → H} (h : FoldlLaws (fun (s : H) (x : X) => cell ((p, x), s)) h0 run) :
    ∀ (n : Nat) (xs : ParamPow X n), unrollInputs cell n ((p, xs), h0) = run (vecToList n xs) := by
  intro n xs
  rw [unrollInputs_eq_foldl cell p n xs h0, h.eq_foldl]

/-! ## Laws checked on models -/

/-- Tying is reparametrisation along `Δ`: the tied layer is the untied one on the diagonal.
Symbols: `untied` and `tied` (supplied by a model: a layer before and after `tie`). -/
@[arch_law] structure TiedLaw {P A B : Type} (untied : (P × P) × A → B) (tied : P × A → B) :
    Prop where
  /-- The tied layer at `p` is the untied layer at `(p, p)`. -/
  diag : ∀ (p : P) (a : A), tied (p, a) = untied ((p, p), a)

/-- Composition is associative up to the associator. Symbols: `fg_h = (f ; g) ; h` and
`f_gh = f ; (g ; h)` (supplied by a model: the two bracketings of one chain of layers). -/
@[arch_law] structure AssocLaw {P Q R A D : Type} (fg_h : ((P × Q) × R) × A → D)
    (f_gh : (P × (Q × R)) × A → D) : Prop where
  /-- Both bracketings agree once the parameters are reassociated. -/
  assoc : ∀ (p : P) (q : Q) (r : R) (a : A), fg_h (((p, q), r), a) = f_gh ((p, (q, r)), a)

/-- Unrolling is additive. Symbols: `un`, `um`, `unm` (supplied by a model: one cell unrolled
`n`, `m` and `n + m` times, tied). -/
@[arch_law] structure UnrollLaw {P A : Type} (un : P × A → A) (um : P × A → A)
    (unm : P × A → A) : Prop where
  /-- `n + m` steps are `m` steps after `n` steps, at the same parameter. -/
  unroll_add : ∀ (p : P) (a : A), unm (p, a) = um (p, un (p, a))

/-- The chain rule of reverse derivatives for the composite `comp f g`. Symbols: `f` and the
reverse derivatives `Rf`, `Rg`, `Rgf` of `f`, `g` and the composite (each supplied by autograd
on a model's morphism: `R h (p, (a, b))` is `(∂p, ∂a)` of the cotangent `b`). -/
@[arch_law] structure ChainRule {P Q A B C : Type} (f : P × A → B) (Rf : P × (A × B) → P × A)
    (Rg : Q × (B × C) → Q × B) (Rgf : (P × Q) × (A × C) → (P × Q) × A) : Prop where
  /-- Pull the cotangent back through `g`, then through `f`; pair the parameter gradients. -/
  chain : ∀ (p : P) (q : Q) (a : A) (c : C),
    Rgf ((p, q), (a, c)) =
      ((Prod.fst (Rf (p, (a, Prod.snd (Rg (q, (f (p, a), c)))))),
        Prod.fst (Rg (q, (f (p, a), c)))),
       Prod.snd (Rf (p, (a, Prod.snd (Rg (q, (f (p, a), c)))))))

/-- The chain rule for a reparametrisation `reparam r f`. Symbols: `r` and the reverse
derivatives `Rr`, `Rf`, `Rfr` of `r`, `f` and `reparam r f`. -/
@[arch_law] structure ReparamRule {P Q A B : Type} (r : Q → P) (Rr : Q × P → Q)
    (Rf : P × (A × B) → P × A) (Rfr : Q × (A × B) → Q × A) : Prop where
  /-- Pull the cotangent back through `f` at `r q`, then the parameter gradient through `r`. -/
  chain : ∀ (q : Q) (a : A) (b : B),
    Rfr (q, (a, b)) = (Rr (q, Prod.fst (Rf (r q, (a, b)))), Prod.snd (Rf (r q, (a, b))))

/-- The copy map and its reverse derivative: copying forward is adding backward. Symbols: `dup`
and `Rdup` (supplied by autograd on a model's copy map); `+` is the sort's own addition. -/
@[arch_law] structure CopyLaw {P : Type} [Add P] (dup : P → P × P) (Rdup : P × (P × P) → P) :
    Prop where
  /-- `dup` copies. -/
  dup_diag : ∀ (p : P), dup p = (p, p)
  /-- The gradients of the two copies add. -/
  copy : ∀ (p : P) (u : P) (v : P), Rdup (p, (u, v)) = u + v

/-- The gradient of a tied weight is the sum of the gradients of its copies. Symbols: `Rf` (the
reverse derivative of the untied layer) and `Rtied` (of the tied layer). -/
@[arch_law] structure TiedGradLaw {P A B : Type} [Add P] (Rf : (P × P) × (A × B) → (P × P) × A)
    (Rtied : P × (A × B) → P × A) : Prop where
  /-- The tied parameter gradient is the sum of the two copies' gradients at `(p, p)`. -/
  sum_copies : ∀ (p : P) (a : A) (b : B),
    Rtied (p, (a, b)) =
      (Prod.fst (Prod.fst (Rf ((p, p), (a, b)))) + Prod.snd (Prod.fst (Rf ((p, p), (a, b)))),
       Prod.snd (Rf ((p, p), (a, b))))

/-! ## The tied gradient theorem, and the definitions meet the laws -/

/-- For any symbols meeting the chain rule of the reparametrisation along `dup` and the copy law,
the tied layer's reverse derivative is the sum of the copies' parameter gradients. -/
@[arch_theorem] theorem tied_grad_sum {P A B : Type} [Add P] {dup : P → P × P}
    {Rdup : P × (P × P) → P} {Rf : (P × P) × (A × B) → (P × P) × A}
    {Rtied : P × (A × B) → P × A} (hR : ReparamRule dup Rdup Rf Rtied) (hC : CopyLaw dup Rdup) :
    TiedGradLaw Rf Rtied := by
  constructor
  intro p a b
  rw [hR.chain p a b, hC.dup_diag p]
  generalize Rf ((p, p), (a, b)) = r
  rcases r with ⟨⟨u, v⟩, da⟩
  exact congrArg (fun (s : P) => (s, da)) (hC.copy p u v)

/-- `tie` meets the tying law. -/
theorem tie_tiedLaw {P A B : Type} (f : (P × P) × A → B) : TiedLaw f (tie f) :=
  ⟨fun _ _ => rfl⟩

/-- The two bracketings of `comp` meet the associativity law. -/
theorem comp_assocLaw {P Q R A B C D : Type} (f : P × A → B) (g : Q × B → C) (h : R × C → D) :
    AssocLaw (comp (comp f g) h) (comp f (comp g h)) :=
  ⟨fun _ _ _ _ => rfl⟩

/-- `unroll` meets the unrolling law. -/
theorem unroll_unrollLaw {P A : Type} (c : P × A → A) (n m : Nat) :
    UnrollLaw (unroll c n) (unroll c m) (unroll c (n + m)) :=
  ⟨fun p a => unroll_add c n m p a⟩

end ArchLaw.Para
