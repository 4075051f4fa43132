"""Reports out: `molehunt report` (the offline HTML report) and `export-alerts` (alerts for a SIEM)."""

from __future__ import annotations

from contextlib import closing
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from molehunt.cli.options import day_of, home_of, reveal_of
from molehunt.cli.ui import exit_on_errors, out


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

    reveal = reveal_of(names, reason)
    with exit_on_errors():
        written = analyst_report(home_of(ctx), out_file, top=top, reveal=reveal, release=dataset)
    out.print(f"Wrote {written}" + (" (real user ids shown; recorded in the audit log)" if reveal else ""))


class ExportFormatOption(StrEnum):
    ocsf = "ocsf"
    csv = "csv"


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
    from molehunt.workbench import ops, queue

    chosen = (day_of(day, "--day"), day_of(since, "--since"))
    reveal = reveal_of(names, reason)
    home = home_of(ctx)
    with exit_on_errors():
        selection = Selection(day=chosen[0], since=chosen[1], top=top)
        with closing(ops.connect(home)) as con:  # the analysts' dismissals: exported as suppressed
            gone = queue.dismissed(con)
        done = export_alerts(
            home, out_file, ExportFormat(fmt.value), selection, reveal=reveal, store_path=store,
            dismissed=list(zip(gone.users, gone.days, strict=True)),
        )  # fmt: skip
    shown = " (real user ids shown; recorded in the audit log)" if done.revealed else ""
    out.print(f"Wrote {done.findings:,} alerts to {done.path}{shown}")
