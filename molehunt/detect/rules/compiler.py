"""Compile rules to DuckDB SQL over the `user_day` table and run them.

Each rule becomes one query yielding `user_id, day, rule_id, level, weight, value, explanation` for every
(user, day) it fires on. Nothing read from YAML is pasted into SQL text: values (thresholds, list items, the
rule id, the literal parts of the explain template) are bound as named parameters; identifiers are checked
against the known columns of `user_day` (`_ident` raises ValueError otherwise); selection and window columns
get generated names (`mh_s0`, `mh_w0`); window sizes are validated integers.

Semantics worth knowing:
- a selection that compares a NULL (e.g. days_to_departure of a user not known to leave) is false, so
  `not departing` holds for such a user;
- `first` compares with every earlier row of the user in the table, so the table must hold the user's history;
- a correlation aggregates over the user's days in [day - window + 1, day] on which its `over` expression (by
  default the rule's condition) holds; the rule fires on days where the condition holds and every bound holds.
"""

from __future__ import annotations

import re
import string
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from molehunt.errors import MolehuntError

from .condition import referenced as referenced_names
from .condition import to_sql
from .model import COMPARISONS, Correlation, CorrelationType, FieldTest, Level, Modifier, Rule, column_kinds

OUTPUT_COLUMNS = ("user_id", "day", "rule_id", "level", "weight", "value", "explanation")
_OPERATORS = {"eq": "=", "ne": "<>", "gt": ">", "gte": ">=", "lt": "<", "lte": "<="}
_TABLE_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?$")
_INTERNAL_RE = re.compile(r"^mh_(s|w|first)\d+$")
_EMPTY = (
    "SELECT CAST(NULL AS VARCHAR) AS user_id, CAST(NULL AS DATE) AS day, CAST(NULL AS VARCHAR) AS rule_id, "
    "CAST(NULL AS VARCHAR) AS level, CAST(NULL AS INTEGER) AS weight, CAST(NULL AS DOUBLE) AS value, "
    "CAST(NULL AS VARCHAR) AS explanation WHERE false"
)


@dataclass(frozen=True)
class CompiledRule:
    """SQL text with `$name` placeholders and the values to bind: `con.execute(c.sql, c.params)`."""

    sql: str
    params: dict[str, float | str]


@dataclass(frozen=True)
class RuleMatch:
    """One (user, day) a rule fired on."""

    user_id: str
    day: date
    rule_id: str
    level: Level
    weight: int
    value: float | None
    explanation: str


class _Params:
    def __init__(self, prefix: str) -> None:
        self.prefix = prefix
        self.values: dict[str, float | str] = {}

    def bind(self, value: float | str) -> str:
        name = f"{self.prefix}{len(self.values)}"
        self.values[name] = value
        return f"${name}"


class CompileError(MolehuntError):
    """A rule names what the compiler cannot put into SQL (it reaches the user as one line, not a traceback)."""


def _ident(name: str) -> str:
    """A quoted identifier for a known user_day column or a generated column; CompileError for anything else."""
    if name not in column_kinds() and not _INTERNAL_RE.match(name):
        raise CompileError(f"not a known user_day column: {name!r}")
    return f'"{name}"'


def _table(table: str) -> str:
    if not _TABLE_RE.match(table):
        raise CompileError(f"bad table name {table!r}: use a plain or schema-qualified identifier")
    return ".".join(f'"{part}"' for part in table.split("."))


def _number_text(expr: str) -> str:
    """Deterministic text for a number: one decimal, dropped when it is 0 (7, 2.5); NULL as n/a."""
    return f"coalesce(regexp_replace(printf('%.1f', CAST({expr} AS DOUBLE)), '\\.0$', ''), 'n/a')"


