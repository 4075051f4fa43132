"""Analysts' rule settings: thresholds by key, applied to the shipped rules, stored, and used by scoring."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from molehunt.config import Home
from molehunt.detect.rules import Rule, builtin_rules, compile_rules
from molehunt.detect.rules.settings import (
    RuleSettingError,
    check_setting,
    effective_rules,
    load_settings,
    save_setting,
    thresholds,
)
from molehunt.score import score_store
from molehunt.store import Store, open_store
from molehunt.workbench.actions import Workbench
from tests.homes import copy_of


def _rule(rule_id: str) -> Rule:
    return next(rule for rule in builtin_rules() if rule.id == rule_id)


def test_thresholds_name_field_tests_and_correlation_bounds() -> None:
    found = thresholds(_rule("slow-drip"))
    assert found["large.personal_attachments|gte"] == 4
    assert "correlation[0].gte" in found
    assert all(isinstance(v, float) for v in found.values())


def test_a_saved_setting_changes_the_effective_rule_and_its_sql(store: Store) -> None:
    before = compile_rules(effective_rules(store), "user_day")
    setting = check_setting("departing-data-theft", True, {"out_removable.files_to_removable|gte": 40}, "ann")
    assert setting.thresholds == {"out_removable.files_to_removable|gte": 40}
    save_setting(store, "departing-data-theft", setting)
    rule = next(r for r in effective_rules(store) if r.id == "departing-data-theft")
    removable = next(s for s in rule.selections if s.name == "out_removable")
    assert [t.value for t in removable.alternatives[0] if t.modifier.value == "gte"] == [40]
    assert compile_rules(effective_rules(store), "user_day") != before
    assert load_settings(store)["departing-data-theft"].changed_by == "ann"


def test_unchanged_thresholds_are_not_stored_and_disabling_drops_the_rule(store: Store) -> None:
    shipped = thresholds(_rule("decoy-touched"))
    setting = check_setting("decoy-touched", False, shipped, "ann")
    assert setting.thresholds == {}
    save_setting(store, "decoy-touched", setting)
    assert not next(r for r in effective_rules(store) if r.id == "decoy-touched").enabled
    assert "decoy-touched" not in compile_rules(effective_rules(store), "user_day").sql


@pytest.mark.parametrize(
    ("rule_id", "values", "message"),
    [
        ("no-such-rule", {}, "no rule"),
        ("decoy-touched", {"decoy.decoy_touches|gte": -1}, "negative"),
        ("decoy-touched", {"decoy.nothing|gte": 3}, "has no threshold"),
    ],
)
def test_bad_settings_are_refused(rule_id: str, values: dict[str, float], message: str) -> None:
    with pytest.raises(RuleSettingError, match=message):
        check_setting(rule_id, True, values, "ann")


@pytest.mark.slow
def test_scoring_runs_the_effective_rules(scored_home: Home, tmp_path: Path) -> None:
    home = copy_of(scored_home, tmp_path / "home")
    with open_store(home.store_path) as store:
        fired = store.count("SELECT count(*) FROM scores WHERE len(rules) > 0")
        assert fired > 0
        first = store.scalar("SELECT min(day) FROM scores")
        assert isinstance(first, date)
        for rule in builtin_rules():  # through the audited action: a setting with no audit entry is refused
            Workbench(home, store).change_rule(rule.id, False, {}, by="ann")
        score_store(store, since=first)
        assert store.count("SELECT count(*) FROM scores WHERE len(rules) > 0") == 0


def test_reasons_do_not_repeat_what_a_fired_rule_said(scored_home: Home) -> None:
    with open_store(scored_home.store_path, read_only=True) as store:
        rows = store.con.execute("SELECT reasons FROM scores WHERE len(rules) > 0").fetchall()
    assert rows
    for (reasons,) in rows:
        parts = reasons.split("; ")
        assert sum("before their last day" in part or "on their last day" in part for part in parts) <= 1, reasons
        if "on decoy files" in reasons:
            assert "events on a decoy file" not in reasons, reasons


def test_threshold_labels_are_words() -> None:
    from molehunt.detect.rules.settings import threshold_label

    rule = _rule("departing-data-theft")
    assert threshold_label(rule, "out_removable.files_to_removable|ratio_gte") == (
        "out_removable: files to removable at least this many times their own median"
    )
    drip = _rule("slow-drip")
    assert threshold_label(drip, "correlation[0].gte").endswith("days: at least")
