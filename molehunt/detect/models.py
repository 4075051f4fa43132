"""Keep the fitted anomaly model in the store, so a daily run scores new days without refitting on history.

The model is stored as data (molehunt.detect.anomaly.state), never pickled: the store is not trusted to run code."""

from __future__ import annotations

from typing import cast

import numpy as np

from molehunt.clock import utc_now
from molehunt.detect.anomaly import EnsembleScorer, FloatArray, IsolationForestScorer, TailScorer
from molehunt.detect.anomaly.state import ModelStateError, dumps, header, loads
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
    """Keep the model, as data, with the fingerprint of the feature definitions it was fitted on."""
    payload = dumps(model)
    store.con.execute(
        "INSERT OR REPLACE INTO models (name, fitted_at, fitted_rows, payload, definitions) VALUES (?, ?, ?, ?, ?)",
        [name, utc_now(), fitted_rows, payload, definitions_fingerprint()],
    )


def model_is_current(store: Store, name: str = ANOMALY_MODEL) -> bool:
    """Whether a model is stored in this molehunt's format and was fitted on today's feature definitions (else only a
    full run will do: an old pickled model, or one of another scikit-learn version, is refitted, never unpickled)."""
    rows = store.con.execute(
        "SELECT definitions, payload[1:?] FROM models WHERE name = ?", [len(header()) + 1, name]
    ).fetchall()
    return bool(rows) and rows[0][0] == definitions_fingerprint() and rows[0][1] == header() + b"\n"


def load_model(store: Store, name: str = ANOMALY_MODEL) -> EnsembleScorer:
    """The model of the last full scoring; MolehuntError when there is none, when it was fitted on other feature
    definitions (then the cached user-days mean something else too) or when it is not in this molehunt's format."""
    rows = store.con.execute("SELECT payload, definitions FROM models WHERE name = ?", [name]).fetchall()
    if not rows:
        raise MolehuntError("this store has no fitted model yet: run `molehunt score` once without --since")
    if rows[0][1] != definitions_fingerprint():
        raise MolehuntError(
            "the features changed since the last full scoring (this molehunt is newer than the one that scored the"
            " store): the cached user-days and model mean something else. Run `molehunt score` once without --since"
        )
    try:
        return loads(rows[0][0])
    except ModelStateError as exc:
        raise MolehuntError(
            f"the stored model cannot be used ({exc}): run `molehunt score` once without --since"
        ) from exc
