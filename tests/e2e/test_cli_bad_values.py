"""Out-of-range numbers on the command line are one-line usage errors (exit 2), never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from molehunt.cli import app

runner = CliRunner()


@pytest.mark.parametrize(
    "args",
    [
        ["alerts", "--limit", "-3"],
        ["alerts", "--limit", "0"],
        ["quarantine", "--limit", "-3"],
        ["demo", "--users", "-1"],
        ["demo", "--days", "0"],
        ["serve", "--port", "-1"],
        ["serve", "--port", "99999"],
    ],
)
def test_out_of_range_option_is_a_usage_error(tmp_path: Path, args: list[str]) -> None:
    result = runner.invoke(app, ["--home", str(tmp_path / "home"), *args], env={"COLUMNS": "160"})
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert "Invalid value" in result.output
    assert not (tmp_path / "home" / "demo").exists()  # refused before any work


def test_eval_without_scores_reads_the_homes_scores_when_the_current_folder_has_none(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "home"
    home.mkdir(mode=0o700)
    (home / "scores.csv").write_text("user,day,score,reasons\nnot-a-row\n")
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["--home", str(home), "eval"], env={"COLUMNS": "160"})
    # The home's file was the one read (its bad row is named), not a missing ./scores.csv.
    assert result.exit_code == 2
    assert str(home / "scores.csv") in result.output.replace("\n", "")
