"""Typed, frozen rules and the typed issues a rule file can have.

A `Rule` is only ever built from a rule file that passed validation (loader.py) or directly in code; either way
its fields are checked again by pydantic, so a `Rule` in hand is always compilable. `RuleError` carries every
problem found in a file, each an `Issue` naming the file, line, rule id, field and what to do.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from molehunt.errors import MolehuntError
from molehunt.features.catalog import FEATURE_NAMES

from .condition import Expr, check_names

# Columns of `user_day` besides the features, with their SQL kind.
CONTEXT_KINDS: dict[str, str] = {
    "user_id": "text",
    "day": "date",
    "days_to_departure": "number",
    "role": "text",
    "department": "text",
    "first_day": "date",
    "days_since_hr_event": "number",
    "colleagues_laid_off": "number",
}
# Computed by the compiler for every rule: whole days since the user's first day with activity.
DERIVED_KINDS: dict[str, str] = {"tenure_days": "number"}
BASELINE_SUFFIXES = ("__median", "__mad", "__peer")


def column_kinds() -> dict[str, str]:
    """Every column a rule may name (placeholders, value_count), mapped to "number", "text" or "date"."""
    kinds = dict(CONTEXT_KINDS) | DERIVED_KINDS
    for feature in FEATURE_NAMES:
        kinds[feature] = "number"
        for suffix in BASELINE_SUFFIXES:
            kinds[feature + suffix] = "number"
    return kinds


class Level(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"

    @property
    def weight(self) -> int:
        return _WEIGHTS[self]


_WEIGHTS = {Level.LOW: 10, Level.MEDIUM: 25, Level.HIGH: 50, Level.CRITICAL: 100}


class Modifier(StrEnum):
    EQ = "eq"
    NE = "ne"
    GT = "gt"
    GTE = "gte"
    LT = "lt"
    LTE = "lte"
    IN = "in"
    RATIO_GTE = "ratio_gte"
    Z_GTE = "z_gte"
    PEER_RATIO_GTE = "peer_ratio_gte"
    FIRST = "first"
    NULL = "null"
    NOTNULL = "notnull"


COMPARISONS = frozenset({Modifier.EQ, Modifier.NE, Modifier.GT, Modifier.GTE, Modifier.LT, Modifier.LTE})
BASELINE_MODIFIERS = frozenset({Modifier.RATIO_GTE, Modifier.Z_GTE, Modifier.PEER_RATIO_GTE})
FLAG_MODIFIERS = frozenset({Modifier.FIRST, Modifier.NULL, Modifier.NOTNULL})

# Which modifiers each detection field accepts.
_FEATURE_MODIFIERS = COMPARISONS | BASELINE_MODIFIERS | {Modifier.IN, Modifier.FIRST}
_CONTEXT_NUMBER_MODIFIERS = COMPARISONS | {Modifier.IN, Modifier.NULL, Modifier.NOTNULL}
_TEXT_MODIFIERS = frozenset({Modifier.EQ, Modifier.NE, Modifier.IN, Modifier.NULL, Modifier.NOTNULL})


def detection_fields() -> dict[str, frozenset[Modifier]]:
    """Fields a selection may test, each with the modifiers it accepts."""
    fields: dict[str, frozenset[Modifier]] = dict.fromkeys(FEATURE_NAMES, _FEATURE_MODIFIERS)
    fields["days_to_departure"] = _CONTEXT_NUMBER_MODIFIERS
    fields["days_since_hr_event"] = _CONTEXT_NUMBER_MODIFIERS
    fields["colleagues_laid_off"] = _CONTEXT_NUMBER_MODIFIERS - {Modifier.NULL, Modifier.NOTNULL}
    fields["tenure_days"] = _CONTEXT_NUMBER_MODIFIERS - {Modifier.NULL, Modifier.NOTNULL}
    fields["role"] = _TEXT_MODIFIERS
    fields["department"] = _TEXT_MODIFIERS
    return fields


# Every numeric threshold has a declared range, finite and wide enough for any real organisation: a value outside
# it (nan, inf, 1e308) is a typo or a way to switch a rule off while it still shows as on. Whole days may be
# negative (days_to_departure after the last day); counts, volumes, ratios and z-scores may not.
DAY_FIELDS = frozenset({"days_to_departure", "days_since_hr_event", "tenure_days"})
_RANGES: dict[str, tuple[float, float]] = {
    "ratio_gte": (0.0, 1e6),
    "peer_ratio_gte": (0.0, 1e6),
    "z_gte": (0.0, 1e3),
    "days": (-36_500.0, 36_500.0),
    "amount": (0.0, 1e15),  # counts and bytes (a petabyte), per day or summed over a correlation window
}


def threshold_range(field: str | None, modifier: str) -> tuple[float, float]:
    """The (lowest, highest) value a threshold of ``field|modifier`` (or a correlation bound) may take."""
    if modifier in _RANGES:
        return _RANGES[modifier]
    return _RANGES["days"] if field in DAY_FIELDS else _RANGES["amount"]


def threshold_problem(value: float, field: str | None, modifier: str) -> str | None:
    """Why ``value`` cannot be this threshold (not finite, or outside its declared range), or None."""
    if not math.isfinite(value):
        return f"{value!r} is not a finite number"
    low, high = threshold_range(field, modifier)
    if low <= value <= high:
        return None
    negative = " (a threshold cannot be negative)" if value < 0 == low else ""
    return f"{value:g} is outside the allowed range {low:g} to {high:g}{negative}"


Scalar = float | str


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class FieldTest(_Frozen):
    """One `field|modifier: value` entry. `value` is a number, a string, a tuple (for `in`) or None (flags)."""

    field: str
    modifier: Modifier
    value: Scalar | tuple[Scalar, ...] | None = None


class Selection(_Frozen):
    """A named selection: true when any alternative holds; an alternative holds when all of its tests do."""

    name: str
    alternatives: tuple[tuple[FieldTest, ...], ...] = Field(min_length=1)


class CorrelationType(StrEnum):
    SUM = "sum"
    EVENT_COUNT = "event_count"
    VALUE_COUNT = "value_count"


class Correlation(_Frozen):
    """An aggregate over the user's days in [day - window_days + 1, day] on which `over` holds, with bounds.

    `over` defaults to the rule's condition. `bounds` are (operator, number) pairs, all of which must hold.
    """

    type: CorrelationType
    field: str | None = None
    window_days: int = Field(ge=1, le=3650)
    over: Expr | None = None
    over_text: str | None = None
    bounds: tuple[tuple[Literal["gte", "gt", "lte", "lt"], float], ...] = Field(min_length=1)


class Rule(_Frozen):
    """A validated scenario rule. Build one with `load_rules` / `parse_rule`, or directly in code."""

    id: str = Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")
    title: str = Field(min_length=1)
    description: str
    level: Level
    scenario: str = Field(min_length=1)
    enabled: bool = True
    selections: tuple[Selection, ...] = Field(min_length=1)
    condition: Expr
    condition_text: str
    correlations: tuple[Correlation, ...] = ()
    explain: str
    falsepositives: tuple[str, ...] = ()
    source: str | None = None
    line: int | None = None

    @model_validator(mode="after")
    def _names_exist(self) -> Rule:
        names = self.selection_names
        problems = check_names(self.condition, names)
        for correlation in self.correlations:
            problems += check_names(correlation.over, names) if correlation.over is not None else []
        if problems:
            raise ValueError("; ".join(problems))
        return self

    @property
    def weight(self) -> int:
        """The level's weight: low 10, medium 25, high 50, critical 100."""
        return self.level.weight

    @property
    def selection_names(self) -> list[str]:
        return [selection.name for selection in self.selections]


