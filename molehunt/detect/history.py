"""Everyone's day-by-day history as arrays, and sums over trailing windows of it, for the evidence models.

The evidence models (calibration.py, volume.py) ask of every user-day "what did this person do in the days from
A to B before it?" and "what did their peer group do?". `History` holds the `user_day` rows sorted by user and day
with integer codes, and `window_sums` answers the first question for all rows at once with cumulative sums and
binary search: O(n log n), no per-user Python loop.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import cached_property

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

# Day numbers are offset by user so that one sorted key orders (user, day) and windows never cross users.
_USER_STRIDE = 1 << 22
_EPOCH = date(1970, 1, 1)


@dataclass(frozen=True)
class History:
    """user_day rows ordered by (user_id, day): `user` and `group` are integer codes, `day` is days since 1970."""

    users: list[str]  # user code -> user id, in sorted order (so codes rise with the rows)
    user: np.ndarray  # int64 code per row
    group: np.ndarray  # int64 code of (role, department) per row; people without either share one group
    day: np.ndarray  # int64
    columns: dict[str, np.ndarray]  # float64 values of the columns asked for

    @classmethod
    def from_table(cls, table: pa.Table, columns: tuple[str, ...]) -> History:
        """From a table with user_id, day, role, department and `columns`, already sorted by user_id and day."""
        users = pc.dictionary_encode(table["user_id"].combine_chunks())
        # rows are grouped by user in sorted order, so codes in order of first appearance rise with the rows
        peers = pc.binary_join_element_wise(
            pc.fill_null(table["role"].cast(pa.string()), ""),
            pc.fill_null(table["department"].cast(pa.string()), ""),
            "\x00",
        )
        groups = pc.dictionary_encode(peers.combine_chunks())
        day = np.asarray(table["day"].cast(pa.int32()).to_numpy(zero_copy_only=False), dtype=np.int64)
        values = {
            name: np.nan_to_num(np.asarray(table[name].to_numpy(zero_copy_only=False), dtype=np.float64))
            for name in columns
        }
        return cls(
            users.dictionary.to_pylist(),
            np.asarray(users.indices.to_numpy(zero_copy_only=False), dtype=np.int64),
            np.asarray(groups.indices.to_numpy(zero_copy_only=False), dtype=np.int64),
            day,
            values,
        )

    def __len__(self) -> int:
        return len(self.day)

    @property
    def user_ids(self) -> list[str]:
        """The user id of every row."""
        return [self.users[code] for code in self.user]

    @cached_property
    def key(self) -> np.ndarray:
        """One sorted int64 per row ordering (user, day); every window and lookup searches it."""
        key: np.ndarray = self.user * _USER_STRIDE + self.day
        return key

    def rows_from(self, since: date | None) -> np.ndarray:
        """The rows dated `since` or later (all rows for None), in order."""
        if since is None:
            return np.arange(len(self))
        result: np.ndarray = np.flatnonzero(self.day >= (since - _EPOCH).days)
        return result

    def rows_of(self, user_ids: Sequence[str], days: Sequence[date]) -> np.ndarray:
        """The row of each (user id, day), -1 where history has no such user-day."""
        code = {user: index for index, user in enumerate(self.users)}
        codes = np.array([code.get(u, -1) for u in user_ids], dtype=np.int64)
        wanted = codes * _USER_STRIDE + np.array([(d - _EPOCH).days for d in days], dtype=np.int64)
        key = self.key
        found = np.minimum(np.searchsorted(key, wanted), max(len(key) - 1, 0))
        hit = (codes >= 0) & (len(key) > 0) & (key[found] == wanted) if len(key) else np.zeros(len(codes), bool)
        result: np.ndarray = np.where(hit, found, -1)
        return result

    def window_bounds(self, back_from: int, back_to: int) -> tuple[np.ndarray, np.ndarray]:
        """For each row, the slice [lo, hi) of the same user's rows dated from `back_from` to `back_to` days before
        it (both included; back_from >= back_to, 0 being the day itself and negative numbers days after it)."""
        key = self.key
        lo = np.searchsorted(key, key - back_from, side="left")
        hi = np.searchsorted(key, key - back_to, side="right")
        return lo, hi


@dataclass(frozen=True)
class Reference:
    """Per row, the days that tell a person's usual: the days `back_from` to `back_to` before it, and, while those
    hold fewer than `min_days` active days (someone's first weeks, or the first weeks of the data), also the days
    `back_to` to `back_from` after it (calibration.reference: 30 to 180 days, 10 days).

    The past window ends a month back so that a month-long campaign is not its own normal. Without it nobody's first
    month could be judged against their own habits: a forwarder mailing themselves from the first day would look
    like a new drip, and a new drip like a forwarder. The days a month or more later settle it, the same distance
    away. So a day of someone's first month is judged against their peers until later weeks are scored, and again
    by the next full run (an incremental run keeps the scores it has; its new days have no later days).
    """

    lo: np.ndarray
    hi: np.ndarray
    later_lo: np.ndarray  # empty slices (lo == hi) where the past alone is enough
    later_hi: np.ndarray
    past_only: np.ndarray  # bool: the past window alone was enough

    @classmethod
    def of(
        cls, history: History, back_from: int, back_to: int, min_days: int, counted: np.ndarray | None = None
    ) -> Reference:
        """`counted` marks the rows that count as active days (default: every row)."""
        lo, hi = history.window_bounds(back_from, back_to)
        later_lo, later_hi = history.window_bounds(-back_to, -back_from)
        past_only = (hi - lo if counted is None else window_sums(counted, lo, hi)) >= min_days
        return cls(lo, hi, np.where(past_only, later_hi, later_lo), later_hi, past_only)

    def sums(self, values: np.ndarray) -> np.ndarray:
        """Sum of values over each row's reference days."""
        cumulative = np.concatenate(([0.0], np.cumsum(values, dtype=np.float64)))
        past = cumulative[self.hi] - cumulative[self.lo]
        result: np.ndarray = past + cumulative[self.later_hi] - cumulative[self.later_lo]
        return result


def window_sums(values: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """Sum of values[lo:hi] for every row (the bounds from History.window_bounds)."""
    cumulative = np.concatenate(([0.0], np.cumsum(values, dtype=np.float64)))
    result: np.ndarray = cumulative[hi] - cumulative[lo]
    return result


def per_code_totals(codes: np.ndarray, values: np.ndarray) -> np.ndarray:
    """For each row, the sum of `values` over all rows with the same code."""
    totals = np.bincount(codes, weights=values)
    result: np.ndarray = totals[codes]
    return result
