"""CERT ground truth (answers/): which users are insiders, and which of their events are malicious.

Stored apart from everything features and scorers read; only evaluation joins it, on (release, kind, event id).
answers/insiders.csv lists the insiders of every release; all its rows are stored (with their dataset), while
per-insider event files are read for the release being ingested only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from molehunt.errors import InputError
from molehunt.ingest.cert_layout import ACTIVITY_ROLES, HEADERS
from molehunt.ingest.cert_sql import DATE_FORMAT  # strptime also takes the unpadded dates answers/ has
from molehunt.ingest.csv_stream import BadRow, read_header, sha256_of
from molehunt.ingest.load import already_ingested, file_writer, quarantine_rows
from molehunt.ingest.report import FileReport
from molehunt.store import Store

# A per-insider file is named by insiders.csv; only a plain file name is accepted (no paths, no patterns).
PLAIN_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*\.csv$")


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


def _lines(path: Path) -> list[tuple[int, str, bool]]:
    """(line number, text, decodes as UTF-8) for every line; a BOM on the first line is dropped."""
    out: list[tuple[int, str, bool]] = []
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, start=1):
            encoding = "utf-8-sig" if number == 1 else "utf-8"
            try:
                out.append((number, raw.decode(encoding).rstrip("\r\n"), True))
            except UnicodeDecodeError:
                out.append((number, raw.decode(encoding, errors="replace").rstrip("\r\n"), False))
    return out


def _parse_insider(number: int, text: str) -> Insider:
    fields = text.split(",")
    if len(fields) != 6:
        raise ValueError(f"expected 6 fields, found {len(fields)}")
    dataset, scenario, details, user, start, end = (f.strip() for f in fields)
    if not PLAIN_NAME.match(details):
        raise ValueError(f"details {details!r} is not a plain .csv file name")
    return Insider(
        dataset_name(dataset), int(scenario), details, user,
        datetime.strptime(start, DATE_FORMAT), datetime.strptime(end, DATE_FORMAT), number,
    )  # fmt: skip


def _parse_insiders(path: Path, release: str) -> tuple[list[Insider], list[BadRow], int]:
    header = tuple(read_header(path))
    if header != HEADERS["insiders"][release]:
        expected = ",".join(HEADERS["insiders"][release])
        raise InputError(f"unexpected header {','.join(header)!r}; expected {expected}", path=str(path), line=1)
    insiders: list[Insider] = []
    bad: list[BadRow] = []
    lines = _lines(path)[1:]
    for number, text, decodes in lines:
        if not decodes:
            bad.append(BadRow(number, "undecodable bytes (not UTF-8)", text))
            continue
        try:
            insiders.append(_parse_insider(number, text))
        except ValueError as exc:
            bad.append(BadRow(number, f"bad row: {exc}", text))
    return insiders, bad, len(lines)


def ingest_answers(store: Store, answers: Path, release: str, *, strict: bool) -> list[FileReport]:
    """Load answers/insiders.csv and, for this release's insiders, each insider's event list.

    Per-insider lines are `<source>,<original row>`; only source, id, date and user are used, since some
    lines carry an extra field before content. A missing per-insider file is reported as a warning: the
    insider stays labelled, their events do not.
    """
    path = answers / "insiders.csv"
    insiders, bad, rows = _parse_insiders(path, release)
    if strict and bad:
        raise InputError(f"{bad[0].reason} (fix the row, or drop --strict)", path=str(path), line=bad[0].line)
    mine = [i for i in insiders if i.dataset == release]
    details = {i: answers / f"{i.dataset}-{i.scenario}" / i.details for i in mine}
    missing = [
        f"{p.relative_to(answers)} not found: {i.user_id}'s events stay unlabelled"
        for i, p in details.items()
        if not p.is_file()
    ]

    reports: list[FileReport] = []
    sha = sha256_of(path)
    if already_ingested(store, sha):
        reports.append(FileReport(str(path), "insiders", 0, 0, 0, skipped=True))
    else:
        with file_writer(store, path, sha256=sha, source="cert", release=release, role="insiders") as out:
            con, file_id, tally = out.con, out.file_id, out.tally
            if insiders:
                con.executemany(
                    "INSERT INTO answers_insiders VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    [(i.dataset, i.scenario, i.details, i.user_id, i.start, i.end, file_id, i.line) for i in insiders],
                )
            quarantine_rows(con, file_id, bad)
            tally.rows, tally.ingested, tally.quarantined = rows, len(insiders), len(bad)
        reports.append(FileReport(str(path), "insiders", rows, len(insiders), len(bad), warnings=tuple(missing)))
    for insider, detail in details.items():
        if detail.is_file():
            reports.append(_ingest_details(store, detail, insider, release, strict=strict))
    return reports


def _parse_event_line(text: str) -> tuple[str, str, str, datetime]:
    """(kind, event id, user, time) from `<source>,<id>,<date>,<user>,<pc>,...`."""
    fields = text.split(",")
    if len(fields) < 5 or fields[0] not in ACTIVITY_ROLES:
        raise ValueError("expected <source>,<original row> with source one of " + "/".join(ACTIVITY_ROLES))
    try:
        when = datetime.strptime(fields[2].strip(), DATE_FORMAT)
    except ValueError:
        raise ValueError(f"bad date {fields[2]!r}") from None
    return fields[0], fields[1], fields[3], when


def _ingest_details(store: Store, path: Path, insider: Insider, release: str, *, strict: bool) -> FileReport:
    sha = sha256_of(path)
    if already_ingested(store, sha):
        return FileReport(str(path), "answers", 0, 0, 0, skipped=True)
    good: list[tuple[str, int, str, str, str, datetime, int]] = []
    bad: list[BadRow] = []
    lines = _lines(path)
    for number, text, decodes in lines:
        try:
            if not text:
                raise ValueError("empty line")
            if not decodes:
                raise ValueError("undecodable bytes (not UTF-8)")
            kind, event_id, user, when = _parse_event_line(text)
        except ValueError as exc:
            bad.append(BadRow(number, str(exc), text))
            continue
        good.append((insider.dataset, insider.scenario, user, kind, event_id, when, number))
    if strict and bad:
        raise InputError(f"{bad[0].reason} (fix the row, or drop --strict)", path=str(path), line=bad[0].line)
    with file_writer(store, path, sha256=sha, source="cert", release=release, role="answers") as out:
        con, file_id, tally = out.con, out.file_id, out.tally
        if good:
            con.executemany(
                "INSERT INTO answers_events VALUES (?, ?, ?, ?, ?, ?, ?, ?)", [(*g[:6], file_id, g[6]) for g in good]
            )
        quarantine_rows(con, file_id, bad)
        tally.rows, tally.ingested, tally.quarantined = len(lines), len(good), len(bad)
    return FileReport(str(path), "answers", len(lines), len(good), len(bad))
