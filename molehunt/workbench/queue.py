"""Alerts (scored user-days) and their dismissals with a reason; the queue by person is molehunt.workbench.triage.

Scores come from the analytics store; dismissals are the analysts' and live in the operational store
(HOME/workbench.sqlite, molehunt.opstore), so dismissing never waits for a scoring run.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import date

from molehunt.clock import utc_now
from molehunt.detect.alerts import has_scores
from molehunt.detect.rules import Rule
from molehunt.errors import MolehuntError
from molehunt.opstore import ensure_schema, transaction
from molehunt.store import Store
from molehunt.workbench.accounts import stamp

TABLES = (
    """CREATE TABLE IF NOT EXISTS alert_dismissals (
        user_id TEXT NOT NULL,
        day TEXT NOT NULL,  -- ISO date
        reason TEXT NOT NULL,
        dismissed_by TEXT NOT NULL,
        dismissed_at TEXT NOT NULL,
        PRIMARY KEY (user_id, day)
    )""",
)


def schema(con: sqlite3.Connection) -> None:
    ensure_schema(con, "queue", TABLES)


@dataclass(frozen=True)
class Dismissed:
    """The dismissed alerts of the operational store as three aligned lists (ready to bind as DuckDB lists)."""

    users: list[str]
    days: list[date]
    reasons: list[str]


def dismissed(con: sqlite3.Connection) -> Dismissed:
    """Every dismissed alert (user id, day, reason)."""
    schema(con)
    rows = con.execute("SELECT user_id, day, reason FROM alert_dismissals ORDER BY user_id, day").fetchall()
    return Dismissed([r[0] for r in rows], [date.fromisoformat(r[1]) for r in rows], [r[2] for r in rows])


def dismissal(con: sqlite3.Connection, user_id: str, day: date) -> str | None:
    """Why (user, day) was dismissed, or None when it is open."""
    schema(con)
    row = con.execute(
        "SELECT reason FROM alert_dismissals WHERE user_id = ? AND day = ?", (user_id, day.isoformat())
    ).fetchone()
    return str(row[0]) if row else None


@dataclass(frozen=True)
class QueueRow:
    user_id: str
    day: date
    score: float
    rules: tuple[str, ...]
    reasons: str
    dismissed_reason: str | None


def scored(store: Store) -> bool:
    """Whether anything is scored yet (an empty store has no queue)."""
    return has_scores(store)


def scenario_rules(rules: list[Rule]) -> dict[str, list[str]]:
    """Scenario tag -> ids of the rules that carry it."""
    found: dict[str, list[str]] = {}
    for rule in rules:
        found.setdefault(rule.scenario, []).append(rule.id)
    return dict(sorted(found.items()))


def alert(store: Store, ops: sqlite3.Connection, user_id: str, day: date) -> QueueRow | None:
    """The scored (user, day) with its dismissal if any, or None when it is not scored."""
    rows = store.con.execute(
        "SELECT user_id, day, score, rules, reasons FROM scores WHERE user_id = ? AND day = ?", [user_id, day]
    ).fetchall()
    if not rows:
        return None
    found_user, found_day, score, rules, reasons = rows[0]
    why = dismissal(ops, user_id, day)
    return QueueRow(found_user, found_day, float(score), tuple(rules or ()), reasons or "", why)


def dismiss(ops: sqlite3.Connection, keys: list[tuple[str, date]], reason: str, by: str) -> int:
    """Dismiss these alerts with a reason (kept, so dismissed alerts can be reviewed); returns how many."""
    reason = reason.strip()
    if not reason:
        raise MolehuntError("say why these alerts are dismissed")
    schema(ops)
    now = stamp(utc_now())
    with transaction(ops):
        ops.executemany(
            "INSERT INTO alert_dismissals VALUES (?, ?, ?, ?, ?) ON CONFLICT (user_id, day) DO UPDATE SET"
            " reason = excluded.reason, dismissed_by = excluded.dismissed_by, dismissed_at = excluded.dismissed_at",
            [(user_id, day.isoformat(), reason, by, now) for user_id, day in keys],
        )
    return len(keys)
