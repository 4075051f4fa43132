"""The `molehunt` command: thin wrappers over the library, one function per command."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import duckdb
import typer

from molehunt import __version__
from molehunt.config import Home, resolve_home
from molehunt.errors import MolehuntError
from molehunt.ingest import READERS, ingest
from molehunt.store import open_store
from molehunt.store.summary import quarantined_rows, summarize
from molehunt.ui import RichProgress, console, ingest_table, out, quarantine_table, summary_table, synth_table

app = typer.Typer(
    help="molehunt: protect, detect and trace insider theft of sensitive documents.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


class Release(StrEnum):
    r42 = "r4.2"
    r62 = "r6.2"


def _home(ctx: typer.Context) -> Home:
    home: Home = ctx.obj
    return home


@contextmanager
def _errors() -> Iterator[None]:
    """MolehuntError -> one red line on stderr and exit code 2; everything else is a bug and shows a trace."""
    try:
        yield
    except MolehuntError as exc:
        console.print(f"[bold red]error:[/] {exc}", highlight=False, soft_wrap=True)
        raise typer.Exit(2) from exc
    except (KeyboardInterrupt, duckdb.InterruptException):
        console.print("[yellow]interrupted: the file being ingested was rolled back; the store is as before[/]")
        raise typer.Exit(130) from None


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
    ctx.obj = resolve_home(home)


@app.command("ingest")
def ingest_command(
    ctx: typer.Context,
    directory: Annotated[Path, typer.Argument(help="Folder to ingest (for cert: logon.csv, ..., LDAP/, answers/).")],
    source: Annotated[str, typer.Option(help=f"Input format: {', '.join(sorted(READERS))}.")] = "cert",
    strict: Annotated[bool, typer.Option(help="Fail on the first malformed row instead of quarantining it.")] = False,
    only: Annotated[str | None, typer.Option(help="Comma-separated kinds to ingest, e.g. logon,device,ldap.")] = None,
    internal_domain: Annotated[
        list[str] | None,
        typer.Option(help="E-mail domain counted as internal (repeatable; default: the directory's domains)."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the per-file summary as JSON.")] = False,
) -> None:
    """Ingest a dataset into the store: transactional per file, idempotent by content hash."""
    with _errors(), open_store(_home(ctx).ensure().store_path) as store, RichProgress(enabled=not as_json) as bar:
        report = ingest(
            store,
            source,
            directory,
            strict=strict,
            only=set(only.split(",")) if only else None,
            internal=internal_domain or None,
            progress=bar,
        )
    if as_json:
        out.print_json(json.dumps(report.to_json()))
    else:
        out.print(ingest_table(report))


@app.command("synth")
def synth_command(
    out_dir: Annotated[Path, typer.Option("--out", help="Folder to write the CERT-format dataset into.")],
    users: Annotated[int, typer.Option(help="Number of people in the organization.")] = 200,
    days: Annotated[int, typer.Option(help="Number of days to simulate.")] = 180,
    seed: Annotated[int, typer.Option(help="Random seed; the same seed writes the same bytes.")] = 1,
    release: Annotated[Release, typer.Option(help="CERT release format to write.")] = Release.r62,
    start: Annotated[str, typer.Option(help="First simulated day, YYYY-MM-DD.")] = "2010-01-04",
) -> None:
    """Simulate an organization with insiders and write it as a CERT-format directory (answers/ included)."""
    from molehunt.synth import SynthConfig, generate

    with _errors(), RichProgress() as bar:
        try:
            config = SynthConfig(
                users=users, days=days, seed=seed, release=release.value, start=date.fromisoformat(start)
            )
        except ValueError as exc:
            raise typer.BadParameter(str(exc)) from exc
        result = generate(config, out_dir, progress=bar.stage)
    out.print(synth_table(result.out_dir, result.counts))
    out.print(f"{len(result.insiders)} insiders planted (ground truth in answers/).")


@app.command("status")
def status_command(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
) -> None:
    """Summarize what the store holds."""
    with _errors(), open_store(_home(ctx).store_path, read_only=True) as store:
        summary = summarize(store)
    if as_json:
        out.print_json(json.dumps(summary.to_json()))
    else:
        out.print(summary_table(summary))


@app.command("quarantine")
def quarantine_command(
    ctx: typer.Context,
    limit: Annotated[int, typer.Option(help="Show at most this many rows.")] = 50,
    file: Annotated[str | None, typer.Option(help="Only rows from this ingested file path.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
) -> None:
    """List quarantined rows: file, line, reason and the raw text."""
    with _errors(), open_store(_home(ctx).store_path, read_only=True) as store:
        rows = quarantined_rows(store, limit=limit, path=str(Path(file).resolve()) if file else None)
    if as_json:
        out.print_json(json.dumps(rows))
    else:
        out.print(quarantine_table(rows))


@app.command("demo")
def demo_command(
    ctx: typer.Context,
    users: Annotated[int | None, typer.Option(help="People to simulate (default 250).")] = None,
    days: Annotated[int | None, typer.Option(help="Days to simulate (default 180).")] = None,
    seed: Annotated[int | None, typer.Option(help="Random seed (default 42).")] = None,
) -> None:
    """Simulate an organization, ingest it and summarize the store (the README's first command)."""
    from dataclasses import replace

    from molehunt.demo import DEFAULT_DEMO, run_demo

    home = _home(ctx)
    with _errors():
        config = replace(
            DEFAULT_DEMO,
            users=DEFAULT_DEMO.users if users is None else users,
            days=DEFAULT_DEMO.days if days is None else days,
            seed=DEFAULT_DEMO.seed if seed is None else seed,
        )
        with RichProgress() as bar:
            result = run_demo(home, config, progress=bar, synth_progress=bar.stage)
    out.print(ingest_table(result.ingest))
    out.print(summary_table(result.summary))
    out.print(
        f"Store: {home.store_path}\nSimulated data: {result.data_dir}\n"
        "Next: `molehunt status`, `molehunt quarantine`, or ingest your own CERT directory with "
        "`molehunt ingest --source cert DIR`."
    )
