"""Analysts' changes to the shipped rules, kept in the store: a rule switched off, or a numeric threshold moved.

A threshold is addressed by a key: ``selection.field|modifier`` for a test in a single-alternative selection
(``selection[2].field|modifier`` for the third alternative) and ``correlation[0].gte`` for a correlation bound.
Changes apply from the next `molehunt score`; scores already computed stay as they were.

Each change is also an audit entry (``rule.change``, written by the workbench) carrying the rule's whole new
setting, thresholds written exactly (``repr``). The layers above read those entries (:class:`LoggedSetting`) and
hand them to :func:`effective_rules`, which refuses to put the rules together when the store's settings are not
the logged ones: a threshold moved or a rule switched off in the store directly stops scoring instead of steering
it ("store tampered").
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from molehunt.clock import utc_now
from molehunt.detect.rules.loader import builtin_rules
from molehunt.detect.rules.model import Correlation, FieldTest, Rule, Selection, threshold_problem
from molehunt.errors import MolehuntError
from molehunt.store import Store


@dataclass(frozen=True)
class RuleSetting:
    enabled: bool
    thresholds: dict[str, float]
    changed_by: str
    changed_at: datetime


class RuleSettingError(MolehuntError):
    """A setting that does not fit the rule."""


def _test_key(selection: Selection, alternative: int, test: FieldTest) -> str:
    where = selection.name if len(selection.alternatives) == 1 else f"{selection.name}[{alternative}]"
    return f"{where}.{test.field}|{test.modifier.value}"


def _where(rule: Rule) -> dict[str, tuple[str | None, str]]:
    """Each threshold key's (field, modifier), a correlation bound's modifier being its operator."""
    found: dict[str, tuple[str | None, str]] = {}
    for selection in rule.selections:
        for index, alternative in enumerate(selection.alternatives):
            for test in alternative:
                found[_test_key(selection, index, test)] = (test.field, test.modifier.value)
    for index, correlation in enumerate(rule.correlations):
        for operator, _ in correlation.bounds:
            found[f"correlation[{index}].{operator}"] = (correlation.field, operator)
    return found


def check_thresholds(rule: Rule, values: dict[str, float]) -> None:
    """RuleSettingError for a key the rule does not have, or a value that is not finite or outside its range."""
    unknown = set(values) - set(thresholds(rule))
    if unknown:
        raise RuleSettingError(f"rule {rule.id} has no threshold {', '.join(sorted(unknown))}")
    where = _where(rule)
    for key, value in values.items():
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise RuleSettingError(f"rule {rule.id}: {key}: {value!r} is not a number")
        problem = threshold_problem(float(value), *where[key])
        if problem is not None:
            raise RuleSettingError(f"rule {rule.id}: {key}: {problem}")


def thresholds(rule: Rule) -> dict[str, float]:
    """Every numeric threshold of the rule by key, in rule order."""
    found: dict[str, float] = {}
    for selection in rule.selections:
        for index, alternative in enumerate(selection.alternatives):
            for test in alternative:
                if isinstance(test.value, int | float) and not isinstance(test.value, bool):
                    found[_test_key(selection, index, test)] = float(test.value)
    for index, correlation in enumerate(rule.correlations):
        for operator, bound in correlation.bounds:
            found[f"correlation[{index}].{operator}"] = float(bound)
    return found


_WORDS = {
    "eq": "equals", "ne": "differs from", "gt": "more than", "gte": "at least", "lt": "less than",
    "lte": "at most", "ratio_gte": "at least this many times their own median", "z_gte": "robust z-score at least",
    "peer_ratio_gte": "at least this many times the peer median",
}  # fmt: skip


def threshold_label(rule: Rule, key: str) -> str:
    """A threshold key in words, e.g. 'burst: cloud uploads at least' or 'correlation 1 (sum of X over 30 days)'."""
    if key.startswith("correlation["):
        index = int(key[len("correlation[") : key.index("]")])
        operator = key.rsplit(".", 1)[1]
        found = rule.correlations[index]
        what = f"{found.type.value.replace('_', ' ')}{f' of {found.field}' if found.field else ''}"
        return f"{what.replace('_', ' ')} over {found.window_days} days: {_WORDS.get(operator, operator)}"
    where, _, test = key.partition(".")
    field, _, modifier = test.partition("|")
    return f"{where}: {field.replace('_', ' ')} {_WORDS.get(modifier, modifier)}"


def apply(rule: Rule, setting: RuleSetting | None) -> Rule:
    """The rule with the setting applied; RuleSettingError for a key the rule does not have or a value out of range
    (a stored setting is checked again: the store may have been edited behind the dashboard's back)."""
    if setting is None:
        return rule
    check_thresholds(rule, setting.thresholds)
    new = setting.thresholds

    def test(selection: Selection, index: int, item: FieldTest) -> FieldTest:
        key = _test_key(selection, index, item)
        if key not in new:
            return item
        return item.model_copy(update={"value": float(new[key])})  # the compiler binds comparisons as floats

    selections = tuple(
        selection.model_copy(
            update={
                "alternatives": tuple(
                    tuple(test(selection, index, item) for item in alternative)
                    for index, alternative in enumerate(selection.alternatives)
                )
            }
        )
        for selection in rule.selections
    )

    def correlation(index: int, item: Correlation) -> Correlation:
        bounds = tuple((op, new.get(f"correlation[{index}].{op}", bound)) for op, bound in item.bounds)
        return item.model_copy(update={"bounds": bounds})

    correlations = tuple(correlation(i, c) for i, c in enumerate(rule.correlations))
    return rule.model_copy(update={"enabled": setting.enabled, "selections": selections, "correlations": correlations})


@dataclass(frozen=True)
class LoggedSetting:
    """A rule's setting as its latest ``rule.change`` audit entry (index ``seq``) records it."""

    seq: int
    enabled: bool
    thresholds: dict[str, str]  # as logged: repr of the float (older entries: %g)

    @classmethod
    def from_details(cls, seq: int, details: Mapping[str, object]) -> LoggedSetting | None:
        """The setting a ``rule.change`` entry's details record, or None when they are not one."""
        enabled, values = details.get("enabled"), details.get("thresholds")
        if not isinstance(enabled, bool) or not isinstance(values, Mapping):
            return None
        return cls(seq, enabled, {str(key): str(value) for key, value in values.items()})

    def matches(self, setting: RuleSetting) -> bool:
        if setting.enabled != self.enabled or set(setting.thresholds) != set(self.thresholds):
            return False
        return all(_same(setting.thresholds[key], logged) for key, logged in self.thresholds.items())


def logged_text(value: float) -> str:
    """How a threshold is written into the audit entry: exactly (repr round-trips a float)."""
    return repr(float(value))


def _same(stored: float, logged: str) -> bool:
    try:
        exact = float(logged) == stored
    except ValueError:
        return False
    return exact or f"{stored:g}" == logged  # entries written before thresholds were logged exactly


def setting_problems(stored: Mapping[str, RuleSetting], logged: Mapping[str, LoggedSetting]) -> list[str]:
    """Each rule whose stored setting is not the one its latest audit entry records (a logged change whose stored
    row is gone counts: deleting the row would quietly restore the shipped thresholds)."""
    problems = []
    for rule_id in sorted(set(stored) | set(logged)):
        have, want = stored.get(rule_id), logged.get(rule_id)
        if want is None:
            problems.append(f"rule {rule_id}: its setting in the store has no audit entry")
        elif have is None:
            problems.append(f"rule {rule_id}: the setting of audit entry {want.seq} is missing from the store")
        elif not want.matches(have):
            problems.append(f"rule {rule_id}: its setting in the store differs from audit entry {want.seq}")
    return problems


def load_settings(store: Store) -> dict[str, RuleSetting]:
    rows = store.con.execute(
        "SELECT rule_id, enabled, thresholds, changed_by, changed_at FROM rule_settings"
    ).fetchall()
    return {rule_id: RuleSetting(bool(on), json.loads(values), by, at) for rule_id, on, values, by, at in rows}


def effective_rules(store: Store, logged: Mapping[str, LoggedSetting] | None = None) -> list[Rule]:
    """The shipped rules with the store's settings applied: what `molehunt score` runs. Given the settings the
    audit log records (``logged``), RuleSettingError when the store's differ."""
    settings = load_settings(store)
    if logged is not None and (problems := setting_problems(settings, logged)):
        raise RuleSettingError(
            f"store tampered: {'; '.join(problems)}; set the rule again from the dashboard (an audited change) "
            "or restore the store"
        )
    return [apply(rule, settings.get(rule.id)) for rule in builtin_rules()]


def check_setting(rule_id: str, enabled: bool, values: dict[str, float], by: str) -> RuleSetting:
    """The setting as it would be stored (only thresholds that differ from the shipped rule), or RuleSettingError."""
    shipped = {rule.id: rule for rule in builtin_rules()}
    if rule_id not in shipped:
        raise RuleSettingError(f"no rule {rule_id!r}")
    defaults = thresholds(shipped[rule_id])
    check_thresholds(shipped[rule_id], values)  # every value given, changed or not: nan != nan would look changed
    changed = {key: float(value) for key, value in values.items() if defaults.get(key) != value}
    return RuleSetting(enabled, changed, by, utc_now())


def save_setting(store: Store, rule_id: str, setting: RuleSetting) -> None:
    """Store a checked setting (see check_setting), replacing the rule's earlier one."""
    with store.transaction() as con:
        con.execute("DELETE FROM rule_settings WHERE rule_id = ?", [rule_id])
        con.execute(
            "INSERT INTO rule_settings VALUES (?, ?, ?, ?, ?)",
            [rule_id, setting.enabled, json.dumps(setting.thresholds, sort_keys=True), setting.changed_by,
             setting.changed_at],
        )  # fmt: skip
