"""The dashboard is a thin layer: routes parse, call the workbench and render. No SQL lives in molehunt/web, and
nothing below the dashboard imports it."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import molehunt
import molehunt.web

WEB = Path(molehunt.web.__file__).parent
PACKAGE = Path(molehunt.__file__).parent
# A store call, or SQL text in any string (keywords upper case, as molehunt writes SQL).
SQL_CALLS = re.compile(r"\.(execute|executemany|sql|query|count|scalar)\(")
SQL_TEXT = re.compile(r"\b(SELECT|INSERT INTO|UPDATE \w+ SET|DELETE FROM|CREATE TABLE|DROP TABLE|WITH \w+ AS)\b")
BELOW_WEB = ("workbench", "report", "detect", "store", "audit", "vault", "trace", "engine", "features", "ingest")


def web_sources() -> list[Path]:
    return sorted(WEB.rglob("*.py"))


def test_no_sql_in_the_web_layer() -> None:
    found = []
    for path in web_sources():
        source = path.read_text(encoding="utf-8")
        for number, line in enumerate(source.splitlines(), 1):
            if SQL_CALLS.search(line):
                found.append(f"{path.relative_to(PACKAGE.parent)}:{number}: {line.strip()}")
        for node in ast.walk(ast.parse(source, filename=str(path))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and SQL_TEXT.search(node.value):
                found.append(f"{path.relative_to(PACKAGE.parent)}:{node.lineno}: SQL text {node.value[:60]!r}")
    assert not found, "SQL belongs in molehunt.workbench, not in the web layer:\n" + "\n".join(found)


def test_the_scan_catches_sql() -> None:
    assert SQL_CALLS.search('ctx.store.con.execute("...")') and SQL_CALLS.search("store.count(q, [1])")
    assert SQL_TEXT.search("SELECT user_id FROM web_reveals") and SQL_TEXT.search("INSERT INTO web_reveals VALUES")
    assert not SQL_TEXT.search("Select the alerts to dismiss") and not SQL_CALLS.search("names.count_of(x)")


def imports_of(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


def test_nothing_below_the_dashboard_imports_it() -> None:
    wrong = {
        f"{path.relative_to(PACKAGE.parent)}: {name}"
        for package in BELOW_WEB
        for path in (PACKAGE / package).rglob("*.py")
        for name in imports_of(path)
        if name == "molehunt.web" or name.startswith("molehunt.web.")
    }
    assert not wrong, f"only the CLI may import molehunt.web: {sorted(wrong)}"
