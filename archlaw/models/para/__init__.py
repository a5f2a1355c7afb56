"""The Para family: layers as morphisms ``(P, f : P × A → B)`` of the 2-category Para, weight
tying and sharing as reparametrisations, and the reverse-derivative laws checked on autograd
(``lean/ArchLaw/Para.lean``; docs/para.md).

Roles, the same in every family (imports run down this list, never up):

* `modules`: the `Para` morphisms (`Layer`, `Seq`, `Par`, `Reparam`, `tie`, `unroll`) on
  `torch.func.functional_call`, and `ParaModule`, a morphism with its parameters held;
* `data`: none (the laws are checked on sampled parameters and inputs);
* `train`: one optimiser step of a `ParaModule`;
* `baselines`: the same networks as plain `nn.Sequential` (the benchmark's reference);
* `bindings`: morphisms bound to the laws, each reverse derivative `torch.func.vjp`;
* `fixtures`: the registry's tiny seeded morphisms and seeded violations.
"""
