"""The pathfinding family: shortest paths as message passing in the saturating (min, +)
semiring. A learned relaxation cell over ``Fin K`` distances and ``Fin W`` weights, checked on
its whole domain, runs under a min aggregation as Bellman-Ford on graphs of any size; a float
form with a monotone message; sum- and mean-aggregation baselines.

Roles, the same in every family (imports run down this list, never up):

* `modules`: the cell, the aggregations, the min GNNs (finite and float), hand-built tables;
* `data`: graphs generated in code (random, paths, grids) and reference distances;
* `baselines`: the sum- and mean-aggregation GNNs;
* `train`: the cell, the float message and the baselines as recipes for the shared loop;
* `bindings`: the models bound to the laws;
* `fixtures`: the registry's tiny models and seeded violations.
"""
