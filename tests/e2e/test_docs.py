"""Docs cannot drift: README's commands are the ones CI runs, and every CLI command (those inside command groups
included) has a row in README's Commands table that names each of its options."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import typer

from molehunt.cli import app

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text()


def readme_setup_commands() -> list[str]:
    block = re.search(r"```sh\n(.*?)```", README, re.S)
    assert block, "README must open with a ```sh block"
    return [line.split("#")[0].strip() for line in block.group(1).splitlines() if line.strip()]


def test_readme_opens_with_exactly_two_setup_commands() -> None:
    assert README.index("```sh") < README.index("##"), "the set-up commands come before any section"
    assert readme_setup_commands() == ["make demo", "make test"]


def test_ci_runs_the_readme_test_command_verbatim() -> None:
    ci = (ROOT / ".ci" / "run").read_text().splitlines()
    test_command = readme_setup_commands()[1]
    assert test_command in [line.strip() for line in ci if not line.strip().startswith("#")]


def commands(group: typer.core.TyperGroup, path: str = "molehunt") -> Iterator[tuple[str, Any]]:
    """(`molehunt audit verify`, its click command) for every command, inside command groups too."""
    for name, sub in group.commands.items():
        yield f"{path} {name}", sub
        if isinstance(sub, typer.core.TyperGroup):
            yield from commands(sub, f"{path} {name}")


def table_rows() -> list[str]:
    """The command cells of README's Commands table, e.g. `molehunt audit verify [--against FILE] [--json]`."""
    section = README.split("\n## Commands\n", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"^\| `(molehunt[^`]*)` \|", section, re.M)


def options(command: Any) -> list[str]:
    return [o for p in command.params for o in getattr(p, "opts", []) if o.startswith("--") and o != "--help"]


def test_every_command_and_option_is_documented() -> None:
    root = typer.main.get_command(app)
    assert isinstance(root, typer.core.TyperGroup)
    for opt in options(root):  # global options
        assert opt in README, f"global option {opt} is not in README"
    rows = table_rows()
    for path, command in commands(root):
        own = [row for row in rows if row == path or row.startswith(f"{path} ")]
        assert own, f"`{path}` has no row in README's Commands table"
        for opt in options(command):
            assert any(re.search(rf"{re.escape(opt)}(?![\w-])", row) for row in own), (
                f"option {opt} of `{path}` is not in its row of README's Commands table"
            )


def test_makefile_targets_exist() -> None:
    makefile = (ROOT / "Makefile").read_text()
    for target in ("demo", "test"):
        assert re.search(rf"^{target}:", makefile, re.M)
