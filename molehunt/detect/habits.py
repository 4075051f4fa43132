"""New habits: a behaviour kept up for days by someone for whom, and for whose peers, it is rare.

A careful insider rarely does one loud thing. Weeks of job-site visits before a resignation nobody knows of yet, a
few attachments a week to a private mailbox, a thumb drive every other day: no single day stands out, but the run
of days does, when the person did not do it before. For a behaviour B (a user_day count above zero: see BEHAVIOURS)
on user-day (u, d):

    k      = the days among u's active days in the WINDOW_DAYS days ending on d on which u did B (d included)
    n      = u's active days in that window
    p_user = u's rate of B over their reference days (30 to 180 back; in their first weeks also as far ahead:
             calibration.reference), shrunk toward their peer group's and the organization's rates exactly as a
             rule hit's rate is
    tail   = P(X >= k) for X ~ Binomial(n, p_user): how unlikely such a run is at the person's usual rate

The run earns POINTS * clip(log(START_TAIL / tail) / log(START_TAIL / FULL_TAIL), 0, 1) when B happened on d and
k >= MIN_DAYS: nothing while the run is as likely as 1 in 10,000, all from 1 in 100,000,000. What someone (or
their role) does every week has a high p_user and earns nothing, so an administrator's logons to other machines
or a forwarder's own-address mail are never new; the same run by a person who never did it is. Job-site visits are
a sign of leaving only: they earn SIGN_POINTS, and nothing for someone whose departure is known (LEAVING_SIGNS). A
day's points are the sum over its behaviours, at most MAX_POINTS; they join the calibrated rule points (scoring.py).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.stats import binom

from molehunt.detect.calibration import PEER_PRIOR, USER_PRIOR, reference
from molehunt.detect.history import History, per_code_totals, window_sums

WINDOW_DAYS = 14
MIN_DAYS = 3
START_TAIL = 1e-4
FULL_TAIL = 1e-8
POINTS = 25.0  # a medium rule's weight: a new habit alone is worth a look, not an alert
MAX_POINTS = 50.0
SIGN_POINTS = 10.0  # a low rule's weight: a sign of leaving is context, not a sign of taking anything

# user_day column -> what doing it on a day is, in words ("on 9 of their last 10 active days they ...")
BEHAVIOURS: dict[str, str] = {
    "job_site_visits": "visited job sites",
    "cloud_uploads": "uploaded to cloud storage",
    "leak_visits": "visited leak sites",
    "hacking_downloads": "visited hacking-tool or keylogger sites",
    "personal_attachments": "mailed attachments to personal webmail",
    "self_attachments": "mailed attachments to their own private address",
    "files_to_removable": "copied files to removable media",
    "usb_connects": "connected removable media",
    "other_user_hosts": "used another user's machine",
    "files_outside_projects": "touched files outside their projects",
    "exe_downloads": "downloaded executables",
    "foreign_sender_emails": "sent e-mail as another employee",
    "after_hours_events": "worked at hours unusual for them",
}
COLUMNS = tuple(BEHAVIOURS)
# Signs that someone may leave, and nothing more: once their departure is known (HR, the directory) the departure
# context and its rules say it, so a job hunt is not also a new habit. Without a known departure it is the only hint.
LEAVING_SIGNS = frozenset({"job_site_visits"})
DEPARTURE_KNOWN = "departure_known"  # the history column: 1 on the days of someone whose departure is known


@dataclass(frozen=True)
class Habits:
    """Per history row: the points and, for the behaviour that earned most, what explains them."""

    points: np.ndarray
    behaviour: np.ndarray  # index into COLUMNS, -1 when nothing earned
    days: np.ndarray  # k
    active: np.ndarray  # n
    usual: np.ndarray  # p_user
    own_rate: np.ndarray  # raw share of the reference window's days (NaN without such days)
    peer_rate: np.ndarray  # raw share of the peer group's user-days (NaN without peers)

    def take(self, rows: np.ndarray) -> Habits:
        """The evidence of these rows only, in their order."""
        return Habits(*(np.asarray(getattr(self, name))[rows] for name in Habits.__dataclass_fields__))


def new_habits(history: History) -> Habits:
    """New-habit evidence for every row of `history` (from the BEHAVIOURS' columns it carries)."""
    n = len(history)
    best = Habits(np.zeros(n), np.full(n, -1), np.zeros(n), np.zeros(n), *np.full((3, n), np.nan))
    if n == 0:
        return best
    ones = np.ones(n)
    window = reference(history)
    run_lo, run_hi = history.window_bounds(WINDOW_DAYS - 1, 0)
    reference_days = window.sums(ones)
    active = window_sums(ones, run_lo, run_hi)
    peer_days = per_code_totals(history.group, ones) - per_code_totals(history.user, ones)
    total = np.zeros(n)
    strongest = np.zeros(n)
    for index, column in enumerate(COLUMNS):
        values = history.columns.get(column)
        if values is None:
            continue
        did = (values > 0).astype(np.float64)
        if column in LEAVING_SIGNS and DEPARTURE_KNOWN in history.columns:
            did[history.columns[DEPARTURE_KNOWN] > 0] = 0.0
        p_org = did.sum() / n
        peer_hits = per_code_totals(history.group, did) - per_code_totals(history.user, did)
        p_peer = (peer_hits + PEER_PRIOR * p_org) / (peer_days + PEER_PRIOR)
        own_hits = window.sums(did)
        p_user = np.clip((own_hits + USER_PRIOR * p_peer) / (reference_days + USER_PRIOR), 1e-9, 1.0)
        days = window_sums(did, run_lo, run_hi)
        candidate = (did > 0) & (days >= MIN_DAYS)
        tail = np.ones(n)
        tail[candidate] = binom.sf(days[candidate] - 1, active[candidate], p_user[candidate])
        share = np.log(START_TAIL / np.clip(tail, 1e-300, 1.0)) / np.log(START_TAIL / FULL_TAIL)
        earned = (SIGN_POINTS if column in LEAVING_SIGNS else POINTS) * np.clip(share, 0.0, 1.0) * candidate
        total += earned
        better = earned > strongest
        strongest = np.where(better, earned, strongest)
        best.behaviour[better] = index
        best.days[better], best.active[better], best.usual[better] = days[better], active[better], p_user[better]
        with np.errstate(invalid="ignore", divide="ignore"):
            best.own_rate[better] = np.where(reference_days > 0, own_hits / reference_days, np.nan)[better]
            best.peer_rate[better] = np.where(peer_days > 0, peer_hits / peer_days, np.nan)[better]
    best.points[:] = np.minimum(total, MAX_POINTS)
    return best


def habit_reason(habits: Habits, row: int) -> str | None:
    """The strongest new habit of a row in words, or None when none earned anything there."""
    if habits.points[row] <= 0:
        return None
    words = BEHAVIOURS[COLUMNS[int(habits.behaviour[row])]]
    own, peer = habits.own_rate[row], habits.peer_rate[row]
    usual = ["no days of their own a month or more back" if np.isnan(own) else f"{own:.0%} of their days before"]
    if not np.isnan(peer):
        usual.append(f"{peer:.0%} of their peers' days")
    return (
        f"a new habit: {words} on {habits.days[row]:.0f} of their last {habits.active[row]:.0f} active days"
        f" ({' and '.join(usual)})"
    )
