import Lean
import ArchLaw

/-!
# `lake exe archlaw-export [OUT] [--module M]... [--src-dir DIR]`

Imports the library (default module `ArchLaw`), finds every declaration tagged `@[arch_law]` or
`@[arch_theorem]`, and writes them in the interchange format of `docs/interchange.md` (version 1,
producer `"lean"`) to `OUT` (default `laws.sexp`). `archlaw export` runs this and then fills in
the header's `hashes` (SHA-256 of each file under `lean/`, computed in Python).

Terms are translated inside `MetaM`, after opening binders with `forallTelescope` and
`withLocalDecl`, so that every bound variable is a named free variable printed as
`(var NAME SORT)` and every node's sort is `Meta.inferType` of it:

* `(sort "Prop")`, `(sort "Type")`, `(sort "Type u")`, `(sort "Sort u")` for universes;
* `(app HEAD SORT ARG...)`: a constant (fully qualified name) or variable applied to its
  *explicit* arguments; implicit, strict-implicit and instance arguments are elided, using the
  binder infos of the head's type;
* `(lit N SORT)`: `OfNat.ofNat α N _` and raw literals;
* `(lam NAME SORT BODY)`, `(pi NAME BINDER SORT BODY PISORT)`; a `∀` whose body does not mention
  its variable (an arrow) is named `"_"`;
* metadata is stripped, `let` is substituted, beta-redexes at the head are reduced.

Laws: parameters are the structure's parameters (binder infos from the structure's type), fields
are the constructor's remaining binders. Theorems: parameters are the `∀`-telescope up to its last
Prop-typed binder, the conclusion is the rest. Telescope binders keep their written names; an
arrow written in a telescope is `"_"` and an anonymous instance binder `"inst"` (hygienic names
lose their macro scopes).
-/

open Lean Meta

namespace ArchLawExport

