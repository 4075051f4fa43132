"""Compiling rules to SQL: golden SQL, the meaning of every modifier and correlation, rendering, and safety.

Golden files live in golden/; regenerate them after an intended change with
`MOLEHUNT_UPDATE_GOLDEN=1 .venv/bin/pytest tests/unit/detect/rules` (see rules_support.py).
"""

from __future__ import annotations

import textwrap

import pytest
from rules_support import check_golden, d, fired, matches, user_day

from molehunt.detect.rules import (
    OUTPUT_COLUMNS,
    Level,
    Rule,
    builtin_rules,
    compile_rule,
    compile_rules,
    parse_rules_text,
    run_rules,
)


def make(detection: str, correlation: str = "", explain: str = "x", rule_id: str = "t") -> Rule:
    text = f"id: {rule_id}\ntitle: T\ndescription: D\nlevel: medium\nscenario: s\n"
    text += "detection:\n" + textwrap.indent(textwrap.dedent(detection).strip(), "  ") + "\n"
    if correlation:
        text += "correlation:\n" + textwrap.indent(textwrap.dedent(correlation).strip(), "  ") + "\n"
    text += f"explain: {explain!r}\n"
    (rule,) = parse_rules_text(text)
    return rule


def builtin(rule_id: str) -> Rule:
    return next(rule for rule in builtin_rules() if rule.id == rule_id)


@pytest.mark.parametrize("rule_id", ["departing-data-theft", "first-usb-after-hours", "slow-drip"])
def test_golden_sql_of_builtin_rules(rule_id: str) -> None:
    check_golden(rule_id, compile_rule(builtin(rule_id)))


def test_golden_sql_of_a_union() -> None:
    rules = [builtin("decoy-touched"), builtin("leak-site-upload")]
    check_golden("union-decoy-leak", compile_rules(rules))


def test_compiled_sql_binds_every_yaml_value() -> None:
    rule = make(
        """
        sel:
          role: "x'); DROP TABLE user_day; --"
          files_opened|gte: 123456
        condition: sel
        """,
        explain="it's {files_opened} -- '; DELETE",
    )
    compiled = compile_rule(rule)
    for text in ("DROP", "DELETE", "123456", "it's", "medium"):
        assert text not in compiled.sql
    assert "x'); DROP TABLE user_day; --" in compiled.params.values()
    con = user_day([{"user": "u", "day": 0, "role": "x'); DROP TABLE user_day; --", "files_opened": 200000}])
    (match,) = matches(con, [rule])
    assert match.explanation == "it's 200000 -- '; DELETE"
    assert con.execute("SELECT count(*) FROM user_day").fetchall() == [(1,)]


def test_bad_table_name_is_refused() -> None:
    from molehunt.errors import MolehuntError

    con = user_day([])
    with pytest.raises(MolehuntError, match="bad table name"):
        run_rules(con, [builtin("decoy-touched")], table="user_day; DROP TABLE user_day")


@pytest.mark.parametrize(
    ("test", "rows", "expected"),
    [
        ("files_opened: 3", [{"files_opened": 3}, {"files_opened": 4}], [0]),
        ("files_opened|ne: 3", [{"files_opened": 3}, {"files_opened": 4}], [1]),
        ("files_opened|gt: 3", [{"files_opened": 3}, {"files_opened": 4}], [1]),
        ("files_opened|lt: 4", [{"files_opened": 3}, {"files_opened": 4}], [0]),
        ("files_opened|lte: 4", [{"files_opened": 3}, {"files_opened": 5}], [0]),
        ("files_opened|in: [1, 5]", [{"files_opened": 1}, {"files_opened": 3}, {"files_opened": 5}], [0, 2]),
        # ratio_gte: against the user's own median, at least 1
        (
            "files_opened|ratio_gte: 5",
            [
                {"files_opened": 10, "files_opened__median": 2},
                {"files_opened": 9, "files_opened__median": 2},
                {"files_opened": 5},
                {"files_opened": 4, "files_opened__median": 0.5},
            ],
            [0, 2],
        ),
        # z_gte: robust z with the MAD scaled by 1.4826, the scale at least 1
        (
            "files_opened|z_gte: 3",
            [
                {"files_opened": 10, "files_opened__median": 2, "files_opened__mad": 1},
                {"files_opened": 10, "files_opened__median": 2, "files_opened__mad": 3},
                {"files_opened": 3},
                {"files_opened": 2},
            ],
            [0, 2],
        ),
        (
            "files_opened|peer_ratio_gte: 3",
            [
                {"files_opened": 9, "files_opened__peer": 3, "files_opened__median": 100},
                {"files_opened": 8, "files_opened__peer": 3},
                {"files_opened": 3},
            ],
            [0, 2],
        ),
        ("days_to_departure|null: true", [{"days_to_departure": 3}, {}], [1]),
        ("days_to_departure|notnull: true", [{"days_to_departure": 3}, {}], [0]),
        ("days_to_departure: null", [{"days_to_departure": 3}, {}], [1]),
        ("days_to_departure|lte: 5", [{"days_to_departure": 3}, {}, {"days_to_departure": 6}], [0]),
        ("role|in: [admin, it]", [{"role": "it"}, {}, {"role": "admin"}], [0, 2]),
        ("department|ne: rnd", [{"department": "sales"}, {}], [0]),
        ("tenure_days|gte: 2", [{}, {}, {}, {}], [2, 3]),
    ],
)
def test_modifiers(test: str, rows: list[dict[str, object]], expected: list[int]) -> None:
    rule = make(f"sel:\n  {test}\ncondition: sel")
    con = user_day([{"user": "u", "day": day, **row} for day, row in enumerate(rows)])
    assert fired(con, [rule]) == [("u", day) for day in expected]


