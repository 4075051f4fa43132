"""Protection levels from detection: after each scoring run (the scores table) and as it happens (vault activity).

Pure functions over numbers the callers gather; the callers record each change in the audit log and then
`set_level` (molehunt.protect.levels). Reasons are in words an analyst can check; they are never shown to the person.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

from molehunt.protect.levels import Level
from molehunt.protect.policy import Policy
from molehunt.store import Store


@dataclass(frozen=True)
class Peak:
    user: str
    risk: float
    day: date


def peaks(store: Store, window_days: int) -> list[Peak]:
    """Each active person's peak risk (and its day) over the last `window_days` scored days; one query."""
    rows = store.con.execute(
        """WITH recent AS (
               SELECT user_id, day, score FROM scores
               WHERE day > (SELECT max(day) FROM scores) - CAST(? AS INTEGER)
           )
           SELECT user_id, arg_max(day, score), max(score) FROM recent GROUP BY user_id""",
        [window_days],
    ).fetchall()
    return [Peak(str(user), float(risk), day) for user, day, risk in rows]


def _share(value: float) -> str:
    return f"{value * 100:g}%"


def _cutoff(ranked: list[float], share: float, policy: Policy) -> float:
    """The peak risk of the last person inside the top `share` (rounded to whole people); infinite when the
    share rounds to nobody, never below the policy's floor."""
    count = math.floor(len(ranked) * share + 0.5)
    return max(ranked[count - 1], policy.min_risk) if count >= 1 else math.inf


def levels_from_peaks(found: list[Peak], policy: Policy, priority: set[str]) -> dict[str, tuple[Level, list[str]]]:
    """Who the peaks put at elevated or high, with why; people left at none are not in the result."""
    ranked = sorted((p.risk for p in found), reverse=True)
    cuts = {
        Level.HIGH: (_cutoff(ranked, policy.high_share, policy), policy.high_share),
        Level.ELEVATED: (_cutoff(ranked, policy.elevated_share, policy), policy.elevated_share),
    }
    out: dict[str, tuple[Level, list[str]]] = {}
    for peak in found:
        said = f"peak risk {peak.risk:.0f} on {peak.day.isoformat()}"
        for level, (cut, share) in cuts.items():
            if math.isinf(cut):
                continue
            if peak.risk >= cut:
                out[peak.user] = (level, [f"{said}, in the top {_share(share)} of {len(found)} active people"])
                break
            if peak.user in priority and peak.risk >= cut * policy.priority_factor:
                reason = (
                    f"{said}, at least {policy.priority_factor:g} of the top {_share(share)} cut-off ({cut:.0f})"
                    " for holders of priority compartments"
                )
                out[peak.user] = (level, [reason])
                break
    return out


def levels_from_scores(store: Store, policy: Policy, priority: set[str]) -> dict[str, tuple[Level, list[str]]]:
    """The levels the scores table calls for (see levels_from_peaks); empty when nothing is scored."""
    return levels_from_peaks(peaks(store, policy.window_days), policy, priority)


def priority_people(subjects: list[tuple[str, list[str]]], policy: Policy) -> set[str]:
    """The people (user, compartments) holding at least one of the policy's priority compartments."""
    wanted = set(policy.priority_compartments)
    return {user for user, compartments in subjects if wanted & set(compartments)}


@dataclass(frozen=True)
class VaultActivity:
    """What the vault saw of one person just now, gathered by the vault for `assess_vault_activity`.

    Rates are reads and checkouts per burst window (policy.burst_window_seconds) on the days the person or their
    peers use the vault at all; 0 when unknown."""

    reads_in_window: int = 0
    own_rate: float = 0.0
    peer_rate: float = 0.0
    outside_project_denials_today: int = 0
    decoy_touched: bool = False
    departure_known: bool = False


def burst_bar(activity: VaultActivity, policy: Policy) -> float:
    """Reads in the window that count as a burst: at least burst_reads and burst_factor times the higher of the
    person's own and their peers' usual rate, divided by departure_burst_divisor when they are known to leave."""
    bar = max(float(policy.burst_reads), policy.burst_factor * max(activity.own_rate, activity.peer_rate))
    return bar / policy.departure_burst_divisor if activity.departure_known else bar


def assess_vault_activity(activity: VaultActivity, policy: Policy) -> tuple[Level, list[str]] | None:
    """The level the vault's own events call for right now with the reasons, or None when they call for nothing.

    A decoy touch is high; outside_project_denials need-to-know denials in a day are elevated,
    outside_project_denials_high are high; a burst (see burst_bar) is elevated, twice the bar high."""
    found: list[tuple[Level, str]] = []
    if activity.decoy_touched:
        found.append((Level.HIGH, "opened a decoy document"))
    denials = activity.outside_project_denials_today
    if denials >= policy.outside_project_denials:
        high = denials >= policy.outside_project_denials_high
        found.append((Level.HIGH if high else Level.ELEVATED, f"{denials} need-to-know denials today"))
    bar = burst_bar(activity, policy)
    if activity.reads_in_window >= bar:
        usual = max(activity.own_rate, activity.peer_rate)
        leaving = ", known to be leaving" if activity.departure_known else ""
        found.append(
            (
                Level.HIGH if activity.reads_in_window >= 2 * bar else Level.ELEVATED,
                f"{activity.reads_in_window} reads or checkouts in {policy.burst_window_seconds} s"
                f" (usual {usual:.1f}{leaving})",
            )
        )
    if not found:
        return None
    return max((level for level, _ in found), key=lambda level: level.rank), [reason for _, reason in found]
