"""Published snapshots: what the pipeline leaves for the dashboard, and the reader that follows CURRENT."""

from __future__ import annotations

import importlib
import stat
import subprocess
import sys
import threading
from pathlib import Path

import duckdb
import pytest

from molehunt.errors import StoreError
from molehunt.store import Snapshots, open_store, publish, publish_readable
from molehunt.store.publish import CURRENT, FOLDER, current_generation

ROOT = Path(__file__).resolve().parents[3]


def _decoys(store_path: Path, *paths: str) -> None:
    with open_store(store_path) as store:
        for path in paths:
            store.con.execute("INSERT INTO decoy_files VALUES (?, 'PC-1', 1, 2)", [path])


def _seen(snapshots: Snapshots) -> list[str]:
    with snapshots.connect() as view:
        return [row[0] for row in view.con.execute("SELECT path FROM decoy_files ORDER BY path").fetchall()]


def test_publish_copies_the_store_privately_and_names_it_in_current(tmp_path: Path) -> None:
    store_path = tmp_path / "home" / "molehunt.duckdb"
    _decoys(store_path, "a.doc")
    with open_store(store_path) as store:
        store.con.execute("INSERT INTO decoy_files VALUES ('b.doc', 'PC-1', 1, 2)")  # still in the WAL
        assert publish(store) == 1
    folder = store_path.parent / FOLDER
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert (folder / CURRENT).read_text() == "1\n"
    for path in folder.iterdir():
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    with open_store(folder / "1.duckdb", read_only=True) as copy:  # the checkpoint put the WAL's rows in the copy
        assert copy.con.execute("SELECT path FROM decoy_files ORDER BY path").fetchall() == [("a.doc",), ("b.doc",)]


def test_each_publish_is_a_new_generation_and_older_ones_are_unlinked(tmp_path: Path) -> None:
    store_path = tmp_path / "molehunt.duckdb"
    with open_store(store_path) as store:
        generations = [publish(store) for _ in range(3)]
    assert generations == [1, 2, 3]
    assert sorted(p.name for p in (tmp_path / FOLDER).glob("*.duckdb*")) == ["3.duckdb"]
    assert current_generation(store_path) == 3


def test_the_reader_follows_current_and_an_open_reader_keeps_its_generation(tmp_path: Path) -> None:
    store_path = tmp_path / "molehunt.duckdb"
    snapshots = Snapshots(store_path)
    assert snapshots.generation is None
    assert _seen(snapshots) == []  # nothing published: an empty store with the schema, not an error
    _decoys(store_path, "a.doc")
    with open_store(store_path) as store:
        publish(store)
    assert _seen(snapshots) == ["a.doc"] and snapshots.generation == 1
    reading = snapshots.connect()  # a request still running on generation 1 ...
    _decoys(store_path, "b.doc")
    with open_store(store_path) as store:
        publish(store)
    assert not (tmp_path / FOLDER / "1.duckdb").exists()
    assert _seen(snapshots) == ["a.doc", "b.doc"] and snapshots.generation == 2
    # ... finishes on its own (unlinked) copy, unharmed by the new generation
    assert reading.con.execute("SELECT count(*) FROM decoy_files").fetchall() == [(1,)]
    reading.close()
    snapshots.close()


def test_readers_of_a_snapshot_never_hold_the_store(tmp_path: Path) -> None:
    store_path = tmp_path / "molehunt.duckdb"
    _decoys(store_path, "a.doc")
    with open_store(store_path) as store:
        publish(store)
    snapshots = Snapshots(store_path)
    with snapshots.connect() as view:
        assert view.path == store_path  # the home is found from it as from the store
        # another process takes the store read-write while the snapshot is open here
        code = "import sys; from molehunt.store import open_store; open_store(__import__('pathlib').Path(sys.argv[1]))"
        done = subprocess.run([sys.executable, "-c", code, str(store_path)], cwd=ROOT, capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
    snapshots.close()


def test_many_threads_read_while_generations_change(tmp_path: Path) -> None:
    store_path = tmp_path / "molehunt.duckdb"
    _decoys(store_path, "a.doc")
    with open_store(store_path) as store:
        publish(store)
    snapshots = Snapshots(store_path)
    errors: list[BaseException] = []
    stop = threading.Event()

    def read() -> None:
        while not stop.is_set():
            try:
                assert _seen(snapshots)[0] == "a.doc"
            except BaseException as exc:
                errors.append(exc)
                return

    readers = [threading.Thread(target=read) for _ in range(4)]
    for reader in readers:
        reader.start()
    with open_store(store_path) as store:
        for n in range(15):
            store.con.execute("INSERT INTO decoy_files VALUES (?, 'PC-1', 1, 2)", [f"z{n}.doc"])
            publish(store)
    stop.set()
    for reader in readers:
        reader.join()
    assert not errors, errors[0]
    assert len(_seen(snapshots)) == 16 and snapshots.generation == 16
    snapshots.close()


def test_a_snapshot_unlinked_before_a_first_reader_opens_it_is_not_read_as_empty(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A reader with nothing open yet reads CURRENT, and before it opens that generation a newer publish unlinks it.
    store_path = tmp_path / "molehunt.duckdb"
    _decoys(store_path, "a.doc")
    with open_store(store_path) as store:
        publish(store)
    publishing = importlib.import_module("molehunt.store.publish")  # the module, not the function of that name
    real, opened = publishing._open_snapshot, []

    def unlinked_the_first_time(path: Path) -> duckdb.DuckDBPyConnection:
        opened.append(path)
        if len(opened) == 1:
            with open_store(store_path) as store:
                publish(store)  # generation 2 unlinks generation 1
            raise duckdb.IOException(f"{path} was unlinked")
        return real(path)

    monkeypatch.setattr(publishing, "_open_snapshot", unlinked_the_first_time)
    snapshots = Snapshots(store_path)
    assert _seen(snapshots) == ["a.doc"]
    assert snapshots.generation == 2
    snapshots.close()


def test_an_old_home_is_published_from_a_read_only_open_unless_a_run_holds_it(tmp_path: Path) -> None:
    store_path = tmp_path / "molehunt.duckdb"
    assert publish_readable(store_path) is None  # no store at all
    _decoys(store_path, "a.doc")
    with open_store(store_path):  # a run holds it (DuckDB refuses other opens, even this process's read-only one)
        code = (
            "import sys, pathlib; from molehunt.store import publish_readable;"
            "print(publish_readable(pathlib.Path(sys.argv[1])))"
        )
        done = subprocess.run([sys.executable, "-c", code, str(store_path)], cwd=ROOT, capture_output=True, text=True)
        assert done.stdout.strip() == "None", done.stderr
    assert publish_readable(store_path) == 1
    assert _seen(Snapshots(store_path)) == ["a.doc"]


def test_a_damaged_current_reads_as_nothing_published(tmp_path: Path) -> None:
    store_path = tmp_path / "molehunt.duckdb"
    with open_store(store_path) as store:
        publish(store)
    (tmp_path / FOLDER / CURRENT).write_text("not a number\n")
    assert current_generation(store_path) is None
    assert _seen(Snapshots(store_path)) == []


def test_a_publish_that_cannot_write_says_where_and_leaves_the_store(tmp_path: Path) -> None:
    store_path = tmp_path / "molehunt.duckdb"
    (tmp_path / FOLDER).write_text("a file where the folder should be")
    with open_store(store_path) as store:
        with pytest.raises(StoreError, match=f"cannot publish the store to {tmp_path / FOLDER}: File exists"):
            publish(store)
        assert store.scalar("SELECT count(*) FROM decoy_files") == 0  # the store is still open and usable
