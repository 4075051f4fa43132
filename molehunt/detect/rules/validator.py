"""Validation of one rule document: every problem becomes a typed `Issue`, with its line, field and a hint.

`RuleChecker.rule(doc)` returns a `Rule`, or None when it recorded any issue (see `checker.issues`). Names that
are not known (fields, modifiers, keys, selections, placeholders) get close matches from difflib in the hint.
"""

from __future__ import annotations

import difflib
import math
import re
import string
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Literal

from pydantic import ValidationError

from molehunt.features.catalog import FEATURE_NAMES

from .condition import KEYWORDS, ConditionError, Expr, check_names, parse_condition
from .model import (
    FLAG_MODIFIERS,
    Correlation,
    CorrelationType,
    FieldTest,
    Issue,
    IssueKind,
    Level,
    Modifier,
    Rule,
    Selection,
    column_kinds,
    detection_fields,
    threshold_problem,
    threshold_range,
)

TOP_KEYS = (
    "id",
    "title",
    "description",
    "level",
    "scenario",
    "enabled",
    "detection",
    "correlation",
    "explain",
    "falsepositives",
)
REQUIRED_KEYS = ("id", "title", "description", "level", "scenario", "detection", "explain")
CORRELATION_KEYS = ("type", "field", "window", "over", "gte", "gt", "lte", "lt")
BOUND_KEYS: tuple[Literal["gte", "gt", "lte", "lt"], ...] = ("gte", "gt", "lte", "lt")
ID_RE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
SELECTION_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
WINDOW_RE = re.compile(r"^(\d+)d$")
MAX_WINDOW_DAYS = 3650

Path_ = tuple[str, ...]


def _suggest(word: str, choices: Iterable[str], what: str) -> str:
    close = difflib.get_close_matches(word, list(choices), n=3, cutoff=0.6)
    if close:
        return f"did you mean {' or '.join(close)}?"
    return f"see the {what} listed in molehunt/detect/rules/README.md"


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    number = float(value)
    return number if math.isfinite(number) else None


