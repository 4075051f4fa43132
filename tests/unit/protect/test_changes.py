"""Automatic changes only raise above an analyst's setting; score-set levels follow the scores down too."""

from __future__ import annotations

from datetime import datetime

from molehunt.protect import Level, Protection
from molehunt.protect.changes import automatic_change, score_changes


def at(user: str, level: Level, source: str) -> Protection:
    return Protection(user, level, datetime(2010, 7, 1), ("why",), source, "someone")


def test_an_analysts_lift_stands_until_the_vault_raises_it() -> None:
    lifted = at("A", Level.NONE, "analyst")
    assert automatic_change(lifted, Level.NONE, [], "score") is None
    assert automatic_change(lifted, Level.HIGH, ["peak risk 900"], "score") is None  # the scores the analyst saw
    raised = automatic_change(lifted, Level.ELEVATED, ["peak risk 300"], "vault")
    assert raised is not None and (raised.level, raised.source, raised.reasons) == (
        Level.ELEVATED,
        "vault",
        ["peak risk 300"],
    )
    kept = at("A", Level.HIGH, "analyst")
    assert automatic_change(kept, Level.ELEVATED, ["x"], "score") is None
    assert automatic_change(kept, Level.NONE, [], "score") is None  # the scores never lower an analyst's level


def test_score_levels_come_down_vault_levels_stay() -> None:
    current = {
        "S": at("S", Level.HIGH, "score"),  # scores fell: down to elevated
        "T": at("T", Level.ELEVATED, "score"),  # no longer derived: back to none
        "V": at("V", Level.HIGH, "vault"),  # raised as it happened: stays
        "N": at("N", Level.NONE, "analyst"),  # lifted by an analyst: the scores leave it
    }
    derived = {"S": (Level.ELEVATED, ["peak 200"]), "N": (Level.HIGH, ["peak 900"]), "U": (Level.ELEVATED, ["p"])}
    changes = {c.user: (c.level, c.source) for c in score_changes(current, derived)}
    assert changes == {
        "S": (Level.ELEVATED, "score"),
        "T": (Level.NONE, "score"),
        "U": (Level.ELEVATED, "score"),
    }
    assert score_changes({"S": at("S", Level.ELEVATED, "score")}, {"S": (Level.ELEVATED, ["same"])}) == []
