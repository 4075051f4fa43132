"""The dashboard is a thin layer: routes parse, call the workbench and render. No SQL lives in molehunt/web (which
layer may import which is tests/test_architecture.py's job)."""

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
