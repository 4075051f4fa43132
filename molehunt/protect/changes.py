"""Which automatic level changes to make: they only raise a level, never lower what an analyst or the vault set.

An analyst's set or lift stands until the next analyst change or a higher raise by the vault's own events (new
behaviour the analyst has not seen). The nightly scores do not override an analyst: they re-derive the same peaks
of the last 30 days every night, so a lift would be undone the next morning. A level the scores set follows the
scores, down as well as up; a level the vault raised as it happened stays until an analyst lifts it or something
raises it further. Pure: the caller records each change in the audit log first, then `set_level`.
"""

from __future__ import annotations

from dataclasses import dataclass

from molehunt.protect.levels import Level, Protection


@dataclass(frozen=True)
class Change:
    user: str
    level: Level
    reasons: list[str]
    source: str  # score | vault


def automatic_change(current: Protection, level: Level, reasons: list[str], source: str) -> Change | None:
    """The change an automatic finding (`source` score or vault) makes to `current`, or None."""
    if source == "score" and current.source == "analyst":
        return None
    if level.rank > current.level.rank:
        return Change(current.user, level, reasons, source)
    if source == "score" and current.source == "score" and level.rank < current.level.rank:
        lowered = reasons or ["risk no longer among the highest"]
        return Change(current.user, level, lowered, source)
    return None


def score_changes(current: dict[str, Protection], derived: dict[str, tuple[Level, list[str]]]) -> list[Change]:
    """The changes after a scoring run: `current` is everyone with a stored level, `derived` the people the scores
    put above none (levels_from_scores). Score-set levels of people no longer in `derived` come down to none."""
    changes = []
    for user in sorted(set(current) | set(derived)):
        level, reasons = derived.get(user, (Level.NONE, []))
        now = current.get(user, Protection(user, Level.NONE, None, (), "score", ""))
        change = automatic_change(now, level, reasons, "score")
        if change is not None:
            changes.append(change)
    return changes
