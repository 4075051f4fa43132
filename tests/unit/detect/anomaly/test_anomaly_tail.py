"""TailScorer: right-tail only, monotone, explainable (contributions add up to the score)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from molehunt.detect.anomaly import TailScorer

_RNG = np.random.default_rng(11)
# Dense z-scores, a zero-inflated count (many ties at 0) and a constant column.
TRAIN = np.column_stack(
    [
        _RNG.normal(size=400),
        _RNG.standard_t(3, size=400),
        np.where(_RNG.random(400) < 0.8, 0.0, _RNG.poisson(3.0, size=400)),
        np.full(400, 2.0),
    ]
)
FITTED = TailScorer().fit(TRAIN)
CAP = float(np.log(TRAIN.shape[0] + 1))

values = st.floats(min_value=-50, max_value=50, allow_nan=False)


@settings(max_examples=150, deadline=None, database=None)
@given(
    row=st.lists(values, min_size=4, max_size=4),
    feature=st.integers(min_value=0, max_value=3),
    increase=st.floats(min_value=0, max_value=100, allow_nan=False),
)
def test_raising_one_feature_never_lowers_the_score(row: list[float], feature: int, increase: float) -> None:
    higher = list(row)
    higher[feature] += increase
    low, high = FITTED.score_samples(np.array([row, higher]))
    assert high >= low


def test_contributions_are_non_negative_capped_and_sum_to_the_score() -> None:
    X = np.vstack([TRAIN, _RNG.normal(scale=5.0, size=(100, 4))])
    contributions = FITTED.feature_contributions(X)
    assert contributions.shape == X.shape
    assert contributions.min() >= 0.0
    assert contributions.max() <= CAP + 1e-12
    np.testing.assert_allclose(contributions.sum(axis=1), FITTED.score_samples(X), rtol=1e-12, atol=0)


def test_tail_probabilities_are_smoothed_counts_of_at_least_as_extreme() -> None:
    scorer = TailScorer().fit(np.array([[0.0], [1.0], [2.0], [3.0]]))
    got = scorer.feature_contributions(np.array([[-7.0], [0.0], [2.0], [2.5], [3.0], [99.0]]))[:, 0]
    # p(v) = (#fitted >= v + 1) / (n + 1), n = 4
    expected = -np.log(np.array([5, 5, 3, 2, 2, 1]) / 5)
    np.testing.assert_allclose(got, expected, atol=1e-15)


def test_only_the_right_tail_counts() -> None:
    very_low = np.array([[-1e6, -1e6, -1e6, -1e6]])
    assert FITTED.score_samples(very_low)[0] == 0.0


def test_a_never_seen_extreme_gets_one_over_n_plus_one() -> None:
    beyond = TRAIN.max(axis=0) + 1.0
    np.testing.assert_allclose(FITTED.feature_contributions(beyond[None, :])[0], CAP)


def test_a_constant_feature_contributes_nothing_distinctive() -> None:
    assert np.all(FITTED.feature_contributions(TRAIN)[:, 3] == 0.0)
    without = TailScorer().fit(TRAIN[:, :3])
    np.testing.assert_allclose(FITTED.score_samples(TRAIN), without.score_samples(TRAIN[:, :3]), rtol=1e-12)


def test_common_ties_are_not_a_tail() -> None:
    # 80% of the zero-inflated column is 0: a 0 must read as ordinary (p = 1), not as an extreme.
    zeros = FITTED.feature_contributions(np.array([[0.0, 0.0, 0.0, 2.0]]))[0]
    assert zeros[2] == 0.0


def test_names_the_feature_that_drove_the_score() -> None:
    row = np.median(TRAIN, axis=0)
    row[1] = TRAIN[:, 1].max() + 10
    assert int(np.argmax(FITTED.feature_contributions(row[None, :])[0])) == 1


@pytest.mark.parametrize("n_rows", [1, 2])
def test_fits_tiny_training_sets(n_rows: int) -> None:
    scorer = TailScorer().fit(np.zeros((n_rows, 2)))
    np.testing.assert_allclose(scorer.score_samples(np.array([[1.0, 0.0]])), [np.log(n_rows + 1)])


def test_the_compact_fit_counts_exactly_as_the_sorted_columns_would() -> None:
    rng = np.random.default_rng(3)
    train = np.where(rng.random((5000, 3)) < 0.8, 0.0, rng.integers(1, 40, (5000, 3)).astype(float))
    train[:, 2] = rng.normal(size=5000)  # one continuous column: no repeats at all
    test = np.vstack([train[:50], [[0.0, 0.0, -9.0], [39.0, 40.0, 9.0], [0.5, 17.0, 0.0]]])
    scorer = TailScorer().fit(train)
    n = len(train)
    naive = np.column_stack(
        [
            np.log(n + 1.0) - np.log(n - np.searchsorted(np.sort(train[:, j]), test[:, j], side="left") + 1.0)
            for j in range(3)
        ]
    )
    np.testing.assert_array_equal(scorer.feature_contributions(test), naive)
    # The repetitive columns keep a few dozen distinct values, not 5,000 sorted ones.
    assert [len(v) for v in scorer.values_[:2]] == [len(np.unique(train[:, j])) for j in range(2)]
    assert max(len(v) for v in scorer.values_[:2]) < 50
