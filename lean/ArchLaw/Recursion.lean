import ArchLaw.Recursion.Functors
import ArchLaw.Recursion.Folds
import ArchLaw.Recursion.Machines

/-!
# Recursion as algebra: folds over lists and trees, Mealy and Moore machines

Recurrent and recursive networks are algebras of endofunctors whose unrolled runs are folds;
streaming networks are coalgebras. The laws below fix what a model's recursion may do, and so how
it must behave at lengths and depths never trained on.

Submodules:
* `ArchLaw.Recursion.Functors`: the list functor `listF A` and the binary-tree functor
  `treeF L N` with their initial algebras (`listAlgInitial`, `treeAlgInitial`), the tree type
  `BTree L N` (leaf labels `L`, e.g. digits; node labels `N`, e.g. operators) and its fold
  `BTree.fold`, and the Mealy and Moore functors.
* `ArchLaw.Recursion.Folds`: fold uniqueness and fusion for left folds and trees, and the
  certificate theorems.
* `ArchLaw.Recursion.Machines`: Mealy and Moore machines, restart, causality, homomorphisms.

## The laws (`@[arch_law]`) and the symbols a model supplies

Names are stable: the torch side binds to them.

| law | parameters (symbols) | fields |
| --- | --- | --- |
| `ArchLaw.FoldLaws` (in `ArchLaw.Fold`) | `cell : A → H → H`, `init : H`, `run : List A → H` | `nil`, `cons` |
| `ArchLaw.AlgHomLaw` (in `ArchLaw.Fold`) | `f : A → X → X`, `g : A → Y → Y`, `h : X → Y` | `map_cell` |
| `ArchLaw.FoldlLaws` | `cell : H → A → H`, `init : H`, `run : List A → H` | `nil`, `snoc` |
| `ArchLaw.InitHomLaw` | `h : X → Y`, `x0 : X`, `y0 : Y` | `map_init` |
| `ArchLaw.LeftAlgHomLaw` | `f : X → A → X`, `g : Y → A → Y`, `h : X → Y` | `map_cell` |
| `ArchLaw.TreeFoldLaws` | `leafCell : L → H`, `nodeCell : N → H → H → H`, `run : BTree L N → H` | `leaf`, `node` |
| `ArchLaw.TreeAlgHomLaw` | `leafX : L → X`, `nodeX : N → X → X → X`, `leafY : L → Y`, `nodeY : N → Y → Y → Y`, `h : X → Y` | `map_leaf`, `map_node` |
| `ArchLaw.MealyLaws` | `nextState : S → I → S`, `output : S → I → O`, `state : S → List I → S`, `out : S → List I → List O` | `state_nil`, `state_cons`, `out_nil`, `out_cons` |
| `ArchLaw.RestartLaws` | `state : S → List I → S`, `out : S → List I → List O` | `state_append`, `out_append` |
| `ArchLaw.CausalLaw` | `out : S → List I → List O` | `causal` |
| `ArchLaw.MealyHomLaw` | `nextS`, `outputS` (machine on `S`), `nextT`, `outputT` (machine on `T`), `h : S → T` | `map_next`, `map_output` |
| `ArchLaw.MooreLaws` | `nextState : S → I → S`, `output : S → O`, `state`, `out` | `state_nil`, `state_cons`, `out_nil`, `out_cons` |
| `ArchLaw.MooreRestartLaws` | `state`, `out` | `state_append`, `out_append` (with `List.drop 1`) |

Type parameters (`A H X Y L N S T I O : Type`) are implicit.

## The theorems (`@[arch_theorem]`)

* Uniqueness: `FoldLaws.eq_foldr` (`run = List.foldr cell init`), `FoldlLaws.eq_foldl`
  (`run = List.foldl cell init`), `TreeFoldLaws.eq_fold` (`run = BTree.fold leafCell nodeCell`).
* Fusion: `AlgHomLaw.foldr_fusion`, `foldr_fusion`, `foldl_fusion` (with `InitHomLaw`),
  `tree_fusion`.
* Certificates for finite decoded cells: `foldr_certificate`, `foldl_certificate`,
  `tree_certificate`. Hypotheses: the fold laws of the model's decoded run, a cell homomorphism
  `dec` onto the specification's cell (finitely many equations, checked exhaustively) and, for
  lists, `InitHomLaw dec init specInit`. Conclusion: `∀ input, dec (run input) = spec fold`.
* Machines: `MealyLaws.restart` (gives `RestartLaws`), `MealyLaws.causal` (gives `CausalLaw`),
  `MealyHomLaw.preserves_out` (`∀ u s, outT (h s) u = outS s u`), `MooreLaws.restart`
  (gives `MooreRestartLaws`).
-/
