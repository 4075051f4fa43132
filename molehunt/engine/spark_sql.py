"""The one seam between the DuckDB SQL that defines features, baselines and rules and Spark SQL.

sqlglot transpiles the DuckDB text (the single definition, run as-is by the DuckDB engine) to Spark's dialect.
What it cannot carry over with the same meaning is rewritten here, on the syntax tree, and nowhere else:

- `median(x)` / `mad(x)` over a window with ORDER BY or a frame (Spark refuses both): the exact interpolated
  median, and the median of absolute deviations from it, of the sorted `collect_list(x)` over the same window;
- `count(DISTINCT x)` over a window (Spark refuses distinct window aggregates): `size(collect_set(x))`;
- `dayofweek(d)`: DuckDB counts Sunday as 0, Spark as 1;
- `printf(format, ...)`: Java's formatter rounds halves up where DuckDB (like C) rounds the exact binary value
  (2.25 -> "2.2"), so it runs as the Python UDF `mh_printf` (Python's % formatting rounds as C does);
- a DATE or TIMESTAMP parameter is bound as ISO text under a CAST (Spark cannot bind year-1 dates from Python);
  timestamps are TIMESTAMP_NTZ, as the store's are (no zone).

Named windows (`WINDOW w AS (...)`) are inlined first, so each rewrite sees the whole window. Parameters stay
parameters: `$name` becomes Spark's `:name` marker and the values travel in `args`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime

import sqlglot
from sqlglot import exp

PRINTF_UDF = "mh_printf"


@dataclass(frozen=True)
class SparkQuery:
    """Spark SQL text with `:name` markers and the values to bind: `spark.sql(q.sql, args=q.args)`."""

    sql: str
    args: dict[str, object]


def _median_of(array: str) -> str:
    """Spark SQL for the interpolated median of a sorted array expression (NULL when empty), as DuckDB's median."""
    n = f"SIZE({array})"
    return (
        f"CASE WHEN {n} = 0 THEN CAST(NULL AS DOUBLE) "
        f"WHEN {n} % 2 = 1 THEN CAST({array}[({n} - 1) DIV 2] AS DOUBLE) "
        f"ELSE ({array}[{n} DIV 2 - 1] + {array}[{n} DIV 2]) / CAST(2 AS DOUBLE) END"
    )


# `mh_list` stands for the sorted list of the window's values; the lambda binds it once.
_MEDIAN = f"ELEMENT_AT(TRANSFORM(ARRAY(mh_list), mh_s -> {_median_of('mh_s')}), 1)"
_DEVIATIONS = f"ARRAY_SORT(TRANSFORM(mh_s, mh_v -> ABS(mh_v - {_median_of('mh_s')})))"
_MAD = (
    f"ELEMENT_AT(TRANSFORM(ARRAY(mh_list), mh_s -> "
    f"ELEMENT_AT(TRANSFORM(ARRAY({_DEVIATIONS}), mh_d -> {_median_of('mh_d')}), 1)), 1)"
)


def _inline_windows(tree: exp.Expr) -> exp.Expr:
    for select in tree.find_all(exp.Select):
        named = {w.this.name: w for w in select.args.get("windows") or []}
        if not named:
            continue
        for window in select.find_all(exp.Window):
            ref = window.args.get("alias")
            if ref is None or ref.name not in named or window.parent_select is not select:
                continue
            definition = named[ref.name]
            for key in ("partition_by", "order", "spec"):
                if definition.args.get(key) is not None:
                    window.set(key, definition.args[key].copy())
            window.set("alias", None)
        select.set("windows", None)
    return tree


def _over(window: exp.Window, function: exp.Expr) -> exp.Window:
    return exp.Window(
        this=function,
        partition_by=[p.copy() for p in window.args.get("partition_by") or []],
        order=window.args["order"].copy() if window.args.get("order") else None,
        spec=window.args["spec"].copy() if window.args.get("spec") else None,
        over="OVER",
    )


def _from_template(template: str, values: exp.Window) -> exp.Expr:
    tree = sqlglot.parse_one(template, read="spark")
    sorted_values = exp.Anonymous(this="ARRAY_SORT", expressions=[values])

    def fill(node: exp.Expr) -> exp.Expr:
        if isinstance(node, exp.Column) and node.name == "mh_list":
            return sorted_values.copy()
        return node

    return tree.transform(fill)


def _rewrite(node: exp.Expr) -> exp.Expr:
    if isinstance(node, exp.Window):
        function = node.this
        framed = node.args.get("order") is not None or node.args.get("spec") is not None
        is_mad = isinstance(function, exp.Anonymous) and function.name.lower() == "mad"
        if framed and (isinstance(function, exp.Median) or is_mad):
            argument = function.expressions[0] if is_mad else function.this
            values = _over(node, exp.Anonymous(this="COLLECT_LIST", expressions=[argument.copy()]))
            return _from_template(_MAD if is_mad else _MEDIAN, values)
        if isinstance(function, exp.Count) and isinstance(function.this, exp.Distinct):
            (argument,) = function.this.expressions
            values = _over(node, exp.Anonymous(this="COLLECT_SET", expressions=[argument.copy()]))
            return exp.Anonymous(this="SIZE", expressions=[values])
    if isinstance(node, exp.DayOfWeek):
        return exp.Paren(
            this=exp.Sub(
                this=exp.Anonymous(this="DAYOFWEEK", expressions=[node.this]), expression=exp.Literal.number(1)
            )
        )
    if isinstance(node, exp.Anonymous) and node.name.lower() == "printf":
        return exp.Anonymous(this=PRINTF_UDF, expressions=node.expressions)
    return node


def _bind(tree: exp.Expr, params: Mapping[str, object]) -> tuple[exp.Expr, dict[str, object]]:
    args: dict[str, object] = {}

    def cast_dates(node: exp.Expr) -> exp.Expr:
        if not isinstance(node, exp.Placeholder) or node.name not in params:
            return node
        value = params[node.name]
        if isinstance(value, datetime):
            args[node.name] = value.isoformat(sep=" ")
            return exp.cast(exp.Placeholder(this=node.name), exp.DataType.build("TIMESTAMP_NTZ", dialect="spark"))
        if isinstance(value, date):
            args[node.name] = value.isoformat()
            return exp.cast(exp.Placeholder(this=node.name), exp.DataType.build("DATE"))
        args[node.name] = list(value) if isinstance(value, tuple) else value
        return node

    return tree.transform(cast_dates), args


def to_spark(sql: str, params: Mapping[str, object] | None = None) -> SparkQuery:
    """Spark SQL with the meaning of the DuckDB query `sql`, and its `$name` parameters bound from `params`.

    Raises sqlglot.errors.ParseError for text sqlglot cannot read; only the parameters the query uses are bound.
    """
    tree = _inline_windows(sqlglot.parse_one(sql, read="duckdb"))
    tree = tree.transform(_rewrite)
    tree, args = _bind(tree, params or {})
    return SparkQuery(tree.sql(dialect="spark"), args)
