"""Commands that find nothing say so in one line and exit 0 (issue 17); alerts and audit ls are in their own files."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from molehunt.cli import app
from molehunt.config import Home
from molehunt.store import open_store

runner = CliRunner()


def test_quarantine_with_no_rows_says_so(tmp_path: Path) -> None:
    home = Home(tmp_path / "home").ensure()
    with open_store(home.store_path):
        pass  # an empty store
    said = runner.invoke(app, ["--home", str(home.root), "quarantine"])
    assert said.exit_code == 0 and said.output == "No quarantined rows.\n"
    said = runner.invoke(app, ["--home", str(home.root), "quarantine", "--file", str(tmp_path / "a.csv")])
    assert said.exit_code == 0 and said.output == "No quarantined rows from that file.\n"
    said = runner.invoke(app, ["--home", str(home.root), "quarantine", "--json"])
    assert said.exit_code == 0 and json.loads(said.output) == []


def test_vault_ls_with_nothing_readable_says_so_on_stderr(tmp_path: Path) -> None:
    home = str(tmp_path / "home")
    assert runner.invoke(app, ["--home", home, "vault", "grant", "bob", "--clearance", "SECRET"]).exit_code == 0
    said = runner.invoke(app, ["--home", home, "vault", "ls", "--as", "bob"])
    assert (said.exit_code, said.stdout, said.stderr) == (0, "", "No documents bob may read.\n")
