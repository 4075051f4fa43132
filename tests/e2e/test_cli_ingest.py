from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from molehunt.cli import app
from tests.cert_fixtures import write_answers, write_cert_dir
from tests.unit.ingest.test_cert_reader import BAD_LOGON

runner = CliRunner()


def invoke(home: Path, *args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["--home", str(home), *args])
    return result.exit_code, result.output


def test_ingest_json_counts_add_up_and_rerun_is_a_no_op(tmp_path: Path) -> None:
    data = write_cert_dir(tmp_path / "data", "r6.2", {"logon": BAD_LOGON})
    write_answers(data, "r6.2", ["logon," + BAD_LOGON[0]])
    code, output = invoke(tmp_path / "home", "ingest", "--source", "cert", str(data), "--json")
    assert code == 0, output
    files = json.loads(output)["files"]
    assert {Path(f["path"]).name for f in files} >= {"logon.csv", "http.csv", "insiders.csv", "2010-01.csv"}
    for f in files:
        assert f["rows"] == f["ingested"] + f["quarantined"]
    logon = next(f for f in files if f["path"].endswith("logon.csv"))
    assert (logon["rows"], logon["quarantined"]) == (9, 7)

    code, output = invoke(tmp_path / "home", "ingest", str(data), "--json")
    assert code == 0
    assert all(f["skipped"] and f["rows"] == 0 for f in json.loads(output)["files"])


def test_status_and_quarantine_views(tmp_path: Path) -> None:
    data = write_cert_dir(tmp_path / "data", "r4.2", {"logon": BAD_LOGON})
    assert invoke(tmp_path / "home", "ingest", str(data))[0] == 0
    code, output = invoke(tmp_path / "home", "status", "--json")
    assert code == 0
    status = json.loads(output)
    assert status["quarantined"] == 7 and status["directory_users"] == 2 and status["departed_users"] == 1
    assert {k["kind"] for k in status["kinds"]} == {"logon", "device", "file", "email", "http"}

    code, output = invoke(tmp_path / "home", "quarantine", "--json", "--limit", "3")
    rows = json.loads(output)
    assert code == 0 and len(rows) == 3
    assert rows[0]["line"] == 3 and rows[0]["path"].endswith("logon.csv")

    code, output = invoke(tmp_path / "home", "status")
    assert code == 0 and "What the store holds" in output


def test_errors_exit_2_with_a_clear_message(tmp_path: Path) -> None:
    code, output = invoke(tmp_path / "home", "ingest", str(tmp_path / "missing"))
    assert code == 2 and "is not a directory" in output
    code, output = invoke(tmp_path / "home", "ingest", "--source", "splunk", str(tmp_path))
    assert code == 2 and "unknown source 'splunk'" in output
    code, output = invoke(tmp_path / "empty-home", "status")
    assert code == 2 and "molehunt ingest" in output

    data = write_cert_dir(tmp_path / "data", "r4.2", {"logon": BAD_LOGON})
    code, output = invoke(tmp_path / "home", "ingest", str(data), "--strict")
    assert code == 2 and "logon.csv:3: expected 5 fields, found 4" in output


def test_home_from_environment(tmp_path: Path) -> None:
    data = write_cert_dir(tmp_path / "data", "r4.2")
    result = runner.invoke(app, ["ingest", str(data), "--json"], env={"MOLEHUNT_HOME": str(tmp_path / "envhome")})
    assert result.exit_code == 0
    assert (tmp_path / "envhome" / "molehunt.duckdb").is_file()
