"""Every number and day option that --help lists, given garbage, is a usage error naming the option: exit 2 and no
traceback, before any work (issue 17). The options are found by walking the command tree, so a new one is covered."""

from __future__ import annotations

from collections.abc import Iterator
from enum import Enum
from pathlib import Path
from typing import Any, get_args, get_origin

import pytest
import typer
from typer.testing import CliRunner

from molehunt.cli import app

runner = CliRunner()
DAY_HINT = "YYYY-MM-DD"


# Typer carries its own copy of Click: its classes are told apart by what they have, not by importing them.
def _commands(group: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Any]]:
    for name, command in sorted(group.commands.items()):
        if hasattr(command, "commands"):
            yield from _commands(command, (*path, name))
        else:
            yield (*path, name), command


def _annotation(param: Any) -> Any:
    found = param.type_descriptor.annotation
    return (get_args(found) or (found,))[0] if get_origin(found) is list else found


def _is_number(param: Any) -> bool:
    return _annotation(param) in (int, float)


def _is_option(param: Any) -> bool:
    return bool(param.param_type_name == "option")


def _filler(param: Any) -> list[str]:
    """Plausible values for the other required parameters, so only the one under test is wrong."""
    if not param.required:
        return []
    value = "1" if _is_number(param) else "x"
    if isinstance(_annotation(param), type) and issubclass(_annotation(param), Enum):
        value = str(next(iter(_annotation(param))).value)
    return [param.opts[0], value] if _is_option(param) else [value]


def _cases() -> Iterator[tuple[str, list[str], str]]:
    root = typer.main.get_command(app)
    for path, command in _commands(root):
        for param in command.params:
            number = _is_number(param)
            day = _is_option(param) and DAY_HINT in (param.help or "")
            if not (number or day):
                continue
            bad = ["abc", "-1"] if number else ["abc", "2010-13-45"]
            for value in bad:
                args = [*path]
                for other in command.params:
                    if other is not param:
                        args += _filler(other)
                name = param.opts[0] if _is_option(param) else (param.metavar or param.name or "")
                args += [param.opts[0], value] if _is_option(param) else [value]
                yield " ".join([*path, name, value]), args, name


CASES = list(_cases())


def test_the_walk_finds_the_options_the_issue_names() -> None:
    found = {case[0] for case in CASES}
    expected = {
        "alerts --limit -1", "alerts --day 2010-13-45", "audit ls --since 2010-13-45", "audit ls --limit abc",
        "score --since abc", "synth --seed -1", "vault decoy --count -1", "demo --seed -1",
    }  # fmt: skip
    assert expected <= found


@pytest.mark.parametrize(("label", "args", "name"), CASES, ids=[case[0] for case in CASES])
def test_a_bad_number_or_day_is_a_usage_error(tmp_path: Path, label: str, args: list[str], name: str) -> None:
    home = tmp_path / "home"
    result = runner.invoke(app, ["--home", str(home), *args], env={"COLUMNS": "200"})
    said = " ".join(result.output.split())
    assert result.exit_code == 2, said
    assert "Traceback" not in said and (result.exception is None or isinstance(result.exception, SystemExit)), said
    assert name.strip("-").lower() in said.lower(), said  # the error names the option, not another problem
    assert not (home / "molehunt.duckdb").exists() and not (home / "audit").exists()  # refused before any work
