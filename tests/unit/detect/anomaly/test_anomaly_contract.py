"""The scikit-learn contract, checked part by part for every built-in scorer (check_estimator assumes predict)."""

from __future__ import annotations

import pickle
import warnings
from collections.abc import Callable

import numpy as np
import pytest
from sklearn.base import BaseEstimator, clone
from sklearn.ensemble import IsolationForest
from sklearn.exceptions import NotFittedError
from sklearn.utils.validation import check_is_fitted

from molehunt.detect.anomaly import EnsembleScorer, IsolationForestScorer, Scorer, TailScorer

FACTORIES: dict[str, Callable[[], BaseEstimator]] = {
    "isolation": lambda: IsolationForestScorer(n_estimators=25, max_samples=64, random_state=3),
    "tail": lambda: TailScorer(),
    "ensemble": lambda: EnsembleScorer(
        scorers=(IsolationForestScorer(n_estimators=25, random_state=3), TailScorer()), weights=(2.0, 1.0)
    ),
}

scorer_factory = pytest.mark.parametrize("make", FACTORIES.values(), ids=FACTORIES.keys())


@pytest.fixture
def X() -> np.ndarray:
    rng = np.random.default_rng(7)
    return np.hstack([rng.normal(size=(300, 3)), rng.gamma(2.0, size=(300, 2))])


@scorer_factory
def test_is_a_scorer_and_fit_returns_self(make: Callable[[], BaseEstimator], X: np.ndarray) -> None:
    scorer = make()
    assert isinstance(scorer, Scorer)
    assert scorer.fit(X) is scorer
    scores = scorer.score_samples(X)
    assert scores.shape == (X.shape[0],)
    assert scores.dtype == np.float64
    assert np.all(np.isfinite(scores))


@scorer_factory
def test_params_round_trip_through_clone_and_set_params(make: Callable[[], BaseEstimator], X: np.ndarray) -> None:
    scorer = make()
    params = scorer.get_params(deep=False)
    twin = clone(scorer)
    assert twin is not scorer
    assert repr(twin.get_params(deep=False)) == repr(params)
    assert twin.set_params(**params) is twin
    assert repr(twin) == repr(scorer)
    # A clone is unfitted even when cloned from a fitted scorer.
    with pytest.raises(NotFittedError):
        clone(scorer.fit(X)).score_samples(X)


def test_set_params_changes_what_fit_does(X: np.ndarray) -> None:
    scorer = IsolationForestScorer(n_estimators=10).set_params(n_estimators=7)
    assert scorer.get_params()["n_estimators"] == 7
    assert len(scorer.fit(X).forest_.estimators_) == 7


@scorer_factory
def test_fitted_attributes_end_in_underscore_and_appear_only_at_fit(
    make: Callable[[], BaseEstimator], X: np.ndarray
) -> None:
    scorer = make()
    before = set(vars(scorer))
    assert not [name for name in before if name.endswith("_")]
    with pytest.raises(NotFittedError):
        scorer.score_samples(X)
    scorer.fit(X)
    added = set(vars(scorer)) - before
    assert added
    assert all(name.endswith("_") and not name.startswith("_") for name in added)
    assert scorer.n_features_in_ == X.shape[1]
    check_is_fitted(scorer)


@scorer_factory
def test_score_samples_changes_neither_model_nor_input(make: Callable[[], BaseEstimator], X: np.ndarray) -> None:
    scorer = make().fit(X)
    model_before = pickle.dumps(scorer)
    params_before = repr(scorer.get_params(deep=True))
    new = X[:50] * 3.0
    new_before = new.copy()
    first = scorer.score_samples(new)
    second = scorer.score_samples(new)
    assert pickle.dumps(scorer) == model_before
    assert repr(scorer.get_params(deep=True)) == params_before
    np.testing.assert_array_equal(new, new_before)
    np.testing.assert_array_equal(first, second)


@scorer_factory
def test_same_parameters_same_data_same_scores(make: Callable[[], BaseEstimator], X: np.ndarray) -> None:
    np.testing.assert_array_equal(make().fit(X).score_samples(X), make().fit(X).score_samples(X))


def test_random_state_matters_for_the_forest(X: np.ndarray) -> None:
    a = IsolationForestScorer(n_estimators=25, random_state=1).fit(X).score_samples(X)
    b = IsolationForestScorer(n_estimators=25, random_state=2).fit(X).score_samples(X)
    assert not np.array_equal(a, b)


def test_forest_score_is_sklearn_score_negated(X: np.ndarray) -> None:
    ours = IsolationForestScorer(n_estimators=25, max_samples=64, random_state=5).fit(X).score_samples(X)
    theirs = IsolationForest(n_estimators=25, max_samples=64, random_state=5).fit(X).score_samples(X)
    np.testing.assert_allclose(ours, -theirs)


def test_forest_max_samples_above_training_size_is_clipped_quietly(X: np.ndarray) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # sklearn would warn that max_samples exceeds the training set
        scorer = IsolationForestScorer(n_estimators=5, max_samples=10_000).fit(X[:40])
    assert scorer.forest_.max_samples_ == 40


@scorer_factory
@pytest.mark.parametrize(
    ("bad", "message"),
    [(np.nan, "NaN"), (np.inf, "infinity"), (-np.inf, "infinity")],
    ids=["nan", "inf", "-inf"],
)
def test_non_finite_input_is_refused(
    make: Callable[[], BaseEstimator], X: np.ndarray, bad: float, message: str
) -> None:
    dirty = X.copy()
    dirty[4, 1] = bad
    with pytest.raises(ValueError, match=message):
        make().fit(dirty)
    fitted = make().fit(X)
    with pytest.raises(ValueError, match=message):
        fitted.score_samples(dirty)


@scorer_factory
def test_wrong_shapes_are_refused(make: Callable[[], BaseEstimator], X: np.ndarray) -> None:
    fitted = make().fit(X)
    with pytest.raises(ValueError, match=r"X has 4 features, but \w+ is expecting 5 features"):
        fitted.score_samples(X[:, :4])
    with pytest.raises(ValueError, match="2D array"):
        fitted.score_samples(X[0])
    with pytest.raises(ValueError, match="2D array"):
        make().fit(X[:, 0])
    with pytest.raises(ValueError, match="0 sample"):
        make().fit(X[:0])
