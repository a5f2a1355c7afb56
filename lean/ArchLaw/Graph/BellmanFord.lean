import ArchLaw.Attr
import ArchLaw.Graph.Semiring
import ArchLaw.Graph.MessagePassing

/-!
# Bellman–Ford as iterated relaxation in the saturating tropical semiring

* `RelaxCell K W cell` (an `@[arch_law]`, symbol `cell : Fin K → Fin K → Fin W → Fin K` supplied
  by a model): `cell dv du w = tmin dv (tshift du w)`, the relaxation `min(d_v, d_u + w)` with
  the sum saturated at `K - 1` ("unreachable or too far"). Its `K²·W` cases are checked
  exhaustively (K = 250, W = 16: 10^6 cases, the default budget).
* A graph is a list of edges `(u, v, w)`: from `u` to `v`, weight `w : Fin W`.
  `relaxAt cell d v es acc` runs the cell over the edges into `v`, starting from `acc`;
  `bfRound cell es d` relaxes every node once from the previous round's values `d` (Jacobi
  style: every edge reads `d`); `bellmanFord cell es d0 k` is `k` rounds from `d0`;
  `bfInit K hK s` is `0` at the source `s` and `K - 1` elsewhere.
* `Walk es s v j c`: a walk from `s` to `v` of `j` edges and total weight `c`.
* `bellmanFord_walks` (`@[arch_theorem]`, hypotheses `0 < K` and `RelaxCell K W cell`): after
  `k` rounds every node `v` holds the minimum weight over walks of at most `k` edges from `s`,
  saturated at `K - 1`. Stated as two halves: (1) its value is at most the weight of every such
  walk; (2) its value is `K - 1` or the weight of one such walk. For every graph, every number
  of nodes and rounds. Proved by induction on `k`, the round by induction on the edge list
  (`relaxAt_spec`).
* Not here: the corollary "`n - 1` rounds give the shortest-path distances on a graph of `n`
  nodes". It needs a cycle-removal (pigeonhole) argument on walks, which is not short without
  Mathlib's finset machinery; it is left out. What is proved already gives exactness for every
  walk bound `k`: run at least as many rounds as the longest shortest path has edges.

Written without a Lean toolchain: not compiled here. The module is not imported by
`ArchLaw.lean`, so an error in it cannot break the rest of `lake build`; the source reader
reads its laws.
-/

namespace ArchLaw

/-- The cell law of a relaxation (symbol `cell`, supplied by a model): from the current value
`dv` of a node, the value `du` of an in-neighbour and the edge's weight `w`, the cell computes
`min(dv, du + w)` in the saturating tropical semiring on `Fin K`. -/
@[arch_law] structure RelaxCell (K W : Nat) (cell : Fin K → Fin K → Fin W → Fin K) : Prop where
  /-- `cell dv du w = min(dv, du + w)`, the sum saturated at `K - 1`. -/
  relax : ∀ (dv : Fin K) (du : Fin K) (w : Fin W), cell dv du w = tmin dv (tshift du w)

/-- The reference relaxation. -/
def refRelax {K W : Nat} (dv du : Fin K) (w : Fin W) : Fin K := tmin dv (tshift du w)

/-- The reference relaxation meets the cell law. -/
theorem refRelax_relaxCell (K W : Nat) : RelaxCell K W (@refRelax K W) :=
  ⟨fun _ _ _ => rfl⟩

/-- The cell run over the edges `(u, v', w)` of `es` with `v' = v`, from `acc`, reading the
in-neighbours' values from `d`. -/
def relaxAt {n K W : Nat} (cell : Fin K → Fin K → Fin W → Fin K) (d : Fin n → Fin K) (v : Fin n)
    (es : List (Fin n × Fin n × Fin W)) (acc : Fin K) : Fin K :=
  es.foldr (fun (e : Fin n × Fin n × Fin W) (a : Fin K) =>
    if e.2.1 = v then cell a (d e.1) e.2.2 else a) acc

/-- One round: every node relaxed over its incoming edges from the previous values `d`. -/
def bfRound {n K W : Nat} (cell : Fin K → Fin K → Fin W → Fin K)
    (es : List (Fin n × Fin n × Fin W)) (d : Fin n → Fin K) : Fin n → Fin K :=
  fun (v : Fin n) => relaxAt cell d v es (d v)

