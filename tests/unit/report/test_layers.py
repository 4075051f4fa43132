"""The report sits below the workbench and the dashboard: nothing in molehunt/report imports them."""

from __future__ import annotations

import ast
from pathlib import Path

import molehunt.report

ABOVE = ("molehunt.workbench", "molehunt.web", "molehunt.cli")


def imported(path: Path) -> set[str]:
    """Every module a source file imports (absolute names; relative imports are not used in molehunt)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


def test_report_imports_nothing_above_it() -> None:
    package = Path(molehunt.report.__file__).parent
    wrong = {
        f"{path.relative_to(package)}: {name}"
        for path in package.rglob("*.py")
        for name in imported(path)
        if any(name == top or name.startswith(top + ".") for top in ABOVE)
    }
    assert not wrong, f"molehunt.report must not import the workbench, the dashboard or the CLI: {sorted(wrong)}"
