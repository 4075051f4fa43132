"""Keep the fitted anomaly model in the store, so a daily run scores new days without refitting on history."""

from __future__ import annotations

import pickle
from datetime import UTC, datetime

from molehunt.detect.anomaly import EnsembleScorer
from molehunt.errors import MolehuntError
from molehunt.store import Store

ANOMALY_MODEL = "anomaly-ensemble"


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
