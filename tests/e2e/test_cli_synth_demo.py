from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from molehunt.cli import app

runner = CliRunner()


@pytest.mark.slow
def test_synth_then_ingest_round_trip(tmp_path: Path) -> None:
    out = tmp_path / "data"
    result = runner.invoke(
        app, ["synth", "--users", "40", "--days", "35", "--seed", "3", "--out", str(out), "--release", "r4.2"]
    )
    assert result.exit_code == 0, result.output
    assert "insiders planted" in result.output
    assert (out / "answers" / "insiders.csv").is_file()

    result = runner.invoke(app, ["--home", str(tmp_path / "home"), "ingest", str(out), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["release"] == "r4.2"
    assert report["totals"]["quarantined"] == 0
    assert report["totals"]["ingested"] == report["totals"]["rows"] > 10_000


def test_synth_rejects_bad_sizes(tmp_path: Path) -> None:
    result = runner.invoke(app, ["synth", "--users", "5", "--out", str(tmp_path / "x")])
    assert result.exit_code == 2
    assert "users must be >= 20" in result.output


@pytest.mark.slow
def test_demo_runs_end_to_end_and_reruns_without_duplicates(tmp_path: Path) -> None:
    home = tmp_path / "home"
    args = ["--home", str(home), "demo", "--users", "40", "--days", "35", "--seed", "5"]
    first = runner.invoke(app, args)
    assert first.exit_code == 0, first.output
    assert "What the store holds" in first.output
    report = home / "report.html"
    assert "report.html" in first.output
    assert "data:image/svg+xml;base64," in report.read_text() and "https:" not in report.read_text()
    status = json.loads(runner.invoke(app, ["--home", str(home), "status", "--json"]).output)
    assert status["events"] > 10_000 and status["insiders"] >= 7 and status["labelled_events"] > 0

    second = runner.invoke(app, args, env={"COLUMNS": "200"})
    assert second.exit_code == 0, second.output
    assert "already ingested" in second.output
    # The hints reach this home: a plain `molehunt alerts` would open ./molehunt-data instead.
    assert f"molehunt --home {home} serve" in second.output and "eval --scores" not in second.output
    again = json.loads(runner.invoke(app, ["--home", str(home), "status", "--json"]).output)
    assert again == status