class _RuleCompiler:
    def __init__(self, rule: Rule, prefix: str) -> None:
        self.rule = rule
        self.params = _Params(prefix)
        self.names = rule.selection_names
        self.first_columns: dict[str, str] = {}  # feature -> generated column "no earlier non-zero value"

    def selection_column(self, name: str) -> str:
        return _ident(f"mh_s{self.names.index(name)}")

    def test(self, test: FieldTest) -> str:
        column = _ident(test.field)
        modifier = test.modifier
        if modifier in COMPARISONS:
            assert isinstance(test.value, float | str)
            return f"{column} {_OPERATORS[modifier.value]} {self.params.bind(test.value)}"
        if modifier is Modifier.IN:
            assert isinstance(test.value, tuple)
            return f"{column} IN ({', '.join(self.params.bind(item) for item in test.value)})"
        if modifier is Modifier.NULL:
            return f"{column} IS NULL"
        if modifier is Modifier.NOTNULL:
            return f"{column} IS NOT NULL"
        if modifier is Modifier.FIRST:
            flag = self.first_columns.setdefault(test.field, f"mh_first{len(self.first_columns)}")
            return f"({column} > 0 AND {_ident(flag)})"
        assert isinstance(test.value, float)
        threshold = self.params.bind(test.value)
        if modifier is Modifier.Z_GTE:
            median, mad = _ident(test.field + "__median"), _ident(test.field + "__mad")
            return f"({column} - coalesce({median}, 0)) / greatest(1.4826 * coalesce({mad}, 0), 1) >= {threshold}"
        baseline = _ident(test.field + ("__peer" if modifier is Modifier.PEER_RATIO_GTE else "__median"))
        return f"{column} >= {threshold} * greatest(coalesce({baseline}, 0), 1)"

    def aggregate(self, index: int, correlation: Correlation) -> str:
        over = correlation.over if correlation.over is not None else self.rule.condition
        when = to_sql(over, self.selection_column, self.names)
        if correlation.type is CorrelationType.EVENT_COUNT:
            inner = f"sum(CASE WHEN {when} THEN 1 ELSE 0 END)"
        elif correlation.type is CorrelationType.SUM:
            inner = f"sum(CASE WHEN {when} THEN {_ident(str(correlation.field))} ELSE 0 END)"
        else:
            inner = f"count(DISTINCT CASE WHEN {when} THEN {_ident(str(correlation.field))} END)"
        preceding = int(correlation.window_days) - 1
        frame = (
            f'PARTITION BY "user_id" ORDER BY "day" RANGE BETWEEN INTERVAL {preceding} DAY PRECEDING AND CURRENT ROW'
        )
        return f"{inner} OVER ({frame}) AS {_ident(f'mh_w{index}')}"

    def value(self) -> str:
        if self.rule.correlations:
            return _ident("mh_w0")
        kinds = column_kinds()
        by_name = {selection.name: selection for selection in self.rule.selections}
        for name in referenced_names(self.rule.condition, self.names):
            for alternative in by_name[name].alternatives:
                for test in alternative:
                    if kinds[test.field] == "number":
                        return _ident(test.field)
        return "NULL"

    def explanation(self) -> str:
        kinds = column_kinds()
        parts: list[str] = []
        for literal, name, _spec, _conversion in string.Formatter().parse(self.rule.explain):
            if literal:
                parts.append(self.params.bind(literal))
            if name is None:
                continue
            if name == "window_value":
                parts.append(_number_text(_ident("mh_w0")))
            elif name.endswith("_ratio") and name not in kinds:
                feature = name.removesuffix("_ratio")
                ratio = f"{_ident(feature)} / greatest(coalesce({_ident(feature + '__median')}, 0), 1)"
                parts.append(f"printf('%.1f', CAST({ratio} AS DOUBLE))")
            elif kinds[name] == "number":
                parts.append(_number_text(_ident(name)))
            else:
                parts.append(f"coalesce(CAST({_ident(name)} AS VARCHAR), 'n/a')")
        return f"concat({', '.join(parts)})" if parts else "''"

    def compile(self, table: str) -> CompiledRule:
        selections = []
        for index, selection in enumerate(self.rule.selections):
            alternatives = " OR ".join(
                "(" + " AND ".join(map(self.test, alternative)) + ")" for alternative in selection.alternatives
            )
            selections.append(f"coalesce({alternatives}, false) AS {_ident(f'mh_s{index}')}")
        aggregates = [self.aggregate(index, correlation) for index, correlation in enumerate(self.rule.correlations)]
        firsts = [
            f'coalesce(max({_ident(feature)}) OVER (PARTITION BY "user_id" ORDER BY "day" '
            f"ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) = 0 AS {_ident(flag)}"
            for feature, flag in self.first_columns.items()
        ]
        base_columns = ["*", 'date_diff(\'day\', "first_day", "day") AS "tenure_days"', *firsts]
        where = [to_sql(self.rule.condition, self.selection_column, self.names)]
        for index, correlation in enumerate(self.rule.correlations):
            for operator, number in correlation.bounds:
                where.append(f"{_ident(f'mh_w{index}')} {_OPERATORS[operator]} {self.params.bind(number)}")
        output = [
            '"user_id"',
            '"day"',
            f'CAST({self.params.bind(self.rule.id)} AS VARCHAR) AS "rule_id"',
            f'CAST({self.params.bind(self.rule.level.value)} AS VARCHAR) AS "level"',
            f'{int(self.rule.weight)} AS "weight"',
            f'CAST({self.value()} AS DOUBLE) AS "value"',
            f'{self.explanation()} AS "explanation"',
        ]
        last = "mh_sel"
        ctes = [
            f"mh_base AS (\n  SELECT {_join(base_columns)}\n  FROM {_table(table)}\n)",
            f"mh_sel AS (\n  SELECT *,\n    {_join(selections)}\n  FROM mh_base\n)",
        ]
        if aggregates:
            ctes.append(f"mh_corr AS (\n  SELECT *,\n    {_join(aggregates)}\n  FROM mh_sel\n)")
            last = "mh_corr"
        sql = f"WITH {', '.join(ctes)}\nSELECT {_join(output)}\nFROM {last}\nWHERE {' AND '.join(where)}"
        return CompiledRule(sql, dict(self.params.values))


