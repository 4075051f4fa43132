"""Dashboard accounts: a name, a role, an argon2 password hash, kept in the operational store (HOME/workbench.sqlite,
molehunt.opstore), so `molehunt user ...` works while a server runs and a pipeline holds the analytics store.

A disabled account keeps its row with the hash prefixed by "!" (as /etc/shadow locks a password): it cannot sign in
and its sessions are ended; `molehunt user add NAME --replace` gives it a new password and enables it again."""

from __future__ import annotations

import functools
import re
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from molehunt.clock import utc_now
from molehunt.errors import MolehuntError
from molehunt.opstore import ensure_schema, transaction

_HASHER = PasswordHasher()


@functools.cache
def _dummy_hash() -> str:
    """Verified against when the name is unknown, so a wrong name costs as long as a wrong password."""
    return _HASHER.hash("molehunt-no-such-user")


_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
MIN_PASSWORD = 12
DISABLED = "!"  # prefix of a disabled account's password hash


class Role(StrEnum):
    """What an account may do: members use the vault as themselves (and approve if granted so) and see nothing of
    detection; viewers read the dashboard, analysts also reveal and work cases, admins also change rules."""

    MEMBER = "member"
    VIEWER = "viewer"
    ANALYST = "analyst"
    ADMIN = "admin"

    @property
    def rank(self) -> int:
        return list(Role).index(self)

    def allows(self, needed: Role) -> bool:
        return self.rank >= needed.rank


@dataclass(frozen=True)
class Account:
    name: str
    role: Role
    disabled: bool = False


class AccountError(MolehuntError):
    """An account cannot be created as asked."""


TABLES = (
    """CREATE TABLE IF NOT EXISTS web_users (
        name TEXT PRIMARY KEY,
        role TEXT NOT NULL CHECK (role IN ('member', 'viewer', 'analyst', 'admin')),
        password_hash TEXT NOT NULL,
        created_at TEXT NOT NULL  -- ISO 8601, naive UTC as molehunt.clock keeps time
    )""",
    # Sessions are stored by the SHA-256 of their token, so a copy of the file does not hand out live sessions;
    # they go with their account (and take the session's reveals with them, see identities).
    """CREATE TABLE IF NOT EXISTS web_sessions (
        token_sha256 TEXT PRIMARY KEY,
        name TEXT NOT NULL REFERENCES web_users (name) ON DELETE CASCADE,
        csrf_token TEXT NOT NULL,
        created_at TEXT NOT NULL,
        expires_at TEXT NOT NULL
    )""",
    "CREATE INDEX IF NOT EXISTS web_sessions_name ON web_sessions (name)",
)


def schema(con: sqlite3.Connection) -> None:
    """The accounts' and sessions' tables (sessions reference accounts, so both are declared here)."""
    ensure_schema(con, "accounts", TABLES)


def stamp(at: datetime) -> str:
    """How a time is kept in the operational store: ISO 8601 with microseconds, so text order is time order."""
    return at.isoformat(sep=" ", timespec="microseconds")


def _now() -> str:
    return stamp(utc_now())


def add_user(
    con: sqlite3.Connection,
    name: str,
    role: Role,
    password: str,
    *,
    replace: bool = False,
    record: Callable[[bool], object] | None = None,
) -> Account:
    """Create (or with replace, reset) an account; AccountError for a bad name, short password or existing name.
    ``record(existed)`` runs inside the write, before it commits: an audit entry that cannot be written undoes it."""
    if not _NAME.match(name):
        raise AccountError(f"bad user name {name!r}: use letters, digits, '.', '_' or '-' (at most 64)")
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"the password is too short: use at least {MIN_PASSWORD} characters")
    schema(con)
    digest = _HASHER.hash(password)  # slow on purpose: outside the write lock
    with transaction(con):
        exists = con.execute("SELECT 1 FROM web_users WHERE name = ?", (name,)).fetchone() is not None
        if exists and not replace:
            raise AccountError(f"user {name!r} exists already; pass --replace to reset their role and password")
        if record is not None:
            record(exists)
        _end_sessions(con, name)  # a reset ends their sessions
        con.execute(
            "INSERT INTO web_users VALUES (?, ?, ?, ?) ON CONFLICT (name) DO UPDATE SET role = excluded.role,"
            " password_hash = excluded.password_hash, created_at = excluded.created_at",
            (name, role.value, digest, _now()),
        )
    return Account(name, role)


def authenticate(con: sqlite3.Connection, name: str, password: str) -> Account | None:
    """The account when the password matches and the account is enabled, else None (same cost either way)."""
    schema(con)
    row = con.execute("SELECT role, password_hash FROM web_users WHERE name = ?", (name,)).fetchone()
    stored = row[1].removeprefix(DISABLED) if row else _dummy_hash()
    try:
        _HASHER.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return None
    if row is None or row[1].startswith(DISABLED):
        return None
    return Account(name, Role(row[0]))


def find_account(con: sqlite3.Connection, name: str) -> Account | None:
    """The account called `name` (enabled or not), or None."""
    schema(con)
    row = con.execute("SELECT role, password_hash FROM web_users WHERE name = ?", (name,)).fetchone()
    return Account(name, Role(row[0]), row[1].startswith(DISABLED)) if row else None


def require_account(con: sqlite3.Connection, name: str) -> Account:
    """The account called `name`; AccountError when there is none."""
    account = find_account(con, name)
    if account is None:
        raise AccountError(f"no dashboard account {name!r}: `molehunt user ls` lists them")
    return account


def disable_user(con: sqlite3.Connection, name: str) -> None:
    """Refuse `name`'s sign-ins from now on and end their sessions (their row and history stay)."""
    schema(con)
    with transaction(con):
        con.execute(
            "UPDATE web_users SET password_hash = ? || password_hash"
            " WHERE name = ? AND substr(password_hash, 1, 1) <> ?",
            (DISABLED, name, DISABLED),
        )
        _end_sessions(con, name)


def remove_user(con: sqlite3.Connection, name: str) -> None:
    """Delete `name`'s account and end their sessions (cases and the audit log keep the name)."""
    schema(con)
    with transaction(con):
        _end_sessions(con, name)
        con.execute("DELETE FROM web_users WHERE name = ?", (name,))


def _end_sessions(con: sqlite3.Connection, name: str) -> None:
    con.execute("DELETE FROM web_sessions WHERE name = ?", (name,))  # their reveals go with them (ON DELETE CASCADE)


def list_users(con: sqlite3.Connection) -> list[Account]:
    schema(con)
    rows = con.execute("SELECT name, role, password_hash FROM web_users ORDER BY name").fetchall()
    return [Account(name, Role(role), digest.startswith(DISABLED)) for name, role, digest in rows]
