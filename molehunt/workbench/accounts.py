"""Dashboard accounts: a name, a role, an argon2 password hash."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

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
        con.execute("DELETE FROM web_sessions WHERE name = ?", [name])  # a reset ends their sessions
    return Account(name, role)


def authenticate(store: Store, name: str, password: str) -> Account | None:
    """The account when the password matches, else None (same cost either way)."""
    rows = store.con.execute("SELECT role, password_hash FROM web_users WHERE name = ?", [name]).fetchall()
    stored = rows[0][1] if rows else _dummy_hash()
    try:
        _HASHER.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return None
    return Account(name, Role(rows[0][0])) if rows else None


def list_users(store: Store) -> list[Account]:
    rows = store.con.execute("SELECT name, role FROM web_users ORDER BY name").fetchall()
    return [Account(name, Role(role)) for name, role in rows]
