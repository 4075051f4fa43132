from __future__ import annotations

from pathlib import Path

import pytest

from molehunt.config import resolve_home
from molehunt.errors import StoreError
from molehunt.events import EVENT_COLUMN_NAMES
from molehunt.store import open_store
from molehunt.store.schema import SCHEMA_VERSION


def test_new_store_has_the_event_columns_in_order(tmp_path: Path) -> None:
    with open_store(tmp_path / "s.duckdb") as store:
        columns = [row[0] for row in store.con.execute("DESCRIBE events").fetchall()]
        assert tuple(columns) == EVENT_COLUMN_NAMES
        assert store.scalar("SELECT max(version) FROM schema_version") == SCHEMA_VERSION


def test_reopening_migrates_nothing_twice_and_keeps_data(tmp_path: Path) -> None:
    path = tmp_path / "s.duckdb"
    with open_store(path) as store:
        store.con.execute("INSERT INTO decoy_files VALUES ('C:\\\\a.doc', 'PC-1', 1, 2)")
    with open_store(path) as store:
        assert store.scalar("SELECT count(*) FROM schema_version") == SCHEMA_VERSION  # one row per migration
        assert store.scalar("SELECT count(*) FROM decoy_files") == 1


def test_store_from_a_newer_molehunt_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "s.duckdb"
    with open_store(path) as store:
        store.con.execute("INSERT INTO schema_version VALUES (?)", [SCHEMA_VERSION + 1])
    with pytest.raises(StoreError, match="newer than this molehunt"):
        open_store(path)


def test_read_only_open_of_a_missing_store_says_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="molehunt ingest"):
        open_store(tmp_path / "missing.duckdb", read_only=True)


def test_not_a_database(tmp_path: Path) -> None:
    path = tmp_path / "s.duckdb"
    path.write_text("hello")
    with pytest.raises(StoreError, match="cannot open the store"):
        open_store(path)


def test_transaction_rolls_back_on_error(tmp_path: Path) -> None:
    with open_store(tmp_path / "s.duckdb") as store:
        with pytest.raises(RuntimeError), store.transaction() as con:
            con.execute("INSERT INTO decoy_files VALUES ('x', NULL, 1, 2)")
            raise RuntimeError("boom")
        assert store.scalar("SELECT count(*) FROM decoy_files") == 0


def test_home_resolution(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MOLEHUNT_HOME", str(tmp_path / "env"))
    assert resolve_home(None).root == tmp_path / "env"
    assert resolve_home(tmp_path / "flag").root == tmp_path / "flag"
    monkeypatch.delenv("MOLEHUNT_HOME")
    monkeypatch.chdir(tmp_path)
    assert resolve_home(None).root == tmp_path / "molehunt-data"
    assert resolve_home(None).store_path.name == "molehunt.duckdb"


def test_foreign_duckdb_file_is_not_a_store(tmp_path: Path) -> None:
    import duckdb

    path = tmp_path / "other.duckdb"
    duckdb.connect(str(path)).close()
    with pytest.raises(StoreError, match="not a molehunt store"):
        open_store(path, read_only=True)


def test_locked_store_names_the_holder(tmp_path: Path) -> None:
    import subprocess
    import sys

    path = tmp_path / "s.duckdb"
    open_store(path).close()
    holder = subprocess.Popen(
        [sys.executable, "-c", "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); print('ok', flush=True); "
         "time.sleep(30)", str(path)],
        stdout=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "ok"
        with pytest.raises(StoreError, match=rf"PID {holder.pid}\) is using the store .*use another --home"):
            open_store(path)
    finally:
        holder.kill()
        holder.wait()


def test_interrupted_query_rolls_back_as_keyboard_interrupt(tmp_path: Path) -> None:
    import threading

    with open_store(tmp_path / "s.duckdb") as store:
        timer = threading.Timer(0.3, store.con.interrupt)
        timer.start()
        with pytest.raises(KeyboardInterrupt), store.transaction() as con:
            con.execute("INSERT INTO decoy_files VALUES ('x', NULL, 1, 2)")
            con.execute("SELECT count(*) FROM range(10000000000) a, range(10) b WHERE a.range % 7 = b.range").fetchall()
        timer.cancel()
        assert store.scalar("SELECT count(*) FROM decoy_files") == 0
