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
from molehunt.ingest import plausible
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
    duplicates: int = 0  # of the quarantined: rows repeating an earlier row's id in the same file


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
    rows = [(file_id, b.line, plausible.printable(b.reason), plausible.printable(b.raw)) for b in bad]
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
                refuse_overlap(con, file_id, path, spec.release, first_only=True)  # a whole re-export: fail fast
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
        if spec.transform.table == "events":
            finish_events(out, path, spec.release)
    return FileReport(
        str(path),
        spec.role,
        tally.rows,
        tally.ingested,
        tally.quarantined,
        first_problems=tuple(problems),
        warnings=duplicate_warning(tally),
        duplicates=tally.duplicates,
    )


def finish_events(out: FileWriter, path: Path, release: str | None) -> None:
    """The checks that need the whole file's events: repeats within it, then repeats of other files."""
    duplicates = quarantine_duplicates(out.con, out.file_id)
    out.tally.ingested -= duplicates
    out.tally.quarantined += duplicates
    out.tally.duplicates += duplicates
    refuse_overlap(out.con, out.file_id, path, release)


def duplicate_warning(tally: Tally) -> tuple[str, ...]:
    if not tally.duplicates:
        return ()
    return (f"{tally.duplicates:,} duplicate rows quarantined (the id of an earlier row of this file)",)


def quarantine_duplicates(con: duckdb.DuckDBPyConnection, file_id: int) -> int:
    """Move every event of the file that repeats the (kind, id) of an earlier line of the same file to quarantine;
    returns how many. The first is kept: a repeat would count the activity twice. Events without an id (OCSF
    without metadata.uid) are not compared."""
    moved = con.execute(
        "INSERT INTO quarantine "
        "WITH firsts AS (SELECT kind, event_id, min(line) AS first FROM events "
        "  WHERE file_id = $file_id AND event_id IS NOT NULL GROUP BY kind, event_id HAVING count(*) > 1) "
        "SELECT $file_id, e.line, format('duplicate of line {} (same id {})', f.first, e.event_id), "
        "  concat_ws(',', e.event_id, strftime(e.time, '%Y-%m-%d %H:%M:%S'), e.user_id, e.host, e.activity, "
        "  coalesce(e.path, e.url, e.sender)) "
        "FROM events e JOIN firsts f ON e.kind = f.kind AND e.event_id = f.event_id "
        "WHERE e.file_id = $file_id AND e.line <> f.first",
        {"file_id": file_id},
    ).fetchone()
    count = int(moved[0]) if moved else 0
    if count:
        # A line is either an event or quarantined: the lines just quarantined leave the events.
        con.execute(
            "DELETE FROM events WHERE file_id = $file_id "
            "AND line IN (SELECT line FROM quarantine WHERE file_id = $file_id)",
            {"file_id": file_id},
        )
    return count


def refuse_overlap(
    con: duckdb.DuckDBPyConnection, file_id: int, path: Path, release: str | None, *, first_only: bool = False
) -> None:
    """Refuse a file with an event (same kind and id) already in the store from another file of the same release:
    an overlapping or re-encoded re-export, or a replayed event. All of the file's events are compared (when it
    is complete); `first_only` compares its first thousand, to refuse a whole re-export before reading it all."""
    limit = "LIMIT 1000" if first_only else ""
    earlier = con.execute(
        f"SELECT f.path, n.line FROM (SELECT kind, event_id, line FROM events WHERE file_id = ? {limit}) n "
        "JOIN events e ON e.kind = n.kind AND e.event_id = n.event_id AND e.file_id <> ? "
        "JOIN ingested_files f ON f.file_id = e.file_id AND f.release IS NOT DISTINCT FROM ? "
        "ORDER BY n.line LIMIT 1",
        [file_id, file_id, release],
    ).fetchall()
    if earlier:
        raise InputError(
            f"its events repeat events already ingested from {earlier[0][0]} (first at line {earlier[0][1]}: an "
            "overlapping or re-encoded copy, or a replayed event); ingest only files with new events, or use a "
            "fresh --home",
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
