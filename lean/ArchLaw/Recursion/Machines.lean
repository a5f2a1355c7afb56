import ArchLaw.Attr
import ArchLaw.Recursion.Functors

/-!
# Mealy and Moore machines as coalgebras

A Mealy machine on inputs `I` and outputs `O` with states `S` is a coalgebra
`S → (I → S) × (I → O)` of `mealyF I O`: a transition `nextState` and an output `output` per
input. A Moore machine (`mooreF I O`) outputs one value per state visited, the first included.

The laws speak of the runs a model supplies: `state s u`, the state after reading `u` from `s`,
and `out s u`, the outputs (Mealy: one per input; Moore: one per state visited, so
`length u + 1`). They give the restart law (`state s (u ++ v) = state (state s u) v`, and the
outputs split accordingly), causality for Mealy machines, and that coalgebra homomorphisms are
state compressions that preserve every output.
-/

namespace ArchLaw

/-! ## Mealy machines -/

/-- A Mealy machine as a coalgebra of `mealyF I O`. -/
def mealyCoalg {S I O : Type} (nextState : S → I → S) (output : S → I → O) :
    Coalgebra (mealyF I O) where
  carrier := S
  str := fun (s : S) => MealyF.mk (nextState s) (output s)

/-- `state` and `out` are the runs of the Mealy machine (`nextState`, `output`).
Symbols: `nextState : S → I → S`, `output : S → I → O`, `state : S → List I → S`,
`out : S → List I → List O`. -/
@[arch_law] structure MealyLaws {S I O : Type} (nextState : S → I → S) (output : S → I → O)
    (state : S → List I → S) (out : S → List I → List O) : Prop where
  /-- Reading nothing stays put. -/
  state_nil : ∀ (s : S), state s [] = s
  /-- Reading `i` then `u` is a step then the rest. -/
  state_cons : ∀ (s : S) (i : I) (u : List I), state s (i :: u) = state (nextState s i) u
  /-- Reading nothing outputs nothing. -/
  out_nil : ∀ (s : S), out s [] = []
  /-- One output per input: the step's output, then the rest's. -/
  out_cons : ∀ (s : S) (i : I) (u : List I),
    out s (i :: u) = output s i :: out (nextState s i) u

/-- The restart law: running `u ++ v` is running `u`, then restarting from the state reached.
Symbols: `state : S → List I → S`, `out : S → List I → List O`. -/
@[arch_law] structure RestartLaws {S I O : Type} (state : S → List I → S)
    (out : S → List I → List O) : Prop where
  /-- States compose. -/
  state_append : ∀ (s : S) (u : List I) (v : List I), state s (u ++ v) = state (state s u) v
  /-- Outputs concatenate. -/
  out_append : ∀ (s : S) (u : List I) (v : List I),
    out s (u ++ v) = out s u ++ out (state s u) v

/-- Causality: the outputs for a prefix `u` do not depend on what follows it.
Symbol: `out : S → List I → List O`. -/
@[arch_law] structure CausalLaw {S I O : Type} (out : S → List I → List O) : Prop where
  /-- The first `length u` outputs on `u ++ v` are the outputs on `u`. -/
  causal : ∀ (s : S) (u : List I) (v : List I), List.take (List.length u) (out s (u ++ v)) = out s u

/-- Under the Mealy laws, states compose along `u ++ v`. -/
theorem MealyLaws.state_append {S I O : Type} {nextState : S → I → S} {output : S → I → O}
    {state : S → List I → S} {out : S → List I → List O}
    (h : MealyLaws nextState output state out) :
    ∀ (u : List I) (s : S) (v : List I), state s (u ++ v) = state (state s u) v := by
  intro u
  induction u with
  | nil =>
    intro s v
    exact (congrArg (fun (t : S) => state t v) (h.state_nil s)).symm
  | cons i u ih =>
    intro s v
    exact (h.state_cons s i (u ++ v)).trans ((ih (nextState s i) v).trans
      (congrArg (fun (t : S) => state t v) (h.state_cons s i u).symm))

