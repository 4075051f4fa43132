"""The workbench's operational state in SQLite: the one store that many processes write at once.

The analytics store (DuckDB, `HOME/molehunt.duckdb`) admits one writing process at a time, and an ingest or
scoring run holds it for minutes. What the dashboard and the `user` commands write all day long (accounts,
sessions, reveals, triage, cases) therefore lives apart, in `HOME/workbench.sqlite`: SQLite in WAL mode lets
readers go on while one writer commits, and a writer waits (busy timeout) for another's short transaction instead
of failing. Each module that keeps state here declares its own tables (`ensure_schema`), so modules stay
independent.

Connections are per thread (sqlite3 objects must not cross threads): `connect(home)` opens one; close it when done.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from molehunt.config import Home

OPS_FILE = "workbench.sqlite"
BUSY_TIMEOUT_MS = 5_000  # a writer waits this long for another's transaction (they last milliseconds)

_ensured: set[tuple[str, str]] = set()  # (file, part) whose statements ran in this process
_ensured_lock = threading.Lock()


def connect(home: Home) -> sqlite3.Connection:
    """A new connection to HOME/workbench.sqlite (created private, WAL, foreign keys on, autocommit: use
    `transaction` for several statements)."""
    # The home is made private when a command starts (Home.ensure); a connection per request must not walk it.
    home.root.mkdir(mode=0o700, parents=True, exist_ok=True)
    path = home.root / OPS_FILE
    if not path.exists():
        # Created 0600 before SQLite opens it, whatever the umask (its -wal and -shm follow the file's mode).
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
    con = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None, check_same_thread=True)
    con.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    con.execute("PRAGMA journal_mode = WAL")
    con.execute("PRAGMA synchronous = NORMAL")  # durable at each checkpoint; WAL keeps it consistent after a crash
    con.execute("PRAGMA foreign_keys = ON")
    return con


@contextmanager
def transaction(con: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """BEGIN IMMEDIATE ... COMMIT (ROLLBACK on error): takes the write lock up front, so two writers never
    deadlock upgrading a read."""
    con.execute("BEGIN IMMEDIATE")
    try:
        yield con
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")


def ensure_schema(con: sqlite3.Connection, part: str, statements: Sequence[str]) -> None:
    """Run a module's idempotent DDL (`CREATE TABLE IF NOT EXISTS ...`) once per process and database file."""
    file = str(con.execute("PRAGMA database_list").fetchone()[2])
    key = (file, part)
    with _ensured_lock:
        if key in _ensured:
            return
    with transaction(con):
        for statement in statements:
            con.execute(statement)
    with _ensured_lock:
        _ensured.add(key)
