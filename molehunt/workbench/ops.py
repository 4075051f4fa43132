"""The operational store opened ready for use: every workbench table declared, and an older home's rows moved in.

Accounts, sessions, reveals, alert dismissals, cases and case notes used to live in the analytics store (its
migration 4). The first connection to a home's operational store copies those rows into HOME/workbench.sqlite once,
in one transaction that also writes a marker row, and nothing reads them there again (the DuckDB tables stay:
shipped migrations are never edited). Two processes doing this at once take turns; the second finds the marker.

>>> con = connect(home)  # doctest: +SKIP
>>> list_users(con)  # doctest: +SKIP
"""

from __future__ import annotations

import sqlite3
from datetime import date, datetime

from molehunt import opstore
from molehunt.clock import utc_now
from molehunt.config import Home
from molehunt.errors import StoreError
from molehunt.store import Store, open_store
from molehunt.workbench import cases, identities, queue
from molehunt.workbench.accounts import stamp

LEGACY = "analytics-store-v4"  # the marker's name: rows of the DuckDB tables of the store's migration 4
TABLES = (
    """CREATE TABLE IF NOT EXISTS imports (
        name TEXT PRIMARY KEY,
        rows INTEGER NOT NULL,
        done_at TEXT NOT NULL
    )""",
)
_LEGACY_TABLES = ("web_users", "web_sessions", "web_reveals", "alert_dismissals", "cases", "case_notes")


def schema(con: sqlite3.Connection) -> None:
    """Every table the workbench keeps in the operational store."""
    identities.schema(con)  # accounts, sessions, reveals
    queue.schema(con)
    cases.schema(con)
    opstore.ensure_schema(con, "imports", TABLES)


def connect(home: Home, store: Store | None = None) -> sqlite3.Connection:
    """A connection to HOME/workbench.sqlite with every table, after the one-time import of older rows (from `store`,
    or else from the home's analytics store opened read-only when there is one). Close it when done.

    StoreError when the import is due and the analytics store cannot be read (busy with an ingest or scoring run):
    this happens at most once per home, on the first use after an upgrade."""
    con = opstore.connect(home)
    try:
        schema(con)
        if not imported(con):
            if store is not None:
                import_legacy(con, store)
            elif home.store_path.exists():
                try:
                    with open_store(home.store_path, read_only=True) as legacy:
                        import_legacy(con, legacy)
                except StoreError as exc:
                    raise StoreError(
                        f"accounts, sessions and cases move once from the store to {opstore.OPS_FILE} and the store "
                        f"cannot be read now: {exc}"
                    ) from exc
            else:
                _mark(con, 0)  # a new home: nothing to move
    except BaseException:
        con.close()
        raise
    return con


def imported(con: sqlite3.Connection) -> bool:
    """Whether the older rows were moved in (or there were none to move)."""
    return con.execute("SELECT 1 FROM imports WHERE name = ?", (LEGACY,)).fetchone() is not None


def import_legacy(con: sqlite3.Connection, store: Store) -> int | None:
    """Copy the analytics store's accounts, sessions, reveals, dismissals, cases and notes into `con` once; returns
    how many rows were copied, or None when they were copied before. Rows already in `con` win over older ones."""
    schema(con)
    rows = _read_legacy(store)
    if rows is None:
        # `store` is no analytics store (an empty snapshot while nothing is published yet): marking the move done
        # now would leave an older home's accounts and cases behind for good. A later connection moves them.
        return None
    with opstore.transaction(con):
        if imported(con):
            return None
        con.executemany("INSERT OR IGNORE INTO web_users VALUES (?, ?, ?, ?)", rows["web_users"])
        # A reference to a row that is not there cannot be ignored (SQLite's OR IGNORE does not cover foreign keys),
        # so sessions and reveals whose account or session is gone are left behind.
        con.executemany(
            "INSERT OR IGNORE INTO web_sessions SELECT ?, ?, ?, ?, ? WHERE EXISTS"
            " (SELECT 1 FROM web_users WHERE name = ?2)",
            rows["web_sessions"],
        )
        con.executemany(
            "INSERT OR IGNORE INTO web_reveals SELECT ?, ?, ? WHERE EXISTS"
            " (SELECT 1 FROM web_sessions WHERE token_sha256 = ?1)",
            rows["web_reveals"],
        )
        con.executemany("INSERT OR IGNORE INTO alert_dismissals VALUES (?, ?, ?, ?, ?)", rows["alert_dismissals"])
        con.executemany("INSERT OR IGNORE INTO cases VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", rows["cases"])
        con.executemany(
            "INSERT INTO case_notes (case_id, author, text, created_at) SELECT ?, ?, ?, ? WHERE EXISTS"
            " (SELECT 1 FROM cases WHERE case_id = ?1)",
            rows["case_notes"],
        )
        copied = sum(len(found) for found in rows.values())
        _mark(con, copied)
    return copied


def _mark(con: sqlite3.Connection, copied: int) -> None:
    con.execute("INSERT OR IGNORE INTO imports VALUES (?, ?, ?)", (LEGACY, copied, stamp(utc_now())))


def _read_legacy(store: Store) -> dict[str, list[tuple[object, ...]]] | None:
    """The legacy tables' rows with times and days as the operational store keeps them (ISO text); None when the
    store has none of those tables or is held in memory (the empty snapshot served while nothing is published)."""
    present = {
        row[0]
        for row in store.con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_name IN (SELECT unnest(?::VARCHAR[]))",
            [list(_LEGACY_TABLES)],
        ).fetchall()
    }
    found = store.con.execute("SELECT path FROM duckdb_databases() WHERE database_name = current_database()")
    if not present or (found.fetchone() or (None,))[0] is None:
        return None  # not an analytics store, or an in-memory one (the empty snapshot of a home with none published)
    queries = {
        "web_users": "SELECT name, role, password_hash, created_at FROM web_users ORDER BY name",
        "web_sessions": "SELECT token_sha256, name, csrf_token, created_at, expires_at FROM web_sessions",
        "web_reveals": "SELECT token_sha256, user_id, min(revealed_at) FROM web_reveals GROUP BY ALL",
        "alert_dismissals": "SELECT user_id, day, reason, dismissed_by, dismissed_at FROM alert_dismissals",
        "cases": "SELECT case_id, title, user_id, day, status, assignee, opened_by, opened_at, updated_at FROM cases"
        " ORDER BY case_id",
        "case_notes": "SELECT case_id, author, text, created_at FROM case_notes ORDER BY created_at, rowid",
    }
    return {
        table: [tuple(_text(value) for value in row) for row in store.con.execute(sql).fetchall()]
        if table in present
        else []
        for table, sql in queries.items()
    }


def _text(value: object) -> object:
    if isinstance(value, datetime):
        return stamp(value)
    if isinstance(value, date):
        return value.isoformat()
    return value
