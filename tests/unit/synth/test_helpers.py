"""The low-level builders: fixed-width strings, ids, timestamps."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from molehunt.synth import strings
from molehunt.synth.dates import answers_format, cert_format, day_prefix_table, holidays, time_table, to_datetime

ID = re.compile(r"^\{[A-Z0-9]{4}-[A-Z0-9]{8}-[A-Z0-9]{8}\}$")


@given(st.lists(st.text(alphabet="ABCXYZ019", min_size=5, max_size=5), min_size=1, max_size=50))
def test_fixed_width_round_trips(values: list[str]) -> None:
    assert strings.fixed_width(strings.ascii_matrix(values, 5)).to_pylist() == values


@given(seed=st.integers(0, 2**32), n=st.integers(1, 200))
def test_event_ids_have_the_cert_shape(seed: int, n: int) -> None:
    ids = strings.fixed_width(strings.event_ids(np.random.default_rng(seed), n)).to_pylist()
    assert all(ID.match(i) for i in ids)


@given(seconds=st.integers(0, 500 * 86400 - 1))
def test_time_tables_match_strftime(seconds: int) -> None:
    start = date(2010, 1, 4)
    days = seconds // 86400 + 1
    built = day_prefix_table(start, days)[seconds // 86400].tobytes() + time_table()[seconds % 86400].tobytes()
    assert built.decode() == cert_format(to_datetime(start, seconds))


@given(when=st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2030, 1, 1)))
def test_answers_format_is_unpadded_and_parses_back(when: datetime) -> None:
    text = answers_format(when.replace(microsecond=0))
    month, day = text.split("/")[:2]
    assert not month.startswith("0") and not day.startswith("0")
    assert datetime.strptime(text, "%m/%d/%Y %H:%M:%S") == when.replace(microsecond=0)


def test_holidays_are_weekdays_and_include_thanksgiving() -> None:
    for year in (2010, 2011, 2021):
        days = holidays(year)
        assert all(d.weekday() < 5 for d in days)
        thanksgiving = [d for d in days if d.month == 11 and d.weekday() == 3]
        assert len(thanksgiving) == 1 and 22 <= thanksgiving[0].day <= 28
        assert thanksgiving[0] + timedelta(days=1) in days
