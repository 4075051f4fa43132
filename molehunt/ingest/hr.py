"""Reader for an HR / directory CSV export: who works where, as what, since when, until when (docs/hr.md).

One row per person: `user` plus any of name, email, department, role, manager, hire_date, notice_date (or
resignation_date), last_day and events ("2010-03-02 performance plan; 2010-04-01 grievance"). Rows go to
`hr_people` and `hr_events`; the features read the latest row per person (view `hr_users`) for role, department
and the departure day, so the departure window works without LDAP snapshots. Standard CSV quoting applies.
A bad row (no user, a bad date, a last day before the hire date, a bad event, the wrong number of fields, a user
twice in one file, bytes that are not UTF-8) goes to quarantine with its line and reason.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import duckdb
import pyarrow as pa

from molehunt.errors import InputError
from molehunt.ingest import plausible
from molehunt.ingest.csv_stream import BadRow
from molehunt.ingest.load import MAX_PROBLEMS_SHOWN, already_ingested, file_writer, quarantine_rows
from molehunt.ingest.report import FileReport, IngestReport
from molehunt.progress import NoProgress, Progress
from molehunt.store import Store

COLUMNS = (
    "user", "name", "email", "department", "role", "manager", "hire_date", "notice_date", "last_day", "events",
)  # fmt: skip
ALIASES = {"resignation_date": "notice_date", "user_id": "user", "employee_name": "name"}
DATE_COLUMNS = ("hire_date", "notice_date", "last_day")
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
EVENT_ENTRY = re.compile(r"^(\d{4}-\d{2}-\d{2})\s+(\S.*)$")
_ESCAPED = re.compile("[\udc80-\udcff]")
DUPLICATE = re.compile(r"^user .+ is already on line \d+ of this file$", re.DOTALL)  # counted as duplicates


@dataclass(frozen=True)
class HrPerson:
    """One valid HR row."""

    user_id: str
    name: str | None
    email: str | None
    department: str | None
    role: str | None
    manager: str | None
    hire_date: date | None
    notice_date: date | None
    last_day: date | None
    events: tuple[tuple[date, str], ...]
    line: int


def header_columns(header: list[str], path: Path) -> list[str]:
    """Canonical column names of a header; InputError for an unknown, repeated or missing `user` column."""
    names = [ALIASES.get(h.strip().lower(), h.strip().lower()) for h in header]
    unknown = [h for h, n in zip(header, names, strict=True) if n not in COLUMNS]
    if unknown:
        raise InputError(
            f"unknown HR column(s) {', '.join(unknown)}; known: {', '.join(COLUMNS)} (resignation_date = notice_date)",
            path=str(path),
            line=1,
        )
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise InputError(f"column(s) given twice: {', '.join(repeated)}", path=str(path), line=1)
    if "user" not in names:
        raise InputError("the header has no `user` column", path=str(path), line=1)
    return names


def _date(value: str, column: str, latest: datetime) -> date | None:
    if not value:
        return None
    try:
        if not ISO_DATE.match(value):
            raise ValueError
        day = date.fromisoformat(value)
    except ValueError:
        raise ValueError(f'bad {column} "{value}" (expected YYYY-MM-DD)') from None
    problem = plausible.hr_date_problem(day, latest)
    if problem is not None:
        raise ValueError(f"{column} {value} is {problem}")
    return day


def _events(value: str, latest: datetime) -> tuple[tuple[date, str], ...]:
    found = []
    for entry in (e.strip() for e in value.split(";")):
        if not entry:
            continue
        match = EVENT_ENTRY.match(entry)
        day = _date(match.group(1), "event date", latest) if match else None
        if match is None or day is None:
            raise ValueError(f'bad event "{entry}" (expected YYYY-MM-DD description, entries separated by ";")')
        found.append((day, match.group(2).strip()))
    return tuple(found)


def parse_row(values: dict[str, str], line: int, latest: datetime | None = None) -> HrPerson:
    """One row (column -> trimmed text) as an HrPerson; ValueError with the quarantine reason. Dates after
    `latest` (default: a year from now) or before 1900 are refused (molehunt.ingest.plausible)."""
    latest = latest or plausible.latest_event()
    user = values.get("user", "")
    if not user:
        raise ValueError("missing user")
    hire, notice, last = (_date(values.get(c, ""), c, latest) for c in DATE_COLUMNS)
    if hire and last and last < hire:
        raise ValueError(f"last_day {last} is before hire_date {hire}")
    if hire and notice and notice < hire:
        raise ValueError(f"notice_date {notice} is before hire_date {hire}")
    if notice and last and notice > last:
        raise ValueError(f"notice_date {notice} is after last_day {last}")

    def text(column: str) -> str | None:
        return values.get(column) or None

    email = text("email")
    return HrPerson(
        user, text("name"), email.lower() if email else None, text("department"), text("role"), text("manager"),
        hire, notice, last, _events(values.get("events", ""), latest), line,
    )  # fmt: skip


def parse_hr(data: bytes, path: Path) -> tuple[list[HrPerson], list[BadRow], int]:
    """(people, bad rows, rows read) of an HR CSV's bytes; InputError for an empty file or a bad header.

    A user already on an earlier line is a bad row whose reason matches DUPLICATE."""
    text = data.decode("utf-8", errors="surrogateescape").removeprefix("\ufeff")
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, None)
    if not header:
        raise InputError("the file is empty (no header line)", path=str(path), line=1)
    if any(_ESCAPED.search(h) for h in header):
        raise InputError("the header is not UTF-8 text", path=str(path), line=1)
    columns = header_columns(header, path)
    people: list[HrPerson] = []
    bad: list[BadRow] = []
    seen: dict[str, int] = {}
    latest = plausible.latest_event()
    rows, previous_end = 0, reader.line_num
    while True:
        try:
            fields = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:  # a field over the csv module's size limit: that row only, the reader goes on
            line, previous_end = previous_end + 1, reader.line_num
            rows += 1
            bad.append(BadRow(line, f"cannot parse as CSV: {exc}", ""))
            continue
        line, previous_end = previous_end + 1, reader.line_num  # a quoted field may span lines
        rows += 1
        raw = _ESCAPED.sub("?", ",".join(fields))
        try:
            if not any(f.strip() for f in fields):
                raise ValueError("empty line")
            if any(_ESCAPED.search(f) for f in fields):
                raise ValueError("undecodable bytes (not UTF-8), shown as ?")
            if len(fields) != len(columns):
                raise ValueError(f"expected {len(columns)} fields, found {len(fields)}")
            person = parse_row({c: f.strip() for c, f in zip(columns, fields, strict=True)}, line, latest)
            if person.user_id in seen:
                raise ValueError(f"user {person.user_id} is already on line {seen[person.user_id]} of this file")
        except ValueError as exc:
            bad.append(BadRow(line, str(exc), raw))
            continue
        seen[person.user_id] = line
        people.append(person)
    return people, bad, rows


def ingest_hr(
    store: Store,
    path: Path,
    *,
    strict: bool = False,
    progress: Progress | None = None,
) -> IngestReport:
    """Ingest one HR CSV file: all of it or none, once per content (SHA-256).

    Raises InputError for a missing file, an empty file or a bad header, and under strict=True at the first bad
    row (path:line: reason).
    """
    if not path.is_file():
        raise InputError("no such file (an HR export is one CSV file)", path=str(path))
    sink = progress or NoProgress()
    sink.begin(f"ingest {path.name}", path.stat().st_size)
    try:
        data = path.read_bytes()
        sink.advance(len(data))
    finally:
        sink.end()
    return IngestReport("hr", str(path), None, (_load(store, path, data, strict=strict),))


def _load(store: Store, path: Path, data: bytes, *, strict: bool) -> FileReport:
    sha256 = hashlib.sha256(data).hexdigest()
    if already_ingested(store, sha256):
        return FileReport(str(path), "hr", 0, 0, 0, skipped=True)
    people, bad, rows = parse_hr(data, path)
    if strict and bad:
        raise InputError(
            f"{bad[0].reason} (fix the row, or drop --strict to quarantine it)", path=str(path), line=bad[0].line
        )
    with file_writer(store, path, sha256=sha256, source="hr", release=None, role="hr") as out:
        _insert(out.con, out.file_id, people)
        quarantine_rows(out.con, out.file_id, bad)
        out.tally.rows, out.tally.ingested, out.tally.quarantined = rows, len(people), len(bad)
    problems = tuple(f"line {b.line}: {b.reason}" for b in bad[:MAX_PROBLEMS_SHOWN])
    duplicates = sum(DUPLICATE.match(b.reason) is not None for b in bad)
    return FileReport(str(path), "hr", rows, len(people), len(bad), first_problems=problems, duplicates=duplicates)


def _insert(con: duckdb.DuckDBPyConnection, file_id: int, people: list[HrPerson]) -> None:
    if not people:
        return
    con.register(
        "hr_batch",
        pa.table(
            {
                "user_id": [p.user_id for p in people],
                "employee_name": [p.name for p in people],
                "email": [p.email for p in people],
                "department": [p.department for p in people],
                "role": [p.role for p in people],
                "manager": [p.manager for p in people],
                "hire_date": pa.array([p.hire_date for p in people], pa.date32()),
                "notice_date": pa.array([p.notice_date for p in people], pa.date32()),
                "last_day": pa.array([p.last_day for p in people], pa.date32()),
                "file_id": pa.array([file_id] * len(people), pa.int32()),
                "line": pa.array([p.line for p in people], pa.int64()),
            }
        ),
    )
    events = [(p.user_id, day, what, file_id, p.line) for p in people for day, what in p.events]
    try:
        con.execute("INSERT INTO hr_people BY NAME SELECT * FROM hr_batch")
        if events:
            con.executemany("INSERT INTO hr_events VALUES (?, ?, ?, ?, ?)", events)
    finally:
        con.unregister("hr_batch")
