"""CERT ground truth (answers/): which users are insiders, and which of their events are malicious.

Stored apart from everything features and scorers read; only evaluation joins it, on (kind, event id).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from molehunt.errors import InputError
from molehunt.ingest.cert_layout import ACTIVITY_ROLES, HEADERS
from molehunt.ingest.csv_stream import BadRow, read_header, sha256_of
from molehunt.ingest.load import already_ingested, file_transaction, quarantine_rows
from molehunt.ingest.report import FileReport
from molehunt.store import Store

DATE_FORMAT = "%m/%d/%Y %H:%M:%S"  # strptime accepts the unpadded dates answers/ often has


@dataclass(frozen=True)
class Insider:
    dataset: str
    scenario: int
    details: str
    user_id: str
    start: datetime
    end: datetime
    line: int


def dataset_name(raw: str) -> str:
    """'4.2', 'r4.2' and 'R4.2' all name release r4.2."""
    return "r" + raw.strip().lower().removeprefix("r")


def _read_lines(path: Path) -> list[tuple[int, list[str] | None, str]]:
    """(line number, fields or None when undecodable, raw text) for every non-header line."""
    out: list[tuple[int, list[str] | None, str]] = []
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, start=1):
            try:
                text = raw.decode("utf-8").rstrip("\r\n")
            except UnicodeDecodeError:
                out.append((number, None, raw.decode("utf-8", errors="replace").rstrip("\r\n")))
                continue
            out.append((number, next(csv.reader([text]), []), text))
    return out


def _parse_insiders(path: Path, release: str) -> tuple[list[Insider], list[BadRow], int]:
    header = tuple(read_header(path))
    if header != HEADERS["insiders"][release]:
        raise InputError(f"unexpected header {','.join(header)!r}", path=str(path), line=1)
    insiders: list[Insider] = []
    bad: list[BadRow] = []
    lines = _read_lines(path)[1:]
    for number, fields, raw in lines:
        if fields is None:
            bad.append(BadRow(number, "undecodable bytes (not UTF-8)", raw))
            continue
        if len(fields) != 6:
            bad.append(BadRow(number, f"expected 6 fields, found {len(fields)}", raw))
            continue
        dataset, scenario, details, user, start, end = fields
        if dataset_name(dataset) != release:
            continue  # answers/ of the full release covers every dataset; keep this one's
        try:
            insiders.append(
                Insider(
                    dataset_name(dataset), int(scenario), details, user,
                    datetime.strptime(start.strip(), DATE_FORMAT), datetime.strptime(end.strip(), DATE_FORMAT),
                    number,
                )
            )  # fmt: skip
        except ValueError as exc:
            bad.append(BadRow(number, f"bad value: {exc}", raw))
    return insiders, bad, len(lines)


def _find_details(answers: Path, insider: Insider) -> Path | None:
    expected = answers / f"{insider.dataset}-{insider.scenario}" / insider.details
    if expected.is_file():
        return expected
    matches = sorted(answers.rglob(insider.details)) if insider.details else []
    return matches[0] if matches else None


def ingest_answers(store: Store, answers: Path, release: str, *, strict: bool) -> list[FileReport]:
    """Load answers/insiders.csv (rows of this release) and each insider's event list.

    Per-insider lines are `<source>,<original row>`; only source, id, date and user are used, since some
    lines carry an extra field before content. A missing per-insider file is quarantined with its reason.
    """
    reports: list[FileReport] = []
    path = answers / "insiders.csv"
    sha = sha256_of(path)
    insiders, bad, rows = _parse_insiders(path, release)
    if strict and bad:
        raise InputError(bad[0].reason, path=str(path), line=bad[0].line)
    detail_files: list[tuple[Insider, Path]] = []
    for insider in insiders:
        found = _find_details(answers, insider)
        if found is None:
            bad.append(BadRow(insider.line, f"per-insider file {insider.details!r} not found under {answers}", ""))
        else:
            detail_files.append((insider, found))
    if strict and len(detail_files) < len(insiders):
        raise InputError(bad[-1].reason, path=str(path), line=bad[-1].line)

    # insiders.csv lists every release's insiders, so the same bytes are a different input per release.
    if already_ingested(store, sha, snapshot=release):
        reports.append(FileReport(str(path), "insiders", 0, 0, 0, skipped=True))
    else:
        with file_transaction(
            store, path, sha256=sha, source="cert", release=release, role="insiders", snapshot=release
        ) as (
            con,
            file_id,
            counts,
        ):
            con.executemany(
                "INSERT INTO answers_insiders VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [(i.dataset, i.scenario, i.details, i.user_id, i.start, i.end, file_id, i.line) for i in insiders],
            )
            quarantine_rows(con, file_id, bad)
            counts[:] = [rows, rows - len(bad), len(bad)]
        reports.append(FileReport(str(path), "insiders", rows, rows - len(bad), len(bad)))

    for insider, detail_path in detail_files:
        reports.append(_ingest_details(store, detail_path, insider, release, strict=strict))
    return reports


def _ingest_details(store: Store, path: Path, insider: Insider, release: str, *, strict: bool) -> FileReport:
    sha = sha256_of(path)
    if already_ingested(store, sha):
        return FileReport(str(path), "answers", 0, 0, 0, skipped=True)
    good: list[tuple[str, int, str, str, str, datetime, int]] = []
    bad: list[BadRow] = []
    lines = _read_lines(path)
    for number, fields, raw in lines:
        problem = None
        if fields is None:
            problem = "undecodable bytes (not UTF-8)"
        elif len(fields) < 5 or fields[0] not in ACTIVITY_ROLES:
            problem = "expected <source>,<original row> with source one of " + "/".join(ACTIVITY_ROLES)
        else:
            try:
                when = datetime.strptime(fields[2].strip(), DATE_FORMAT)
            except ValueError:
                problem = f"bad date {fields[2]!r}"
        if problem is not None or fields is None:
            bad.append(BadRow(number, problem or "unreadable", raw))
            continue
        good.append((insider.dataset, insider.scenario, fields[3], fields[0], fields[1], when, number))
    if strict and bad:
        raise InputError(bad[0].reason, path=str(path), line=bad[0].line)
    with file_transaction(store, path, sha256=sha, source="cert", release=release, role="answers") as (
        con,
        file_id,
        counts,
    ):
        con.executemany(
            "INSERT INTO answers_events VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [(*g[:6], file_id, g[6]) for g in good],
        )
        quarantine_rows(con, file_id, bad)
        counts[:] = [len(lines), len(good), len(bad)]
    return FileReport(str(path), "answers", len(lines), len(good), len(bad))
