"""An ECOD-style tail scorer (Li et al. 2022): how far out in each feature's right tail a row sits, summed."""

from __future__ import annotations

from typing import Any, Self

import numpy as np
import numpy.typing as npt
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted, validate_data

from molehunt.detect.anomaly.base import FloatArray


class TailScorer(BaseEstimator):  # type: ignore[misc]
    """Sum over features of ``-log`` of the empirical right-tail probability of each value.

    For feature ``j`` fitted on ``n`` rows, a value ``v`` gets the smoothed tail probability
    ``p_j(v) = (#{fitted values >= v} + 1) / (n + 1)``: a value at or below the fitted minimum gets ``p = 1``
    (contributes 0), a value above everything ever seen gets ``1 / (n + 1)`` (contributes ``log(n + 1)``, the
    cap). The score is ``sum_j -log p_j(v_j)``, i.e. ECOD with independence across features.

    **Only the right tail counts.** molehunt's inputs are deviations oriented so that larger is worse (robust
    z-scores against the user's own history and peers, non-negative counts), so an unusually *small* value is
    never evidence of theft. Feed a feature as ``-x`` if its low values are the suspicious ones. ECOD's
    left-tail and skewness-corrected variants are deliberately left out.

    Consequences worth knowing: the score is monotone non-decreasing in every feature; a feature that was
    constant at fit contributes 0 for any value at or below that constant and the cap above it; ties count as
    "at least as extreme", so a common value (such as 0 for a rare action) is never scored as a tail.

    Fitted attributes: ``values_`` (per feature, the distinct fitted values, ascending), ``at_least_`` (per
    feature, how many fitted values are at least each of them, and a final 0 for anything above them all: the
    exact tail counts, compact because deviations repeat, zeros above all), ``n_samples_fit_``, ``n_features_in_``.

    Fails with ``ValueError`` on NaN or infinite values, on a non-2-D or empty ``X``, and (when scoring) when
    ``X`` has a different number of columns than at fit; ``NotFittedError`` when scoring before ``fit``.

    Example:
        >>> import numpy as np
        >>> scorer = TailScorer().fit(np.array([[0.0, 1.0], [1.0, 1.0], [2.0, 1.0], [3.0, 1.0]]))
        >>> scorer.feature_contributions([[9.0, 1.0]]).round(3).tolist()  # feature 0 beyond all 4 fitted rows
        [[1.609, 0.0]]
        >>> float(scorer.score_samples([[9.0, 1.0]])[0]) == float(np.log(5))
        True
    """

    def fit(self, X: npt.ArrayLike, y: Any = None) -> Self:
        """Keep each column's distinct values with their tail counts; ``y`` is ignored (present for the sklearn API)."""
        data: FloatArray = validate_data(self, X, dtype=np.float64)
        self.values_: list[FloatArray] = []
        self.at_least_: list[npt.NDArray[np.int64]] = []
        for column in data.T:
            # Distinct values with suffix counts, not the sorted column: the same counts at a fraction of the
            # size (a year of 4,000 people is a million rows; the fitted model is stored in the store).
            values, counts = np.unique(column, return_counts=True)
            self.values_.append(values)
            self.at_least_.append(np.append(np.cumsum(counts[::-1])[::-1], 0).astype(np.int64))
        self.n_samples_fit_: int = data.shape[0]
        return self

    def feature_contributions(self, X: npt.ArrayLike) -> FloatArray:
        """The ``-log`` tail probability of every value of ``X``: shape (n_rows, n_features), all ``>= 0``.

        Row sums equal ``score_samples(X)``; the largest entries of a row name the features that drove its score.
        """
        check_is_fitted(self)
        data: FloatArray = validate_data(self, X, dtype=np.float64, reset=False)
        n = self.n_samples_fit_
        contributions = np.empty_like(data)
        log_total = np.log(float(n + 1))
        for j, (values, at_least) in enumerate(zip(self.values_, self.at_least_, strict=True)):
            counted = at_least[np.searchsorted(values, data[:, j], side="left")]  # fitted values >= v
            contributions[:, j] = log_total - np.log(counted + 1.0)
        return contributions

    def score_samples(self, X: npt.ArrayLike) -> FloatArray:
        """One anomaly score per row of ``X``, higher = more anomalous: the row sums of ``feature_contributions``."""
        scores: FloatArray = self.feature_contributions(X).sum(axis=1)
        return scores
