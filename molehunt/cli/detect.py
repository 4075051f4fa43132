"""Detection: `molehunt score`, `eval`, `alerts`, `watch` and `demo`."""

from __future__ import annotations

import json
import shlex
import shutil
import sys
from pathlib import Path
from typing import Annotated

import typer

from molehunt.cli.options import (
    NAMES_HELP,
    REASON_HELP,
    SOURCES,
    day_of,
    home_of,
    read_store,
    record_shown,
    reveal_of,
    store_path_of,
)
from molehunt.cli.ui import (
    RichProgress,
    alerts_table,
    evaluation_table,
    exit_on_errors,
    ingest_table,
    out,
    summary_table,
)
from molehunt.config import Home, resolve_home


def score_command(
    ctx: typer.Context,
    directory: Annotated[Path | None, typer.Argument(help="Dataset folder to ingest first (optional).")] = None,
    out_file: Annotated[Path, typer.Option("--out", help="Write one row per user-day: user,day,score,reasons.")] = Path(
        "scores.csv"
    ),
    source: Annotated[str, typer.Option(help=f"Input format of DIR: {', '.join(SOURCES)}.")] = "cert",
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
    from molehunt.ingest import ingest
    from molehunt.score import score_store, write_scores_csv
    from molehunt.store import open_store, publish

    first = day_of(since, "--since")
    if fit_rows is not None and engine != "spark":
        raise typer.BadParameter(
            "applies to --engine spark only (DuckDB fits on every user-day)", param_hint="--fit-rows"
        )
    with (
        exit_on_errors(),
        open_store(store_path_of(ctx, store)) as opened,
        open_engine(engine, lake=lake, master=spark_master, conf=spark_conf or ()) as runner,
        RichProgress() as bar,
    ):
        if directory is not None:
            ingest(opened, source, directory, progress=bar)
        run = score_store(opened, progress=bar, since=first, engine=runner, fit_rows=fit_rows or DEFAULT_FIT_ROWS)
        publish(opened)  # a running dashboard shows the new scores
        written = write_scores_csv(opened, out_file)
    out.print(
        f"Scored {run.user_days:,} user-days of {run.users:,} users ({run.rule_hits:,} rule hits); "
        f"wrote {written:,} rows to {out_file}"
    )


def eval_command(
    ctx: typer.Context,
    directory: Annotated[
        Path | None, typer.Argument(help="Dataset folder whose answers/ to use (ingested if new).")
    ] = None,
    scores: Annotated[
        Path | None,
        typer.Option(help="Scores CSV written by `molehunt score` (default ./scores.csv, else HOME/scores.csv)."),
    ] = None,
    dataset: Annotated[str | None, typer.Option(help="Release of the answers when the store holds several.")] = None,
    store: Annotated[Path | None, typer.Option(help="Store file to use instead of the home's.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
) -> None:
    """Measure a scoring against the ground truth in answers/ (AUCs, recall at a budget, detection delay)."""
    from molehunt.evaluate import evaluate, read_scores, truth_from_store
    from molehunt.ingest import ingest
    from molehunt.store import open_store

    with exit_on_errors(), open_store(store_path_of(ctx, store)) as opened:
        if directory is not None:
            with RichProgress(enabled=not as_json) as bar:
                ingest(opened, "cert", directory, progress=bar)
        result = evaluate(read_scores(scores or _default_scores(ctx)), truth_from_store(opened, dataset))
    if as_json:
        out.print_json(json.dumps(result.to_json()))
    else:
        out.print(evaluation_table(result), soft_wrap=False)


def _default_scores(ctx: typer.Context) -> Path:
    """./scores.csv (where `score` writes by default), else the home's (where `demo` writes it)."""
    here = Path("scores.csv")
    return here if here.exists() else home_of(ctx).root / "scores.csv"


def alerts_command(
    ctx: typer.Context,
    day: Annotated[str | None, typer.Option(help="Day to show, YYYY-MM-DD (default: the latest scored day).")] = None,
    limit: Annotated[int, typer.Option(min=1, help="Show at most this many alerts.")] = 20,
    store: Annotated[Path | None, typer.Option(help="Store file to use instead of the home's.")] = None,
    names: Annotated[bool, typer.Option("--names", help=NAMES_HELP)] = False,
    reason: Annotated[str | None, typer.Option(help=REASON_HELP)] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
) -> None:
    """Ranked alerts of a day with the reasons behind each score; people by pseudonym unless --names."""
    from dataclasses import replace

    from molehunt.detect.alerts import alerts_for, has_scores

    chosen, reveal = day_of(day, "--day"), reveal_of(names, reason)
    home = home_of(ctx)
    with exit_on_errors():
        with read_store(store or home.store_path) as opened:
            scored = has_scores(opened)
            shown_day, found = alerts_for(opened, chosen, limit) if scored else (None, [])
        person = record_shown(home, reveal, "alerts", [a.user_id for a in found])
    alerts = [replace(a, user_id=person(a.user_id)) for a in found]
    if as_json:
        shown = shown_day.isoformat() if shown_day else None
        out.print_json(json.dumps({"day": shown, "alerts": [a.to_json() for a in alerts]}))
    elif shown_day is None:
        out.print("No alerts: nothing is scored yet (run `molehunt score`, or `molehunt demo`).")
    elif not alerts:
        out.print(f"No alerts on {shown_day}: no user-day of it scored above 0.")
    else:
        out.print(alerts_table(f"Alerts for {shown_day}", alerts), soft_wrap=False)


def watch_command(
    ctx: typer.Context,
    directory: Annotated[
        Path,
        typer.Argument(metavar="DIR", help="Folder that deliveries land in: one sub-folder (or file) per delivery."),
    ],
    source: Annotated[str, typer.Option(help=f"Format of the deliveries: {', '.join(SOURCES)}.")] = "cert",
    interval: Annotated[float, typer.Option(min=1, help="Seconds between two looks at the folder.")] = 300.0,
    once: Annotated[
        bool, typer.Option("--once", help="Look once and exit (for cron); exit 1 if a delivery was refused.")
    ] = False,
) -> None:
    """Ingest each new delivery in DIR and score only the new days; rerunning is safe. Ctrl-C stops between cycles."""
    from collections.abc import Callable

    from molehunt.store import open_store
    from molehunt.watch import Cycle, describe, stop_on_interrupt, watch, watch_once

    home = home_of(ctx).ensure()

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


def demo_command(
    ctx: typer.Context,
    users: Annotated[int | None, typer.Option(min=20, help="People to simulate (default 250).")] = None,
    days: Annotated[int | None, typer.Option(min=30, help="Days to simulate (default 180).")] = None,
    seed: Annotated[int | None, typer.Option(min=0, help="Random seed (default 42).")] = None,
    names: Annotated[bool, typer.Option("--names", help=NAMES_HELP)] = False,
    reason: Annotated[str | None, typer.Option(help=REASON_HELP)] = None,
) -> None:
    """Simulate an organization, ingest and score it, show the top suspects and the evaluation (README's first step)."""
    from dataclasses import replace

    from molehunt.demo import DEFAULT_DEMO, run_demo

    home, reveal = home_of(ctx), reveal_of(names, reason)
    with exit_on_errors():
        config = replace(
            DEFAULT_DEMO,
            users=DEFAULT_DEMO.users if users is None else users,
            days=DEFAULT_DEMO.days if days is None else days,
            seed=DEFAULT_DEMO.seed if seed is None else seed,
        )
        with RichProgress() as bar:
            result = run_demo(home, config, progress=bar, synth_progress=bar.stage)
        person = record_shown(home, reveal, "demo", [a.user_id for a in result.suspects])
    suspects = [replace(a, user_id=person(a.user_id)) for a in result.suspects]
    out.print(ingest_table(result.ingest), soft_wrap=False)
    out.print(summary_table(result.summary), soft_wrap=False)
    kind = "real user ids (recorded in the audit log)" if reveal else "pseudonyms; --names --reason for real ids"
    out.print(alerts_table(f"Top suspects (each at their riskiest day; {kind})", suspects), soft_wrap=False)
    out.print(evaluation_table(result.evaluation), soft_wrap=False)
    run = _how_to_run(home)
    out.print(
        f"Store: {home.store_path}\nSimulated data: {result.data_dir}\nScores: {result.scores_csv}\n"
        f"Report (pseudonymized, opens offline in any browser): {result.report}\n"
        f"Dashboard: `{run} user add NAME --role analyst`, then `{run} serve`.\n"
        f"Next: `{run} alerts` for the latest day, `{run} eval`, `{run} status`, or your own "
        f"CERT directory with `{run} score DIR --out scores.csv`."
    )


def _how_to_run(home: Home) -> str:
    """The command line that reaches this home from here: `molehunt` when it is on PATH, else the script as it was
    called (`.venv/bin/molehunt` after `make demo`), with --home unless it is the one found without it."""
    program = (
        "molehunt" if shutil.which("molehunt") else (sys.argv[0] if sys.argv[0].endswith("molehunt") else "molehunt")
    )
    same = resolve_home().root.resolve() == home.root.resolve()
    return program if same else f"{program} --home {shlex.quote(str(home.root))}"
