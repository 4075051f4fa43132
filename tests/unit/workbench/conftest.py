"""A writable copy of the shared scored home, its analytics store, its operational store with one account per
role, and signed-in sessions."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from molehunt.audit import AuditLog
from molehunt.audit.verify import ENTRIES_FILE
from molehunt.config import Home
from molehunt.store import Store, open_store
from molehunt.workbench import ops as opstate
from molehunt.workbench.accounts import Role, add_user
from molehunt.workbench.sessions import Session, session_for, start_session
from tests.homes import copy_of

PASSWORD = "correct horse battery"


@pytest.fixture(scope="module")
def home(scored_home: Home, tmp_path_factory: pytest.TempPathFactory) -> Home:
    return copy_of(scored_home, tmp_path_factory.mktemp("workbench") / "home")


@pytest.fixture(scope="module")
def store(home: Home) -> Iterator[Store]:
    with open_store(home.store_path) as opened:
        yield opened


@pytest.fixture(scope="module")
def ops(home: Home, store: Store) -> Iterator[sqlite3.Connection]:
    """The home's operational store, with an account per role."""
    con = opstate.connect(home, store)
    for role in Role:
        add_user(con, role.value, role, PASSWORD, replace=True)
    yield con
    con.close()


def sign_in(ops: sqlite3.Connection, name: str) -> Session:
    found = session_for(ops, start_session(ops, name))
    assert found is not None
    return found


def audit_entries(home: Home) -> list[dict[str, object]]:
    with AuditLog.open(home.root / "audit", home.root / "keys") as log:
        return [log.entry(i).to_json() for i in range(log.size)]


def tear_audit_log(home: Home) -> Path:
    """Leave a half-written entry at the end of the audit log, as a crash mid-append would: the log refuses every
    append until it is repaired. Returns the log file."""
    path = home.root / "audit" / ENTRIES_FILE
    with path.open("ab") as handle:
        handle.write((1000).to_bytes(4, "big") + b'{"action"')
    return path
