"""Protection levels are kept per person in the operational store, with reasons and source."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from molehunt.config import Home
from molehunt.opstore import connect
from molehunt.protect import Level, level_of, list_levels, set_level


def test_nobody_is_protected_until_set_and_changes_replace_the_level(tmp_path: Path) -> None:
    con = connect(Home(tmp_path / "home"))
    assert level_of(con, "ACM2278").level is Level.NONE and list_levels(con) == []
    set_level(con, "ACM2278", Level.ELEVATED, ["risk 310 on 2010-07-01"], source="score", by="molehunt score")
    set_level(con, "BDX1111", Level.HIGH, ["decoy touched"], source="vault", by="vault")
    high = set_level(con, "ACM2278", Level.HIGH, ["notice given; 25 reads in a minute"], source="vault", by="vault")
    assert high.level is Level.HIGH and high.reasons == ("notice given; 25 reads in a minute",)
    assert [p.user for p in list_levels(con)] == ["BDX1111", "ACM2278"]  # longest at high first
    set_level(con, "BDX1111", Level.NONE, ["reviewed: approved project work"], source="analyst", by="ana")
    assert [p.user for p in list_levels(con)] == ["ACM2278"]
    assert [p.user for p in list_levels(con, at_least=Level.NONE)] == ["ACM2278", "BDX1111"]
    with pytest.raises(sqlite3.IntegrityError):
        set_level(con, "X", Level.HIGH, [], source="rumour", by="x")
    con.close()
