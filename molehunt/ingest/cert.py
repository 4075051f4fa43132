"""Reader for CERT Insider Threat Test Dataset directories (releases r4.2 and r6.2)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from molehunt.ingest import plausible
from molehunt.ingest.answers import ingest_answers
from molehunt.ingest.cert_layout import HEADERS, CertFile, discover
from molehunt.ingest.cert_sql import TRANSFORMS
from molehunt.ingest.load import CsvSpec, load_csv
from molehunt.ingest.report import FileReport, IngestReport
from molehunt.progress import NoProgress, Progress
from molehunt.store import Store


def internal_domains(store: Store) -> list[str]:
    """E-mail domains of the organization, from the directory (the domains its people's addresses use)."""
    rows = store.con.execute(
        "SELECT DISTINCT lower(split_part(email, '@', 2)) AS d FROM directory_snapshots "
        "WHERE email LIKE '%@%' ORDER BY d"
    ).fetchall()
    return [str(r[0]) for r in rows]


def ingest_cert(
    store: Store,
    root: Path,
    *,
    strict: bool = False,
    only: set[str] | None = None,
    internal: list[str] | None = None,
    with_answers: bool = True,
    progress: Progress | None = None,
    block_size: int | None = None,
) -> IngestReport:
    """Ingest every CERT file under root: directory first (it names the internal domains), then activity.

    Each file is one transaction and is skipped when its content was ingested before. Raises InputError for a
    missing/unknown file or header, and under strict=True for the first malformed row.
    """
    layout = discover(root, only=only)
    sink = progress or NoProgress()
    reports: list[FileReport] = []
    for cert_file in layout.files:
        # Read after the directory files are in: their addresses name the internal domains.
        domains = internal if internal is not None else internal_domains(store)
        reports.append(_ingest_file(store, cert_file, layout.release, strict, sink, domains, block_size))
    if with_answers and layout.answers is not None and not only:
        reports.extend(ingest_answers(store, layout.answers, layout.release, strict=strict))
    return IngestReport("cert", str(root), layout.release, tuple(reports))


def _ingest_file(
    store: Store,
    cert_file: CertFile,
    release: str,
    strict: bool,
    progress: Progress,
    domains: list[str],
    block_size: int | None,
) -> FileReport:
    params: dict[str, object] = {
        "internal_domains": domains,
        "earliest": plausible.EARLIEST_EVENT,
        "latest": plausible.latest_event(),
    }
    if cert_file.month is not None:
        params["month"] = cert_file.month
    spec = CsvSpec(
        role=cert_file.role,
        columns=HEADERS[cert_file.role][release],
        transform=TRANSFORMS[cert_file.role](release),
        source="cert",
        release=release,
        params=params,
        snapshot=cert_file.month or "",
    )
    report = load_csv(store, cert_file.path, spec, strict=strict, progress=progress, block_size=block_size)
    if cert_file.role == "email" and not domains and not report.skipped:
        warning = (
            "no internal e-mail domains known (ingest LDAP/ first or pass --internal-domain): "
            "all recipients counted external"
        )
        report = replace(report, warnings=(*report.warnings, warning))
    return report
