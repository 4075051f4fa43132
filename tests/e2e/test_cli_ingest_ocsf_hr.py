"""`molehunt ingest --source ocsf|hr` end to end: JSON summary, quarantine, --strict, rerun, then scoring."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from molehunt.cli import app
from molehunt.store import open_store
from tests.ocsf_fixtures import GOOD, LOGON, line, ms, write_jsonl

runner = CliRunner()


def invoke(home: Path, *args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["--home", str(home), *args])
    return result.exit_code, result.output


@pytest.mark.slow
def test_ocsf_and_hr_through_the_cli(tmp_path: Path) -> None:
    home = tmp_path / "home"
    hr = tmp_path / "hr.csv"
    hr.write_text(
        "user,email,department,role,hire_date,notice_date,last_day,events\n"
        "ALE0001,ann.lee@dtaa.com,Engineering,Engineer,2008-01-01,2010-01-05,2010-01-29,2010-01-02 grievance\n"
        "BRA0002,,Engineering,Manager,2011-01-01,,2010-01-01,\n"
    )
    code, output = invoke(home, "ingest", "--source", "hr", str(hr), "--json")
    assert code == 0, output
    (file,) = json.loads(output)["files"]
    assert (file["role"], file["rows"], file["ingested"], file["quarantined"]) == ("hr", 2, 1, 1)
    assert file["first_problems"] == ["line 3: last_day 2010-01-01 is before hire_date 2011-01-01"]

    next_day = line(LOGON, time=ms(2010, 1, 5, 8, 0), metadata={"uid": "auth-3"})  # scoring needs two user-days
    lines = [line(r) for r in GOOD] + [line(LOGON, class_uid=2004), next_day]
    feed = write_jsonl(tmp_path / "feed" / "day1.jsonl", lines)
    code, output = invoke(home, "ingest", "--source", "ocsf", str(feed.parent), "--json")
    assert code == 0, output
    (file,) = json.loads(output)["files"]
    assert (file["rows"], file["ingested"], file["quarantined"]) == (len(GOOD) + 2, len(GOOD) + 1, 1)

    code, output = invoke(home, "ingest", "--source", "ocsf", str(feed.parent), "--json")
    assert code == 0 and json.loads(output)["files"][0]["skipped"]

    code, output = invoke(home, "quarantine", "--json")
    assert code == 0
    reasons = {(Path(r["path"]).name, r["line"], r["reason"].split(" (")[0]) for r in json.loads(output)}
    assert reasons == {
        ("hr.csv", 3, "last_day 2010-01-01 is before hire_date 2011-01-01"),
        ("day1.jsonl", len(GOOD) + 1, "unknown class_uid 2004"),
    }

    code, output = invoke(home, "score", "--out", str(tmp_path / "scores.csv"))
    assert code == 0, output
    with open_store(home / "molehunt.duckdb", read_only=True) as store:
        found = store.con.execute(
            "SELECT days_to_departure, role, department FROM user_day_features WHERE user_id = 'ALE0001' ORDER BY day"
        ).fetchall()
    assert found == [(25, "Engineer", "Engineering"), (24, "Engineer", "Engineering")]


def test_cli_errors_name_the_file_and_line(tmp_path: Path) -> None:
    feed = write_jsonl(tmp_path / "bad.jsonl", [line(LOGON), "{oops"])
    code, output = invoke(tmp_path / "home", "ingest", "--source", "ocsf", str(feed), "--strict")
    assert code == 2 and "bad.jsonl:2: invalid JSON" in output.replace("\n", "")
    code, output = invoke(tmp_path / "home", "ingest", "--source", "ocsf", str(feed), "--only", "logon")
    assert code == 2 and "--only selects CERT files" in output
    code, output = invoke(tmp_path / "home", "ingest", "--source", "hr", str(tmp_path / "missing.csv"))
    assert code == 2 and "no such file" in output
