"""Load one file into the store: all of it or none of it, once per content hash, bad rows to quarantine."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from molehunt.errors import InputError
from molehunt.ingest.cert_sql import Transform
from molehunt.ingest.csv_stream import BadRow, sha256_of, stream_csv
from molehunt.ingest.prefetch import prefetch
from molehunt.ingest.report import FileReport
from molehunt.progress import Progress
from molehunt.store import Store

MAX_PROBLEMS_SHOWN = 5
SCAN_CHUNK_ROWS = 16_384
_PARAM = re.compile(r"\$([a-z_]+)")


def already_ingested(store: Store, sha256: str, snapshot: str = "") -> bool:
    """True when these bytes (as this snapshot, for files whose meaning depends on their name) are in."""
    found = store.scalar(
        "SELECT count(*) FROM ingested_files WHERE content_sha256 = ? AND snapshot = ?", [sha256, snapshot]
    )
    return found != 0


@contextmanager
def file_transaction(
    store: Store,
    path: Path,
    *,
    sha256: str,
    source: str,
    release: str | None,
    role: str,
    snapshot: str = "",
) -> Iterator[tuple[duckdb.DuckDBPyConnection, int, list[int]]]:
    """One transaction for one file: yields (connection, new file_id, [rows, ingested, quarantined]).

    The caller fills the counters; the ingested_files row is written last, inside the same transaction, so a
    crash at any point leaves neither the rows nor the record of the file.
    """
    counts = [0, 0, 0]
    with store.transaction() as con:
        file_id = int(store.scalar("SELECT coalesce(max(file_id), 0) + 1 FROM ingested_files"))  # type: ignore[call-overload]
        yield con, file_id, counts
        con.execute(
            "INSERT INTO ingested_files VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                file_id, str(path), sha256, snapshot, source, release, role, path.stat().st_size,
                counts[0], counts[1], counts[2], datetime.now(UTC).replace(tzinfo=None),
            ],
        )  # fmt: skip


def quarantine_rows(con: duckdb.DuckDBPyConnection, file_id: int, bad: Iterable[BadRow]) -> None:
    rows = [(file_id, b.line, b.reason, b.raw) for b in bad]
    if rows:
        con.executemany("INSERT INTO quarantine VALUES (?, ?, ?, ?)", rows)


def _params(sql: str, values: dict[str, Any]) -> dict[str, Any]:
    return {name: values[name] for name in set(_PARAM.findall(sql))}


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

    Skips (and reports as skipped) content ingested before. With strict=True the first bad row raises
    InputError (file:line: reason) and nothing of the file is kept.
    """
    # One bar per file covering both passes: hashing (to skip known content) and parsing.
    progress.begin(f"ingest {path.name}", 2 * path.stat().st_size)
    try:
        sha256 = sha256_of(path, progress.advance)
        if already_ingested(store, sha256, spec.snapshot):
            return FileReport(str(path), spec.role, 0, 0, 0, skipped=True)
        return _load_new(store, path, spec, sha256, strict=strict, progress=progress, block_size=block_size)
    finally:
        progress.end()


def _load_new(
    store: Store, path: Path, spec: CsvSpec, sha256: str, *, strict: bool, progress: Progress, block_size: int | None
) -> FileReport:
    """Ingest a file not seen before in one transaction (see load_csv)."""
    problems: list[str] = []
    options = {} if block_size is None else {"block_size": block_size}
    columns = list(spec.columns)
    transaction = file_transaction(
        store, path, sha256=sha256, source=spec.source, release=spec.release, role=spec.role, snapshot=spec.snapshot
    )
    with transaction as (con, file_id, counts):
        bound = _params(spec.transform.sql, {"file_id": file_id, **spec.params})
        for table, bad_rows in prefetch(stream_csv(path, columns, on_bytes=progress.advance, **options)):
            good, bad = _stage(con, table, spec.transform, bound, file_id, columns)
            _fail_if_strict(strict, path, [*((b.line, b.reason) for b in bad_rows), *bad])
            quarantine_rows(con, file_id, bad_rows)
            problems.extend(_describe(b.line, b.reason) for b in bad_rows)
            problems.extend(_describe(line, reason) for line, reason in bad)
            del problems[MAX_PROBLEMS_SHOWN:]
            counts[0] += table.num_rows + len(bad_rows)
            counts[1] += good
            counts[2] += len(bad_rows) + len(bad)
    return FileReport(str(path), spec.role, counts[0], counts[1], counts[2], first_problems=tuple(problems))


def _describe(line: int | None, reason: str) -> str:
    return f"line {line}: {reason}" if line is not None else reason


def _fail_if_strict(strict: bool, path: Path, bad: Sequence[tuple[int | None, str]]) -> None:
    if strict and bad:
        line, reason = min(bad, key=lambda item: item[0] or 0)
        raise InputError(reason, path=str(path), line=line)


def _stage(
    con: duckdb.DuckDBPyConnection,
    table: pa.Table,
    transform: Transform,
    params: dict[str, Any],
    file_id: int,
    columns: list[str],
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
            con.register("bad_rows", pa.table({"line": [r[0] for r in bad], "reason": [r[1] for r in bad]}))
            raw = " || ',' || ".join(f"coalesce(b.\"{c}\", '')" for c in columns)
            con.execute(
                f"INSERT INTO quarantine SELECT ?, b._line, r.reason, {raw} "
                "FROM batch b JOIN bad_rows r ON b._line = r.line ORDER BY b._line",
                [file_id],
            )
            con.unregister("bad_rows")
    finally:
        with suppress(duckdb.Error):  # an aborted transaction refuses even this; the real error is raised
            con.unregister("batch")
    return table.num_rows - len(bad), [(int(line), str(reason)) for line, reason in bad]
