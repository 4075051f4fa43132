"""Dependencies point one way: the whiteboard in docs/architecture.md, checked over every import in molehunt/.

Every `import` counts, at the top of a module or inside a function (lazy) or under TYPE_CHECKING. A unit is a
top-level package or module of molehunt (`detect`, `score`, ...; `__init__` is molehunt/__init__.py itself).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from itertools import pairwise
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "molehunt"
WHITEBOARD = ROOT / "docs" / "architecture.md"

# Top to bottom. A unit may import units on lower rows only; the units of one row are independent of each other.
LAYERS: tuple[tuple[str, ...], ...] = (
    ("cli",),
    ("web",),
    ("demo", "watch"),
    ("workbench",),
    ("report",),
    ("score", "vault"),
    ("engine", "audit", "trace", "protect"),
    ("detect", "evaluate", "ingest", "synth"),
    ("features",),
    ("opstore",),
    ("store", "pseudonyms", "config"),
    ("events", "keyfiles", "progress"),
    ("errors", "outputs", "clock", "__init__"),
)

# The faces: what the library never imports. Key: a module prefix; value: the only units that may import it.
FACES = {
    "molehunt.cli": {"cli"},
    "molehunt.web": {"cli", "web"},
    "typer": {"cli"},  # the command-line framework
    "rich": {"cli"},  # terminal rendering (molehunt.cli.ui draws with it)
}

# Leak tracing's codes and carriers know nothing of storage: not the vault, the store or the audit log.
TRACE_MAY_IMPORT = ("molehunt.trace", "molehunt.errors")

# Ground truth (the answers_* tables and the labelled_events view over them) appears in these files only.
GROUND_TRUTH = re.compile(r"\b(answers_\w+|labelled_events)\b")
GROUND_TRUTH_FILES = {
    "molehunt/evaluate.py": "reads it: the metrics",
    "molehunt/report/html.py": "asks whether the store holds any, to show the evaluation or say there are no labels",
    "molehunt/store/summary.py": "counts it for `molehunt status` (insiders and labelled events, no names)",
    "molehunt/store/schema.py": "defines the tables",
    "molehunt/ingest/answers.py": "writes it from answers/",
}
EVALUATE_IMPORTERS = {"cli", "demo", "report", "evaluate"}  # the metrics against ground truth


@dataclass(frozen=True)
class Import:
    path: str  # relative to the repository, e.g. molehunt/detect/scoring.py
    line: int
    source: str  # the importing unit
    target: str  # the imported module, absolute (molehunt.engine, rich.table, ...)

    def __str__(self) -> str:
        return f"{self.path}:{self.line} imports {self.target}"


def unit_of(module: str) -> str | None:
    """The molehunt unit a module belongs to (None outside molehunt): molehunt.detect.rules -> detect."""
    parts = module.split(".")
    if parts[0] != "molehunt":
        return None
    if len(parts) == 1:
        return "__init__"
    return parts[1]


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _targets(node: ast.Import | ast.ImportFrom, module: str, is_package: bool) -> Iterator[str]:
    if isinstance(node, ast.Import):
        yield from (alias.name for alias in node.names)
        return
    base = node.module or ""
    if node.level:  # relative: resolve against the importing module's package
        package = module.split(".") if is_package else module.split(".")[:-1]
        anchor = package[: len(package) - node.level + 1]
        base = ".".join([*anchor, *([node.module] if node.module else [])])
    yield base
    for alias in node.names:
        # `from molehunt import score` imports the module molehunt.score; `from molehunt import __version__` does not
        name = f"{base}.{alias.name}"
        relative = Path(*name.split("."))
        if (ROOT / relative).is_dir() or (ROOT / relative).with_suffix(".py").is_file():
            yield name


@cache
def imports() -> tuple[Import, ...]:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        module = _module_name(path)
        source = unit_of(module)
        assert source is not None
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                for target in _targets(node, module, path.name == "__init__.py"):
                    found.append(Import(str(path.relative_to(ROOT)), node.lineno, source, target))
    return tuple(found)


def units() -> set[str]:
    return {
        "__init__" if p.name == "__init__.py" else p.stem if p.is_file() else p.name
        for p in PACKAGE.iterdir()
        if (p.is_file() and p.suffix == ".py") or (p.is_dir() and any(p.glob("*.py")))
    }


def layer_of() -> dict[str, int]:
    return {unit: row for row, names in enumerate(LAYERS) for unit in names}


def edges() -> dict[tuple[str, str], list[Import]]:
    """Imports between two different units, grouped by (importer, imported)."""
    grouped: dict[tuple[str, str], list[Import]] = {}
    for found in imports():
        target = unit_of(found.target)
        if target is not None and target != found.source:
            grouped.setdefault((found.source, target), []).append(found)
    return grouped


def test_every_unit_is_on_the_whiteboard() -> None:
    placed = [unit for row in LAYERS for unit in row]
    assert len(placed) == len(set(placed)), "a unit is on two rows of LAYERS"
    assert units() == set(placed), (
        f"not on the whiteboard: {sorted(units() - set(placed))}; gone: {sorted(set(placed) - units())}. "
        "Place each unit in LAYERS here and in docs/architecture.md"
    )


def test_the_whiteboard_in_the_docs_is_the_one_checked() -> None:
    text = WHITEBOARD.read_text(encoding="utf-8")
    block = re.search(r"<!-- layers -->\n```text\n(.*?)```", text, re.DOTALL)
    assert block, "docs/architecture.md has no ```text block after <!-- layers -->"
    rows = tuple(
        tuple(unit.strip() for unit in line.split("#")[0].split("|"))
        for line in block.group(1).splitlines()
        if line.split("#")[0].strip()
    )
    assert rows == LAYERS, "docs/architecture.md and tests/test_architecture.py disagree on the layers"


def test_no_cycles_between_units() -> None:
    graph: dict[str, set[str]] = {}
    for source, target in edges():
        graph.setdefault(source, set()).add(target)
    cycles = {frozenset(cycle): cycle for start in sorted(graph) if (cycle := _path_back(graph, start))}
    lines = []
    for cycle in cycles.values():
        lines.append("  " + " -> ".join(cycle))
        lines += [f"    {edges()[(a, b)][0]}" for a, b in pairwise(cycle)]
    assert not cycles, "import cycles between units:\n" + "\n".join(lines)


def _path_back(graph: dict[str, set[str]], start: str) -> list[str] | None:
    """The shortest path start -> ... -> start, if any (breadth first)."""
    queue: list[list[str]] = [[start, nxt] for nxt in sorted(graph.get(start, ()))]
    seen: set[str] = set()
    while queue:
        path = queue.pop(0)
        if path[-1] == start:
            return path
        if path[-1] in seen:
            continue
        seen.add(path[-1])
        queue.extend([*path, nxt] for nxt in sorted(graph.get(path[-1], ())))
    return None


def test_imports_point_down_the_layers() -> None:
    row = layer_of()
    wrong = [
        f"{found}: {source} (row {row[source] + 1}) may not import {target} (row {row[target] + 1})"
        for (source, target), found_all in sorted(edges().items())
        if source in row and target in row and row[source] >= row[target]
        for found in found_all
    ]
    assert not wrong, "imports against the layers of docs/architecture.md:\n" + "\n".join(wrong)


def test_the_library_never_imports_the_faces() -> None:
    wrong = [
        f"{found}: only {', '.join(sorted(allowed))} may import {face}"
        for found in imports()
        for face, allowed in FACES.items()
        if (found.target == face or found.target.startswith(face + ".")) and found.source not in allowed
    ]
    assert not wrong, "the library imports the CLI, the web app or terminal rendering:\n" + "\n".join(wrong)


def test_trace_knows_codes_and_carriers_not_the_vault() -> None:
    wrong = [
        str(found)
        for found in imports()
        if found.source == "trace"
        and unit_of(found.target) is not None
        and not any(found.target == allowed or found.target.startswith(allowed + ".") for allowed in TRACE_MAY_IMPORT)
    ]
    assert not wrong, f"molehunt.trace may import only {', '.join(TRACE_MAY_IMPORT)}:\n" + "\n".join(wrong)


def test_ground_truth_is_read_only_by_evaluation() -> None:
    wrong = []
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = str(path.relative_to(ROOT))
        if relative in GROUND_TRUTH_FILES:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                named = GROUND_TRUTH.search(node.value)
                if named:
                    wrong.append(f"{relative}:{node.lineno} names {named.group(0)}")
    wrong += [
        f"{found}: only {', '.join(sorted(EVALUATE_IMPORTERS))} may use the metrics against ground truth"
        for found in imports()
        if unit_of(found.target) == "evaluate" and found.source not in EVALUATE_IMPORTERS
    ]
    assert not wrong, "ground truth outside evaluation:\n" + "\n".join(wrong)
