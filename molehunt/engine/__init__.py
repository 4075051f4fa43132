"""Engines: where the feature, baseline and rule SQL runs (docs/engines.md).

One definition, two engines. The stages in molehunt.features (user_day.STAGES, baselines.baseline_sql) and the
rules compiled by molehunt.detect.rules.compiler are DuckDB SQL; the DuckDB engine runs them inside the store, the
Spark engine (extra `molehunt[spark]`) runs the same text transpiled by molehunt.engine.spark_sql over a Parquet
lake (molehunt.engine.lake). Either way the results land in the store's `user_day_features` and `user_day`
tables, and the rule hits come back as RuleMatch rows, so scoring, alerts, the report and the dashboard do not
know which engine ran.

An engine may also fit and apply the anomaly model where the data is (PartitionedAnomaly, the Spark engine: fit on a
sample, score in partitions); otherwise molehunt.score fits and scores it on the store's `user_day`.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Protocol, runtime_checkable

import pyarrow as pa

from molehunt.detect.anomaly import EnsembleScorer, FloatArray
from molehunt.detect.rules import Rule, RuleMatch, match_rules
from molehunt.errors import MolehuntError
from molehunt.features.baselines import build_baselines
from molehunt.features.domains import DomainLists
from molehunt.features.user_day import build_user_day
from molehunt.store import Store

ENGINES = ("duckdb", "spark")
DEFAULT_FIT_ROWS = 1_000_000  # user-days the anomaly model is fitted on by an engine that samples (Spark)


class Engine(Protocol):
    """Computes a store's user-day features, baselines and rule hits (the three stages that read events)."""

    name: str

    def features(self, store: Store, domains: DomainLists | None, since: date | None) -> int:
        """(Re)build the store's `user_day_features` (from `since` on); returns the user-days built."""
        ...

    def baselines(self, store: Store, since: date | None) -> int:
        """(Re)build the store's `user_day` from `user_day_features` (from `since` on); returns the rows built."""
        ...

    def rules(self, store: Store, rules: Sequence[Rule]) -> list[RuleMatch]:
        """The enabled rules' hits over `user_day`, ordered by day, user_id, rule_id."""
        ...


@dataclass(frozen=True)
class FittedAnomaly:
    """The anomaly model an engine fitted, and its scores for every user-day, in the order of the keys given."""

    model: EnsembleScorer
    fitted_rows: int  # the user-days of the sample it was fitted on
    anomaly: FloatArray  # one score in [0, 1] per user-day
    contributions: FloatArray  # user-days x deviation-matrix columns: the tail scorer's -log tail probabilities


@runtime_checkable
class PartitionedAnomaly(Protocol):
    """Optional engine capability: fit the anomaly model on a sample and score every user-day where the data is."""

    def anomaly(self, model: EnsembleScorer, keys: pa.Table, fit_rows: int, random_state: int) -> FittedAnomaly:
        """Fit `model` (unfitted) on at most `fit_rows` user-days of the engine's `user_day` (all of them, ordered by
        user_id and day, when there are no more) and score every user-day; `keys` (user_id, day: the store's
        `user_day` rows) gives the order of the result. `random_state` seeds the sample."""
        ...


class DuckDBEngine:
    """The embedded default: everything runs inside the store's DuckDB."""

    name = "duckdb"

    def features(self, store: Store, domains: DomainLists | None, since: date | None) -> int:
        return build_user_day(store, domains, since)

    def baselines(self, store: Store, since: date | None) -> int:
        return build_baselines(store, since=since)

    def rules(self, store: Store, rules: Sequence[Rule]) -> list[RuleMatch]:
        return match_rules(store.con, rules, table="user_day")


@contextmanager
def open_engine(
    name: str = "duckdb", *, lake: Path | None = None, master: str | None = None, conf: Sequence[str] = ()
) -> Iterator[Engine]:
    """The engine `name` with its settings (`conf` as KEY=VALUE Spark settings), closed on exit.

    Raises MolehuntError for an unknown name, a malformed setting, or Spark settings given to the DuckDB engine.
    """
    if name == "duckdb" and (lake is not None or master is not None or conf):
        raise MolehuntError("--lake, --spark-master and --spark-conf apply to --engine spark only")
    if name != "spark":
        with use_engine(name) as engine:
            yield engine
        return
    from molehunt.engine.spark import DEFAULT_MASTER, SparkEngine, SparkSettings

    for item in conf:
        if "=" not in item or not item.split("=", 1)[0].strip():
            raise MolehuntError(f"bad Spark setting {item!r}: use KEY=VALUE, e.g. spark.executor.memory=4g")
    settings = dict(item.split("=", 1) for item in conf)
    with SparkEngine(SparkSettings(master or DEFAULT_MASTER, settings, lake)) as spark:
        yield spark


@contextmanager
def use_engine(engine: Engine | str) -> Iterator[Engine]:
    """The engine itself, or a new one with default settings for a name in ENGINES (closed on exit).

    Raises MolehuntError for an unknown name, or for "spark" when the extra `molehunt[spark]` is not installed.
    """
    if not isinstance(engine, str):
        yield engine
        return
    if engine == "duckdb":
        yield DuckDBEngine()
        return
    if engine != "spark":
        raise MolehuntError(f"unknown engine {engine!r}: use one of {', '.join(ENGINES)}")
    from molehunt.engine.spark import SparkEngine  # optional extra: import only when asked for

    with SparkEngine() as spark:
        yield spark
