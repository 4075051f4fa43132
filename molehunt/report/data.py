"""What the report's plots show, read from the store: one user's daily risk and their weekly activity pattern.

Plain queries returning typed results, so the report, the dashboard and tests share one reading of the store.
Ground truth is never read here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

from molehunt.detect.alerts import require_scores as require_store_scores
from molehunt.detect.scoring import ScoreWeights
from molehunt.errors import MolehuntError
from molehunt.store import Store

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_WEIGHTS = ScoreWeights()  # what `molehunt score` combines with
MIN_EARLIER_DAYS = 14  # fewer calendar days before the recent period make too noisy an average week


@dataclass(frozen=True)
class RiskDay:
    """One scored day, its risk split into what made it: anomaly + rules + volume, times the context boosts."""

    day: date
    score: float
    anomaly_points: float  # anomaly_weight x the ensemble percentile
    rule_points: float  # the fired rules' calibrated weights, capped as in scoring
    volume_points: float  # exfiltration volume against the person's usual (molehunt.detect.volume)
    boost_points: float  # what the departure and prior-alert multipliers added on top
    rules: tuple[str, ...]


@dataclass(frozen=True)
class RiskHistory:
    days: tuple[RiskDay, ...]
    last_day: date | None  # the user's known last day, None when they are not known to leave


@dataclass(frozen=True, eq=False)
class WeekActivity:
    """Events per hour-of-day and weekday in an average week: before the recent period and during it.

    Arrays are 7 x 24 (Monday first, hour 0 first). `earlier` is None when the user's activity started less
    than MIN_EARLIER_DAYS days before the recent period; `earlier_days` says how many days there were.
    """

    earlier: np.ndarray | None
    recent: np.ndarray
    earlier_span: tuple[date, date] | None
    recent_span: tuple[date, date]
    earlier_days: int


def require_scores(store: Store, user_id: str, label: str) -> None:
    """MolehuntError unless `user_id` has scored days (the message names the label, never the id)."""
    require_store_scores(store)
    if not store.count("SELECT count(*) FROM scores WHERE user_id = ?", [user_id]):
        raise MolehuntError(f"{label} has no scored days: they had no activity in the scored period")


def last_day(store: Store, user_id: str) -> date | None:
    """The user's last day when they are known to leave (from user_day.days_to_departure), else None."""
    found = store.scalar(
        "SELECT max(day + days_to_departure) FROM user_day WHERE user_id = ? AND days_to_departure IS NOT NULL",
        [user_id],
    )
    return found if isinstance(found, date) else None


def _split(
    score: float, anomaly: float, rule_points: float, volume_points: float, weights: ScoreWeights
) -> tuple[float, float, float, float]:
    """(anomaly, rules, volume, boost) points summing to score; scaled down if the score was made with smaller
    weights."""
    parts = weights.anomaly_weight * anomaly, min(rule_points, weights.max_rule_points), volume_points
    base = sum(parts)
    if score >= base:
        return parts[0], parts[1], parts[2], score - base
    scale = score / base if base > 0 else 0.0
    return parts[0] * scale, parts[1] * scale, parts[2] * scale, 0.0


def risk_history(store: Store, user_id: str, *, label: str) -> RiskHistory:
    """Every scored day of the user, oldest first; MolehuntError when there is none."""
    require_scores(store, user_id, label)
    rows = store.con.execute(
        "SELECT day, score, anomaly, rule_points, volume_points, rules FROM scores WHERE user_id = ? ORDER BY day",
        [user_id],
    ).fetchall()
    days = tuple(
        RiskDay(
            day,
            float(score),
            *_split(float(score), float(anomaly or 0), float(points or 0), float(volume or 0), _WEIGHTS),
            tuple(rules or ()),
        )
        for day, score, anomaly, points, volume, rules in rows
    )
    return RiskHistory(days, last_day(store, user_id))


def week_activity(store: Store, user_id: str, *, label: str, recent_days: int = 30) -> WeekActivity:
    """The user's average week over their last `recent_days` days of activity and over the days before.

    Averages divide by the number of calendar weeks in each period, so a week with no activity counts as zero.
    """
    if recent_days < 1:
        raise MolehuntError(f"recent_days must be at least 1, not {recent_days}")
    require_scores(store, user_id, label)
    counts = store.con.execute(  # one scan of the user's events: at most 24 rows per active day
        "SELECT time::DATE AS day, isodow(time) - 1 AS weekday, hour(time) AS hour, count(*) "
        "FROM events WHERE user_id = ? GROUP BY ALL",
        [user_id],
    ).fetchall()
    if not counts:
        raise MolehuntError(f"{label} has no events in the store")
    first, last = min(row[0] for row in counts), max(row[0] for row in counts)
    cutoff = max(first, last - timedelta(days=recent_days - 1))  # first day of the recent period
    earlier, recent = np.zeros((7, 24)), np.zeros((7, 24))
    for day, weekday, hour, n in counts:
        (recent if day >= cutoff else earlier)[weekday, hour] += n
    recent /= ((last - cutoff).days + 1) / 7
    days = (cutoff - first).days
    if days < MIN_EARLIER_DAYS:
        return WeekActivity(None, recent, None, (cutoff, last), days)
    earlier /= days / 7
    return WeekActivity(earlier, recent, (first, cutoff - timedelta(days=1)), (cutoff, last), days)
