"""The `condition` language of a rule: a boolean expression over selection names.

Grammar (lowest precedence first; `not` binds tighter than `and`, which binds tighter than `or`, as in Python)::

    expr  := and ("or" and)*
    and   := unary ("and" unary)*
    unary := "not" unary | atom
    atom  := "(" expr ")" | ("1" | "all") "of" (PATTERN | "them") | NAME

NAME is `[A-Za-z_][A-Za-z0-9_]*`; PATTERN is a NAME that may contain `*` wildcards (`1 of out_*`). `them` means
every selection. Parsing is a small recursive descent (never `eval`); `parse_condition` raises `ConditionError`
with the character position of the first problem, and `check_names` reports names that no selection defines.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from fnmatch import fnmatchcase

KEYWORDS = frozenset({"and", "or", "not", "of", "all", "them"})
NAME_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_TOKEN_RE = re.compile(r"\s*(?:(?P<paren>[()])|(?P<word>[A-Za-z0-9_*]+)|(?P<bad>\S))")


class ConditionError(ValueError):
    """A condition that cannot be parsed; `position` is the 0-based character offset of the problem."""

    def __init__(self, message: str, position: int) -> None:
        super().__init__(f"{message} at position {position}")
        self.message = message
        self.position = position


@dataclass(frozen=True)
class Name:
    name: str


@dataclass(frozen=True)
class Not:
    operand: Expr


@dataclass(frozen=True)
class And:
    operands: tuple[Expr, ...]


@dataclass(frozen=True)
class Or:
    operands: tuple[Expr, ...]


@dataclass(frozen=True)
class Quantified:
    """`1 of PATTERN` (quantifier "1") or `all of PATTERN`; PATTERN "them" matches every selection."""

    quantifier: str
    pattern: str


Expr = Name | Not | And | Or | Quantified


@dataclass(frozen=True)
class _Token:
    kind: str  # "paren" | "word" | "end"
    text: str
    position: int


def _tokenize(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    position = 0
    while position < len(text):
        match = _TOKEN_RE.match(text, position)
        if match is None:  # only trailing whitespace is left
            break
        kind = match.lastgroup or "bad"
        start = match.start(kind)
        if kind == "bad":
            raise ConditionError(f"unexpected character {match.group(kind)!r}", start)
        tokens.append(_Token(kind, match.group(kind), start))
        position = match.end()
    tokens.append(_Token("end", "", len(text.rstrip())))
    return tokens


class _Parser:
    def __init__(self, text: str) -> None:
        self.tokens = _tokenize(text)
        self.index = 0

    def peek(self) -> _Token:
        return self.tokens[self.index]

    def take(self) -> _Token:
        token = self.tokens[self.index]
        self.index += 1
        return token

    def accept(self, word: str) -> bool:
        token = self.peek()
        if token.kind != "end" and token.text == word:
            self.index += 1
            return True
        return False

    def parse(self) -> Expr:
        if self.peek().kind == "end":
            raise ConditionError("empty condition", 0)
        expr = self.parse_or()
        token = self.peek()
        if token.kind != "end":
            raise ConditionError(f"expected 'and', 'or' or the end, found {token.text!r}", token.position)
        return expr

    def parse_or(self) -> Expr:
        operands = [self.parse_and()]
        while self.accept("or"):
            operands.append(self.parse_and())
        return operands[0] if len(operands) == 1 else Or(_flatten(Or, operands))

    def parse_and(self) -> Expr:
        operands = [self.parse_unary()]
        while self.accept("and"):
            operands.append(self.parse_unary())
        return operands[0] if len(operands) == 1 else And(_flatten(And, operands))

    def parse_unary(self) -> Expr:
        if self.accept("not"):
            return Not(self.parse_unary())
        return self.parse_atom()

    def parse_atom(self) -> Expr:
        token = self.take()
        if token.kind == "end":
            raise ConditionError("expected a selection name, 'not', '(' or '1 of', found the end", token.position)
        if token.text == "(":
            inner = self.parse_or()
            closing = self.take()
            if closing.text != ")":
                found = "the end" if closing.kind == "end" else repr(closing.text)
                raise ConditionError(
                    f"expected ')' to close '(' at position {token.position}, found {found}", closing.position
                )
            return inner
        if token.text in ("1", "all"):
            of = self.take()
            if of.text != "of":
                raise ConditionError(f"expected 'of' after {token.text!r}", of.position)
            target = self.take()
            if target.kind != "word" or target.text in KEYWORDS - {"them"} or not _is_pattern(target.text):
                raise ConditionError(f"expected a name pattern or 'them' after '{token.text} of'", target.position)
            return Quantified(token.text, target.text)
        if token.kind == "word" and token.text not in KEYWORDS and NAME_RE.match(token.text):
            return Name(token.text)
        raise ConditionError(f"expected a selection name, 'not', '(' or '1 of', found {token.text!r}", token.position)


def _is_pattern(text: str) -> bool:
    return NAME_RE.match(text.replace("*", "x")) is not None


def _flatten(kind: type[And] | type[Or], operands: Sequence[Expr]) -> tuple[Expr, ...]:
    flat: list[Expr] = []
    for operand in operands:
        flat.extend(operand.operands if isinstance(operand, kind) else (operand,))
    return tuple(flat)


def parse_condition(text: str) -> Expr:
    """Parse a condition. Raises ConditionError (with the position) on any syntax error.

    >>> parse_condition("a and not (b or c)")
    And(operands=(Name(name='a'), Not(operand=Or(operands=(Name(name='b'), Name(name='c'))))))
    """
    return _Parser(text).parse()


def matching(pattern: str, names: Sequence[str]) -> list[str]:
    """The selection names a `1 of` / `all of` pattern covers, in the given order."""
    return list(names) if pattern == "them" else [name for name in names if fnmatchcase(name, pattern)]


def check_names(expr: Expr, names: Sequence[str]) -> list[str]:
    """Problems with the names `expr` uses: unknown names and patterns that match nothing (empty when fine)."""
    problems: list[str] = []
    for node in walk(expr):
        if isinstance(node, Name) and node.name not in names:
            problems.append(f"unknown selection {node.name!r}")
        elif isinstance(node, Quantified) and not matching(node.pattern, names):
            problems.append(f"pattern {node.pattern!r} matches no selection")
    return problems


def walk(expr: Expr) -> Iterator[Expr]:
    """Every node of `expr`, depth first, left to right."""
    yield expr
    if isinstance(expr, Not):
        yield from walk(expr.operand)
    elif isinstance(expr, And | Or):
        for operand in expr.operands:
            yield from walk(operand)


def referenced(expr: Expr, names: Sequence[str]) -> list[str]:
    """Selection names in the order the condition mentions them (patterns expanded in `names` order), no repeats."""
    seen: list[str] = []
    for node in walk(expr):
        if isinstance(node, Name):
            found = [node.name]
        elif isinstance(node, Quantified):
            found = matching(node.pattern, names)
        else:
            continue
        seen.extend(name for name in found if name not in seen)
    return seen


def evaluate(expr: Expr, values: Mapping[str, bool]) -> bool:
    """The truth of `expr` given each selection's truth. Raises KeyError for an unknown name."""
    if isinstance(expr, Name):
        return values[expr.name]
    if isinstance(expr, Not):
        return not evaluate(expr.operand, values)
    if isinstance(expr, And):
        return all(evaluate(operand, values) for operand in expr.operands)
    if isinstance(expr, Or):
        return any(evaluate(operand, values) for operand in expr.operands)
    covered = [values[name] for name in matching(expr.pattern, list(values))]
    return any(covered) if expr.quantifier == "1" else all(covered)


