"""The alert queue: scored user-days worth a look, filtered, sorted, paged, and dismissed with a reason."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from molehunt.clock import utc_now
from molehunt.detect.alerts import has_scores, require_scores
from molehunt.detect.rules import Rule
from molehunt.errors import MolehuntError
from molehunt.report.budget import budget_threshold
from molehunt.store import Store
from molehunt.workbench.paging import page_bounds

PAGE_SIZE = 50


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


def alert_queue(store: Store, wanted: QueueFilter, rules: list[Rule]) -> QueuePage:
    """One page of the queue; every filter value is bound as a parameter."""
    require_scores(store)
    threshold = budget_threshold(store) if wanted.min_score is None else wanted.min_score
    rule_ids = scenario_rules(rules).get(wanted.scenario or "", []) if wanted.scenario else None
    where = (
        "s.score >= $min AND ($since IS NULL OR s.day >= $since) AND ($until IS NULL OR s.day <= $until)"
        " AND ($ids IS NULL OR list_has_any(s.rules, $ids)) AND (d.user_id IS NOT NULL) = $dismissed"
    )
    params: dict[str, object] = {
        "min": threshold, "since": wanted.since, "until": wanted.until, "ids": rule_ids, "dismissed": wanted.dismissed,
    }  # fmt: skip
    base = f"FROM scores s LEFT JOIN alert_dismissals d USING (user_id, day) WHERE {where}"
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


def alert(store: Store, user_id: str, day: date) -> QueueRow | None:
    rows = store.con.execute(
        "SELECT s.user_id, s.day, s.score, s.rules, s.reasons, d.reason FROM scores s"
        " LEFT JOIN alert_dismissals d USING (user_id, day) WHERE s.user_id = ? AND s.day = ?",
        [user_id, day],
    ).fetchall()
    if not rows:
        return None
    found_user, found_day, score, rules, reasons, dismissed = rows[0]
    return QueueRow(found_user, found_day, float(score), tuple(rules or ()), reasons or "", dismissed)


def dismiss(store: Store, keys: list[tuple[str, date]], reason: str, by: str) -> int:
    """Dismiss these alerts with a reason (kept, so dismissed alerts can be reviewed); returns how many."""
    reason = reason.strip()
    if not reason:
        raise MolehuntError("say why these alerts are dismissed")
    now = utc_now()
    with store.transaction() as con:
        for user_id, day in keys:
            con.execute("DELETE FROM alert_dismissals WHERE user_id = ? AND day = ?", [user_id, day])
            con.execute("INSERT INTO alert_dismissals VALUES (?, ?, ?, ?, ?)", [user_id, day, reason, by, now])
    return len(keys)
