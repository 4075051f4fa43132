"""Seeded quality floor: planted outliers among correlated inliers must rank high (labels used only here).

Floors come from 50 data seeds (0-49) of this generator with each scorer's defaults, observed once; each floor
sits below the worst seed with margin and is never adjusted per seed. Observed ROC AUC, worst / median:

    IsolationForestScorer   0.963 / 0.979   -> floor 0.95
    EnsembleScorer          0.923 / 0.958   -> floor 0.90
    TailScorer              0.842 / 0.914   -> floor 0.80

TailScorer sums -log tail probabilities over all features, so an outlier shifted on a single feature gains at
most log(n + 1) against the noise of the other features' terms (and correlated inliers look extreme to a sum
that assumes independence); it does well on outliers shifted on 2-3 features and poorly on 1. That is the
method, not a bug: the floor records it instead of hiding it with an easier generator.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest
from sklearn.metrics import roc_auc_score

from molehunt.detect.anomaly import EnsembleScorer, IsolationForestScorer, Scorer, TailScorer

N_INLIERS, N_OUTLIERS, SHIFT_SD = 2000, 20, 6.0


def planted(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Inliers: 4 correlated Gaussian z-scores (rho 0.6) and 4 gamma counts scaled by the first z-score's activity.
    Outliers: drawn the same way, then shifted by SHIFT_SD standard deviations on 1-3 random features."""
    rng = np.random.default_rng(seed)
    cov = np.full((4, 4), 0.6) + 0.4 * np.eye(4)

    def inliers(n: int) -> np.ndarray:
        z = rng.multivariate_normal(np.zeros(4), cov, size=n)
        counts = rng.gamma(2.0, 1.0, size=(n, 4)) * np.exp(0.3 * z[:, :1])
        return np.hstack([z, counts])

    normal, odd = inliers(N_INLIERS), inliers(N_OUTLIERS)
    sd = normal.std(axis=0)
    for row in odd:
        features = rng.choice(normal.shape[1], size=rng.integers(1, 4), replace=False)
        row[features] += SHIFT_SD * sd[features]
    return np.vstack([normal, odd]), np.r_[np.zeros(N_INLIERS), np.ones(N_OUTLIERS)]


FLOORS: dict[str, tuple[Callable[[], Scorer], float]] = {
    "isolation": (IsolationForestScorer, 0.95),
    "ensemble": (EnsembleScorer, 0.90),
    "tail": (TailScorer, 0.80),
}


@pytest.mark.parametrize("seed", [0, 1])
@pytest.mark.parametrize("name", FLOORS)
def test_planted_outliers_rank_above_the_floor(name: str, seed: int) -> None:
    make, floor = FLOORS[name]
    X, y = planted(seed)
    auc = roc_auc_score(y, make().fit(X).score_samples(X))
    assert auc >= floor, f"{name} seed {seed}: ROC AUC {auc:.3f} < {floor}"
