"""Cases: an investigation opened from an alert, assigned, moved through open -> investigating -> closed, with
notes, and exported as evidence (the alert, its indicators and the person's events around it, with provenance)."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any

from molehunt.clock import utc_now
from molehunt.errors import MolehuntError
from molehunt.outputs import defuse
from molehunt.store import Store
from molehunt.workbench import people

EVIDENCE_DAYS = 7  # events from this many days before the alert day up to the day itself


class Status(StrEnum):
    OPEN = "open"
    INVESTIGATING = "investigating"
    CLOSED = "closed"


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


class CaseError(MolehuntError):
    """A case action that cannot be done as asked."""


def _now() -> datetime:
    return utc_now()


def open_case(store: Store, user_id: str, day: date, title: str, by: str) -> int:
    """A new open case about (user, day); returns its id. The alert must exist."""
    title = title.strip() or f"Alert of {day.isoformat()}"
    require_alert(store, user_id, day)
    now = _now()
    with store.transaction() as con:
        case_id = int(con.execute("SELECT coalesce(max(case_id), 0) + 1 FROM cases").fetchall()[0][0])
        con.execute(
            "INSERT INTO cases VALUES (?, ?, ?, ?, 'open', NULL, ?, ?, ?)",
            [case_id, title[:200], user_id, day, by, now, now],
        )
    return case_id


def get_case(store: Store, case_id: int) -> Case | None:
    rows = store.con.execute(
        "SELECT case_id, title, user_id, day, status, assignee, opened_by, opened_at, updated_at FROM cases"
        " WHERE case_id = ?",
        [case_id],
    ).fetchall()
    if not rows:
        return None
    notes = store.con.execute(
        "SELECT author, text, created_at FROM case_notes WHERE case_id = ? ORDER BY created_at, rowid", [case_id]
    ).fetchall()
    cid, title, user_id, day, status, assignee, opened_by, opened_at, updated_at = rows[0]
    return Case(
        cid, title, user_id, day, Status(status), assignee, opened_by, opened_at, updated_at,
        tuple(Note(*note) for note in notes),
    )  # fmt: skip


def list_cases(store: Store, status: Status | None = None) -> list[Case]:
    rows = store.con.execute(
        "SELECT case_id FROM cases WHERE ?::VARCHAR IS NULL OR status = ? ORDER BY updated_at DESC, case_id DESC",
        [status, status],
    ).fetchall()
    return [case for (case_id,) in rows if (case := get_case(store, case_id)) is not None]


def require(store: Store, case_id: int) -> Case:
    """The case; CaseError when there is none."""
    case = get_case(store, case_id)
    if case is None:
        raise CaseError(f"no case {case_id}")
    return case


def require_alert(store: Store, user_id: str, day: date) -> None:
    """CaseError unless (user, day) is scored, i.e. an alert a case can be opened from."""
    if not store.count("SELECT count(*) FROM scores WHERE user_id = ? AND day = ?", [user_id, day]):
        raise CaseError("there is no alert for that person and day")


def require_assignee(store: Store, case_id: int, assignee: str) -> None:
    """CaseError unless the case exists and `assignee` is an account."""
    require(store, case_id)
    if not store.count("SELECT count(*) FROM web_users WHERE name = ?", [assignee]):
        raise CaseError(f"no account named {assignee!r} to assign the case to")


def note_text(text: str) -> str:
    """The note as stored (stripped, at most 10,000 characters); CaseError when it is empty."""
    text = text.strip()
    if not text:
        raise CaseError("the note is empty")
    return text[:10000]


def assign(store: Store, case_id: int, assignee: str) -> None:
    require_assignee(store, case_id, assignee)
    store.con.execute("UPDATE cases SET assignee = ?, updated_at = ? WHERE case_id = ?", [assignee, _now(), case_id])


def set_status(store: Store, case_id: int, status: Status) -> None:
    require(store, case_id)
    store.con.execute("UPDATE cases SET status = ?, updated_at = ? WHERE case_id = ?", [status.value, _now(), case_id])


def add_note(store: Store, case_id: int, author: str, text: str) -> None:
    text = note_text(text)
    require(store, case_id)
    now = _now()
    with store.transaction() as con:
        con.execute("INSERT INTO case_notes VALUES (?, ?, ?, ?)", [case_id, author, text, now])
        con.execute("UPDATE cases SET updated_at = ? WHERE case_id = ?", [now, case_id])


def evidence(store: Store, case_id: int, person: str) -> dict[str, Any]:
    """The case's evidence as plain data; `person` is how the subject is named (a pseudonym unless revealed)."""
    case = require(store, case_id)
    found = store.con.execute(
        "SELECT score, anomaly, rule_points, volume_points, rules, reasons FROM scores WHERE user_id = ? AND day = ?",
        [case.user_id, case.day],
    ).fetchall()
    score, anomaly, rule_points, volume_points, rules, reasons = found[0] if found else (None, None, None, None, [], "")
    start = datetime.combine(case.day - timedelta(days=EVIDENCE_DAYS), datetime.min.time())
    end = datetime.combine(case.day + timedelta(days=1), datetime.min.time())
    events = people.events_between(store, case.user_id, start, end)
    return {
        "case": {
            "id": case.case_id, "title": case.title, "subject": person, "alert_day": case.day.isoformat(),
            "status": case.status.value, "assignee": case.assignee, "opened_by": case.opened_by,
            "opened_at": case.opened_at.isoformat(), "notes": [
                {"author": n.author, "text": n.text, "at": n.created_at.isoformat()} for n in case.notes
            ],
        },
        "alert": {"score": score, "anomaly": anomaly, "rule_points": rule_points, "volume_points": volume_points,
                  "rules": list(rules or []), "reasons": reasons},
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
