"""Alerts for a SIEM: one OCSF 1.1 Detection Finding (class 2004) per alerted user-day as JSON lines, or CSV.

Which user-days: by default the alert budget of the queue (the top 1% of all scored user-days), optionally only
one day or the days from a date on; `top` takes the N riskiest user-days of that period instead of the budget.
People appear by pseudonym unless a `Reveal` is given, which is recorded in the audit log before the file is
written. The field mapping is documented in docs/siem.md.

>>> export_alerts(home, Path("alerts.jsonl"), ExportFormat.OCSF, Selection(since=date(2010, 3, 1)))  # doctest: +SKIP
Export(path=PosixPath('alerts.jsonl'), findings=12, revealed=False)
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

from molehunt import __version__
from molehunt.clock import utc_now_aware
from molehunt.config import Home
from molehunt.detect.alerts import require_scores
from molehunt.detect.rules import Rule
from molehunt.detect.rules.settings import effective_rules
from molehunt.errors import MolehuntError
from molehunt.outputs import defuse, write_private
from molehunt.pseudonyms import Pseudonyms
from molehunt.report.budget import budget_threshold
from molehunt.report.reveal import Reveal, record_reveal
from molehunt.store import Store, open_store

OCSF_VERSION = "1.1.0"  # every attribute written here exists in OCSF 1.1.0 and later 1.x releases
CLASS_UID = 2004  # Detection Finding
CATEGORY_UID = 2  # Findings
ACTIVITY_CREATE = 1
ANALYTIC_BEHAVIORAL = 2  # analytic.type_id: 1 Rule, 2 Behavioral, 3 Statistical, 4 Learning (ML/DL)
ANALYTIC_RULE = 1
FINDING_TYPE = "Insider Threat"

# Score bands at the rule weights (low 10, medium 25, high 50, critical 100): a user-day scores at least what one
# rule of that level adds. (lower bound, severity_id, severity, risk_level_id, risk_level), highest first.
BANDS: tuple[tuple[float, int, str, int, str], ...] = (
    (100.0, 5, "Critical", 4, "Critical"),
    (50.0, 4, "High", 3, "High"),
    (25.0, 3, "Medium", 2, "Medium"),
    (10.0, 2, "Low", 1, "Low"),
    (float("-inf"), 1, "Informational", 0, "Info"),
)
STATUS_NEW, STATUS_SUPPRESSED = (1, "New"), (3, "Suppressed")

CSV_COLUMNS = (
    "finding_uid", "person", "day", "score", "severity", "rules", "reasons", "first_seen", "last_seen", "events",
    "data_sources", "status",
)  # fmt: skip


class ExportFormat(StrEnum):
    OCSF = "ocsf"
    CSV = "csv"


@dataclass(frozen=True)
class Selection:
    """Which user-days to export: a period (one `day`, or from `since` on, or all) and the budget or the `top` N."""

    day: date | None = None
    since: date | None = None
    top: int | None = None

    def __post_init__(self) -> None:
        if self.day is not None and self.since is not None:
            raise MolehuntError("choose one day or a first day (--day or --since), not both")
        if self.top is not None and self.top < 1:
            raise MolehuntError(f"--top needs at least 1 user-day, not {self.top}")


@dataclass(frozen=True)
class Finding:
    """One alerted user-day as exported; `person` is how the user is shown (pseudonym unless revealed)."""

    user_id: str
    pseudonym: str
    person: str
    day: date
    score: float
    anomaly: float
    rule_points: float
    rules: tuple[str, ...]
    reasons: str
    first_seen: datetime | None
    last_seen: datetime | None
    events: int
    data_sources: tuple[str, ...]
    dismissed: bool

    @property
    def uid(self) -> str:
        """Stable across exports and reveals, so a SIEM can de-duplicate: the pseudonym and the day."""
        return f"molehunt:{self.pseudonym}:{self.day.isoformat()}"


@dataclass(frozen=True)
class Export:
    path: Path
    findings: int
    revealed: bool


def select_findings(
    store: Store,
    selection: Selection,
    pseudonyms: Pseudonyms,
    *,
    names: bool,
    dismissed: Collection[tuple[str, date]] = (),
) -> list[Finding]:
    """The chosen user-days, riskiest first, with the first and last event time and event kinds of each;
    `dismissed` (user id, day) are the analysts' dismissals (kept in the workbench's operational store)."""
    require_scores(store)
    threshold = None if selection.top is not None else budget_threshold(store)
    params = {"day": selection.day, "since": selection.since, "min": threshold, "top": selection.top,
              "d_users": [user for user, _ in dismissed], "d_days": [day for _, day in dismissed]}  # fmt: skip
    rows = store.con.execute(
        """
        WITH chosen AS (
            SELECT s.user_id, s.day, s.score, s.anomaly, s.rule_points, s.rules, s.reasons,
                   d.user_id IS NOT NULL AS dismissed
            FROM scores s LEFT JOIN (SELECT unnest($d_users::VARCHAR[]) AS user_id, unnest($d_days::DATE[]) AS day) d
                USING (user_id, day)
            WHERE ($day IS NULL OR s.day = $day) AND ($since IS NULL OR s.day >= $since)
              AND ($min IS NULL OR s.score >= $min)
            ORDER BY s.score DESC, s.day DESC, s.user_id
            LIMIT $top  -- NULL: no limit
        ), seen AS (
            SELECT e.user_id, CAST(e.time AS DATE) AS day, min(e.time) AS first_seen, max(e.time) AS last_seen,
                   count(*) AS events, list(DISTINCT e.kind ORDER BY e.kind) AS kinds
            FROM events e SEMI JOIN chosen c ON e.user_id = c.user_id AND CAST(e.time AS DATE) = c.day
            GROUP BY ALL
        )
        SELECT c.user_id, c.day, c.score, c.anomaly, c.rule_points, c.rules, c.reasons, c.dismissed,
               seen.first_seen, seen.last_seen, coalesce(seen.events, 0), coalesce(seen.kinds, [])
        FROM chosen c LEFT JOIN seen USING (user_id, day)
        ORDER BY c.score DESC, c.day DESC, c.user_id
        """,
        params,
    ).fetchall()
    found = []
    for user, day, score, anomaly, points, rules, reasons, dismissed, first, last, events, kinds in rows:
        pseudonym = pseudonyms.of(user)
        found.append(
            Finding(
                user, pseudonym, user if names else pseudonym, day, float(score), float(anomaly or 0.0),
                float(points or 0.0), tuple(rules or ()), reasons or "", first, last, int(events), tuple(kinds),
                bool(dismissed),
            )
        )  # fmt: skip
    return found


def band(score: float) -> tuple[float, int, str, int, str]:
    """The score band: (lower bound, severity_id, severity, risk_level_id, risk_level)."""
    return next(b for b in BANDS if score >= b[0])


def _ms(moment: datetime) -> int:
    """OCSF timestamp_t: milliseconds since the epoch. Event times carry no zone; they are read as UTC."""
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    return int(aware.timestamp() * 1000)


def _title(finding: Finding) -> str:
    what = ", ".join(finding.rules) if finding.rules else "activity far from the user's own baseline and peers"
    return f"Insider risk {finding.score:.0f} on {finding.day.isoformat()}: {what}"


def ocsf_finding(finding: Finding, rules: Mapping[str, Rule], generated: datetime) -> dict[str, Any]:
    """The user-day as an OCSF Detection Finding (a JSON-ready dict); see docs/siem.md for each field."""
    _, severity_id, severity, risk_level_id, risk_level = band(finding.score)
    status_id, status = STATUS_SUPPRESSED if finding.dismissed else STATUS_NEW
    fired = [rules[r] for r in finding.rules if r in rules]
    info: dict[str, Any] = {
        "uid": finding.uid,
        "title": _title(finding),
        "desc": finding.reasons,
        "types": [FINDING_TYPE, *sorted({rule.scenario for rule in fired})],
        "created_time": _ms(generated),
        "data_sources": list(finding.data_sources),
        "analytic": {
            "uid": "molehunt-user-day-risk",
            "name": "molehunt user-day risk (anomaly ensemble and scenario rules)",
            "type_id": ANALYTIC_BEHAVIORAL,
            "type": "Behavioral",
            "version": __version__,
        },
        "related_analytics": [
            {"uid": rule.id, "name": rule.title, "type_id": ANALYTIC_RULE, "type": "Rule", "category": rule.scenario}
            for rule in fired
        ],
    }
    record: dict[str, Any] = {
        "activity_id": ACTIVITY_CREATE,
        "activity_name": "Create",
        "category_uid": CATEGORY_UID,
        "category_name": "Findings",
        "class_uid": CLASS_UID,
        "class_name": "Detection Finding",
        "type_uid": CLASS_UID * 100 + ACTIVITY_CREATE,
        "type_name": "Detection Finding: Create",
        "severity_id": severity_id,
        "severity": severity,
        "time": _ms(generated),
        "message": _title(finding),
        "status_id": status_id,
        "status": status,
        "risk_score": round(finding.score),
        "risk_level_id": risk_level_id,
        "risk_level": risk_level,
        "metadata": {
            "version": OCSF_VERSION,
            "product": {"name": "molehunt", "vendor_name": "molehunt", "version": __version__},
        },
        "finding_info": info,
        "evidences": [{"actor": {"user": {"uid": finding.person, "name": finding.person}}, "data": _data(finding)}],
    }
    if finding.first_seen is not None and finding.last_seen is not None:
        record["start_time"] = info["first_seen_time"] = _ms(finding.first_seen)
        record["end_time"] = info["last_seen_time"] = _ms(finding.last_seen)
    return record


def _data(finding: Finding) -> dict[str, Any]:
    """molehunt's own figures of the user-day (evidences[].data: evidence the schema has no attribute for)."""
    return {
        "day": finding.day.isoformat(), "score": finding.score, "anomaly_percentile": finding.anomaly,
        "rule_points": finding.rule_points, "rules": list(finding.rules), "reasons": finding.reasons,
        "events": finding.events,
    }  # fmt: skip


