import ArchLaw.Attr
import ArchLaw.Carry.Arith
import ArchLaw.Carry.Basic
import ArchLaw.Carry.Twisted
import ArchLaw.Carry.Adder
import ArchLaw.Carry.Lookahead

/-!
# The carry of addition: a 2-cocycle, a certified digit-wise adder, and carry lookahead

Everything holds for every base `B` (with `2 ≤ B` where a digit `1` or the non-split argument
needs it), proved in general, not by `decide` for one base. Sums of digits wrap in `Fin B`;
equations between sizes are stated in `Nat` through `.val`. Namespace: `ArchLaw.Carry`.

Written without a Lean toolchain: none of these files has been compiled.

## Laws (`@[arch_law]`) and the symbols a model supplies

| law | symbol(s) from the model | fixed symbols | cases |
| --- | --- | --- | --- |
| `Cocycle {B} c` (`Carry/Basic.lean`) | `c : Fin B → Fin B → Fin 2` (a cell's carry with carry-in 0) | `B` | `B³` |
| `CarryCell B cell` (`Carry/Adder.lean`) | `cell : Fin B → Fin B → Fin 2 → Fin B × Fin 2` | `B` | `2·B²` |
| `LookaheadLaws combine` (`Carry/Lookahead.lean`) | `combine : Gen → Gen → Gen` | | 27 |
| `EvalLaw combine` (`Carry/Lookahead.lean`) | `combine : Gen → Gen → Gen` | `Gen.eval` | 18 |
| `CombineLaws combine` (`Carry/Lookahead.lean`) | `combine : Gen → Gen → Gen` (both laws above) | `Gen.eval` | 27 + 18 |

`Gen` is `ArchLaw.Carry.Gen` with constructors `ArchLaw.Carry.Gen.kill`, `.prop`, `.gen`
(K, P, G; codes 0, 1, 2 in declaration order); `ArchLaw.Carry.Gen.eval K c = 0`,
`eval P c = c`, `eval G c = 1`; `ArchLaw.Carry.Gen.op x y = if y = P then x else y`.

## Theorems (`@[arch_theorem]`)

* `twAdd_assoc (h : Cocycle c)`: the `c`-twisted addition on `Fin B × Fin B` is associative.
* `cell_cocycle (h : CarryCell B cell)`: `Cocycle (cellCarry cell)`, the cell's carry with
  carry-in `0` is a 2-cocycle.
* `add_correct_carry (hB : 2 ≤ B) (h : CarryCell B cell)`:
  `decode (addWithCarry cell xs ys c) = decode xs + decode ys + c.val` for all digit lists.
* `add_correct (hB : 2 ≤ B) (h : CarryCell B cell)`:
  `decode (add cell xs ys) = decode xs + decode ys` for all digit lists.
* `lookahead_correct (h : EvalLaw combine)`:
  `Gen.eval (List.foldl combine Gen.prop (List.map pairStatus ps)) cin = carryChain ps cin`.
* `scan_correct (h : CombineLaws combine)`: for every bracketing `t : ScanTree` with
  `ScanTree.leaves t = List.map pairStatus ps`,
  `Gen.eval (ScanTree.reduce combine t) cin = carryChain ps cin`.
* `scan_assoc (h : LookaheadLaws combine)`:
  `combine g (ScanTree.reduce combine t) = List.foldl combine g (ScanTree.leaves t)`.

## Other results (no law hypothesis)

* `carry_cocycle : Cocycle carry`, for every `B`.
* The carry-twisted addition is a commutative group: `tw_assoc`, `tw_comm`, `tw_add_zero`,
  `tw_zero_add`, `tw_add_neg`, `tw_neg_add`; `enc (lo, hi) = lo.val + B * hi.val` is an additive
  bijection onto `Fin (B * B)`: `enc_injective`, `enc_surjective`, `enc_add`.
* `not_split (hB : 2 ≤ B)`: no additive `s : Fin B → Fin (B * B)` with
  `(s a).val % B = a.val` for every `a`.
* `refCell_carryCell : CarryCell B refCell`; `cell_carry_val`: a lawful cell's carry is
  `carryIn`; `Gen.op_assoc`, `Gen.prop_op`, `Gen.op_prop`, `Gen.eval_op`, `op_combineLaws`;
  `carry_into_position`, `carryChain_eq_op_fold`.

## Definitions a runner must implement exactly (the trust base of a certificate)

* `decode xs = xs.foldr (fun d acc => d.val + B * acc) 0` (little-endian).
* `addWithCarry cell xs ys c`: per position, `(d, c') := cell x y c`, emit `d`, carry `c'`;
  when one list runs out, its digit is `0` (`zeroLike`, pairing `cell x 0 c` or `cell 0 y c`);
  when both have run out, emit the digit `1` if the carry is `1` (`carryOut`), else nothing.
  `add cell xs ys = addWithCarry cell xs ys 0`.
* `status a b = G` if `a + b ≥ B`, `P` if `a + b + 1 = B`, else `K`;
  `carryChain ps cin = ps.foldl (fun c p => carryIn p.1 p.2 c) cin`.
-/
