"""Persistence: risk kept up for days above the person's own usual level counts again, not one loud day.

A benign person's worst day is usually a single spike (one surprising hit, one odd day), while an insider's
campaign lifts many days in a row: a drip of files for weeks, a job hunt before a copy. The daily evidence here is
the risk before the context boosts (scoring.evidence: anomaly, rule and volume points). For a user-day (u, d):

    level  = the KTH-highest evidence among u's days in the WINDOW_DAYS days ending on d (d included): the height
             the person kept up, which one spike cannot raise
    usual  = the mean of u's level over their reference days (30 to 180 back; in their first weeks also as far
             ahead: calibration.reference), when those hold at least MIN_REFERENCE_DAYS days: the height they
             usually keep up
    points = max(0, level - usual)

added to the day's evidence before the boosts (scoring.combine): the excess the person kept up counts once more, in
the same units, with no weight of its own. Level is compared with level (not with the mean day), so someone whose
days merely vary a lot does not earn points for it. What someone does every week (security staff, an administrator)
raises their usual too and earns nothing. A person without reference days earns nothing either: nobody knows their
usual, and at the start of the data everyone's new habits would otherwise count twice. Summing daily risk over a
window (tried before) lifted exactly those people: the routinely busy and the cold start.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from molehunt.detect.calibration import MIN_REFERENCE_DAYS, reference
from molehunt.detect.history import History

WINDOW_DAYS = 14
KTH = 3
SAY_FROM = 5.0  # points; a few points of drift in anyone's anomaly percentile are not worth words


@dataclass(frozen=True)
class Persistence:
    """Per history row: the points, the level kept up and the person's usual risk (NaN without reference)."""

    points: np.ndarray
    level: np.ndarray
    usual: np.ndarray

    def take(self, rows: np.ndarray) -> Persistence:
        """The evidence of these rows only, in their order."""
        return Persistence(self.points[rows], self.level[rows], self.usual[rows])


def kept_up_level(history: History, risk: np.ndarray, window_days: int = WINDOW_DAYS, kth: int = KTH) -> np.ndarray:
    """For every row, the kth-highest risk among the same user's rows in the window_days days ending on it
    (NaN when the window holds fewer than kth rows)."""
    n = len(history)
    lo, _ = history.window_bounds(window_days - 1, 0)
    rows = np.arange(n)
    # At most one row per user-day, so the window is at most the window_days rows before: walk back through them,
    # keeping the kth highest so far in `top` (highest first), O(kth) arrays whatever the window.
    top = [np.full(n, -np.inf) for _ in range(kth)]
    for back in range(window_days):
        at = rows - back
        value = np.where(at >= lo, risk[np.maximum(at, 0)], -np.inf)
        for place in range(kth):
            top[place], value = np.maximum(top[place], value), np.minimum(top[place], value)
    result: np.ndarray = np.where(np.isfinite(top[-1]), top[-1], np.nan)
    return result


def persistence(history: History, risk: np.ndarray) -> Persistence:
    """Persistence points for every row of `history`, from each row's daily risk (aligned with history's rows)."""
    n = len(history)
    if n == 0:
        return Persistence(np.zeros(0), np.zeros(0), np.zeros(0))
    level = kept_up_level(history, risk)
    window = reference(history)
    known = np.isfinite(level).astype(np.float64)
    days = window.sums(known)
    with np.errstate(invalid="ignore", divide="ignore"):
        usual = np.where(days >= MIN_REFERENCE_DAYS, window.sums(np.nan_to_num(level)) / days, np.nan)
    points = np.nan_to_num(np.maximum(0.0, level - usual))
    return Persistence(points, level, usual)


def persistence_reason(kept: Persistence, row: int) -> str | None:
    """The kept-up excess of a row in words, or None when it earned under SAY_FROM points."""
    if kept.points[row] < SAY_FROM:
        return None
    return (
        f"risk kept up: {KTH} or more of their days in the last {WINDOW_DAYS} scored {kept.level[row]:,.0f} or more"
        f" before context, where they usually keep up {kept.usual[row]:,.0f} (counted again: +{kept.points[row]:,.0f})"
    )
