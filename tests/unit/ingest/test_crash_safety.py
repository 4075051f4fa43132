"""A crash or Ctrl-C in the middle of a file leaves the store exactly as it was before that file."""

from __future__ import annotations

import textwrap
from pathlib import Path

import duckdb
import pytest

import molehunt.ingest.load as load
from molehunt.ingest import ingest_cert
from molehunt.store import open_store
from tests.cert_fixtures import write_cert_dir
from tests.processes import kill_after_first_line

pytestmark = pytest.mark.slow

ROWS = 120_000


def big_http(root: Path) -> None:
    with (root / "http.csv").open("w") as handle:
        handle.write("id,date,user,pc,url,content\n")
        for n in range(ROWS):
            handle.write(
                f"{{BIG{n}}},01/0{1 + n % 9}/2010 10:00:00,ALE0001,PC-0001,http://site{n % 97}.com/p{n},w{n}\n"
            )


def counts(store_path: Path) -> dict[str, int]:
    with open_store(store_path) as store:
        return {
            table: store.count(f"SELECT count(*) FROM {table}") for table in ("events", "quarantine", "ingested_files")
        }


CHILD = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    import molehunt.ingest.load as load
    from molehunt.ingest import ingest_cert
    from molehunt.store import open_store

    load.CHECKPOINT_ROWS = 10_000
    commit_chunk = load.FileWriter.checkpoint
    chunks = 0

    def checkpoint_then_stall(self):  # after three committed chunks of http.csv, wait to be killed
        global chunks
        commit_chunk(self)
        chunks += 1
        if chunks == 3:
            print("MID", flush=True)
            time.sleep(120)

    load.FileWriter.checkpoint = checkpoint_then_stall
    with open_store(Path(sys.argv[1])) as store:
        ingest_cert(store, Path(sys.argv[2]), block_size=256 * 1024)
    """
)


def test_killed_mid_file_leaves_store_as_before(tmp_path: Path) -> None:
    store_path = tmp_path / "home" / "molehunt.duckdb"
    base = write_cert_dir(tmp_path / "base", "r4.2")
    with open_store(store_path) as store:
        ingest_cert(store, base)
    before = counts(store_path)

    data = write_cert_dir(tmp_path / "data", "r4.2", {"logon": ["{L9},02/01/2010 08:00:00,ALE0001,PC-0002,Logon"]})
    big_http(data)
    said = kill_after_first_line(CHILD, str(store_path), str(data))
    assert said == "MID", "the child never reached the middle of http.csv"

    # Read the raw file without molehunt: the killed ingest left committed chunks of a pending file...
    raw = duckdb.connect(str(store_path), read_only=True)
    assert raw.execute("SELECT count(*) FROM ingested_files WHERE status = 'pending'").fetchall() == [(1,)]
    assert raw.execute("SELECT count(*) FROM events").fetchall()[0][0] > before["events"] + 10_000
    raw.close()

    # ...which the next open of the store removes before anything can read it.
    after = counts(store_path)
    # The new logon file committed before http.csv began; http.csv left nothing behind.
    assert after["ingested_files"] == before["ingested_files"] + 1
    assert after["events"] == before["events"] + 1
    with open_store(store_path) as store:
        assert store.scalar("SELECT count(*) FROM ingested_files WHERE path LIKE '%data/http.csv'") == 0

    # Re-running finishes the job, and nothing is counted twice.
    with open_store(store_path) as store:
        report = ingest_cert(store, data)
    http = next(f for f in report.files if f.role == "http")
    assert (http.rows, http.ingested, http.skipped) == (ROWS, ROWS, False)
    assert counts(store_path)["events"] == before["events"] + 1 + ROWS


def test_ctrl_c_mid_file_rolls_back(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(load, "CHECKPOINT_ROWS", 10_000)
    commit_chunk = load.FileWriter.checkpoint
    chunks = []

    def checkpoint_then_ctrl_c(self: load.FileWriter) -> None:
        commit_chunk(self)
        chunks.append(self.file_id)
        if len(chunks) == 3:
            raise KeyboardInterrupt

    monkeypatch.setattr(load.FileWriter, "checkpoint", checkpoint_then_ctrl_c)
    store_path = tmp_path / "molehunt.duckdb"
    data = write_cert_dir(tmp_path / "data", "r4.2")
    big_http(data)
    with open_store(store_path) as store, pytest.raises(KeyboardInterrupt):
        ingest_cert(store, data, block_size=256 * 1024)
    assert len(chunks) == 3  # three chunks of http.csv had been committed
    raw = duckdb.connect(str(store_path), read_only=True)  # cleaned at once, not only at the next open
    assert raw.execute("SELECT count(*) FROM events WHERE kind = 'http'").fetchall() == [(0,)]
    raw.close()
    with open_store(store_path) as store:
        assert store.scalar("SELECT count(*) FROM events WHERE kind = 'http'") == 0
        assert store.scalar("SELECT count(*) FROM ingested_files WHERE role = 'http'") == 0
        assert store.scalar("SELECT count(*) FROM events WHERE kind = 'email'") == 1  # committed before
