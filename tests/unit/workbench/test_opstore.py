"""The operational store takes writers from many processes at once without failing, and stays private."""

from __future__ import annotations

import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from molehunt.config import Home
from molehunt.opstore import OPS_FILE, connect, ensure_schema, transaction

WRITER = """
import sys
from molehunt.config import Home
from molehunt.opstore import connect, ensure_schema, transaction
con = connect(Home(__import__('pathlib').Path(sys.argv[1])))
ensure_schema(con, "t", ["CREATE TABLE IF NOT EXISTS hits (who TEXT, n INTEGER)"])
for n in range(200):
    with transaction(con):
        con.execute("INSERT INTO hits VALUES (?, ?)", (sys.argv[2], n))
con.close()
"""


def test_eight_processes_writing_at_once_all_commit(tmp_path: Path) -> None:
    home = Home(tmp_path / "home")
    children = [
        subprocess.Popen([sys.executable, "-c", WRITER, str(home.root), f"p{i}"], stderr=subprocess.PIPE)
        for i in range(8)
    ]
    errors = [child.communicate(timeout=120)[1] for child in children]
    assert [c.returncode for c in children] == [0] * 8, errors
    con = connect(home)
    assert con.execute("SELECT count(*), count(DISTINCT who) FROM hits").fetchone() == (1600, 8)
    con.close()


def test_the_file_is_private_and_a_failed_transaction_leaves_nothing(tmp_path: Path) -> None:
    home = Home(tmp_path / "home")
    con = connect(home)
    ensure_schema(con, "t", ["CREATE TABLE IF NOT EXISTS notes (text TEXT NOT NULL)"])
    with pytest.raises(sqlite3.IntegrityError), transaction(con):
        con.execute("INSERT INTO notes VALUES ('kept?')")
        con.execute("INSERT INTO notes VALUES (NULL)")
    assert con.execute("SELECT count(*) FROM notes").fetchone() == (0,)
    con.close()
    assert stat.S_IMODE((home.root / OPS_FILE).stat().st_mode) == 0o600
