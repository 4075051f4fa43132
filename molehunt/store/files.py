"""The life of an ingested file in the store: pending while its rows are written, complete when done.

A large file is written in several committed chunks so that memory stays bounded (DuckDB keeps part of an
open transaction in memory). Atomicity is kept one level up: the file is recorded as pending first and marked
complete last, and a pending file's rows are removed on failure and before any later use of the store, so a
crash or Ctrl-C mid-file leaves the store, as anyone can read it, as it was.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import duckdb

from molehunt.clock import utc_now
from molehunt.store.schema import FILE_TABLES


def now() -> datetime:
    return utc_now()


def begin_file(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    *,
    sha256: str,
    snapshot: str,
    source: str,
    release: str | None,
    role: str,
) -> int:
    """Record a file as pending (committed at once) and return its new file_id."""
    con.begin()
    try:
        rows = con.execute("SELECT coalesce(max(file_id), 0) + 1 FROM ingested_files").fetchall()
        file_id = int(rows[0][0])
        con.execute(
            "INSERT INTO ingested_files VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, 0, 0, ?, 'pending')",
            [file_id, str(path.resolve()), sha256, snapshot, source, release, role, path.stat().st_size, now()],
        )
    except BaseException:
        con.rollback()
        raise
    con.commit()
    return file_id


def complete_file(con: duckdb.DuckDBPyConnection, file_id: int, rows: int, ingested: int, quarantined: int) -> None:
    """Mark a file complete with its counts (inside the caller's open transaction)."""
    con.execute(
        "UPDATE ingested_files SET status = 'complete', rows_read = ?, rows_ingested = ?, rows_quarantined = ?,"
        " ingested_at = ? WHERE file_id = ?",
        [rows, ingested, quarantined, now(), file_id],
    )


def purge_file(con: duckdb.DuckDBPyConnection, file_id: int) -> None:
    """Remove every row a file brought, and its record, in one transaction."""
    con.begin()
    try:
        for table in FILE_TABLES:
            con.execute(f"DELETE FROM {table} WHERE file_id = ?", [file_id])  # noqa: S608 - names are constants
        con.execute("DELETE FROM ingested_files WHERE file_id = ?", [file_id])
    except BaseException:
        con.rollback()
        raise
    con.commit()


def pending_files(con: duckdb.DuckDBPyConnection) -> list[int]:
    return [int(r[0]) for r in con.execute("SELECT file_id FROM ingested_files WHERE status = 'pending'").fetchall()]


def purge_pending(con: duckdb.DuckDBPyConnection) -> int:
    """Remove what interrupted ingests left behind; returns how many files were cleaned up."""
    pending = pending_files(con)
    for file_id in pending:
        purge_file(con, file_id)
    return len(pending)
