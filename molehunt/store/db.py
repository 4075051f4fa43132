"""Opening the store: one DuckDB file, migrated to the current schema on open."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import duckdb

from molehunt.errors import StoreError
from molehunt.outputs import private_umask
from molehunt.store.files import pending_files, purge_pending
from molehunt.store.schema import MIGRATIONS, SCHEMA_VERSION

# Bounded memory for 30M-row ingests; DuckDB spills to the temp directory beyond this.
DEFAULT_MEMORY_LIMIT = "2GB"


@dataclass
class Store:
    """An open store. Use as a context manager, or call close()."""

    path: Path
    con: duckdb.DuckDBPyConnection
    # A published snapshot's: when its file was written (what it can reflect of the audit log); None for the store.
    written_at: datetime | None = None

    def close(self) -> None:
        self.con.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """All or nothing: commit on success, roll back on any exception (Ctrl-C included).

        Ctrl-C that lands inside a DuckDB query surfaces as duckdb.InterruptException; it is raised here as
        KeyboardInterrupt so callers see one kind of interruption.
        """
        self.con.begin()
        try:
            yield self.con
        except duckdb.InterruptException as exc:
            self.con.rollback()
            raise KeyboardInterrupt from exc
        except BaseException:
            self.con.rollback()
            raise
        self.con.commit()

    def count(self, sql: str, params: list[object] | Mapping[str, object] | None = None) -> int:
        """An integer query result (a count), 0 when the query returns no row or NULL."""
        value = self.scalar(sql, params)
        return int(value) if isinstance(value, int | float) else 0

    def scalar(self, sql: str, params: list[object] | Mapping[str, object] | None = None) -> object:
        """The first column of the first row, or None (reads the whole result so the connection is free)."""
        rows = self.con.execute(sql, params if params is not None else []).fetchall()
        return rows[0][0] if rows else None


def bound_params(sql: str, values: Mapping[str, object]) -> dict[str, object]:
    """The named parameters ($name) that `sql` uses, taken from `values` (DuckDB refuses unused ones)."""
    return {name: value for name, value in values.items() if f"${name}" in sql}


LOCK_WAIT_SECONDS = 5.0  # the dashboard holds the store for one short action at a time (a vault read, a rule change)


def open_store(
    path: Path, *, read_only: bool = False, memory_limit: str = DEFAULT_MEMORY_LIMIT, wait: float = LOCK_WAIT_SECONDS
) -> Store:
    """Open (creating if needed) the DuckDB store at path and bring its schema up to date, waiting up to `wait`
    seconds while another process holds it (long enough for a dashboard action, not for an ingest run).

    Raises StoreError when the file is not a DuckDB database, is locked by another process, or was written
    by a newer molehunt.
    """
    deadline = time.monotonic() + wait
    while True:
        try:
            return _open_store(path, read_only=read_only, memory_limit=memory_limit)
        except StoreError as exc:
            if not exc.busy or time.monotonic() >= deadline:
                raise
            time.sleep(0.1)


def _open_store(path: Path, *, read_only: bool, memory_limit: str) -> Store:
    if read_only and not path.exists():
        raise StoreError(f"no store at {path}: run `molehunt ingest` or `molehunt demo` first")
    # The store holds password hashes and real user ids: it, its WAL and spill files are created private.
    private_umask()
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    try:
        # Row order in tables carries no meaning here (every read orders explicitly), and letting DuckDB
        # append in parallel halves bulk-insert time.
        config: dict[str, str | bool | int | float | list[str]] = {
            "memory_limit": memory_limit,
            "preserve_insertion_order": False,
        }
        con = duckdb.connect(str(path), read_only=read_only, config=config)
        # DuckDB's own progress bar writes to stdout and would corrupt --json output; we draw our own.
        con.execute("SET enable_progress_bar = false")
    except duckdb.Error as exc:
        if "lock" in str(exc).lower():
            holder = re.search(r"PID (\d+)", str(exc))
            who = f"another molehunt (PID {holder[1]})" if holder else "another process"
            busy = StoreError(f"{who} is using the store {path}; wait for it to finish, or use another --home")
            busy.busy = True
            raise busy from exc
        raise StoreError(f"cannot open the store {path}: {str(exc).split(' See also')[0]}") from exc
    store = Store(path=path, con=con)
    if not read_only:
        _migrate(store)
        purge_pending(con)
        return store
    _check_version(store)
    if pending_files(con):  # an interrupted ingest left rows behind: clean up before anyone reads
        store.close()
        open_store(path, memory_limit=memory_limit).close()
        return open_store(path, read_only=True, memory_limit=memory_limit)
    return store


def _current_version(store: Store) -> int:
    store.con.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
    found = store.scalar("SELECT max(version) FROM schema_version")
    return int(found) if isinstance(found, int) else 0


def _check_version(store: Store) -> None:
    if not store.scalar("SELECT count(*) FROM information_schema.tables WHERE table_name = 'schema_version'"):
        store.close()
        raise StoreError(f"{store.path} is a DuckDB file but not a molehunt store; point --home elsewhere")
    found = store.scalar("SELECT max(version) FROM schema_version")
    if found != SCHEMA_VERSION:
        raise StoreError(
            f"store {store.path} has schema version {found}, this molehunt expects {SCHEMA_VERSION}: "
            "open it once read-write (e.g. `molehunt status`) to migrate"
        )


def _migrate(store: Store) -> None:
    current = _current_version(store)
    if current > SCHEMA_VERSION:
        store.close()
        raise StoreError(
            f"store {store.path} has schema version {current}, newer than this molehunt ({SCHEMA_VERSION}): "
            "upgrade molehunt"
        )
    for version, statements in MIGRATIONS:
        if version <= current:
            continue
        with store.transaction() as con:
            for statement in statements:
                con.execute(statement)
            con.execute("INSERT INTO schema_version VALUES (?)", [version])
