"""Read-only commands while a pipeline run holds the store: they show the last published snapshot and say so;
a read-write open waits a few seconds for a short holder (a dashboard action) instead of failing at once."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from molehunt.cli import app
from molehunt.errors import StoreError
from molehunt.store import open_reading, open_store, publish

HOLDER = """
import sys, time
from pathlib import Path
from molehunt.store import open_store
with open_store(Path(sys.argv[1])):
    print("holding", flush=True)
    time.sleep(float(sys.argv[2]))
"""


def _hold(path: Path, seconds: float) -> subprocess.Popen[str]:
    child = subprocess.Popen([sys.executable, "-c", HOLDER, str(path), str(seconds)], stdout=subprocess.PIPE, text=True)
    assert child.stdout is not None and child.stdout.readline().strip() == "holding"
    return child


def _home_with_events(tmp_path: Path) -> Path:
    home = tmp_path / "home"
    with open_store(home / "molehunt.duckdb") as store:
        store.con.execute("INSERT INTO quarantine (file_id, line, reason, raw) VALUES (1, 7, 'bad date', 'x,y')")
        publish(store)
    return home


def test_status_shows_the_published_snapshot_while_a_run_holds_the_store(tmp_path: Path) -> None:
    home = _home_with_events(tmp_path)
    holder = _hold(home / "molehunt.duckdb", 60)
    try:
        result = CliRunner().invoke(app, ["--home", str(home), "status", "--json"])
        assert result.exit_code == 0, result.output
        assert "showing what was published last (snapshot 1)" in result.output
        assert json.loads(result.stdout)["quarantined"] == 1
    finally:
        holder.kill()
        holder.wait()


def test_nothing_published_and_a_busy_store_is_one_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "home" / "molehunt.duckdb"
    open_store(path).close()
    holder = _hold(path, 60)
    try:
        with pytest.raises(StoreError, match="is using the store"):
            open_reading(path, wait=0.2)
    finally:
        holder.kill()
        holder.wait()


def test_a_read_write_open_waits_for_a_short_holder(tmp_path: Path) -> None:
    path = tmp_path / "home" / "molehunt.duckdb"
    open_store(path).close()
    holder = _hold(path, 1.0)
    try:
        started = time.monotonic()
        with open_store(path) as store:  # the default wait outlasts the holder's second
            assert store.count("SELECT 1") == 1
        assert time.monotonic() - started > 0.3  # it did wait: the holder had it
    finally:
        holder.wait()
    holder = _hold(path, 60)
    try:
        with pytest.raises(StoreError, match="is using the store"):
            open_store(path, wait=0.3)
    finally:
        holder.kill()
        holder.wait()
