"""Every vault request leaves two records: an audit log entry (the evidence) and a canonical event (for detection).

The audit entry is appended first and is the source of truth; the event points back at it through provenance:
file_id is the single ``ingested_files`` row (role 'vault') standing for the log's ``entries.log`` and line is the
entry's index. Event content reads ``allowed: <policies>``, ``denied: <reason>`` or ``held: <reason>`` (waiting for
a second person's approval); a touch of a decoy is prefixed
``decoy touch: `` so detectors can count denials and decoy touches without reading the audit log. An approver's
decision on a held request is an event of the *requester* (activity ``approve`` or ``deny``, content
``approved: <action> by a second person`` or ``refused: <action> by a second person``): it is the requester the
detector weighs; the audit entry names the approver. A refused attempt to decide (not an approver, one's own
request) stays the actor's ``denied:`` event.

The two records are one step (:func:`record`, under the home's vault lock, see molehunt.vault.lock): before the
entry is appended, ``HOME/vault/pending`` names the request id the entry will carry; the event is committed (retried
on a DuckDB write conflict) and only then is the file removed. A crash in between leaves the file behind, and the
next vault operation (:func:`repair`) finds the entry by its request id and inserts the missing event, so the log
never keeps an entry whose event the detector cannot see. The entry carries what the event needs to be rebuilt.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from molehunt.audit import AuditLog, Entry, NewEntry, append_entry
from molehunt.audit.entries import JsonValue
from molehunt.audit.log import open_waiting
from molehunt.audit.verify import ENTRIES_FILE
from molehunt.clock import utc_now
from molehunt.config import Home
from molehunt.events import ACTIVITIES, EVENT_COLUMN_NAMES, Event, EventKind, Provenance
from molehunt.store import Store
from molehunt.vault.errors import VaultError
from molehunt.vault.lock import vault_dir

SOURCE = "vault"
ROLE = "vault"
PENDING_FILE = "pending"
_ATTEMPTS = 6  # DuckDB write conflicts: retried with a doubling pause from 10 ms (about 0.6 s in all)


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
    held: bool = False  # not allowed yet: waiting for a second person's approval

    @property
    def decision(self) -> str:
        return "hold" if self.held else "allow" if self.allowed else "deny"

    @property
    def summary(self) -> str:
        said = f"{'held' if self.held else 'allowed' if self.allowed else 'denied'}: {self.reason}"
        return f"decoy touch: {said}" if self.decoy and self.action in {"read", "checkout"} else said


def append_audit(audit_dir: Path, keys_dir: Path, outcome: Outcome, *, request: str | None = None) -> int:
    """Append the outcome to the audit log and return the entry's index (AuditError if the log is damaged)."""
    event_fields = {"doc_id": outcome.doc_id, "content_type": outcome.content_type, "bytes": outcome.size}
    details: dict[str, JsonValue] = {
        "decision": outcome.decision,
        "reason": outcome.reason,
        **({"decoy": True} if outcome.decoy else {}),
        **({"request": request} if request is not None else {}),
        **{name: value for name, value in event_fields.items() if value is not None},
        **outcome.details,
    }
    entry = NewEntry(outcome.actor, outcome.action, outcome.target, details, time=outcome.time)
    return append_entry(audit_dir, keys_dir, entry)


def insert_event(con: duckdb.DuckDBPyConnection, audit_dir: Path, outcome: Outcome, seq: int) -> None:
    """Insert the outcome's canonical event (inside the caller's transaction); skipped for non-event actions."""
    if outcome.action not in ACTIVITIES[EventKind.VAULT]:
        return
    file_id = log_file_id(con, audit_dir / ENTRIES_FILE)
    user, content = _subject(outcome)
    event = Event(
        source=SOURCE,
        kind=EventKind.VAULT,
        time=outcome.time.astimezone(UTC).replace(tzinfo=None),
        user_id=user,
        activity=outcome.action,
        provenance=Provenance(file_id=file_id, line=seq),
        event_id=f"audit-{seq}",
        path=outcome.doc_id,
        bytes=outcome.size,
        content_type=outcome.content_type,
        content=content,
    )
    columns = ", ".join(EVENT_COLUMN_NAMES)
    marks = ", ".join("?" for _ in EVENT_COLUMN_NAMES)
    con.execute(f"INSERT INTO events ({columns}) VALUES ({marks})", list(event.to_row()))  # noqa: S608 (literal names)
    con.execute(
        "UPDATE ingested_files SET rows_read = rows_read + 1, rows_ingested = rows_ingested + 1, ingested_at = ?"
        " WHERE file_id = ?",
        [event.time, file_id],
    )


