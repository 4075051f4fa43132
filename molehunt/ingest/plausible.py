"""What a value must look like to become part of an event: the bounds every reader applies (docs/ocsf.md, README).

Activity from before 1990 or more than a year ahead of the clock is a misread date (`01/04/10` read as year 0010)
or a forged one, never a real event: it would land outside every baseline and window, so it is quarantined.
HR dates reach further back (a hire in 1985 is real). Sizes are BIGINT in the store: 0 to 2^63 - 1 bytes.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from molehunt.clock import utc_now

EARLIEST_EVENT = datetime(1990, 1, 1)
EARLIEST_HR_DATE = date(1900, 1, 1)
AHEAD = timedelta(days=366)  # clocks and time zones drift; a year ahead is no longer drift
MAX_BIGINT = 2**63 - 1
MAX_INTEGER = 2**31 - 1
# A lone surrogate: a JSON "\udc80" escape, or an undecodable byte kept by surrogateescape. It is not text: UTF-8
# (the store, the terminal) cannot encode it.
_SURROGATE = re.compile("[\ud800-\udfff]")


def latest_event() -> datetime:
    """The latest plausible event time: a year after the clock (molehunt.clock, so tests can fix it)."""
    return utc_now() + AHEAD


def time_problem(when: datetime, latest: datetime) -> str | None:
    """Why `when` cannot be an event's time, or None."""
    if EARLIEST_EVENT <= when <= latest:
        return None
    return f"outside the plausible range {EARLIEST_EVENT:%Y-%m-%d} to {latest:%Y-%m-%d}"


def hr_date_problem(day: date, latest: datetime) -> str | None:
    """Why `day` cannot be an HR date (hire, notice, last day, event), or None."""
    if EARLIEST_HR_DATE <= day <= latest.date():
        return None
    return f"outside the plausible range {EARLIEST_HR_DATE:%Y-%m-%d} to {latest:%Y-%m-%d}"


def surrogate_in(text: str) -> str | None:
    """The first lone surrogate in text as U+XXXX, or None (ASCII text is checked in one call)."""
    if text.isascii():
        return None
    found = _SURROGATE.search(text)
    return f"U+{ord(found.group()):04X}" if found else None


def printable(text: str) -> str:
    """Text that UTF-8 can always encode (lone surrogates written as \\udcXX), for reasons and raw text."""
    return text if surrogate_in(text) is None else text.encode("utf-8", "backslashreplace").decode("utf-8")
