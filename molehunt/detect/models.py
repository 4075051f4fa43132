"""Keep the fitted anomaly model in the store, so a daily run scores new days without refitting on history."""

from __future__ import annotations

import pickle
from typing import cast

import numpy as np

from molehunt.clock import utc_now
from molehunt.detect.anomaly import EnsembleScorer, FloatArray, IsolationForestScorer, TailScorer
from molehunt.errors import MolehuntError
from molehunt.features.definitions import definitions_fingerprint
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
    """Keep the model with the fingerprint of the feature definitions it was fitted on."""
    payload = pickle.dumps(model, protocol=pickle.HIGHEST_PROTOCOL)
    store.con.execute(
        "INSERT OR REPLACE INTO models (name, fitted_at, fitted_rows, payload, definitions) VALUES (?, ?, ?, ?, ?)",
        [name, utc_now(), fitted_rows, payload, definitions_fingerprint()],
    )


def model_is_current(store: Store, name: str = ANOMALY_MODEL) -> bool:
    """Whether a model is stored and was fitted on today's feature definitions (else only a full run will do)."""
    rows = store.con.execute("SELECT definitions FROM models WHERE name = ?", [name]).fetchall()
    return bool(rows) and rows[0][0] == definitions_fingerprint()


def load_model(store: Store, name: str = ANOMALY_MODEL) -> EnsembleScorer:
    """The model of the last full scoring; MolehuntError when there is none or when it was fitted on other feature
    definitions (then the cached user-days mean something else too)."""
    rows = store.con.execute("SELECT payload FROM models WHERE name = ?", [name]).fetchall()
    if not rows:
        raise MolehuntError("this store has no fitted model yet: run `molehunt score` once without --since")
    if not model_is_current(store, name):
        raise MolehuntError(
            "the features changed since the last full scoring (this molehunt is newer than the one that scored the"
            " store): the cached user-days and model mean something else. Run `molehunt score` once without --since"
        )
    model = pickle.loads(rows[0][0])  # noqa: S301 - written by save_model into our own store, never from input
    if not isinstance(model, EnsembleScorer):
        raise MolehuntError(f"the stored {name} is not an anomaly ensemble; run `molehunt score` without --since")
    return model
