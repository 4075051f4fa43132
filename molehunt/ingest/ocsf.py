"""Reader for OCSF 1.x JSON lines: one event per line, mapped by molehunt.ingest.ocsf_map (docs/ocsf.md).

A file is all or nothing and once per content (the CERT reader's machinery: molehunt.ingest.load.file_writer);
a line that is not UTF-8, not JSON, of an unknown class or activity, or lacks a field or has the wrong type goes
to quarantine with its line number and the reason, or stops the file under strict=True.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pyarrow as pa

from molehunt.errors import InputError
from molehunt.events import EVENT_COLUMNS
from molehunt.ingest import load
from molehunt.ingest.cert import internal_domains
from molehunt.ingest.csv_stream import BadRow, sha256_of
from molehunt.ingest.load import (
    MAX_PROBLEMS_SHOWN,
    already_ingested,
    duplicate_warning,
    file_writer,
    finish_events,
    quarantine_rows,
    refuse_overlap,
)
from molehunt.ingest.ocsf_map import BadRecord, Context, Event, map_record
from molehunt.ingest.report import FileReport, IngestReport
from molehunt.progress import NoProgress, Progress
from molehunt.store import Store

SUFFIXES = (".jsonl", ".ndjson", ".json")
RELEASE = "ocsf"  # ingested_files.release: repeated event uids are looked for among OCSF files only
READ_BLOCK = 8 << 20
CHUNK_LINES = 50_000  # lines mapped in Python before they are handed to DuckDB as one Arrow table

_ARROW_TYPES = {
    "VARCHAR": pa.string(),
    "INTEGER": pa.int32(),
    "BIGINT": pa.int64(),
    "BOOLEAN": pa.bool_(),
    "TIMESTAMP": pa.timestamp("us"),
    "VARCHAR[]": pa.list_(pa.string()),
}
# The columns a mapped event carries; source and file_id are the same for a whole file and added in SQL.
BATCH_SCHEMA = pa.schema(
    [(name, _ARROW_TYPES[sql_type]) for name, sql_type, _ in EVENT_COLUMNS if name not in {"source", "file_id"}]
)


def ocsf_files(path: Path) -> list[Path]:
    """The file itself, or every .jsonl/.ndjson/.json file under a folder (sorted); InputError when none."""
    if path.is_file():
        return [path]
    if not path.is_dir():
        raise InputError("no such file or folder", path=str(path))
    found = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SUFFIXES)
    if not found:
        raise InputError(f"no OCSF JSON-lines file ({', '.join(SUFFIXES)}) in this folder", path=str(path))
    return found


def known_addresses(store: Store) -> dict[str, str]:
    """E-mail address -> user id, from the LDAP directory and HR (HR wins), for mail without actor.user."""
    rows = store.con.execute(
        "SELECT lower(email), user_id FROM directory_snapshots WHERE email IS NOT NULL "
        "UNION ALL SELECT lower(email), user_id FROM hr_users WHERE email IS NOT NULL"
    ).fetchall()
    return {str(address): str(user) for address, user in rows}


def ingest_ocsf(
    store: Store,
    path: Path,
    *,
    strict: bool = False,
    internal: list[str] | None = None,
    progress: Progress | None = None,
) -> IngestReport:
    """Ingest one OCSF JSON-lines file, or every one in a folder; each file is one all-or-nothing unit.

    Internal e-mail domains are `internal`, else those of the directory's and HR's addresses. Raises
    InputError for a missing path or an empty folder, and under strict=True at the first bad line
    (path:line: reason).
    """
    files = ocsf_files(path)
    addresses = known_addresses(store)
    domains = internal if internal is not None else internal_domains(store)
    domains = [*domains, *(a.rpartition("@")[2] for a in addresses if internal is None)]
    context = Context(frozenset(d.lower() for d in domains), addresses)
    sink = progress or NoProgress()
    reports = [_ingest_file(store, file, context, strict=strict, progress=sink) for file in files]
    return IngestReport("ocsf", str(path), None, tuple(reports))


def _ingest_file(store: Store, path: Path, context: Context, *, strict: bool, progress: Progress) -> FileReport:
    progress.begin(f"ingest {path.name}", 2 * path.stat().st_size)
    try:
        sha256 = sha256_of(path, progress.advance)
        if already_ingested(store, sha256):
            return FileReport(str(path), "ocsf", 0, 0, 0, skipped=True)
        return _load_new(store, path, sha256, context, strict=strict, on_bytes=progress.advance)
    finally:
        progress.end()


@dataclass
class _Chunk:
    rows: list[Event] = field(default_factory=list)
    bad: list[BadRow] = field(default_factory=list)
    has_emails: bool = False


def _load_new(
    store: Store, path: Path, sha256: str, context: Context, *, strict: bool, on_bytes: Callable[[int], None]
) -> FileReport:
    lines = _Lines(path, on_bytes)
    problems: list[str] = []
    warnings: tuple[str, ...] = ()
    with file_writer(store, path, sha256=sha256, source="ocsf", release=RELEASE, role="ocsf") as out:
        since_checkpoint = 0
        for chunk in _chunks(lines, context):
            if strict and chunk.bad:
                first = chunk.bad[0]
                raise InputError(
                    f"{first.reason} (fix the line, or drop --strict to quarantine it)", path=str(path), line=first.line
                )
            _insert(out.con, out.file_id, chunk.rows)
            if out.tally.ingested == 0 and chunk.rows:
                refuse_overlap(out.con, out.file_id, path, RELEASE, first_only=True)  # a whole re-export: fail fast
            quarantine_rows(out.con, out.file_id, chunk.bad)
            problems.extend(f"line {b.line}: {b.reason}" for b in chunk.bad[:MAX_PROBLEMS_SHOWN])
            del problems[MAX_PROBLEMS_SHOWN:]
            out.tally.rows += len(chunk.rows) + len(chunk.bad)
            out.tally.ingested += len(chunk.rows)
            out.tally.quarantined += len(chunk.bad)
            if chunk.has_emails and not context.internal_domains and not warnings:
                warnings = (
                    "no internal e-mail domains known (pass --internal-domain): all recipients counted external",
                )
            since_checkpoint += len(chunk.rows)
            if since_checkpoint >= load.CHECKPOINT_ROWS:  # read at call time: tests lower it
                out.checkpoint()
                since_checkpoint = 0
        if lines.sha256 != sha256:
            raise InputError(
                "the file changed while it was being read; ingest it again once it is complete", path=str(path)
            )
        finish_events(out, path, RELEASE)
    tally = out.tally
    return FileReport(
        str(path),
        "ocsf",
        tally.rows,
        tally.ingested,
        tally.quarantined,
        first_problems=tuple(problems),
        warnings=warnings + duplicate_warning(tally),
        duplicates=tally.duplicates,
    )


def _chunks(lines: _Lines, context: Context) -> Iterator[_Chunk]:
    chunk = _Chunk()
    for number, raw in lines:
        try:
            event = map_record(_parse(raw), context)
        except BadRecord as exc:
            text = raw.decode("utf-8", "replace").replace("\ufffd", "?")
            chunk.bad.append(BadRow(number, str(exc), text))
        else:
            event["line"] = number
            chunk.rows.append(event)
            chunk.has_emails = chunk.has_emails or event["kind"] == "email"
        if len(chunk.rows) + len(chunk.bad) >= CHUNK_LINES:
            yield chunk
            chunk = _Chunk()
    if chunk.rows or chunk.bad:
        yield chunk


def _parse(raw: bytes) -> object:
    if not raw.strip():
        raise BadRecord("empty line")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise BadRecord("undecodable bytes (not UTF-8), shown as ?") from None
    try:
        return json.loads(text)
    except RecursionError:
        raise BadRecord("invalid JSON: nested too deeply") from None
    except ValueError as exc:
        message = exc.msg if isinstance(exc, json.JSONDecodeError) else str(exc)
        column = f" at column {exc.colno}" if isinstance(exc, json.JSONDecodeError) else ""
        raise BadRecord(f"invalid JSON: {message}{column}") from None


def _insert(con: duckdb.DuckDBPyConnection, file_id: int, rows: list[Event]) -> None:
    if not rows:
        return
    columns = [pa.array([row.get(f.name) for row in rows], type=f.type) for f in BATCH_SCHEMA]  # absent: NULL
    con.register("ocsf_batch", pa.Table.from_arrays(columns, schema=BATCH_SCHEMA))
    try:
        con.execute("INSERT INTO events BY NAME SELECT *, 'ocsf' AS source, ? AS file_id FROM ocsf_batch", [file_id])
    finally:
        con.unregister("ocsf_batch")


class _Lines:
    """(1-based line number, bytes without the line break) of a file, read in blocks; `sha256` once done."""

    def __init__(self, path: Path, on_bytes: Callable[[int], None]) -> None:
        self.path = path
        self.on_bytes = on_bytes
        self.sha256: str | None = None

    def __iter__(self) -> Iterator[tuple[int, bytes]]:
        digest = hashlib.sha256()
        number, carry = 0, b""
        with self.path.open("rb") as handle:
            while block := handle.read(READ_BLOCK):
                digest.update(block)
                self.on_bytes(len(block))
                parts = (carry + block).split(b"\n")
                carry = parts.pop()
                for part in parts:
                    number += 1
                    yield number, part.removesuffix(b"\r")
        if carry:  # a last line without a line break
            yield number + 1, carry.removesuffix(b"\r")
        self.sha256 = digest.hexdigest()
