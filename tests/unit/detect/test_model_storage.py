"""The fitted model is stored as data (JSON parameters and arrays), never pickled: a poisoned row runs no code."""

from __future__ import annotations

import io
import json
import os
import pickle
import zipfile
from pathlib import Path

import numpy as np
import pytest

from molehunt.detect.anomaly import EnsembleScorer, IsolationForestScorer, TailScorer
from molehunt.detect.anomaly.state import ModelStateError, dumps, loads
from molehunt.detect.models import ANOMALY_MODEL, load_model, model_is_current, new_model, save_model
from molehunt.errors import MolehuntError
from molehunt.features.definitions import definitions_fingerprint
from molehunt.store import Store, open_store


class _Touch:
    """Unpickling this creates a file: the proof that a stored payload was executed."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __reduce__(self) -> tuple[object, tuple[str, str]]:
        return (os.system, (f"touch {self.path}",))


def _matrix(rows: int = 600, seed: int = 3) -> np.ndarray:
    rng = np.random.default_rng(seed)
    data = rng.gamma(2.0, size=(rows, 5))
    data[:, 4] = rng.integers(0, 3, size=rows)  # repeated values, as deviations of rare actions are
    return data


@pytest.fixture
def store(tmp_path: Path) -> Store:
    with open_store(tmp_path / "home" / "molehunt.duckdb") as opened:
        yield opened


def test_a_poisoned_models_row_is_never_unpickled(store: Store, tmp_path: Path) -> None:
    marker = tmp_path / "executed"
    payload = pickle.dumps(_Touch(marker))
    store.con.execute(
        "INSERT INTO models VALUES (?, now()::TIMESTAMP, 10, ?, ?)", [ANOMALY_MODEL, payload, definitions_fingerprint()]
    )
    assert not model_is_current(store)  # watch then runs a full scoring, which refits
    with pytest.raises(MolehuntError, match="without --since"):
        load_model(store)
    assert not marker.exists()


def test_the_rebuilt_model_scores_exactly_as_the_fitted_one(store: Store) -> None:
    train, later = _matrix(), _matrix(200, seed=9) * 1.5
    model = new_model(random_state=7)
    fitted_scores = model.fit_score_samples(train)
    save_model(store, model, len(train))
    rebuilt = load_model(store)
    assert model_is_current(store)
    assert np.array_equal(rebuilt.score_samples(train), fitted_scores)
    assert np.array_equal(rebuilt.score_samples(later), model.score_samples(later))
    assert np.array_equal(rebuilt.member_scores(later, percentile=False), model.member_scores(later, percentile=False))
    tail = rebuilt.scorers_[1]
    assert isinstance(tail, TailScorer)
    assert np.array_equal(tail.feature_contributions(later), model.scorers_[1].feature_contributions(later))


def test_the_stored_payload_is_data_not_a_pickle(store: Store) -> None:
    model = new_model().fit(_matrix())
    save_model(store, model, 600)
    payload = store.scalar("SELECT payload FROM models")
    assert isinstance(payload, bytes)
    header, _, body = payload.partition(b"\n")
    assert header.startswith(b"molehunt-model 1 ")
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        names = archive.namelist()
        meta = json.loads(np.load(io.BytesIO(archive.read("meta.npy")), allow_pickle=False).tobytes())
    assert all(name.endswith(".npy") for name in names)
    assert [m["kind"] for m in meta["members"]] == ["isolation_forest", "tail"]
    assert b"\x80\x04" not in payload[:2] and b"\x80\x05" not in payload[:2]


def test_old_pickled_rows_and_other_scikit_learn_versions_call_for_a_refit(store: Store) -> None:
    model = new_model().fit(_matrix())
    save_model(store, model, 600)
    good = store.scalar("SELECT payload FROM models")
    assert isinstance(good, bytes)
    other = good.replace(b" scikit-learn ", b" scikit-learn 0.0.0-", 1)
    store.con.execute("UPDATE models SET payload = ?", [other])
    assert not model_is_current(store)
    with pytest.raises(MolehuntError, match="without --since"):
        load_model(store)
    store.con.execute("UPDATE models SET payload = ?", [pickle.dumps(model)])
    assert not model_is_current(store)


def _tampered(data: bytes, name: str, change: object) -> bytes:
    """The payload with array `name` replaced by what `change` makes of it."""
    header, _, body = data.partition(b"\n")
    arrays = dict(np.load(io.BytesIO(body), allow_pickle=False))
    arrays[name] = change(arrays[name])  # type: ignore[operator]
    out = io.BytesIO()
    np.savez(out, **arrays)
    return header + b"\n" + out.getvalue()


def _child_out_of_range(nodes: np.ndarray) -> np.ndarray:
    nodes = nodes.copy()
    nodes["left_child"][0] = 10**9  # would send tree traversal outside its node array
    return nodes


def _feature_out_of_range(nodes: np.ndarray) -> np.ndarray:
    nodes = nodes.copy()
    nodes["feature"][0] = 99
    return nodes


def _cycle(nodes: np.ndarray) -> np.ndarray:
    nodes = nodes.copy()
    internal = np.flatnonzero(nodes["left_child"] != -1)
    nodes["left_child"][internal[1]] = 0  # back to the root: an endless walk
    return nodes


@pytest.mark.parametrize(
    ("name", "change", "problem"),
    [
        ("m0_nodes", _child_out_of_range, "child"),
        ("m0_nodes", _feature_out_of_range, "feature"),
        ("m0_nodes", _cycle, "child"),
        ("m0_nodes", lambda a: a["threshold"].copy(), "nodes"),
        ("train_scores_1", lambda a: a[::-1].copy(), "sorted"),
        ("weights_", lambda a: np.array([np.nan, 1.0]), "finite"),
        ("m1_values", lambda a: a[:-1].copy(), "sizes"),
    ],
)
def test_a_tampered_model_is_refused_with_a_reason(name: str, change: object, problem: str) -> None:
    data = dumps(new_model().fit(_matrix()))
    with pytest.raises(ModelStateError, match=problem):
        loads(_tampered(data, name, change))


def test_only_the_documented_members_and_parameters_are_stored() -> None:
    class Other(TailScorer):
        pass

    with pytest.raises(ModelStateError, match="Other"):
        dumps(EnsembleScorer(scorers=(Other(),)).fit(_matrix()))
    with pytest.raises(ModelStateError, match="random_state"):
        dumps(EnsembleScorer(scorers=(IsolationForestScorer(random_state=np.random.RandomState(0)),)).fit(_matrix()))


def test_a_payload_that_is_not_a_model_is_refused() -> None:
    for junk in (b"", b"molehunt-model 1 scikit-learn x\nnot a zip", pickle.dumps([1, 2])):
        with pytest.raises(ModelStateError):
            loads(junk)
