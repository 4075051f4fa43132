"""Load one file into the store: all of it or none of it, once per content hash, bad rows to quarantine."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from molehunt.errors import InputError
from molehunt.ingest.cert_sql import Transform
from molehunt.ingest.csv_stream import BLOCK_SIZE, BadRow, CsvStream, sha256_of
from molehunt.ingest.prefetch import prefetch
from molehunt.ingest.report import FileReport
from molehunt.progress import Progress
from molehunt.store import Store, bound_params
from molehunt.store.files import begin_file, complete_file, purge_file

MAX_PROBLEMS_SHOWN = 5
SCAN_CHUNK_ROWS = 16_384
# Rows written between commits of a pending file: DuckDB holds part of an open transaction in memory.
CHECKPOINT_ROWS = 1_000_000


@dataclass
class Tally:
    """Row counts of the one file being ingested (rows read = ingested + quarantined)."""

    rows: int = 0
    ingested: int = 0
    quarantined: int = 0


@dataclass(frozen=True)
class CsvSpec:
    """How to read one CSV file: its columns, the SQL that maps them, and how the file is recorded."""

    role: str
    columns: tuple[str, ...]
    transform: Transform
    source: str
    release: str | None
    params: dict[str, Any] = field(default_factory=dict)
    snapshot: str = ""  # for files whose meaning depends on their name (an LDAP month)


def already_ingested(store: Store, sha256: str, snapshot: str = "") -> bool:
    """True when these bytes (as this snapshot, for files whose meaning depends on their name) are in."""
    found = store.scalar(
        "SELECT count(*) FROM ingested_files WHERE content_sha256 = ? AND snapshot = ? AND status = 'complete'",
        [sha256, snapshot],
    )
    return found != 0


@dataclass
class FileWriter:
    """Where one file's rows go: the connection (inside an open transaction), its file_id and its tally."""

    con: duckdb.DuckDBPyConnection
    file_id: int
    tally: Tally = field(default_factory=Tally)

    def checkpoint(self) -> None:
        """Commit what is written so far (still pending: invisible as a complete file) to bound memory."""
        self.con.commit()
        self.con.begin()


@contextmanager
def file_writer(
    store: Store,
    path: Path,
    *,
    sha256: str,
    source: str,
    release: str | None,
    role: str,
    snapshot: str = "",
) -> Iterator[FileWriter]:
    """All of a file or none of it: pending while written, complete at the end, purged on any failure.

    A crash that kills the process leaves a pending file, which the next open of the store purges
    (molehunt.store.files). Paths are stored resolved, so provenance is unambiguous.
    """
    con = store.con
    file_id = begin_file(con, path, sha256=sha256, snapshot=snapshot, source=source, release=release, role=role)
    writer = FileWriter(con, file_id)
    con.begin()
    try:
        yield writer
        complete_file(con, file_id, writer.tally.rows, writer.tally.ingested, writer.tally.quarantined)
        con.commit()
    except BaseException as exc:
        with suppress(duckdb.Error):
            con.rollback()
        purge_file(con, file_id)
        if isinstance(exc, duckdb.InterruptException):  # Ctrl-C inside a query
            raise KeyboardInterrupt from exc
        raise


def quarantine_rows(con: duckdb.DuckDBPyConnection, file_id: int, bad: Iterable[BadRow]) -> None:
    rows = [(file_id, b.line, b.reason, b.raw) for b in bad]
    if rows:
        con.executemany("INSERT INTO quarantine VALUES (?, ?, ?, ?)", rows)


def load_csv(
    store: Store,
    path: Path,
    spec: CsvSpec,
    *,
    strict: bool,
    progress: Progress,
    block_size: int | None = None,
) -> FileReport:
    """Stream a CSV file through `spec.transform` into its table; rows with a `_reason` go to quarantine.

    Skips (and reports as skipped) content ingested before. Raises InputError, keeping nothing of the file,
    when strict=True and a row is bad, when the file changes while it is read, or when its events repeat
    events of another file (an overlapping re-export).
    """
    # One bar per file covering both passes: hashing (to skip known content) and parsing.
    progress.begin(f"ingest {path.name}", 2 * path.stat().st_size)
    try:
        sha256 = sha256_of(path, progress.advance)
        if already_ingested(store, sha256, spec.snapshot):
            return FileReport(str(path), spec.role, 0, 0, 0, skipped=True)
        stream = CsvStream(path, list(spec.columns), on_bytes=progress.advance, block_size=block_size or BLOCK_SIZE)
        return _load_new(store, path, spec, sha256, stream, strict=strict)
    finally:
        progress.end()


