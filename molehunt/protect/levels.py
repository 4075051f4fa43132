"""Protection levels per person, in the operational store.

The level a person is at, since when, why (reasons in words an analyst can check, never shown to the person) and
what set it (`score`: the nightly risk, `vault`: the vault's own events as they happen, `analyst`: a manual set or
lift with a reason). No row means level none.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from molehunt.clock import utc_now
from molehunt.opstore import ensure_schema, transaction


class Level(StrEnum):
    NONE = "none"
    ELEVATED = "elevated"
    HIGH = "high"

    @property
    def rank(self) -> int:
        return list(Level).index(self)


@dataclass(frozen=True)
class Protection:
    user: str
    level: Level
    since: datetime | None  # None for level none with no history
    reasons: tuple[str, ...]
    source: str  # score | vault | analyst
    set_by: str

    def to_json(self) -> dict[str, object]:
        return {"user": self.user, "level": self.level.value,
                "since": self.since.isoformat() if self.since else None, "reasons": list(self.reasons),
                "source": self.source, "set_by": self.set_by}  # fmt: skip


TABLES = (
    """CREATE TABLE IF NOT EXISTS protection (
        user_id TEXT PRIMARY KEY,
        level TEXT NOT NULL CHECK (level IN ('none', 'elevated', 'high')),
        since TEXT NOT NULL,
        reasons TEXT NOT NULL,  -- JSON list of strings
        source TEXT NOT NULL CHECK (source IN ('score', 'vault', 'analyst')),
        set_by TEXT NOT NULL
    )""",
)


def schema(con: sqlite3.Connection) -> None:
    ensure_schema(con, "protection", TABLES)


def _row(row: tuple[str, str, str, str, str, str]) -> Protection:
    user, level, since, reasons, source, by = row
    return Protection(user, Level(level), datetime.fromisoformat(since), tuple(json.loads(reasons)), source, by)


def level_of(con: sqlite3.Connection, user: str) -> Protection:
    """The person's protection (level none when nothing was ever set)."""
    schema(con)
    row = con.execute(
        "SELECT user_id, level, since, reasons, source, set_by FROM protection WHERE user_id = ?", (user,)
    ).fetchone()
    return _row(row) if row else Protection(user, Level.NONE, None, (), "score", "")


def list_levels(con: sqlite3.Connection, *, at_least: Level = Level.ELEVATED) -> list[Protection]:
    """Everyone at `at_least` or above, highest level first, then longest at it."""
    schema(con)
    rows = con.execute("SELECT user_id, level, since, reasons, source, set_by FROM protection").fetchall()
    found = [p for p in map(_row, rows) if p.level.rank >= at_least.rank]
    return sorted(found, key=lambda p: (-p.level.rank, p.since or datetime.min, p.user))


def set_level(
    con: sqlite3.Connection, user: str, level: Level, reasons: list[str], *, source: str, by: str
) -> Protection:
    """Record the person's level (the caller has written the audit entry first); returns what is stored now."""
    schema(con)
    with transaction(con):
        con.execute(
            "INSERT INTO protection VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (user_id) DO UPDATE SET"
            " level = excluded.level, since = excluded.since, reasons = excluded.reasons, source = excluded.source,"
            " set_by = excluded.set_by",
            (user, level.value, utc_now().isoformat(timespec="microseconds"), json.dumps(reasons), source, by),
        )
    return level_of(con, user)
