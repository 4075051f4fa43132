"""The `molehunt` command: thin wrappers over the library, one function per command."""

from __future__ import annotations

import json
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from molehunt import __version__
from molehunt.audit.cli import audit_app
from molehunt.config import Home, resolve_home
from molehunt.ingest import READERS, ingest
from molehunt.report.reveal import Reveal
from molehunt.store import open_store
from molehunt.store.summary import quarantined_rows, summarize
from molehunt.trace.cli import trace_command
from molehunt.ui import (
    RichProgress,
    alerts_table,
    evaluation_table,
    exit_on_errors,
    ingest_table,
    out,
    quarantine_table,
    summary_table,
    synth_table,
)
from molehunt.vault.cli import app as vault_app
from molehunt.web.cli import serve_command, user_app

app = typer.Typer(
    help="molehunt: protect, detect and trace insider theft of sensitive documents.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.add_typer(audit_app, name="audit")
app.add_typer(vault_app, name="vault")
app.add_typer(user_app, name="user")


class Release(StrEnum):
    r42 = "r4.2"
    r62 = "r6.2"


def _home(ctx: typer.Context) -> Home:
    home: Home = ctx.obj
    return home


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
    directory: Annotated[
        Path,
        typer.Argument(
            help="What to ingest: cert, a folder (logon.csv, ..., LDAP/, answers/); ocsf, a JSON-lines file or a "
            "folder of them; hr, one CSV file.",
        ),
    ],
    source: Annotated[str, typer.Option(help=f"Input format: {', '.join(sorted(READERS))}.")] = "cert",
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
    with (
        exit_on_errors(),
        open_store(_home(ctx).ensure().store_path) as store,
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

    with exit_on_errors(), RichProgress() as bar:
        try:
            config = SynthConfig(
                users=users,
                days=days,
                seed=seed,
                release=release.value,
                start=date.fromisoformat(start),
                profile=profile,
                departures_known=False if departures_unknown else None,
            )
        except ValueError as exc:
            raise typer.BadParameter(str(exc)) from exc
        result = generate(config, out_dir, progress=bar.stage)
    if profile is not None:
        out.print(config.character.describe())
    out.print(synth_table(result.out_dir, result.counts))
    out.print(f"{len(result.insiders)} insiders planted (ground truth in answers/).")


@app.command("status")
def status_command(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
) -> None:
    """Summarize what the store holds."""
    with exit_on_errors(), open_store(_home(ctx).store_path, read_only=True) as store:
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
    with exit_on_errors(), open_store(_home(ctx).store_path, read_only=True) as store:
        rows = quarantined_rows(store, limit=limit, path=str(Path(file).resolve()) if file else None)
    if as_json:
        out.print_json(json.dumps(rows))
    else:
        out.print(quarantine_table(rows))


def _day(value: str | None, option: str) -> date | None:
    """A YYYY-MM-DD option as a date (None when not given); a bad value is a usage error naming the option."""
    try:
        return date.fromisoformat(value) if value else None
    except ValueError as exc:
        raise typer.BadParameter(f"{value!r} is not a day; use YYYY-MM-DD", param_hint=option) from exc


def _store_path(ctx: typer.Context, store: Path | None) -> Path:
    return store if store is not None else _home(ctx).ensure().store_path


@app.command("score")
def score_command(
    ctx: typer.Context,
    directory: Annotated[Path | None, typer.Argument(help="Dataset folder to ingest first (optional).")] = None,
    out_file: Annotated[Path, typer.Option("--out", help="Write one row per user-day: user,day,score,reasons.")] = Path(
        "scores.csv"
    ),
    source: Annotated[str, typer.Option(help=f"Input format of DIR: {', '.join(sorted(READERS))}.")] = "cert",
    store: Annotated[Path | None, typer.Option(help="Store file to use instead of the home's.")] = None,
    since: Annotated[
        str | None,
        typer.Option(help="Score only days from YYYY-MM-DD on, reusing the cached history and model (daily use)."),
    ] = None,
    engine: Annotated[str, typer.Option(help="Where features, baselines and rules run: duckdb or spark.")] = "duckdb",
    lake: Annotated[
        Path | None, typer.Option(help="Spark: read this Parquet lake (molehunt export-parquet) instead of exporting.")
    ] = None,
    spark_master: Annotated[str | None, typer.Option(help="Spark: the master URL (default local[2]).")] = None,
    spark_conf: Annotated[list[str] | None, typer.Option(help="Spark: a KEY=VALUE Spark setting (repeatable).")] = None,
    fit_rows: Annotated[
        int | None,
        typer.Option(min=2, help="Spark: fit the anomaly model on at most N sampled user-days (default 1,000,000)."),
    ] = None,
) -> None:
    """Score every user-day (features, baselines, anomaly ensemble, scenario rules) and write the scores CSV."""
    from molehunt.engine import DEFAULT_FIT_ROWS, open_engine
    from molehunt.score import score_store, write_scores_csv

    first = _day(since, "--since")
    if fit_rows is not None and engine != "spark":
        raise typer.BadParameter(
            "applies to --engine spark only (DuckDB fits on every user-day)", param_hint="--fit-rows"
        )
    with (
        exit_on_errors(),
        open_store(_store_path(ctx, store)) as opened,
        open_engine(engine, lake=lake, master=spark_master, conf=spark_conf or ()) as runner,
        RichProgress() as bar,
    ):
        if directory is not None:
            ingest(opened, source, directory, progress=bar)
        run = score_store(opened, progress=bar, since=first, engine=runner, fit_rows=fit_rows or DEFAULT_FIT_ROWS)
        written = write_scores_csv(opened, out_file)
    out.print(
        f"Scored {run.user_days:,} user-days of {run.users:,} users ({run.rule_hits:,} rule hits); "
        f"wrote {written:,} rows to {out_file}"
    )


@app.command("eval")
def eval_command(
    ctx: typer.Context,
    directory: Annotated[
        Path | None, typer.Argument(help="Dataset folder whose answers/ to use (ingested if new).")
    ] = None,
    scores: Annotated[Path, typer.Option(help="Scores CSV written by `molehunt score`.")] = Path("scores.csv"),
    dataset: Annotated[str | None, typer.Option(help="Release of the answers when the store holds several.")] = None,
    store: Annotated[Path | None, typer.Option(help="Store file to use instead of the home's.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
) -> None:
    """Measure a scoring against the ground truth in answers/ (AUCs, recall at a budget, detection delay)."""
    from molehunt.evaluate import evaluate, read_scores, truth_from_store

    with exit_on_errors(), open_store(_store_path(ctx, store)) as opened:
        if directory is not None:
            with RichProgress(enabled=not as_json) as bar:
                ingest(opened, "cert", directory, progress=bar)
        result = evaluate(read_scores(scores), truth_from_store(opened, dataset))
    if as_json:
        out.print_json(json.dumps(result.to_json()))
    else:
        out.print(evaluation_table(result))


@app.command("alerts")
def alerts_command(
    ctx: typer.Context,
    day: Annotated[str | None, typer.Option(help="Day to show, YYYY-MM-DD (default: the latest scored day).")] = None,
    limit: Annotated[int, typer.Option(help="Show at most this many alerts.")] = 20,
    store: Annotated[Path | None, typer.Option(help="Store file to use instead of the home's.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
) -> None:
    """Ranked alerts of a day with the reasons behind each score."""
    from molehunt.detect.alerts import alerts_for

    chosen = _day(day, "--day")
    with exit_on_errors(), open_store(store or _home(ctx).store_path, read_only=True) as opened:
        shown_day, alerts = alerts_for(opened, chosen, limit)
    if as_json:
        out.print_json(json.dumps({"day": shown_day.isoformat(), "alerts": [a.to_json() for a in alerts]}))
    else:
        out.print(alerts_table(f"Alerts for {shown_day}", alerts))


@app.command("report")
def report_command(
    ctx: typer.Context,
    out_file: Annotated[
        Path | None, typer.Option("--out", help="HTML file to write (default: HOME/report.html).")
    ] = None,
    top: Annotated[int, typer.Option(min=1, help="Report on this many users, by their peak daily risk.")] = 10,
    names: Annotated[
        bool, typer.Option("--names", help="Show real user ids instead of pseudonyms (needs --reason; audited).")
    ] = False,
    reason: Annotated[str | None, typer.Option(help="Why real ids are needed; recorded in the audit log.")] = None,
    dataset: Annotated[str | None, typer.Option(help="Release of the answers when the store holds several.")] = None,
) -> None:
    """Write the offline HTML report: top alerts, each user's risk timeline and activity heatmap, the evaluation."""
    from molehunt.report import analyst_report

    reveal = _reveal(names, reason)
    with exit_on_errors():
        written = analyst_report(_home(ctx), out_file, top=top, reveal=reveal, release=dataset)
    out.print(f"Wrote {written}" + (" (real user ids shown; recorded in the audit log)" if reveal else ""))


def _reveal(names: bool, reason: str | None) -> Reveal | None:
    """--names and --reason as a Reveal (the operating-system user and the reason), or None for pseudonyms."""
    import getpass

    if names and not (reason and reason.strip()):
        raise typer.BadParameter("--names shows real identities: say why with --reason TEXT", param_hint="--reason")
    if reason is not None and not names:
        raise typer.BadParameter("--reason only goes with --names", param_hint="--reason")
    return Reveal(getpass.getuser(), reason) if names and reason else None


class ExportFormatOption(StrEnum):
    ocsf = "ocsf"
    csv = "csv"


@app.command("export-parquet")
def export_parquet_command(
    ctx: typer.Context,
    out_dir: Annotated[
        Path, typer.Option("--out", help="Directory of the Parquet lake to write (replaced if a lake).")
    ],
    store: Annotated[Path | None, typer.Option(help="Store file to use instead of the home's.")] = None,
) -> None:
    """Write the store's events (partitioned by day) and the side tables the features read as a Parquet lake."""
    from molehunt.engine.lake import export_parquet

    with exit_on_errors(), open_store(_store_path(ctx, store), read_only=True) as opened:
        lake = export_parquet(opened, out_dir)
    out.print(f"Wrote {lake.events:,} events by day and {', '.join(lake.tables)} to {lake.root}")


@app.command("export-alerts")
def export_alerts_command(
    ctx: typer.Context,
    out_file: Annotated[Path, typer.Option("--out", help="File to write (replaced atomically, mode 0600).")],
    fmt: Annotated[
        ExportFormatOption,
        typer.Option("--format", help="ocsf: OCSF 1.1 Detection Finding JSON lines; csv: one row per alert."),
    ] = ExportFormatOption.ocsf,
    day: Annotated[str | None, typer.Option(help="Only this day, YYYY-MM-DD.")] = None,
    since: Annotated[str | None, typer.Option(help="Only days from YYYY-MM-DD on.")] = None,
    top: Annotated[
        int | None,
        typer.Option(min=1, help="The N riskiest user-days of the period instead of the top 1% of all user-days."),
    ] = None,
    names: Annotated[
        bool, typer.Option("--names", help="Show real user ids instead of pseudonyms (needs --reason; audited).")
    ] = False,
    reason: Annotated[str | None, typer.Option(help="Why real ids are needed; recorded in the audit log.")] = None,
    store: Annotated[Path | None, typer.Option(help="Store file to use instead of the home's.")] = None,
) -> None:
    """Export alerts for a SIEM: one OCSF Detection Finding (or CSV row) per alerted user-day, pseudonymized."""
    from molehunt.report.siem import ExportFormat, Selection, export_alerts

    chosen = (_day(day, "--day"), _day(since, "--since"))
    reveal = _reveal(names, reason)
    with exit_on_errors():
        selection = Selection(day=chosen[0], since=chosen[1], top=top)
        done = export_alerts(_home(ctx), out_file, ExportFormat(fmt.value), selection, reveal=reveal, store_path=store)
    shown = " (real user ids shown; recorded in the audit log)" if done.revealed else ""
    out.print(f"Wrote {done.findings:,} alerts to {done.path}{shown}")


@app.command("watch")
def watch_command(
    ctx: typer.Context,
    directory: Annotated[
        Path,
        typer.Argument(metavar="DIR", help="Folder that deliveries land in: one sub-folder (or file) per delivery."),
    ],
    source: Annotated[str, typer.Option(help=f"Format of the deliveries: {', '.join(sorted(READERS))}.")] = "cert",
    interval: Annotated[float, typer.Option(min=1, help="Seconds between two looks at the folder.")] = 300.0,
    once: Annotated[
        bool, typer.Option("--once", help="Look once and exit (for cron); exit 1 if a delivery was refused.")
    ] = False,
) -> None:
    """Ingest each new delivery in DIR and score only the new days; rerunning is safe. Ctrl-C stops between cycles."""
    from collections.abc import Callable

    from molehunt.watch import Cycle, describe, stop_on_interrupt, watch, watch_once

    home = _home(ctx).ensure()

    def cycle(skip: Callable[[Path], bool] | None = None) -> Cycle:
        with open_store(home.store_path) as opened, RichProgress() as bar:
            return watch_once(opened, directory, source=source, progress=bar, skip=skip)

    def show(done: Cycle) -> None:
        out.print("\n".join(describe(done, directory)), soft_wrap=True)

    with exit_on_errors():
        if once:
            done = cycle()
            show(done)
            if done.refused:
                raise typer.Exit(1)
            return
        out.print(f"Watching {directory} every {interval:g} s; Ctrl-C stops after the current cycle.")
        with stop_on_interrupt(lambda: out.print("Stopping after this cycle (Ctrl-C again stops at once).")) as stop:
            watch(
                cycle, interval=interval, stop=stop, on_cycle=lambda c: None if c.idle else show(c),
                on_error=lambda exc: out.print(f"warning: {exc}; trying again in {interval:g} s", soft_wrap=True),
            )  # fmt: skip
    out.print("Stopped.")


@app.command("demo")
def demo_command(
    ctx: typer.Context,
    users: Annotated[int | None, typer.Option(help="People to simulate (default 250).")] = None,
    days: Annotated[int | None, typer.Option(help="Days to simulate (default 180).")] = None,
    seed: Annotated[int | None, typer.Option(help="Random seed (default 42).")] = None,
) -> None:
    """Simulate an organization, ingest and score it, show the top suspects and the evaluation (README's first step)."""
    from dataclasses import replace

    from molehunt.demo import DEFAULT_DEMO, run_demo

    home = _home(ctx)
    with exit_on_errors():
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
    out.print(alerts_table("Top suspects (each at their riskiest day; pseudonymous CERT-style ids)", result.suspects))
    out.print(evaluation_table(result.evaluation))
    out.print(
        f"Store: {home.store_path}\nSimulated data: {result.data_dir}\nScores: {result.scores_csv}\n"
        f"Report (pseudonymized, opens offline in any browser): {result.report}\n"
        "Dashboard: `molehunt user add NAME --role analyst`, then `molehunt serve`.\n"
        "Next: `molehunt alerts` for the latest day, `molehunt eval --scores ...`, `molehunt status`, or your own "
        "CERT directory with `molehunt score DIR --out scores.csv`."
    )


app.command("serve")(serve_command)
app.command("trace")(trace_command)
