"""The scenario rules as the dashboard shows them: each with its current and shipped thresholds."""

from __future__ import annotations

from dataclasses import dataclass

from molehunt.config import Home
from molehunt.detect.rules import Rule, builtin_rules
from molehunt.detect.rules.settings import RuleSetting, effective_rules, load_settings, thresholds
from molehunt.score import logged_rule_settings
from molehunt.store import Store


@dataclass(frozen=True)
class RuleTable:
    rows: list[tuple[Rule, dict[str, float], dict[str, float]]]  # (rule as scoring will use it, current, shipped)
    settings: dict[str, RuleSetting]  # the stored changes, by rule id


def current_rules(store: Store) -> list[Rule]:
    """The rules the next `molehunt score` will use (shipped rules with the stored settings applied); RuleSettingError
    ("store tampered") when the stored settings are not the ones the audit log records.

    The dashboard reads a published snapshot, which may predate the latest rule change (the change is logged, then
    saved, then published): a snapshot is compared with the entries logged before its file was last written."""
    return effective_rules(store, logged_rule_settings(Home(store.path.parent), store.written_at))


def rule_table(store: Store) -> RuleTable:
    shipped = {rule.id: thresholds(rule) for rule in builtin_rules()}
    rows = [(rule, thresholds(rule), shipped[rule.id]) for rule in current_rules(store)]
    return RuleTable(rows, load_settings(store))