/-- `k` rounds of relaxation from `d0`. -/
def bellmanFord {n K W : Nat} (cell : Fin K → Fin K → Fin W → Fin K)
    (es : List (Fin n × Fin n × Fin W)) (d0 : Fin n → Fin K) : Nat → Fin n → Fin K
  | 0 => d0
  | k + 1 => bfRound cell es (bellmanFord cell es d0 k)

/-- The initial values: `0` at the source, `K - 1` ("unreachable") elsewhere. -/
def bfInit {n : Nat} (K : Nat) (hK : 0 < K) (s : Fin n) : Fin n → Fin K :=
  fun (v : Fin n) => if v = s then ⟨0, hK⟩ else ⟨K - 1, by omega⟩

/-- `Walk es s v j c`: a walk from `s` to `v` along edges of `es`, with `j` edges of total
weight `c`. -/
inductive Walk {n W : Nat} (es : List (Fin n × Fin n × Fin W)) (s : Fin n) :
    Fin n → Nat → Nat → Prop where
  | nil : Walk es s s 0 0
  | cons {u v : Fin n} {j c : Nat} (w : Fin W) :
      Walk es s u j c → InList (u, v, w) es → Walk es s v (j + 1) (c + w.val)

/-- Membership in `y :: l`: `x = y` or membership in `l`. -/
theorem InList.cons_inv {A : Type} {x y : A} {l : List A} (h : InList x (y :: l)) :
    x = y ∨ InList x l := by
  cases h with
  | head => exact Or.inl rfl
  | tail _ _ _ h' => exact Or.inr h'

/-- Nothing is in the empty list. -/
theorem InList.nil_inv {A : Type} {x : A} (h : InList x []) : False := by
  cases h

/-- One node's relaxation over an edge list, for a lawful cell: its value is at most `acc`,
at most `d u + w` (saturated) for every edge `(u, v, w)` into `v`, and equal to `acc` or to
one of those. -/
theorem relaxAt_spec {n K W : Nat} {cell : Fin K → Fin K → Fin W → Fin K}
    (h : RelaxCell K W cell) (d : Fin n → Fin K) (v : Fin n) (acc : Fin K) :
    ∀ (es : List (Fin n × Fin n × Fin W)),
      (relaxAt cell d v es acc).val ≤ acc.val ∧
      (∀ (u : Fin n) (w : Fin W), InList (u, v, w) es →
        (relaxAt cell d v es acc).val ≤ satVal K ((d u).val + w.val)) ∧
      ((relaxAt cell d v es acc).val = acc.val ∨
        ∃ (u : Fin n) (w : Fin W), InList (u, v, w) es ∧
          (relaxAt cell d v es acc).val = satVal K ((d u).val + w.val)) := by
  intro es
  induction es with
  | nil =>
    exact ⟨Nat.le_refl _, fun u w hm => False.elim (InList.nil_inv hm), Or.inl rfl⟩
  | cons e es ih =>
    obtain ⟨ih1, ih2, ih3⟩ := ih
    rcases e with ⟨a, b, w0⟩
    have hstep : relaxAt cell d v ((a, b, w0) :: es) acc =
        (if b = v then cell (relaxAt cell d v es acc) (d a) w0 else relaxAt cell d v es acc) :=
      rfl
    rw [hstep]
    by_cases hb : b = v
    · rw [if_pos hb, h.relax]
      have hv : (tmin (relaxAt cell d v es acc) (tshift (d a) w0)).val =
          nmin (relaxAt cell d v es acc).val (satVal K ((d a).val + w0.val)) := rfl
      rw [hv]
      have hc := nmin_cases (relaxAt cell d v es acc).val (satVal K ((d a).val + w0.val))
      refine ⟨by omega, fun u w hm => ?_, ?_⟩
      · rcases InList.cons_inv hm with he | hm'
        · cases he
          omega
        · have h2 := ih2 u w hm'
          omega
      · rcases hc with ⟨h1, _⟩ | ⟨h1, _⟩
        · rcases ih3 with h3 | ⟨u, w, hm, h3⟩
          · left
            omega
          · right
            exact ⟨u, w, InList.tail _ _ _ hm, by omega⟩
        · right
          subst hb
          exact ⟨a, w0, InList.head _ _, h1⟩
    · rw [if_neg hb]
      refine ⟨ih1, fun u w hm => ?_, ?_⟩
      · rcases InList.cons_inv hm with he | hm'
        · cases he
          exact absurd rfl hb
        · exact ih2 u w hm'
      · rcases ih3 with h3 | ⟨u, w, hm, h3⟩
        · exact Or.inl h3
        · exact Or.inr ⟨u, w, InList.tail _ _ _ hm, h3⟩

