"""Tables at 80 columns never split a word across lines; the demo shows its suspects by pseudonym (issue 17).

Real processes: Rich sizes its consoles from COLUMNS when the CLI starts, which in-process tests fixed at 160.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from molehunt.config import Home
from molehunt.detect.alerts import top_suspects
from molehunt.pseudonyms import Pseudonyms
from molehunt.store import open_store
from molehunt.workbench.alert_view import shown_reasons

pytestmark = pytest.mark.slow  # a small demo: about 10 s


def molehunt(home: Path, *args: str) -> str:
    done = subprocess.run(
        [str(Path(sys.executable).parent / "molehunt"), "--home", str(home), *args],
        capture_output=True,
        text=True,
        env=os.environ | {"COLUMNS": "80", "TERM": "dumb"},
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    return done.stdout


def on_one_line(word: str, shown: str) -> bool:
    return any(word in line for line in shown.splitlines())


def assert_fits(shown: str) -> None:
    assert max(len(line) for line in shown.splitlines()) <= 80, shown


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    home = tmp_path_factory.mktemp("tables") / "home"
    return home, molehunt(home, "demo", "--users", "20", "--days", "30")


def test_the_demos_suspects_are_pseudonyms_and_no_rule_or_reason_is_cut(demo: tuple[Path, str]) -> None:
    home, shown = demo
    table = shown[shown.index("Top suspects") : shown.index("Evaluation:")]
    assert_fits(table)
    names = Pseudonyms.for_keys_dir(Home(home).keys_dir)
    with open_store(Home(home).store_path, read_only=True) as store:
        suspects = top_suspects(store, 10)
    for alert in suspects:
        assert names.of(alert.user_id) in table and alert.user_id not in shown.split("Evaluation:")[0]
        for rule in alert.rules:
            assert on_one_line(rule, table), rule
        first = shown_reasons(alert.reasons)[:1]  # the first reason is always shown, later ones may be cut
        for word in " ".join(first).split():
            assert on_one_line(word, table), word


def test_the_alerts_table_cuts_no_word(demo: tuple[Path, str]) -> None:
    home, _ = demo
    listed = json.loads(molehunt(home, "alerts", "--json"))
    shown = molehunt(home, "alerts")
    assert_fits(shown)
    assert listed["alerts"]
    for alert in listed["alerts"]:
        assert on_one_line(alert["user"], shown)
        for rule in alert["rules"]:
            assert on_one_line(rule, shown), rule
        for word in " ".join(shown_reasons(alert["reasons"])).split()[:12]:  # zero counts are left out
            assert on_one_line(word, shown), word


def test_the_ingest_table_ends_long_paths_in_an_ellipsis_and_keeps_every_header(demo: tuple[Path, str]) -> None:
    home, first = demo
    data = next((home / "demo").iterdir())
    report = json.loads(molehunt(home, "ingest", str(data), "--json"))
    shown = molehunt(home, "ingest", str(data))
    table = first[: first.index("What the store holds")]
    for text in (shown, table):
        assert_fits(text)
        for header in ("file", "kind", "rows read", "ingested", "quarantined"):
            assert on_one_line(header, text)
    assert "every file was already ingested (same content)" in " ".join(shown.split())
    for file in report["files"]:
        name = file["path"].removeprefix(str(data)).lstrip("/")
        assert on_one_line(name, table) or any(
            line.split("│")[1].strip().endswith("…") and name.startswith(line.split("│")[1].strip()[:-1])
            for line in table.splitlines()
            if line.startswith("│")
        ), name
        assert on_one_line(file["kind"] if "kind" in file else file["role"], table)


def test_status_fits(demo: tuple[Path, str]) -> None:
    home, _ = demo
    shown = molehunt(home, "status")
    assert_fits(shown)
    for word in ("device", "email", "file", "http", "logon", "quarantined", "(see", "`molehunt", "quarantine`)"):
        assert on_one_line(word, shown), word
