"""The equivariance family: layers that commute with a group action (algebras of the monad
``G × -``), generated from ``lean/ArchLaw/Equivariance.lean``, with the law ``Equivariant``.

Roles, the same in every family (imports run down this list, never up):

* `modules`: groups, their actions on fields, and the equivariant layers and networks;
* `data`: the symmetric tasks, generated in code;
* `train`: batches and loss for the shared loop (`archlaw.models.training`), and accuracy;
* `baselines`: non-equivariant baselines of similar size;
* `bindings`: the layers, group tables and actions bound to the laws;
* `fixtures`: the registry's tiny seeded layers and seeded violations.
"""
