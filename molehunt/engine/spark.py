"""The Spark engine (extra `molehunt[spark]`): features, baselines and rules on Apache Spark.

It reads the store's events from a Parquet lake (molehunt.engine.lake; exported to a temporary lake when none is
given), runs the same stage SQL as the DuckDB engine through molehunt.engine.spark_sql, and writes the resulting
`user_day_features` and `user_day` (one row per user and active day: small) back into the store, so the anomaly
scorers, scoring, alerts, the report and the dashboard read them as they do after a DuckDB run.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from molehunt.detect.rules import Rule, RuleMatch
from molehunt.detect.rules.compiler import OUTPUT_COLUMNS, compile_rules, matches_from
from molehunt.engine.lake import Lake, export_parquet, open_lake
from molehunt.engine.spark_sql import to_spark
from molehunt.errors import MolehuntError
from molehunt.features.baselines import baseline_sql
from molehunt.features.domains import DomainLists
from molehunt.features.user_day import FINAL, STAGES, stage_params
from molehunt.store import Store

DEFAULT_MASTER = "local[2]"
# Small defaults for one machine; anything given in SparkSettings.conf wins.
DEFAULT_CONF = {
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",  # molehunt draws its own progress; no stage bars on stderr
    "spark.sql.session.timeZone": "UTC",
    "spark.sql.timestampType": "TIMESTAMP_NTZ",
    "spark.sql.shuffle.partitions": "8",
    "spark.sql.legacy.sizeOfNull": "false",  # size(NULL) is NULL, as DuckDB's array_length
    # The lake has one directory per day: list them on the driver, not in a Spark job of one task per day.
    "spark.sql.sources.parallelPartitionDiscovery.threshold": "100000",
}
# Share of the machine's memory a local-mode Spark (driver and executors in one JVM) may take when no
# spark.driver.memory is given: Spark's own default, 1g, runs out of aggregation memory at about 1,000 people over
# a year. DuckDB takes 80% by default; Spark's Python workers need room beside the JVM.
LOCAL_MEMORY_SHARE = 0.4


def local_driver_memory(master: str, conf: Mapping[str, str], physical_bytes: int | None = None) -> dict[str, str]:
    """{"spark.driver.memory": "<n>g"} for a local master without one in `conf` (n = LOCAL_MEMORY_SHARE of the
    machine's memory, at least 1); {} otherwise (a cluster sizes its own driver and executors)."""
    if not master.startswith("local") or "spark.driver.memory" in conf:
        return {}
    if physical_bytes is None:
        try:
            physical_bytes = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
        except (ValueError, OSError, AttributeError):  # not a POSIX system: leave Spark's default
            return {}
    return {"spark.driver.memory": f"{max(1, int(physical_bytes * LOCAL_MEMORY_SHARE / 2**30))}g"}


# The store's tables an engine writes; fixed names, never taken from input.
_REPLACE = {
    "user_day_features": "CREATE OR REPLACE TABLE user_day_features AS SELECT * FROM mh_engine_result",
    "user_day": "CREATE OR REPLACE TABLE user_day AS SELECT * FROM mh_engine_result",
}


@dataclass(frozen=True)
class SparkSettings:
    """Where Spark runs and what it reads: `master` (e.g. local[2], spark://host:7077, yarn), extra Spark `conf`
    (key -> value, as `spark-submit --conf`), and the Parquet `lake` to read (None: export the store to a
    temporary lake first)."""

    master: str = DEFAULT_MASTER
    conf: Mapping[str, str] = field(default_factory=dict)
    lake: Path | None = None


class SparkEngine:
    """Runs the feature, baseline and rule SQL on Spark; a context manager owning one SparkSession.

    Incremental runs (`since`) are not supported yet: the engine refuses them with MolehuntError.
    """

    name = "spark"

    def __init__(self, settings: SparkSettings | None = None) -> None:
        self.settings = settings or SparkSettings()
        self._spark: Any = None
        self._scratch: tempfile.TemporaryDirectory[str] | None = None
        self._lake: Lake | None = None

    def __enter__(self) -> SparkEngine:
        try:
            from pyspark.sql import SparkSession
        except ImportError as exc:
            raise MolehuntError("the Spark engine needs the extra: pip install 'molehunt[spark]'") from exc
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
        builder = SparkSession.builder.master(self.settings.master).appName("molehunt")
        memory = local_driver_memory(self.settings.master, self.settings.conf)
        for key, value in {**DEFAULT_CONF, **memory, **dict(self.settings.conf)}.items():
            builder = builder.config(key, value)
        self._spark = builder.getOrCreate()
        self._spark.sparkContext.setLogLevel("ERROR")
        return self

    def __exit__(self, *exc: object) -> None:
        if self._spark is not None:
            self._spark.catalog.clearCache()
            self._spark.stop()
            self._spark = None
        if self._scratch is not None:
            self._scratch.cleanup()
            self._scratch = None
        self._lake = None

    @property
    def spark(self) -> Any:
        if self._spark is None:
            raise MolehuntError("the Spark engine is not started: use it in a `with` block")
        return self._spark

    def _sql(self, sql: str, params: Mapping[str, object] | None = None) -> Any:
        query = to_spark(sql, params)
        return self.spark.sql(query.sql, args=query.args or None)

    def _view(self, name: str, frame: Any) -> Any:
        frame.createOrReplaceTempView(name)
        return frame

    def _materialize(self, name: str, frame: Any) -> Any:
        """Compute `frame` now and register its rows as the view `name`, cut from the plan that made them.

        A local checkpoint (kept by the executors, as a cache): later stages plan against these rows, not against
        the whole chain of earlier stages, which Spark would otherwise analyze and optimize again in every query
        (with every rule reading `user_day`, once per rule).
        """
        return self._view(name, frame.localCheckpoint(eager=True))

    def _read_lake(self, store: Store) -> Lake:
        if self._lake is None:
            if self.settings.lake is not None:
                self._lake = open_lake(self.settings.lake)
            else:
                self._scratch = tempfile.TemporaryDirectory(prefix="molehunt-lake-")
                self._lake = export_parquet(store, Path(self._scratch.name) / "lake")
            reader = self.spark.read
            self._view("events", reader.parquet(str(self._lake.events_path)).drop("day"))
            for table in self._lake.tables:
                self._view(table, reader.parquet(str(self._lake.table_path(table))))
        return self._lake

    def features(self, store: Store, domains: DomainLists | None, since: date | None) -> int:
        _refuse_since(since)
        self._read_lake(store)
        lists = domains or DomainLists()
        rows = lists.category_rows()
        self._view("domain_categories", self.spark.createDataFrame(rows, "domain string, category string"))
        params = stage_params(lists, since)
        for name, sql in STAGES:
            self._materialize(name, self._sql(sql, params))
        result = self._materialize("user_day_features", self._sql(FINAL, params))
        for name, _ in STAGES:
            self.spark.catalog.dropTempView(name)
        return _replace(store, "user_day_features", result.toArrow())

    def baselines(self, store: Store, since: date | None) -> int:
        _refuse_since(since)
        params = {"window_start": date.min, "since": date.min}
        return _replace(store, "user_day", self._materialize("user_day", self._sql(baseline_sql(), params)).toArrow())

    def rules(self, store: Store, rules: Sequence[Rule]) -> list[RuleMatch]:
        compiled = compile_rules(rules, "user_day")
        return matches_from(self._sql(compiled.sql, compiled.params).select(*OUTPUT_COLUMNS).toArrow())

    def anomaly(self, model: Any, keys: Any, fit_rows: int, random_state: int) -> Any:
        """PartitionedAnomaly (molehunt.engine): fit the EnsembleScorer `model` on a sample of `user_day` and score
        every user-day in partitions, in the order of the Arrow `keys`; a FittedAnomaly (molehunt.engine.spark_anomaly).
        """
        from molehunt.engine.spark_anomaly import fit_and_score

        return fit_and_score(self.spark, "user_day", model, keys, fit_rows, random_state)


def _refuse_since(since: date | None) -> None:
    if since is not None:
        raise MolehuntError("the Spark engine scores whole periods only: run without --since, or with --engine duckdb")


def _replace(store: Store, table: str, result: Any) -> int:
    """Replace a store table by an Arrow table, in one transaction; returns its row count."""
    store.con.register("mh_engine_result", result)
    try:
        with store.transaction() as con:
            con.execute(_REPLACE[table])
    finally:
        store.con.unregister("mh_engine_result")
    return int(result.num_rows)