def _load_new(store: Store, path: Path, spec: CsvSpec, sha256: str, stream: CsvStream, *, strict: bool) -> FileReport:
    """Ingest a file not seen before in one transaction (see load_csv)."""
    problems: list[str] = []
    writer = file_writer(
        store, path, sha256=sha256, source=spec.source, release=spec.release, role=spec.role, snapshot=spec.snapshot
    )
    with writer as out:
        con, file_id, tally = out.con, out.file_id, out.tally
        since_checkpoint = 0
        bound = bound_params(spec.transform.sql, {"file_id": file_id, **spec.params})
        for table, bad_rows in prefetch(iter(stream)):
            good, bad = _stage(con, table, spec.transform, bound, file_id)
            _fail_if_strict(strict, path, [*((b.line, b.reason) for b in bad_rows), *bad])
            quarantine_rows(con, file_id, bad_rows)
            if tally.ingested == 0 and good and spec.transform.table == "events":
                refuse_overlap(con, file_id, path, spec.release)
            problems.extend(_describe(b.line, b.reason) for b in bad_rows)
            problems.extend(_describe(line, reason) for line, reason in bad)
            del problems[MAX_PROBLEMS_SHOWN:]
            tally.rows += table.num_rows + len(bad_rows)
            tally.ingested += good
            tally.quarantined += len(bad_rows) + len(bad)
            since_checkpoint += table.num_rows
            if since_checkpoint >= CHECKPOINT_ROWS:
                out.checkpoint()
                since_checkpoint = 0
        if stream.sha256 != sha256:
            raise InputError(
                "the file changed while it was being read; ingest it again once it is complete", path=str(path)
            )
    return FileReport(
        str(path), spec.role, tally.rows, tally.ingested, tally.quarantined, first_problems=tuple(problems)
    )


def refuse_overlap(con: duckdb.DuckDBPyConnection, file_id: int, path: Path, release: str | None) -> None:
    """Refuse a file whose first events are already in the store from another file of the same release."""
    earlier = con.execute(
        "SELECT f.path FROM (SELECT kind, event_id FROM events WHERE file_id = ? LIMIT 1000) n "
        "JOIN events e ON e.kind = n.kind AND e.event_id = n.event_id AND e.file_id <> ? "
        "JOIN ingested_files f ON f.file_id = e.file_id AND f.release IS NOT DISTINCT FROM ? LIMIT 1",
        [file_id, file_id, release],
    ).fetchall()
    if earlier:
        raise InputError(
            f"its events repeat events already ingested from {earlier[0][0]} (an overlapping or re-encoded "
            "copy); ingest only files with new events, or use a fresh --home",
            path=str(path),
        )


def _describe(line: int | None, reason: str) -> str:
    return f"line {line}: {reason}" if line is not None else reason


def _fail_if_strict(strict: bool, path: Path, bad: Sequence[tuple[int | None, str]]) -> None:
    if strict and bad:
        line, reason = min(bad, key=lambda item: item[0] or 0)
        raise InputError(f"{reason} (fix the row, or drop --strict to quarantine it)", path=str(path), line=line)


def _stage(
    con: duckdb.DuckDBPyConnection, table: pa.Table, transform: Transform, params: dict[str, Any], file_id: int
) -> tuple[int, list[tuple[int, str]]]:
    """Transform one block, insert the good rows, quarantine the rest; returns (good count, [(line, reason)])."""
    if table.num_rows == 0:
        return 0, []
    # Several record batches let DuckDB scan (and insert) with all its threads; one batch uses one.
    con.register("batch", pa.Table.from_batches(table.to_batches(max_chunksize=SCAN_CHUNK_ROWS)))
    try:
        # Only the reason columns are computed here (projection pushdown), so the check pass is cheap.
        bad = con.execute(
            f"SELECT line, _reason FROM ({transform.sql}) WHERE _reason IS NOT NULL ORDER BY line", params
        ).fetchall()
        if len(bad) < table.num_rows:
            target_columns = ", ".join(transform.columns)
            con.execute(
                f"INSERT INTO {transform.table} ({target_columns}) "
                f"SELECT {target_columns} FROM ({transform.sql}) WHERE _reason IS NULL",
                params,
            )
        if bad:
            # The raw text of a bad row is its fields joined back: without quoting, that is the line itself.
            con.register("bad_rows", pa.table({"line": [r[0] for r in bad], "reason": [r[1] for r in bad]}))
            raw = " || ',' || ".join(f'b."{c}"' for c in table.column_names if not c.startswith("_"))
            con.execute(
                f"INSERT INTO quarantine SELECT ?, b._line, r.reason, "
                f"CASE WHEN r.reason = 'empty line' THEN '' ELSE {raw} END "
                "FROM batch b JOIN bad_rows r ON b._line = r.line ORDER BY b._line",
                [file_id],
            )
            con.unregister("bad_rows")
    finally:
        with suppress(duckdb.Error):  # an aborted transaction refuses even this; the real error is raised
            con.unregister("batch")
    return table.num_rows - len(bad), [(int(line), str(reason)) for line, reason in bad]