class RuleChecker:
    """Validates one YAML document, collecting issues; `rule()` returns None when there is any."""

    def __init__(self, source: str, lines: Mapping[Path_, int]) -> None:
        self.source = source
        self.lines = lines
        self.rule_id: str | None = None
        self.issues: list[Issue] = []

    def add(self, kind: IssueKind, path: Path_, message: str, hint: str = "") -> None:
        probe = path
        while probe and probe not in self.lines:
            probe = probe[:-1]
        field = ".".join(path) or "(document)"
        self.issues.append(Issue(kind, field, message, hint, self.source, self.lines.get(probe), self.rule_id))

    def rule(self, doc: object) -> Rule | None:
        if not isinstance(doc, dict):
            self.add(IssueKind.NOT_A_MAPPING, (), "a rule must be a YAML mapping", "start with `id: my-rule`")
            return None
        raw_id = doc.get("id")
        self.rule_id = raw_id if isinstance(raw_id, str) else None
        for key in doc:
            if key not in TOP_KEYS:
                self.add(IssueKind.UNKNOWN_KEY, (str(key),), "unknown key", _suggest(str(key), TOP_KEYS, "keys"))
        for key in REQUIRED_KEYS:
            if key not in doc:
                self.add(IssueKind.MISSING_KEY, (key,), "required key is missing", f"add `{key}:`")
        if "id" in doc and not (isinstance(raw_id, str) and ID_RE.match(raw_id)):
            self.add(IssueKind.BAD_ID, ("id",), f"bad id {raw_id!r}", "use kebab-case, like departing-data-theft")
        level = doc.get("level")
        if "level" in doc and level not in tuple(Level):
            self.add(IssueKind.BAD_LEVEL, ("level",), f"unknown level {level!r}", "use low, medium, high or critical")
        for key in ("title", "description", "scenario", "explain"):
            if key in doc and not isinstance(doc[key], str):
                self.add(IssueKind.BAD_VALUE, (key,), "must be a string", "quote it")
        if not isinstance(doc.get("enabled", True), bool):
            self.add(IssueKind.BAD_VALUE, ("enabled",), "must be true or false")
        falsepositives = doc.get("falsepositives", [])
        falsepositives = [falsepositives] if isinstance(falsepositives, str) else falsepositives
        if not (isinstance(falsepositives, list) and all(isinstance(f, str) for f in falsepositives)):
            self.add(IssueKind.BAD_VALUE, ("falsepositives",), "must be a list of strings")
        selections, condition = self.detection(doc.get("detection"))
        names = [selection.name for selection in selections]
        correlations = self.correlations(doc.get("correlation"), names)
        explain = doc.get("explain")
        if isinstance(explain, str):
            self.placeholders(explain, doc.get("correlation") is not None)
        if self.issues or condition is None:
            return None
        try:
            return Rule(
                id=str(raw_id),
                title=doc["title"],
                description=doc["description"],
                level=Level(str(level)),
                scenario=doc["scenario"],
                enabled=doc.get("enabled", True),
                selections=tuple(selections),
                condition=condition,
                condition_text=str(doc["detection"]["condition"]),
                correlations=tuple(correlations),
                explain=str(explain),
                falsepositives=tuple(falsepositives),
                source=self.source,
                line=self.lines.get(()),
            )
        except ValidationError as exc:  # a backstop: the checks above should have caught it
            for error in exc.errors():
                self.add(IssueKind.BAD_VALUE, tuple(map(str, error["loc"])), error["msg"])
            return None

    def detection(self, raw: object) -> tuple[list[Selection], Expr | None]:
        if raw is None:
            return [], None
        if not isinstance(raw, dict):
            self.add(IssueKind.BAD_SELECTION, ("detection",), "must be a mapping of selections and a condition")
            return [], None
        selections: list[Selection] = []
        for name, body in raw.items():
            if name == "condition":
                continue
            path = ("detection", str(name))
            if not (isinstance(name, str) and SELECTION_RE.match(name)) or name in KEYWORDS:
                self.add(
                    IssueKind.BAD_SELECTION,
                    path,
                    "bad selection name",
                    "use letters, digits and _ (not a keyword like and/or/not)",
                )
                continue
            selection = self.selection(name, body, path)
            selections.extend([selection] if selection is not None else [])
        if not any(name != "condition" for name in raw):
            self.add(IssueKind.MISSING_KEY, ("detection",), "no selection", "add at least one selection")
        text = raw.get("condition")
        if not isinstance(text, str):
            self.add(
                IssueKind.MISSING_KEY,
                ("detection", "condition"),
                "a condition (a string) is required",
                "add `condition: my_selection`",
            )
            return selections, None
        return selections, self.expression(text, ("detection", "condition"), [str(name) for name in raw])

    def expression(self, text: str, path: Path_, names: Sequence[str]) -> Expr | None:
        names = [name for name in names if name != "condition"]
        try:
            expr = parse_condition(text)
        except ConditionError as exc:
            self.add(
                IssueKind.BAD_CONDITION,
                path,
                f"{exc} in {text!r}",
                "use selection names with and, or, not, parentheses, '1 of x*' or 'all of x*'",
            )
            return None
        for problem in check_names(expr, names):
            word = problem.split("'")[1]
            self.add(IssueKind.UNKNOWN_SELECTION, path, problem, _suggest(word, names, "selections"))
        return expr

    def selection(self, name: str, body: object, path: Path_) -> Selection | None:
        alternatives_raw = body if isinstance(body, list) else [body]
        alternatives: list[tuple[FieldTest, ...]] = []
        for index, alternative in enumerate(alternatives_raw):
            alt_path = (*path, str(index)) if isinstance(body, list) else path
            if not isinstance(alternative, dict) or not alternative:
                self.add(
                    IssueKind.BAD_SELECTION,
                    alt_path,
                    "a selection must be a mapping `field|modifier: value`",
                    "or a list of such mappings (any of which may match)",
                )
                continue
            tests = [self.test(key, value, (*alt_path, str(key))) for key, value in alternative.items()]
            alternatives.append(tuple(test for test in tests if test is not None))
        if not alternatives_raw:
            self.add(IssueKind.BAD_SELECTION, path, "empty selection", "give at least one field test")
        return Selection(name=name, alternatives=tuple(alternatives)) if alternatives else None

    def test(self, key: object, value: Any, path: Path_) -> FieldTest | None:
        fields = detection_fields()
        parts = str(key).split("|")
        field = parts[0]
        if field not in fields:
            self.add(IssueKind.UNKNOWN_FIELD, path, f"unknown field {field!r}", _suggest(field, fields, "fields"))
            return None
        if len(parts) > 2:
            self.add(IssueKind.BAD_MODIFIER, path, "only one modifier per field", "split it into two entries")
            return None
        if len(parts) == 2:
            if parts[1] not in tuple(Modifier):
                self.add(
                    IssueKind.UNKNOWN_MODIFIER,
                    path,
                    f"unknown modifier {parts[1]!r}",
                    _suggest(parts[1], tuple(Modifier), "modifiers"),
                )
                return None
            modifier = Modifier(parts[1])
        else:
            modifier = Modifier.NULL if value is None else Modifier.IN if isinstance(value, list) else Modifier.EQ
        if modifier not in fields[field]:
            accepted = ", ".join(sorted(fields[field]))
            self.add(IssueKind.BAD_MODIFIER, path, f"{field} does not accept {modifier.value}", f"use {accepted}")
            return None
        if modifier in FLAG_MODIFIERS:
            if value is not True and not (value is None and len(parts) == 1):
                self.add(
                    IssueKind.BAD_VALUE,
                    path,
                    f"{modifier.value} takes the value true",
                    f"write `{field}|{modifier.value}: true`",
                )
                return None
            return FieldTest(field=field, modifier=modifier)
        is_text = field in ("role", "department")
        values = value if modifier is Modifier.IN else [value]
        if not isinstance(values, list) or not values:
            self.add(IssueKind.BAD_VALUE, path, "in takes a non-empty list", f"write `{field}|in: [a, b]`")
            return None
        checked = [item if is_text and isinstance(item, str) else _number(item) for item in values]
        if any(item is None for item in checked) or (is_text and not all(isinstance(v, str) for v in values)):
            self.add(
                IssueKind.BAD_VALUE,
                path,
                f"bad value {value!r}",
                "give text for role/department" if is_text else "give a finite number",
            )
            return None
        scalars = tuple(item for item in checked if item is not None)
        if modifier is not Modifier.IN and isinstance(scalars[0], float):
            problem = threshold_problem(scalars[0], field, modifier.value)
            if problem is not None:
                low, high = threshold_range(field, modifier.value)
                self.add(IssueKind.BAD_VALUE, path, f"threshold {problem}", f"give a number from {low:g} to {high:g}")
                return None
        return FieldTest(field=field, modifier=modifier, value=scalars if modifier is Modifier.IN else scalars[0])

    def correlations(self, raw: object, names: Sequence[str]) -> list[Correlation]:
        if raw is None:
            return []
        items = raw if isinstance(raw, list) else [raw]
        correlations = []
        for index, item in enumerate(items):
            path = ("correlation", str(index)) if isinstance(raw, list) else ("correlation",)
            correlation = self.correlation(item, path, names)
            correlations.extend([correlation] if correlation is not None else [])
        if not items:
            self.add(IssueKind.BAD_CORRELATION, ("correlation",), "empty correlation list", "remove it or add one")
        return correlations

    def correlation(self, raw: object, path: Path_, names: Sequence[str]) -> Correlation | None:
        if not isinstance(raw, dict):
            self.add(IssueKind.BAD_CORRELATION, path, "must be a mapping", "give type, window and a threshold")
            return None
        before = len(self.issues)
        for key in raw:
            if key not in CORRELATION_KEYS:
                self.add(
                    IssueKind.UNKNOWN_KEY,
                    (*path, str(key)),
                    "unknown key",
                    _suggest(str(key), CORRELATION_KEYS, "keys"),
                )
        kind = raw.get("type")
        if kind not in tuple(CorrelationType):
            self.add(
                IssueKind.BAD_CORRELATION,
                (*path, "type"),
                f"unknown correlation type {kind!r}",
                "use sum, event_count or value_count",
            )
        field = raw.get("field")
        kinds = column_kinds()
        if kind in (CorrelationType.SUM, CorrelationType.VALUE_COUNT) and field is None:
            self.add(
                IssueKind.MISSING_FIELD,
                (*path, "field"),
                f"{kind} needs a field",
                "add `field:` naming the column to aggregate",
            )
        elif kind == CorrelationType.EVENT_COUNT and field is not None:
            self.add(
                IssueKind.BAD_CORRELATION,
                (*path, "field"),
                "event_count counts days and takes no field",
                "remove `field:`",
            )
        elif field is not None and str(field) not in kinds:
            self.add(
                IssueKind.UNKNOWN_FIELD,
                (*path, "field"),
                f"unknown field {field!r}",
                _suggest(str(field), kinds, "fields"),
            )
        elif kind == CorrelationType.SUM and kinds.get(str(field)) != "number":
            self.add(IssueKind.BAD_CORRELATION, (*path, "field"), f"cannot sum {field!r}", "sum a numeric column")
        window = raw.get("window")
        match = WINDOW_RE.match(window) if isinstance(window, str) else None
        days = int(match.group(1)) if match else 0
        if not 1 <= days <= MAX_WINDOW_DAYS:
            self.add(
                IssueKind.BAD_WINDOW,
                (*path, "window"),
                f"bad window {window!r}",
                f"give whole days from 1d to {MAX_WINDOW_DAYS}d, like 14d",
            )
        bounds: list[tuple[Literal["gte", "gt", "lte", "lt"], float]] = []
        for key in BOUND_KEYS:
            if key in raw:
                number = _number(raw[key])
                if number is None:
                    self.add(IssueKind.BAD_VALUE, (*path, key), f"bad threshold {raw[key]!r}", "give a number")
                elif (problem := threshold_problem(number, None, key)) is not None:
                    low, high = threshold_range(None, key)
                    self.add(IssueKind.BAD_VALUE, (*path, key), f"threshold {problem}", f"from {low:g} to {high:g}")
                bounds.append((key, number if number is not None else math.nan))
        if not any(key in raw for key in BOUND_KEYS):
            self.add(IssueKind.BAD_CORRELATION, path, "no threshold", "add gte (or gt, lte, lt) with a number")
        over_text = raw.get("over")
        over = None
        if over_text is not None:
            if isinstance(over_text, str):
                over = self.expression(over_text, (*path, "over"), names)
            else:
                self.add(IssueKind.BAD_CONDITION, (*path, "over"), "must be a condition string")
        if len(self.issues) > before:
            return None
        return Correlation(
            type=CorrelationType(str(kind)),
            field=field,
            window_days=days,
            over=over,
            over_text=over_text,
            bounds=tuple(bounds),
        )

    def placeholders(self, template: str, has_correlation: bool) -> None:
        path = ("explain",)
        try:
            parsed = list(string.Formatter().parse(template))
        except ValueError as exc:
            self.add(IssueKind.BAD_PLACEHOLDER, path, f"bad template: {exc}", "write literal braces as {{ and }}")
            return
        allowed = explain_placeholders(has_correlation)
        for _literal, name, spec, conversion in parsed:
            if name is None:
                continue
            if spec or conversion:
                self.add(
                    IssueKind.BAD_PLACEHOLDER,
                    path,
                    f"placeholder {{{name}}} has a format spec",
                    "write plain {name}; numbers are formatted for you",
                )
            elif name not in allowed:
                hint = _suggest(name, allowed, "placeholders")
                if name == "window_value":
                    hint = "{window_value} needs a correlation"
                self.add(IssueKind.BAD_PLACEHOLDER, path, f"unknown placeholder {{{name}}}", hint)


def explain_placeholders(has_correlation: bool) -> list[str]:
    """Names an explain template may use: user_day columns, tenure_days, F_ratio, window_value (with correlation)."""
    names = list(column_kinds()) + [f"{feature}_ratio" for feature in FEATURE_NAMES]
    return [*names, "window_value"] if has_correlation else names
