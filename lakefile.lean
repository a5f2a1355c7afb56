import Lake
open Lake DSL

-- ArchLaw: laws of neural architectures in core Lean 4 (no Mathlib), and their exporter.
-- * `lake build` builds the library `ArchLaw` (sources in `lean/`) and the exporter.
-- * `lake exe archlaw-export [OUT]` writes every `@[arch_law]` and `@[arch_theorem]` as
--   S-expressions (`docs/interchange.md`); `archlaw export` runs it and adds file hashes.

package archlaw where

-- The law library: `lean/ArchLaw.lean` and `lean/ArchLaw/**`.
@[default_target]
lean_lib ArchLaw where
  srcDir := "lean"

-- The exporter: imports `ArchLaw` and writes the interchange file (`lean/ArchLawExport.lean`).
@[default_target]
lean_exe «archlaw-export» where
  srcDir := "lean"
  root := `ArchLawExport
  supportInterpreter := true