/-- A string literal of the S-expression format: `"` and `\` escaped with a backslash. -/
def esc (s : String) : String :=
  let body := s.foldl (fun (acc : String) (c : Char) =>
    if c == '"' then acc ++ "\\\""
    else if c == '\\' then acc ++ "\\\\"
    else acc.push c) ""
  "\"" ++ body ++ "\""

/-- A Lean name as plain text (`ArchLaw.FoldLaws`), without `«»` escapes or macro scopes. -/
def nameStr (n : Name) : String :=
  n.eraseMacroScopes.toString (escape := false)

/-- The interchange spelling of a binder annotation. -/
def binderStr (bi : BinderInfo) : String :=
  if bi.isInstImplicit then "inst_implicit"
  else if bi.isStrictImplicit then "strict_implicit"
  else if bi.isImplicit then "implicit"
  else "explicit"

/-- The name of a universe: `Prop`, `Type`, `Type u`, or `Sort u`. -/
def levelStr (l : Level) : String :=
  match l.normalize with
  | .zero => "Prop"
  | .succ .zero => "Type"
  | .succ u => "Type " ++ toString u
  | u => "Sort " ++ toString u

/-- The name under which a declaration's own telescope binder is exported: its written name;
`"_"` for an arrow (a hygienic, non-instance name); `"inst"` for an anonymous instance binder. -/
def telescopeName (n : Name) (bi : BinderInfo) : String :=
  if n.hasMacroScopes && !bi.isInstImplicit then "_" else nameStr n

mutual

/-- The interchange term of an expression (all loose bound variables already instantiated). -/
partial def exprSexp (e0 : Expr) : MetaM String := do
  let e ← instantiateMVars e0
  match e with
  | .mdata _ b => exprSexp b
  | .sort l => return s!"(sort {esc (levelStr l)})"
  | .fvar fvarId =>
    let d ← fvarId.getDecl
    return s!"(var {esc (nameStr d.userName)} {← exprSexp d.type})"
  | .lit (.natVal n) => return s!"(lit {n} {← exprSexp (mkConst ``Nat)})"
  | .lit (.strVal s) => return s!"(lit {esc s} {← exprSexp (mkConst ``String)})"
  | .letE _ _ v b _ => exprSexp (b.instantiate1 v)
  | .lam n t b bi =>
    withLocalDecl n bi t fun x => do
      return s!"(lam {esc (nameStr n)} {← exprSexp t} {← exprSexp (b.instantiate1 x)})"
  | .forallE n t b bi =>
    let nm := if b.hasLooseBVars then nameStr n else "_"
    let piSort ← inferType e
    withLocalDecl n bi t fun x => do
      return s!"(pi {esc nm} {binderStr bi} {← exprSexp t} {← exprSexp (b.instantiate1 x)} {← exprSexp piSort})"
  | .const .. => appSexp e
  | .app .. => appSexp e
  | .proj s i _ => throwError "archlaw-export: a primitive projection ({s}, field {i}) is outside the interchange format"
  | .bvar i => throwError "archlaw-export: unexpected loose bound variable #{i}"
  | .mvar _ => throwError "archlaw-export: unexpected metavariable in {e}"

/-- An application `f a₁ … aₙ` (or a constant alone): head, sort, explicit arguments. -/
partial def appSexp (e0 : Expr) : MetaM String := do
  let e := e0.headBeta
  let f := e.getAppFn.consumeMData
  let args := e.getAppArgs
  let sort ← exprSexp (← inferType e)
  if f.isConstOf ``OfNat.ofNat && args.size == 3 then
    match args[1]!.consumeMData with
    | .lit (.natVal n) => return s!"(lit {n} {sort})"
    | _ => pure ()
  let head ← match f with
    | .const n _ => pure (esc (nameStr n))
    | .fvar _ => exprSexp f
    | _ => throwError "archlaw-export: cannot export an application whose head is {f}"
  let mut fty ← inferType f
  let mut out : Array String := #[]
  for a in args do
    unless fty.isForall do
      fty ← whnf fty
    match fty with
    | .forallE _ _ b bi =>
      if bi.isExplicit then
        let argSexp ← exprSexp a
        out := out.push argSexp
      fty := b.instantiate1 a
    | _ => throwError "archlaw-export: too many arguments in {e}"
  let argText := out.foldl (fun (acc : String) (s : String) => acc ++ " " ++ s) ""
  return s!"(app {head} {sort}{argText})"

end

/-- The binder infos of the leading `∀`s of a type. -/
partial def binderInfos (t : Expr) (acc : Array BinderInfo) : Array BinderInfo :=
  match t with
  | .forallE _ _ b bi => binderInfos b (acc.push bi)
  | .mdata _ b => binderInfos b acc
  | _ => acc

/-- A `(param NAME BINDER SORT)` entry for a telescope variable. -/
def paramSexp (x : Expr) (bi : BinderInfo) : MetaM String := do
  let d ← x.fvarId!.getDecl
  return s!"(param {esc (telescopeName d.userName bi)} {binderStr bi} {← exprSexp d.type})"

/-- The path of a module's source file, relative to the Lake root. -/
def modulePath (srcDir : String) (mod : Name) : String :=
  let parts := mod.components.map fun (c : Name) => c.toString (escape := false)
  let rel := String.intercalate "/" parts ++ ".lean"
  if srcDir == "" || srcDir == "." then rel else srcDir ++ "/" ++ rel

/-- `(name …) (module …) (range …) (doc …) (axioms …)`, common to laws and theorems. -/
def declHeader (srcDir : String) (n mod : Name) : MetaM String := do
  let env ← getEnv
  let range ← match ← findDeclarationRanges? n with
    | some r =>
      pure s!" (range {esc (modulePath srcDir mod)} {r.range.pos.line} {r.range.pos.column} {r.range.endPos.line} {r.range.endPos.column})"
    | none => pure ""
  let doc := match ← findDocString? env n with
    | some d => d.trim
    | none => ""
  let axs ← collectAxioms n
  let axNames := (axs.map nameStr).qsort (fun (a b : String) => a < b)
  let axText := axNames.foldl (fun (acc : String) (s : String) => acc ++ " " ++ esc s) ""
  return s!"(name {esc (nameStr n)}) (module {esc (nameStr mod)}){range} (doc {esc doc}) (axioms{axText})"

/-- An `@[arch_law]` structure as `(law …)`. -/
def lawSexp (srcDir : String) (n mod : Name) : MetaM String := do
  let some (.inductInfo iv) := (← getEnv).find? n
    | throwError "archlaw-export: {n} is tagged @[arch_law] but is not a structure"
  let ctor ← match iv.ctors with
    | [c] => pure c
    | _ => throwError "archlaw-export: {n} is tagged @[arch_law] but is not a structure"
  let bis := binderInfos iv.type #[]
  let cinfo ← getConstInfo ctor
  let hdr ← declHeader srcDir n mod
  forallTelescope cinfo.type fun xs _ => do
    let mut ps : Array String := #[]
    let mut fs : Array String := #[]
    for i in [0:xs.size] do
      let x := xs[i]!
      if i < iv.numParams then
        ps := ps.push (← paramSexp x (bis.getD i BinderInfo.default))
      else
        let d ← x.fvarId!.getDecl
        fs := fs.push s!"(field {esc (nameStr d.userName)} {← exprSexp d.type})"
    let psText := ps.foldl (fun (acc : String) (s : String) => acc ++ " " ++ s) ""
    let fsText := fs.foldl (fun (acc : String) (s : String) => acc ++ " " ++ s) ""
    return s!"(law {hdr} (params{psText}) (fields{fsText}))"

/-- An `@[arch_theorem]` as `(theorem …)`: parameters up to the last Prop-typed binder. -/
def theoremSexp (srcDir : String) (n mod : Name) : MetaM String := do
  let cinfo ← getConstInfo n
  let hdr ← declHeader srcDir n mod
  forallTelescope cinfo.type fun xs body => do
    let mut keep : Nat := 0
    for i in [0:xs.size] do
      let d ← xs[i]!.fvarId!.getDecl
      if (← isProp d.type) then
        keep := i + 1
    let mut ps : Array String := #[]
    for i in [0:keep] do
      let x := xs[i]!
      let d ← x.fvarId!.getDecl
      ps := ps.push (← paramSexp x d.binderInfo)
    let concl ← mkForallFVars (xs.extract keep xs.size) body
    let psText := ps.foldl (fun (acc : String) (s : String) => acc ++ " " ++ s) ""
    return s!"(theorem {hdr} (params{psText}) (conclusion {← exprSexp concl}))"

/-- Every tagged declaration of the imported modules: (name, module, is a law), in source order
(by file, then line). -/
def tagged (srcDir : String) : MetaM (Array (Name × Name × Bool)) := do
  let env ← getEnv
  let mods := env.header.moduleNames
  let mut out : Array (Name × Name × Bool × String × Nat) := #[]
  for i in [0:mods.size] do
    let mod := mods[i]!
    for n in ArchLaw.archLawAttr.ext.getModuleEntries env i do
      let line := match ← findDeclarationRanges? n with
        | some r => r.range.pos.line
        | none => 0
      out := out.push (n, mod, true, modulePath srcDir mod, line)
    for n in ArchLaw.archTheoremAttr.ext.getModuleEntries env i do
      let line := match ← findDeclarationRanges? n with
        | some r => r.range.pos.line
        | none => 0
      out := out.push (n, mod, false, modulePath srcDir mod, line)
  let sorted := out.qsort fun (a b : Name × Name × Bool × String × Nat) =>
    a.2.2.2.1 < b.2.2.2.1 || (a.2.2.2.1 == b.2.2.2.1 && a.2.2.2.2 < b.2.2.2.2)
  return sorted.map fun (a : Name × Name × Bool × String × Nat) => (a.1, a.2.1, a.2.2.1)

/-- The whole file. -/
def exportAll (srcDir : String) : MetaM (String × Nat) := do
  let decls ← tagged srcDir
  let mut lines : Array String := #[
    "(archlaw-export",
    "  (version 1)",
    "  (producer \"lean\")",
    s!"  (lean-version {esc Lean.versionString})",
    "  (hashes)"]
  for (n, mod, isLaw) in decls do
    let text ← if isLaw then lawSexp srcDir n mod else theoremSexp srcDir n mod
    lines := lines.push ("  " ++ text)
  return (String.intercalate "\n" lines.toList ++ ")\n", decls.size)

/-- Command-line options. -/
structure Opts where
  /-- Where to write the export. -/
  out : String := "laws.sexp"
  /-- Modules to import (default: `ArchLaw`). -/
  modules : Array Name := #[]
  /-- The Lake source directory of those modules, for source ranges. -/
  srcDir : String := "lean"

/-- Parse `[OUT] [--module M]... [--src-dir DIR]`. -/
def parseArgs : List String → Opts → Except String Opts
  | [], o => .ok o
  | "--module" :: m :: rest, o => parseArgs rest { o with modules := o.modules.push m.toName }
  | "--src-dir" :: d :: rest, o => parseArgs rest { o with srcDir := d }
  | a :: rest, o =>
    if a.startsWith "-" then
      .error s!"unknown option {a}; usage: archlaw-export [OUT] [--module M]... [--src-dir DIR]"
    else parseArgs rest { o with out := a }

/-- Import the modules and write the export. -/
unsafe def run (opts : Opts) : IO UInt32 := do
  let mods := if opts.modules.isEmpty then #[`ArchLaw] else opts.modules
  try
    initSearchPath (← findSysroot)
    enableInitializersExecution
    let imports : Array Import := mods.map fun (m : Name) => ({ module := m } : Import)
    let env ← importModules imports {} (loadExts := true)
    let ctx : Core.Context := { fileName := "<archlaw-export>", fileMap := default }
    let ((text, count), _) ← ((exportAll opts.srcDir).run' {} {}).toIO ctx { env := env }
    IO.FS.writeFile opts.out text
    IO.println s!"archlaw-export: wrote {count} declarations (Lean {Lean.versionString}) to {opts.out}"
    return 0
  catch e =>
    IO.eprintln s!"archlaw-export: {e}"
    return 1

end ArchLawExport

/-- Entry point of `lake exe archlaw-export`. -/
unsafe def main (args : List String) : IO UInt32 := do
  match ArchLawExport.parseArgs args {} with
  | .error msg =>
    IO.eprintln s!"archlaw-export: {msg}"
    return 2
  | .ok opts => ArchLawExport.run opts
