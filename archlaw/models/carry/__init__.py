"""The carry family: a learned carry cell inside a Mealy adder, and a log-depth adder over the
carry-lookahead monoid, held to the laws of ``lean/ArchLaw/Carry/`` (the carry as a 2-cocycle).

Roles, the same in every family (imports run down this list, never up):

* `modules`: the cell, the combine, the Mealy and lookahead adders, hand-built exact tables;
* `data`: operands generated in code, and numbers read and written in any base;
* `train`: the cell and the combine as recipes for the shared loop (`archlaw.models.training`),
  with the exhaustive acceptance checks;
* `baselines`: the transformer adder the learned adders are compared with;
* `bindings`: the models bound to the laws, the adder's report, and the ``ArchLaw.Carry.Gen`` sort;
* `store`: the user cache of trained cells (``~/.cache/archlaw``), repaired on every lookup;
* `fixtures`: the registry's tiny seeded models and seeded violations, and `cached_binding`.

Outside the ranks: `table`, the decoded cell read off as a table on all its inputs, and the two
adders that run the table in numpy (`archlaw add --adder table|table-lookahead`).

Importing the family registers its sort (``ArchLaw.Carry.Gen``) and its interpretations.
"""

from archlaw.models.carry import bindings as _bindings  # noqa: F401  (registers ArchLaw.Carry.Gen)