def _subject(outcome: Outcome) -> tuple[str, str]:
    """The (user, content) of the outcome's event: a second person's decision on a held request is the requester's."""
    requester, requested = outcome.details.get("user"), outcome.details.get("request_action")
    if outcome.action in {"approve", "deny"} and outcome.allowed and isinstance(requester, str):
        verdict = "approved" if outcome.action == "approve" else "refused"
        return requester, f"{verdict}: {requested} by a second person"
    return outcome.actor, outcome.summary


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


def record(home: Home, store: Store, outcome: Outcome, apply: Callable[[duckdb.DuckDBPyConnection, int], None]) -> int:
    """Append the outcome's audit entry, then in one transaction ``apply(con, seq)`` and insert its event; returns
    the entry's index. The caller holds the home's vault lock. VaultError when the store stays in conflict."""
    pending = vault_dir(home.root) / PENDING_FILE
    request = secrets.token_hex(8)
    _write_durably(pending, request)
    seq = append_audit(home.audit_dir, home.keys_dir, outcome, request=request)

    def work(con: duckdb.DuckDBPyConnection) -> None:
        apply(con, seq)
        insert_event(con, home.audit_dir, outcome, seq)

    in_transaction(store, work)
    pending.unlink()
    return seq


def in_transaction(store: Store, work: Callable[[duckdb.DuckDBPyConnection], None]) -> None:
    """Run ``work`` in a transaction, again after a DuckDB write conflict (another cursor of the same database
    committed first); VaultError when the conflicts go on."""
    for attempt in range(_ATTEMPTS):
        try:
            with store.transaction() as con:
                work(con)
            return
        except duckdb.TransactionException as exc:
            if "conflict" not in str(exc).lower():
                raise
            time.sleep(0.01 * 2**attempt)
    raise VaultError(
        "the store kept refusing the vault's write (conflicting writers); the request is in the audit log and its "
        "event will be added by the next vault operation"
    )


def repair(home: Home, store: Store) -> int | None:
    """After a crash between an audit entry and its event: insert the missing event. Returns the repaired entry's
    index, or None when nothing was pending (or the entry was never written). The caller holds the vault lock."""
    pending = vault_dir(home.root) / PENDING_FILE
    try:
        request = pending.read_text().strip()
    except FileNotFoundError:
        return None
    found = _find_request(home, request)
    repaired = None
    if found is not None and found.action in ACTIVITIES[EventKind.VAULT]:
        event_id = f"audit-{found.seq}"
        present = store.count("SELECT count(*) FROM events WHERE source = ? AND event_id = ?", [SOURCE, event_id])
        if not present:
            outcome = outcome_of(found)
            in_transaction(store, lambda con: insert_event(con, home.audit_dir, outcome, found.seq))
            repaired = found.seq
    pending.unlink()
    return repaired


def outcome_of(entry: Entry) -> Outcome:
    """The outcome an entry written by :func:`append_audit` records (what its event is rebuilt from)."""
    details = entry.details

    def text(name: str) -> str | None:
        value = details.get(name)
        return value if isinstance(value, str) else None

    size = details.get("bytes")
    return Outcome(
        entry.actor,
        entry.action,
        entry.target,
        details.get("decision") == "allow",
        text("reason") or "",
        datetime.strptime(entry.time, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC),
        doc_id=text("doc_id"),
        content_type=text("content_type"),
        size=size if isinstance(size, int) and not isinstance(size, bool) else None,
        decoy=details.get("decoy") is True,
        details=dict(details),
        held=details.get("decision") == "hold",
    )


def open_log(home: Home) -> AuditLog:
    """The home's audit log opened to be read, waiting (about two seconds) for another writer's append."""
    return open_waiting(home.audit_dir, home.keys_dir)


def _find_request(home: Home, request: str) -> Entry | None:
    with open_log(home) as log:
        for index in range(log.size - 1, -1, -1):  # the entry is near the end: written just before a crash
            entry = log.entry(index)
            if entry.details.get("request") == request:
                return entry
    return None


def _write_durably(path: Path, text: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.write(fd, text.encode())
        os.fsync(fd)
    finally:
        os.close(fd)
