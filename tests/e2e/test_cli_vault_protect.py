"""`molehunt vault` under adaptive protection (issue 18): a held checkout exits 3 with its request id, an approver
approves it with a reason, the requester's same checkout then succeeds once; `--as` is the home owner's
impersonation, recorded in every entry, and refused to anyone else."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from molehunt.audit import AuditLog
from molehunt.config import Home
from molehunt.opstore import connect
from molehunt.protect import Level, set_level
from molehunt.trace.carriers.text import STRIP_MARKS

runner = CliRunner()


def molehunt(home: Path, *args: str) -> tuple[int, str]:
    from molehunt.cli import app

    result = runner.invoke(app, ["--home", str(home), "vault", *args])
    return result.exit_code, result.output.strip()


def process(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    command = [str(Path(sys.executable).with_name("molehunt")), "--home", str(home), "vault", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)


def setup(tmp_path: Path) -> tuple[Path, str]:
    home = tmp_path / "home"
    plan = tmp_path / "plan.md"
    plan.write_text("# Apollo launch plan\nThe window opens at dawn.\n")
    assert molehunt(home, "grant", "eve", "--clearance", "SECRET", "--projects", "apollo")[0] == 0
    code, said = molehunt(home, "grant", "olga", "--clearance", "SECRET", "--projects", "apollo", "--approver")
    assert code == 0 and said.endswith("approver")
    code, doc_id = molehunt(home, "add", str(plan), "--label", "SECRET", "--project", "apollo", "--as", "olga")
    assert code == 0
    with closing(connect(Home(home))) as con:
        set_level(con, "eve", Level.HIGH, ["test"], source="analyst", by="test")
    return home, doc_id


def test_a_held_checkout_exits_3_and_succeeds_once_after_approval(tmp_path: Path) -> None:
    home, doc_id = setup(tmp_path)
    held = process(home, "checkout", doc_id, "--for", "eve", "--out", str(tmp_path / "eve.md"))
    assert held.returncode == 3, held.stderr
    request = held.stdout.strip().removeprefix("held for approval: request ")
    assert held.stdout.startswith("held for approval: request req-") and "high" not in held.stdout + held.stderr
    code, listed = molehunt(home, "requests", "--json")
    assert code == 0
    assert json.loads(listed) == [
        {"id": request, "user": "eve", "doc_id": doc_id, "action": "checkout", "state": "pending"}
    ]
    code, said = molehunt(home, "approve", request, "--as", "eve", "--reason", "mine")
    assert code == 2 and "not an approver" in said
    code, said = molehunt(home, "approve", request, "--as", "olga", "--reason", "ticket 7")
    assert code == 0 and said.startswith(f"{request}: approved")

    code, said = molehunt(home, "checkout", doc_id, "--for", "eve", "--out", str(tmp_path / "eve.md"))
    assert code == 0, said
    copy = (tmp_path / "eve.md").read_text().translate(STRIP_MARKS)
    assert copy.startswith("Issued to eve on ") and "- copy 1" in copy.splitlines()[0]
    code, said = molehunt(home, "checkout", doc_id, "--for", "eve", "--out", str(tmp_path / "again.md"))
    assert code == 3 and said.startswith("held for approval: request req-") and request not in said

    with AuditLog.open(home / "audit", home / "keys") as log:
        logged = [log.entry(i) for i in range(log.size)]
    user = logged[-1].details["impersonated_by"]
    assert all(entry.details.get("impersonated_by") == user for entry in logged)  # every CLI action
    assert [e.details["decision"] for e in logged if e.action == "checkout"] == ["hold", "allow", "hold"]
    verified = subprocess.run(
        [str(Path(sys.executable).with_name("molehunt")), "--home", str(home), "audit", "verify"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert verified.returncode == 0, verified.stdout + verified.stderr


def test_deny_leaves_the_requester_held(tmp_path: Path) -> None:
    home, doc_id = setup(tmp_path)
    code, said = molehunt(home, "read", doc_id, "--as", "eve")
    request = said.removeprefix("held for approval: request ")
    assert code == 3
    assert molehunt(home, "deny", request, "--as", "olga", "--reason", "not needed")[0] == 0
    code, listed = molehunt(home, "requests")
    assert listed.splitlines()[-1].split("\t") == [request, "eve", doc_id, "read", "denied"]
    assert molehunt(home, "read", doc_id, "--as", "eve")[0] == 3


def test_only_the_homes_owner_may_act_as_someone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home, doc_id = setup(tmp_path)
    owner = home.stat().st_uid
    monkeypatch.setattr(os, "getuid", lambda: owner + 1)  # another operating-system user runs the CLI
    code, said = molehunt(home, "read", doc_id, "--as", "olga")
    assert code == 2 and len(said.splitlines()) == 1 and "owner" in said and "launch" not in said
    with AuditLog.open(home / "audit", home / "keys") as log:
        assert log.entry(log.size - 1).action == "add"  # nothing was read or recorded for them


def test_the_seed_case_through_the_cli(tmp_path: Path) -> None:
    """Issue 18's walk: HR notice ingested, 25 reads of the project in a minute, 10 refused outside it, a decoy
    opened: `protect ls` shows the person at high at once; the next SECRET checkout is held until approved."""
    from molehunt.cli import app

    home = tmp_path / "home"
    today = datetime.now(UTC).date()
    hr = tmp_path / "hr.csv"
    hr.write_text(f"user,notice_date,last_day\neve,{today - timedelta(days=3)},{today + timedelta(days=14)}\n")
    assert runner.invoke(app, ["--home", str(home), "ingest", "--source", "hr", str(hr)]).exit_code == 0
    for user, clearance, projects in [("eve", "SECRET", "apollo"), ("conf", "CONFIDENTIAL", "apollo,gemini")]:
        assert molehunt(home, "grant", user, "--clearance", clearance, "--projects", projects)[0] == 0
    assert molehunt(home, "grant", "olga", "--clearance", "SECRET", "--projects", "apollo", "--approver")[0] == 0
    note = tmp_path / "note.md"
    note.write_text("# Notes\nNothing to see.\n")

    def add(label: str, project: str, writer: str) -> str:
        code, doc_id = molehunt(home, "add", str(note), "--label", label, "--project", project, "--as", writer)
        assert code == 0, doc_id
        return doc_id

    ours = [add("CONFIDENTIAL", "apollo", "conf") for _ in range(25)]
    theirs = [add("CONFIDENTIAL", "gemini", "conf") for _ in range(10)]
    secret = add("SECRET", "apollo", "olga")
    code, decoys = molehunt(home, "decoy", "--project", "apollo", "--count", "1")
    assert code == 0

    for doc_id in ours:
        assert molehunt(home, "read", doc_id, "--as", "eve")[0] == 0
    for doc_id in theirs:
        code, said = molehunt(home, "read", doc_id, "--as", "eve")
        assert code == 2 and "need-to-know" in said
    assert molehunt(home, "read", decoys.split()[0], "--as", "eve")[0] == 0
    listed = runner.invoke(app, ["--home", str(home), "protect", "ls", "--json"])
    assert listed.exit_code == 0, listed.output
    assert [entry["level"] for entry in json.loads(listed.stdout)] == ["high"]  # eve, by pseudonym

    code, said = molehunt(home, "checkout", secret, "--for", "eve", "--out", str(tmp_path / "eve.md"))
    assert code == 3 and said.startswith("held for approval: request ")
    request = said.removeprefix("held for approval: request ")
    assert molehunt(home, "approve", request, "--as", "olga", "--reason", "handover")[0] == 0
    assert molehunt(home, "checkout", secret, "--for", "eve", "--out", str(tmp_path / "eve.md"))[0] == 0
    with AuditLog.open(home / "audit", home / "keys") as log:
        actions = [log.entry(i).action for i in range(log.size)]
    assert {"protect.change", "checkout", "approve"} <= set(actions)
    verified = runner.invoke(app, ["--home", str(home), "audit", "verify"])
    assert verified.exit_code == 0, verified.output
