"""The DuckDB -> Spark seam, on the constructs whose meaning differs (no Spark needed)."""

from __future__ import annotations

from datetime import date, datetime

from molehunt.engine.spark import _printf
from molehunt.engine.spark_sql import PRINTF_UDF, to_spark
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


def test_distinct_count_over_a_window_uses_a_set() -> None:
    sql = to_spark("SELECT count(DISTINCT x) OVER (PARTITION BY u ORDER BY d) FROM t").sql
    assert "SIZE(COLLECT_SET(x) OVER (PARTITION BY u ORDER BY d" in sql


def test_printf_runs_as_the_python_udf_with_c_rounding() -> None:
    assert f"{PRINTF_UDF.upper()}('%.1f', x)" in to_spark("SELECT printf('%.1f', x) FROM t").sql
    assert _printf("%.1f", 2.25) == "2.2"  # C and DuckDB round the binary value half to even; Java gives 2.3
    assert _printf("%.1f", 1.15) == "1.1"  # 1.15 is stored as 1.149999...
    assert _printf("%.1f", None) is None


def test_parameters_stay_bound_and_dates_are_cast() -> None:
    query = to_spark(
        "SELECT * FROM t WHERE time >= $start AND day >= $since AND list_contains($names, name) AND n > $n",
        {"start": datetime(1, 1, 1), "since": date(2010, 1, 4), "names": ("a", "b"), "n": 2.5, "unused": 1},
    )
    assert "CAST(:start AS TIMESTAMP_NTZ)" in query.sql
    assert "CAST(:since AS DATE)" in query.sql
    assert query.args == {"start": "0001-01-01 00:00:00", "since": "2010-01-04", "names": ["a", "b"], "n": 2.5}
