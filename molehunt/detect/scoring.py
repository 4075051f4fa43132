"""Risk per user-day: anomaly, rule and volume evidence combined, boosted by context, and explained in words.

evidence = anomaly_weight * anomaly_percentile
           + min(sum of the fired rules' calibrated weights, max_rule_points)
           + volume points
risk = (evidence + persistence points)
       * departure_boost (when the user leaves within departure_window_days)
       * prior_alert_boost (when a rule earned a medium rule's weight for the user in the prior prior_alert_days days)
The anomaly percentile is the ensemble's rank of the day among all user-days (0..1). A rule's weight comes from its
level (low 10, medium 25, high 50, critical 100) times how surprising the hit is for this person, their peers and
the organization (calibration.py: nothing for what they do every week). Volume points (volume.py, up to 100) say how
far what left by the strongest exfiltration channel today, this week or this month exceeds their usual.
Persistence points (persistence.py) count again the evidence the person kept up over their last two weeks above
their own usual level, so a campaign of many raised days outranks one loud day.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np

from molehunt.detect.rules import RuleMatch
from molehunt.features.catalog import FEATURES
from molehunt.features.user_day import HISTORY_DAYS

PHRASES = {f.name: f.description.split(" (")[0] for f in FEATURES}
MIN_ALERT_WEIGHT = 25.0  # rules of level medium and above count as prior alerts


@dataclass(frozen=True)
class ScoreWeights:
    anomaly_weight: float = 40.0
    max_rule_points: float = 150.0
    departure_window_days: int = 30
    departure_boost: float = 1.5
    prior_alert_days: int = 30
    prior_alert_boost: float = 1.25


def prior_alerts(
    users: Sequence[str],
    days: Sequence[date],
    hits: Sequence[RuleMatch],
    window_days: int,
    earned: Sequence[float] | None = None,
) -> np.ndarray:
    """For each (user, day): did a rule earn a medium rule's weight (25) or more for that user in the window_days
    days before? `earned` is each hit's calibrated weight (default: its level's weight).

    Low-level rules are context (a departing user's job search), and routine hits earn nothing: neither boosts
    later days on its own.
    """
    fired: dict[str, list[date]] = defaultdict(list)
    for index, hit in enumerate(hits):
        if (hit.weight if earned is None else earned[index]) >= MIN_ALERT_WEIGHT:
            fired[hit.user_id].append(hit.day)
    ordered = {user: np.array(sorted(set(d)), dtype="datetime64[D]") for user, d in fired.items()}
    out = np.zeros(len(users), dtype=bool)
    for index, (user, day) in enumerate(zip(users, days, strict=True)):
        history = ordered.get(user)
        if history is None:
            continue
        today = np.datetime64(day, "D")
        earlier = history[(history < today) & (history >= today - np.timedelta64(window_days, "D"))]
        out[index] = earlier.size > 0
    return out


def evidence(
    anomaly: np.ndarray,
    rule_points: np.ndarray,
    weights: ScoreWeights = ScoreWeights(),
    volume_points: np.ndarray | None = None,
) -> np.ndarray:
    """A user-day's evidence before context: anomaly, rule and volume points (see module docstring)."""
    base: np.ndarray = weights.anomaly_weight * anomaly + np.minimum(rule_points, weights.max_rule_points)
    if volume_points is not None:
        base = base + volume_points
    return base


def combine(
    anomaly: np.ndarray,
    rule_points: np.ndarray,
    days_to_departure: np.ndarray,
    prior_alert: np.ndarray,
    weights: ScoreWeights = ScoreWeights(),
    volume_points: np.ndarray | None = None,
    persistence_points: np.ndarray | None = None,
) -> np.ndarray:
    """Risk scores (see module docstring); days_to_departure is NaN when the user is not known to leave."""
    base = evidence(anomaly, rule_points, weights, volume_points)
    if persistence_points is not None:
        base = base + persistence_points
    leaving = (days_to_departure >= 0) & (days_to_departure <= weights.departure_window_days)
    boost = np.where(leaving, weights.departure_boost, 1.0) * np.where(prior_alert, weights.prior_alert_boost, 1.0)
    result: np.ndarray = base * boost
    return result


def _times(value: float, base: float) -> str:
    ratio = value / base
    return f"{ratio:.1f}x" if ratio < 10 else f"{ratio:,.0f}x"


def feature_reason(feature: str, kind: str, value: float, median: float, peer: float, history_days: float) -> str:
    """One indicator in words with its magnitude against the baseline that made it stand out."""
    phrase = f"{value:,.0f} {PHRASES.get(feature, feature)}"
    if kind == "own":
        if history_days < 1:
            return f"{phrase}, on their first day with activity (no history yet)"
        if median >= 1:
            return f"{phrase}, {_times(value, median)} their {HISTORY_DAYS}-day median of {median:,.0f}"
        return f"{phrase}, where their {HISTORY_DAYS}-day median is {median:,.1f}"
    if np.isnan(peer):
        return f"{phrase} (too few peers active that day to compare)"
    if peer >= 1:
        return f"{phrase}, {_times(value, peer)} the median of their peers ({peer:,.0f})"
    return f"{phrase}, where the median of their peers is {peer:,.1f}"


# The context a rule explanation may end with: the departure, or an adverse HR event (the built-in templates).
_CONTEXT_SUFFIX = re.compile(r", ((?:\d+ days before|on) their last day|\d+ days after an adverse HR event)$")


def say_context_once(explanations: list[str]) -> list[str]:
    """Rule explanations of one day with each context said once: the departure (", N days before their last day")
    only by the first rule that says it, and a rule that repeats an earlier one's measurements with another context
    (the aggrieved rule after the departure rule) adds just its context to that one ("... and N days after an
    adverse HR event")."""
    entries: list[tuple[str, list[str]]] = []
    said_departure = False
    for text in explanations:
        match = _CONTEXT_SUFFIX.search(text)
        body, context = (text[: match.start()], match.group(1)) if match else (text, "")
        if context.endswith("their last day"):
            context, said_departure = ("" if said_departure else context), True
        for earlier, contexts in entries:
            if earlier == body:
                contexts.extend([context] if context else [])
                break
        else:
            entries.append((body, [context] if context else []))
    return [body + (", " + " and ".join(contexts) if contexts else "") for body, contexts in entries]


def departure_reason(days_to_departure: float, window_days: int) -> str | None:
    if np.isnan(days_to_departure) or not 0 <= days_to_departure <= window_days:
        return None
    if days_to_departure == 0:
        return "on their last day"
    return f"{days_to_departure:.0f} days before their last day"
