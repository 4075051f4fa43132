"""New habits (molehunt.detect.habits) on hand-made histories: a run of days of something the person and their peers
rarely do earns points; the same run by someone for whom it is routine, or one or two days of it, earns nothing."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pyarrow as pa

from molehunt.detect.habits import (
    COLUMNS,
    DEPARTURE_KNOWN,
    MAX_POINTS,
    MIN_DAYS,
    POINTS,
    SIGN_POINTS,
    habit_reason,
    new_habits,
)
from molehunt.detect.history import History

START = date(2010, 1, 4)
DAYS = 160


def history(did: dict[str, set[int]], column: str = "job_site_visits", people: int = 30, joined: int = 0) -> History:
    """`people` engineers active every weekday; did[user] = the day offsets on which they did `column` once; users
    named in `did` but not among the engineers join on day `joined`."""
    users = sorted({f"E{i:03d}" for i in range(people)} | set(did))
    rows: dict[str, list[object]] = {"user_id": [], "day": [], "role": [], "department": []}
    rows |= {name: [] for name in COLUMNS}
    for user in users:
        for offset in range(joined if user.startswith("NEW") else 0, DAYS):
            day = START + timedelta(days=offset)
            if day.weekday() >= 5:
                continue
            rows["user_id"].append(user)
            rows["day"].append(day)
            rows["role"].append("Engineer")
            rows["department"].append("R&D")
            for name in COLUMNS:
                rows[name].append(1.0 if name == column and offset in did.get(user, set()) else 0.0)
    return History.from_table(pa.table(rows), COLUMNS)


def weekdays(first: int, last: int) -> set[int]:
    return {o for o in range(first, last + 1) if (START + timedelta(days=o)).weekday() < 5}


def test_a_run_of_a_new_behaviour_earns_points_and_says_why() -> None:
    h = history({"NEWBIE": weekdays(120, 133)})
    habits = new_habits(h)
    row = int(h.rows_of(["NEWBIE"], [START + timedelta(days=133)])[0])
    assert habits.points[row] > 0
    reason = habit_reason(habits, row)
    assert reason is not None and reason.startswith("a new habit: visited job sites on 10 of their last 10 active days")
    assert "0% of their days before" in reason
    # nobody else did anything: no one else earns a point
    others = np.array([u != "NEWBIE" for u in h.user_ids])
    assert habits.points[others].max() == 0


def test_the_same_run_earns_nothing_for_someone_who_always_does_it() -> None:
    routine = {o for o in weekdays(0, DAYS) if o % 3 != 0}  # two days in three, all along
    h = history({"HABITUAL": routine, "NEWBIE": weekdays(120, 133)})
    habits = new_habits(h)
    user = np.array(h.user_ids)
    assert habits.points[user == "HABITUAL"][-40:].max() == 0  # once their own history says it is their normal
    assert habits.points[user == "NEWBIE"].max() > 0


def test_what_the_whole_peer_group_does_is_not_new_for_a_newcomer_to_it() -> None:
    # every engineer visits job sites on two days in three; a newcomer's first run is no surprise for the role
    common = {f"E{i:03d}": {o for o in weekdays(0, DAYS) if (o + i) % 3 != 0} for i in range(30)}
    h = history(common | {"NEWBIE": weekdays(120, 133)}, joined=118)
    habits = new_habits(h)
    assert habits.points[np.array(h.user_ids) == "NEWBIE"].max() == 0


def test_one_or_two_days_are_not_a_habit_and_points_are_capped() -> None:
    h = history({"ONCE": {120, 121}})
    assert new_habits(h).points.max() == 0
    assert MIN_DAYS > 2
    # every behaviour at once, for two weeks, by someone who never did any: capped
    rows: dict[str, list[object]] = {"user_id": [], "day": [], "role": [], "department": []}
    rows |= {name: [] for name in COLUMNS}
    for user in [f"E{i:03d}" for i in range(30)] + ["ALL"]:
        for offset in weekdays(0, 140):
            rows["user_id"].append(user)
            rows["day"].append(START + timedelta(days=offset))
            rows["role"].append("Engineer")
            rows["department"].append("R&D")
            for name in COLUMNS:
                rows[name].append(1.0 if user == "ALL" and offset >= 120 else 0.0)
    everything = History.from_table(pa.table(rows), COLUMNS)
    assert new_habits(everything).points.max() == MAX_POINTS


def test_in_the_first_weeks_of_data_later_days_tell_a_habit_from_a_new_run() -> None:
    # Both mail themselves on every weekday of weeks 2 to 4 of the data, when nobody has a month of past yet: the
    # forwarder keeps doing it all along, the drip stops. Only the later days can tell them apart.
    forwarder = weekdays(7, DAYS)
    drip = weekdays(7, 27)
    h = history({"FORWARDER": forwarder, "DRIP": drip}, column="self_attachments")
    habits = new_habits(h)
    user = np.array(h.user_ids)
    early = np.array([d < (START + timedelta(days=28) - date(1970, 1, 1)).days for d in h.day])
    assert habits.points[(user == "FORWARDER") & early].max() == 0
    assert habits.points[(user == "DRIP") & early].max() > 0
    row = int(h.rows_of(["DRIP"], [START + timedelta(days=25)])[0])
    reason = habit_reason(habits, row)
    assert reason is not None and "mailed attachments to their own private address" in reason


def test_a_job_hunt_is_a_low_sign_and_none_once_the_departure_is_known() -> None:
    h = history({"NEWBIE": weekdays(120, 133)})  # job-site visits
    hunting = np.array(h.user_ids) == "NEWBIE"
    assert 0 < new_habits(h).points[hunting].max() <= SIGN_POINTS < POINTS
    leaving = History(h.users, h.user, h.group, h.day, h.columns | {DEPARTURE_KNOWN: hunting.astype(np.float64)})
    assert new_habits(leaving).points.max() == 0
    # the same run of copying to removable media is no sign of leaving: it keeps its weight either way
    copying = history({"NEWBIE": weekdays(120, 133)}, column="files_to_removable")
    known = History(*(getattr(copying, f) for f in ("users", "user", "group", "day")),
                    copying.columns | {DEPARTURE_KNOWN: hunting.astype(np.float64)})  # fmt: skip
    assert new_habits(known).points.max() == new_habits(copying).points.max() > SIGN_POINTS
