import Lake
open Lake DSL

-- ArchLaw: laws of neural architectures in core Lean 4 (no Mathlib), and their exporter.
-- * `lake build` builds the library `ArchLaw` (sources in `lean/`) and the exporter (not the
--   version-2 exporter `archlaw-export-v2` below, written blind).
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

-- The version-2 exporter (also the `(def ...)` entries of the definitions the laws use;
-- `lean/ArchLawExportV2.lean`). Written without a Lean toolchain and not compiled there: it is
-- no default target and nothing imports it, so an error in it cannot stop `lake build`.
-- `lake exe archlaw-export-v2 [OUT]` builds and runs it; `archlaw export --definitions` too.
lean_exe «archlaw-export-v2» where
  srcDir := "lean"
  root := `ArchLawExportV2
  supportInterpreter := true
