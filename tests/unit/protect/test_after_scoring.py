"""After a scoring run, the home's protection levels follow the scores: audit entry first, analyst settings kept."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from molehunt.audit import AuditLog
from molehunt.config import Home
from molehunt.opstore import connect
from molehunt.protect import Level, level_of, list_levels, set_level
from molehunt.protect.policy import POLICY_FILE
from molehunt.score import SCORE_ACTOR, protect_after_scoring
from molehunt.store import Store, open_store

DAY = date(2010, 2, 17)


def scored(store: Store, peaks: dict[str, float], people: int = 1000) -> None:
    # everyone's risk just above 1 (u0999 highest) on three days, then the given peaks
    store.con.execute(
        "CREATE OR REPLACE TABLE scores AS SELECT printf('u%04d', i) AS user_id, CAST(? AS DATE) - CAST(d AS INTEGER)"
        " AS day, 1.0 + i / 100 AS score FROM range(?) r(i), range(3) s(d)",
        [DAY, people],
    )
    store.con.executemany("INSERT INTO scores VALUES (?, ?, ?)", [(user, DAY, risk) for user, risk in peaks.items()])


def protect_entries(home: Home) -> list[tuple[str, str, object]]:
    with AuditLog.open(home.audit_dir, home.keys_dir, checkpoint_on_close=False) as log:
        entries = [log.entry(i) for i in range(log.size)]
        assert log.verify().first_bad_entry is None
    return [(e.actor, e.target, e.details["level"]) for e in entries if e.action == "protect.change"]


def test_levels_follow_the_scores_and_an_analysts_lift_stands(tmp_path: Path) -> None:
    home = Home(tmp_path / "home").ensure()
    store = open_store(home.store_path)
    scored(store, {"u0001": 900.0, "u0002": 800.0})
    changes = protect_after_scoring(store)
    assert {(c.user, c.level) for c in changes} >= {("u0001", Level.HIGH), ("u0002", Level.ELEVATED)}
    con = connect(home)
    assert level_of(con, "u0001").level is Level.HIGH and level_of(con, "u0001").set_by == SCORE_ACTOR
    assert (SCORE_ACTOR, "u0001", "high") in protect_entries(home)
    assert len(protect_entries(home)) == len(changes) == len(list_levels(con))  # one entry per change

    # an analyst lifts u0002; the next run changes nothing for them, u0001's risk falls and its level comes down
    set_level(con, "u0002", Level.NONE, ["reviewed: project deadline"], source="analyst", by="ana")
    scored(store, {"u0002": 800.0})
    again = {c.user: c.level for c in protect_after_scoring(store)}
    assert "u0002" not in again and again["u0001"] is Level.NONE
    assert level_of(con, "u0002").source == "analyst" and level_of(con, "u0001").level is Level.NONE
    assert protect_after_scoring(store) == []  # nothing new: no entries either
    assert len(protect_entries(home)) == len(changes) + len(again)
    con.close()
    store.close()


def test_priority_compartments_lower_the_bar_and_other_stores_are_left_alone(tmp_path: Path) -> None:
    home = Home(tmp_path / "home").ensure()
    (home.root / POLICY_FILE).write_text("priority_compartments: [CRYPTO]\n")
    store = open_store(home.store_path)
    scored(store, {"u0001": 900.0, "u0500": 500.0})
    store.con.execute("INSERT INTO vault_subjects VALUES ('u0500', 'SECRET', ['CRYPTO'], ['p'], now())")
    found = {c.user: c.level for c in protect_after_scoring(store)}
    assert found["u0500"] is Level.HIGH  # above half the high cut-off (900), holds CRYPTO
    store.close()
    elsewhere = open_store(tmp_path / "copy.duckdb")
    scored(elsewhere, {"u0001": 900.0})
    assert protect_after_scoring(elsewhere) == [] and not (tmp_path / "audit").exists()
    elsewhere.close()
