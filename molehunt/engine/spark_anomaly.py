"""The anomaly ensemble on Spark: fitted on a sample of user-days, applied to every user-day in partitions.

The math is the DuckDB path's, not a copy of it: molehunt.detect.matrix.deviation_matrix turns user_day rows into the
scorers' input, and the fitted EnsembleScorer and its tail scorer score it (molehunt.detect.models). Only where
it runs differs:

1. **Sample.** At most `fit_rows` rows of Spark's `user_day` (the columns deviation_matrix reads) come to the
   driver, ordered by user_id and day as the DuckDB path orders them. When the table has no more rows the sample
   is the whole table, so the fitted model, and every score, are the DuckDB path's. Otherwise the rows with the
   smallest xxhash64(user_id, day, random_state) are taken: an exact-size, uniform sample that does not depend on
   how Spark partitions the table.
2. **Fit** on the driver (as sklearn fits): the model holds each member's sorted training scores (two doubles
   per sampled user-day) and the tail scorer's distinct values per column, so its size grows with the sample.
3. **Score in partitions.** The fitted model is broadcast; mapInArrow computes deviation_matrix of each Arrow batch,
   the ensemble's score_samples and the tail scorer's feature_contributions (which the reasons name), and returns
   (user_id, day, anomaly, contributions). The driver collects these and puts them in the pipeline's row order.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from functools import partial
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from molehunt.detect.anomaly import EnsembleScorer, FloatArray
from molehunt.detect.matrix import INPUT_COLUMNS, deviation_matrix
from molehunt.detect.models import tail_contributions
from molehunt.engine import FittedAnomaly
from molehunt.errors import MolehuntError

KEYS = ("user_id", "day")
SCORED = "user_id string, day date, anomaly double, contributions array<double>"
_ORDER = [("user_id", "ascending"), ("day", "ascending")]


def fit_and_score(
    spark: Any, table: str, model: EnsembleScorer, keys: pa.Table, fit_rows: int, seed: int
) -> FittedAnomaly:
    """Fit `model` on a sample of the Spark table `table` (a user_day) and score all of its rows (see the module).

    `keys` (user_id, day) are the rows the result must follow, in their order: the same user-days as `table`.
    Raises MolehuntError when Spark scored other user-days than `keys` holds.
    """
    frame = spark.table(table).select(*KEYS, *INPUT_COLUMNS)
    sample = _sample(frame, fit_rows, seed)
    model.fit(deviation_matrix(sample).values)
    _workers_run_this_python(spark)
    shared = spark.sparkContext.broadcast(model)
    try:
        scored = frame.mapInArrow(partial(score_batches, shared), SCORED).toArrow()
    finally:
        shared.destroy()
    anomaly, contributions = _aligned(keys, scored, int(model.n_features_in_))
    return FittedAnomaly(model, sample.num_rows, anomaly, contributions)


def _sample(frame: Any, fit_rows: int, seed: int) -> pa.Table:
    """At most `fit_rows` rows of `frame` on the driver, ordered by user_id and day (all of them when no more)."""
    if frame.count() > fit_rows:
        from pyspark.sql import functions as F

        frame = frame.orderBy(F.xxhash64(*KEYS, F.lit(seed))).limit(fit_rows)
    sample: pa.Table = frame.orderBy(*KEYS).toArrow()
    return sample


def score_batches(model: Any, batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
    """The mapInArrow function: per batch of user_day rows, (user_id, day, anomaly, contributions).

    `model` is the fitted EnsembleScorer, or a Spark Broadcast of it (read on the executor).
    """
    fitted: EnsembleScorer = model if isinstance(model, EnsembleScorer) else model.value
    for batch in batches:
        if batch.num_rows == 0:
            continue
        values = deviation_matrix(pa.Table.from_batches([batch])).values
        contributions = tail_contributions(fitted, values)
        width = contributions.shape[1]
        offsets = pa.array(np.arange(0, contributions.size + 1, width, dtype=np.int32))
        yield pa.RecordBatch.from_arrays(
            [
                batch.column("user_id"),
                batch.column("day"),
                pa.array(fitted.score_samples(values), type=pa.float64()),
                pa.ListArray.from_arrays(offsets, pa.array(contributions.ravel(), type=pa.float64())),
            ],
            names=["user_id", "day", "anomaly", "contributions"],
        )


def _aligned(keys: pa.Table, scored: pa.Table, width: int) -> tuple[FloatArray, FloatArray]:
    """Spark's scores put in the order of `keys` (both sorted by the same key, then matched position by position)."""
    if scored.num_rows != keys.num_rows:
        raise MolehuntError(f"Spark scored {scored.num_rows:,} user-days, the store holds {keys.num_rows:,}")
    if not keys.num_rows:
        return np.zeros(0), np.zeros((0, 0))
    want = pc.sort_indices(keys, sort_keys=_ORDER).to_numpy()
    got = pc.sort_indices(scored, sort_keys=_ORDER).to_numpy()
    order = np.empty_like(got)
    order[want] = got  # row i of keys is row order[i] of scored
    scored = scored.take(pa.array(order))
    for name in KEYS:
        if not scored[name].cast(keys[name].type).equals(keys[name]):
            raise MolehuntError(f"Spark scored other user-days than the store holds (the {name} column differs)")
    anomaly = np.asarray(scored["anomaly"].to_numpy(), dtype=np.float64)
    flat = pc.list_flatten(scored["contributions"]).to_numpy()
    return anomaly, np.asarray(flat, dtype=np.float64).reshape(keys.num_rows, width)


def _workers_run_this_python(spark: Any) -> None:
    """In local mode, run the Python workers with the driver's interpreter (where molehunt is installed) unless
    PYSPARK_PYTHON says otherwise; a cluster's workers need PYSPARK_PYTHON pointing at a Python with molehunt."""
    context = spark.sparkContext
    if "PYSPARK_PYTHON" not in os.environ and str(context.master).startswith("local"):
        context.pythonExec = sys.executable
