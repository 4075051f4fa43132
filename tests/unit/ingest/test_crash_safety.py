"""A crash or Ctrl-C in the middle of a file leaves the store exactly as it was before that file."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from molehunt.ingest import ingest_cert
from molehunt.store import open_store
from tests.cert_fixtures import write_cert_dir

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
            table: int(store.scalar(f"SELECT count(*) FROM {table}"))  # type: ignore[call-overload]
            for table in ("events", "quarantine", "ingested_files")
        }


CHILD = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from molehunt.ingest import ingest_cert
    from molehunt.store import open_store

    class StopMidway:
        label = ""
        done = 0
        def begin(self, label, total):
            self.label, self.done, self.total = label, 0, total
        def advance(self, amount):
            self.done += amount
            if self.label == "ingest http.csv" and self.done > self.total // 2:
                print("MID", flush=True)
                time.sleep(120)
        def end(self):
            pass

    with open_store(Path(sys.argv[1])) as store:
        ingest_cert(store, Path(sys.argv[2]), progress=StopMidway(), block_size=256 * 1024)
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
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(store_path), str(data)],
        stdout=subprocess.PIPE,
        text=True,
        env=os.environ | {"PYTHONPATH": str(Path(__file__).resolve().parents[3])},
    )
    assert child.stdout is not None
    line = child.stdout.readline()
    os.kill(child.pid, signal.SIGKILL)
    child.wait(timeout=30)
    assert line.strip() == "MID", "the child never reached the middle of http.csv"

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


class InterruptMidway:
    """Presses Ctrl-C once half of the named file has been read (several blocks already inserted)."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.current = ""
        self.done = self.total = 0

    def begin(self, label: str, total: int) -> None:
        self.current, self.done, self.total = label, 0, total

    def advance(self, amount: int) -> None:
        self.done += amount
        if self.current == self.label and self.done > self.total // 2:
            raise KeyboardInterrupt

    def end(self) -> None:
        return None


def test_ctrl_c_mid_file_rolls_back(tmp_path: Path) -> None:
    store_path = tmp_path / "molehunt.duckdb"
    data = write_cert_dir(tmp_path / "data", "r4.2")
    big_http(data)
    with open_store(store_path) as store, pytest.raises(KeyboardInterrupt):
        ingest_cert(store, data, progress=InterruptMidway("ingest http.csv"), block_size=256 * 1024)
    with open_store(store_path) as store:
        assert store.scalar("SELECT count(*) FROM events WHERE kind = 'http'") == 0
        assert store.scalar("SELECT count(*) FROM ingested_files WHERE role = 'http'") == 0
        assert store.scalar("SELECT count(*) FROM events WHERE kind = 'email'") == 1  # committed before
