"""Persistence (molehunt.detect.persistence) on hand-made daily evidence: two weeks kept above one's usual count
again; one loud day, what someone always does and a person without reference days earn nothing."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pyarrow as pa

from molehunt.detect.history import History
from molehunt.detect.persistence import KTH, SAY_FROM, kept_up_level, persistence, persistence_reason
from molehunt.detect.scoring import combine

START = date(2010, 1, 4)
DAYS = 120


def history(users: list[str], first_day: dict[str, int] | None = None) -> History:
    """Every user active every day from their first day (0 unless given) to DAYS - 1."""
    rows: dict[str, list[object]] = {"user_id": [], "day": [], "role": [], "department": []}
    for user in sorted(users):
        for offset in range((first_day or {}).get(user, 0), DAYS):
            rows["user_id"].append(user)
            rows["day"].append(START + timedelta(days=offset))
            rows["role"].append("Engineer")
            rows["department"].append("R&D")
    return History.from_table(pa.table(rows), ())


def daily(h: History, level: dict[str, float], raised: dict[str, dict[int, float]]) -> np.ndarray:
    """Evidence per row: the user's everyday level, or raised[user][day offset] on those days."""
    offsets = h.day - (START - date(1970, 1, 1)).days
    return np.array(
        [raised.get(u, {}).get(int(o), level.get(u, 10.0)) for u, o in zip(h.user_ids, offsets, strict=True)]
    )


def row(h: History, user: str, offset: int) -> int:
    return int(h.rows_of([user], [START + timedelta(days=offset)])[0])


def test_the_kth_highest_day_of_the_window_is_the_level_one_spike_cannot_raise() -> None:
    h = history(["ANN"])
    risk = daily(h, {"ANN": 10.0}, {"ANN": {100: 200.0, 101: 50.0, 102: 40.0}})
    level = kept_up_level(h, risk, window_days=14, kth=3)
    assert level[row(h, "ANN", 100)] == 10.0  # one loud day alone
    assert level[row(h, "ANN", 102)] == 40.0  # the third highest of 200, 50, 40, 10, ...
    assert level[row(h, "ANN", 113)] == 40.0  # the 14 days ending on day 113 still hold days 100 to 102
    assert level[row(h, "ANN", 114)] == 10.0  # day 100 left the window: 50, 40, then 10
    newcomer = kept_up_level(history(["NEW"], {"NEW": DAYS - 2}), np.array([5.0, 6.0]), 14, KTH)
    assert np.isnan(newcomer).all()  # two days: no third-highest yet


def test_two_weeks_above_ones_usual_count_again_and_say_why() -> None:
    h = history(["ANN", "BOB"])
    campaign = {o: 60.0 for o in range(100, 114)}
    risk = daily(h, {"ANN": 20.0, "BOB": 20.0}, {"ANN": campaign, "BOB": {113: 200.0}})
    kept = persistence(h, risk)
    ann, bob = row(h, "ANN", 113), row(h, "BOB", 113)
    assert kept.usual[ann] == 20.0 and kept.level[ann] == 60.0
    assert kept.points[ann] == 40.0  # the kept-up excess, in the same units
    assert kept.points[bob] == 0.0  # one loud day is not kept up
    reason = persistence_reason(kept, ann)
    assert reason is not None and reason.startswith(f"risk kept up: {KTH} or more of their days in the last 14")
    assert "where they usually keep up 20" in reason and "+40" in reason
    assert persistence_reason(kept, bob) is None
    # the campaign now outranks the single day that was louder than any of its days
    boosted = combine(
        np.zeros(2), risk[[ann, bob]], np.full(2, np.nan), np.zeros(2, bool), persistence_points=kept.points[[ann, bob]]
    )
    assert risk[ann] < risk[bob] and boosted[0] < boosted[1]
    assert (
        combine(
            np.zeros(1), np.array([60.0]), np.full(1, np.nan), np.zeros(1, bool), persistence_points=np.array([150.0])
        )[0]
        == 210.0
    )


def test_what_someone_always_does_and_a_newcomer_earn_nothing() -> None:
    h = history(["SEC", "NEW"], first_day={"NEW": 100})
    risk = daily(h, {"SEC": 60.0, "NEW": 60.0}, {})
    kept = persistence(h, risk)
    assert kept.points[row(h, "SEC", 110)] == 0.0  # high every day: their usual is as high
    assert np.isnan(kept.usual[row(h, "NEW", 110)])  # no days 30 to 180 back yet: no usual to exceed
    assert kept.points[np.array(h.user_ids) == "NEW"].max() == 0.0


def test_a_drift_of_a_few_points_is_counted_but_not_said() -> None:
    h = history(["ANN"])
    drift = {o: 20.0 + SAY_FROM - 1 for o in range(100, 114)}
    kept = persistence(h, daily(h, {"ANN": 20.0}, {"ANN": drift}))
    ann = row(h, "ANN", 113)
    assert kept.points[ann] == SAY_FROM - 1
    assert persistence_reason(kept, ann) is None
