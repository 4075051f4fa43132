"""Keep the fitted anomaly model in the store, so a daily run scores new days without refitting on history."""

from __future__ import annotations

import pickle
from datetime import UTC, datetime
from typing import cast

import numpy as np

from molehunt.detect.anomaly import EnsembleScorer, FloatArray, IsolationForestScorer, TailScorer
from molehunt.errors import MolehuntError
from molehunt.store import Store

ANOMALY_MODEL = "anomaly-ensemble"


def new_model(random_state: int = 0) -> EnsembleScorer:
    """The anomaly ensemble `molehunt score` fits (unfitted): isolation forest and tail scorer, combined by rank."""
    return EnsembleScorer(scorers=(IsolationForestScorer(random_state=random_state), TailScorer()))


def tail_contributions(model: EnsembleScorer, values: FloatArray) -> FloatArray:
    """Per row of a deviation matrix and per column, the fitted tail scorer's -log tail probability (the reasons
    name the largest); shape (0, 0) for no rows."""
    tail = cast(TailScorer, model.scorers_[1])
    return tail.feature_contributions(values) if len(values) else np.zeros((0, 0))


def save_model(store: Store, model: EnsembleScorer, fitted_rows: int, name: str = ANOMALY_MODEL) -> None:
    payload = pickle.dumps(model, protocol=pickle.HIGHEST_PROTOCOL)
    store.con.execute(
        "INSERT OR REPLACE INTO models VALUES (?, ?, ?, ?)",
        [name, datetime.now(UTC).replace(tzinfo=None), fitted_rows, payload],
    )


def load_model(store: Store, name: str = ANOMALY_MODEL) -> EnsembleScorer:
    """The model of the last full scoring; MolehuntError when there is none."""
    rows = store.con.execute("SELECT payload FROM models WHERE name = ?", [name]).fetchall()
    if not rows:
        raise MolehuntError("this store has no fitted model yet: run `molehunt score` once without --since")
    model = pickle.loads(rows[0][0])  # noqa: S301 - written by save_model into our own store, never from input
    if not isinstance(model, EnsembleScorer):
        raise MolehuntError(f"the stored {name} is not an anomaly ensemble; run `molehunt score` without --since")
    return model
