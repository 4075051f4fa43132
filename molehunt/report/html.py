"""The offline analyst report: one self-contained HTML file of the top suspects, their plots and the evaluation.

The file loads nothing: CSS is inline, plots are data: URIs, there is no script, and a Content-Security-Policy
meta tag forbids any fetch, so it can be mailed or archived and opened on an air-gapped machine. People appear
by pseudonym unless names are asked for (the CLI records who asked and why). Ground truth is read only for the
evaluation table.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from jinja2 import Environment, PackageLoader

from molehunt import __version__
from molehunt.clock import utc_now_aware
from molehunt.detect.alerts import Alert, top_suspects
from molehunt.evaluate import evaluate, truth_from_store
from molehunt.outputs import write_private
from molehunt.pseudonyms import Pseudonyms
from molehunt.report.data import last_day
from molehunt.report.plots import activity_heatmap_svg, risk_timeline_svg, svg_data_uri
from molehunt.store import Store

_ENV = Environment(loader=PackageLoader("molehunt.report", "templates"), autoescape=True, keep_trailing_newline=True)


@dataclass(frozen=True)
class Person:
    """One top user's section: who (as shown), their peak alert, what fired, and the two plots as data: URIs."""

    name: str
    alert: Alert
    days_scored: int
    rules: tuple[tuple[str, int], ...]  # rule id, days it fired
    last_day: date | None
    timeline: str
    heatmap: str


@dataclass(frozen=True)
class ReportContent:
    """Everything the report shows, names already resolved; `user_ids` are the real ids behind those names."""

    generated: datetime
    store_name: str
    summary: str
    names: bool
    people: tuple[Person, ...]
    evaluation: tuple[tuple[str, str], ...] | None
    evaluation_title: str
    user_ids: tuple[str, ...]


def _summary(store: Store) -> str:
    events, first, last = store.con.execute("SELECT count(*), min(time), max(time) FROM events").fetchall()[0]
    user_days, users, rule_days = store.con.execute(
        "SELECT count(*), count(DISTINCT user_id), count(*) FILTER (WHERE len(rules) > 0) FROM scores"
    ).fetchall()[0]
    span = f" from {first:%d %b %Y} to {last:%d %b %Y}" if first is not None else ""
    return (
        f"{events:,} events{span}; {user_days:,} user-days of {users:,} people scored; "
        f"scenario rules fired on {rule_days:,} of those user-days."
    )


def _rules(store: Store, user_id: str) -> tuple[tuple[str, int], ...]:
    rows = store.con.execute(
        "SELECT rule, count(*) FROM (SELECT unnest(rules) AS rule FROM scores WHERE user_id = ?) "
        "GROUP BY rule ORDER BY count(*) DESC, rule",
        [user_id],
    ).fetchall()
    return tuple((str(rule), int(n)) for rule, n in rows)


def _person(store: Store, alert: Alert, name: str) -> Person:
    return Person(
        name=name,
        alert=alert,
        days_scored=store.count("SELECT count(*) FROM scores WHERE user_id = ?", [alert.user_id]),
        rules=_rules(store, alert.user_id),
        last_day=last_day(store, alert.user_id),
        timeline=svg_data_uri(risk_timeline_svg(store, alert.user_id, label=name)),
        heatmap=svg_data_uri(activity_heatmap_svg(store, alert.user_id, label=name)),
    )


def has_labels(store: Store, release: str | None = None) -> bool:
    """Whether the store holds ground truth (answers/ of a CERT-format dataset), of `release` when given."""
    return bool(store.count("SELECT count(*) FROM answers_insiders WHERE ? IS NULL OR dataset = ?", [release, release]))


def collect(
    store: Store, *, pseudonyms: Pseudonyms, top: int = 10, names: bool = False, release: str | None = None
) -> ReportContent:
    """What the report shows: the `top` users by peak daily risk with their plots, and the evaluation if labelled.

    MolehuntError when nothing is scored; InputError when the store holds answers of several releases and
    `release` does not name one.
    """
    alerts = top_suspects(store, limit=top)
    shown: dict[str, str] = {}

    def name(user_id: str) -> str:
        return shown.setdefault(user_id, user_id if names else pseudonyms.of(user_id))

    people = tuple(_person(store, alert, name(alert.user_id)) for alert in alerts)
    evaluation = None
    title = "No labels in this store (no answers/ were ingested), so the scoring cannot be measured here."
    if has_labels(store, release):
        scores = [
            (u, d, float(s)) for u, d, s in store.con.execute("SELECT user_id, day, score FROM scores").fetchall()
        ]
        result = evaluate(scores, truth_from_store(store, release))
        evaluation = tuple(result.rows(name))
        title = f"Against the ground truth: {result.insiders} insiders among {result.users:,} users"
    return ReportContent(
        generated=utc_now_aware(),
        store_name=store.path.name,
        summary=_summary(store),
        names=names,
        people=people,
        evaluation=evaluation,
        evaluation_title=title,
        user_ids=tuple(shown),
    )


def render(content: ReportContent) -> str:
    """The report's HTML (autoescaped)."""
    return _ENV.get_template("report.html.j2").render(report=content, version=__version__)


def write_report(
    store: Store,
    out: Path,
    *,
    pseudonyms: Pseudonyms,
    top: int = 10,
    names: bool = False,
    release: str | None = None,
) -> Path:
    """Write the report of the `top` users to `out` (one HTML file that needs nothing else) and return `out`.

    Shows pseudonyms unless `names`; recording a reveal is the caller's job (see molehunt.report.analyst_report).
    """
    return write_private(out, render(collect(store, pseudonyms=pseudonyms, top=top, names=names, release=release)))
