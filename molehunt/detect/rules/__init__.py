"""Scenario rules as data: Sigma-flavoured YAML rules, validated, compiled to DuckDB SQL over `user_day`.

A rule file holds one or more YAML documents, each a rule::

    id: departing-data-theft          # unique, kebab-case
    title: Departing user moves data out far above their own baseline
    description: why it matters, shown to analysts
    level: high                       # low | medium | high | critical (weight 10, 25, 50, 100)
    scenario: departing-theft         # free tag used to filter alerts
    enabled: true                     # default true
    falsepositives: [optional list of known benign causes]
    detection:
      departing:                      # a selection: field tests, ANDed; a list of mappings is OR
        days_to_departure|lte: 30
      bulk:
        files_to_removable|ratio_gte: 5
        files_to_removable|gte: 20
      condition: departing and bulk   # and, or, not, ( ), "1 of x*", "all of x*", "1 of them"
    correlation:                      # optional; a mapping or a list of mappings (all must hold)
      type: sum                       # sum | event_count | value_count
      field: files_to_removable       # required for sum and value_count, absent for event_count
      window: 14d                     # whole days
      over: bulk                      # optional: days counted (default: the condition)
      gte: 100                        # and/or gt, lte, lt
    explain: "{files_to_removable} files ({files_to_removable_ratio}x their median)"

Fields: every feature of `molehunt.features.catalog.FEATURE_NAMES`, `days_to_departure`, `days_since_hr_event`,
`colleagues_laid_off`, `tenure_days` (days since the user's first day), `role`, `department`. Modifiers: none/eq, ne,
gt, gte, lt, lte, in (a list; a bare list means in too), ratio_gte, z_gte, peer_ratio_gte (features: against the
user's median, robust z-score, peer median), first (true: first non-zero day in the user's history), null /
notnull (true; a bare `null` means null).

`load_rules` and `builtin_rules` raise `RuleError` listing every typed `Issue`; `compile_rule` / `compile_rules`
give SQL with bound parameters; `run_rules` runs them on a DuckDB connection (a pyarrow Table), `match_rules`
gives the same rows as typed `RuleMatch`es. See README.md in this folder.
"""

from .compiler import OUTPUT_COLUMNS, CompiledRule, RuleMatch, compile_rule, compile_rules, match_rules, run_rules
from .condition import ConditionError, parse_condition
from .loader import builtin_rules, load_rules, parse_rules_text
from .model import Correlation, FieldTest, Issue, IssueKind, Level, Modifier, Rule, RuleError, Selection

__all__ = [
    "OUTPUT_COLUMNS",
    "CompiledRule",
    "ConditionError",
    "Correlation",
    "FieldTest",
    "Issue",
    "IssueKind",
    "Level",
    "Modifier",
    "Rule",
    "RuleError",
    "RuleMatch",
    "Selection",
    "builtin_rules",
    "compile_rule",
    "compile_rules",
    "load_rules",
    "match_rules",
    "parse_condition",
    "parse_rules_text",
    "run_rules",
]
