"""A fingerprint of what the cached per-day tables mean, so a run from `--since` never mixes old and new meanings.

Scoring from a day on reuses the user-days, baselines and anomaly model of the last full run. After an upgrade
that changes a feature, a context column or a baseline, those caches mean something else: the fingerprint saved
with the model says so, and the next run must be a full one.
"""

from __future__ import annotations

import hashlib

from molehunt.features.baselines import baseline_sql
from molehunt.features.catalog import CONTEXT_COLUMNS, FEATURE_NAMES
from molehunt.features.user_day import FINAL, STAGES


def definitions_fingerprint() -> str:
    """A short hash of the feature SQL, the baseline SQL and the column names of `user_day`."""
    digest = hashlib.sha256()
    parts = [sql for _, sql in STAGES] + [FINAL, baseline_sql(), ",".join(FEATURE_NAMES), ",".join(CONTEXT_COLUMNS)]
    for part in parts:
        digest.update(part.encode())
        digest.update(b"\0")
    return digest.hexdigest()[:16]
