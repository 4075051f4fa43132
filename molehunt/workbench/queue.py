"""The alert queue: scored user-days worth a look, filtered, sorted, paged, and dismissed with a reason.

Scores come from the analytics store; dismissals are the analysts' and live in the operational store
(HOME/workbench.sqlite, molehunt.workbench.opstore), so dismissing never waits for a scoring run. The queue reads
the dismissals there and hands them to DuckDB as bound lists.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from molehunt.clock import utc_now
from molehunt.detect.alerts import has_scores, require_scores
from molehunt.detect.rules import Rule
from molehunt.errors import MolehuntError
from molehunt.report.budget import budget_threshold
from molehunt.store import Store
from molehunt.workbench.accounts import stamp
from molehunt.workbench.opstore import ensure_schema, transaction
from molehunt.workbench.paging import page_bounds

PAGE_SIZE = 50

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
    """The dismissed alerts of the operational store, as DuckDB parameters (three aligned lists)."""

    users: list[str]
    days: list[date]
    reasons: list[str]

    def params(self) -> dict[str, object]:
        return {"d_users": self.users, "d_days": self.days, "d_reasons": self.reasons}


# The dismissals as a relation DuckDB can join (unnest of aligned lists keeps every value a bound parameter).
DISMISSED = (
    "(SELECT unnest($d_users::VARCHAR[]) AS user_id, unnest($d_days::DATE[]) AS day,"
    " unnest($d_reasons::VARCHAR[]) AS reason)"
)


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


class Sort(StrEnum):
    SCORE = "score"
    NEWEST = "newest"
    OLDEST = "oldest"


_ORDER = {
    Sort.SCORE: "s.score DESC, s.day DESC, s.user_id",
    Sort.NEWEST: "s.day DESC, s.score DESC, s.user_id",
    Sort.OLDEST: "s.day, s.score DESC, s.user_id",
}


@dataclass(frozen=True)
class QueueFilter:
    scenario: str | None = None
    min_score: float | None = None  # None: the alert budget (molehunt.report.budget)
    since: date | None = None
    until: date | None = None
    sort: Sort = Sort.SCORE
    page: int = 1
    dismissed: bool = False  # show dismissed alerts instead of open ones


@dataclass(frozen=True)
class QueueRow:
    user_id: str
    day: date
    score: float
    rules: tuple[str, ...]
    reasons: str
    dismissed_reason: str | None


@dataclass(frozen=True)
class QueuePage:
    rows: list[QueueRow]
    total: int
    page: int
    pages: int
    min_score: float


def scored(store: Store) -> bool:
    """Whether anything is scored yet (an empty store has no queue)."""
    return has_scores(store)


def scenario_rules(rules: list[Rule]) -> dict[str, list[str]]:
    """Scenario tag -> ids of the rules that carry it."""
    found: dict[str, list[str]] = {}
    for rule in rules:
        found.setdefault(rule.scenario, []).append(rule.id)
    return dict(sorted(found.items()))


def alert_queue(store: Store, ops: sqlite3.Connection, wanted: QueueFilter, rules: list[Rule]) -> QueuePage:
    """One page of the queue (scores from `store`, dismissals from the operational store `ops`); every filter value
    is bound as a parameter."""
    require_scores(store)
    threshold = budget_threshold(store) if wanted.min_score is None else wanted.min_score
    rule_ids = scenario_rules(rules).get(wanted.scenario or "", []) if wanted.scenario else None
    where = (
        "s.score >= $min AND ($since IS NULL OR s.day >= $since) AND ($until IS NULL OR s.day <= $until)"
        " AND ($ids IS NULL OR list_has_any(s.rules, $ids)) AND (d.user_id IS NOT NULL) = $dismissed"
    )
    params: dict[str, object] = {
        "min": threshold, "since": wanted.since, "until": wanted.until, "ids": rule_ids, "dismissed": wanted.dismissed,
    } | dismissed(ops).params()  # fmt: skip
    base = f"FROM scores s LEFT JOIN {DISMISSED} d USING (user_id, day) WHERE {where}"
    total = store.count(f"SELECT count(*) {base}", params)
    page, pages = page_bounds(total, wanted.page, PAGE_SIZE)
    rows = store.con.execute(
        f"SELECT s.user_id, s.day, s.score, s.rules, s.reasons, d.reason {base} ORDER BY {_ORDER[wanted.sort]}"
        " LIMIT $limit OFFSET $offset",
        params | {"limit": PAGE_SIZE, "offset": (page - 1) * PAGE_SIZE},
    ).fetchall()
    return QueuePage(
        [QueueRow(u, d, float(s), tuple(r or ()), why or "", dis) for u, d, s, r, why, dis in rows],
        total, page, pages, threshold,
    )  # fmt: skip


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
