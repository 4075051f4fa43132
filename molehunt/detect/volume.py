"""Exfiltration volume per channel, today and over the last 7 and 30 days, against the person's and peers' normal.

Data leaves by a few channels: removable media, mail to personal and to outside addresses, cloud storage, leak
sites, vault checkouts. For each channel C and horizon h (1, 7, 30 days) and each user-day on which the person
moved something by C:

    V      = what they moved by C in the h days ending that day
    own    = their usual high of V: mean + 2 standard deviations of V over their reference days (30 to 180 back,
             so a campaign is not its own normal; in their first weeks also as far ahead: calibration.reference).
             Only sums over whole h-day spans count (not those of someone's first h - 1 days of data), and the 7-
             and 30-day horizons need MIN_REFERENCE_DAYS of them
    peer   = the median, over their peer group (same role and department), of each member's usual high of V over
             the whole period (over everyone when the group has fewer than MIN_PEERS members): a backup operator
             among engineers does not make every engineer's normal
    normal = (days * own + USER_PRIOR * peer) / (days + USER_PRIOR)     (a short history leans on the peers)
    ratio  = (V + floor_C) / (normal + floor_C)

floor_C is a handful of items (5 files, 3 uploads, 1 leak upload...): moving 5 files where one usually moves none
is not 5x anything. The day earns MAX_POINTS * clip(log(ratio / START_RATIO) / log(FULL_RATIO / START_RATIO), 0, 1)
from its strongest channel and horizon: nothing under 3x the normal, everything from 20x. A departure, a notice or
an adverse HR event multiplies the day's whole risk later (scoring.py), so volume counts with or without them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from molehunt.detect.calibration import MIN_REFERENCE_DAYS, USER_PRIOR, reference
from molehunt.detect.history import History, window_sums

HORIZONS = (1, 7, 30)
START_RATIO = 3.0
FULL_RATIO = 20.0
MAX_POINTS = 100.0
SPREAD = 2.0  # standard deviations above the mean that still count as the person's normal
MIN_PEERS = 4


@dataclass(frozen=True)
class Channel:
    feature: str  # the user_day column that counts what leaves by this channel
    words: str  # what the count is, for explanations
    floor: float  # pseudo-count added to both sides of the ratio


CHANNELS: tuple[Channel, ...] = (
    Channel("files_to_removable", "files to removable media", 5.0),
    Channel("personal_attachments", "attachments to personal webmail", 3.0),
    Channel("attachments_out", "attachments mailed outside", 5.0),
    Channel("cloud_uploads", "uploads to cloud storage", 3.0),
    Channel("leak_uploads", "uploads to leak sites", 1.0),
    Channel("vault_checkouts", "vault checkouts", 3.0),
)
COLUMNS = tuple(c.feature for c in CHANNELS)


@dataclass(frozen=True)
class Volume:
    """Per history row: the points and, for the strongest channel and horizon, what explains them."""

    points: np.ndarray
    channel: np.ndarray  # index into CHANNELS, -1 when nothing moved
    horizon: np.ndarray  # days
    moved: np.ndarray  # V
    normal: np.ndarray  # the shrunk normal
    own: np.ndarray  # the person's usual high (NaN without reference days)
    peer: np.ndarray  # the peers' usual high (NaN without peers)
    ratio: np.ndarray

    def take(self, rows: np.ndarray) -> Volume:
        """The evidence of these rows only, in their order."""
        return Volume(*(np.asarray(getattr(self, name))[rows] for name in Volume.__dataclass_fields__))


def _usual_high(total: np.ndarray, squares: np.ndarray, count: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = total / count
        spread = np.sqrt(np.clip(squares / count - mean**2, 0.0, None))
    result: np.ndarray = mean + SPREAD * spread
    return result


def _peer_usual_high(history: History, counted: np.ndarray, squares: np.ndarray, whole: np.ndarray) -> np.ndarray:
    """Per row: the median over the row's peer group of each member's whole-period usual high."""
    users = history.user.max() + 1
    highs = _usual_high(
        np.bincount(history.user, counted, users), np.bincount(history.user, squares, users),
        np.bincount(history.user, whole, users),
    )  # fmt: skip
    group_of = np.zeros(users, dtype=np.int64)
    group_of[history.user] = history.group  # rows are in day order per user: the last row's group wins
    known = ~np.isnan(highs)
    everyone = float(np.median(highs[known])) if known.any() else np.nan
    medians = np.full(history.group.max() + 1, everyone)
    for group in np.unique(group_of):
        members = highs[(group_of == group) & known]
        if len(members) >= MIN_PEERS:
            medians[group] = float(np.median(members))
    result: np.ndarray = medians[history.group]
    return result


def exfiltration_volume(history: History) -> Volume:
    """Volume evidence for every row of `history` (from the CHANNELS' columns it carries)."""
    n = len(history)
    best = Volume(
        np.zeros(n), np.full(n, -1), np.zeros(n, dtype=np.int64), np.zeros(n), np.zeros(n), *np.full((3, n), np.nan)
    )
    if n == 0:
        return best
    starts = np.r_[True, np.diff(history.user) != 0]  # each user's first row (rows are in day order per user)
    tenure = history.day - history.day[np.flatnonzero(starts)][np.cumsum(starts) - 1]
    share = np.zeros(n)
    for horizon in HORIZONS:
        lo, hi = history.window_bounds(horizon - 1, 0)
        # A sum over the first h - 1 days of someone's data covers fewer than h days: not a reference for h days.
        whole = (tenure >= horizon - 1).astype(np.float64)
        window = reference(history, whole)
        days = window.sums(whole)
        for index, channel in enumerate(CHANNELS):
            today = history.columns.get(channel.feature)
            if today is None:  # a history without this channel's column: nothing left by it
                continue
            moved = window_sums(today, lo, hi)
            counted, squares = moved * whole, moved**2 * whole
            own = _usual_high(window.sums(counted), window.sums(squares), days)
            peer = _peer_usual_high(history, counted, squares, whole)
            anchor = np.nan_to_num(peer, nan=0.0)
            normal = (days * np.nan_to_num(own, nan=0.0) + USER_PRIOR * anchor) / (days + USER_PRIOR)
            ratio = (moved + channel.floor) / (normal + channel.floor)
            earned = np.clip(np.log(ratio / START_RATIO) / np.log(FULL_RATIO / START_RATIO), 0.0, 1.0)
            earned[today <= 0] = 0.0  # only a day that moved something by this channel
            if horizon > 1:  # a week's or month's volume is judged against the person's own weeks or months only
                earned[days < MIN_REFERENCE_DAYS] = 0.0
            better = earned > share
            share = np.where(better, earned, share)
            for field, value in (
                (best.channel, index),
                (best.horizon, horizon),
                (best.moved, moved),
                (best.normal, normal),
                (best.own, own),
                (best.peer, peer),
                (best.ratio, ratio),
            ):
                field[better] = value if np.isscalar(value) else np.asarray(value)[better]
    best.points[:] = MAX_POINTS * share
    return best


def volume_reason(volume: Volume, row: int) -> str | None:
    """The strongest channel of a row in words, or None when volume earned nothing there."""
    if volume.points[row] <= 0:
        return None
    channel = CHANNELS[int(volume.channel[row])]
    horizon = int(volume.horizon[row])
    when = "today" if horizon == 1 else f"in {horizon} days"
    own, peer = volume.own[row], volume.peer[row]
    baseline = "no history of their own yet" if np.isnan(own) else f"theirs {own:,.0f}"
    if not np.isnan(peer):
        baseline += f", peers' {peer:,.0f}"
    ratio = volume.ratio[row]
    times = f"{ratio:.1f}x" if ratio < 10 else f"{ratio:,.0f}x"
    return f"{volume.moved[row]:,.0f} {channel.words} {when}, {times} the usual high ({baseline})"
