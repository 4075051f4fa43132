"""The DuckDB -> Spark seam, on the constructs whose meaning differs (no Spark needed)."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from molehunt.engine.spark_sql import to_spark
from molehunt.features.baselines import baseline_sql


def test_dayofweek_counts_sunday_as_zero_as_duckdb() -> None:
    assert (
        "(DAYOFWEEK(day) - 1) IN (0, 6)"
        in to_spark("SELECT count(*) FILTER (WHERE dayofweek(day) IN (0, 6)) FROM t").sql
    )


def test_framed_median_and_mad_become_exact_array_medians() -> None:
    sql = to_spark(baseline_sql(), {"window_start": date.min, "since": date.min}).sql
    assert "MEDIAN(events) OVER (PARTITION BY role, department, day" in sql  # the peer median stays (no frame)
    assert "COLLECT_LIST(events) OVER (PARTITION BY user_id ORDER BY day" in sql
    assert "MAD(" not in sql.upper().replace("MH_", "")
    assert " WINDOW " not in sql  # named windows are inlined
    # computed in levels from columns: each list collected once, no per-row lambda for the median
    assert sql.count("COLLECT_LIST(events) OVER") == 1
    assert "SELECT * EXCEPT (mh_l0, mh_m0, mh_d0," in sql
    assert "ARRAY_SORT" not in sql  # SORT_ARRAY: native, no comparator lambda


def test_a_select_that_cannot_be_leveled_keeps_the_lambda_medians() -> None:
    sql = to_spark("SELECT t.u, median(t.x) OVER (PARTITION BY t.u ORDER BY t.d) AS m FROM t").sql
    assert "TRANSFORM(ARRAY(SORT_ARRAY(COLLECT_LIST(t.x) OVER (PARTITION BY t.u ORDER BY t.d" in sql
    assert "EXCEPT" not in sql


def test_distinct_count_over_a_window_uses_a_set() -> None:
    sql = to_spark("SELECT count(DISTINCT x) OVER (PARTITION BY u ORDER BY d) FROM t").sql
    assert "SIZE(COLLECT_SET(x) OVER (PARTITION BY u ORDER BY d" in sql


def test_printf_becomes_plain_sql_and_other_templates_are_refused() -> None:
    sql = to_spark("SELECT printf('%.1f', x) FROM t").sql
    assert "PRINTF" not in sql.upper() and "mh_x -> " in sql  # no UDF; the rounding is checked on Spark (below)
    with pytest.raises(ValueError, match="printf"):
        to_spark("SELECT printf('%d items', n) FROM t")


def test_parameters_stay_bound_and_dates_are_cast() -> None:
    query = to_spark(
        "SELECT * FROM t WHERE time >= $start AND day >= $since AND list_contains($names, name) AND n > $n",
        {"start": datetime(1, 1, 1), "since": date(2010, 1, 4), "names": ("a", "b"), "n": 2.5, "unused": 1},
    )
    assert "CAST(:start AS TIMESTAMP_NTZ)" in query.sql
    assert "CAST(:since AS DATE)" in query.sql
    assert query.args == {"start": "0001-01-01 00:00:00", "since": "2010-01-04", "names": ["a", "b"], "n": 2.5}