def ocsf_lines(findings: Sequence[Finding], rules: Sequence[Rule], generated: datetime) -> str:
    """JSON lines: one Detection Finding per line, keys sorted, UTF-8."""
    by_id = {rule.id: rule for rule in rules}
    return "".join(
        json.dumps(ocsf_finding(f, by_id, generated), ensure_ascii=False, sort_keys=True) + "\n" for f in findings
    )


def csv_text(findings: Sequence[Finding]) -> str:
    """A header row and one row per finding; spreadsheet formulas are neutralized in every cell."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    for f in findings:
        status = STATUS_SUPPRESSED if f.dismissed else STATUS_NEW
        row = [
            f.uid, f.person, f.day.isoformat(), round(f.score, 4), band(f.score)[2], ";".join(f.rules), f.reasons,
            f.first_seen.isoformat() if f.first_seen else "", f.last_seen.isoformat() if f.last_seen else "",
            f.events, ";".join(f.data_sources), status[1],
        ]  # fmt: skip
        writer.writerow(defuse(row))
    return buffer.getvalue()


def export_alerts(
    home: Home,
    out: Path,
    fmt: ExportFormat,
    selection: Selection = Selection(),
    *,
    reveal: Reveal | None = None,
    store_path: Path | None = None,
    generated: datetime | None = None,
    dismissed: Collection[tuple[str, date]] = (),
) -> Export:
    """Write the chosen alerts to `out` (atomically, readable by the owner only) and say how many.

    Reads the store read-only (the home's unless `store_path`). With `reveal`, real user ids are shown and an audit
    entry (action "reveal", target "export") naming them is appended before the file is written. MolehuntError
    when nothing is scored; AuditError when the audit log cannot take the entry. `dismissed` alerts (user id, day)
    are exported as suppressed.
    """
    pseudonyms = Pseudonyms.for_keys_dir(home.keys_dir)
    with open_store(store_path or home.store_path, read_only=True) as store:
        findings = select_findings(store, selection, pseudonyms, names=reveal is not None, dismissed=dismissed)
        rules = effective_rules(store)
    now = generated or utc_now_aware()
    text = ocsf_lines(findings, rules, now) if fmt is ExportFormat.OCSF else csv_text(findings)
    if reveal is not None:
        record_reveal(home, reveal, "export", out, sorted({f.user_id for f in findings}))
    write_private(out, text)  # any text: written atomically, mode 0600
    return Export(out, len(findings), reveal is not None)
