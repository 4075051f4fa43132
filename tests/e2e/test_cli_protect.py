"""`molehunt protect ls|set` as real processes: the command contract of issue 18, the levels a scoring run sets
from a simulated organization, every change in an audit log that verifies."""

from __future__ import annotations

import getpass
import json
import os
import subprocess
import sys
from pathlib import Path

from molehunt.audit import AuditLog
from molehunt.audit.entries import Entry
from molehunt.config import Home

MOLEHUNT = Path(sys.executable).parent / "molehunt"  # the console script beside the venv's interpreter


def run(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "MOLEHUNT_HOME": str(home)}
    return subprocess.run([str(MOLEHUNT), *args], capture_output=True, text=True, env=env, check=False, timeout=600)


def listed(home: Path) -> list[dict[str, object]]:
    done = run(home, "protect", "ls", "--json", "--names", "--reason", "checking the levels")
    assert done.returncode == 0, done.stderr
    found: list[dict[str, object]] = json.loads(done.stdout)
    return found


def changes(home: Path) -> list[Entry]:
    at = Home(home)
    with AuditLog.open(at.audit_dir, at.keys_dir, checkpoint_on_close=False) as log:
        return [e for e in map(log.entry, range(log.size)) if e.action == "protect.change"]


def test_set_lift_and_list_with_pseudonyms_unless_revealed(tmp_path: Path) -> None:
    home = tmp_path / "home"
    assert run(home, "protect", "ls", "--json").stdout.strip() == "[]"
    done = run(home, "protect", "set", "ACM2278", "--level", "high", "--reason", "notice given; bulk reads")
    assert done.returncode == 0 and "ACM2278 is now at protection level high" in done.stdout
    [shown] = json.loads(run(home, "protect", "ls", "--json").stdout)
    assert set(shown) == {"user", "level", "since", "reasons"}
    assert shown["user"] != "ACM2278" and shown["user"].startswith("P-") and shown["level"] == "high"
    assert listed(home) == [{**shown, "user": "ACM2278"}]
    assert "ACM2278" not in run(home, "protect", "ls").stdout  # the table too shows pseudonyms
    run(home, "protect", "set", "ACM2278", "--level", "none", "--reason", "reviewed with HR: handover")
    assert listed(home) == []
    assert [(e.target, e.details["level"], e.details["source"]) for e in changes(home)] == [
        ("ACM2278", "high", "analyst"),
        ("ACM2278", "none", "analyst"),
    ]
    assert run(home, "audit", "verify").returncode == 0


def test_bad_level_or_blank_reason_is_one_line_and_changes_nothing(tmp_path: Path) -> None:
    home = tmp_path / "home"
    bad = run(home, "protect", "set", "ACM2278", "--level", "extreme", "--reason", "x")
    assert bad.returncode == 2 and "'extreme' is not one of" in bad.stderr and "Traceback" not in bad.stderr
    blank = run(home, "protect", "set", "ACM2278", "--level", "high", "--reason", "  ")
    assert blank.returncode != 0 and "say why" in blank.stderr and "Traceback" not in blank.stderr
    assert listed(home) == []


def test_a_scoring_run_sets_levels_by_share_and_the_analyst_lift_survives_the_next(tmp_path: Path) -> None:
    home, data = tmp_path / "home", tmp_path / "data"
    assert run(home, "synth", "--users", "60", "--days", "40", "--seed", "3", "--out", str(data)).returncode == 0
    assert run(home, "ingest", str(data)).returncode == 0
    (home / "protect.yaml").write_text("elevated_share: 0.05\nhigh_share: 0.02\n")
    assert run(home, "score").returncode == 0
    found = listed(home)
    levels = [p["level"] for p in found]
    assert levels.count("high") == 1 and levels.count("elevated") == 2  # 59 active: 2% is 1, 5% is 3 people
    assert all("active people" in str(p["reasons"]) for p in found)
    top = str(found[0]["user"])
    assert run(home, "protect", "set", top, "--level", "none", "--reason", "known project crunch").returncode == 0
    assert run(home, "score").returncode == 0
    assert top not in [p["user"] for p in listed(home)]  # the scores do not override the analyst
    assert run(home, "audit", "verify").returncode == 0
    assert {e.actor for e in changes(home)} == {"molehunt score", getpass.getuser()}
    (home / "protect.yaml").write_text("elevated_share: 0.05\nhigh_shar: 0.02\n")
    bad = run(home, "score")
    assert bad.returncode != 0 and "protect.yaml:2: key 'high_shar'" in bad.stderr and "Traceback" not in bad.stderr
