"""EnsembleScorer: percentile combination of members, weights, and the Scorer extension point."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Self

import numpy as np
import pytest
from scipy.stats import rankdata

from molehunt.detect.anomaly import EnsembleScorer, IsolationForestScorer, Scorer, TailScorer


@pytest.fixture(scope="module")
def X() -> np.ndarray:
    rng = np.random.default_rng(5)
    return np.hstack([rng.normal(size=(400, 3)), rng.gamma(2.0, size=(400, 2))])


@pytest.fixture(scope="module")
def unseen() -> np.ndarray:
    rng = np.random.default_rng(6)
    return np.vstack([rng.normal(scale=4.0, size=(100, 5)), np.full((1, 5), 1e6), np.full((1, 5), -1e6)])


def small_forest() -> IsolationForestScorer:
    return IsolationForestScorer(n_estimators=30, random_state=0)


class NormScorer:
    """A third-party scorer: no BaseEstimator, only the two methods of the Scorer protocol."""

    def fit(self, X: Any, y: Any = None) -> Self:
        self.centre_ = np.asarray(X, dtype=float).mean(axis=0)
        return self

    def score_samples(self, X: Any) -> np.ndarray:
        return np.linalg.norm(np.asarray(X, dtype=float) - self.centre_, axis=1)


def test_percentiles_and_scores_stay_within_unit_interval(X: np.ndarray, unseen: np.ndarray) -> None:
    ensemble = EnsembleScorer(scorers=(small_forest(), TailScorer(), NormScorer())).fit(X)
    for data in (X, unseen):
        percentiles = ensemble.member_scores(data)
        assert percentiles.shape == (data.shape[0], 3)
        assert percentiles.min() >= 0.0
        assert percentiles.max() <= 1.0
        scores = ensemble.score_samples(data)
        assert scores.min() >= 0.0
        assert scores.max() <= 1.0
    assert ensemble.score_samples(unseen[-2:]).tolist()[0] == 1.0  # above every training score, for every member
    # The most anomalous training row is at the 100th percentile of its member.
    assert ensemble.member_scores(X).max(axis=0).tolist() == [1.0, 1.0, 1.0]


@pytest.mark.parametrize("member", [small_forest, TailScorer, NormScorer], ids=["forest", "tail", "third-party"])
def test_one_member_ranks_exactly_like_that_member(
    member: Callable[[], Scorer], X: np.ndarray, unseen: np.ndarray
) -> None:
    alone = member().fit(X)
    ensemble = EnsembleScorer(scorers=(member(),)).fit(X)
    np.testing.assert_array_equal(rankdata(ensemble.score_samples(X)), rankdata(alone.score_samples(X)))
    # On unseen rows the order is kept, though rows beyond the training range may tie at 0 or 1.
    order = np.argsort(alone.score_samples(unseen), kind="stable")
    assert np.all(np.diff(ensemble.score_samples(unseen)[order]) >= 0)


def test_score_is_the_weighted_mean_of_member_percentiles(X: np.ndarray, unseen: np.ndarray) -> None:
    ensemble = EnsembleScorer(scorers=(small_forest(), TailScorer()), weights=(3, 1)).fit(X)
    np.testing.assert_allclose(ensemble.weights_, [0.75, 0.25])
    percentiles = ensemble.member_scores(unseen)
    np.testing.assert_allclose(ensemble.score_samples(unseen), percentiles @ [0.75, 0.25])


def test_zero_weight_silences_a_member(X: np.ndarray) -> None:
    ensemble = EnsembleScorer(scorers=(small_forest(), TailScorer()), weights=(0.0, 2.0)).fit(X)
    np.testing.assert_allclose(ensemble.score_samples(X), ensemble.member_scores(X)[:, 1])


def test_raw_member_scores_are_the_fitted_members_scores(X: np.ndarray, unseen: np.ndarray) -> None:
    ensemble = EnsembleScorer(scorers=(small_forest(), TailScorer())).fit(X)
    raw = ensemble.member_scores(unseen, percentile=False)
    np.testing.assert_array_equal(raw[:, 0], small_forest().fit(X).score_samples(unseen))
    np.testing.assert_array_equal(raw[:, 1], TailScorer().fit(X).score_samples(unseen))


def test_default_members_are_forest_and_tail(X: np.ndarray) -> None:
    ensemble = EnsembleScorer().fit(X[:300])
    assert [type(m) for m in ensemble.scorers_] == [IsolationForestScorer, TailScorer]
    np.testing.assert_allclose(ensemble.weights_, [0.5, 0.5])


def test_given_members_are_cloned_not_fitted(X: np.ndarray) -> None:
    tail = TailScorer()
    ensemble = EnsembleScorer(scorers=(tail,)).fit(X)
    assert ensemble.scorers_[0] is not tail
    assert not hasattr(tail, "values_")


@pytest.mark.parametrize(
    ("weights", "message"),
    [
        ((1.0,), "one weight per member"),
        ((1.0, 2.0, 3.0), "one weight per member"),
        (((1.0, 2.0),), "one weight per member"),
        ((1.0, -0.5), "non-negative"),
        ((0.0, 0.0), "not all zero"),
        ((1.0, float("nan")), "finite"),
        ((1.0, float("inf")), "finite"),
    ],
)
def test_bad_weights_are_refused_at_fit(X: np.ndarray, weights: tuple[float, ...], message: str) -> None:
    ensemble = EnsembleScorer(scorers=(TailScorer(), NormScorer()), weights=weights)  # __init__ only stores
    with pytest.raises(ValueError, match=message):
        ensemble.fit(X)


def test_no_members_is_refused(X: np.ndarray) -> None:
    with pytest.raises(ValueError, match="at least one member"):
        EnsembleScorer(scorers=()).fit(X)


class OneScoreScorer(NormScorer):
    def score_samples(self, X: Any) -> np.ndarray:
        return np.zeros(1)


def test_a_member_with_the_wrong_number_of_scores_is_refused(X: np.ndarray) -> None:
    with pytest.raises(ValueError, match="OneScoreScorer must return one finite score per row"):
        EnsembleScorer(scorers=(OneScoreScorer(),)).fit(X)


def test_fit_score_samples_equals_fit_then_score() -> None:
    data = np.random.default_rng(3).normal(size=(300, 4))
    once = EnsembleScorer().fit_score_samples(data)
    twice = EnsembleScorer().fit(data).score_samples(data)
    np.testing.assert_array_equal(once, twice)
