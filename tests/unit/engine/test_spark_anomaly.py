"""The anomaly ensemble on Spark (molehunt.engine.spark_anomaly): fitted on a sample, scored in partitions.

The batch function and the re-ordering are checked without Spark; one Spark run (marker `spark`, the session's
shared local Spark) fits on half of the user-days. The equivalence test covers the sample being every user-day.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pytest
from scipy.stats import spearmanr
from typer.testing import CliRunner

from molehunt.cli import app
from molehunt.config import Home
from molehunt.detect.matrix import INPUT_COLUMNS, deviation_matrix
from molehunt.detect.models import load_model, new_model, tail_contributions
from molehunt.engine.spark_anomaly import _aligned, score_batches
from molehunt.errors import MolehuntError
from molehunt.score import score_store
from molehunt.store import Store, open_store


def user_day(home: Home) -> pa.Table:
    with open_store(home.store_path, read_only=True) as store:
        return store.con.sql("SELECT * FROM user_day ORDER BY user_id, day").to_arrow_table()


def test_batches_score_as_the_whole_matrix(scored_home: Home) -> None:
    table = user_day(scored_home).select(["user_id", "day", *INPUT_COLUMNS])
    values = deviation_matrix(table).values
    model = new_model(0).fit(values)
    batches = table.to_batches(max_chunksize=500)
    out = pa.Table.from_batches(list(score_batches(model, iter([*batches, batches[0].slice(0, 0)]))))
    assert out.column_names == ["user_id", "day", "anomaly", "contributions"]
    assert out["user_id"].to_pylist() == table["user_id"].to_pylist()
    np.testing.assert_array_equal(out["anomaly"].to_numpy(), model.score_samples(values))
    got = np.asarray(out["contributions"].to_pylist(), dtype=np.float64)
    np.testing.assert_array_equal(got, tail_contributions(model, values))


def test_scores_are_put_in_the_pipeline_order() -> None:
    keys = pa.table({"user_id": ["a", "a", "b", "c"], "day": pa.array([1, 2, 1, 1], type=pa.date32())})
    shuffled = [2, 0, 3, 1]
    scored = pa.table(
        {
            "user_id": keys["user_id"].take(shuffled),
            "day": keys["day"].take(shuffled),
            "anomaly": [float(i) for i in shuffled],
            "contributions": [[float(i), -float(i)] for i in shuffled],
        }
    )
    anomaly, contributions = _aligned(keys, scored, 2)
    assert anomaly.tolist() == [0.0, 1.0, 2.0, 3.0]
    assert contributions.tolist() == [[0.0, -0.0], [1.0, -1.0], [2.0, -2.0], [3.0, -3.0]]
    with pytest.raises(MolehuntError, match="other user-days"):
        _aligned(keys.set_column(1, "day", pa.array([1, 2, 1, 9], type=pa.date32())), scored, 2)
    with pytest.raises(MolehuntError, match="scored 3 user-days"):
        _aligned(keys, scored.slice(0, 3), 2)


def test_fit_rows_below_two_is_refused(store: Store) -> None:
    with pytest.raises(MolehuntError, match="at least 2 user-days"):
        score_store(store, fit_rows=1)


def test_the_cli_takes_fit_rows_for_spark_only(tmp_path: Path) -> None:
    home = ["--home", str(tmp_path / "home")]
    result = CliRunner().invoke(app, [*home, "score", "--fit-rows", "1000"])
    assert result.exit_code == 2 and "--engine spark only" in result.output
    result = CliRunner().invoke(app, [*home, "score", "--engine", "spark", "--fit-rows", "1"])
    assert result.exit_code == 2 and "--fit-rows" in result.output


@pytest.fixture(scope="module")
def half(
    scored_home: Home, spark_engine: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Store, Store, int]]:
    """(DuckDB reference store, a copy scored on Spark with the model fitted on half the user-days, that half)."""
    root = tmp_path_factory.mktemp("spark-half")
    shutil.copy(scored_home.store_path, root / "half.duckdb")
    with open_store(scored_home.store_path, read_only=True) as reference, open_store(root / "half.duckdb") as store:
        sample = reference.count("SELECT count(*) FROM user_day") // 2
        run = score_store(store, engine=spark_engine, fit_rows=sample)
        assert run.user_days == reference.count("SELECT count(*) FROM scores")
        yield reference, store, sample


@pytest.mark.spark
def test_a_model_fitted_on_a_sample_scores_every_user_day(half: tuple[Store, Store, int]) -> None:
    reference, store, sample = half
    assert store.scalar("SELECT fitted_rows FROM models WHERE name = 'anomaly-ensemble'") == sample
    model = load_model(store)  # what an incremental --since run on DuckDB reuses
    assert model.scorers_[1].n_samples_fit_ == sample
    assert all(train.size == sample for train in model.train_scores_)
    query = "SELECT user_id, day, anomaly, score FROM scores ORDER BY user_id, day"
    want, got = reference.con.sql(query).to_arrow_table(), store.con.sql(query).to_arrow_table()
    assert got.select(["user_id", "day"]).equals(want.select(["user_id", "day"]))
    anomaly = got["anomaly"].to_numpy()
    assert anomaly.min() >= 0.0 and anomaly.max() <= 1.0
    assert got["score"].to_numpy().min() >= 0.0
    assert not np.array_equal(anomaly, want["anomaly"].to_numpy())  # a different fit...
    correlation = spearmanr(anomaly, want["anomaly"].to_numpy()).statistic
    assert correlation > 0.9, correlation  # ...that ranks the user-days nearly as the full fit does
