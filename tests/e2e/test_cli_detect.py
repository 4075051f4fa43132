"""score -> eval -> alerts through the CLI on a small simulated organization."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from molehunt.cli import app
from molehunt.store import open_store

pytestmark = pytest.mark.slow

runner = CliRunner()


@pytest.fixture(scope="module")
def scored(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    root = tmp_path_factory.mktemp("detect")
    data, home, scores = root / "data", root / "home", root / "scores.csv"
    assert (
        runner.invoke(app, ["synth", "--users", "60", "--days", "60", "--seed", "7", "--out", str(data)]).exit_code == 0
    )
    result = runner.invoke(app, ["--home", str(home), "score", str(data), "--out", str(scores)])
    assert result.exit_code == 0, result.output
    return data, home, scores


def test_score_writes_one_row_per_active_user_day(scored: tuple[Path, Path, Path]) -> None:
    _, home, scores = scored
    with scores.open() as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == ["user", "day", "score", "reasons"]
    with open_store(home / "molehunt.duckdb", read_only=True) as store:
        active = store.count("SELECT count(*) FROM (SELECT DISTINCT user_id, CAST(time AS DATE) FROM events)")
    assert len({(r["user"], r["day"]) for r in rows}) == len(rows) == active
    assert all(float(r["score"]) >= 0 for r in rows)
    assert any(r["reasons"] for r in rows)


def test_eval_reports_the_metrics(scored: tuple[Path, Path, Path]) -> None:
    data, home, scores = scored
    result = runner.invoke(app, ["--home", str(home), "eval", str(data), "--scores", str(scores), "--json"])
    assert result.exit_code == 0, result.output
    metrics = json.loads(result.output)
    for key in ("user_auc", "user_day_auc", "recall_top1", "recall_top5", "insiders_in_top_k", "delays"):
        assert key in metrics
    assert metrics["insiders"] >= 7
    assert 0.5 < metrics["user_auc"] <= 1.0  # far better than chance on its own simulated data


def test_alerts_rank_the_latest_day(scored: tuple[Path, Path, Path]) -> None:
    _, home, _ = scored
    result = runner.invoke(app, ["--home", str(home), "alerts", "--json", "--limit", "5"])
    assert result.exit_code == 0, result.output
    shown = json.loads(result.output)
    scores = [a["score"] for a in shown["alerts"]]
    assert scores == sorted(scores, reverse=True) and len(scores) <= 5
    assert all(a["day"] == shown["day"] for a in shown["alerts"])


def test_alerts_before_scoring_says_what_to_do(tmp_path: Path) -> None:
    data = tmp_path / "data"
    runner.invoke(app, ["synth", "--users", "20", "--days", "30", "--out", str(data)])
    runner.invoke(app, ["--home", str(tmp_path / "home"), "ingest", str(data)])
    result = runner.invoke(app, ["--home", str(tmp_path / "home"), "alerts"])
    assert result.exit_code == 0 and "molehunt score" in result.output  # finding nothing is no error (issue 17)


def test_bad_day_arguments_exit_2(scored: tuple[Path, Path, Path]) -> None:
    _, home, scores = scored
    result = runner.invoke(app, ["--home", str(home), "score", "--since", "2010-13-01", "--out", str(scores)])
    assert result.exit_code == 2 and "YYYY-MM-DD" in result.output
    result = runner.invoke(app, ["--home", str(home), "alerts", "--day", "yesterday"])
    assert result.exit_code == 2 and "YYYY-MM-DD" in result.output
