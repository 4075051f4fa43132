"""Dashboard accounts: a name, a role, an argon2 password hash.

A disabled account keeps its row with the hash prefixed by "!" (as /etc/shadow locks a password): it cannot sign in
and its sessions are ended; `molehunt user add NAME --replace` gives it a new password and enables it again."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

import duckdb
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from molehunt.clock import utc_now
from molehunt.errors import MolehuntError
from molehunt.store import Store

_HASHER = PasswordHasher()


@functools.cache
def _dummy_hash() -> str:
    """Verified against when the name is unknown, so a wrong name costs as long as a wrong password."""
    return _HASHER.hash("molehunt-no-such-user")


_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
MIN_PASSWORD = 12
DISABLED = "!"  # prefix of a disabled account's password hash


class Role(StrEnum):
    """What an account may do: viewers read, analysts also reveal and work cases, admins also change rules."""

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


def _now() -> datetime:
    return utc_now()


def add_user(store: Store, name: str, role: Role, password: str, *, replace: bool = False) -> Account:
    """Create (or with replace, reset) an account; AccountError for a bad name, short password or existing name."""
    if not _NAME.match(name):
        raise AccountError(f"bad user name {name!r}: use letters, digits, '.', '_' or '-' (at most 64)")
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"the password is too short: use at least {MIN_PASSWORD} characters")
    exists = store.count("SELECT count(*) FROM web_users WHERE name = ?", [name]) > 0
    if exists and not replace:
        raise AccountError(f"user {name!r} exists already; pass --replace to reset their role and password")
    with store.transaction() as con:
        con.execute("DELETE FROM web_users WHERE name = ?", [name])
        con.execute("INSERT INTO web_users VALUES (?, ?, ?, ?)", [name, role.value, _HASHER.hash(password), _now()])
        _end_sessions(con, name)  # a reset ends their sessions
    return Account(name, role)


def authenticate(store: Store, name: str, password: str) -> Account | None:
    """The account when the password matches and the account is enabled, else None (same cost either way)."""
    rows = store.con.execute("SELECT role, password_hash FROM web_users WHERE name = ?", [name]).fetchall()
    stored = rows[0][1].removeprefix(DISABLED) if rows else _dummy_hash()
    try:
        _HASHER.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return None
    if not rows or rows[0][1].startswith(DISABLED):
        return None
    return Account(name, Role(rows[0][0]))


def find_account(store: Store, name: str) -> Account | None:
    """The account called `name` (enabled or not), or None."""
    rows = store.con.execute("SELECT role, password_hash FROM web_users WHERE name = ?", [name]).fetchall()
    return Account(name, Role(rows[0][0]), rows[0][1].startswith(DISABLED)) if rows else None


def require_account(store: Store, name: str) -> Account:
    """The account called `name`; AccountError when there is none."""
    account = find_account(store, name)
    if account is None:
        raise AccountError(f"no dashboard account {name!r}: `molehunt user ls` lists them")
    return account


def disable_user(store: Store, name: str) -> None:
    """Refuse `name`'s sign-ins from now on and end their sessions (their row and history stay)."""
    with store.transaction() as con:
        con.execute(
            "UPDATE web_users SET password_hash = ? || password_hash"
            " WHERE name = ? AND NOT starts_with(password_hash, ?)",
            [DISABLED, name, DISABLED],
        )
        _end_sessions(con, name)


def remove_user(store: Store, name: str) -> None:
    """Delete `name`'s account and end their sessions (cases and the audit log keep the name)."""
    with store.transaction() as con:
        _end_sessions(con, name)
        con.execute("DELETE FROM web_users WHERE name = ?", [name])


def _end_sessions(con: duckdb.DuckDBPyConnection, name: str) -> None:
    digests = "SELECT token_sha256 FROM web_sessions WHERE name = ?"
    con.execute(f"DELETE FROM web_reveals WHERE token_sha256 IN ({digests})", [name])
    con.execute("DELETE FROM web_sessions WHERE name = ?", [name])


def list_users(store: Store) -> list[Account]:
    rows = store.con.execute("SELECT name, role, password_hash FROM web_users ORDER BY name").fetchall()
    return [Account(name, Role(role), digest.startswith(DISABLED)) for name, role, digest in rows]
