import Lean
import ArchLaw

/-!
# `lake exe archlaw-export-v2 [OUT] [--module M]... [--src-dir DIR]`

**Not compiled here.** This file was written without a Lean toolchain (none exists on the
machine it was written on); every Lean name in it was checked by reading Lean's own source, but
it has never been elaborated. It is kept apart on purpose: its own `lean_exe` target
(`archlaw-export-v2` in `lakefile.lean`) is not a default target and nothing imports it, so an
error in it cannot stop `lake build` of the library or of `archlaw-export`. The `lean` CI job
builds it in a step allowed to fail (`docs/ci.md`).

It writes what `archlaw-export` (`lean/ArchLawExport.lean`) writes, plus, in interchange
version 2 (`docs/interchange.md`), one `(def …)` entry for each non-recursive definition of the
exported modules that a law uses (transitively), and one `(structure …)` entry for each data
structure they use, the form the source reader
(`archlaw/bridge/source_reader/bodies.py`) writes. The term printer is a copy of
`ArchLawExport`'s, extended (proof arguments skipped in bodies, `match` translated, the
constants it prints recorded): a module that defines `main` cannot be imported by another
executable's root (two `main`s), and moving the shared printer into a module of its own would
change the build of the working exporter, which this blind file must not touch. Once CI shows
it compiles and agrees with the source reader, it can replace `archlaw-export` and the copy go.

## Where a body comes from

Lean elaborates `match` into auxiliary `f.match_n` functions. The source used here:

* the body of a non-recursive definition is the right side of its *unfold equation*
  `f.eq_def : ∀ xs, f xs = body`, which for a non-recursive definition Lean builds as exactly
  the definition's value under a `lambdaTelescope` (`mkSimpleEqThm` in `Lean/Meta/Eqns.lean`);
  it is read from `ConstantInfo.defnInfo`'s `value` directly, because the names and arguments
  of `getUnfoldEqnFor?`/`getEqnsFor?` changed between releases (`nonRec`, and the option
  `backward.eqns.nonrecursive` deciding whether non-recursive definitions get split equations);
* in a definition's body (never in a law's statement or a theorem, which stay exactly what
  `archlaw-export` writes: `Cfg.translateMatch`), each `match_n` application
  (`Meta.matchMatcherApp?`) becomes the chain of `ite` the source
  reader writes, from the *matcher's equation lemmas* `Meta.Match.getEquationsFor`
  (`match_n.eq_i : … → match_n motive pats alts = alt_i vars`, one per alternative, in order):
  each pattern is compared with its discriminant (a constructor without fields or a numeral
  gives `Eq discr pattern`; a structure constructor, `Prod.mk`, `Fin.mk` or e.g. `D4.mk`,
  recurses into the projections `mkProjection discr field`, proof fields skipped; a variable is
  bound to the projection), the alternative's right side is read with its variables replaced by
  those projections, the last alternative is the `else`, and an alternative with no equation (a
  catch-all) ends the chain, as in the source reader. Overlap hypotheses are not needed: the
  chain is tried in order.

Parameters are the leading binders of the definition's type with written names (the binders
before the colon); the rest of the value's `fun`s stay in the body, a hygienic one (the
arguments of an equation-style definition) named `x✝1`, `x✝2`, … as the source reader names
them. A definition whose value uses a recursor (`brecOn`, `rec`, `WellFounded.fix`: recursion),
directly or through an auxiliary definition of its own (well-founded recursion's `f._unary`,
`f._mutual`: `isRecursiveDef`), or whose body leaves the fragment, is left out: the law keeps it
as an opaque constant with a registered interpretation, exactly as when the source reader cannot
read it. A body that runs out of heartbeats, or of recursion depth inside `whnf`/`inferType`/`isDefEq`,
while being printed is left out too (`tryCatchRuntimeEx`: a plain `try … catch` in `MetaM`
rethrows those runtime exceptions), each definition with its own heartbeat budget
(`withCurrHeartbeats`); the printers themselves are `partial` and do not count depth, so a term
deep enough to overflow the native stack still ends the export.

The data structures the laws' sorts use (`D4`, `Perm n`, a user's) are written as `(structure …)`
entries (`structureSexp`: the constructor's telescope, parameters then fields, proof fields
with their propositions), after the definitions, so that the engine derives their values from
Lean's own declaration as it does from the source reader's.
-/

open Lean Meta

namespace ArchLawExportV2

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