/-- Under the Mealy laws, outputs concatenate along `u ++ v`. -/
theorem MealyLaws.out_append {S I O : Type} {nextState : S → I → S} {output : S → I → O}
    {state : S → List I → S} {out : S → List I → List O}
    (h : MealyLaws nextState output state out) :
    ∀ (u : List I) (s : S) (v : List I), out s (u ++ v) = out s u ++ out (state s u) v := by
  intro u
  induction u with
  | nil =>
    intro s v
    exact ((congrArg (fun (t : S) => out t v) (h.state_nil s)).symm).trans
      (congrArg (fun (l : List O) => l ++ out (state s []) v) (h.out_nil s).symm)
  | cons i u ih =>
    intro s v
    exact (h.out_cons s i (u ++ v)).trans
      ((congrArg (fun (l : List O) => output s i :: l) (ih (nextState s i) v)).trans
        ((congrArg (fun (l : List O) => l ++ out (state (nextState s i) u) v)
            (h.out_cons s i u).symm).trans
          (congrArg (fun (t : S) => out s (i :: u) ++ out t v) (h.state_cons s i u).symm)))

/-- The runs of a Mealy machine satisfy the restart law. -/
@[arch_theorem] theorem MealyLaws.restart {S I O : Type} {nextState : S → I → S}
    {output : S → I → O} {state : S → List I → S} {out : S → List I → List O}
    (h : MealyLaws nextState output state out) : RestartLaws state out :=
  { state_append := fun s u v => h.state_append u s v
    out_append := fun s u v => h.out_append u s v }

/-- Under the Mealy laws, the first `length u` outputs on `u ++ v` are the outputs on `u`. -/
theorem MealyLaws.take_out {S I O : Type} {nextState : S → I → S} {output : S → I → O}
    {state : S → List I → S} {out : S → List I → List O}
    (h : MealyLaws nextState output state out) :
    ∀ (u : List I) (s : S) (v : List I), List.take (List.length u) (out s (u ++ v)) = out s u := by
  intro u
  induction u with
  | nil =>
    intro s v
    exact (h.out_nil s).symm
  | cons i u ih =>
    intro s v
    exact (congrArg (List.take (List.length (i :: u))) (h.out_cons s i (u ++ v))).trans
      ((congrArg (fun (l : List O) => output s i :: l) (ih (nextState s i) v)).trans
        (h.out_cons s i u).symm)

/-- Mealy machines are causal. -/
@[arch_theorem] theorem MealyLaws.causal {S I O : Type} {nextState : S → I → S}
    {output : S → I → O} {state : S → List I → S} {out : S → List I → List O}
    (h : MealyLaws nextState output state out) : CausalLaw out :=
  { causal := fun s u v => h.take_out u s v }

/-- `h` is a homomorphism of Mealy machines (a coalgebra homomorphism of `mealyF I O`): it
commutes with the transitions and preserves the outputs. Symbols: `nextS`, `outputS` (the
machine on `S`), `nextT`, `outputT` (the machine on `T`), and the state map `h`. -/
@[arch_law] structure MealyHomLaw {S T I O : Type} (nextS : S → I → S) (outputS : S → I → O)
    (nextT : T → I → T) (outputT : T → I → O) (h : S → T) : Prop where
  /-- `h` commutes with the transitions. -/
  map_next : ∀ (s : S) (i : I), h (nextS s i) = nextT (h s) i
  /-- `h` preserves the outputs. -/
  map_output : ∀ (s : S) (i : I), outputT (h s) i = outputS s i

/-- A Mealy homomorphism is a homomorphism of the coalgebras. -/
def MealyHomLaw.toHom {S T I O : Type} {nextS : S → I → S} {outputS : S → I → O}
    {nextT : T → I → T} {outputT : T → I → O} {h : S → T}
    (hh : MealyHomLaw nextS outputS nextT outputT h) :
    Coalgebra.Hom (mealyCoalg nextS outputS) (mealyCoalg nextT outputT) where
  toFun := h
  comm := fun (s : S) =>
    (congrArg (fun (n : I → T) => MealyF.mk n (outputT (h s)))
        (funext fun (i : I) => (hh.map_next s i).symm)).trans
      (congrArg (fun (e : I → O) => MealyF.mk (fun (i : I) => h (nextS s i)) e)
        (funext fun (i : I) => hh.map_output s i))

