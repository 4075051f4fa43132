"""Finding 5a of issue 20 for rule settings: a setting changed in the store, not through the audited dashboard
action, stops the rules from being put together for scoring (and the dashboard's rule table) as "store tampered"."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from molehunt.config import Home
from molehunt.detect.rules.settings import RuleSettingError, effective_rules
from molehunt.score import logged_rule_settings
from molehunt.store import Store, open_store
from molehunt.workbench.actions import Workbench
from molehunt.workbench.rules import current_rules, rule_table

RULE, KEY = "vault-bulk-checkout", "bulk.vault_checkouts|gte"


@pytest.fixture
def home(tmp_path: Path) -> Home:
    return Home(tmp_path / "home").ensure()


@pytest.fixture
def store(home: Home) -> Iterator[Store]:
    with open_store(home.store_path) as opened:
        yield opened


def _rule(store: Store) -> object:
    return next(rule for rule in current_rules(store) if rule.id == RULE)


def test_an_audited_change_is_used_exactly(home: Home, store: Store) -> None:
    Workbench(home, store).change_rule(RULE, True, {KEY: 12.345678901}, by="admin")
    rule = next(rule for rule in current_rules(store) if rule.id == RULE)
    assert rule.selections[0].alternatives[0][0].value == 12.345678901
    assert logged_rule_settings(home)[RULE].thresholds == {KEY: "12.345678901"}
    assert len(rule_table(store).rows) > 10


@pytest.mark.parametrize(
    ("tamper", "says"),
    [
        ("UPDATE rule_settings SET enabled = false", "differs from audit entry 0"),
        ("UPDATE rule_settings SET thresholds = '{\"bulk.vault_checkouts|gte\": 1000000.0}'", "differs from audit"),
        ("DELETE FROM rule_settings", "the setting of audit entry 0 is missing from the store"),
    ],
)
def test_a_setting_changed_in_the_store_is_refused(home: Home, store: Store, tamper: str, says: str) -> None:
    Workbench(home, store).change_rule(RULE, True, {KEY: 12.0}, by="admin")
    store.con.execute(tamper)
    with pytest.raises(RuleSettingError, match=f"store tampered: rule {RULE}: .*{says}"):
        current_rules(store)
    with pytest.raises(RuleSettingError, match="store tampered"):
        rule_table(store)
    with pytest.raises(RuleSettingError, match="store tampered"):
        effective_rules(store, logged_rule_settings(home))  # what score_store runs


def test_a_setting_with_no_audit_entry_is_refused(home: Home, store: Store) -> None:
    store.con.execute("INSERT INTO rule_settings VALUES (?, false, '{}', 'mallory', now())", [RULE])
    with pytest.raises(RuleSettingError, match=f"rule {RULE}: its setting in the store has no audit entry"):
        current_rules(store)
