"""`ir.pretty` prints a `List.cons` chain ending in `List.nil` as a list literal, as Lean does:
``a :: []`` is ``[a]``, ``as ++ a :: []`` is ``as ++ [a]``; a chain ending in anything else stays
infix ``::``. The source reader reads the printed literal back to the same term."""

from __future__ import annotations

import dataclasses

from hypothesis import given, settings, strategies as st

from archlaw.bridge import ir, source_reader as sr
from archlaw.bridge.ir import App, Lit, TYPE, Var

NAT = App("Nat", (), TYPE)

A = Var("A", TYPE)
LIST_A = App("List", (A,), TYPE)
NIL = App("List.nil", (), LIST_A)
a, b = Var("a", A), Var("b", A)
as_ = Var("as", LIST_A)


def cons(x, xs):
    return App("List.cons", (x, xs), LIST_A)


def test_singleton_and_snoc():
    assert ir.pretty(cons(a, NIL)) == "[a]"
    assert ir.pretty(App("HAppend.hAppend", (as_, cons(a, NIL)), LIST_A)) == "as ++ [a]"
    run = Var("run", ir.arrow(LIST_A, A))
    snoc_arg = App(run, (App("HAppend.hAppend", (as_, cons(a, NIL)), LIST_A),), A)
    assert ir.pretty(snoc_arg) == "run (as ++ [a])"


def test_longer_and_nested_literals():
    assert ir.pretty(cons(a, cons(b, NIL))) == "[a, b]"
    list_list = App("List", (LIST_A,), TYPE)
    assert ir.pretty(App("List.cons", (cons(a, NIL), App("List.nil", (), list_list)), list_list)) \
        == "[[a]]"
    plus = App("HAdd.hAdd", (Lit(1, NAT), Lit(2, NAT)), NAT)
    nat_list = App("List", (NAT,), TYPE)
    assert ir.pretty(App("List.cons", (plus, App("List.nil", (), nat_list)), nat_list)) == "[1 + 2]"


def test_a_chain_not_ending_in_nil_stays_infix():
    assert ir.pretty(cons(a, as_)) == "a :: as"
    assert ir.pretty(cons(a, cons(b, as_))) == "a :: b :: as"
    assert ir.pretty(App("List.nil", (), LIST_A)) == "[]"


_LAW = ("@[arch_law] structure L {{A : Type}} (run : List A → A) (xs : List A) (a b : A) : "
        "Prop where\n  f : {statement}\n")


@settings(max_examples=25, deadline=None)
@given(st.lists(st.sampled_from(["a", "b"]), min_size=1, max_size=4), st.booleans())
def test_the_printed_literal_reads_back_to_the_same_term(names, append):
    chain = "[]"
    for n in reversed(names):
        chain = f"{n} :: {chain}"
    arg = f"(xs ++ ({chain}))" if append else f"({chain})"
    (d,) = sr.read_text(_LAW.format(statement=f"run {arg} = a"))
    term = d.field("f").statement
    printed = ir.pretty(term)
    literal = "[" + ", ".join(names) + "]"
    assert printed == (f"run (xs ++ {literal}) = a" if append else f"run {literal} = a")
    (again,) = sr.read_text(_LAW.format(statement=printed))
    assert again.field("f").statement == term


def test_uses_sorry_is_unknown_when_axioms_are_unknown():
    law = ir.Law("L", "M", None, "", (), "source", None, ())
    assert law.uses_sorry is None
    assert dataclasses.replace(law, axioms=()).uses_sorry is False
    assert dataclasses.replace(law, axioms=("propext", "sorryAx")).uses_sorry is True
