"""ArchLaw's bridge: from Lean laws (as data) to property tests and certificates on torch models.

Modules: `ir` (the typed IR), `interchange` (the S-expression format), `source_reader` (Lean source
to IR without Lean), `cli` (the `archlaw` command). See README.md for the flow.
"""