/-- A Mealy homomorphism carries the state reached on any input to the state reached from the
image. -/
theorem MealyHomLaw.state_comm {S T I O : Type} {nextS : S → I → S} {outputS : S → I → O}
    {stateS : S → List I → S} {outS : S → List I → List O}
    {nextT : T → I → T} {outputT : T → I → O}
    {stateT : T → List I → T} {outT : T → List I → List O} {h : S → T}
    (hS : MealyLaws nextS outputS stateS outS) (hT : MealyLaws nextT outputT stateT outT)
    (hh : MealyHomLaw nextS outputS nextT outputT h) :
    ∀ (u : List I) (s : S), h (stateS s u) = stateT (h s) u := by
  intro u
  induction u with
  | nil =>
    intro s
    exact (congrArg h (hS.state_nil s)).trans (hT.state_nil (h s)).symm
  | cons i u ih =>
    intro s
    exact (congrArg h (hS.state_cons s i u)).trans ((ih (nextS s i)).trans
      ((congrArg (fun (t : T) => stateT t u) (hh.map_next s i)).trans
        (hT.state_cons (h s) i u).symm))

/-- Coalgebra homomorphisms are state compressions that preserve every output: the machine on
`T` started at `h s` produces exactly the outputs of the machine on `S` started at `s`. -/
@[arch_theorem] theorem MealyHomLaw.preserves_out {S T I O : Type} {nextS : S → I → S}
    {outputS : S → I → O} {stateS : S → List I → S} {outS : S → List I → List O}
    {nextT : T → I → T} {outputT : T → I → O}
    {stateT : T → List I → T} {outT : T → List I → List O} {h : S → T}
    (hS : MealyLaws nextS outputS stateS outS) (hT : MealyLaws nextT outputT stateT outT)
    (hh : MealyHomLaw nextS outputS nextT outputT h) :
    ∀ (u : List I) (s : S), outT (h s) u = outS s u := by
  intro u
  induction u with
  | nil =>
    intro s
    exact (hT.out_nil (h s)).trans (hS.out_nil s).symm
  | cons i u ih =>
    intro s
    exact (hT.out_cons (h s) i u).trans
      ((congrArg (fun (o : O) => o :: outT (nextT (h s) i) u) (hh.map_output s i)).trans
        ((congrArg (fun (t : T) => outputS s i :: outT t u) (hh.map_next s i).symm).trans
          ((congrArg (fun (l : List O) => outputS s i :: l) (ih (nextS s i))).trans
            (hS.out_cons s i u).symm)))

/-! ## Moore machines -/

/-- A Moore machine as a coalgebra of `mooreF I O`. -/
def mooreCoalg {S I O : Type} (nextState : S → I → S) (output : S → O) :
    Coalgebra (mooreF I O) where
  carrier := S
  str := fun (s : S) => MooreF.mk (nextState s) (output s)

/-- `state` and `out` are the runs of the Moore machine (`nextState`, `output`): one output per
state visited, the first included. Symbols: `nextState : S → I → S`, `output : S → O`,
`state : S → List I → S`, `out : S → List I → List O`. -/
@[arch_law] structure MooreLaws {S I O : Type} (nextState : S → I → S) (output : S → O)
    (state : S → List I → S) (out : S → List I → List O) : Prop where
  /-- Reading nothing stays put. -/
  state_nil : ∀ (s : S), state s [] = s
  /-- Reading `i` then `u` is a step then the rest. -/
  state_cons : ∀ (s : S) (i : I) (u : List I), state s (i :: u) = state (nextState s i) u
  /-- Reading nothing outputs the current state's output. -/
  out_nil : ∀ (s : S), out s [] = output s :: []
  /-- The current state's output, then the outputs from the next state. -/
  out_cons : ∀ (s : S) (i : I) (u : List I), out s (i :: u) = output s :: out (nextState s i) u

