import Lean

/-!
# The law vocabulary: `@[arch_law]` and `@[arch_theorem]`

* `@[arch_law]` marks a Prop-valued structure. Its parameters are *symbols*: those a neural
  network supplies (a cell, a run, a decoding) and those with a fixed meaning (a type, an
  initial state). Its fields are equations with binders. The bridge reads them as data and turns
  each field into a property test of a trained model.
* `@[arch_theorem]` marks a theorem whose hypotheses are `@[arch_law]` structures (plus side
  conditions). When every hypothesis held exhaustively on a model, the theorem's conclusion is a
  certificate about that model.

Both are tag attributes (`Lean.registerTagAttribute`). Lean only lets an attribute be used in
modules that *import* the module registering it, so every module with tagged declarations
imports `ArchLaw.Attr`. The exporter (`lake exe archlaw-export`, `lean/ArchLawExport.lean`) finds
tagged declarations with `archLawAttr.ext.getModuleEntries` per imported module.
-/

open Lean

namespace ArchLaw

/-- The sort at the end of a `∀`-telescope: `resultSort (∀ xs, S) = S` (loose bound variables
are left as they are; only the outermost shape matters here). -/
partial def resultSort : Expr → Expr
  | .forallE _ _ body _ => resultSort body
  | .mdata _ e => resultSort e
  | e => e

/-- `@[arch_law]` is accepted only on a Prop-valued inductive type with exactly one constructor,
which is what `structure Name params : Prop where fields` elaborates to. -/
def validateArchLaw (declName : Name) : AttrM Unit := do
  match (← getEnv).find? declName with
  | some (.inductInfo v) =>
    unless (resultSort v.type).isProp && v.ctors.length == 1 do
      throwError "@[arch_law] expects a Prop-valued structure (structure {declName} ... : Prop where ...), but {declName} is not one"
  | _ =>
    throwError "@[arch_law] expects a Prop-valued structure (structure ... : Prop where ...), but {declName} is not a structure"

/-- The `@[arch_law]` tag: a Prop-valued structure whose parameters are symbols and whose fields
are equations with binders. -/
initialize archLawAttr : TagAttribute ←
  registerTagAttribute `arch_law
    "ArchLaw law: a Prop-valued structure whose parameters are symbols and whose fields are equations"
    (validate := validateArchLaw) (ref := `ArchLaw.archLawAttr)

/-- The `@[arch_theorem]` tag: a theorem whose hypotheses are `@[arch_law]` structures. -/
initialize archTheoremAttr : TagAttribute ←
  registerTagAttribute `arch_theorem
    "ArchLaw theorem: a theorem whose hypotheses are @[arch_law] structures"
    (ref := `ArchLaw.archTheoremAttr)

end ArchLaw
