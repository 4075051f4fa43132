"""Scoring new days reuses the cached history: the same features and baselines as a full rebuild, old scores kept."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from molehunt.errors import MolehuntError
from molehunt.events import EVENT_COLUMN_NAMES, Event, EventKind, Provenance
from molehunt.score import score_store
from molehunt.store import Store, open_store

START = date(2010, 1, 4)
SPLIT = START + timedelta(days=70)


def day_events(user: str, day: date, usb: bool, leak: bool = False) -> list[Event]:
    when = datetime(day.year, day.month, day.day, 9)
    out = [
        Event("t", EventKind.LOGON, when, user, "logon", Provenance(1, 2), host=f"PC-{user}"),
        Event(
            "t",
            EventKind.HTTP,
            when + timedelta(hours=3),
            user,
            "visit",
            Provenance(1, 2),
            url="http://a.com",
            domain="a.com",
        ),
    ]
    if leak:
        out.append(
            Event(
                "t",
                EventKind.HTTP,
                when,
                user,
                "upload",
                Provenance(1, 2),
                url="http://wikileaks.org/u",
                domain="wikileaks.org",
            )
        )
    if usb:
        out.append(
            Event(
                "t", EventKind.DEVICE, when + timedelta(hours=1), user, "connect", Provenance(1, 2), host=f"PC-{user}"
            )
        )
        out += [
            Event(
                "t",
                EventKind.FILE,
                when + timedelta(hours=1, minutes=i),
                user,
                "copy",
                Provenance(1, 2),
                path=f"f{i}.doc",
                to_removable=True,
            )
            for i in range(30)
        ]
    return out


def insert(store: Store, first: date, last: date) -> None:
    rows = []
    day = first
    while day <= last:
        for n, user in enumerate(("ANN", "BOB", "CAT", "DAN")):
            dan_turns = user == "DAN" and day > SPLIT + timedelta(days=2)
            rows += [e.to_row() for e in day_events(user, day, usb=(day.day + n) % 11 == 0, leak=dan_turns)]
        day += timedelta(days=1)
    store.con.executemany(f"INSERT INTO events VALUES ({', '.join('?' for _ in EVENT_COLUMN_NAMES)})", rows)
    for user in ("ANN", "BOB", "CAT", "DAN"):
        store.con.execute(
            "INSERT INTO directory_snapshots (month, user_id, role, department, file_id, line) "
            "VALUES (?, ?, 'Eng', 'R', 1, 2)",
            [first.replace(day=1), user],
        )


def table(store: Store, name: str, since: date) -> list[tuple[object, ...]]:
    return store.con.execute(f"SELECT * FROM {name} WHERE day >= ? ORDER BY user_id, day", [since]).fetchall()


@pytest.fixture(scope="module")
def first_days(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A closed store with the days before SPLIT inserted and scored in a full run: tests score copies of it."""
    path = tmp_path_factory.mktemp("first-days") / "first.duckdb"
    with open_store(path) as store:
        insert(store, START, SPLIT - timedelta(days=1))
        score_store(store)
    return path


def copy_of(first_days: Path, tmp_path: Path) -> Path:
    return Path(shutil.copy(first_days, tmp_path / "s.duckdb"))


@dataclass(frozen=True)
class Runs:
    daily: Store  # scored in a full run before SPLIT, then from SPLIT when ten new days arrived
    full: Store  # every day scored in one full run
    before: list[tuple[object, ...]]  # daily's scores before the new days arrived


@pytest.fixture(scope="module")
def runs(first_days: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Runs]:
    """The daily and the full run, built once: the tests only read them."""
    root = tmp_path_factory.mktemp("runs")
    shutil.copy(first_days, root / "daily.duckdb")
    with open_store(root / "daily.duckdb") as daily, open_store(root / "full.duckdb") as full:
        before = daily.con.execute("SELECT * FROM scores ORDER BY user_id, day").fetchall()
        insert(daily, SPLIT, SPLIT + timedelta(days=9))  # ten new days arrive
        score_store(daily, since=SPLIT)
        insert(full, START, SPLIT + timedelta(days=9))
        score_store(full)
        yield Runs(daily, full, before)


@pytest.mark.slow
def test_new_days_match_a_full_rebuild_and_old_scores_stay(runs: Runs) -> None:
    daily, full = runs.daily, runs.full
    for name in ("user_day_features", "user_day"):
        assert table(daily, name, SPLIT) == table(full, name, SPLIT), name
    assert (
        daily.con.execute("SELECT * FROM scores WHERE day < ? ORDER BY user_id, day", [SPLIT]).fetchall() == runs.before
    )
    assert daily.count("SELECT count(*) FROM scores WHERE day >= ?", [SPLIT]) == 40
    dan = daily.con.execute("SELECT max(score) FROM scores WHERE user_id = 'DAN' AND day > ?", [SPLIT]).fetchall()
    calm = daily.con.execute("SELECT max(score) FROM scores WHERE user_id <> 'DAN' AND day > ?", [SPLIT]).fetchall()
    assert dan[0][0] > calm[0][0]  # the new leak-site uploads stand out on the new days


def test_since_without_a_full_run_says_what_to_do(tmp_path: Path) -> None:
    with open_store(tmp_path / "s.duckdb") as store:
        insert(store, START, START + timedelta(days=5))
        with pytest.raises(MolehuntError, match="without --since"):
            score_store(store, since=START)


@pytest.mark.slow
def test_a_gap_before_since_is_refused(first_days: Path, tmp_path: Path) -> None:
    with open_store(copy_of(first_days, tmp_path)) as store:
        insert(store, SPLIT, SPLIT + timedelta(days=9))
        with pytest.raises(MolehuntError, match=f"days from {SPLIT} to {SPLIT + timedelta(days=3)} were never scored"):
            score_store(store, since=SPLIT + timedelta(days=3))


def test_scoring_an_empty_store_says_what_to_do(tmp_path: Path) -> None:
    with open_store(tmp_path / "s.duckdb") as store, pytest.raises(MolehuntError, match="ingest a dataset first"):
        score_store(store)


@pytest.mark.slow
def test_since_after_the_features_changed_asks_for_a_full_run(first_days: Path, tmp_path: Path) -> None:
    with open_store(copy_of(first_days, tmp_path)) as store:
        insert(store, SPLIT, SPLIT + timedelta(days=9))
        # as an older molehunt with other feature definitions would have left it
        store.con.execute("UPDATE models SET definitions = 'older-features'")
        with pytest.raises(MolehuntError, match=r"features changed since the last full scoring.*without --since"):
            score_store(store, since=SPLIT)
        score_store(store)  # the full run refits and records today's definitions
        score_store(store, since=SPLIT)


@pytest.mark.slow
def test_persistence_from_since_looks_back_at_the_stored_evidence(runs: Runs) -> None:
    """The days before `since` are not rescored, but persistence needs their evidence: it is read from `scores`.
    Without it everyone's usual would be 0 and every calm person's ordinary days would count as kept up."""
    for store in (runs.daily, runs.full):
        kept = dict(
            store.con.execute(
                "SELECT user_id, bool_or(reasons LIKE '%risk kept up%') FROM scores WHERE day >= ? GROUP BY 1",
                [SPLIT],
            ).fetchall()
        )
        assert kept == {"ANN": False, "BOB": False, "CAT": False, "DAN": True}
