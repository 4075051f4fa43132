"""People on the terminal are pseudonyms unless --names --reason, which the audit log records first (issue 17)."""

from __future__ import annotations

import getpass
import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from molehunt.audit import AuditLog
from molehunt.cli import app
from molehunt.config import Home
from molehunt.detect.alerts import alerts_for
from molehunt.pseudonyms import Pseudonyms
from molehunt.store import open_store
from tests.homes import copy_of

runner = CliRunner()


@pytest.fixture(scope="module")
def home(scored_home: Home, tmp_path_factory: pytest.TempPathFactory) -> Home:
    return copy_of(scored_home, tmp_path_factory.mktemp("cli-names") / "home")


def latest_alerts(home: Home) -> list[str]:
    with open_store(home.store_path, read_only=True) as store:
        return [alert.user_id for alert in alerts_for(store, None, 5)[1]]


def entries(home: Home) -> list[dict[str, object]]:
    if not home.audit_dir.exists():
        return []
    with AuditLog.open(home.audit_dir, home.keys_dir, checkpoint_on_close=False) as log:
        return [log.entry(i).to_json() for i in range(log.size)]


def molehunt(home: Home, *args: str) -> str:
    result = runner.invoke(app, ["--home", str(home.root), *args], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    return result.output


def test_alerts_show_pseudonyms_and_record_nothing(home: Home) -> None:
    before = len(entries(home))
    real = latest_alerts(home)
    names = Pseudonyms.for_keys_dir(home.keys_dir)
    shown = molehunt(home, "alerts", "--limit", "5")
    listed = json.loads(molehunt(home, "alerts", "--limit", "5", "--json"))
    assert real and [a["user"] for a in listed["alerts"]] == [names.of(user) for user in real]
    for user in real:
        assert names.of(user) in shown
        assert not re.search(rf"\b{re.escape(user)}\b", shown + json.dumps(listed))
    assert len(entries(home)) == before


def test_alerts_with_names_show_real_ids_after_recording_who_and_why(home: Home) -> None:
    before = len(entries(home))
    real = latest_alerts(home)
    listed = json.loads(molehunt(home, "alerts", "--limit", "5", "--json", "--names", "--reason", "case 12 review"))
    assert [a["user"] for a in listed["alerts"]] == real
    shown = molehunt(home, "alerts", "--limit", "5", "--names", "--reason", "case 12 review")
    assert all(user in shown for user in real)
    logged = entries(home)[before:]
    assert [(e["actor"], e["action"], e["target"]) for e in logged] == [(getpass.getuser(), "reveal", "alerts")] * 2
    details = logged[0]["details"]
    assert isinstance(details, dict)
    assert details["reason"] == "case 12 review" and details["users"] == sorted(real) and details["out"] == "terminal"


@pytest.mark.parametrize("args", [["--names"], ["--reason", "why not"], ["--names", "--reason", "  "]])
def test_names_without_a_reason_or_a_reason_alone_is_a_usage_error(home: Home, args: list[str]) -> None:
    result = runner.invoke(app, ["--home", str(home.root), "alerts", *args])
    assert result.exit_code == 2 and "--reason" in result.output and "Traceback" not in result.output


def test_alerts_on_a_store_with_nothing_scored_say_so(tmp_path: Path) -> None:
    empty = Home(tmp_path / "empty").ensure()
    with open_store(empty.store_path):
        pass  # a store that was created but never scored
    said = molehunt(empty, "alerts")
    assert said.strip() == "No alerts: nothing is scored yet (run `molehunt score`, or `molehunt demo`)."
    assert json.loads(molehunt(empty, "alerts", "--json")) == {"day": None, "alerts": []}


def test_alerts_of_a_day_without_scores_say_so(home: Home) -> None:
    said = molehunt(home, "alerts", "--day", "1999-01-01")
    assert said.strip() == "No alerts on 1999-01-01: no user-day of it scored above 0."