/-- How a term is printed: in a definition's body proof arguments are left out (a proof carries
no data, as in the source reader); every constant printed as a head is recorded in `used`, to
find the definitions the laws use. -/
structure Cfg where
  skipProofs : Bool
  used : IO.Ref (Array Name)
  /-- Translate `match_n` applications into `ite` chains: in definition bodies only. In a law's
  statement or a theorem a `match` is printed as `archlaw-export` prints it (an application of
  the matcher), so that the version-2 export's declarations stay the version-1 exporter's. -/
  translateMatch : Bool := false

/-- `Eq a b` and `And a b` as interchange terms (both Prop-valued). -/
def eqSexp (a b : String) : String := s!"(app \"Eq\" (sort \"Prop\") {a} {b})"
def andSexp (a b : String) : String := s!"(app \"And\" (sort \"Prop\") {a} {b})"

mutual

/-- The interchange term of an expression (all loose bound variables already instantiated). -/
partial def exprSexp (cfg : Cfg) (e0 : Expr) : MetaM String := do
  let e ← instantiateMVars e0
  match e with
  | .mdata _ b => exprSexp cfg b
  | .sort l => return s!"(sort {esc (levelStr l)})"
  | .fvar fvarId =>
    let d ← fvarId.getDecl
    return s!"(var {esc (nameStr d.userName)} {← exprSexp cfg d.type})"
  | .lit (.natVal n) => return s!"(lit {n} {← exprSexp cfg (mkConst ``Nat)})"
  | .lit (.strVal s) => return s!"(lit {esc s} {← exprSexp cfg (mkConst ``String)})"
  | .letE _ _ v b _ => exprSexp cfg (b.instantiate1 v)
  | .lam n t b bi =>
    withLocalDecl n bi t fun x => do
      return s!"(lam {esc (nameStr n)} {← exprSexp cfg t} {← exprSexp cfg (b.instantiate1 x)})"
  | .forallE n t b bi =>
    let nm := if b.hasLooseBVars then nameStr n else "_"
    let piSort ← inferType e
    withLocalDecl n bi t fun x => do
      return s!"(pi {esc nm} {binderStr bi} {← exprSexp cfg t} {← exprSexp cfg (b.instantiate1 x)} {← exprSexp cfg piSort})"
  | .const .. => appSexp cfg e
  | .app .. => appSexp cfg e
  | .proj s i _ => throwError "archlaw-export-v2: a primitive projection ({s}, field {i}) is outside the interchange format"
  | .bvar i => throwError "archlaw-export-v2: unexpected loose bound variable #{i}"
  | .mvar _ => throwError "archlaw-export-v2: unexpected metavariable in {e}"

/-- An application `f a₁ … aₙ` (or a constant alone): head, sort, explicit arguments; a
`match_n` application is printed as its `ite` chain (`matchSexp`). -/
partial def appSexp (cfg : Cfg) (e0 : Expr) : MetaM String := do
  let e := e0.headBeta
  if cfg.translateMatch then
    if let some app ← matchMatcherApp? e then
      return (← matchSexp cfg e app)
  let f := e.getAppFn.consumeMData
  let args := e.getAppArgs
  let sort ← exprSexp cfg (← inferType e)
  if f.isConstOf ``OfNat.ofNat && args.size == 3 then
    match args[1]!.consumeMData with
    | .lit (.natVal n) => return s!"(lit {n} {sort})"
    | _ => pure ()
  let head ← match f with
    | .const n _ => do
      cfg.used.modify fun s => s.push n
      pure (esc (nameStr n))
    | .fvar _ => exprSexp cfg f
    | _ => throwError "archlaw-export-v2: cannot export an application whose head is {f}"
  let mut fty ← inferType f
  let mut out : Array String := #[]
  for a in args do
    unless fty.isForall do
      fty ← whnf fty
    match fty with
    | .forallE _ _ b bi =>
      if bi.isExplicit && !(cfg.skipProofs && (← isProof a)) then
        let argSexp ← exprSexp cfg a
        out := out.push argSexp
      fty := b.instantiate1 a
    | _ => throwError "archlaw-export-v2: too many arguments in {e}"
  let argText := out.foldl (fun (acc : String) (s : String) => acc ++ " " ++ s) ""
  return s!"(app {head} {sort}{argText})"

