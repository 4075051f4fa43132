"""Finding 7 of issue 20: a threshold must be finite and within its declared range, on every path in.

`nan` made every comparison false (the rule silently off while the page showed it on); `inf` and 1e308 likewise.
The dashboard and workbench go through check_setting, rule files through the loader, and a setting edited in the
store is checked again when the rules are put together for scoring.
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from molehunt.config import Home
from molehunt.detect.rules import RuleError, builtin_rules
from molehunt.detect.rules.loader import parse_rules_text
from molehunt.detect.rules.model import threshold_range
from molehunt.detect.rules.settings import RuleSettingError, check_setting, effective_rules, thresholds
from molehunt.store import open_store

KEY = "bulk.vault_checkouts|gte"
RATIO = "bulk.vault_checkouts|ratio_gte"
RULE = """\
id: bulk-test
title: Bulk
description: test rule
level: high
scenario: bulk-copy
detection:
  bulk:
    vault_checkouts|gte: {value}
  condition: bulk
explain: "{{vault_checkouts}} copies"
"""


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf, 1e308, -1.0, 2e15])
def test_the_dashboard_path_refuses_a_threshold_out_of_range(value: float) -> None:
    with pytest.raises(RuleSettingError, match=f"rule vault-bulk-checkout: {KEY}: .*(finite|outside)"):
        check_setting("vault-bulk-checkout", True, {KEY: value}, "ann")


def test_ranges_are_declared_per_kind_and_the_shipped_rules_fit_them() -> None:
    assert threshold_range("vault_checkouts", "ratio_gte") == (0.0, 1e6)
    assert threshold_range("days_to_departure", "gte")[0] < 0  # after the last day
    for rule in builtin_rules():
        check_setting(rule.id, True, thresholds(rule), "ann")  # every shipped value is within its range
    with pytest.raises(RuleSettingError, match="cannot be negative"):
        check_setting("vault-bulk-checkout", True, {RATIO: -2.0}, "ann")
    assert check_setting("vault-bulk-checkout", True, {RATIO: 7.5}, "ann").thresholds == {RATIO: 7.5}


@pytest.mark.parametrize("value", [".nan", ".inf", "1e308", "-3"])
def test_a_rule_file_with_a_threshold_out_of_range_names_its_line(value: str) -> None:
    with pytest.raises(RuleError) as refused:
        parse_rules_text(RULE.format(value=value), "bulk.yaml")
    assert "bulk.yaml:8:" in str(refused.value) and "vault_checkouts|gte" in str(refused.value)


def test_a_setting_edited_in_the_store_to_nan_is_refused_not_applied(tmp_path: Path) -> None:
    home = Home(tmp_path / "home").ensure()
    with open_store(home.store_path) as store:
        store.con.execute(
            "INSERT INTO rule_settings VALUES ('vault-bulk-checkout', true, ?, 'mallory', now())", [f'{{"{KEY}": NaN}}']
        )
        with pytest.raises(RuleSettingError, match=f"{KEY}: nan is not a finite number"):
            effective_rules(store)
