"""The one door for files written for people: atomic, private, formula-safe, and the scores CSV goes through it."""

from __future__ import annotations

import csv
import stat
from datetime import date
from pathlib import Path

import pyarrow as pa
import pytest

from molehunt.outputs import csv_text, write_private, write_private_csv
from molehunt.score import write_scores_csv
from molehunt.store import open_store


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_written_files_are_private_and_replace_atomically(tmp_path: Path) -> None:
    out = tmp_path / "deep" / "report.html"
    write_private(out, "first")
    assert mode(out) == 0o600 and out.read_text() == "first"
    write_private(out, "second")
    assert out.read_text() == "second" and mode(out) == 0o600
    assert [p.name for p in out.parent.iterdir()] == ["report.html"]  # no temporary file left behind


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path: Path) -> None:
    out = tmp_path / "scores.csv"
    write_private(out, "old")
    with pytest.raises(UnicodeEncodeError):
        write_private(out, "bad \udc80 surrogate")
    assert out.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["scores.csv"]


def test_csv_cells_that_a_spreadsheet_would_run_are_neutralized() -> None:
    text = csv_text(["user", "n"], [['=HYPERLINK("http://x")', 1], ["@SUM(A1)", 2], ["plain", -3]])
    rows = list(csv.reader(text.splitlines()))
    assert rows == [["user", "n"], ['\'=HYPERLINK("http://x")', "1"], ["'@SUM(A1)", "2"], ["plain", "-3"]]


def test_the_scores_csv_is_private_and_formula_safe(tmp_path: Path) -> None:
    with open_store(tmp_path / "s.duckdb") as store:
        scores = pa.table(
            {
                "user_id": ["=cmd|'/c calc'!A1", "ANN"],
                "day": pa.array([date(2010, 1, 4), date(2010, 1, 5)], type=pa.date32()),
                "score": [12.5, 3.0],
                "reasons": ["+1 thing", "ok"],
            }
        )
        store.con.register("given", scores)
        store.con.execute("CREATE TABLE scores AS SELECT * FROM given")
        out = tmp_path / "out" / "scores.csv"
        assert write_scores_csv(store, out) == 2
    assert mode(out) == 0o600
    rows = list(csv.reader(out.read_text().splitlines()))
    assert rows[0] == ["user", "day", "score", "reasons"]
    assert rows[1] == ["'=cmd|'/c calc'!A1", "2010-01-04", "12.5", "'+1 thing"]
    assert rows[2] == ["ANN", "2010-01-05", "3.0", "ok"]
    assert write_private_csv(tmp_path / "x.csv", ["a"], [["-2+3"]]).read_text().splitlines()[1] == "'-2+3"


def test_one_clock_can_be_frozen_for_every_stamp(tmp_path: Path) -> None:
    from datetime import UTC, datetime

    from molehunt.clock import frozen, utc_now, utc_now_aware
    from molehunt.config import Home
    from molehunt.workbench import ops
    from molehunt.workbench.accounts import Role, add_user

    at = datetime(2011, 5, 6, 7, 8, 9)
    with frozen(at):
        assert utc_now() == at and utc_now_aware() == at.replace(tzinfo=UTC)
        con = ops.connect(Home(tmp_path / "home"))
        add_user(con, "alice", Role.ANALYST, "correct horse battery staple")
        assert con.execute("SELECT created_at FROM web_users").fetchall() == [(at.isoformat(" ", "microseconds"),)]
        con.close()
    assert utc_now() != at
    assert Home(tmp_path).audit_dir == tmp_path / "audit" and Home(tmp_path).keys_dir == tmp_path / "keys"
    with pytest.raises(ValueError, match="naive"), frozen(at.replace(tzinfo=UTC)):
        pass
