"""Starting the CLI loads no heavy library: each command imports what it needs when it runs (issue 17)."""

from __future__ import annotations

import re
import subprocess
import sys

from typer.testing import CliRunner

from molehunt.cli import app
from molehunt.cli.options import SOURCES

HEAVY = ("sklearn", "scipy", "pyarrow", "matplotlib", "fpdf", "pypdf", "fastapi", "uvicorn", "cryptography")


def _loaded_after(code: str) -> list[str]:
    probe = f"import sys\n{code}\nprint('loaded:', *(m for m in {HEAVY!r} if m in sys.modules))"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return done.stdout.splitlines()[-1].split()[1:]


def test_importing_the_cli_loads_none_of_the_heavy_libraries() -> None:
    assert _loaded_after("import molehunt.cli") == []


def test_help_and_version_load_none_of_the_heavy_libraries() -> None:
    for args in (["--help"], ["--version"]):
        code = f"from molehunt.cli import app\ntry:\n    app({args!r})\nexcept SystemExit:\n    pass"
        assert _loaded_after(code) == [], args


def test_the_sources_named_in_help_are_the_registered_readers() -> None:
    from molehunt.ingest import READERS

    assert sorted(SOURCES) == sorted(READERS)
    shown = " ".join(CliRunner().invoke(app, ["ingest", "--help"], env={"COLUMNS": "200"}).output.split())
    assert f"Input format: {', '.join(SOURCES)}." in shown


def test_trace_help_states_the_design_bound_it_defaults_to() -> None:
    from molehunt.trace.marking import DESIGN_EPS

    shown = " ".join(CliRunner().invoke(app, ["trace", "--help"], env={"COLUMNS": "200"}).output.split())
    stated = re.search(r"design bound, ([0-9.e+-]+)\)", shown)
    assert stated and float(stated[1]) == DESIGN_EPS, shown