/-- Bellman–Ford with any cell that meets `RelaxCell` is exact for walks of at most `k` edges:
after `k` rounds from the source `s`, every node `v` holds the minimum weight over the walks
from `s` to `v` of at most `k` edges, saturated at `K - 1`, for every graph, every number of
nodes and every `k`. (1) Its value is at most the weight of each such walk; (2) it is `K - 1`
or the weight of one such walk. -/
@[arch_theorem] theorem bellmanFord_walks {n K W : Nat} (hK : 0 < K)
    {cell : Fin K → Fin K → Fin W → Fin K} (h : RelaxCell K W cell)
    (es : List (Fin n × Fin n × Fin W)) (s : Fin n) :
    ∀ (k : Nat) (v : Fin n),
      (∀ (j : Nat) (c : Nat), Walk es s v j c → j ≤ k →
        (bellmanFord cell es (bfInit K hK s) k v).val ≤ c) ∧
      ((bellmanFord cell es (bfInit K hK s) k v).val = K - 1 ∨
        ∃ (j : Nat), j ≤ k ∧ Walk es s v j (bellmanFord cell es (bfInit K hK s) k v).val) := by
  intro k
  induction k with
  | zero =>
    intro v
    by_cases hv : v = s
    · have h0 : (bellmanFord cell es (bfInit K hK s) 0 v).val = 0 := by
        show (bfInit K hK s v).val = 0
        simp only [bfInit, if_pos hv]
      refine ⟨fun j c _ _ => by omega, Or.inr ⟨0, Nat.le_refl 0, ?_⟩⟩
      rw [h0]
      subst hv
      exact Walk.nil
    · have h0 : (bellmanFord cell es (bfInit K hK s) 0 v).val = K - 1 := by
        show (bfInit K hK s v).val = K - 1
        simp only [bfInit, if_neg hv]
      refine ⟨fun j c hw hj => ?_, Or.inl h0⟩
      exfalso
      cases hw with
      | nil => exact hv rfl
      | cons w hw' hm => omega
  | succ k ih =>
    intro v
    have hD : bellmanFord cell es (bfInit K hK s) (k + 1) v =
        relaxAt cell (bellmanFord cell es (bfInit K hK s) k) v es
          (bellmanFord cell es (bfInit K hK s) k v) := rfl
    obtain ⟨r1, r2, r3⟩ := relaxAt_spec h (bellmanFord cell es (bfInit K hK s) k) v
      (bellmanFord cell es (bfInit K hK s) k v) es
    obtain ⟨iv1, iv2⟩ := ih v
    rw [hD]
    constructor
    · intro j c hw hj
      cases hw with
      | nil =>
        have h0 := iv1 0 0 Walk.nil (Nat.zero_le k)
        omega
      | @cons u v' j' c' w hw' hm =>
        have hu := (ih u).1 j' c' hw' (by omega)
        have h2 := r2 u w hm
        have hs := satVal_cases K ((bellmanFord cell es (bfInit K hK s) k u).val + w.val)
        omega
    · rcases r3 with e1 | ⟨u, w, hm, e2⟩
      · rcases iv2 with t | ⟨j, hj, hw⟩
        · left
          omega
        · right
          refine ⟨j, by omega, ?_⟩
          rw [e1]
          exact hw
      · have hs := satVal_cases K ((bellmanFord cell es (bfInit K hK s) k u).val + w.val)
        rcases hs with ⟨hs1, hs2⟩ | ⟨hs1, hs2⟩
        · rcases (ih u).2 with t | ⟨j, hj, hw⟩
          · left
            omega
          · right
            refine ⟨j + 1, by omega, ?_⟩
            rw [e2, hs1]
            exact Walk.cons w hw hm
        · left
          omega

end ArchLaw
