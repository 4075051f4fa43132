"""Data in: `molehunt ingest`, `synth`, `status`, `quarantine` and `export-parquet`."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from molehunt.cli.options import SOURCES, day_of, home_of, read_store, store_path_of
from molehunt.cli.ui import (
    RichProgress,
    exit_on_errors,
    ingest_table,
    out,
    quarantine_table,
    summary_table,
    synth_table,
)


class Release(StrEnum):
    r42 = "r4.2"
    r62 = "r6.2"


def ingest_command(
    ctx: typer.Context,
    directory: Annotated[
        Path,
        typer.Argument(
            help="What to ingest: cert, a folder (logon.csv, ..., LDAP/, answers/); ocsf, a JSON-lines file or a "
            "folder of them; hr, one CSV file.",
        ),
    ],
    source: Annotated[str, typer.Option(help=f"Input format: {', '.join(SOURCES)}.")] = "cert",
    strict: Annotated[bool, typer.Option(help="Fail on the first malformed row instead of quarantining it.")] = False,
    only: Annotated[
        str | None, typer.Option(help="cert only: comma-separated kinds to ingest, e.g. logon,device,ldap.")
    ] = None,
    internal_domain: Annotated[
        list[str] | None,
        typer.Option(help="E-mail domain counted as internal (repeatable; default: the directory's domains)."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the per-file summary as JSON.")] = False,
) -> None:
    """Ingest a dataset into the store: transactional per file, idempotent by content hash."""
    from molehunt.ingest import ingest
    from molehunt.store import open_store, publish

    with (
        exit_on_errors(),
        open_store(home_of(ctx).ensure().store_path) as store,
        RichProgress(enabled=not as_json) as bar,
    ):
        report = ingest(
            store,
            source,
            directory,
            strict=strict,
            only=set(only.split(",")) if only else None,
            internal=internal_domain or None,
            progress=bar,
        )
        publish(store)  # a running dashboard sees the new events
    if as_json:
        out.print_json(json.dumps(report.to_json()))
    else:
        out.print(ingest_table(report), soft_wrap=False)


def synth_command(
    out_dir: Annotated[Path, typer.Option("--out", help="Folder to write the CERT-format dataset into.")],
    users: Annotated[int, typer.Option(help="Number of people in the organization.")] = 200,
    days: Annotated[int, typer.Option(help="Number of days to simulate.")] = 180,
    seed: Annotated[int, typer.Option(help="Random seed; the same seed writes the same bytes.")] = 1,
    release: Annotated[Release, typer.Option(help="CERT release format to write.")] = Release.r62,
    start: Annotated[str, typer.Option(help="First simulated day, YYYY-MM-DD.")] = "2010-01-04",
    profile: Annotated[
        int | None,
        typer.Option(
            help="Organization profile number (1 or more): draws how common and how strong each benign confounder "
            "is, habits per role, the insiders' intensity and whether departures are on record. Without it, the "
            "baseline simulator."
        ),
    ] = None,
    departures_unknown: Annotated[
        bool,
        typer.Option(
            "--departures-unknown",
            help="The directory does not yet show departures (leavers stay in every LDAP snapshot) and hr/hr.csv "
            "has no notice or last days; the activity files are the same bytes.",
        ),
    ] = False,
) -> None:
    """Simulate an organization with insiders and write it as a CERT-format directory (answers/ and an HR export in
    hr/hr.csv included)."""
    from molehunt.synth import SynthConfig, generate

    first = day_of(start, "--start")
    assert first is not None  # the option has a default
    with exit_on_errors(), RichProgress() as bar:
        try:
            config = SynthConfig(
                users=users,
                days=days,
                seed=seed,
                release=release.value,
                start=first,
                profile=profile,
                departures_known=False if departures_unknown else None,
            )
        except ValueError as exc:
            raise typer.BadParameter(str(exc)) from exc
        result = generate(config, out_dir, progress=bar.stage)
    if profile is not None:
        out.print(config.character.describe())
    out.print(synth_table(result.out_dir, result.counts), soft_wrap=False)
    out.print(f"{len(result.insiders)} insiders planted (ground truth in answers/).")


def status_command(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
) -> None:
    """Summarize what the store holds."""
    from molehunt.store.summary import summarize

    with exit_on_errors(), read_store(home_of(ctx).store_path) as store:
        summary = summarize(store)
    if as_json:
        out.print_json(json.dumps(summary.to_json()))
    else:
        out.print(summary_table(summary), soft_wrap=False)


def quarantine_command(
    ctx: typer.Context,
    limit: Annotated[int, typer.Option(min=1, help="Show at most this many rows.")] = 50,
    file: Annotated[str | None, typer.Option(help="Only rows from this ingested file path.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
) -> None:
    """List quarantined rows: file, line, reason and the raw text."""
    from molehunt.store.summary import quarantined_rows

    with exit_on_errors(), read_store(home_of(ctx).store_path) as store:
        rows = quarantined_rows(store, limit=limit, path=str(Path(file).resolve()) if file else None)
    if as_json:
        out.print_json(json.dumps(rows))
    elif not rows:
        out.print("No quarantined rows" + (" from that file." if file else "."), highlight=False)
    else:
        out.print(quarantine_table(rows), soft_wrap=False)


def export_parquet_command(
    ctx: typer.Context,
    out_dir: Annotated[
        Path, typer.Option("--out", help="Directory of the Parquet lake to write (replaced if a lake).")
    ],
    store: Annotated[Path | None, typer.Option(help="Store file to use instead of the home's.")] = None,
) -> None:
    """Write the store's events (partitioned by day) and the side tables the features read as a Parquet lake."""
    from molehunt.engine.lake import export_parquet
    from molehunt.store import open_store

    with exit_on_errors(), open_store(store_path_of(ctx, store), read_only=True) as opened:
        lake = export_parquet(opened, out_dir)
    out.print(f"Wrote {lake.events:,} events by day and {', '.join(lake.tables)} to {lake.root}")
