"""Login sessions: a random bearer token in an HttpOnly cookie, stored only as its SHA-256, with a CSRF token.

They live in the operational store beside the accounts (molehunt.workbench.accounts declares both tables)."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import sqlite3
from dataclasses import dataclass
from datetime import timedelta

from molehunt.clock import utc_now
from molehunt.opstore import transaction
from molehunt.workbench.accounts import DISABLED, Role, schema, stamp

SESSION_HOURS = 8  # one working day


@dataclass(frozen=True)
class Session:
    name: str
    role: Role
    csrf_token: str
    token_sha256: str

    def csrf_ok(self, offered: str | None) -> bool:
        return offered is not None and hmac.compare_digest(offered.encode(), self.csrf_token.encode())


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(con: sqlite3.Connection, name: str, hours: int = SESSION_HOURS) -> str:
    """A new session for `name`; returns the token to set as the cookie (expired sessions are swept here)."""
    schema(con)
    token = secrets.token_urlsafe(32)
    now = utc_now()
    with transaction(con):
        con.execute("DELETE FROM web_sessions WHERE expires_at < ?", (stamp(now),))
        con.execute(
            "INSERT INTO web_sessions VALUES (?, ?, ?, ?, ?)",
            (_digest(token), name, secrets.token_urlsafe(32), stamp(now), stamp(now + timedelta(hours=hours))),
        )
    return token


def session_for(con: sqlite3.Connection, token: str | None) -> Session | None:
    """The live session of a cookie token, or None (unknown, expired, or the account is gone or disabled)."""
    if not token:
        return None
    schema(con)
    row = con.execute(
        "SELECT s.name, u.role, s.csrf_token, s.token_sha256 FROM web_sessions s JOIN web_users u USING (name)"
        " WHERE s.token_sha256 = ? AND s.expires_at > ? AND substr(u.password_hash, 1, 1) <> ?",
        (_digest(token), stamp(utc_now()), DISABLED),
    ).fetchone()
    if row is None:
        return None
    name, role, csrf, digest = row
    return Session(name, Role(role), csrf, digest)


def end_session(con: sqlite3.Connection, token: str | None) -> None:
    """Sign out: the session and what it revealed are forgotten (reveals go with it, ON DELETE CASCADE)."""
    if token:
        schema(con)
        con.execute("DELETE FROM web_sessions WHERE token_sha256 = ?", (_digest(token),))
