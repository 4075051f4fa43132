"""Alerts for a SIEM: OCSF Detection Findings that hold together, pseudonyms by default, the selection options,
and CSV that a spreadsheet cannot execute."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import UTC, date, datetime
from typing import Any

import pytest

from molehunt.detect.rules.settings import effective_rules
from molehunt.errors import MolehuntError
from molehunt.pseudonyms import Pseudonyms
from molehunt.report.budget import budget_threshold
from molehunt.report.siem import (
    CSV_COLUMNS,
    Finding,
    Selection,
    band,
    csv_text,
    ocsf_lines,
    select_findings,
)
from molehunt.store import Store

GENERATED = datetime(2010, 4, 4, 6, 0, tzinfo=UTC)
PSEUDONYMS = Pseudonyms(b"k" * 32)
SEVERITIES = {
    0: "Unknown",
    1: "Informational",
    2: "Low",
    3: "Medium",
    4: "High",
    5: "Critical",
    6: "Fatal",
    99: "Other",
}
RISK_LEVELS = {0: "Info", 1: "Low", 2: "Medium", 3: "High", 4: "Critical"}


def ocsf(store: Store) -> list[dict[str, Any]]:
    findings = select_findings(store, Selection(), PSEUDONYMS, names=False)
    text = ocsf_lines(findings, effective_rules(store), GENERATED)
    return [json.loads(line) for line in text.splitlines()]


def is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def check_detection_finding(record: dict[str, Any], rule_ids: set[str]) -> None:
    """The OCSF 1.1 Detection Finding requirements molehunt relies on (base event, finding, class)."""
    for name in ("activity_id", "category_uid", "class_uid", "type_uid", "severity_id", "time"):
        assert is_int(record[name]), name
    assert (record["class_uid"], record["category_uid"], record["activity_id"]) == (2004, 2, 1)
    assert record["type_uid"] == record["class_uid"] * 100 + record["activity_id"]
    assert SEVERITIES[record["severity_id"]] == record["severity"]
    assert RISK_LEVELS[record["risk_level_id"]] == record["risk_level"] and is_int(record["risk_score"])
    assert record["status_id"] in (1, 3)
    metadata = record["metadata"]
    assert re.fullmatch(r"1\.\d+\.\d+", metadata["version"])
    assert metadata["product"]["name"] == metadata["product"]["vendor_name"] == "molehunt"
    info = record["finding_info"]
    assert isinstance(info["uid"], str) and info["uid"] and isinstance(info["title"], str) and info["title"]
    assert info["types"] and all(isinstance(t, str) for t in info["types"])
    assert is_int(info["analytic"]["type_id"]) and info["analytic"]["name"]
    assert {a["uid"] for a in info["related_analytics"]} <= rule_ids
    assert all(a["type_id"] == 1 for a in info["related_analytics"])
    assert record["time"] == info["created_time"] == int(GENERATED.timestamp() * 1000)
    assert record["start_time"] == info["first_seen_time"] <= info["last_seen_time"] == record["end_time"]
    day = date.fromisoformat(record["evidences"][0]["data"]["day"])
    assert datetime.fromtimestamp(record["start_time"] / 1000, UTC).date() == day
    assert record["evidences"] and all({"actor", "data"} <= set(e) for e in record["evidences"])


def test_default_export_is_the_alert_budget_as_valid_detection_findings(scored: Store) -> None:
    records = ocsf(scored)
    expected = scored.count("SELECT count(*) FROM scores WHERE score >= ?", [budget_threshold(scored)])
    assert len(records) == expected > 0
    rule_ids = {rule.id for rule in effective_rules(scored)}
    for record in records:
        check_detection_finding(record, rule_ids)
    scores = [r["evidences"][0]["data"]["score"] for r in records]
    assert scores == sorted(scores, reverse=True)
    assert len({r["finding_info"]["uid"] for r in records}) == len(records)
    fired = [r for r in records if r["evidences"][0]["data"]["rules"]]
    assert fired and all(r["finding_info"]["related_analytics"] for r in fired)


def test_people_appear_by_pseudonym_and_no_real_id_anywhere(scored: Store) -> None:
    findings = select_findings(scored, Selection(), PSEUDONYMS, names=False)
    text = ocsf_lines(findings, effective_rules(scored), GENERATED) + csv_text(findings)
    everyone = {str(r[0]) for r in scored.con.execute("SELECT DISTINCT user_id FROM events").fetchall()}
    assert not [user for user in everyone if re.search(rf"\b{re.escape(user)}\b", text)]
    assert all(f.person == PSEUDONYMS.of(f.user_id) and f.person in text for f in findings)
    named = select_findings(scored, Selection(top=3), PSEUDONYMS, names=True)
    assert [f.person for f in named] == [f.user_id for f in named]
    assert [f.uid for f in named] == [f.uid for f in findings[:3]]  # the same finding ids, revealed or not


def test_day_since_and_top_choose_the_user_days(scored: Store) -> None:
    last = scored.scalar("SELECT max(day) FROM scores")
    assert isinstance(last, date)
    top = select_findings(scored, Selection(top=5), PSEUDONYMS, names=False)
    best = scored.con.execute("SELECT score FROM scores ORDER BY score DESC LIMIT 5").fetchall()
    assert [f.score for f in top] == [float(s) for (s,) in best]
    one_day = select_findings(scored, Selection(day=last, top=1000), PSEUDONYMS, names=False)
    assert one_day and {f.day for f in one_day} == {last}
    assert len(one_day) == scored.count("SELECT count(*) FROM scores WHERE day = ?", [last])
    since = date(2010, 3, 1)
    recent = select_findings(scored, Selection(since=since), PSEUDONYMS, names=False)
    everything = select_findings(scored, Selection(), PSEUDONYMS, names=False)
    assert recent == [f for f in everything if f.day >= since]
    with pytest.raises(MolehuntError, match="not both"):
        Selection(day=last, since=since)
    with pytest.raises(MolehuntError, match="at least 1"):
        Selection(top=0)


def test_csv_neutralizes_spreadsheet_formulas() -> None:
    hostile = Finding(
        "=HYPERLINK(\"http://x\")", "P-AAAAAAAA", "=HYPERLINK(\"http://x\")", date(2010, 3, 1), 30.0, 0.9, 25.0,
        ("slow-drip",), "+1 attachments; @SUM(A1)", datetime(2010, 3, 1, 9), datetime(2010, 3, 1, 17), 12,
        ("email",), dismissed=True,
    )  # fmt: skip
    parsed = list(csv.reader(io.StringIO(csv_text([hostile]))))
    assert parsed[0] == list(CSV_COLUMNS)
    row = dict(zip(CSV_COLUMNS, parsed[1], strict=True))
    assert row["person"] == '\'=HYPERLINK("http://x")' and row["reasons"] == "'+1 attachments; @SUM(A1)"
    assert row["severity"] == "Medium" and row["status"] == "Suppressed" and row["first_seen"] == "2010-03-01T09:00:00"
    assert not any(cell[:1] in "=+-@" and cell for cell in parsed[1])


@pytest.mark.parametrize(
    ("score", "severity", "risk"),
    [(0.0, "Informational", "Info"), (24.9, "Low", "Low"), (25.0, "Medium", "Medium"), (99.0, "High", "High"),
     (356.0, "Critical", "Critical")],
)  # fmt: skip
def test_score_bands_follow_the_rule_weights(score: float, severity: str, risk: str) -> None:
    _, _, named, _, level = band(score)
    assert (named, level) == (severity, risk)
