"""The one seam between the DuckDB SQL that defines features, baselines and rules and Spark SQL.

sqlglot transpiles the DuckDB text (the single definition, run as-is by the DuckDB engine) to Spark's dialect.
What it cannot carry over with the same meaning is rewritten here, on the syntax tree, and nowhere else:

- `median(x)` / `mad(x)` over a window with ORDER BY or a frame (Spark refuses both): the exact interpolated
  median, and the median of absolute deviations from it, of the sorted `collect_list(x)` over the same window
  (in a SELECT that allows it computed in levels, from columns: `_level_medians`);
- `count(DISTINCT x)` over a window (Spark refuses distinct window aggregates): `size(collect_set(x))`;
- `dayofweek(d)`: DuckDB counts Sunday as 0, Spark as 1;
- `printf('%.1f', x)`: Java's formatter rounds the shortest decimal text half up where DuckDB (like C) rounds
  the exact binary value half to even (2.25 -> "2.2", 0.15 -> "0.1"), so it becomes plain Spark SQL that decides
  the rounding on the exact value (`_PRINTF_1F`; no Python UDF); other templates are refused;
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

# printf('%.1f', mh_arg) as C and DuckDB print it, for |x| < 9e18 (where every double is below 2^63): the tenths
# digit is decided on the exact binary value, half to even. With a = floor(|x|) and f = |x| - a (exact), 10f is
# computed as 8f + 2f (both exact) and the rounding error of that sum recovered exactly (Knuth's two-sum), so a
# sum landing on k + 0.5 is resolved by the sign of the error, and only a true tie (f = .25 or .75) by evenness.
# Sign as printed by C: "-" for any negative value, -0.0 included (-0.04 -> "-0.0"). NaN and infinities are
# spelled as DuckDB does; beyond 9e18 (never a count or a ratio here) Java's digits are printed.
_TENTHS = (
    "ELEMENT_AT(TRANSFORM(ARRAY(ABS(mh_x) - FLOOR(ABS(mh_x))), mh_f -> "
    "ELEMENT_AT(TRANSFORM(ARRAY(mh_f * 8 + mh_f * 2), mh_s -> "
    "FLOOR(mh_s) + CASE WHEN mh_s - FLOOR(mh_s) > 0.5 OR (mh_s - FLOOR(mh_s) = 0.5 AND "
    "((mh_f * 8 - (mh_s - (mh_s - mh_f * 8))) + (mh_f * 2 - (mh_s - mh_f * 8)) > 0 OR "
    "((mh_f * 8 - (mh_s - (mh_s - mh_f * 8))) + (mh_f * 2 - (mh_s - mh_f * 8)) = 0 AND FLOOR(mh_s) % 2 = 1))) "
    "THEN 1 ELSE 0 END), 1)), 1)"
)
_PRINTF_1F = (
    "ELEMENT_AT(TRANSFORM(ARRAY(CAST(mh_arg AS DOUBLE)), mh_x -> CASE "
    "WHEN mh_x IS NULL THEN CAST(NULL AS STRING) "
    "WHEN ISNAN(mh_x) THEN 'nan' "
    "WHEN mh_x = CAST('Infinity' AS DOUBLE) THEN 'inf' "
    "WHEN mh_x = CAST('-Infinity' AS DOUBLE) THEN '-inf' "
    "WHEN ABS(mh_x) >= 9.0E18 THEN FORMAT_STRING('%.1f', mh_x) "
    "ELSE CONCAT(IF(STARTSWITH(CAST(mh_x AS STRING), '-'), '-', ''), "
    "ELEMENT_AT(TRANSFORM(ARRAY(" + _TENTHS + "), mh_t -> "
    "CONCAT(CAST(FLOOR(ABS(mh_x)) + mh_t DIV 10 AS STRING), '.', CAST(mh_t % 10 AS STRING))), 1)) END), 1)"
)


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


# `mh_list` stands for the sorted list of the window's values; each lambda binds a value once (the list, its
# median, the sorted deviations), so nothing is computed twice. Sorting is SORT_ARRAY, Spark's native sort:
# ARRAY_SORT without a comparator calls an interpreted comparator lambda per comparison, several times slower
# (the lists hold no NULL, where the two would differ).
_MEDIAN = f"ELEMENT_AT(TRANSFORM(ARRAY(mh_list), mh_s -> {_median_of('mh_s')}), 1)"
_MAD = (
    f"ELEMENT_AT(TRANSFORM(ARRAY(mh_list), mh_s -> ELEMENT_AT(TRANSFORM(ARRAY({_median_of('mh_s')}), mh_m -> "
    f"ELEMENT_AT(TRANSFORM(ARRAY(SORT_ARRAY(TRANSFORM(mh_s, mh_v -> ABS(mh_v - mh_m)), TRUE)), mh_d -> "
    f"{_median_of('mh_d')}), 1)), 1)), 1)"
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


def _from_template(template: str, name: str, value: exp.Expr) -> exp.Expr:
    """The Spark SQL `template` with the column `name` standing for `value`."""
    tree = sqlglot.parse_one(template, read="spark")

    def fill(node: exp.Expr) -> exp.Expr:
        if isinstance(node, exp.Column) and node.name == name:
            return value.copy()
        return node

    return tree.transform(fill)


def _printf(node: exp.Anonymous) -> exp.Expr:
    template, *values = node.expressions
    if not (isinstance(template, exp.Literal) and template.is_string and template.this == "%.1f" and len(values) == 1):
        raise ValueError(f"printf on Spark supports only printf('%.1f', x), not {node.sql(dialect='duckdb')}")
    return _from_template(_PRINTF_1F, "mh_arg", values[0])


def _framed_median(node: exp.Expr) -> tuple[exp.Window, bool] | None:
    """(the sorted `collect_list` of the argument over the same window, whether it is a MAD) for `median(x)` or
    `mad(x)` over an ordered or framed window; None for anything else."""
    if not isinstance(node, exp.Window) or (node.args.get("order") is None and node.args.get("spec") is None):
        return None
    function = node.this
    is_mad = isinstance(function, exp.Anonymous) and function.name.lower() == "mad"
    if not (isinstance(function, exp.Median) or is_mad):
        return None
    argument = function.expressions[0] if is_mad else function.this
    return _over(node, exp.Anonymous(this="COLLECT_LIST", expressions=[argument.copy()])), is_mad


def _sorted(values: exp.Expr) -> exp.Expr:
    return exp.Anonymous(this="SORT_ARRAY", expressions=[values, exp.true()])


# A SELECT is split in levels (below) only when it has nothing else a level could change the meaning of.
_LEVELED_ARGS = {"with_", "expressions", "from_", "laterals", "joins", "where"}


def _level_medians(tree: exp.Expr) -> exp.Expr:
    """Compute each framed median and MAD of a SELECT from columns, in levels, instead of per row in lambdas:

        SELECT <columns, median(x) OVER w, mad(x) OVER w> FROM src WHERE c
    becomes
        SELECT <columns, mh_m0, median of mh_d0> EXCEPT the mh_ columns FROM (
          SELECT *, SORT_ARRAY(TRANSFORM(mh_l0, v -> ABS(v - mh_m0)), TRUE) AS mh_d0 FROM (
            SELECT *, <median of mh_l0> AS mh_m0 FROM (
              SELECT *, SORT_ARRAY(COLLECT_LIST(x) OVER w, TRUE) AS mh_l0 FROM src WHERE c)))

    Same values, same arithmetic, but each window list is collected and sorted once per row (Spark keeps
    identical window expressions apart) and the medians are plain generated code, several times faster. A
    SELECT with grouping, ordering, DISTINCT or qualified columns is left to the lambda form of `_rewrite`.
    """
    for select in list(tree.find_all(exp.Select)):
        found = [
            (window, framed)
            for expression in select.expressions
            for window in expression.find_all(exp.Window)
            if window.parent_select is select and (framed := _framed_median(window)) is not None
        ]
        if not found or not _levelable(select):
            continue
        lists: dict[str, tuple[int, exp.Window]] = {}
        mads: list[int] = []
        for window, (values, is_mad) in found:
            index = lists.setdefault(values.sql(dialect="spark"), (len(lists), values))[0]
            if is_mad:
                mads.append(index)
                window.replace(sqlglot.parse_one(_median_of(f"mh_d{index}"), read="spark"))
            else:
                window.replace(exp.column(f"mh_m{index}"))
        inner = select.copy()
        inner.set("with_", None)
        inner.set("expressions", [exp.Star(), *(exp.alias_(_sorted(v), f"mh_l{i}") for i, v in lists.values())])
        middle = exp.select(
            exp.Star(),
            *(sqlglot.parse_one(f"{_median_of(f'mh_l{i}')} AS mh_m{i}", read="spark") for i, _ in lists.values()),
        ).from_(inner.subquery("mh_lists"))
        if mads:
            middle = exp.select(
                exp.Star(),
                *(
                    sqlglot.parse_one(
                        f"SORT_ARRAY(TRANSFORM(mh_l{i}, mh_v -> ABS(mh_v - mh_m{i})), TRUE) AS mh_d{i}", read="spark"
                    )
                    for i in dict.fromkeys(mads)
                ),
            ).from_(middle.subquery("mh_medians"))
        hidden = [
            exp.column(name)
            for i, _ in lists.values()
            for name in (f"mh_l{i}", f"mh_m{i}", *([f"mh_d{i}"] if i in mads else []))
        ]
        for key in _LEVELED_ARGS - {"with_", "expressions"}:
            select.set(key, None)
        select.set("from_", exp.From(this=middle.subquery("mh_levels")))
        for star in select.expressions:
            if isinstance(star, exp.Star):
                star.set("except_", [column.copy() for column in hidden])
    return tree


def _levelable(select: exp.Select) -> bool:
    if any(value for key, value in select.args.items() if value and key not in _LEVELED_ARGS):
        return False
    if any(column.table for expression in select.expressions for column in expression.find_all(exp.Column)):
        return False
    return not any(isinstance(star, exp.Star) and star.args.get("except_") for star in select.expressions)


def _rewrite(node: exp.Expr) -> exp.Expr:
    framed = _framed_median(node)
    if framed is not None:
        values, is_mad = framed
        return _from_template(_MAD if is_mad else _MEDIAN, "mh_list", _sorted(values))
    if isinstance(node, exp.Window):
        function = node.this
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
        return _printf(node)
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

    Raises sqlglot.errors.ParseError for text sqlglot cannot read, ValueError for a printf template other than
    '%.1f'; only the parameters the query uses are bound.
    """
    tree = _level_medians(_inline_windows(sqlglot.parse_one(sql, read="duckdb")))
    tree = tree.transform(_rewrite)
    tree, args = _bind(tree, params or {})
    return SparkQuery(tree.sql(dialect="spark"), args)
