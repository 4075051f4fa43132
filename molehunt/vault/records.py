"""Every vault request leaves two records: an audit log entry (the evidence) and a canonical event (for detection).

The audit entry is appended first and is the source of truth; the event points back at it through provenance:
file_id is the single ``ingested_files`` row (role 'vault') standing for the log's ``entries.log`` and line is the
entry's index. Event content reads ``allowed: <policies>`` or ``denied: <reason>``; a touch of a decoy is prefixed
``decoy touch: `` so detectors can count denials and decoy touches without reading the audit log.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from molehunt.audit import NewEntry, append_entry
from molehunt.audit.entries import JsonValue
from molehunt.audit.verify import ENTRIES_FILE
from molehunt.clock import utc_now
from molehunt.events import ACTIVITIES, EVENT_COLUMN_NAMES, Event, EventKind, Provenance

SOURCE = "vault"
ROLE = "vault"


@dataclass(frozen=True)
class Outcome:
    """One request and how it ended, as both records need it."""

    actor: str
    action: str
    target: str
    allowed: bool
    reason: str
    time: datetime
    doc_id: str | None = None
    content_type: str | None = None
    size: int | None = None
    decoy: bool = False
    details: dict[str, JsonValue] = field(default_factory=dict)

    @property
    def summary(self) -> str:
        said = f"{'allowed' if self.allowed else 'denied'}: {self.reason}"
        return f"decoy touch: {said}" if self.decoy and self.action in {"read", "checkout"} else said


def append_audit(audit_dir: Path, keys_dir: Path, outcome: Outcome) -> int:
    """Append the outcome to the audit log and return the entry's index (AuditError if the log is damaged)."""
    details: dict[str, JsonValue] = {
        "decision": "allow" if outcome.allowed else "deny",
        "reason": outcome.reason,
        **({"decoy": True} if outcome.decoy else {}),
        **outcome.details,
    }
    entry = NewEntry(outcome.actor, outcome.action, outcome.target, details, time=outcome.time)
    return append_entry(audit_dir, keys_dir, entry)


def insert_event(con: duckdb.DuckDBPyConnection, audit_dir: Path, outcome: Outcome, seq: int) -> None:
    """Insert the outcome's canonical event (inside the caller's transaction); skipped for non-event actions."""
    if outcome.action not in ACTIVITIES[EventKind.VAULT]:
        return
    file_id = log_file_id(con, audit_dir / ENTRIES_FILE)
    event = Event(
        source=SOURCE,
        kind=EventKind.VAULT,
        time=outcome.time.astimezone(UTC).replace(tzinfo=None),
        user_id=outcome.actor,
        activity=outcome.action,
        provenance=Provenance(file_id=file_id, line=seq),
        event_id=f"audit-{seq}",
        path=outcome.doc_id,
        bytes=outcome.size,
        content_type=outcome.content_type,
        content=outcome.summary,
    )
    columns = ", ".join(EVENT_COLUMN_NAMES)
    marks = ", ".join("?" for _ in EVENT_COLUMN_NAMES)
    con.execute(f"INSERT INTO events ({columns}) VALUES ({marks})", list(event.to_row()))  # noqa: S608 (literal names)
    con.execute(
        "UPDATE ingested_files SET rows_read = rows_read + 1, rows_ingested = rows_ingested + 1, ingested_at = ?"
        " WHERE file_id = ?",
        [event.time, file_id],
    )


def log_file_id(con: duckdb.DuckDBPyConnection, entries: Path) -> int:
    """The file_id of the ``ingested_files`` row standing for the audit log, created (complete) on first use."""
    path = str(entries.resolve())
    found = con.execute("SELECT file_id FROM ingested_files WHERE role = ? AND path = ?", [ROLE, path]).fetchall()
    if found:
        return int(found[0][0])
    file_id = int(con.execute("SELECT coalesce(max(file_id), 0) + 1 FROM ingested_files").fetchall()[0][0])
    # The log grows, so its content hash would change each time: the row is keyed by the log's path instead.
    key = "vault-audit-log:" + hashlib.sha256(path.encode()).hexdigest()
    con.execute(
        "INSERT INTO ingested_files VALUES (?, ?, ?, ?, ?, NULL, ?, 0, 0, 0, 0, ?, 'complete')",
        [file_id, path, key, ROLE, SOURCE, ROLE, utc_now()],
    )
    return file_id
