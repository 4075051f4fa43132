"""Login sessions: a random bearer token in an HttpOnly cookie, stored only as its SHA-256, with a CSRF token."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from molehunt.clock import utc_now
from molehunt.store import Store
from molehunt.workbench.accounts import DISABLED, Role

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


def _now() -> datetime:
    return utc_now()


def start_session(store: Store, name: str, hours: int = SESSION_HOURS) -> str:
    """A new session for `name`; returns the token to set as the cookie (expired sessions are swept here)."""
    token = secrets.token_urlsafe(32)
    now = _now()
    with store.transaction() as con:
        con.execute("DELETE FROM web_sessions WHERE expires_at < ?", [now])
        con.execute(
            "INSERT INTO web_sessions VALUES (?, ?, ?, ?, ?)",
            [_digest(token), name, secrets.token_urlsafe(32), now, now + timedelta(hours=hours)],
        )
    return token


def session_for(store: Store, token: str | None) -> Session | None:
    """The live session of a cookie token, or None (unknown, expired, or the account is gone or disabled)."""
    if not token:
        return None
    rows = store.con.execute(
        "SELECT s.name, u.role, s.csrf_token, s.token_sha256 FROM web_sessions s JOIN web_users u USING (name)"
        " WHERE s.token_sha256 = ? AND s.expires_at > ? AND NOT starts_with(u.password_hash, ?)",
        [_digest(token), _now(), DISABLED],
    ).fetchall()
    if not rows:
        return None
    name, role, csrf, digest = rows[0]
    return Session(name, Role(role), csrf, digest)


def end_session(store: Store, token: str | None) -> None:
    if token:
        with store.transaction() as con:
            digest = _digest(token)
            con.execute("DELETE FROM web_sessions WHERE token_sha256 = ?", [digest])
            con.execute("DELETE FROM web_reveals WHERE token_sha256 = ?", [digest])
