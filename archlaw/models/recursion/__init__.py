"""The recursion family: recurrent and recursive networks as folds (algebras of the list and tree
functors) and streaming networks as Mealy and Moore machines (coalgebras), with the laws of
``lean/ArchLaw/Fold.lean`` and ``lean/ArchLaw/Recursion/``.

Roles, the same in every family (imports run down this list, never up):

* `modules`: the torch modules (`LeftFold`, `TreeFold`, `MealyRunner`, `MooreRunner`, cells);
* `data`: the tasks, generated in code;
* `train`: batches and loss for the shared loop (`archlaw.models.training`), and evaluation;
* `baselines`: LSTM and transformer baselines;
* `bindings`: the laws' bindings, and the ``ArchLaw.BTree`` sort with its interpretations;
* `fixtures`: the registry's tiny seeded models and seeded violations.

Importing the family registers its sort (``ArchLaw.BTree``), so that a law over trees can be
checked on any model.
"""

from archlaw.models.recursion import bindings as _bindings  # noqa: F401  (registers ArchLaw.BTree)
