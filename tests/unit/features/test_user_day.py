"""Every feature on hand-made events: each test states the events and the value the feature must take."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import pytest

from molehunt.events import EVENT_COLUMN_NAMES, Event, EventKind, Provenance
from molehunt.features.baselines import build_baselines
from molehunt.features.catalog import FEATURE_NAMES
from molehunt.features.user_day import build_user_day
from molehunt.store import Store

DAY = date(2010, 3, 10)  # a Wednesday


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute)


def event(kind: EventKind, activity: str, when: datetime, user: str = "ANN", **fields: Any) -> Event:
    return Event("test", kind, when, user, activity, Provenance(1, 2), **fields)


def load(store: Store, events: list[Event], *, people: list[tuple[str, str, list[str]]] | None = None) -> None:
    placeholders = ", ".join("?" for _ in EVENT_COLUMN_NAMES)
    store.con.executemany(f"INSERT INTO events VALUES ({placeholders})", [e.to_row() for e in events])
    months = [date(2010, 1, 1), date(2010, 2, 1), date(2010, 3, 1), date(2010, 4, 1)]
    for user, role, projects in people or [("ANN", "Engineer", ["atlas"]), ("BOB", "Engineer", ["borealis"])]:
        for month in months:
            if user == "LEO" and month > date(2010, 2, 1):
                continue  # LEO leaves
            store.con.execute(
                "INSERT INTO directory_snapshots (month, user_id, email, role, projects, department, file_id, line) "
                "VALUES (?, ?, ?, ?, ?, 'Eng', 1, 2)",
                [month, user, f"{user.lower()}@corp.com", role, projects],
            )


def features(store: Store, user: str = "ANN", day: date = DAY) -> dict[str, Any]:
    build_user_day(store)
    cursor = store.con.execute("SELECT * FROM user_day_features WHERE user_id = ? AND day = ?", [user, day])
    names = [d[0] for d in cursor.description]
    rows = cursor.fetchall()
    assert len(rows) == 1, f"expected one row for {user} on {day}, got {len(rows)}"
    return dict(zip(names, rows[0], strict=True))


def office_days(user: str, days: int, end: date, host: str = "PC-1") -> list[Event]:
    """A plain history: logon at 9, a web visit at 12, logoff at 17 on each of the days before `end`."""
    out = []
    for back in range(days, 0, -1):
        day = end - timedelta(days=back)
        out += [
            event(EventKind.LOGON, "logon", at(day, 9), user, host=host),
            event(EventKind.HTTP, "visit", at(day, 12), user, host=host, url="http://news.com/a", domain="news.com"),
            event(EventKind.LOGON, "logoff", at(day, 17), user, host=host),
        ]
    return out


def test_one_row_per_active_user_day_with_all_features(store: Store) -> None:
    load(store, [event(EventKind.LOGON, "logon", at(DAY, 9), host="PC-1")])
    row = features(store)
    assert set(FEATURE_NAMES) <= set(row)
    assert row["events"] == 1 and row["logons"] == 1
    assert store.scalar("SELECT count(*) FROM user_day_features") == 1


def test_after_hours_relative_to_own_history(store: Store) -> None:
    history = office_days("ANN", 40, DAY)
    night = [event(EventKind.LOGON, "logon", at(DAY, 2), host="PC-1"), event(EventKind.LOGON, "logoff", at(DAY, 9))]
    load(store, history + night)
    assert features(store)["after_hours_events"] == 1  # 02:00 is rare for her; 09:00 is her habit


def test_after_hours_defaults_without_history(store: Store) -> None:
    load(
        store,
        [event(EventKind.LOGON, "logon", at(DAY, 22), host="PC-1"), event(EventKind.LOGON, "logoff", at(DAY, 10))],
    )
    assert features(store)["after_hours_events"] == 1


def test_night_worker_is_not_after_hours_at_night(store: Store) -> None:
    history = []  # 60 nights x 2 events: enough history (>= 100 events) to judge by her own hours
    for back in range(60, 0, -1):
        day = DAY - timedelta(days=back)
        history += [
            event(EventKind.LOGON, "logon", at(day, 22), host="PC-1"),
            event(EventKind.LOGON, "logoff", at(day, 23)),
        ]
    load(store, [*history, event(EventKind.LOGON, "logon", at(DAY, 22), host="PC-1")])
    assert features(store)["after_hours_events"] == 0


def test_weekend_events(store: Store) -> None:
    saturday = date(2010, 3, 13)
    load(store, [event(EventKind.LOGON, "logon", at(saturday, 10), host="PC-1")])
    assert features(store, day=saturday)["weekend_events"] == 1


def test_new_and_other_users_hosts(store: Store) -> None:
    history = office_days("ANN", 5, DAY, "PC-1") + office_days("BOB", 5, DAY, "PC-2")
    today = [
        event(EventKind.LOGON, "logon", at(DAY, 9), host="PC-2"),  # Bob's machine, new to Ann
        event(EventKind.LOGON, "logon", at(DAY, 10), host="PC-9"),  # a machine nobody owns, new to Ann
        event(EventKind.LOGON, "logon", at(DAY, 11), host="PC-1"),
    ]
    load(store, history + today)
    row = features(store)
    assert (row["new_hosts"], row["other_user_hosts"]) == (2, 1)


def test_a_shared_main_machine_is_nobody_elses(store: Store) -> None:
    # Two shifts share PC-S as their main machine; neither is "on another user's machine" there.
    history = office_days("ANN", 4, DAY, "PC-S") + office_days("BOB", 4, DAY, "PC-S")
    load(store, [*history, event(EventKind.LOGON, "logon", at(DAY, 9), "BOB", host="PC-S")])
    assert features(store, "BOB")["other_user_hosts"] == 0


def test_removable_media_and_files(store: Store) -> None:
    load(
        store,
        [
            event(EventKind.DEVICE, "connect", at(DAY, 9), host="PC-1"),
            event(EventKind.DEVICE, "disconnect", at(DAY, 10), host="PC-1"),
            event(EventKind.FILE, "copy", at(DAY, 9, 5), path="C:\\Projects\\Atlas\\a.doc", to_removable=True),
            event(EventKind.FILE, "copy", at(DAY, 9, 6), path="C:\\Projects\\Borealis\\b.doc", to_removable=True),
            event(EventKind.FILE, "open", at(DAY, 9, 7), path="R:\\c.doc", from_removable=True),
            event(EventKind.FILE, "open", at(DAY, 9, 8), path="C:\\Projects\\Atlas\\a.doc"),
            event(EventKind.FILE, "open", at(DAY, 9, 9), path="C:\\Projects\\Atlas\\a.doc"),
        ],
    )
    row = features(store)
    assert row["usb_connects"] == 1
    assert (row["files_to_removable"], row["files_from_removable"]) == (2, 1)
    assert row["files_opened"] == 2  # distinct paths opened
    assert row["files_outside_projects"] == 1  # Borealis is Bob's project, not Ann's


def test_decoy_touches(store: Store) -> None:
    store.con.execute("INSERT INTO decoy_files VALUES ('C:\\Projects\\Atlas\\Secret-Plan.doc', 'PC-1', 1, 2)")
    load(
        store,
        [
            event(EventKind.FILE, "open", at(DAY, 9), path="c:\\projects\\atlas\\secret-plan.doc"),
            event(EventKind.FILE, "open", at(DAY, 9), path="C:\\Projects\\Atlas\\plan.doc"),
        ],
    )
    assert features(store)["decoy_touches"] == 1


def test_email_features(store: Store) -> None:
    load(
        store,
        [
            event(
                EventKind.EMAIL, "send", at(DAY, 10), sender="ann@corp.com",
                recipients=("bob@corp.com", "me@gmail.com", "x@partner.com"), n_internal=1, n_external=2,
                attachment_count=2, attachment_bytes=5000, bytes=6000,
            ),
            event(
                EventKind.EMAIL, "send", at(DAY, 11), sender="ann@corp.com", recipients=("bob@corp.com",),
                n_internal=1, n_external=0, attachment_count=1, attachment_bytes=700, bytes=800,
            ),
            event(
                EventKind.EMAIL, "view", at(DAY, 12), sender="x@partner.com", recipients=("ann@corp.com",),
                n_internal=1, n_external=0, attachment_count=3, attachment_bytes=9000,
            ),
        ],
    )  # fmt: skip
    row = features(store)
    assert row["emails_sent"] == 2 and row["recipients_sent"] == 4
    assert (row["external_recipients"], row["personal_recipients"]) == (2, 1)
    assert row["foreign_sender_emails"] == 0
    assert (row["attachments_out"], row["attachment_bytes_out"]) == (2, 5000)  # external mail only
    assert row["personal_attachments"] == 2  # the first mail went to a webmail address too


def test_mail_sent_as_another_employee(store: Store) -> None:
    mails = [
        event(EventKind.EMAIL, "send", at(DAY, 10), sender="bob@corp.com", recipients=("x@corp.com",)),  # Bob's
        event(EventKind.EMAIL, "send", at(DAY, 11), sender="ann@corp.com", recipients=("x@corp.com",)),  # her own
        event(EventKind.EMAIL, "send", at(DAY, 12), sender="ann@gmail.com", recipients=("x@corp.com",)),  # webmail
        event(EventKind.EMAIL, "view", at(DAY, 13), sender="bob@corp.com", recipients=("ann@corp.com",)),  # received
    ]
    load(store, mails)
    assert features(store)["foreign_sender_emails"] == 1


def test_attachment_bytes_fall_back_to_message_size(store: Store) -> None:
    load(
        store,
        [
            event(
                EventKind.EMAIL, "send", at(DAY, 10), recipients=("me@gmail.com",), n_internal=0, n_external=1,
                attachment_count=1, bytes=40_000,
            )
        ],
    )  # fmt: skip
    assert features(store)["attachment_bytes_out"] == 40_000  # r4.2 gives only the message size


@pytest.mark.parametrize(
    ("url", "domain", "activity", "content_type", "expected"),
    [
        ("http://monster.com/jobs", "monster.com", "visit", None, {"job_site_visits": 1}),
        ("http://jobs.indeed.com/x", "jobs.indeed.com", "visit", None, {"job_site_visits": 1}),
        ("https://dropbox.com/u", "dropbox.com", "upload", None, {"cloud_visits": 1, "cloud_uploads": 1}),
        ("http://wikileaks.org/s", "wikileaks.org", "upload", None, {"leak_visits": 1, "leak_uploads": 1}),
        ("http://refog.com/k.exe", "refog.com", "download", "exe", {"hacking_downloads": 1, "exe_downloads": 1}),
        ("http://notmonster.com/", "notmonster.com", "visit", None, {}),
        ("https://a.b.dropbox.com/x", "a.b.dropbox.com", "upload", None, {"cloud_visits": 1, "cloud_uploads": 1}),
        ("https://icloud.com/up", "icloud.com", "upload", None, {"cloud_visits": 1, "cloud_uploads": 1}),
    ],
)
def test_web_categories(
    store: Store, url: str, domain: str, activity: str, content_type: str | None, expected: dict[str, int]
) -> None:
    load(store, [event(EventKind.HTTP, activity, at(DAY, 10), url=url, domain=domain, content_type=content_type)])
    row = features(store)
    assert row["events"] == 1  # a domain listed in two categories (icloud: cloud and webmail) is counted once
    web = (
        "job_site_visits",
        "cloud_visits",
        "cloud_uploads",
        "leak_visits",
        "leak_uploads",
        "exe_downloads",
        "hacking_downloads",
    )
    assert {name: row[name] for name in web if row[name]} == expected


def test_days_to_departure_from_directory_drop_out(store: Store) -> None:
    leo = [event(EventKind.LOGON, "logon", at(date(2010, 2, d), 9), "LEO", host="PC-3") for d in (1, 10, 20)]
    load(store, leo + office_days("ANN", 3, DAY), people=[("ANN", "Engineer", []), ("LEO", "Engineer", [])])
    assert features(store, "LEO", date(2010, 2, 10))["days_to_departure"] == 10
    assert features(store, "ANN", DAY - timedelta(days=1))["days_to_departure"] is None


def test_baselines_exclude_the_day_and_use_peers(store: Store) -> None:
    copies = []
    for back, n in zip(range(5, 0, -1), (2, 4, 2, 4, 2), strict=True):
        day = DAY - timedelta(days=back)
        copies += [event(EventKind.FILE, "copy", at(day, 10, i), path=f"a{i}.doc", to_removable=True) for i in range(n)]
    copies += [event(EventKind.FILE, "copy", at(DAY, 10, i), path=f"b{i}.doc", to_removable=True) for i in range(30)]
    copies += [event(EventKind.FILE, "copy", at(DAY, 10, 0), "BOB", path="c.doc", to_removable=True)]
    copies += [
        event(EventKind.FILE, "copy", at(DAY, 10, 0), u, path="d.doc", to_removable=True) for u in ("CAT", "DAN")
    ]
    people = [(u, "Engineer", []) for u in ("ANN", "BOB", "CAT", "DAN")]
    load(store, copies, people=people)
    build_user_day(store)
    build_baselines(store)
    row = store.con.execute(
        "SELECT files_to_removable, files_to_removable__median, files_to_removable__mad, files_to_removable__peer,"
        " history_days FROM user_day WHERE user_id = 'ANN' AND day = ?",
        [DAY],
    ).fetchall()[0]
    assert row == (30, 2.0, 0.0, 1.0, 5)  # median of 2,4,2,4,2 is 2; MAD 0; peers that day: 30, 1, 1, 1
    first = store.con.execute(
        "SELECT files_to_removable__median, history_days FROM user_day WHERE user_id = 'BOB'"
    ).fetchall()
    assert first == [(None, 0)]


def test_vault_features(store: Store) -> None:
    def vault(activity: str, content: str) -> Event:
        return event(EventKind.VAULT, activity, at(DAY, 10), path="doc-1", content=content)

    load(
        store,
        [
            vault("read", "allowed: cleared-with-need-to-know"),
            vault("read", "allowed: cleared-with-need-to-know"),
            vault("checkout", "allowed: cleared-with-need-to-know"),
            vault("read", "denied: need-to-know"),
            vault("checkout", "denied: no-read-up"),
            vault("read", "decoy touch: allowed: decoy-tripwire"),
        ],
    )
    row = features(store)
    assert (row["vault_reads"], row["vault_checkouts"], row["vault_denied"]) == (3, 1, 2)
    assert row["decoy_touches"] == 1


def test_attachments_to_the_users_own_private_mailbox(store: Store) -> None:
    mails = [
        event(EventKind.EMAIL, "send", at(DAY, 9), recipients=("ann.palmer84@gmail.com",), attachment_count=1),
        event(EventKind.EMAIL, "send", at(DAY, 10), recipients=("ann.palmer84@gmail.com",), attachment_count=0),
        event(EventKind.EMAIL, "send", at(DAY, 11), recipients=("joe.black@gmail.com",), attachment_count=2),  # friend
        event(EventKind.EMAIL, "send", at(DAY, 12), recipients=("ann.palmer@partner.com",), attachment_count=4),  # work
        event(
            EventKind.EMAIL, "send", at(DAY, 13), recipients=("palmer.ann@gmail.com", "x@corp.com"), attachment_count=3
        ),
    ]
    load(store, mails)
    store.con.execute("UPDATE directory_snapshots SET employee_name = 'Ann Uma Palmer' WHERE user_id = 'ANN'")
    row = features(store)
    assert row["self_attachments"] == 4  # the first and the last mail: both name parts, at a webmail domain
    assert row["personal_attachments"] == 6


def test_no_own_mailbox_without_a_usable_name(store: Store) -> None:
    mails = [event(EventKind.EMAIL, "send", at(DAY, 9), recipients=("a.b@gmail.com",), attachment_count=1)]
    load(store, mails)
    store.con.execute("UPDATE directory_snapshots SET employee_name = 'A B' WHERE user_id = 'ANN'")  # too short
    assert features(store)["self_attachments"] == 0


def test_the_own_mailbox_name_can_come_from_hr(store: Store) -> None:
    mails = [event(EventKind.EMAIL, "send", at(DAY, 9), recipients=("ann.palmer84@gmail.com",), attachment_count=2)]
    load(store, mails)  # the directory rows carry no names
    store.con.execute(
        "INSERT INTO hr_people (user_id, employee_name, email, file_id, line) VALUES ('ANN', 'Ann Palmer', NULL, 7, 2)"
    )
    assert features(store)["self_attachments"] == 2


def test_days_since_the_latest_adverse_hr_event(store: Store) -> None:
    load(store, office_days("ANN", 40, DAY + timedelta(days=1)) + office_days("BOB", 3, DAY + timedelta(days=1)))

    def hr(user: str, file_id: int, *events: tuple[date, str]) -> None:
        store.con.execute("INSERT INTO hr_people (user_id, file_id, line) VALUES (?, ?, 2)", [user, file_id])
        for day, what in events:
            store.con.execute("INSERT INTO hr_events VALUES (?, ?, ?, ?, 2)", [user, day, what, file_id])

    hr(
        "ANN", 7,
        (DAY - timedelta(days=30), "Performance Improvement Plan (PIP)"),
        (DAY - timedelta(days=12), "promoted"),  # not adverse
        (DAY - timedelta(days=5), "pipeline training"),  # "pip" only as part of a word: not adverse
        (DAY + timedelta(days=1), "grievance filed"),  # after the day: not yet
    )  # fmt: skip
    hr("BOB", 7, (DAY - timedelta(days=2), "written warning"))
    hr("BOB", 8)  # a newer export lists BOB without the warning: corrected away
    assert features(store)["days_since_hr_event"] == 30
    assert features(store, "ANN", DAY - timedelta(days=31))["days_since_hr_event"] is None  # before the plan
    assert features(store, "BOB")["days_since_hr_event"] is None


def test_colleagues_laid_off_on_one_day_in_the_last_30_days(store: Store) -> None:
    staff = ["ANN", "P1", "P2", "P3", "P4", "P5", "P6", "P7", "P8"]
    load(
        store,
        [e for user in staff for e in office_days(user, 40, DAY + timedelta(days=1))],
        people=[(user, "Engineer", []) for user in staff],
    )
    layoff, earlier = DAY - timedelta(days=29), DAY - timedelta(days=31)
    left = {  # HR's last days and departments; ANN is listed by the directory only (department Eng)
        "P1": (layoff, "Eng"),
        "P2": (layoff, "Eng"),
        "P3": (layoff, "Eng"),  # three on one day, 29 days ago
        "P4": (DAY - timedelta(days=10), "Eng"),  # one alone: ordinary turnover
        "P5": (DAY - timedelta(days=3), "Sales"),  # another department
        "P6": (DAY - timedelta(days=3), "Sales"),
        "P7": (earlier, "Eng"),  # two on one day, 31 days ago: too early for DAY
        "P8": (earlier, "Eng"),
    }
    for line, (user, (last_day, department)) in enumerate(left.items(), start=2):
        store.con.execute(
            "INSERT INTO hr_people (user_id, department, last_day, file_id, line) VALUES (?, ?, ?, 7, ?)",
            [user, department, last_day, line],
        )
    assert features(store)["colleagues_laid_off"] == 3
    assert features(store, "ANN", DAY - timedelta(days=30))["colleagues_laid_off"] == 2  # only P7 and P8 yet
    assert features(store, "ANN", DAY - timedelta(days=32))["colleagues_laid_off"] == 0
    assert features(store, "P4", layoff)["colleagues_laid_off"] == 3
    assert features(store, "P1", layoff)["colleagues_laid_off"] == 2  # not themselves
    assert features(store, "P5")["colleagues_laid_off"] == 1  # P6; P5 themselves not counted


def test_colleagues_who_fell_silent_on_one_day_count_as_laid_off_when_nothing_records_their_departure(
    store: Store,
) -> None:
    def days(user: str, first: date, last: date) -> list[Event]:
        return office_days(user, (last - first).days + 1, last + timedelta(days=1))

    end = DAY + timedelta(days=60)
    events = days("ANN", DAY - timedelta(days=60), end)
    events += [e for user in ("Q1", "Q2", "Q3") for e in days(user, DAY - timedelta(days=60), DAY - timedelta(days=5))]
    # Q4 and Q5 are away for two weeks from the same day, then back: not gone.
    for user in ("Q4", "Q5"):
        events += days(user, DAY - timedelta(days=60), DAY + timedelta(days=20))
        events += days(user, DAY + timedelta(days=35), end)
    # Q6 and Q7 last seen 20 days before the data ends: too recent to call them gone.
    events += [e for user in ("Q6", "Q7") for e in days(user, DAY - timedelta(days=60), end - timedelta(days=20))]
    staff = ["ANN", "Q1", "Q2", "Q3", "Q4", "Q5", "Q6", "Q7"]
    load(store, events, people=[(user, "Engineer", []) for user in staff])  # the directory lists them all

    assert features(store)["colleagues_laid_off"] == 3
    assert features(store, "ANN", DAY + timedelta(days=30))["colleagues_laid_off"] == 0  # Q4 and Q5 came back
    assert features(store, "ANN", end)["colleagues_laid_off"] == 0  # Q6 and Q7: maybe away
    assert features(store, "Q1", DAY - timedelta(days=5))["colleagues_laid_off"] == 2  # not themselves
    # Silence is hindsight: it never becomes a person's own departure.
    assert features(store, "Q1", DAY - timedelta(days=5))["days_to_departure"] is None
