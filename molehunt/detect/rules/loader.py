"""Read rule files (YAML, one or more documents each) into validated `Rule`s.

Every problem in a file is collected as a typed `Issue` (file, line, rule id, field, what to do) and raised
together in one `RuleError`; a file with any problem yields no rules. The format is described in the package
docstring (`molehunt.detect.rules`) and in README.md next to this module; validation is in validator.py.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from importlib import resources
from pathlib import Path

import yaml

from .model import Issue, IssueKind, Rule, RuleError
from .validator import Path_, RuleChecker


def load_rules(paths: str | Path | Iterable[str | Path]) -> list[Rule]:
    """Load every rule in the given files (a directory means its *.yaml / *.yml files, sorted by name).

    Raises RuleError listing every problem in every file, including ids used twice and paths that cannot be read.
    """
    items = [paths] if isinstance(paths, str | Path) else list(paths)
    files: list[Path] = []
    for item in map(Path, items):
        files.extend(sorted(p for p in item.iterdir() if p.suffix in (".yaml", ".yml")) if item.is_dir() else [item])
    sources: list[tuple[str, str]] = []
    issues: list[Issue] = []
    for file in files:
        try:
            sources.append((file.read_text(encoding="utf-8"), str(file)))
        except (OSError, UnicodeDecodeError) as exc:
            issues.append(Issue(IssueKind.YAML, "(file)", f"cannot read the file: {exc}", "check the path", str(file)))
    return _parse_all(sources, issues)


def builtin_rules() -> list[Rule]:
    """The rules shipped in the package's builtin/ folder (read with importlib.resources, so it works installed)."""
    return list(_builtin_rules())


@functools.cache
def _builtin_rules() -> tuple[Rule, ...]:
    # Parsed once per process (about 70 ms); rules are frozen models, so sharing them is safe.
    folder = resources.files(__package__ or "molehunt.detect.rules").joinpath("builtin")
    entries = sorted((entry for entry in folder.iterdir() if entry.name.endswith(".yaml")), key=lambda e: e.name)
    return tuple(_parse_all([(entry.read_text(encoding="utf-8"), f"builtin/{entry.name}") for entry in entries], []))


def parse_rules_text(text: str, source: str | None = None) -> list[Rule]:
    """Parse the rules in one YAML text (any number of documents). Raises RuleError listing every problem."""
    return _parse_all([(text, source or "<text>")], [])


def _parse_all(sources: Sequence[tuple[str, str]], issues: list[Issue]) -> list[Rule]:
    rules: list[Rule] = []
    seen: dict[str, str] = {}
    for text, source in sources:
        file_rules, file_issues = _parse_text(text, source)
        issues.extend(file_issues)
        for rule in file_rules:
            if rule.id in seen:
                issues.append(
                    Issue(
                        IssueKind.DUPLICATE_ID,
                        "id",
                        f"id already used in {seen[rule.id]}",
                        "give every rule its own id",
                        source,
                        rule.line,
                        rule.id,
                    )
                )
            seen.setdefault(rule.id, f"{source}:{rule.line}")
        if not file_issues:
            rules.extend(file_rules)
    if issues:
        raise RuleError(issues)
    return rules


def _parse_text(text: str, source: str) -> tuple[list[Rule], list[Issue]]:
    loader = yaml.SafeLoader(text)
    rules: list[Rule] = []
    issues: list[Issue] = []
    try:
        while loader.check_node():
            node = loader.get_node()
            if node is None:
                continue
            lines: dict[Path_, int] = {}
            _index_lines(node, (), lines)
            checker = RuleChecker(source, lines)
            rule = checker.rule(loader.construct_document(node))
            issues.extend(checker.issues)
            rules.extend([rule] if rule is not None else [])
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        issues.append(Issue(IssueKind.YAML, "(file)", f"not valid YAML: {exc}", "fix the YAML syntax", source, line))
    finally:
        loader.dispose()
    return rules, issues


def _index_lines(node: yaml.Node, path: Path_, lines: dict[Path_, int]) -> None:
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            _index_lines(value, (*path, str(key.value)), lines)
            lines[(*path, str(key.value))] = key.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _index_lines(item, (*path, str(index)), lines)
