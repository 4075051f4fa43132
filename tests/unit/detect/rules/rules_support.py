"""Helpers for the rule tests: a small `user_day` table in an in-memory DuckDB, and golden files.

Golden files: `golden/<name>.sql` hold the compiled SQL of a rule followed by its parameters. When a change to
the compiler is intended, regenerate them with

    MOLEHUNT_UPDATE_GOLDEN=1 .venv/bin/pytest tests/unit/detect/rules

and review the diff before committing.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import duckdb

from molehunt.detect.rules import CompiledRule, Rule, RuleMatch, match_rules
from molehunt.features.catalog import FEATURE_NAMES

GOLDEN = Path(__file__).parent / "golden"
UPDATE_ENV = "MOLEHUNT_UPDATE_GOLDEN"
START = date(2024, 1, 1)  # day 0 of the test tables (a Monday)

CONTEXT = (
    ("user_id", "VARCHAR"),
    ("day", "DATE"),
    ("days_to_departure", "INTEGER"),
    ("role", "VARCHAR"),
    ("department", "VARCHAR"),
    ("first_day", "DATE"),
    ("days_since_hr_event", "INTEGER"),
    ("colleagues_laid_off", "INTEGER"),
)
SUFFIXES = ("", "__median", "__mad", "__peer")


def d(offset: int) -> date:
    """The test calendar: day `offset` after START."""
    return START + timedelta(days=offset)


def offset(day: date) -> int:
    """The inverse of d(): the offset of a date from START."""
    return (day - START).days


def user_day(rows: Iterable[Mapping[str, Any]]) -> duckdb.DuckDBPyConnection:
    """A connection holding table `user_day` with the given rows.

    Each row needs `user` and `day` (an int offset from START); every feature defaults to 0, every baseline
    (F__median, F__mad, F__peer) to NULL, days_to_departure and days_since_hr_event to NULL, colleagues_laid_off to 0,
    role/department to "engineer"/"rnd" and first_day to the user's earliest day among the rows. Any column can be
    set by name.
    """
    rows = [dict(row) for row in rows]
    columns = list(CONTEXT) + [(f + s, "DOUBLE") for f in FEATURE_NAMES for s in SUFFIXES]
    names = [name for name, _ in columns]
    first: dict[str, int] = {}
    for row in rows:
        first[row["user"]] = min(first.get(row["user"], row["day"]), row["day"])
    con = duckdb.connect()
    con.execute(f"CREATE TABLE user_day ({', '.join(f'{n} {t}' for n, t in columns)})")
    values = []
    for row in rows:
        unknown = set(row) - set(names) - {"user"}
        assert not unknown, f"unknown columns in test row: {unknown}"
        full: dict[str, Any] = dict.fromkeys(names)
        full.update({f: 0.0 for f in FEATURE_NAMES}, colleagues_laid_off=0)
        full.update(role="engineer", department="rnd", first_day=d(first[row["user"]]))
        full.update({k: v for k, v in row.items() if k not in ("user", "day")})
        full.update(user_id=row["user"], day=d(row["day"]))
        values.append([full[n] for n in names])
    if values:
        con.executemany(f"INSERT INTO user_day VALUES ({', '.join('?' * len(names))})", values)
    return con


def fired(con: duckdb.DuckDBPyConnection, rules: list[Rule]) -> list[tuple[str, int]]:
    """(user, day offset) pairs the rules fire on, in the engine's order."""
    return [(m.user_id, offset(m.day)) for m in matches(con, rules)]


def matches(con: duckdb.DuckDBPyConnection, rules: list[Rule]) -> list[RuleMatch]:
    return match_rules(con, rules)


def check_golden(name: str, compiled: CompiledRule) -> None:
    """Compare compiled SQL and params with golden/<name>.sql; rewrite it when MOLEHUNT_UPDATE_GOLDEN is set."""
    text = compiled.sql + "\n-- params: " + json.dumps(compiled.params, sort_keys=True) + "\n"
    path = GOLDEN / f"{name}.sql"
    if os.environ.get(UPDATE_ENV):
        GOLDEN.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"no golden file {path}; run with {UPDATE_ENV}=1 to create it"
    assert text == path.read_text(encoding="utf-8"), f"{path} differs; if intended, regenerate with {UPDATE_ENV}=1"
