"""Terminal rendering for the CLI: progress bars and tables. Nothing outside molehunt.cli imports this.

Everything printed may hold ingested data (a path, a user name, a quarantined line), so the consoles here neutralize
what a terminal would act on, once for every string they render: control characters (C0, C1, DEL: the escapes of
CSI, OSC 8 hyperlinks and OSC 52 clipboard writes), bidirectional overrides and lone surrogates are shown as visible
escapes (`\x1b`, `\u202e`); no output is a hyperlink; table cells of data are never read as Rich markup.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from rich import filesize
from rich.console import Console
from rich.errors import MarkupError
from rich.progress import (
    BarColumn,
    Progress,
    ProgressColumn,
    Task,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.style import Style
from rich.table import Table
from rich.text import Span, Text

from molehunt.errors import MolehuntError

if TYPE_CHECKING:  # only for types: the readers (pyarrow), the store (duckdb) and evaluate (scikit-learn) take
    # from tens of milliseconds to seconds to load, and `molehunt --help` needs none of them
    from molehunt.detect.alerts import Alert
    from molehunt.evaluate import Evaluation
    from molehunt.ingest.report import IngestReport
    from molehunt.store.summary import StoreSummary

# C0 but tab and newline, DEL, C1, the bidirectional marks and overrides (Trojan Source), and lone surrogates.
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def _visible(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def clean(text: str) -> str:
    r"""text with everything a terminal could act on written as a visible escape: ESC becomes the four characters
    \x1b, U+202E the six characters \u202e; tab and newline stay."""
    return _UNSAFE.sub(_visible, text)


def data(value: object) -> Text:
    """A table cell or message part holding data: cleaned, and never parsed as markup."""
    return Text(clean(str(value)))


class SafeConsole(Console):
    """A Rich console that cleans every string it renders and makes no hyperlinks (markup in data such as
    `[link=...]` would otherwise become an OSC 8 link, and a stray `[/]` a crash)."""

    def render_str(self, text: str, **kwargs: Any) -> Text:
        try:
            rendered = super().render_str(clean(text), **kwargs)
        except MarkupError:
            rendered = super().render_str(clean(text), **{**kwargs, "markup": False})
        rendered.style = self._unlinked(rendered.style)
        rendered.spans = [Span(span.start, span.end, self._unlinked(span.style)) for span in rendered.spans]
        return rendered

    def _unlinked(self, style: str | Style) -> str | Style:
        if isinstance(style, str) and "link" not in style:
            return style  # a theme name or a plain style: no link in it
        resolved = self.get_style(style, default="")
        return resolved.update_link(None) if resolved.link else style

    def print_json(
        self,
        json: str | None = None,
        *,
        data: Any = None,
        indent: int | str | None = 2,
        highlight: bool = True,
        skip_keys: bool = False,
        ensure_ascii: bool = True,
        check_circular: bool = True,
        allow_nan: bool = True,
        default: Callable[[Any], Any] | None = None,
        sort_keys: bool = False,
    ) -> None:
        # Always ASCII: a C1 control or a bidi override in a value is written as \uXXXX, which JSON readers decode.
        super().print_json(
            json, data=data, indent=indent, highlight=highlight, skip_keys=skip_keys, ensure_ascii=True,
            check_circular=check_circular, allow_nan=allow_nan, default=default, sort_keys=sort_keys,
        )  # fmt: skip


console = SafeConsole(stderr=True, soft_wrap=True)
out = SafeConsole(soft_wrap=True)  # messages name paths: the terminal wraps them; tables print with soft_wrap=False


@contextmanager
def exit_on_errors() -> Iterator[None]:
    """MolehuntError -> one red line on stderr and exit 2; Ctrl-C -> exit 130. Anything else is a bug: a trace."""
    try:
        yield
    except MolehuntError as exc:
        console.print(Text.assemble(("error:", "bold red"), " ", data(exc)), highlight=False, soft_wrap=True)
        raise typer.Exit(2) from exc
    except BaseException as exc:
        # DuckDB's own interrupt, checked only if DuckDB was loaded (a command that never opened the store has
        # not paid for importing it)
        duck = sys.modules.get("duckdb")
        if isinstance(exc, KeyboardInterrupt) or (duck is not None and isinstance(exc, duck.InterruptException)):
            console.print("[yellow]interrupted: what was being written was rolled back[/]")
            raise typer.Exit(130) from None
        raise


class _AmountColumn(ProgressColumn):
    """Bytes for tasks that read files, plain counts for the rest."""

    def render(self, task: Task) -> Text:
        total = int(task.total or 0)
        if task.fields.get("unit") == "bytes":
            return Text(f"{filesize.decimal(int(task.completed))}/{filesize.decimal(total)}", style="progress.download")
        return Text(f"{int(task.completed):,}/{total:,}", style="progress.download")


class RichProgress:
    """molehunt.progress.Progress drawn as one Rich bar per task; begin() tasks count bytes, stage() steps."""

    def __init__(self, *, enabled: bool = True) -> None:
        self._progress = Progress(
            TextColumn("{task.description:<28}", markup=False),
            BarColumn(),
            _AmountColumn(),
            TimeElapsedColumn(),
            TimeRemainingColumn(),
            console=console,
            disable=not enabled,
            transient=False,
        )
        self._task: TaskID | None = None

    def __enter__(self) -> RichProgress:
        self._progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._progress.stop()

    def begin(self, label: str, total: int, unit: str = "bytes") -> None:
        self._task = self._progress.add_task(clean(label), total=max(total, 1), unit=unit)

    def advance(self, amount: int) -> None:
        if self._task is not None:
            self._progress.advance(self._task, amount)

    def end(self) -> None:
        if self._task is not None:
            task = self._progress.tasks[self._task]
            self._progress.update(self._task, completed=task.total)
            self._task = None

    def stage(self, label: str, done: int, total: int) -> None:
        """Adapter for callbacks of the form progress(stage, done, total) (the simulator's)."""
        if self._task is None or self._progress.tasks[self._task].description != clean(label):
            if self._task is not None:
                self.end()
            self.begin(label, total, unit="steps")
        assert self._task is not None
        self._progress.update(self._task, completed=done, total=max(total, 1))


def ingest_table(report: IngestReport) -> Table:
    """One row per file; what to say about a file (already ingested, warnings, its first problems) goes in the
    caption, which wraps between words, so the columns fit 80 characters and a long path ends in an ellipsis rather
    than being cut mid-word."""
    kind = " ".join(filter(None, (report.source, report.release)))
    table = Table(title=data(f"Ingested {report.root} ({kind})"))
    # the other columns take 40 characters and the borders 16: the path gets what is left (at least 16)
    table.add_column("file", no_wrap=True, overflow="ellipsis", min_width=16, max_width=max(16, out.width - 56))
    table.add_column("kind", no_wrap=True)
    for column in ("rows read", "ingested", "quarantined"):
        table.add_column(column, justify="right", no_wrap=True)
    notes: list[str] = []
    skipped = [f for f in report.files if f.skipped]
    for f in report.files:
        name = f.path.removeprefix(report.root).lstrip("/") or f.path
        table.add_row(
            data(name),
            data(f.role),
            f"{f.rows:,}",
            f"{f.ingested:,}",
            Text(f"{f.quarantined:,}", style="red") if f.quarantined else "0",
        )
        said = [*f.warnings, *f.first_problems][:2]
        if f.skipped and len(skipped) < len(report.files):
            said = ["already ingested (same content)"]
        if said and not (f.skipped and len(skipped) == len(report.files)):
            notes.append(f"{name}: {'; '.join(said)}")
    table.add_section()
    table.add_row("total", "", f"{report.rows:,}", f"{report.ingested:,}", f"{report.quarantined:,}")
    if skipped and len(skipped) == len(report.files):
        notes.append("every file was already ingested (same content)")
    if report.duplicates:
        notes.append(f"{report.duplicates:,} of the quarantined rows repeat an earlier row of their file")
    if notes:
        table.caption = data("\n".join(notes))
        table.caption_justify = "left"
    return table


def synth_table(out_dir: Path, counts: Mapping[str, int]) -> Table:
    table = Table(title=data(f"Wrote {out_dir}"))
    table.add_column("file")
    table.add_column("rows", justify="right")
    for name, rows in sorted(counts.items()):
        table.add_row(data(name), f"{rows:,}")
    return table


def quarantine_table(rows: list[dict[str, Any]]) -> Table:
    table = Table(title="Quarantined rows")
    for column in ("file", "line", "reason", "raw"):
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(data(row["path"]), str(row["line"]), data(row["reason"]), data(row["raw"]))
    return table


def summary_table(summary: StoreSummary) -> Table:
    table = Table(title="What the store holds")
    for column in ("kind", "events", "users", "first", "last"):
        table.add_column(column, justify="right" if column in {"events", "users"} else "left")
    for kind in summary.kinds:
        table.add_row(
            data(kind.kind),
            f"{kind.events:,}",
            f"{kind.users:,}",
            f"{kind.first:%Y-%m-%d}" if kind.first else "",
            f"{kind.last:%Y-%m-%d}" if kind.last else "",
        )
    table.add_section()
    table.add_row("all events", f"{summary.events:,}", "", "", "")
    table.caption = (
        f"{summary.directory_users:,} people in {summary.months} directory snapshots "
        f"({summary.departed_users:,} left); {summary.decoys:,} decoy files; "
        f"{summary.quarantined:,} rows quarantined (see `molehunt quarantine`); "
        f"ground truth: {summary.insiders} insiders, {summary.labelled_events:,} labelled events"
    )
    return table


def _short(reasons: str, limit: int) -> str:
    """The first reasons that fit in `limit` characters, without the counts that did not happen, as the dashboard
    shows them (the full text is in the scores CSV and --json)."""
    from molehunt.workbench.alert_view import shown_reasons  # only when a table of alerts is printed

    kept: list[str] = []
    for part in shown_reasons(reasons):
        if kept and len("; ".join([*kept, part])) > limit:
            return "; ".join(kept) + " …"
        kept.append(part)
    return "; ".join(kept)


def alerts_table(title: str, alerts: Sequence[Alert], reason_chars: int = 160) -> Table:
    """Ranked alerts; the rules that fired head the reasons in one column, as wide as the longest rule id, so an
    80-column terminal wraps the reasons between words and never splits an id."""
    table = Table(title=title, expand=True)
    table.add_column("#", justify="right", no_wrap=True)
    table.add_column("user", no_wrap=True)
    table.add_column("day", no_wrap=True)
    table.add_column("score", justify="right", no_wrap=True)
    longest = max((len(rule) for alert in alerts for rule in alert.rules), default=0)
    table.add_column("rules, then why", overflow="fold", min_width=max(longest, 12))
    for alert in alerts:
        why = Text()
        for rule in alert.rules:
            why.append(clean(rule), style="bold")
            why.append("\n")
        why.append(clean(_short(alert.reasons, reason_chars)))
        why.rstrip()
        table.add_row(str(alert.rank), data(alert.user_id), alert.day.isoformat(), f"{alert.score:.0f}", why)
    return table


def audit_table(rows: Sequence[Mapping[str, Any]], size: int, covered: int) -> Table:
    """Audit entries as `audit ls` lists them (see molehunt.audit.listing.shown_with)."""
    table = Table(title=f"Audit log: {size:,} entries, {covered:,} under the latest signed checkpoint")
    table.add_column("#", justify="right", no_wrap=True)
    table.add_column("time (UTC)", no_wrap=True)
    table.add_column("actor", overflow="fold")
    table.add_column("action", no_wrap=True)
    table.add_column("target", overflow="fold")
    table.add_column("signed", no_wrap=True)
    for row in rows:
        when = str(row["time"])
        table.add_row(
            str(row["index"]),
            f"{when[:10]} {when[11:19]}",
            data(row["actor"]),
            data(row["action"]),
            data(row["target"]),
            "yes" if row["covered"] else Text("not yet", style="yellow"),
        )
    return table


def evaluation_table(result: Evaluation) -> Table:
    table = Table(title=f"Evaluation: {result.insiders} insiders among {result.users:,} users")
    table.add_column("metric")
    table.add_column("value", justify="right")
    for name, value in result.rows():
        table.add_row(name, value)
    return table
