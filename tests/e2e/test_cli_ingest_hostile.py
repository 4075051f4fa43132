"""Hostile ingested data through the real CLI: one poisoned OCSF record is quarantined, `watch --once` goes on to the
next delivery, and `molehunt quarantine` shows escape sequences without obeying them (issue 20, findings 1 and 7)."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from molehunt.cli import app
from tests.ocsf_fixtures import FILE_TO_USB, LOGON, USB_CONNECT, line, ms, write_jsonl

runner = CliRunner()
SURROGATE = json.dumps(FILE_TO_USB | {"file": FILE_TO_USB["file"] | {"path": "E:\\secret\udc80.doc"}})
HUGE = line(FILE_TO_USB, file=FILE_TO_USB["file"] | {"size": 2**63})
OSC = "\x1b]52;c;cm0gLXJmIH4=\x07\x1b]8;;http://e.vil\x1b\\click\x1b]8;;\x1b\\\x9b2J\u202e"


def invoke(home: Path, *args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["--home", str(home), *args])
    return result.exit_code, result.output


def test_a_poisoned_ocsf_record_is_quarantined_and_the_rest_of_the_file_ingested(tmp_path: Path) -> None:
    feed = write_jsonl(tmp_path / "feed.jsonl", [line(LOGON), SURROGATE, HUGE, line(USB_CONNECT)])
    code, output = invoke(tmp_path / "home", "ingest", "--source", "ocsf", str(feed), "--json")
    assert code == 0, output
    assert json.loads(output)["totals"] == {"rows": 4, "ingested": 2, "quarantined": 2, "duplicates": 0}


def test_watch_once_goes_past_a_poisoned_delivery_to_the_next(tmp_path: Path) -> None:
    incoming = tmp_path / "incoming"
    write_jsonl(incoming / "2010-01-04.jsonl", [line(LOGON), SURROGATE, HUGE])
    write_jsonl(incoming / "2010-01-05.jsonl", [line(LOGON, metadata={"uid": "auth-9"}, time=ms(2010, 1, 5, 8))])
    code, output = invoke(tmp_path / "home", "watch", str(incoming), "--source", "ocsf", "--once")
    said = " ".join(output.split())
    assert code == 0, output
    assert said.count("ingested ") == 2 and "2 rows quarantined" in said and "refused" not in said


def test_quarantine_shows_escape_sequences_without_obeying_them(tmp_path: Path) -> None:
    feed = write_jsonl(tmp_path / f"feed{OSC[:8]}.jsonl", [line(LOGON), f'{{"class_uid": "{OSC}"}}', OSC])
    code, output = invoke(tmp_path / "home", "ingest", "--source", "ocsf", str(feed))
    assert code == 0, output
    code, output = invoke(tmp_path / "home", "quarantine")
    assert code == 0, output
    assert "\\x1b]52;c;" in output  # shown, escaped
    for sequence in ("\x1b", "\x07", "\x9b", "\u202e"):
        assert sequence not in output, repr(sequence)
