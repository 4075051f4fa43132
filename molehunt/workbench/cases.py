"""Cases: an investigation opened from an alert, assigned, moved through open -> investigating -> closed, with
notes, more alerts, a priority and a disposition, and exported as evidence (the alerts with their reasons, scores
and timelines, the indicators and the person's events around them, with provenance).

Cases and notes live in the operational store (HOME/workbench.sqlite); the alerts and events they are about are
read from the analytics store."""

from __future__ import annotations

import csv
import io
import sqlite3
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any

from molehunt.clock import utc_now
from molehunt.errors import MolehuntError
from molehunt.opstore import ensure_schema, transaction
from molehunt.outputs import defuse
from molehunt.store import Store
from molehunt.workbench import people
from molehunt.workbench.accounts import find_account, stamp

EVIDENCE_DAYS = 7  # events from this many days before the alert day up to the day itself


class Status(StrEnum):
    OPEN = "open"
    INVESTIGATING = "investigating"
    CLOSED = "closed"


class Priority(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"


class Disposition(StrEnum):
    """What the investigation concluded (for HR and legal), set when it is known."""

    UNDETERMINED = "undetermined"
    SUBSTANTIATED = "substantiated"
    UNSUBSTANTIATED = "unsubstantiated"
    BENIGN_EXPLAINED = "benign-explained"
    REFERRED_HR = "referred-hr"
    REFERRED_LEGAL = "referred-legal"


@dataclass(frozen=True)
class Note:
    author: str
    text: str
    created_at: datetime


@dataclass(frozen=True)
class Case:
    case_id: int
    title: str
    user_id: str
    day: date
    status: Status
    assignee: str | None
    opened_by: str
    opened_at: datetime
    updated_at: datetime
    notes: tuple[Note, ...] = ()
    alerts: tuple[tuple[str, date], ...] = ()  # (user id, day): the alert it was opened from first, then the added
    priority: Priority = Priority.MEDIUM
    disposition: Disposition = Disposition.UNDETERMINED


class CaseError(MolehuntError):
    """A case action that cannot be done as asked."""


TABLES = (
    """CREATE TABLE IF NOT EXISTS cases (
        case_id INTEGER PRIMARY KEY,  -- SQLite's rowid: the next case takes max + 1
        title TEXT NOT NULL,
        user_id TEXT NOT NULL,
        day TEXT NOT NULL,  -- ISO date of the alert
        status TEXT NOT NULL CHECK (status IN ('open', 'investigating', 'closed')),
        assignee TEXT,
        opened_by TEXT NOT NULL,
        opened_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    )""",
    """CREATE TABLE IF NOT EXISTS case_notes (
        note_id INTEGER PRIMARY KEY,
        case_id INTEGER NOT NULL REFERENCES cases (case_id),
        author TEXT NOT NULL,
        text TEXT NOT NULL,
        created_at TEXT NOT NULL
    )""",
    "CREATE INDEX IF NOT EXISTS case_notes_case ON case_notes (case_id)",
    # Later additions live in their own tables (SQLite cannot add a column only if it is missing).
    """CREATE TABLE IF NOT EXISTS case_alerts (
        case_id INTEGER NOT NULL REFERENCES cases (case_id),
        user_id TEXT NOT NULL,
        day TEXT NOT NULL,
        added_by TEXT NOT NULL,
        added_at TEXT NOT NULL,
        PRIMARY KEY (case_id, user_id, day)
    )""",
    """CREATE TABLE IF NOT EXISTS case_facts (
        case_id INTEGER PRIMARY KEY REFERENCES cases (case_id),
        priority TEXT NOT NULL DEFAULT 'medium' CHECK (priority IN ('low', 'medium', 'high', 'critical')),
        disposition TEXT NOT NULL DEFAULT 'undetermined'
    )""",
)
TIMELINE_DAYS = 30  # the scores shown before the first alert of a case


def schema(con: sqlite3.Connection) -> None:
    ensure_schema(con, "cases", TABLES)


def _now() -> str:
    return stamp(utc_now())


def open_case(con: sqlite3.Connection, user_id: str, day: date, title: str, by: str) -> int:
    """A new open case about (user, day); returns its id. Check the alert exists first (require_alert)."""
    title = title.strip() or f"Alert of {day.isoformat()}"
    schema(con)
    now = _now()
    with transaction(con):
        found = con.execute(
            "INSERT INTO cases VALUES (NULL, ?, ?, ?, 'open', NULL, ?, ?, ?) RETURNING case_id",
            (title[:200], user_id, day.isoformat(), by, now, now),
        ).fetchone()
    return int(found[0])


def get_case(con: sqlite3.Connection, case_id: int) -> Case | None:
    schema(con)
    row = con.execute(
        "SELECT case_id, title, user_id, day, status, assignee, opened_by, opened_at, updated_at FROM cases"
        " WHERE case_id = ?",
        (case_id,),
    ).fetchone()
    if row is None:
        return None
    notes = con.execute(
        "SELECT author, text, created_at FROM case_notes WHERE case_id = ? ORDER BY created_at, note_id", (case_id,)
    ).fetchall()
    added = con.execute(
        "SELECT user_id, day FROM case_alerts WHERE case_id = ? ORDER BY added_at, day", (case_id,)
    ).fetchall()
    facts = con.execute("SELECT priority, disposition FROM case_facts WHERE case_id = ?", (case_id,)).fetchone()
    cid, title, user_id, day, status, assignee, opened_by, opened_at, updated_at = row
    first = (user_id, date.fromisoformat(day))
    alerts = (first, *[(u, date.fromisoformat(d)) for u, d in added if (u, date.fromisoformat(d)) != first])
    return Case(
        cid, title, user_id, first[1], Status(status), assignee, opened_by,
        datetime.fromisoformat(opened_at), datetime.fromisoformat(updated_at),
        tuple(Note(author, text, datetime.fromisoformat(at)) for author, text, at in notes),
        alerts, Priority(facts[0]) if facts else Priority.MEDIUM,
        Disposition(facts[1]) if facts else Disposition.UNDETERMINED,
    )  # fmt: skip


def list_cases(con: sqlite3.Connection, status: Status | None = None) -> list[Case]:
    schema(con)
    wanted = status.value if status else None
    rows = con.execute(
        "SELECT case_id FROM cases WHERE ? IS NULL OR status = ? ORDER BY updated_at DESC, case_id DESC",
        (wanted, wanted),
    ).fetchall()
    return [case for (case_id,) in rows if (case := get_case(con, case_id)) is not None]


def require(con: sqlite3.Connection, case_id: int) -> Case:
    """The case; CaseError when there is none."""
    case = get_case(con, case_id)
    if case is None:
        raise CaseError(f"no case {case_id}")
    return case


def require_alert(store: Store, user_id: str, day: date) -> None:
    """CaseError unless (user, day) is scored in the analytics store, i.e. an alert a case can be opened from."""
    if not store.count("SELECT count(*) FROM scores WHERE user_id = ? AND day = ?", [user_id, day]):
        raise CaseError("there is no alert for that person and day")


def require_assignee(con: sqlite3.Connection, case_id: int, assignee: str) -> None:
    """CaseError unless the case exists and `assignee` is an account."""
    require(con, case_id)
    if find_account(con, assignee) is None:
        raise CaseError(f"no account named {assignee!r} to assign the case to")


def note_text(text: str) -> str:
    """The note as stored (stripped, at most 10,000 characters); CaseError when it is empty."""
    text = text.strip()
    if not text:
        raise CaseError("the note is empty")
    return text[:10000]


def assign(con: sqlite3.Connection, case_id: int, assignee: str) -> None:
    require_assignee(con, case_id, assignee)
    con.execute("UPDATE cases SET assignee = ?, updated_at = ? WHERE case_id = ?", (assignee, _now(), case_id))


def set_status(con: sqlite3.Connection, case_id: int, status: Status) -> None:
    require(con, case_id)
    con.execute("UPDATE cases SET status = ?, updated_at = ? WHERE case_id = ?", (status.value, _now(), case_id))


def add_note(con: sqlite3.Connection, case_id: int, author: str, text: str) -> None:
    text = note_text(text)
    require(con, case_id)
    now = _now()
    with transaction(con):
        con.execute("INSERT INTO case_notes VALUES (NULL, ?, ?, ?, ?)", (case_id, author, text, now))
        con.execute("UPDATE cases SET updated_at = ? WHERE case_id = ?", (now, case_id))


def add_alert(con: sqlite3.Connection, case_id: int, user_id: str, day: date, by: str) -> bool:
    """Add the alert (user, day) to the case (check it exists first: require_alert); False when already there.
    A case is about one person: another person's alert is a CaseError (open a case for them)."""
    case = require(con, case_id)
    if user_id != case.user_id:
        raise CaseError("a case is about one person: open a case for the other person's alert")
    if (user_id, day) in case.alerts:
        return False
    now = _now()
    with transaction(con):
        con.execute("INSERT INTO case_alerts VALUES (?, ?, ?, ?, ?)", (case_id, user_id, day.isoformat(), by, now))
        con.execute("UPDATE cases SET updated_at = ? WHERE case_id = ?", (now, case_id))
    return True


def set_facts(
    con: sqlite3.Connection, case_id: int, *, priority: Priority | None = None, disposition: Disposition | None = None
) -> None:
    """Set the case's priority and/or disposition."""
    case = require(con, case_id)
    with transaction(con):
        con.execute(
            "INSERT INTO case_facts VALUES (?, ?, ?) ON CONFLICT (case_id) DO UPDATE SET priority = excluded.priority,"
            " disposition = excluded.disposition",
            (case_id, (priority or case.priority).value, (disposition or case.disposition).value),
        )
        con.execute("UPDATE cases SET updated_at = ? WHERE case_id = ?", (_now(), case_id))


def alert_facts(store: Store, user_id: str, day: date) -> dict[str, Any]:
    """One alert's score, its parts, the rules that fired and the reasons, from the analytics store."""
    found = store.con.execute(
        "SELECT score, anomaly, rule_points, volume_points, rules, reasons FROM scores WHERE user_id = ? AND day = ?",
        [user_id, day],
    ).fetchall()
    score, anomaly, rule_points, volume_points, rules, reasons = found[0] if found else (None, None, None, None, [], "")
    return {"score": score, "anomaly": anomaly, "rule_points": rule_points, "volume_points": volume_points,
            "rules": list(rules or []), "reasons": reasons}  # fmt: skip


def timeline(store: Store, user_id: str, first: date, last: date) -> list[tuple[date, float]]:
    """The person's daily scores from TIMELINE_DAYS before `first` to `last`."""
    rows = store.con.execute(
        "SELECT day, score FROM scores WHERE user_id = ? AND day BETWEEN ? AND ? ORDER BY day",
        [user_id, first - timedelta(days=TIMELINE_DAYS), last],
    ).fetchall()
    return [(day, float(score)) for day, score in rows]


def evidence(con: sqlite3.Connection, store: Store, case_id: int, person: str) -> dict[str, Any]:
    """The case's evidence as plain data: the case from the operational store `con`, its alerts, timeline and events
    from the analytics `store`; `person` is how the subject is named (a pseudonym unless revealed)."""
    case = require(con, case_id)
    days = sorted(day for _, day in case.alerts)
    start = datetime.combine(days[0] - timedelta(days=EVIDENCE_DAYS), datetime.min.time())
    end = datetime.combine(days[-1] + timedelta(days=1), datetime.min.time())
    events = people.events_between(store, case.user_id, start, end)
    return {
        "case": {
            "id": case.case_id, "title": case.title, "subject": person, "alert_day": case.day.isoformat(),
            "status": case.status.value, "priority": case.priority.value, "disposition": case.disposition.value,
            "assignee": case.assignee, "opened_by": case.opened_by, "opened_at": case.opened_at.isoformat(),
            "notes": [{"author": n.author, "text": n.text, "at": n.created_at.isoformat()} for n in case.notes],
        },
        "alert": alert_facts(store, case.user_id, case.day),
        "alerts": [{"day": day.isoformat(), **alert_facts(store, case.user_id, day)} for day in days],
        "timeline": [{"day": day.isoformat(), "score": score}
                     for day, score in timeline(store, case.user_id, days[0], days[-1])],
        "indicators": [
            {"name": i.name, "value": i.value, "median": i.median, "peer": i.peer}
            for i in people.indicators(store, case.user_id, case.day) if i.value
        ],
        "events_window": {"from": start.isoformat(), "to": end.isoformat()},
        "events": [{**event, "time": event["time"].isoformat()} for event in events],
    }  # fmt: skip


def evidence_csv(data: dict[str, Any]) -> str:
    """The evidence's events as CSV (one row per event, with the source file and line), case facts in a header row."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    case = data["case"]
    facts = ["# case", case["id"], case["title"], "subject", case["subject"], "alert day", case["alert_day"],
             "score", data["alert"]["score"], "reasons", data["alert"]["reasons"]]  # fmt: skip
    writer.writerow(defuse(facts))
    writer.writerow(people.EVENT_COLUMNS)
    for event in data["events"]:
        row = {**event, "recipients": ";".join(event["recipients"] or [])}
        writer.writerow(defuse([row[name] for name in people.EVENT_COLUMNS]))
    return buffer.getvalue()
