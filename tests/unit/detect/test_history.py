"""Reference days (molehunt.detect.history.Reference): a month or more back, and as far ahead only while the past
holds too few active days."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pyarrow as pa

from molehunt.detect.calibration import MIN_REFERENCE_DAYS, REFERENCE_FROM, REFERENCE_TO, reference
from molehunt.detect.history import History

START = date(2010, 1, 4)


def one_person(days: int) -> History:
    """One person active every day for `days` days; `n` is the day's number."""
    table = pa.table(
        {
            "user_id": ["A"] * days,
            "day": [START + timedelta(days=i) for i in range(days)],
            "role": ["Engineer"] * days,
            "department": ["R&D"] * days,
            "n": [float(i) for i in range(days)],
        }
    )
    return History.from_table(table, ("n",))


def test_reference_days_are_a_month_or_more_back_once_there_are_enough() -> None:
    h = one_person(300)
    window = reference(h)
    ones = np.ones(len(h))
    counts = window.sums(ones)
    day = 250  # days 70 to 220 back from it are its reference: 151 days, none after it
    assert counts[day] == REFERENCE_FROM - REFERENCE_TO + 1
    assert window.sums(h.columns["n"])[day] == sum(range(day - REFERENCE_FROM, day - REFERENCE_TO + 1))
    assert window.past_only[day]


def test_in_the_first_weeks_the_days_as_far_ahead_count_too() -> None:
    h = one_person(300)
    window = reference(h)
    n = h.columns["n"]
    # day 5 has no day a month back: its reference is days 35 to 185
    assert not window.past_only[5]
    assert window.sums(n)[5] == sum(range(5 + REFERENCE_TO, 5 + REFERENCE_FROM + 1))
    # from the first day with MIN_REFERENCE_DAYS days a month back, the past alone
    first = REFERENCE_TO + MIN_REFERENCE_DAYS - 1
    assert window.past_only[first] and not window.past_only[first - 1]
    assert window.sums(n)[first] == sum(range(0, MIN_REFERENCE_DAYS))
    # the last days of the data have no days ahead; a short history has what it has
    short = one_person(20)
    assert reference(short).sums(np.ones(20)).max() == 0
