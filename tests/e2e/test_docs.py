"""Docs cannot drift: README's commands are the ones CI runs, and every CLI command is documented."""

from __future__ import annotations

import re
from pathlib import Path

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


def test_every_command_and_option_is_documented() -> None:
    command = typer.main.get_command(app)
    assert isinstance(command, typer.core.TyperGroup)
    for param in command.params:  # global options
        for opt in getattr(param, "opts", []):
            if opt.startswith("--") and opt != "--help":
                assert opt in README, f"global option {opt} is not in README"
    for name, sub in command.commands.items():
        assert f"molehunt {name}" in README, f"`molehunt {name}` is not in README"
        for param in sub.params:
            for opt in getattr(param, "opts", []):
                if opt.startswith("--") and opt != "--help":
                    assert opt in README, f"option {opt} of `molehunt {name}` is not in README"


def test_makefile_targets_exist() -> None:
    makefile = (ROOT / "Makefile").read_text()
    for target in ("demo", "test"):
        assert re.search(rf"^{target}:", makefile, re.M)
