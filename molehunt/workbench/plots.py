"""A person's plots for the dashboard, drawn by the report's own functions, and whose to draw ahead of time."""

from __future__ import annotations

from collections.abc import Callable

from molehunt.detect.alerts import has_scores, top_suspects
from molehunt.report.plots import activity_heatmap_svg, risk_timeline_svg, svg_data_uri
from molehunt.store import Store


def timeline(store: Store, user_id: str, label: str) -> str:
    """The daily risk timeline as an SVG data: URI."""
    return svg_data_uri(risk_timeline_svg(store, user_id, label=label))


def heatmap(store: Store, user_id: str, label: str) -> str:
    """The hour-by-weekday activity heatmap as an SVG data: URI."""
    return svg_data_uri(activity_heatmap_svg(store, user_id, label=label))


# Every plot of a person's page, by name.
PERSON_PLOTS: dict[str, Callable[[Store, str, str], str]] = {"timeline": timeline, "heatmap": heatmap}


def riskiest(store: Store, limit: int) -> list[str]:
    """The user ids of the `limit` people with the highest peak risk (the ones analysts open first); none when
    nothing is scored."""
    if limit < 1 or not has_scores(store):
        return []
    return [suspect.user_id for suspect in top_suspects(store, limit)]
