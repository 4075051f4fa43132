"""Rule hits weighed by how surprising they are for this person in this organization, without labels.

A rule that fires on most of an IT administrator's days says nothing about that administrator; the same rule
firing for the first time for an accountant does. For a hit of rule R on user-day (u, d):

    p_org  = days R fired / user-days, over the whole organization
    p_peer = (days R fired for u's peer group, u excluded + PEER_PRIOR * p_org)
             / (the group's user-days, u excluded + PEER_PRIOR)
    p_user = (days R fired for u in their reference window + USER_PRIOR * p_peer)
             / (u's active days in that window + USER_PRIOR)

a Beta-binomial estimate of the person's rate shrunk toward their peer group (same role and department), which is
itself shrunk toward the organization. The reference window is the days REFERENCE_FROM to REFERENCE_TO before d:
it ends a month back so that a month-long campaign does not become its own normal. In someone's first weeks (fewer
than MIN_REFERENCE_DAYS active days in it) the days as far after d count as well (history.Reference). The
surprise -ln p_user sets the share of the rule's level weight the hit earns:

    factor = clip((surprise - ln(1/ROUTINE_RATE)) / (ln(1/RARE_RATE) - ln(1/ROUTINE_RATE)), 0, 1)

full weight for what happens on under 1 day in 50 (RARE_RATE), none for what happens on 1 day in 4 or more
(ROUTINE_RATE), and in between on a log scale. The rule's level stays the prior on how telling a surprising hit is.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from molehunt.detect.history import History, Reference, per_code_totals
from molehunt.detect.rules import RuleMatch

REFERENCE_FROM = 180  # days before the day scored
REFERENCE_TO = 30
PEER_PRIOR = 30.0  # user-days of the organization's rate a peer group's rate starts from
USER_PRIOR = 10.0  # days of the peer rate a person's rate starts from
MIN_REFERENCE_DAYS = 10  # active days in the past window before it alone tells someone's usual
ROUTINE_RATE = 0.25
RARE_RATE = 0.02


@dataclass(frozen=True)
class Calibrated:
    """Per hit (in the order given): the share of its weight it earns and the rates that set it."""

    row: np.ndarray  # the hit's row in the history (-1 when the history has no such user-day)
    factor: np.ndarray
    own_rate: np.ndarray  # raw share of the person's reference days the rule fired on (NaN without such days)
    own_days: np.ndarray  # active days in the person's reference window
    peer_rate: np.ndarray  # raw share of the peer group's user-days (the person excluded; NaN without peers)


def reference(history: History, counted: np.ndarray | None = None) -> Reference:
    """Each row's reference days: REFERENCE_FROM to REFERENCE_TO days back, and as far ahead while the past holds
    fewer than MIN_REFERENCE_DAYS active days, or rows marked in `counted` (history.Reference)."""
    return Reference.of(history, REFERENCE_FROM, REFERENCE_TO, MIN_REFERENCE_DAYS, counted)


def calibrate(history: History, hits: Sequence[RuleMatch]) -> Calibrated:
    """Weigh every hit against the firing rate of its rule for the person, their peers and the organization.

    `history` must hold every scored user-day (not only the days being scored): the rates are read from it.
    """
    n = len(hits)
    factor, own_rate, own_days, peer_rate = np.ones(n), np.full(n, np.nan), np.zeros(n), np.full(n, np.nan)
    row_of = history.rows_of([h.user_id for h in hits], [h.day for h in hits])
    if n == 0 or len(history) == 0:
        return Calibrated(row_of, factor, own_rate, own_days, peer_rate)
    window = reference(history)
    days_in_window = window.sums(np.ones(len(history)))
    by_rule: dict[str, list[int]] = {}
    for index, hit in enumerate(hits):
        by_rule.setdefault(hit.rule_id, []).append(index)
    ones = np.ones(len(history))
    peer_days = per_code_totals(history.group, ones) - per_code_totals(history.user, ones)
    low, high = -np.log(ROUTINE_RATE), -np.log(RARE_RATE)
    for indices in by_rule.values():
        rows = row_of[np.array(indices)]
        known = rows >= 0
        fired = np.zeros(len(history))
        fired[rows[known]] = 1.0
        p_org = fired.sum() / len(history)
        peer_hits = per_code_totals(history.group, fired) - per_code_totals(history.user, fired)
        p_peer = (peer_hits + PEER_PRIOR * p_org) / (peer_days + PEER_PRIOR)
        own_hits = window.sums(fired)
        p_user = (own_hits + USER_PRIOR * p_peer) / (days_in_window + USER_PRIOR)
        surprise = -np.log(np.clip(p_user, 1e-12, 1.0))
        share = np.clip((surprise - low) / (high - low), 0.0, 1.0)
        target = np.array(indices)[known]
        at = rows[known]
        factor[target] = share[at]
        own_days[target] = days_in_window[at]
        with np.errstate(invalid="ignore", divide="ignore"):
            own_rate[target] = np.where(days_in_window[at] > 0, own_hits[at] / days_in_window[at], np.nan)
            peer_rate[target] = np.where(peer_days[at] > 0, peer_hits[at] / peer_days[at], np.nan)
    return Calibrated(row_of, factor, own_rate, own_days, peer_rate)


def calibration_note(factor: float, own_rate: float, own_days: float, peer_rate: float) -> str:
    """Why a hit counts less than its level, in words (empty when it counts fully)."""
    if factor >= 1.0:
        return ""
    said = []
    if not np.isnan(own_rate) and own_days > 0:
        said.append(f"fires on {own_rate:.0%} of their days ({own_days:.0f} days a month or more back)")
    if not np.isnan(peer_rate):
        said.append(f"on {peer_rate:.0%} of their peers' days")
    because = " and ".join(said) or "is common in the organization"
    if factor <= 0.0:
        return f"not counted: it {because}"
    return f"counted at {factor:.0%}: it {because}"