def test_not_of_a_null_comparison_holds() -> None:
    rule = make("leaving:\n  days_to_departure|lte: 30\nbusy:\n  logons|gte: 1\ncondition: busy and not leaving")
    con = user_day(
        [
            {"user": "stays", "day": 0, "logons": 1},
            {"user": "leaves", "day": 0, "logons": 1, "days_to_departure": 10},
            {"user": "leaves-later", "day": 0, "logons": 1, "days_to_departure": 40},
        ]
    )
    assert fired(con, [rule]) == [("leaves-later", 0), ("stays", 0)]


def test_first_looks_at_the_whole_history_of_the_user() -> None:
    rule = make("sel:\n  usb_connects|first: true\n  logons|gte: 1\ncondition: sel")
    con = user_day(
        [
            {"user": "a", "day": 0, "logons": 1},
            {"user": "a", "day": 1, "usb_connects": 2, "logons": 0},  # the first USB day, but the rule needs a logon
            {"user": "a", "day": 2, "usb_connects": 1, "logons": 1},  # not the first any more
            {"user": "b", "day": 0, "logons": 1},
            {"user": "b", "day": 5, "usb_connects": 1, "logons": 1},
            {"user": "b", "day": 6, "usb_connects": 1, "logons": 1},
            {"user": "c", "day": 3, "usb_connects": 1, "logons": 1},  # first row of the user
        ]
    )
    assert fired(con, [rule]) == [("c", 3), ("b", 5)]


def test_list_of_maps_is_or_and_map_is_and() -> None:
    rule = make("sel:\n  - logons|gte: 2\n    files_opened|gte: 2\n  - decoy_touches: 1\ncondition: sel")
    rows = [{"logons": 2, "files_opened": 2}, {"logons": 2}, {"decoy_touches": 1}, {"files_opened": 5}]
    con = user_day([{"user": "u", "day": day, **row} for day, row in enumerate(rows)])
    assert fired(con, [rule]) == [("u", 0), ("u", 2)]


SUM_RULE = """
type: sum
field: cloud_uploads
window: 3d
gte: 10
"""


def test_sum_over_a_calendar_window() -> None:
    rule = make("sel:\n  cloud_uploads|gte: 1\ncondition: sel", SUM_RULE, explain="{window_value} in 3 days")
    rows = [(0, 4), (1, 4), (2, 2), (3, 1), (6, 9), (8, 1), (20, 12)]
    con = user_day([{"user": "u", "day": day, "cloud_uploads": n} for day, n in rows])
    found = matches(con, [rule])
    # day 2: 4+4+2; day 3: 4+2+1 (day 0 left the window); day 8: 9+1 over days 6..8; day 20 alone.
    assert [((m.day - d(0)).days, m.value, m.explanation) for m in found] == [
        (2, 10.0, "10 in 3 days"),
        (8, 10.0, "10 in 3 days"),
        (20, 12.0, "12 in 3 days"),
    ]


