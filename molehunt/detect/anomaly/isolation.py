"""Isolation Forest (Liu, Ting and Zhou 2008) as a molehunt scorer: higher score = more anomalous."""

from __future__ import annotations

from numbers import Integral
from typing import Any, Self

import numpy as np
import numpy.typing as npt
from sklearn.base import BaseEstimator
from sklearn.ensemble import IsolationForest
from sklearn.utils.validation import check_is_fitted, validate_data

from molehunt.detect.anomaly.base import FloatArray


class IsolationForestScorer(BaseEstimator):  # type: ignore[misc]
    """Score rows by how quickly random axis-aligned splits isolate them (a thin wrapper of sklearn's forest).

    **Sign:** ``score_samples`` returns the *negation* of ``sklearn.ensemble.IsolationForest.score_samples``, so
    higher = more anomalous (sklearn's is higher = more normal). Scores lie in (0, 1]; around 0.5 is ordinary,
    close to 1 is clearly isolated. Unlike ``TailScorer`` the forest sees both tails of every feature and
    interactions between features.

    Parameters:
        n_estimators: number of trees.
        max_samples: rows drawn to grow each tree (an int count, a float fraction, or ``"auto"``); an int
            larger than the training set uses the whole training set.
        random_state: seed (or ``numpy.random.RandomState``) for subsampling and splits; fix it for
            reproducible scores.

    Fitted attributes: ``forest_`` (the fitted ``IsolationForest``), ``n_features_in_``.

    Fails with ``ValueError`` on NaN or infinite values, on a non-2-D or empty ``X``, and (in ``score_samples``)
    when ``X`` has a different number of columns than at fit; ``NotFittedError`` when scoring before ``fit``.

    Example:
        >>> import numpy as np
        >>> X = np.random.default_rng(0).normal(size=(500, 3))
        >>> scorer = IsolationForestScorer(n_estimators=50, random_state=0).fit(X)
        >>> bool(scorer.score_samples([[8.0, 8.0, 8.0]])[0] > scorer.score_samples([[0.0, 0.0, 0.0]])[0])
        True
    """

    def __init__(self, n_estimators: int = 200, max_samples: int | float | str = 256, random_state: Any = 0) -> None:
        self.n_estimators = n_estimators
        self.max_samples = max_samples
        self.random_state = random_state

    def fit(self, X: npt.ArrayLike, y: Any = None) -> Self:
        """Grow the forest on ``X`` (n_rows x n_features); ``y`` is ignored (present for the sklearn API)."""
        data: FloatArray = validate_data(self, X, dtype=np.float64, ensure_min_samples=2)
        max_samples = self.max_samples
        if isinstance(max_samples, Integral) and not isinstance(max_samples, bool):
            # sklearn would warn and clip; clipping here keeps small training sets quiet.
            max_samples = min(int(max_samples), data.shape[0])
        self.forest_ = IsolationForest(
            n_estimators=self.n_estimators, max_samples=max_samples, random_state=self.random_state, n_jobs=1
        ).fit(data)
        return self

    def score_samples(self, X: npt.ArrayLike) -> FloatArray:
        """One anomaly score per row of ``X``, higher = more anomalous (the negated sklearn score)."""
        check_is_fitted(self)
        data: FloatArray = validate_data(self, X, dtype=np.float64, reset=False)
        scores: FloatArray = -self.forest_.score_samples(data)
        return scores
