"""Unsupervised anomaly scorers over a user-day feature matrix: higher score = more anomalous.

Each scorer follows the scikit-learn estimator contract (``fit(X) -> self``, fitted attributes end in ``_``,
``score_samples`` never changes the model). ``Scorer`` is the extension point: any class with ``fit`` and
``score_samples`` can join an ``EnsembleScorer``.

Example:
    >>> import numpy as np
    >>> from molehunt.detect.anomaly import EnsembleScorer
    >>> X = np.random.default_rng(1).gamma(2.0, size=(400, 4))
    >>> scores = EnsembleScorer().fit(X).score_samples(X)
    >>> scores.shape, bool(scores.min() >= 0.0 and scores.max() <= 1.0)
    ((400,), True)
"""

from molehunt.detect.anomaly.base import FloatArray, Scorer
from molehunt.detect.anomaly.ensemble import EnsembleScorer
from molehunt.detect.anomaly.isolation import IsolationForestScorer
from molehunt.detect.anomaly.tail import TailScorer

__all__ = ["EnsembleScorer", "FloatArray", "IsolationForestScorer", "Scorer", "TailScorer"]
