"""Calendar facts (weekends, US holidays) and the CERT timestamp formats.

Times inside the simulator are integer seconds since midnight of `cfg.start` (day index * 86400 + second).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import numpy as np

DAY = 86_400


def _nth_weekday(year: int, month: int, weekday: int, n: int) -> date:
    """The n-th (1-based; -1 = last) given weekday of a month."""
    if n > 0:
        first = date(year, month, 1)
        return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))
    last = date(year + (month == 12), month % 12 + 1, 1) - timedelta(days=1)
    return last - timedelta(days=(last.weekday() - weekday) % 7)


def _observed(d: date) -> date:
    """Saturday holidays are observed on Friday, Sunday ones on Monday."""
    if d.weekday() == 5:
        return d - timedelta(days=1)
    if d.weekday() == 6:
        return d + timedelta(days=1)
    return d


def holidays(year: int) -> set[date]:
    """Company holidays: the usual US federal ones a defense contractor closes for."""
    thanksgiving = _nth_weekday(year, 11, 3, 4)
    return {
        _observed(date(year, 1, 1)),
        _nth_weekday(year, 1, 0, 3),
        _nth_weekday(year, 5, 0, -1),
        _observed(date(year, 7, 4)),
        _nth_weekday(year, 9, 0, 1),
        thanksgiving,
        thanksgiving + timedelta(days=1),
        _observed(date(year, 12, 25)),
    }


def day_kinds(start: date, days: int) -> tuple[np.ndarray, np.ndarray]:
    """Per day index: (is_weekend, is_holiday) boolean arrays."""
    dates = [start + timedelta(days=i) for i in range(days)]
    hol: set[date] = set()
    for y in range(start.year, dates[-1].year + 2):
        hol |= holidays(y)
    weekend = np.array([d.weekday() >= 5 for d in dates], dtype=bool)
    holiday = np.array([d in hol for d in dates], dtype=bool)
    return weekend, holiday


def day_prefix_table(start: date, days: int) -> np.ndarray:
    """uint8 matrix (days + 2, 11): 'MM/DD/YYYY ' per day index (two spare days for overnight sessions)."""
    rows = [(start + timedelta(days=i)).strftime("%m/%d/%Y ") for i in range(days + 2)]
    return np.frombuffer("".join(rows).encode("ascii"), dtype=np.uint8).reshape(len(rows), 11)


def time_table() -> np.ndarray:
    """uint8 matrix (86400, 8): 'HH:MM:SS' per second of the day."""
    s = np.arange(DAY)
    digits = np.stack([s // 36000, s // 3600 % 10, s // 600 % 6, s // 60 % 10, s // 10 % 6, s % 10], axis=1)
    out = np.empty((DAY, 8), dtype=np.uint8)
    out[:, [0, 1, 3, 4, 6, 7]] = digits + ord("0")
    out[:, [2, 5]] = ord(":")
    return out


def to_datetime(start: date, t: int) -> datetime:
    """Simulator seconds -> naive datetime."""
    return datetime(start.year, start.month, start.day) + timedelta(seconds=int(t))


def answers_format(when: datetime) -> str:
    """The answers/insiders.csv style: month, day and hour not zero-padded ('1/4/2010 7:05:09')."""
    return f"{when.month}/{when.day}/{when.year} {when.hour}:{when.minute:02d}:{when.second:02d}"


def cert_format(when: datetime) -> str:
    """The activity-file style: 'MM/DD/YYYY HH:MM:SS'."""
    return when.strftime("%m/%d/%Y %H:%M:%S")
