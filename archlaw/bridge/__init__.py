"""ArchLaw's engine: from Lean laws (as data) to property tests and certificates on torch models.

Modules: `ir` (the typed IR), `interchange` (the S-expression format), `source_reader` (Lean source
to IR without Lean), `library` (finding and loading a project's laws), `sorts`, `interpret`,
`domains` and `conformance` (laws checked on a model), `certificate`. The engine imports no model
family; the command line lives in `archlaw.cli`.
"""
