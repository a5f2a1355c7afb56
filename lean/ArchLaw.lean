import ArchLaw.Attr
import ArchLaw.Category
import ArchLaw.Algebra
import ArchLaw.Monad
import ArchLaw.Fold
import ArchLaw.Carry
import ArchLaw.Equivariance
import ArchLaw.Recursion

/-!
# ArchLaw

Laws of neural architectures, stated and proved in core Lean 4 (no Mathlib).

* `ArchLaw.Attr`: the `@[arch_law]` and `@[arch_theorem]` attributes.
* `ArchLaw.Category`, `ArchLaw.Algebra`, `ArchLaw.Monad`: a minimal category theory
  (categories, functors, natural transformations, algebras and coalgebras of endofunctors,
  monads and their Eilenberg–Moore algebras).
* `ArchLaw.Fold`: the fold laws and the algebra-homomorphism law.
* `ArchLaw.Carry`: the carry of addition as a 2-cocycle, and the certified adder.
* `ArchLaw.Equivariance`: group actions as algebras of the monad `G × -`.
* `ArchLaw.Recursion`: folds over lists and trees, Mealy and Moore machines.
-/