/-- The restart law for Moore machines: the state reached after `u` is output once, so the run
from it contributes its outputs after the first. Symbols: `state`, `out`. -/
@[arch_law] structure MooreRestartLaws {S I O : Type} (state : S → List I → S)
    (out : S → List I → List O) : Prop where
  /-- States compose. -/
  state_append : ∀ (s : S) (u : List I) (v : List I), state s (u ++ v) = state (state s u) v
  /-- Outputs concatenate, the shared state's output counted once. -/
  out_append : ∀ (s : S) (u : List I) (v : List I),
    out s (u ++ v) = out s u ++ List.drop 1 (out (state s u) v)

/-- Under the Moore laws, every run starts with the current state's output. -/
theorem MooreLaws.out_head {S I O : Type} {nextState : S → I → S} {output : S → O}
    {state : S → List I → S} {out : S → List I → List O}
    (h : MooreLaws nextState output state out) :
    ∀ (s : S) (v : List I), out s v = output s :: List.drop 1 (out s v) := by
  intro s v
  cases v with
  | nil =>
    exact (h.out_nil s).trans
      (congrArg (fun (l : List O) => output s :: List.drop 1 l) (h.out_nil s).symm)
  | cons i w =>
    exact (h.out_cons s i w).trans
      (congrArg (fun (l : List O) => output s :: List.drop 1 l) (h.out_cons s i w).symm)

/-- Under the Moore laws, states compose along `u ++ v`. -/
theorem MooreLaws.state_append {S I O : Type} {nextState : S → I → S} {output : S → O}
    {state : S → List I → S} {out : S → List I → List O}
    (h : MooreLaws nextState output state out) :
    ∀ (u : List I) (s : S) (v : List I), state s (u ++ v) = state (state s u) v := by
  intro u
  induction u with
  | nil =>
    intro s v
    exact (congrArg (fun (t : S) => state t v) (h.state_nil s)).symm
  | cons i u ih =>
    intro s v
    exact (h.state_cons s i (u ++ v)).trans ((ih (nextState s i) v).trans
      (congrArg (fun (t : S) => state t v) (h.state_cons s i u).symm))

/-- Under the Moore laws, outputs concatenate along `u ++ v`, the shared state counted once. -/
theorem MooreLaws.out_append {S I O : Type} {nextState : S → I → S} {output : S → O}
    {state : S → List I → S} {out : S → List I → List O}
    (h : MooreLaws nextState output state out) :
    ∀ (u : List I) (s : S) (v : List I),
      out s (u ++ v) = out s u ++ List.drop 1 (out (state s u) v) := by
  intro u
  induction u with
  | nil =>
    intro s v
    exact (h.out_head s v).trans
      ((congrArg (fun (t : S) => output s :: List.drop 1 (out t v)) (h.state_nil s).symm).trans
        (congrArg (fun (l : List O) => l ++ List.drop 1 (out (state s []) v)) (h.out_nil s).symm))
  | cons i u ih =>
    intro s v
    exact (h.out_cons s i (u ++ v)).trans
      ((congrArg (fun (l : List O) => output s :: l) (ih (nextState s i) v)).trans
        ((congrArg (fun (l : List O) => l ++ List.drop 1 (out (state (nextState s i) u) v))
            (h.out_cons s i u).symm).trans
          (congrArg (fun (t : S) => out s (i :: u) ++ List.drop 1 (out t v))
            (h.state_cons s i u).symm)))

/-- The runs of a Moore machine satisfy the Moore restart law. -/
@[arch_theorem] theorem MooreLaws.restart {S I O : Type} {nextState : S → I → S}
    {output : S → O} {state : S → List I → S} {out : S → List I → List O}
    (h : MooreLaws nextState output state out) : MooreRestartLaws state out :=
  { state_append := fun s u v => h.state_append u s v
    out_append := fun s u v => h.out_append u s v }

end ArchLaw