class IssueKind(StrEnum):
    YAML = "yaml"
    NOT_A_MAPPING = "not-a-mapping"
    MISSING_KEY = "missing-key"
    UNKNOWN_KEY = "unknown-key"
    BAD_VALUE = "bad-value"
    BAD_ID = "bad-id"
    DUPLICATE_ID = "duplicate-id"
    BAD_LEVEL = "bad-level"
    UNKNOWN_FIELD = "unknown-field"
    UNKNOWN_MODIFIER = "unknown-modifier"
    BAD_MODIFIER = "bad-modifier"
    BAD_CONDITION = "bad-condition"
    UNKNOWN_SELECTION = "unknown-selection"
    BAD_SELECTION = "bad-selection"
    BAD_CORRELATION = "bad-correlation"
    BAD_WINDOW = "bad-window"
    MISSING_FIELD = "missing-field"
    BAD_PLACEHOLDER = "bad-placeholder"


@dataclass(frozen=True)
class Issue:
    """One problem in a rule file: where it is, which rule and field, what is wrong and what to do."""

    kind: IssueKind
    field: str
    message: str
    hint: str = ""
    file: str | None = None
    line: int | None = None
    rule_id: str | None = None

    def __str__(self) -> str:
        where = self.file or "<rules>"
        where = f"{where}:{self.line}" if self.line is not None else where
        rule = f" rule {self.rule_id!r}:" if self.rule_id else ""
        hint = f" ({self.hint})" if self.hint else ""
        return f"{where}:{rule} {self.field}: {self.message}{hint}"


class RuleError(MolehuntError):
    """Rules that cannot be used; `issues` lists every problem found (not just the first), each with its place."""

    def __init__(self, issues: list[Issue], *, file: str | None = None, rule_id: str | None = None) -> None:
        self.issues = list(issues)
        self.file = file or (self.issues[0].file if self.issues else None)
        self.rule_id = rule_id or (self.issues[0].rule_id if self.issues else None)
        count = len(self.issues)
        head = f"{count} problem{'s' if count != 1 else ''} in rules; fix the rule file and load it again:"
        super().__init__("\n  ".join([head, *map(str, self.issues)]))