def _join(items: Sequence[str]) -> str:
    return ",\n    ".join(items)


def compile_rule(rule: Rule, table: str = "user_day", prefix: str = "p") -> CompiledRule:
    """Compile one rule (enabled or not) into one query. Raises ValueError for a bad table name.

    Parameter names are `prefix` + a counter, so several compiled rules can share one statement.
    """
    return _RuleCompiler(rule, prefix).compile(table)


def compile_rules(rules: Sequence[Rule], table: str = "user_day") -> CompiledRule:
    """One statement: the UNION ALL of every enabled rule, ordered by day, user_id, rule_id.

    With no enabled rule it is a query with the same columns and no rows.
    """
    enabled = [rule for rule in rules if rule.enabled]
    if not enabled:
        return CompiledRule(_EMPTY, {})
    compiled = [compile_rule(rule, table, prefix=f"r{index}_") for index, rule in enumerate(enabled)]
    union = "\nUNION ALL\n".join(f"SELECT * FROM (\n{item.sql}\n)" for item in compiled)
    params: dict[str, float | str] = {}
    for item in compiled:
        params.update(item.params)
    return CompiledRule(f'{union}\nORDER BY "day", "user_id", "rule_id"', params)


def run_rules(con: Any, rules: Sequence[Rule], table: str = "user_day") -> Any:
    """Run the enabled rules against `table` on a DuckDB connection; a pyarrow.Table with OUTPUT_COLUMNS.

    Rows are ordered by day, user_id, rule_id. Raises duckdb.Error when the table lacks a column the rules read
    (user_day's context columns and, for each feature F, F, F__median, F__mad and F__peer).
    """
    compiled = compile_rules(rules, table)
    relation = con.sql(compiled.sql, params=compiled.params)
    to_table = getattr(relation, "to_arrow_table", None)  # DuckDB >= 1.5; older versions return a Table from arrow()
    return to_table() if to_table is not None else relation.arrow()


def match_rules(con: Any, rules: Sequence[Rule], table: str = "user_day") -> list[RuleMatch]:
    """`run_rules` as typed `RuleMatch` rows (same order, same errors)."""
    return matches_from(run_rules(con, rules, table))


def matches_from(result: Any) -> list[RuleMatch]:
    """A pyarrow.Table with OUTPUT_COLUMNS (from any engine) as typed `RuleMatch` rows, in the table's order."""
    return [
        RuleMatch(
            row["user_id"],
            row["day"],
            row["rule_id"],
            Level(row["level"]),
            row["weight"],
            row["value"],
            row["explanation"],
        )
        for row in result.to_pylist()
    ]