/-- A `match_n` application as the chain of `ite` the source reader writes (module docstring):
one branch per equation lemma of the matcher, in order. -/
partial def matchSexp (cfg : Cfg) (e : Expr) (app : MatcherApp) : MetaM String := do
  let some info ← getMatcherInfo? app.matcherName
    | throwError "archlaw-export-v2: {app.matcherName} is not a matcher"
  let callArgs := e.getAppArgs
  -- generated in an empty local context, as Lean's own callers do: the lemmas are closed terms
  let eqns ← withLCtx {} {} (Match.getEquationsFor app.matcherName)
  let sort ← exprSexp cfg (← inferType e)
  let mut branches : Array (Array String × String) := #[]
  for eqn in eqns.eqnNames do
    let eqType := (← getConstInfo eqn).instantiateTypeLevelParams app.matcherLevels.toList
    let branch ← forallTelescope eqType fun xs concl => do
      let some (_, lhs, rhs) := concl.eq?
        | throwError "archlaw-export-v2: {eqn} is not an equation"
      let lhsArgs := lhs.getAppArgs
      let mut keys : Array Expr := #[]
      let mut vals : Array Expr := #[]
      let mut pats : Array (Expr × Expr) := #[]
      -- parameters, motive and alternatives: the call site's; discriminants: the patterns
      for j in [0:lhsArgs.size] do
        let a := lhsArgs[j]!
        let isDiscr := info.numParams + 1 ≤ j && j < info.numParams + 1 + info.numDiscrs
        if isDiscr then
          pats := pats.push (a, callArgs[j]!)
        else if a.isFVar && xs.contains a && !keys.contains a then
          keys := keys.push a
          vals := vals.push callArgs[j]!
      let mut conds : Array (Expr × Expr) := #[]
      for (p, d) in pats do
        let r ← bindPattern xs p d keys vals conds
        keys := r.1
        vals := r.2.1
        conds := r.2.2
      let body := (rhs.replaceFVars keys vals).headBeta
      let body := mkAppN body (callArgs.extract (lhsArgs.size) callArgs.size)
      if (body.abstract xs).hasLooseBVars then
        throwError "archlaw-export-v2: alternative {eqn} uses a hypothesis of its equation"
      let mut condTexts : Array String := #[]
      for (d, p) in conds do
        let p' := p.replaceFVars keys vals
        if (p'.abstract xs).hasLooseBVars then
          throwError "archlaw-export-v2: a pattern of {eqn} is outside the fragment"
        condTexts := condTexts.push (eqSexp (← exprSexp cfg d) (← exprSexp cfg p'))
      return (condTexts, ← exprSexp cfg body)
    branches := branches.push branch
    if branch.1.isEmpty then
      break   -- a catch-all: later alternatives are unreachable
  let some last := branches.back?
    | throwError "archlaw-export-v2: {app.matcherName} has no equations"
  let mut out := last.2
  for i in [0:branches.size - 1] do
    let (conds, r) := branches[branches.size - 2 - i]!
    let mut c := conds.back!
    for k in [0:conds.size - 1] do
      c := andSexp conds[conds.size - 2 - k]! c
    out := s!"(app \"ite\" {sort} {c} {r} {out})"
  return out

/-- The equations pattern `p` (an expression over the equation's variables `xs`) imposes on
the discriminant `d`: a variable is bound to `d`; a constructor without fields or a numeral is
the condition `Eq d p`; a structure constructor recurses into `d`'s projections (proof fields
skipped). -/
partial def bindPattern (xs : Array Expr) (p d : Expr) (keys vals : Array Expr)
    (conds : Array (Expr × Expr)) : MetaM (Array Expr × Array Expr × Array (Expr × Expr)) := do
  let p := p.consumeMData
  if p.isFVar && xs.contains p then
    if keys.contains p then
      throwError "archlaw-export-v2: a pattern variable occurs twice"
    return (keys.push p, vals.push d, conds)
  if p.isLit || p.isAppOfArity ``OfNat.ofNat 3 then
    return (keys, vals, conds.push (d, p))
  let .const c _ := p.getAppFn
    | throwError "archlaw-export-v2: a pattern {p} is outside the fragment"
  let ctor ← getConstInfoCtor c
  if ctor.numFields == 0 then
    return (keys, vals, conds.push (d, p))
  unless isStructure (← getEnv) ctor.induct do
    throwError "archlaw-export-v2: the pattern {p} (a constructor with fields of a type that is not a structure) is outside the fragment"
  let fields := getStructureFields (← getEnv) ctor.induct
  let args := p.getAppArgs
  let mut st := (keys, vals, conds)
  for i in [0:ctor.numFields] do
    let a := args[ctor.numParams + i]!
    let proj ← mkProjection d fields[i]!
    if (← isProof proj) then
      -- a proof field carries no data; a variable naming it is bound all the same
      if a.isFVar && xs.contains a && !st.1.contains a then
        st := (st.1.push a, st.2.1.push proj, st.2.2)
    else
      st ← bindPattern xs a proj st.1 st.2.1 st.2.2
  return st

end

/-- The binder infos of the leading `∀`s of a type. -/
partial def binderInfos (t : Expr) (acc : Array BinderInfo) : Array BinderInfo :=
  match t with
  | .forallE _ _ b bi => binderInfos b (acc.push bi)
  | .mdata _ b => binderInfos b acc
  | _ => acc

/-- How many leading binders of a definition's type were written before the colon: those with a
written (non-hygienic) name, or instance binders. -/
partial def writtenParams (t : Expr) (acc : Nat) : Nat :=
  match t with
  | .forallE n _ b bi =>
    if n.hasMacroScopes && !bi.isInstImplicit then acc else writtenParams b (acc + 1)
  | .mdata _ b => writtenParams b acc
  | _ => acc

/-- A `(param NAME BINDER SORT)` entry for a telescope variable. -/
def paramSexp (cfg : Cfg) (x : Expr) (bi : BinderInfo) : MetaM String := do
  let d ← x.fvarId!.getDecl
  return s!"(param {esc (telescopeName d.userName bi)} {binderStr bi} {← exprSexp cfg d.type})"

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

/-- An `@[arch_law]` structure as `(law …)`; the constants its terms use go to `cfg.used`. -/
def lawSexp (cfg : Cfg) (srcDir : String) (n mod : Name) : MetaM String := do
  let some (.inductInfo iv) := (← getEnv).find? n
    | throwError "archlaw-export-v2: {n} is tagged @[arch_law] but is not a structure"
  let ctor ← match iv.ctors with
    | [c] => pure c
    | _ => throwError "archlaw-export-v2: {n} is tagged @[arch_law] but is not a structure"
  let bis := binderInfos iv.type #[]
  let cinfo ← getConstInfo ctor
  let hdr ← declHeader srcDir n mod
  forallTelescope cinfo.type fun xs _ => do
    let mut ps : Array String := #[]
    let mut fs : Array String := #[]
    for i in [0:xs.size] do
      let x := xs[i]!
      if i < iv.numParams then
        ps := ps.push (← paramSexp cfg x (bis.getD i BinderInfo.default))
      else
        let d ← x.fvarId!.getDecl
        fs := fs.push s!"(field {esc (nameStr d.userName)} {← exprSexp cfg d.type})"
    let psText := ps.foldl (fun (acc : String) (s : String) => acc ++ " " ++ s) ""
    let fsText := fs.foldl (fun (acc : String) (s : String) => acc ++ " " ++ s) ""
    return s!"(law {hdr} (params{psText}) (fields{fsText}))"

/-- An `@[arch_theorem]` as `(theorem …)`: parameters up to the last Prop-typed binder. -/
def theoremSexp (cfg : Cfg) (srcDir : String) (n mod : Name) : MetaM String := do
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
      ps := ps.push (← paramSexp cfg x d.binderInfo)
    let concl ← mkForallFVars (xs.extract keep xs.size) body
    let psText := ps.foldl (fun (acc : String) (s : String) => acc ++ " " ++ s) ""
    return s!"(theorem {hdr} (params{psText}) (conclusion {← exprSexp cfg concl}))"

/-- Whether a definition's value uses recursion (a recursor, `brecOn`, well-founded `fix`):
such definitions keep their registered interpretations. -/
def isRecursiveValue (v : Expr) : Bool :=
  v.getUsedConstants.any fun (c : Name) =>
    c == ``WellFounded.fix || (match c with
      | .str _ s => s == "brecOn" || s == "rec" || s == "binductionOn"
      | _ => false)

/-- Whether definition `n` (value `v`) is recursive, directly or through an auxiliary
definition of its own: well-founded recursion over several arguments (or mutual) defines `n`
as a call of `n._unary` (or `n._mutual`), whose value holds the `WellFounded.fix`; `n`'s value
alone then looks non-recursive. Any constant `n.…` that `v` uses, other than a matcher
(`n.match_1`, which `match` makes), is looked into. -/
def isRecursiveDef (n : Name) (v : Expr) : MetaM Bool := do
  if isRecursiveValue v then
    return true
  for c in v.getUsedConstants do
    if c != n && n.isPrefixOf c && !(← isMatcher c) then
      match (← getEnv).find? c with
      | some (.defnInfo w) =>
        if isRecursiveValue w.value then
          return true
      | _ => pure ()
  return false

/-- The body of `fun`s after the parameters, each hygienic binder named `x✝1`, `x✝2`, … (the
arguments of an equation-style definition, named as the source reader names them). -/
partial def lamsSexp (cfg : Cfg) (e : Expr) (i : Nat) : MetaM String := do
  match e with
  | .mdata _ b => lamsSexp cfg b i
  | .lam n t b bi =>
    let nm := if n.hasMacroScopes then Name.mkSimple s!"x✝{i}" else n
    withLocalDecl nm bi t fun x => do
      return s!"(lam {esc (nameStr nm)} {← exprSexp cfg t} {← lamsSexp cfg (b.instantiate1 x) (i + 1)})"
  | _ => exprSexp cfg e

/-- A non-recursive definition as `(def …)`, or `none` when it is outside the fragment
(recursive, not a definition, or a body the printer refuses). -/
def defSexp (cfg : Cfg) (n mod : Name) : MetaM (Option String) := do
  let some (.defnInfo v) := (← getEnv).find? n | return none
  if (← isRecursiveDef n v.value) || (← isMatcher n) || (← isProjectionFn n) then
    return none
  let k := writtenParams v.type 0
  let bis := binderInfos v.type #[]
  -- `tryCatchRuntimeEx`, not `try … catch`: MetaM's `tryCatch` (`Core.tryCatch`) rethrows
  -- runtime exceptions (`Exception.isRuntime`: max heartbeats, max recursion depth), which
  -- would end the whole export; such a body is left out like any other outside the fragment.
  -- `withCurrHeartbeats` gives each definition its own heartbeat budget.
  -- (Both in `src/Lean/CoreM.lean`: `MonadRuntimeException`, `withCurrHeartbeats`.)
  withCurrHeartbeats <| tryCatchRuntimeEx (do
    forallBoundedTelescope v.type (some k) fun ps resTy => do
      let mut params : Array String := #[]
      for i in [0:ps.size] do
        params := params.push (← paramSexp cfg ps[i]! (bis.getD i BinderInfo.default))
      let body := v.value.beta ps
      let paramsText := params.foldl (fun (acc : String) (s : String) => acc ++ " " ++ s) ""
      return some s!"(def (name {esc (nameStr n)}) (module {esc (nameStr mod)}) (params{paramsText}) (type {← exprSexp cfg resTy}) (body {← lamsSexp cfg body 1}))")
    (fun _ => return none)

/-- A data structure of the exported modules as a `(structure …)` entry (docs/interchange.md):
its parameters (written `explicit`, as they are in its type `S params`) and its fields in order,
each field's sort over the parameters and the earlier fields (fvars named after them, printed as
variables of those names); `none` for anything else (a proposition such as an `@[arch_law]`, a
class, a type that is not a structure). -/
def structureSexp (cfg : Cfg) (n mod : Name) : MetaM (Option String) := do
  let env ← getEnv
  unless isStructure env n do
    return none
  if isClass env n then
    return none
  let some (.inductInfo iv) := env.find? n | return none
  let isPropType ← forallTelescope iv.type fun _ s => return s.isProp
  if isPropType then
    return none
  let [ctor] := iv.ctors | return none
  let cinfo ← getConstInfo ctor
  forallTelescope cinfo.type fun xs _ => do
    let mut ps : Array String := #[]
    let mut fs : Array String := #[]
    for i in [0:xs.size] do
      let d ← xs[i]!.fvarId!.getDecl
      let entry := s!"(param {esc (nameStr d.userName)} explicit {← exprSexp cfg d.type})"
      if i < iv.numParams then
        ps := ps.push entry
      else
        fs := fs.push entry
    let psText := ps.foldl (fun (acc : String) (t : String) => acc ++ " " ++ t) ""
    let fsText := fs.foldl (fun (acc : String) (t : String) => acc ++ " " ++ t) ""
    return some s!"(structure (name {esc (nameStr n)}) (module {esc (nameStr mod)}) (ctor {esc (nameStr ctor)}) (params{psText}) (fields{fsText}))"

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

/-- The module (of the exported ones, `roots` and their submodules) that defines `n`, if any. -/
def ownModule (roots : Array Name) (n : Name) : MetaM (Option Name) := do
  let env ← getEnv
  let some idx := env.getModuleIdxFor? n | return none
  let mod := env.header.moduleNames[idx.toNat]!
  return if roots.any (fun (r : Name) => r.isPrefixOf mod) then some mod else none

/-- The `(def …)` entries of the definitions the laws use, transitively, sorted by name, then
the `(structure …)` entries of the structures the laws, those definitions and those structures'
fields use, sorted by name. -/
def definitions (roots : Array Name) (used : IO.Ref (Array Name)) : MetaM (Array String) := do
  let mut done : NameSet := {}
  let mut out : Array (String × String) := #[]
  let mut structs : Array (String × String) := #[]
  let mut todo := (← used.get).toList
  while !todo.isEmpty do
    let n := todo.head!
    todo := todo.tail!
    if done.contains n then
      continue
    done := done.insert n
    let some mod ← ownModule roots n | continue
    let mine ← IO.mkRef (#[] : Array Name)
    match ← defSexp { skipProofs := true, used := mine, translateMatch := true } n mod with
    | some text =>
      out := out.push (nameStr n, text)
      todo := todo ++ (← mine.get).toList
    | none =>
      -- guarded like `defSexp`: an error or a runtime exception (heartbeats) in one
      -- structure's field types leaves that structure out instead of ending the export
      match ← withCurrHeartbeats <| tryCatchRuntimeEx
          (structureSexp { skipProofs := false, used := mine } n mod) (fun _ => return none) with
      | some text =>
        structs := structs.push (nameStr n, text)
        todo := todo ++ (← mine.get).toList
      | none => pure ()
  -- typed as a Bool comparison: `Array.qsort` takes `lt : α → α → Bool`, and an untyped
  -- let-bound lambda would elaborate to a Prop-valued one with no coercion to Bool
  let byName : String × String → String × String → Bool := fun a b => a.1 < b.1
  return (out.qsort byName).map (·.2) ++ (structs.qsort byName).map (·.2)

/-- The whole file: version 2 when a law uses a definition or a data structure, version 1
otherwise. -/
def exportAll (roots : Array Name) (srcDir : String) : MetaM (String × Nat × Nat) := do
  let decls ← tagged srcDir
  let used ← IO.mkRef (#[] : Array Name)
  let unused ← IO.mkRef (#[] : Array Name)
  let mut texts : Array String := #[]
  for (n, mod, isLaw) in decls do
    -- only laws carry definitions (the source reader's `export_definitions`)
    let text ← if isLaw then lawSexp { skipProofs := false, used := used } srcDir n mod
      else theoremSexp { skipProofs := false, used := unused } srcDir n mod
    texts := texts.push ("  " ++ text)
  let defs ← definitions roots used
  let version := if defs.isEmpty then 1 else 2
  let mut lines : Array String := #[
    "(archlaw-export",
    s!"  (version {version})",
    "  (producer \"lean\")",
    s!"  (lean-version {esc Lean.versionString})",
    "  (hashes)"]
  lines := lines ++ defs.map ("  " ++ ·) ++ texts
  return (String.intercalate "\n" lines.toList ++ ")\n", decls.size, defs.size)

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
      .error s!"unknown option {a}; usage: archlaw-export-v2 [OUT] [--module M]... [--src-dir DIR]"
    else parseArgs rest { o with out := a }

/-- Import the modules and write the export. -/
unsafe def run (opts : Opts) : IO UInt32 := do
  let mods := if opts.modules.isEmpty then #[`ArchLaw] else opts.modules
  try
    initSearchPath (← findSysroot)
    enableInitializersExecution
    let imports : Array Import := mods.map fun (m : Name) => ({ module := m } : Import)
    let env ← importModules imports {} (loadExts := true)
    let ctx : Core.Context := { fileName := "<archlaw-export-v2>", fileMap := default }
    let ((text, count, ndefs), _) ← ((exportAll mods opts.srcDir).run' {} {}).toIO ctx { env := env }
    IO.FS.writeFile opts.out text
    IO.println s!"archlaw-export-v2: wrote {count} declarations and {ndefs} definitions and structures (Lean {Lean.versionString}) to {opts.out}"
    return 0
  catch e =>
    IO.eprintln s!"archlaw-export-v2: {e}"
    return 1

end ArchLawExportV2

/-- Entry point of `lake exe archlaw-export-v2`. -/
unsafe def main (args : List String) : IO UInt32 := do
  match ArchLawExportV2.parseArgs args {} with
  | .error msg =>
    IO.eprintln s!"archlaw-export-v2: {msg}"
    return 2
  | .ok opts => ArchLawExportV2.run opts
