"""`molehunt vault` under adaptive protection (issue 18): a held checkout exits 3 with its request id, an approver
approves it with a reason, the requester's same checkout then succeeds once; `--as` is the home owner's
impersonation, recorded in every entry, and refused to anyone else."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from contextlib import closing
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
