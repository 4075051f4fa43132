"""The condition parser: precedence, quantifiers, errors with positions, and a Hypothesis round trip."""

from __future__ import annotations

import itertools

import duckdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from molehunt.detect.rules.condition import (
    And,
    ConditionError,
    Expr,
    Name,
    Not,
    Or,
    Quantified,
    check_names,
    evaluate,
    parse_condition,
    referenced,
    to_sql,
    to_text,
)

NAMES = ["a", "b", "c", "sel_1", "sel_2"]


def test_precedence_not_and_or() -> None:
    assert parse_condition("a or b and not c") == Or((Name("a"), And((Name("b"), Not(Name("c"))))))
    assert parse_condition("(a or b) and c") == And((Or((Name("a"), Name("b"))), Name("c")))
    assert parse_condition("a and b and c") == And((Name("a"), Name("b"), Name("c")))
    assert parse_condition("not not a") == Not(Not(Name("a")))


def test_quantifiers() -> None:
    assert parse_condition("1 of sel_* and not all of them") == And(
        (Quantified("1", "sel_*"), Not(Quantified("all", "them")))
    )
    values = {"a": False, "b": False, "c": False, "sel_1": False, "sel_2": True}
    assert evaluate(parse_condition("1 of sel_*"), values)
    assert not evaluate(parse_condition("all of sel_*"), values)
    assert not evaluate(parse_condition("1 of them and a"), values)
    assert referenced(parse_condition("c or 1 of sel_* or c"), NAMES) == ["c", "sel_1", "sel_2"]


@pytest.mark.parametrize(
    ("text", "position", "words"),
    [
        ("", 0, "empty"),
        ("a and", 5, "found the end"),
        ("a b", 2, "found 'b'"),
        ("(a or b", 7, "expected ')'"),
        ("a or )", 5, "found ')'"),
        ("a & b", 2, "unexpected character '&'"),
        ("1 off a*", 2, "expected 'of'"),
        ("all of and", 7, "pattern"),
        ("and a", 0, "found 'and'"),
    ],
)
def test_syntax_errors_name_the_position(text: str, position: int, words: str) -> None:
    with pytest.raises(ConditionError) as caught:
        parse_condition(text)
    assert caught.value.position == position
    assert words in str(caught.value)


def test_unknown_names_and_empty_patterns() -> None:
    problems = check_names(parse_condition("a and zed or 1 of nothing_*"), NAMES)
    assert problems == ["unknown selection 'zed'", "pattern 'nothing_*' matches no selection"]
    assert check_names(parse_condition("a and 1 of sel_*"), NAMES) == []


def _exprs() -> st.SearchStrategy[Expr]:
    leaves = st.one_of(
        st.sampled_from(NAMES).map(Name),
        st.builds(Quantified, st.sampled_from(["1", "all"]), st.sampled_from(["sel_*", "them", "c*"])),
    )

    def extend(children: st.SearchStrategy[Expr]) -> st.SearchStrategy[Expr]:
        return st.one_of(
            children.map(Not),
            st.lists(children, min_size=2, max_size=3).map(lambda xs: And(tuple(xs))),
            st.lists(children, min_size=2, max_size=3).map(lambda xs: Or(tuple(xs))),
        )

    return st.recursive(leaves, extend, max_leaves=8)


def _python(expr: Expr) -> str:
    """The same expression as Python source, fully parenthesised, for an independent evaluation."""
    if isinstance(expr, Name):
        return expr.name
    if isinstance(expr, Quantified):
        names = [n for n in NAMES if expr.pattern == "them" or n.startswith(expr.pattern.rstrip("*"))]
        return ("any" if expr.quantifier == "1" else "all") + "([" + ", ".join(names) + "])"
    if isinstance(expr, Not):
        return f"(not {_python(expr.operand)})"
    joiner = " and " if isinstance(expr, And) else " or "
    return "(" + joiner.join(map(_python, expr.operands)) + ")"


ASSIGNMENTS = [dict(zip(NAMES, bits, strict=True)) for bits in itertools.product([False, True], repeat=len(NAMES))]


@settings(max_examples=150, deadline=None)
@given(_exprs())
def test_round_trip_matches_python_evaluation(expr: Expr) -> None:
    text = to_text(expr)
    parsed = parse_condition(text)
    # The parser flattens nested and/or, so the parsed tree is the normal form: rendering it and parsing again
    # must give exactly the same tree.
    assert parse_condition(to_text(parsed)) == parsed
    python = _python(expr)
    for values in ASSIGNMENTS:
        assert evaluate(parsed, values) == eval(python, {"any": any, "all": all}, dict(values)), (text, values)


@settings(max_examples=40, deadline=None)
@given(_exprs(), st.sampled_from(ASSIGNMENTS))
def test_sql_rendering_agrees_with_evaluation(expr: Expr, values: dict[str, bool]) -> None:
    sql = to_sql(expr, lambda name: name, NAMES)
    columns = ", ".join(f"{str(v).lower()} AS {n}" for n, v in values.items())
    rows = duckdb.connect().execute(f"SELECT {sql} FROM (SELECT {columns})").fetchall()
    assert rows == [(evaluate(expr, values),)]
