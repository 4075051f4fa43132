"""Audit-first actions: each appends its entry before it changes anything, and changes nothing when the audit log
cannot take the entry."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterator
from datetime import date

import pytest

from molehunt.audit import AuditError
from molehunt.audit.verify import ENTRIES_FILE
from molehunt.config import Home
from molehunt.detect.rules.settings import RuleSettingError, load_settings
from molehunt.errors import MolehuntError
from molehunt.pseudonyms import Pseudonyms
from molehunt.store import Store
from molehunt.workbench import cases, identities, queue
from molehunt.workbench.actions import EvidenceFormat, Workbench
from molehunt.workbench.cases import CaseError, Status
from molehunt.workbench.identities import Identities

from .conftest import PASSWORD, audit_entries, sign_in, tear_audit_log


@pytest.fixture
def bench(home: Home, store: Store, ops: sqlite3.Connection) -> Workbench:
    return Workbench(home, store)  # its actions open their own connections to the operational store


@pytest.fixture
def alert(store: Store) -> tuple[str, date]:
    user_id, day = store.con.execute("SELECT user_id, day FROM scores ORDER BY score DESC LIMIT 1").fetchall()[0]
    return user_id, day


@pytest.fixture
def broken_audit(home: Home, bench: Workbench) -> Iterator[None]:
    """The audit log refuses appends for the test's duration (a torn tail), then is repaired."""
    bench.record("test", "setup", "audit", {})  # the log exists
    whole = (home.root / "audit" / ENTRIES_FILE).read_bytes()
    path = tear_audit_log(home)
    with pytest.raises(AuditError):
        bench.record("test", "probe", "audit", {})
    yield
    path.write_bytes(whole)


def last(home: Home, action: str) -> dict[str, object]:
    return [e for e in audit_entries(home) if e["action"] == action][-1]


def test_case_actions_are_recorded_before_they_happen(
    home: Home, ops: sqlite3.Connection, bench: Workbench, alert: tuple[str, date]
) -> None:
    user_id, day = alert
    case_id = bench.open_case(user_id, day, "USB copies", by="analyst")
    opened = last(home, "case.open")
    assert (opened["actor"], opened["target"]) == ("analyst", user_id)
    assert opened["details"] == {"day": day.isoformat(), "title": "USB copies"}
    bench.assign(case_id, "admin", by="analyst")
    bench.set_status(case_id, Status.INVESTIGATING, by="analyst")
    bench.add_note(case_id, "  =HYPERLINK(1)  ", by="analyst")
    found = cases.get_case(ops, case_id)
    assert found is not None and (found.assignee, found.status) == ("admin", Status.INVESTIGATING)
    assert [n.text for n in found.notes] == ["=HYPERLINK(1)"]
    recorded = [(e["action"], e["details"]) for e in audit_entries(home) if e["target"] == f"case:{case_id}"]
    assert recorded == [
        ("case.assign", {"assignee": "admin"}),
        ("case.status", {"status": "investigating"}),
        ("case.note", {"text": "=HYPERLINK(1)"}),
    ]


def test_refused_actions_leave_no_entry(home: Home, bench: Workbench, alert: tuple[str, date]) -> None:
    user_id, day = alert
    case_id = bench.open_case(user_id, day, "", by="analyst")
    before = len(audit_entries(home))
    with pytest.raises(CaseError, match="no account"):
        bench.assign(case_id, "nobody", by="analyst")
    with pytest.raises(CaseError, match="empty"):
        bench.add_note(case_id, "   ", by="analyst")
    with pytest.raises(CaseError, match="no alert"):
        bench.open_case(user_id, date(1999, 1, 1), "", by="analyst")
    with pytest.raises(MolehuntError, match="say why"):
        bench.dismiss([alert], " ", by="analyst")
    with pytest.raises(RuleSettingError):
        bench.change_rule("no-such-rule", True, {}, by="admin")
    assert len(audit_entries(home)) == before


@pytest.mark.usefixtures("broken_audit")
def test_nothing_happens_when_the_audit_log_cannot_take_the_entry(
    home: Home, store: Store, ops: sqlite3.Connection, bench: Workbench, alert: tuple[str, date]
) -> None:
    user_id, day = alert
    open_cases = len(cases.list_cases(ops))
    case_id = cases.open_case(ops, user_id, day, "opened before the log broke", "admin")
    names = Pseudonyms.for_keys_dir(home.root / "keys")
    analyst = sign_in(ops, "analyst")
    sessions = ops.execute("SELECT count(*) FROM web_sessions").fetchone()[0]
    refused: list[Callable[[], object]] = [
        lambda: bench.open_case(user_id, day, "x", by="analyst"),
        lambda: bench.assign(case_id, "admin", by="analyst"),
        lambda: bench.set_status(case_id, Status.CLOSED, by="analyst"),
        lambda: bench.add_note(case_id, "a note", by="analyst"),
        lambda: bench.dismiss([alert], "approved handover", by="analyst"),
        lambda: bench.change_rule("cloud-upload-burst", False, {}, by="admin"),
        lambda: bench.reveal(analyst, user_id, names.of(user_id), "a long enough reason"),
        lambda: bench.export_evidence(case_id, EvidenceFormat.JSON, Identities(names), by="analyst"),
        lambda: bench.sign_in("analyst", PASSWORD, client="testclient"),
    ]
    for action in refused:
        with pytest.raises(AuditError):
            action()
    assert len(cases.list_cases(ops)) == open_cases + 1
    found = cases.get_case(ops, case_id)
    assert found is not None and (found.assignee, found.status, found.notes) == (None, Status.OPEN, ())
    assert queue.alert(store, ops, user_id, day).dismissed_reason is None  # type: ignore[union-attr]
    assert "cloud-upload-burst" not in load_settings(store)
    assert not identities.for_session(ops, names, {}, analyst).shows(user_id)
    assert ops.execute("SELECT count(*) FROM web_sessions").fetchone()[0] == sessions


def test_sign_in_records_both_outcomes(home: Home, bench: Workbench) -> None:
    assert bench.sign_in("analyst", "wrong password!", client="10.0.0.9") is None
    failed = last(home, "login.failed")
    assert (failed["actor"], failed["target"], failed["details"]) == (
        "analyst",
        "web",
        {"client": "10.0.0.9", "reason": "wrong password"},
    )
    token = bench.sign_in("analyst", PASSWORD, client="10.0.0.9")
    assert token and last(home, "login")["details"] == {"client": "10.0.0.9", "role": "analyst"}


def test_evidence_masks_people_unless_revealed_and_is_recorded(
    home: Home, store: Store, bench: Workbench, alert: tuple[str, date]
) -> None:
    user_id, day = alert
    names = Pseudonyms.for_keys_dir(home.root / "keys")
    case_id = bench.open_case(user_id, day, "", by="analyst")
    masked = bench.export_evidence(case_id, EvidenceFormat.JSON, Identities(names), by="analyst")
    assert masked.name == f"molehunt-case-{case_id}-evidence.json" and masked.media_type == "application/json"
    data = json.loads(masked.body)
    assert data["case"]["subject"] == names.of(user_id) and user_id not in masked.body
    entry = last(home, "case.export")
    assert entry["target"] == f"case:{case_id}"
    assert entry["details"] == {"format": "json", "events": len(data["events"])}
    shown = Identities(names, {}, frozenset({user_id}))
    named = bench.export_evidence(case_id, EvidenceFormat.CSV, shown, by="analyst")
    assert named.media_type == "text/csv" and f"{user_id} ({names.of(user_id)})" in named.body