_PRECEDENCE = {Or: 1, And: 2, Not: 3}


def to_text(expr: Expr) -> str:
    """Render `expr` back to condition text with only the parentheses precedence needs."""
    return _render(expr, lambda name: name, lambda q, names: f"{q} of {names}", ("and", "or", "not"))


def to_sql(expr: Expr, column: Callable[[str], str], names: Sequence[str]) -> str:
    """Render `expr` as SQL; `column(name)` gives the (already safe) SQL for a selection's boolean column."""

    def quantified(quantifier: str, pattern: str) -> str:
        joiner = " OR " if quantifier == "1" else " AND "
        return "(" + joiner.join(column(name) for name in matching(pattern, names)) + ")"

    return _render(expr, column, quantified, ("AND", "OR", "NOT"))


def _render(
    expr: Expr,
    name: Callable[[str], str],
    quantified: Callable[[str, str], str],
    words: tuple[str, str, str],
    parent: int = 0,
) -> str:
    and_word, or_word, not_word = words
    if isinstance(expr, Name):
        return name(expr.name)
    if isinstance(expr, Quantified):
        return quantified(expr.quantifier, expr.pattern)
    own = _PRECEDENCE[type(expr)]
    if isinstance(expr, Not):
        text = f"{not_word} " + _render(expr.operand, name, quantified, words, own)
    else:
        joiner = f" {and_word} " if isinstance(expr, And) else f" {or_word} "
        text = joiner.join(_render(operand, name, quantified, words, own + 1) for operand in expr.operands)
    return f"({text})" if own < parent else text
