"""The scorer extension point: a protocol every anomaly scorer satisfies, built-in or third-party."""

from __future__ import annotations

from typing import Any, Protocol, Self, runtime_checkable

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]


@runtime_checkable
class Scorer(Protocol):
    """An unsupervised anomaly scorer over a numeric feature matrix (rows are user-days).

    The contract (scikit-learn's, with one sign convention of our own):

    - ``__init__`` only stores its parameters; ``fit(X, y=None)`` learns from ``X`` and returns ``self``;
    - ``score_samples(X)`` returns one float per row, **higher = more anomalous**, and never changes the model;
    - the same parameters (including ``random_state``) on the same data give the same scores.

    To plug in a scorer of your own, write any class with these two methods; ``EnsembleScorer`` accepts it as a
    member. Subclassing ``sklearn.base.BaseEstimator`` (as the built-ins do) adds ``get_params``/``clone``.

    Example:
        >>> from molehunt.detect.anomaly import Scorer, TailScorer
        >>> isinstance(TailScorer(), Scorer)
        True
    """

    def fit(self, X: npt.ArrayLike, y: Any = None) -> Self: ...

    def score_samples(self, X: npt.ArrayLike) -> FloatArray: ...