def test_sum_counts_only_days_where_the_condition_holds_and_fires_only_on_them() -> None:
    rule = make("sel:\n  cloud_uploads|gte: 3\ncondition: sel", SUM_RULE)
    rows = [(0, 2), (1, 2), (2, 2), (3, 2), (4, 5), (5, 6), (6, 0)]
    con = user_day([{"user": "u", "day": day, "cloud_uploads": n} for day, n in rows])
    assert fired(con, [rule]) == [("u", 5)]  # 5+6; days below 3 are not counted; day 6 does not hold


def test_event_count_over_another_selection_and_upper_bounds() -> None:
    rule = make(
        "tool:\n  hacking_downloads|gte: 1\nhost:\n  other_user_hosts|gte: 1\ncondition: host",
        "type: event_count\nover: tool\nwindow: 7d\ngte: 1\nlt: 3",
    )
    rows = [
        {"user": "a", "day": 0, "hacking_downloads": 1},
        {"user": "a", "day": 6, "other_user_hosts": 1},  # 6 days later: inside the 7-day window
        {"user": "a", "day": 7, "other_user_hosts": 1},  # 7 days later: outside
        {"user": "b", "day": 0, "hacking_downloads": 1},
        {"user": "b", "day": 1, "hacking_downloads": 1},
        {"user": "b", "day": 2, "hacking_downloads": 1, "other_user_hosts": 1},  # 3 tool days: not < 3
        {"user": "c", "day": 0, "other_user_hosts": 1},
        {"user": "c", "day": 1, "hacking_downloads": 1},  # the tool after the logon does not count
    ]
    assert fired(user_day(rows), [rule]) == [("a", 6)]


def test_value_count_of_distinct_values() -> None:
    rule = make("sel:\n  logons|gte: 1\ncondition: sel", "type: value_count\nfield: logons\nwindow: 5d\ngte: 3")
    rows = [(0, 1), (1, 1), (2, 2), (3, 2), (4, 3), (5, 3)]
    con = user_day([{"user": "u", "day": day, "logons": n} for day, n in rows])
    assert fired(con, [rule]) == [("u", 4), ("u", 5)]


def test_value_and_explanation_rendering() -> None:
    rule = make(
        "a:\n  role: engineer\nb:\n  files_to_removable|gte: 1\ncondition: a and b",
        explain="{{x}} {files_to_removable} ({files_to_removable_ratio}x) {days_to_departure} {role} {day} "
        "{files_opened__median} {tenure_days}",
    )
    con = user_day(
        [
            {"user": "u", "day": 0},
            {"user": "u", "day": 2, "files_to_removable": 7, "files_to_removable__median": 2, "days_to_departure": 5,
             "files_opened__median": 2.25},
        ]
    )  # fmt: skip
    (match,) = matches(con, [rule])
    assert match.value == 7.0  # the first numeric field the condition names (role is text)
    assert match.explanation == "{x} 7 (3.5x) 5 engineer 2024-01-03 2.2 2"
    assert (match.rule_id, match.level, match.weight) == ("t", Level.MEDIUM, 25)


def test_union_of_rules_orders_hits_and_skips_disabled_rules() -> None:
    decoy = builtin("decoy-touched")
    leak = builtin("leak-site-upload")
    disabled = make("sel:\n  logons|gte: 0\ncondition: sel", rule_id="disabled").model_copy(update={"enabled": False})
    con = user_day(
        [
            {"user": "b", "day": 1, "decoy_touches": 1, "leak_uploads": 1},
            {"user": "a", "day": 1, "leak_uploads": 2},
            {"user": "a", "day": 0, "decoy_touches": 3},
        ]
    )
    table = run_rules(con, [leak, decoy, disabled])
    assert table.column_names == list(OUTPUT_COLUMNS)
    rows = [(r["user_id"], (r["day"] - d(0)).days, r["rule_id"], r["weight"]) for r in table.to_pylist()]
    assert rows == [
        ("a", 0, "decoy-touched", 100),
        ("a", 1, "leak-site-upload", 50),
        ("b", 1, "decoy-touched", 100),
        ("b", 1, "leak-site-upload", 50),
    ]


def test_no_enabled_rule_gives_an_empty_table_with_the_columns() -> None:
    table = run_rules(user_day([{"user": "u", "day": 0}]), [])
    assert table.num_rows == 0 and table.column_names == list(OUTPUT_COLUMNS)
