"""`molehunt audit ls`: entries newest first with filters, pages, whether a checkpoint covers each, and people by
pseudonym unless --names --reason, which is itself recorded (issue 17)."""

from __future__ import annotations

import getpass
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from molehunt.audit import AuditLog, NewEntry, append_entry
from molehunt.audit.entries import Entry
from molehunt.audit.framing import frame
from molehunt.audit.verify import ENTRIES_FILE
from molehunt.cli import app
from molehunt.config import Home
from molehunt.pseudonyms import Pseudonyms
from molehunt.store import open_store
from molehunt.workbench.people import known_users
from tests.homes import copy_of

runner = CliRunner()
DAY1, DAY2 = datetime(2026, 1, 2, 9, tzinfo=UTC), datetime(2026, 1, 3, 9, tzinfo=UTC)


@pytest.fixture
def home(scored_home: Home, tmp_path: Path) -> Home:
    return copy_of(scored_home, tmp_path / "home")


def person_of(home: Home) -> str:
    with open_store(home.store_path, read_only=True) as store:
        return known_users(store)[0]


def log(home: Home, actor: str, action: str, target: str, at: datetime) -> int:
    return append_entry(home.audit_dir, home.keys_dir, NewEntry(actor, action, target, {}, at))


def ls(home: Home, *args: str) -> dict[str, object]:
    result = runner.invoke(app, ["--home", str(home.root), "audit", "ls", "--json", *args])
    assert result.exit_code == 0, result.output
    listed: dict[str, object] = json.loads(result.stdout)
    return listed


def rows(listed: dict[str, object]) -> list[dict[str, object]]:
    found = listed["entries"]
    assert isinstance(found, list)
    return found


def test_filters_pages_and_pseudonyms(home: Home) -> None:
    person = person_of(home)
    alias = Pseudonyms.for_keys_dir(home.keys_dir).of(person)
    start = log(home, "alice", "login", "web", DAY1)
    log(home, person, "vault.read", "doc-1", DAY1)
    log(home, "alice", "reveal", person, DAY2)
    log(home, person, "vault.read", "doc-2", DAY2)

    newest = rows(ls(home, "--limit", "10"))
    assert [r["index"] for r in newest][:4] == [start + 3, start + 2, start + 1, start]
    assert [(r["actor"], r["action"], r["target"]) for r in newest[:4]] == [
        (alias, "vault.read", "doc-2"), ("alice", "reveal", alias), (alias, "vault.read", "doc-1"),
        ("alice", "login", "web"),
    ]  # fmt: skip
    assert all(r["covered"] for r in newest)
    assert person not in json.dumps(newest)

    assert [r["target"] for r in rows(ls(home, "--action", "vault.read"))] == ["doc-2", "doc-1"]
    assert [r["target"] for r in rows(ls(home, "--actor", alias))] == ["doc-2", "doc-1"]  # by pseudonym
    assert [r["action"] for r in rows(ls(home, "--actor", "alice", "--since", "2026-01-03"))] == ["reveal"]

    first = ls(home, "--action", "vault.read", "--limit", "1")
    assert [r["target"] for r in rows(first)] == ["doc-2"] and first["older"] == start + 3
    second = ls(home, "--action", "vault.read", "--limit", "1", "--before", str(first["older"]))
    assert [r["target"] for r in rows(second)] == ["doc-1"] and second["older"] is None

    table = runner.invoke(app, ["--home", str(home.root), "audit", "ls", "--limit", "1"], env={"COLUMNS": "200"})
    assert table.exit_code == 0 and alias in table.output and f"--before {start + 3}" in table.output


def test_names_show_real_ids_and_are_recorded_first(home: Home) -> None:
    person = person_of(home)
    log(home, person, "vault.read", "doc-1", DAY1)
    listed = rows(ls(home, "--limit", "1", "--names", "--reason", "insider case 7"))
    assert listed[0]["actor"] == person
    with AuditLog.open(home.audit_dir, home.keys_dir, checkpoint_on_close=False) as opened:
        last = opened.entry(opened.size - 1).to_json()
    assert (last["actor"], last["action"], last["target"]) == (getpass.getuser(), "reveal", "audit")
    assert last["details"] == {"reason": "insider case 7", "out": "terminal", "users": [person]}


def test_an_entry_no_checkpoint_covers_yet_says_so(home: Home) -> None:
    seq = log(home, "alice", "login", "web", DAY1)
    with (home.audit_dir / ENTRIES_FILE).open("ab") as handle:  # a crash before the checkpoint
        handle.write(frame([Entry.create(seq + 1, NewEntry("bob", "login", "web", {}, DAY1)).canonical]))
    listed = ls(home, "--limit", "2")
    assert [(r["actor"], r["covered"]) for r in rows(listed)] == [("bob", False), ("alice", True)]
    assert listed["covered"] == seq + 1 and listed["size"] == seq + 2


def test_nothing_found_is_one_line_and_exit_0(tmp_path: Path, home: Home) -> None:
    said = runner.invoke(app, ["--home", str(tmp_path / "fresh"), "audit", "ls"])
    assert said.exit_code == 0 and said.output.strip() == f"No audit log at {tmp_path / 'fresh' / 'audit'} yet:" \
        " nothing has been recorded."  # fmt: skip
    log(home, "alice", "login", "web", DAY1)
    said = runner.invoke(app, ["--home", str(home.root), "audit", "ls", "--action", "no.such"])
    assert said.exit_code == 0 and said.output.strip().startswith("No audit entries match (the log has ")
    assert rows(ls(home, "--action", "no.such")) == []
