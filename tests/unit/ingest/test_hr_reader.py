"""HR / directory CSV: people and employment events in, bad rows quarantined, departures without LDAP."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from molehunt.errors import InputError
from molehunt.events import EVENT_COLUMN_NAMES, Event, EventKind, Provenance
from molehunt.features.user_day import build_user_day
from molehunt.ingest import ingest, ingest_cert, ingest_hr
from molehunt.store import Store
from tests.cert_fixtures import write_cert_dir

HEADER = "user,name,email,department,role,manager,hire_date,resignation_date,last_day,events"
GOOD = [
    "HRU0001,Hal Ruiz,Hal.Ruiz@dtaa.com,Engineering,Engineer,BRA0002,2008-05-01,2010-03-01,2010-03-31,"
    '"2010-02-02 performance plan; 2010-02-20 grievance"',
    "NOT0002,Nora Ott,,Sales,Salesman,,2009-01-01,2010-03-10,,",
    "STA0003,Stan Day,,Sales,Salesman,,2009-01-01,,,",
]


def write_hr(path: Path, rows: list[str], header: str = HEADER) -> Path:
    path.write_bytes((header + "\n" + "".join(r + "\n" for r in rows)).encode())
    return path


def test_rows_and_events_are_stored(tmp_path: Path, store: Store) -> None:
    report = ingest_hr(store, write_hr(tmp_path / "hr.csv", GOOD))
    (file,) = report.files
    assert (file.rows, file.ingested, file.quarantined) == (3, 3, 0)
    people = store.con.execute(
        "SELECT user_id, email, department, role, manager, hire_date, notice_date, last_day, line "
        "FROM hr_users ORDER BY user_id"
    ).fetchall()
    assert people[0] == (
        "HRU0001", "hal.ruiz@dtaa.com", "Engineering", "Engineer", "BRA0002",
        date(2008, 5, 1), date(2010, 3, 1), date(2010, 3, 31), 2,
    )  # fmt: skip
    assert people[1][6:8] == (date(2010, 3, 10), None)
    assert store.con.execute("SELECT user_id, day, event, line FROM hr_events ORDER BY day").fetchall() == [
        ("HRU0001", date(2010, 2, 2), "performance plan", 2),
        ("HRU0001", date(2010, 2, 20), "grievance", 2),
    ]


def test_bad_rows_are_quarantined_with_line_and_reason(tmp_path: Path, store: Store) -> None:
    rows = [
        GOOD[0],
        ",No User,,,,,,,,",
        "BAD0001,,,,,,01/02/2009,,,",
        "BAD0002,,,,,,2009-01-01,,2008-12-31,",
        "BAD0003,,,,,,2009-01-01,2010-05-01,2010-04-30,",
        "BAD0004,,,,,,,,,2010-13-01 grievance",
        "BAD0005,,,,,,,,,grievance",
        "BAD0006,only,three",
        "",
        "HRU0001,Hal Again,,,,,,,,",
        b"BAD0007,Ren\xe9,,,,,,,,".decode("latin-1"),
        '"BAD0008","Multi\nline name",,,,,,,,',
        "OK0009,,,,,,,,,",
    ]
    path = tmp_path / "hr.csv"
    path.write_bytes((HEADER + "\n" + "\n".join(rows) + "\n").encode().replace("René".encode(), b"Ren\xe9"))
    report = ingest_hr(store, path)
    (file,) = report.files
    assert (file.rows, file.ingested, file.quarantined) == (13, 3, 10)
    got = store.con.execute("SELECT line, reason, raw FROM quarantine ORDER BY line").fetchall()
    assert [(line, reason) for line, reason, _ in got] == [
        (3, "missing user"),
        (4, 'bad hire_date "01/02/2009" (expected YYYY-MM-DD)'),
        (5, "last_day 2008-12-31 is before hire_date 2009-01-01"),
        (6, "notice_date 2010-05-01 is after last_day 2010-04-30"),
        (7, 'bad event date "2010-13-01" (expected YYYY-MM-DD)'),
        (8, 'bad event "grievance" (expected YYYY-MM-DD description, entries separated by ";")'),
        (9, "expected 10 fields, found 3"),
        (10, "empty line"),
        (11, "user HRU0001 is already on line 2 of this file"),
        (12, "undecodable bytes (not UTF-8), shown as ?"),
    ]
    assert got[-1][2] == "BAD0007,Ren?,,,,,,,,"
    # The quoted two-line name starts on line 13, so the row after it is line 15.
    assert store.con.execute("SELECT user_id, line FROM hr_people ORDER BY line").fetchall() == [
        ("HRU0001", 2), ("BAD0008", 13), ("OK0009", 15),
    ]  # fmt: skip


def test_strict_header_and_idempotence(tmp_path: Path, store: Store) -> None:
    bad = write_hr(tmp_path / "bad.csv", [GOOD[0], "X,,,,,,yesterday,,,"])
    with pytest.raises(InputError, match=r'bad\.csv:3: bad hire_date "yesterday"'):
        ingest_hr(store, bad, strict=True)
    assert store.count("SELECT count(*) FROM hr_people") == 0
    with pytest.raises(InputError, match=r"unknown HR column\(s\) salary"):
        ingest_hr(store, write_hr(tmp_path / "odd.csv", ["A,1"], header="user,salary"))
    with pytest.raises(InputError, match="no `user` column"):
        ingest_hr(store, write_hr(tmp_path / "nouser.csv", ["x"], header="role"))
    with pytest.raises(InputError, match="--only and --internal-domain"):
        ingest(store, "hr", bad, internal=["dtaa.com"])

    good = write_hr(tmp_path / "hr.csv", GOOD)
    ingest_hr(store, good)
    again = ingest_hr(store, good)
    assert again.files[0].skipped and store.count("SELECT count(*) FROM hr_people") == 3
    assert store.count("SELECT count(*) FROM hr_events") == 2


def day_at(day: date, hour: int) -> datetime:
    return datetime(day.year, day.month, day.day, hour)


def load_events(store: Store, users: list[str], first: date, days: int) -> None:
    rows = []
    for user in users:
        for n in range(days):
            day = first + timedelta(days=n)
            rows.append(
                Event("test", EventKind.LOGON, day_at(day, 9), user, "logon", Provenance(1, 2), host="PC").to_row()
            )
    placeholders = ", ".join("?" for _ in EVENT_COLUMN_NAMES)
    store.con.executemany(f"INSERT INTO events VALUES ({placeholders})", rows)


def context(store: Store, user: str, day: date) -> dict[str, Any]:
    cursor = store.con.execute(
        "SELECT days_to_departure, role, department FROM user_day_features WHERE user_id = ? AND day = ?", [user, day]
    )
    names = [d[0] for d in cursor.description]
    return dict(zip(names, cursor.fetchall()[0], strict=True))


def test_hr_drives_the_departure_window_without_ldap(tmp_path: Path, store: Store) -> None:
    load_events(store, ["HRU0001", "NOT0002", "STA0003", "NOHR0004"], date(2010, 3, 1), 5)
    ingest_hr(store, write_hr(tmp_path / "hr.csv", GOOD))
    build_user_day(store)
    assert store.count("SELECT count(*) FROM directory_snapshots") == 0
    assert context(store, "HRU0001", date(2010, 3, 1)) == {
        "days_to_departure": 30, "role": "Engineer", "department": "Engineering",
    }  # fmt: skip
    assert context(store, "NOT0002", date(2010, 3, 3))["days_to_departure"] == 7  # no last day: the notice date
    assert context(store, "STA0003", date(2010, 3, 3)) == {
        "days_to_departure": None,
        "role": "Salesman",
        "department": "Sales",
    }
    assert context(store, "NOHR0004", date(2010, 3, 3)) == {"days_to_departure": None, "role": None, "department": None}


def test_hr_comes_before_the_directory_and_cert_alone_is_unchanged(tmp_path: Path, store: Store) -> None:
    ingest_cert(store, write_cert_dir(tmp_path / "data", "r4.2"))  # Ann leaves the directory after January
    build_user_day(store)
    cert_only = store.con.execute("SELECT * FROM user_day_features ORDER BY ALL").fetchall()
    assert context(store, "ALE0001", date(2010, 1, 4))["days_to_departure"] == 0  # her last day of activity

    hr = write_hr(tmp_path / "hr.csv", ["ALE0001,Ann Lee,,Research,Scientist,,,,2010-01-20,"])
    ingest_hr(store, hr)
    build_user_day(store)
    assert context(store, "ALE0001", date(2010, 1, 4)) == {
        "days_to_departure": 16, "role": "Scientist", "department": "Research",
    }  # fmt: skip
    store.con.execute("DELETE FROM hr_people")
    build_user_day(store)
    assert store.con.execute("SELECT * FROM user_day_features ORDER BY ALL").fetchall() == cert_only
