"""Loading rule files: the parsed model, and every validation error with its place and advice."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from molehunt.detect.rules import (
    FieldTest,
    Issue,
    IssueKind,
    Level,
    Modifier,
    Rule,
    RuleError,
    builtin_rules,
    load_rules,
    parse_rules_text,
)
from molehunt.detect.rules.condition import Name, Quantified
from molehunt.errors import MolehuntError

VALID = """\
id: departing-data-theft
title: Departing user moves data out
description: why it matters
level: high
scenario: departing-theft
detection:
  departing:
    days_to_departure|lte: 30
  bulk:
    files_to_removable|ratio_gte: 5
    files_to_removable|gte: 20
  cloud:
    - cloud_uploads|ratio_gte: 5
    - cloud_uploads: [7, 8]
  condition: departing and (bulk or cloud)
correlation:
  type: sum
  field: files_to_removable
  window: 14d
  gte: 100
explain: "{files_to_removable} files ({files_to_removable_ratio}x), {days_to_departure} days left, {window_value}"
"""


def issues(text: str) -> list[Issue]:
    with pytest.raises(RuleError) as caught:
        parse_rules_text(text, "rules.yaml")
    return caught.value.issues


def only(text: str) -> Issue:
    found = issues(text)
    assert len(found) == 1, found
    return found[0]


def test_valid_rule_is_parsed_into_a_frozen_typed_rule() -> None:
    (rule,) = parse_rules_text(VALID, "rules.yaml")
    assert rule.id == "departing-data-theft"
    assert rule.level is Level.HIGH and rule.weight == 50 and rule.enabled
    assert rule.selection_names == ["departing", "bulk", "cloud"]
    bulk = rule.selections[1].alternatives
    assert bulk == (
        (
            FieldTest(field="files_to_removable", modifier=Modifier.RATIO_GTE, value=5.0),
            FieldTest(field="files_to_removable", modifier=Modifier.GTE, value=20.0),
        ),
    )
    cloud = rule.selections[2].alternatives
    assert cloud[1] == (FieldTest(field="cloud_uploads", modifier=Modifier.IN, value=(7.0, 8.0)),)
    (correlation,) = rule.correlations
    assert (correlation.window_days, correlation.field) == (14, "files_to_removable")
    assert correlation.bounds == (("gte", 100.0),)
    assert rule.source == "rules.yaml" and rule.line == 1
    with pytest.raises(ValueError, match="frozen"):
        rule.title = "changed"


def test_weights_per_level() -> None:
    assert [level.weight for level in Level] == [10, 25, 50, 100]


def test_several_documents_and_files(tmp_path: Path) -> None:
    second = VALID.replace("id: departing-data-theft", "id: second-rule").replace("level: high", "level: low")
    (tmp_path / "a.yaml").write_text(VALID + "---\n" + second)
    (tmp_path / "b.yml").write_text(VALID.replace("id: departing-data-theft", "id: third"))
    (tmp_path / "notes.txt").write_text("not a rule")
    rules = load_rules(tmp_path)
    assert [r.id for r in rules] == ["departing-data-theft", "second-rule", "third"]
    assert rules[1].line == 23  # the first document has 21 lines, then the separator


def test_disabled_rule_and_null_tests() -> None:
    text = VALID.replace("level: high", "level: high\nenabled: false").replace(
        "days_to_departure|lte: 30", "days_to_departure: null\n    role: [analyst, engineer]"
    )
    (rule,) = parse_rules_text(text)
    assert not rule.enabled
    assert rule.selections[0].alternatives[0] == (
        FieldTest(field="days_to_departure", modifier=Modifier.NULL),
        FieldTest(field="role", modifier=Modifier.IN, value=("analyst", "engineer")),
    )


def test_error_is_a_molehunt_error_with_file_rule_field_and_hint() -> None:
    with pytest.raises(MolehuntError) as caught:
        parse_rules_text(VALID.replace("files_to_removable|gte", "files_to_removeable|gte"), "rules.yaml")
    error = caught.value
    assert isinstance(error, RuleError)
    assert error.file == "rules.yaml" and error.rule_id == "departing-data-theft"
    message = str(error)
    assert "rules.yaml:11: rule 'departing-data-theft': detection.bulk.files_to_removeable|gte" in message
    assert "unknown field 'files_to_removeable'" in message and "did you mean files_to_removable" in message


def test_unknown_field_suggests_close_names() -> None:
    issue = only(VALID.replace("cloud_uploads|ratio_gte", "cloud_upload|ratio_gte"))
    assert issue.kind is IssueKind.UNKNOWN_FIELD
    assert issue.field == "detection.cloud.0.cloud_upload|ratio_gte"
    assert "cloud_uploads" in issue.hint and issue.line == 13


def test_unknown_field_far_from_everything_points_to_the_docs() -> None:
    issue = only(VALID.replace("days_to_departure|lte", "zzz|lte"))
    assert issue.kind is IssueKind.UNKNOWN_FIELD and "README" in issue.hint


def test_unknown_modifier() -> None:
    issue = only(VALID.replace("files_to_removable|gte: 20", "files_to_removable|gtee: 20"))
    assert issue.kind is IssueKind.UNKNOWN_MODIFIER
    assert "'gtee'" in issue.message and "gte" in issue.hint


@pytest.mark.parametrize(
    ("entry", "kind", "words"),
    [
        ("days_to_departure|ratio_gte: 5", IssueKind.BAD_MODIFIER, "does not accept ratio_gte"),
        ("role|gt: 5", IssueKind.BAD_MODIFIER, "does not accept gt"),
        ("files_to_removable|null: true", IssueKind.BAD_MODIFIER, "does not accept null"),
        ("files_to_removable|gte|lte: 5", IssueKind.BAD_MODIFIER, "one modifier"),
        ("files_to_removable|gte: many", IssueKind.BAD_VALUE, "bad value"),
        ("files_to_removable|gte: true", IssueKind.BAD_VALUE, "bad value"),
        ("files_to_removable|gte: .nan", IssueKind.BAD_VALUE, "bad value"),
        ("files_to_removable|first: false", IssueKind.BAD_VALUE, "takes the value true"),
        ("files_to_removable|in: []", IssueKind.BAD_VALUE, "non-empty list"),
        ("role: 5", IssueKind.BAD_VALUE, "bad value"),
    ],
)
def test_bad_field_tests(entry: str, kind: IssueKind, words: str) -> None:
    issue = only(VALID.replace("files_to_removable|gte: 20", entry))
    assert issue.kind is kind
    assert words in issue.message


def test_bad_level_and_id_and_missing_keys() -> None:
    assert only(VALID.replace("level: high", "level: severe")).kind is IssueKind.BAD_LEVEL
    assert only(VALID.replace("id: departing-data-theft", "id: Departing_Theft")).kind is IssueKind.BAD_ID
    missing = only(VALID.replace("scenario: departing-theft\n", ""))
    assert (missing.kind, missing.field) == (IssueKind.MISSING_KEY, "scenario")
    unknown = only(VALID.replace("level: high", "level: high\nscenaro: x"))
    assert unknown.kind is IssueKind.UNKNOWN_KEY and "scenario" in unknown.hint


def test_bad_condition_syntax_names_the_position() -> None:
    issue = only(VALID.replace("departing and (bulk or cloud)", "departing and (bulk or cloud"))
    assert issue.kind is IssueKind.BAD_CONDITION
    assert issue.field == "detection.condition"
    assert "position 28" in issue.message


def test_unknown_selection_name_in_condition() -> None:
    issue = only(VALID.replace("departing and (bulk or cloud)", "departing and (bulk or clod)"))
    assert issue.kind is IssueKind.UNKNOWN_SELECTION
    assert "'clod'" in issue.message and "cloud" in issue.hint


def test_pattern_matching_no_selection() -> None:
    issue = only(VALID.replace("departing and (bulk or cloud)", "departing and 1 of out_*"))
    assert issue.kind is IssueKind.UNKNOWN_SELECTION and "out_*" in issue.message


@pytest.mark.parametrize("window", ["14", "2w", "0d", "-3d", "99999d", "14 d"])
def test_bad_window(window: str) -> None:
    issue = only(VALID.replace("window: 14d", f"window: {window}"))
    assert issue.kind is IssueKind.BAD_WINDOW and issue.field == "correlation.window"


def test_missing_field_for_sum_and_value_count() -> None:
    issue = only(VALID.replace("  field: files_to_removable\n", ""))
    assert (issue.kind, issue.field) == (IssueKind.MISSING_FIELD, "correlation.field")
    issue = only(VALID.replace("  field: files_to_removable\n", "").replace("type: sum", "type: value_count"))
    assert issue.kind is IssueKind.MISSING_FIELD


def test_other_correlation_errors() -> None:
    assert only(VALID.replace("type: sum", "type: average")).kind is IssueKind.BAD_CORRELATION
    assert only(VALID.replace("  gte: 100\n", "")).kind is IssueKind.BAD_CORRELATION
    assert only(VALID.replace("field: files_to_removable", "field: role")).kind is IssueKind.BAD_CORRELATION
    assert only(VALID.replace("type: sum", "type: event_count")).kind is IssueKind.BAD_CORRELATION
    issue = only(VALID.replace("  gte: 100\n", "  gte: 100\n  over: bulk or nope\n"))
    assert (issue.kind, issue.field) == (IssueKind.UNKNOWN_SELECTION, "correlation.over")


@pytest.mark.parametrize(
    ("explain", "words"),
    [
        ("{file_to_removable} files", "unknown placeholder {file_to_removable}"),
        ("{files_to_removable:.2f} files", "format spec"),
        ("{} files", "unknown placeholder {}"),
        ("{files_to_removable files", "bad template"),
        ("{__import__} files", "unknown placeholder"),
    ],
)
def test_bad_placeholder(explain: str, words: str) -> None:
    issue = only(VALID.replace(VALID.splitlines()[-1], f'explain: "{explain}"'))
    assert issue.kind is IssueKind.BAD_PLACEHOLDER
    assert words in issue.message


def test_window_value_needs_a_correlation() -> None:
    text = VALID.split("correlation:")[0] + 'explain: "{window_value}"\n'
    issue = only(text)
    assert issue.kind is IssueKind.BAD_PLACEHOLDER and "needs a correlation" in issue.hint


def test_every_problem_is_reported_at_once() -> None:
    text = VALID.replace("level: high", "level: severe").replace("window: 14d", "window: 2w")
    assert [i.kind for i in issues(text)] == [IssueKind.BAD_LEVEL, IssueKind.BAD_WINDOW]


def test_duplicate_ids_across_files(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(VALID)
    (tmp_path / "b.yaml").write_text(VALID)
    with pytest.raises(RuleError) as caught:
        load_rules([tmp_path / "a.yaml", tmp_path / "b.yaml"])
    (issue,) = caught.value.issues
    assert issue.kind is IssueKind.DUPLICATE_ID and str(tmp_path / "a.yaml") in issue.message


def test_yaml_syntax_error_and_non_mapping(tmp_path: Path) -> None:
    issue = only("id: [unclosed\n")
    assert issue.kind is IssueKind.YAML and issue.line is not None
    assert only("- just\n- a list\n").kind is IssueKind.NOT_A_MAPPING
    with pytest.raises(RuleError, match="cannot read"):
        load_rules(tmp_path / "missing.yaml")


def test_a_rule_built_in_code_is_checked_too() -> None:
    (rule,) = parse_rules_text(VALID)
    data = rule.model_dump()
    data["condition"] = Name("nope")
    with pytest.raises(ValueError, match="unknown selection 'nope'"):
        Rule(**data)
    data["condition"] = Quantified("1", "bu*")
    assert Rule(**data).condition == Quantified("1", "bu*")


def test_builtin_rules_load_and_are_documented() -> None:
    rules = builtin_rules()
    ids = [rule.id for rule in rules]
    assert len(ids) == len(set(ids)) == 21
    assert {rule.source for rule in rules} == {f"builtin/{rule_id}.yaml" for rule_id in ids}
    assert all(rule.description.strip() and rule.explain for rule in rules)
    readme = (Path(__file__).parents[4] / "molehunt" / "detect" / "rules" / "README.md").read_text()
    for rule_id in ids:
        assert f"`{rule_id}`" in readme, f"built-in rule {rule_id} is not listed in rules/README.md"


def test_builtin_rules_use_no_simulator_specific_names() -> None:
    folder = Path(__file__).parents[4] / "molehunt" / "detect" / "rules" / "builtin"
    for path in folder.glob("*.yaml"):
        text = path.read_text().lower()
        assert "wikileaks" not in text and "dtaa" not in text and ".com" not in text, path
        assert isinstance(yaml.safe_load(text), dict)
