"""Combine scorers whose scales differ by turning each member's score into its percentile among training scores."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Self

import numpy as np
import numpy.typing as npt
from sklearn.base import BaseEstimator, clone
from sklearn.utils.validation import check_is_fitted, validate_data

from molehunt.detect.anomaly.base import FloatArray, Scorer
from molehunt.detect.anomaly.isolation import IsolationForestScorer
from molehunt.detect.anomaly.tail import TailScorer


class EnsembleScorer(BaseEstimator):  # type: ignore[misc]
    """Weighted mean of member percentiles: a score in [0, 1], higher = more anomalous.

    ``fit`` fits a clone of every member on ``X`` (the given scorers are left untouched) and keeps each member's
    sorted training scores. A member's percentile for a row is the fraction of its training scores that are
    ``<=`` the row's score, so it lies in [0, 1] and no member dominates by scale. Rows scoring above everything
    seen at fit saturate at 1.0 for that member; use ``member_scores(X, percentile=False)`` to break such ties.

    Parameters:
        scorers: the members, any objects with ``fit``/``score_samples`` (see ``Scorer``); ``None`` means
            ``(IsolationForestScorer(), TailScorer())``.
        weights: one non-negative finite weight per member, not all zero (normalized to sum 1); ``None`` means
            equal weights.

    Fitted attributes: ``scorers_`` (fitted clones), ``train_scores_`` (per member, sorted training scores),
    ``weights_`` (normalized), ``n_features_in_``.

    Fails with ``ValueError`` on an empty member list, on weights of the wrong length, negative, non-finite or
    all zero, on a member returning anything but one finite score per row, on NaN/inf or a non-2-D ``X``, and
    when scoring ``X`` with a different number of columns than at fit; ``NotFittedError`` before ``fit``.

    Example:
        >>> import numpy as np
        >>> X = np.random.default_rng(0).normal(size=(300, 3))
        >>> ens = EnsembleScorer(weights=(1.0, 3.0)).fit(X)
        >>> ens.score_samples([[0.0, 0.0, 0.0], [9.0, 9.0, 9.0]]).round(2).tolist()
        [0.31, 1.0]
        >>> ens.member_scores([[9.0, 9.0, 9.0]]).tolist()
        [[1.0, 1.0]]
    """

    def __init__(self, scorers: Sequence[Scorer] | None = None, weights: Sequence[float] | None = None) -> None:
        self.scorers = scorers
        self.weights = weights

    def fit(self, X: npt.ArrayLike, y: Any = None) -> Self:
        """Fit clones of the members on ``X`` and record their sorted training scores; ``y`` is ignored."""
        self._fit_raw(X)
        return self

    def fit_score_samples(self, X: npt.ArrayLike, y: Any = None) -> FloatArray:
        """``fit(X).score_samples(X)`` with each member scoring ``X`` once, not twice (as ``fit_predict``)."""
        raw = self._fit_raw(X)
        columns = [np.searchsorted(t, r, side="right") / t.size for t, r in zip(self.train_scores_, raw, strict=True)]
        combined: FloatArray = np.clip(np.column_stack(columns) @ self.weights_, 0.0, 1.0)
        return combined

    def _fit_raw(self, X: npt.ArrayLike) -> list[FloatArray]:
        """Fit the members; returns each member's raw scores of ``X`` in row order."""
        data: FloatArray = validate_data(self, X, dtype=np.float64)
        members: Sequence[Scorer] = (
            (IsolationForestScorer(), TailScorer()) if self.scorers is None else tuple(self.scorers)
        )
        if not members:
            raise ValueError("EnsembleScorer needs at least one member scorer; got an empty `scorers`.")
        weights_ = _normalized_weights(self.weights, len(members))
        fitted: list[Scorer] = [clone(member, safe=False).fit(data) for member in members]
        raw = [_checked_scores(m, data) for m in fitted]
        self.train_scores_: list[FloatArray] = [np.sort(r) for r in raw]
        self.scorers_ = fitted
        self.weights_ = weights_
        return raw

    def member_scores(self, X: npt.ArrayLike, *, percentile: bool = True) -> FloatArray:
        """Per-member scores of ``X``, shape (n_rows, n_members), members in the order given.

        With ``percentile=True`` (the default) these are the [0, 1] percentiles that ``score_samples`` averages;
        with ``percentile=False`` the members' raw ``score_samples``.
        """
        check_is_fitted(self)
        data: FloatArray = validate_data(self, X, dtype=np.float64, reset=False)
        columns = []
        for member, train in zip(self.scorers_, self.train_scores_, strict=True):
            raw = _checked_scores(member, data)
            columns.append(np.searchsorted(train, raw, side="right") / train.size if percentile else raw)
        return np.column_stack(columns).astype(np.float64, copy=False)

    def score_samples(self, X: npt.ArrayLike) -> FloatArray:
        """The weighted mean of member percentiles per row of ``X``: in [0, 1], higher = more anomalous."""
        combined: FloatArray = np.clip(self.member_scores(X) @ self.weights_, 0.0, 1.0)
        return combined


def _normalized_weights(weights: Sequence[float] | None, n_members: int) -> FloatArray:
    if weights is None:
        return np.full(n_members, 1.0 / n_members)
    w = np.asarray(weights, dtype=np.float64)
    if w.ndim != 1 or w.size != n_members:
        raise ValueError(f"EnsembleScorer `weights` needs one weight per member ({n_members}); got {weights!r}.")
    if not np.all(np.isfinite(w)) or np.any(w < 0) or w.sum() <= 0:
        raise ValueError(f"EnsembleScorer `weights` must be finite, non-negative and not all zero; got {weights!r}.")
    normalized: FloatArray = w / w.sum()
    return normalized


def _checked_scores(member: Scorer, data: FloatArray) -> FloatArray:
    scores = np.asarray(member.score_samples(data), dtype=np.float64)
    if scores.shape != (data.shape[0],) or not np.all(np.isfinite(scores)):
        raise ValueError(
            f"member {type(member).__name__} must return one finite score per row ({data.shape[0]}); "
            f"got shape {scores.shape}."
        )
    return scores
