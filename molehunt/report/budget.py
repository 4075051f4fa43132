"""The alert budget: the share of user-days an investigation team can look at. The dashboard's queue and the SIEM
export both show the user-days above it."""

from __future__ import annotations

from molehunt.detect.alerts import has_scores
from molehunt.store import Store

# By default the top 1% of user-days: the investigation budget the evaluation measures.
DEFAULT_BUDGET = 0.01


def budget_threshold(store: Store, budget: float = DEFAULT_BUDGET) -> float:
    """The score above which the top `budget` share of user-days lies (0 when nothing is scored)."""
    if not has_scores(store):
        return 0.0
    value = store.scalar("SELECT quantile_disc(score, ?) FROM scores", [1.0 - budget])
    return float(value) if isinstance(value, int | float) else 0.0
