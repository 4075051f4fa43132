"""The `molehunt` command: thin wrappers over the library, one function per command.

The root app and its callback live here; the commands live in one module per group (data, detect, report, audit,
vault, trace, web) and are registered below in the order `molehunt --help` lists them. Terminal rendering is
molehunt.cli.ui, which nothing outside this package imports (tests/test_architecture.py).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from molehunt import __version__
from molehunt.cli import data, detect, report
from molehunt.cli.audit import audit_app
from molehunt.cli.protect import app as protect_app
from molehunt.cli.trace import trace_command
from molehunt.cli.ui import exit_on_errors, out
from molehunt.cli.vault import app as vault_app
from molehunt.cli.web import serve_command, user_app
from molehunt.config import resolve_home
from molehunt.outputs import private_umask

app = typer.Typer(
    help="molehunt: protect, detect and trace insider theft of sensitive documents.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.add_typer(audit_app, name="audit")
app.add_typer(vault_app, name="vault")
app.add_typer(user_app, name="user")
app.add_typer(protect_app, name="protect")


def _version(value: bool) -> None:
    if value:
        out.print(f"molehunt {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    ctx: typer.Context,
    home: Annotated[
        Path | None,
        typer.Option(help="Home directory for all state (default: $MOLEHUNT_HOME or ./molehunt-data)."),
    ] = None,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    ctx.obj = chosen = resolve_home(home)
    private_umask()  # whatever this run creates (store, WAL, reports, simulated data) is the owner's alone
    with exit_on_errors():
        made_private = chosen.secure()
    if made_private:
        typer.echo(
            f"note: made {len(made_private)} files or folders under {chosen.root} private (they were readable by"
            f" group or others, e.g. {made_private[-1]})",
            err=True,
        )


app.command("ingest")(data.ingest_command)
app.command("synth")(data.synth_command)
app.command("status")(data.status_command)
app.command("quarantine")(data.quarantine_command)
app.command("score")(detect.score_command)
app.command("eval")(detect.eval_command)
app.command("alerts")(detect.alerts_command)
app.command("report")(report.report_command)
app.command("export-parquet")(data.export_parquet_command)
app.command("export-alerts")(report.export_alerts_command)
app.command("watch")(detect.watch_command)
app.command("demo")(detect.demo_command)
app.command("serve")(serve_command)
app.command("trace")(trace_command)
