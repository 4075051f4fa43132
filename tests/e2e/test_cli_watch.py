"""`molehunt watch --once` over deliveries cut from the shared simulated organization: the first run ingests and
scores, a rerun does nothing, a new delivery is scored from its first day exactly as a full rebuild scores those
days, and a refused delivery or a bad row does not stop the others."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from molehunt.cli import app
from molehunt.config import Home
from molehunt.store import Store, open_store
from molehunt.synth.hr import HR_FILE

pytestmark = pytest.mark.slow

runner = CliRunner()
SPLIT = date(2010, 3, 22)  # the shared organization runs from 2010-01-04 to 2010-04-03
ACTIVITY = ("logon.csv", "device.csv", "file.csv", "email.csv", "http.csv")


def cut(data: Path, out: Path, first: date | None, last: date | None) -> Path:
    """A CERT delivery holding the activity of days first..last, the directory snapshots up to `last`'s month,
    and the psychometric and decoy files (the same bytes in every delivery, as an export would repeat them)."""
    (out / "LDAP").mkdir(parents=True)
    for name in ACTIVITY:
        lines = (data / name).read_text().splitlines(keepends=True)
        kept = [line for line in lines[1:] if _within(line.split(",", 2)[1], first, last)]
        (out / name).write_text(lines[0] + "".join(kept))
    for snapshot in sorted((data / "LDAP").glob("*.csv")):
        if last is None or snapshot.stem <= f"{last:%Y-%m}":
            shutil.copy(snapshot, out / "LDAP" / snapshot.name)
    for name in ("psychometric.csv", "decoy_file.csv"):
        shutil.copy(data / name, out / name)
    return out


def _within(stamp: str, first: date | None, last: date | None) -> bool:
    day = f"{stamp[6:10]}-{stamp[0:2]}-{stamp[3:5]}"  # MM/DD/YYYY hh:mm:ss, compared as YYYY-MM-DD
    return (first is None or day >= first.isoformat()) and (last is None or day <= last.isoformat())


def watch_once(home: Path, incoming: Path) -> tuple[int, str]:
    result = runner.invoke(app, ["--home", str(home), "watch", str(incoming), "--once"])
    return result.exit_code, " ".join(result.output.split())


def rows(store: Store, table: str) -> list[tuple[object, ...]]:
    return store.con.execute(f"SELECT * FROM {table} WHERE day >= ? ORDER BY user_id, day", [SPLIT]).fetchall()


@pytest.fixture(scope="module")
def shared_data(scored_home: Home) -> Path:
    return scored_home.root.parent / "data"  # where the scored_home fixture generated its CERT directory


def test_watch_scores_new_deliveries_only_and_matches_a_full_rebuild(
    shared_data: Path, scored_home: Home, tmp_path: Path
) -> None:
    incoming, home = tmp_path / "incoming", tmp_path / "home"
    cut(shared_data, incoming / "2010-01-04", None, date(2010, 3, 21))
    (incoming / ".2010-03-22.partial").mkdir()  # a copy still in progress under a hidden name: ignored
    hr = runner.invoke(app, ["--home", str(home), "ingest", "--source", "hr", str(shared_data / HR_FILE)])
    assert hr.exit_code == 0, hr.output  # as the shared store has it

    code, said = watch_once(home, incoming)
    assert code == 0, said
    assert "ingested" in said and "scored all days (a full run)" in said

    code, said = watch_once(home, incoming)
    assert code == 0, said
    assert "nothing new" in said and "1 deliveries already in the store" in said and "scored up to 2010-03-21" in said

    new = cut(shared_data, incoming / "2010-03-22", SPLIT, None)
    with (new / "http.csv").open("a") as handle:
        handle.write("a row cut short,01/01/2010\n")  # a bad row: quarantined, the delivery still goes in
    broken = incoming / "2010-03-21-resent"  # sorts before the new delivery: refusing it must not stop that one
    broken.mkdir()
    (broken / "logon.csv").write_text("when,who\n")
    code, said = watch_once(home, incoming)
    assert code == 1, said  # --once says a delivery was refused
    assert f"refused {broken}" in said and "1 rows quarantined" in said
    assert f"scored the days from {SPLIT}" in said

    with open_store(home / "molehunt.duckdb", read_only=True) as daily:
        with open_store(scored_home.store_path, read_only=True) as full:
            for table in ("user_day_features", "user_day"):
                assert rows(daily, table) == rows(full, table), table
            assert daily.count("SELECT count(*) FROM scores") == full.count("SELECT count(*) FROM scores")
        assert daily.count("SELECT count(*) FROM quarantine") == 1

    shutil.rmtree(broken)
    code, said = watch_once(home, incoming)  # the repeated snapshots of the new delivery count as already in
    assert code == 0 and "nothing new" in said and "2 deliveries already in the store" in said, said


def test_after_an_upgrade_that_changed_the_features_the_next_delivery_rescores_everything(
    shared_data: Path, tmp_path: Path
) -> None:
    incoming, home = tmp_path / "incoming", tmp_path / "home"
    cut(shared_data, incoming / "2010-01-04", None, date(2010, 3, 21))
    assert watch_once(home, incoming)[0] == 0
    with open_store(home / "molehunt.duckdb") as store:  # as an older molehunt would have left the model
        store.con.execute("UPDATE models SET definitions = 'older-features'")
    cut(shared_data, incoming / "2010-03-22", SPLIT, None)
    code, said = watch_once(home, incoming)
    assert code == 0 and "scored all days (a full run)" in said, said
