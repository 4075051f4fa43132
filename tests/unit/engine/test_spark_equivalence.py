"""One definition, two engines: on the same simulated organization Spark (local mode) computes the same
user-day features, baselines, rule hits and scores as DuckDB.

Marked `spark` (it starts a local Spark, ~10-30 s) but never skipped: `make test` installs the extra.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import date, datetime, timedelta

import numpy as np
import pyarrow as pa
import pytest

from molehunt.config import Home
from molehunt.detect.rules import match_rules
from molehunt.detect.rules.settings import effective_rules
from molehunt.engine.spark import SparkEngine
from molehunt.events import EVENT_COLUMN_NAMES, Event, EventKind, Provenance
from molehunt.features.user_day import build_user_day
from molehunt.score import score_store
from molehunt.store import Store, open_store

pytestmark = pytest.mark.spark


def table(store: Store, name: str) -> pa.Table:
    assert name in {"user_day_features", "user_day", "scores"}
    return store.con.sql(f"SELECT * FROM {name} ORDER BY user_id, day").to_arrow_table()


def assert_same(expected: pa.Table, actual: pa.Table) -> None:
    assert actual.schema == expected.schema
    assert actual.num_rows == expected.num_rows > 0
    for name in expected.column_names:
        want, got = expected[name], actual[name]
        if pa.types.is_floating(want.type):
            np.testing.assert_allclose(
                got.to_numpy(zero_copy_only=False), want.to_numpy(zero_copy_only=False), rtol=1e-9, err_msg=name
            )
        else:
            assert got.to_pylist() == want.to_pylist(), name


@pytest.fixture(scope="module")
def both(
    scored_home: Home, spark_engine: SparkEngine, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Store, Store, list[object]]]:
    """(DuckDB-scored reference store, the same store re-scored on Spark from a Parquet lake, Spark's rule hits).

    The anomaly model is fitted on Spark's sample, which is every user-day here (fewer than the default fit_rows),
    and scored in partitions: the scores must still be the DuckDB path's.
    """
    root = tmp_path_factory.mktemp("spark")
    shutil.copy(scored_home.store_path, root / "spark.duckdb")
    with open_store(scored_home.store_path, read_only=True) as reference, open_store(root / "spark.duckdb") as store:
        run = score_store(store, engine=spark_engine)
        hits = spark_engine.rules(store, effective_rules(store))
        assert run.user_days == reference.count("SELECT count(*) FROM scores")
        yield reference, store, list(hits)


def test_features_are_the_same(both: tuple[Store, Store, list[object]]) -> None:
    reference, spark, _ = both
    # the HR export is in: the adverse-event context has values to compare, not only NULLs
    assert reference.count("SELECT count(days_since_hr_event) FROM user_day_features") > 0
    assert reference.count("SELECT count(*) FROM user_day_features WHERE colleagues_laid_off > 0") > 0
    assert_same(table(reference, "user_day_features"), table(spark, "user_day_features"))


def test_baselines_are_the_same(both: tuple[Store, Store, list[object]]) -> None:
    reference, spark, _ = both
    assert_same(table(reference, "user_day"), table(spark, "user_day"))


def test_rule_hits_are_the_same(both: tuple[Store, Store, list[object]]) -> None:
    reference, _, hits = both
    expected = match_rules(reference.con, effective_rules(reference))
    assert expected, "the fixture must fire some rules"
    assert hits == expected  # user, day, rule, level, weight, value and the explanation text


def test_scores_are_the_same(both: tuple[Store, Store, list[object]]) -> None:
    reference, spark, _ = both
    assert_same(table(reference, "scores"), table(spark, "scores"))


def test_the_model_is_fitted_on_every_user_day(both: tuple[Store, Store, list[object]]) -> None:
    reference, spark, _ = both
    fitted = "SELECT fitted_rows FROM models WHERE name = 'anomaly-ensemble'"
    assert spark.scalar(fitted) == reference.scalar(fitted) == reference.count("SELECT count(*) FROM user_day")


def test_colleagues_silent_for_good_are_read_the_same(spark_engine: SparkEngine, store: Store) -> None:
    """Departures known by nobody, read from silence (the shared organization's are all recorded): three of a
    department fall silent on one day, the directory keeps listing them, and there is no HR export."""
    start, end = date(2010, 1, 4), date(2010, 5, 31)
    last = {"ANN": end, "BOB": end, "Q1": date(2010, 3, 12), "Q2": date(2010, 3, 12), "Q3": date(2010, 3, 12)}
    rows = [
        Event(
            "test", EventKind.LOGON, datetime(d.year, d.month, d.day, 9), user, "logon", Provenance(1, 2), host="PC-1"
        )
        for user, until in last.items()
        for d in (start + timedelta(days=k) for k in range((until - start).days + 1))
    ]
    columns = ", ".join("?" for _ in EVENT_COLUMN_NAMES)
    store.con.executemany(f"INSERT INTO events VALUES ({columns})", [e.to_row() for e in rows])
    for user in last:
        store.con.execute(
            "INSERT INTO directory_snapshots (month, user_id, email, role, projects, department, file_id, line) "
            "VALUES (?, ?, ?, 'Engineer', [], 'Eng', 1, 2)",
            [date(2010, 5, 1), user, f"{user.lower()}@corp.com"],
        )
    build_user_day(store)
    reference = table(store, "user_day_features")
    assert store.scalar("SELECT max(colleagues_laid_off) FROM user_day_features WHERE user_id = 'ANN'") == 3

    engine = SparkEngine()  # the started session's context, with views of its own for this store
    engine._spark = spark_engine.spark.newSession()
    try:
        engine.features(store, None, None)
    finally:
        if engine._scratch is not None:  # its temporary lake; the shared session stays up for the other tests
            engine._scratch.cleanup()
    assert_same(reference, table(store, "user_day_features"))
