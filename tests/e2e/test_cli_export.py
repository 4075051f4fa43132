"""`molehunt export-alerts` through the CLI: a private file, pseudonyms by default, the reveal guard and the audit
entry a reveal leaves, dismissed alerts marked suppressed."""

from __future__ import annotations

import csv
import getpass
import json
import re
import stat
from contextlib import closing
from pathlib import Path

import pytest
from typer.testing import CliRunner

from molehunt.audit import AuditLog
from molehunt.cli import app
from molehunt.config import Home
from molehunt.store import open_store
from molehunt.workbench import ops
from molehunt.workbench.queue import dismiss
from tests.homes import copy_of

runner = CliRunner()


@pytest.fixture(scope="module")
def home(scored_home: Home, tmp_path_factory: pytest.TempPathFactory) -> Home:
    """A writable copy of the scored home (keys, the audit log and a dismissal are written into it)."""
    return copy_of(scored_home, tmp_path_factory.mktemp("cli-export") / "home")


def audit_size(home: Home) -> int:
    if not (home.root / "audit").exists():
        return 0
    with AuditLog.open(home.root / "audit", home.root / "keys") as log:
        return log.size


def export(home: Home, *args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["--home", str(home.root), "export-alerts", *args])
    return result.exit_code, " ".join(result.output.split())


def user_ids(home: Home) -> set[str]:
    with open_store(home.store_path, read_only=True) as store:
        return {str(r[0]) for r in store.con.execute("SELECT DISTINCT user_id FROM scores").fetchall()}


def test_default_export_is_private_and_pseudonymous(home: Home, tmp_path: Path) -> None:
    logged, out = audit_size(home), tmp_path / "alerts.jsonl"
    code, said = export(home, "--out", str(out))
    assert code == 0, said
    records = [json.loads(line) for line in out.read_text().splitlines()]
    assert f"Wrote {len(records):,} alerts to {out}" in said and records
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert {r["class_uid"] for r in records} == {2004}
    text = out.read_text()
    assert not [user for user in user_ids(home) if re.search(rf"\b{re.escape(user)}\b", text)]
    assert audit_size(home) == logged  # nothing revealed, nothing recorded


def test_names_need_a_reason(home: Home, tmp_path: Path) -> None:
    out = tmp_path / "named.csv"
    code, said = export(home, "--format", "csv", "--out", str(out), "--names")
    assert code == 2 and "--reason" in said and "real identities" in said and not out.exists()
    code, _ = export(home, "--format", "csv", "--out", str(out), "--names", "--reason", "  ")
    assert code == 2 and not out.exists()
    code, said = export(home, "--format", "csv", "--out", str(out), "--reason", "because")
    assert code == 2 and "only goes with --names" in said and not out.exists()
    code, said = export(home, "--out", str(out), "--day", "2010-03-01", "--since", "2010-03-01")
    assert code == 2 and "not both" in said and not out.exists()


def test_names_with_a_reason_are_audited(home: Home, tmp_path: Path) -> None:
    out = tmp_path / "named.csv"
    reason = "case 42: HR referral"
    code, said = export(home, "--format", "csv", "--out", str(out), "--top", "3", "--names", "--reason", reason)
    assert code == 0 and "audit log" in said, said
    with out.open() as handle:
        shown = {row["person"] for row in csv.DictReader(handle)}
    assert shown <= user_ids(home) and shown
    with AuditLog.open(home.root / "audit", home.root / "keys") as log:
        entry = log.entry(log.size - 1)
    assert (entry.actor, entry.action, entry.target) == (getpass.getuser(), "reveal", "export")
    assert entry.details["reason"] == reason and entry.details["out"] == str(out.resolve())
    revealed = entry.details["users"]
    assert isinstance(revealed, list) and set(revealed) == shown


def test_a_dismissed_alert_is_exported_as_suppressed(home: Home, tmp_path: Path) -> None:
    with open_store(home.store_path) as store:
        user, day = store.con.execute("SELECT user_id, day FROM scores ORDER BY score DESC LIMIT 1").fetchall()[0]
    with closing(ops.connect(home)) as con:  # dismissals live in the operational store
        dismiss(con, [(user, day)], "known project work", "alice")
    out = tmp_path / "top.jsonl"
    code, said = export(home, "--out", str(out), "--top", "1")
    assert code == 0, said
    (record,) = [json.loads(line) for line in out.read_text().splitlines()]
    assert (record["status_id"], record["status"]) == (3, "Suppressed")
    assert "known project work" not in out.read_text()  # a dismissal reason is the analysts' text, not exported
