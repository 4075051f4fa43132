"""`molehunt report` through the CLI: default output, the reveal guard, and the audit entry a reveal leaves."""

from __future__ import annotations

import getpass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from molehunt.audit import AuditLog
from molehunt.cli import app
from molehunt.config import Home
from molehunt.detect.alerts import top_suspects
from molehunt.pseudonyms import Pseudonyms
from molehunt.store import open_store
from tests.homes import copy_of

runner = CliRunner()


@pytest.fixture(scope="module")
def home(scored_home: Home, tmp_path_factory: pytest.TempPathFactory) -> Home:
    """A writable copy of the scored home (reports, keys and the audit log are written into it)."""
    return copy_of(scored_home, tmp_path_factory.mktemp("cli-report") / "home")


def top_ids(home: Home, n: int) -> list[str]:
    with open_store(home.store_path, read_only=True) as store:
        return [alert.user_id for alert in top_suspects(store, n)]


def audit_size(home: Home) -> int:
    if not (home.root / "audit").exists():
        return 0
    with AuditLog.open(home.root / "audit", home.root / "keys") as log:
        return log.size


def test_report_writes_the_home_report_with_pseudonyms(home: Home) -> None:
    logged = audit_size(home)
    result = runner.invoke(app, ["--home", str(home.root), "report", "--top", "2"])
    assert result.exit_code == 0, result.output
    written = home.root / "report.html"
    assert str(written) in result.output.replace("\n", "")
    html = written.read_text()
    pseudonyms = Pseudonyms.for_keys_dir(home.root / "keys")
    for user_id in top_ids(home, 2):
        assert pseudonyms.of(user_id) in html and user_id not in html
    assert audit_size(home) == logged  # nothing revealed, nothing to record


def test_names_without_a_reason_is_refused(home: Home, tmp_path: Path) -> None:
    out = tmp_path / "named.html"
    result = runner.invoke(app, ["--home", str(home.root), "report", "--names", "--out", str(out)])
    assert result.exit_code == 2
    assert "--reason" in result.output and "real identities" in result.output
    assert not out.exists()
    blank = runner.invoke(app, ["--home", str(home.root), "report", "--names", "--reason", "  ", "--out", str(out)])
    assert blank.exit_code == 2 and not out.exists()


def test_names_with_a_reason_are_audited(home: Home, tmp_path: Path) -> None:
    out = tmp_path / "named.html"
    args = ["--home", str(home.root), "report", "--top", "2", "--names", "--reason", "case 42: HR referral"]
    result = runner.invoke(app, [*args, "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "audit log" in result.output
    ids = top_ids(home, 2)
    html = out.read_text()
    assert all(user_id in html for user_id in ids)
    with AuditLog.open(home.root / "audit", home.root / "keys") as log:
        entry = log.entry(log.size - 1)
    assert (entry.actor, entry.action, entry.target) == (getpass.getuser(), "reveal", "report")
    assert entry.details["reason"] == "case 42: HR referral"
    assert entry.details["out"] == str(out.resolve())
    revealed = entry.details["users"]
    assert isinstance(revealed, list) and set(ids) <= set(revealed)
    with open_store(home.store_path, read_only=True) as store:
        everyone = {row[0] for row in store.con.execute("SELECT DISTINCT user_id FROM scores").fetchall()}
    assert set(revealed) == {user_id for user_id in everyone if user_id in html}  # exactly the people shown


def test_reason_alone_and_bad_top_are_refused(home: Home) -> None:
    alone = runner.invoke(app, ["--home", str(home.root), "report", "--reason", "why not"])
    assert alone.exit_code == 2 and "--names" in alone.output
    zero = runner.invoke(app, ["--home", str(home.root), "report", "--top", "0"])
    assert zero.exit_code == 2


def test_report_without_a_store_says_what_to_do(tmp_path: Path) -> None:
    result = runner.invoke(app, ["--home", str(tmp_path / "empty"), "report"])
    assert result.exit_code == 2
    assert "no store" in result.output and "molehunt demo" in result.output
