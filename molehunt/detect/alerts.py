"""Ranked alerts of one day from the stored scores: what an analyst looks at first."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from molehunt.errors import MolehuntError
from molehunt.store import Store


@dataclass(frozen=True)
class Alert:
    rank: int
    user_id: str
    day: date
    score: float
    rules: tuple[str, ...]
    reasons: str

    def to_json(self) -> dict[str, Any]:
        return {
            "rank": self.rank, "user": self.user_id, "day": self.day.isoformat(), "score": self.score,
            "rules": list(self.rules), "reasons": self.reasons,
        }  # fmt: skip


def has_scores(store: Store) -> bool:
    """Whether `molehunt score` has run on this store (the table `scores` exists)."""
    return bool(store.scalar("SELECT count(*) FROM information_schema.tables WHERE table_name = 'scores'"))


def require_scores(store: Store) -> None:
    """MolehuntError, saying what to run, unless the store has been scored."""
    if not has_scores(store):
        raise MolehuntError("nothing is scored yet: run `molehunt score` (or `molehunt demo`) first")


def alerts_for(
    store: Store, day: date | None = None, limit: int = 20, min_score: float = 0.0
) -> tuple[date, list[Alert]]:
    """The day's user-days ranked by risk (the latest scored day when none is given)."""
    require_scores(store)
    chosen = day or store.scalar("SELECT max(day) FROM scores")
    if chosen is None:
        raise MolehuntError("the scores table is empty: ingest activity, then run `molehunt score`")
    assert isinstance(chosen, date)
    rows = store.con.execute(
        "SELECT user_id, day, score, rules, reasons FROM scores WHERE day = ? AND score > ? "
        "ORDER BY score DESC, user_id LIMIT ?",
        [chosen, min_score, limit],
    ).fetchall()
    return chosen, [Alert(i + 1, u, d, float(s), tuple(r or ()), why) for i, (u, d, s, r, why) in enumerate(rows)]


def top_suspects(store: Store, limit: int = 10) -> list[Alert]:
    """Users ranked by their highest daily risk, each with the day and reasons of that peak."""
    require_scores(store)
    rows = store.con.execute(
        "SELECT user_id, arg_max(day, score), max(score), arg_max(rules, score), arg_max(reasons, score) "
        "FROM scores GROUP BY user_id ORDER BY max(score) DESC, user_id LIMIT ?",
        [limit],
    ).fetchall()
    return [Alert(i + 1, u, d, float(s), tuple(r or ()), why) for i, (u, d, s, r, why) in enumerate(rows)]
