"""What a person's protection level does in the vault, and the two-person rule's requests and approvers.

Levels come from molehunt.protect (the operational store); the thresholds from the protection policy
(HOME/protect.yaml, molehunt.protect.policy). At ``elevated`` the documents at or above the policy's
``protected_level`` are capped per day and every copy carries a visible notice; at ``high`` each read or checkout
of such a document is held until an approver (a subject granted with ``approver``) approves it; the approval lets
the requester's same request through once within :data:`APPROVAL_TTL`.

Requests and approvers live in the operational store (SQLite, many writers). The approver flag is also in each
grant's audit entry, so a row added behind the log's back is caught like any other tampered clearance
(molehunt.vault.state).
"""

from __future__ import annotations

import os
import pwd
import secrets
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta

from molehunt.config import Home
from molehunt.opstore import ensure_schema, transaction
from molehunt.protect.policy import Policy
from molehunt.vault.errors import VaultError

APPROVAL_TTL = timedelta(hours=24)
STATES = ("pending", "approved", "denied", "used", "expired")
DEFAULT_PROTECTED_LEVEL = "SECRET"
DEFAULT_ELEVATED_DAILY_CAP = 10

TABLES = (
    """CREATE TABLE IF NOT EXISTS vault_requests (
        id TEXT PRIMARY KEY,
        user_id TEXT NOT NULL,
        doc_id TEXT NOT NULL,
        action TEXT NOT NULL CHECK (action IN ('read', 'checkout')),
        state TEXT NOT NULL CHECK (state IN ('pending', 'approved', 'denied', 'used', 'expired')),
        created TEXT NOT NULL,
        decided TEXT,
        decided_by TEXT,
        reason TEXT
    )""",
    "CREATE INDEX IF NOT EXISTS vault_requests_user ON vault_requests (user_id, doc_id, action, state)",
    "CREATE TABLE IF NOT EXISTS vault_approvers (user_id TEXT PRIMARY KEY)",
)


@dataclass(frozen=True)
class Settings:
    """The policy's vault part: documents at or above ``protected_level`` are affected by a person's level."""

    protected_level: str = DEFAULT_PROTECTED_LEVEL
    elevated_daily_cap: int = DEFAULT_ELEVATED_DAILY_CAP


@dataclass(frozen=True)
class Request:
    """A held read or checkout and what became of it."""

    id: str
    user: str
    doc_id: str
    action: str
    state: str
    created: datetime
    decided_by: str | None
    reason: str | None

    def to_json(self) -> dict[str, str]:
        return {"id": self.id, "user": self.user, "doc_id": self.doc_id, "action": self.action, "state": self.state}


def settings(home: Home) -> Settings:
    """The vault's part of the home's protection policy (InputError, one line, when the policy file is bad)."""
    found = Policy.for_home(home)
    return Settings(found.protected_level, found.elevated_daily_cap)


def notice(user: str, when: datetime, copy: int) -> str:
    """The visible line every copy handed to a person at elevated carries (besides the fingerprint).

    >>> from datetime import datetime
    >>> notice("alice", datetime(2026, 3, 1, 9), 2)
    'Issued to alice on 2026-03-01 - copy 2'
    """
    return f"Issued to {user} on {when.date().isoformat()} - copy {copy}"


def administrator(home: Home) -> str:
    """The operating-system user running this process, when it owns the home (the only one who may act as
    another vault user from the command line); VaultError otherwise."""
    uid = os.getuid()
    if uid != home.root.stat().st_uid:
        raise VaultError(f"--as is for the owner of {home.root} only; sign in to the dashboard as yourself")
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return f"uid {uid}"


def schema(con: sqlite3.Connection) -> None:
    ensure_schema(con, "vault.protection", TABLES)


def approvers(con: sqlite3.Connection) -> frozenset[str]:
    schema(con)
    return frozenset(row[0] for row in con.execute("SELECT user_id FROM vault_approvers"))


def set_approver(con: sqlite3.Connection, user: str, approver: bool) -> None:
    """Store the flag (the caller has written the grant's audit entry first)."""
    schema(con)
    with transaction(con):
        con.execute("DELETE FROM vault_approvers WHERE user_id = ?", (user,))
        if approver:
            con.execute("INSERT INTO vault_approvers VALUES (?)", (user,))


def new_request(con: sqlite3.Connection, request_id: str, user: str, doc_id: str, action: str, now: datetime) -> None:
    schema(con)
    with transaction(con):
        con.execute(
            "INSERT INTO vault_requests (id, user_id, doc_id, action, state, created) VALUES (?, ?, ?, ?, ?, ?)",
            (request_id, user, doc_id, action, "pending", now.isoformat()),
        )


def request_id() -> str:
    return "req-" + secrets.token_hex(6)


def get(con: sqlite3.Connection, request: str) -> Request | None:
    schema(con)
    row = con.execute(f"{_SELECT} WHERE id = ?", (request,)).fetchone()
    return _request(row) if row else None


def expire(con: sqlite3.Connection, now: datetime) -> None:
    """Approvals left unused for :data:`APPROVAL_TTL` become ``expired``."""
    schema(con)
    with transaction(con):
        con.execute(
            "UPDATE vault_requests SET state = 'expired' WHERE state = 'approved' AND decided < ?",
            ((now - APPROVAL_TTL).isoformat(),),
        )


def requests(con: sqlite3.Connection, *, state: str | None = None) -> list[Request]:
    """Every request (or those in ``state``), newest first."""
    schema(con)
    rows = con.execute(
        f"{_SELECT} WHERE ? IS NULL OR state = ? ORDER BY created DESC, id",
        (state, state),
    ).fetchall()
    return [_request(row) for row in rows]


def usable_approval(con: sqlite3.Connection, user: str, doc_id: str, action: str, now: datetime) -> str | None:
    """The id of an approval of exactly this request, decided within :data:`APPROVAL_TTL` and not yet used."""
    schema(con)
    since = (now - APPROVAL_TTL).isoformat()
    row = con.execute(
        "SELECT id FROM vault_requests WHERE user_id = ? AND doc_id = ? AND action = ? AND state = 'approved'"
        " AND decided >= ? ORDER BY decided LIMIT 1",
        (user, doc_id, action, since),
    ).fetchone()
    return str(row[0]) if row else None


def decide(con: sqlite3.Connection, request: str, state: str, by: str, reason: str, now: datetime) -> None:
    """Move a pending request to approved or denied; a used approval to used."""
    schema(con)
    with transaction(con):
        con.execute(
            "UPDATE vault_requests SET state = ?, decided = coalesce(?, decided), decided_by = coalesce(?, decided_by),"
            " reason = coalesce(?, reason) WHERE id = ?",
            (state, now.isoformat() if state != "used" else None, by or None, reason or None, request),
        )


_SELECT = "SELECT id, user_id, doc_id, action, state, created, decided_by, reason FROM vault_requests"


def _request(row: tuple[str, str, str, str, str, str, str | None, str | None]) -> Request:
    rid, user, doc_id, action, state, created, by, reason = row
    return Request(rid, user, doc_id, action, state, datetime.fromisoformat(created), by, reason)
