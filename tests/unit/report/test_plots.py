"""The plots: valid SVG that names people only by the label given, and shows what the analyst needs to see."""

from __future__ import annotations

import base64
import re
import threading
import xml.etree.ElementTree as ET

import numpy as np
import pytest

from molehunt.errors import MolehuntError
from molehunt.report.data import MIN_EARLIER_DAYS, risk_history, week_activity
from molehunt.report.plots import activity_heatmap_svg, risk_timeline_svg, svg_data_uri
from molehunt.store import Store

LABEL = "P-TESTTEST"


def texts(svg: str) -> str:
    """All the text an SVG shows, parsed as XML (which also proves it is well formed)."""
    root = ET.fromstring(svg)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    return " ".join(t for element in root.iter() for t in (element.text or "",)).strip()


def test_risk_timeline_names_the_label_not_the_user(scored: Store, leaver: str) -> None:
    svg = risk_timeline_svg(scored, leaver, label=LABEL)
    shown = texts(svg)
    assert f"{LABEL}: daily risk" in shown
    assert leaver not in svg
    assert "http" not in svg.replace('xmlns="http://www.w3.org/2000/svg"', "").replace(
        'xmlns:xlink="http://www.w3.org/1999/xlink"', ""
    )  # no DOCTYPE, creator or other URL; only the two namespaces


def test_departure_is_marked_for_a_leaver_only(scored: Store, leaver: str, stayer: str) -> None:
    leaving = texts(risk_timeline_svg(scored, leaver, label=LABEL))
    staying = texts(risk_timeline_svg(scored, stayer, label=LABEL))
    assert "last day" in leaving and "days before leaving" in leaving
    assert "last day" not in staying and "days before leaving" not in staying


def test_rules_that_fired_are_named(scored: Store, leaver: str) -> None:
    fired = {r[0] for r in scored.con.execute(
        "SELECT DISTINCT unnest(rules) FROM scores WHERE user_id = ?", [leaver]
    ).fetchall()}  # fmt: skip
    shown = texts(risk_timeline_svg(scored, leaver, label=LABEL))
    assert fired and all(rule in shown for rule in fired)
    assert "rule fired" in shown


def test_risk_parts_add_up_to_the_score(scored: Store, leaver: str) -> None:
    history = risk_history(scored, leaver, label=LABEL)
    assert history.last_day is not None and history.last_day >= history.days[-1].day
    for day in history.days:
        parts = (day.anomaly_points, day.rule_points, day.volume_points, day.boost_points)
        assert sum(parts) == pytest.approx(day.score)
        assert min(parts) >= 0
    assert any(day.boost_points > 0 for day in history.days)  # the departure window boosts the last 30 days


def test_heatmap_is_valid_svg_with_weekdays_and_the_label(scored: Store, stayer: str) -> None:
    svg = activity_heatmap_svg(scored, stayer, label=LABEL, recent_days=30)
    shown = texts(svg)
    assert LABEL in shown and stayer not in svg
    assert all(day in shown for day in ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"))
    assert "last 30 days" in shown and "change" in shown
    assert "too few" not in shown


def test_week_activity_accounts_for_every_event(scored: Store, stayer: str) -> None:
    activity = week_activity(scored, stayer, label=LABEL, recent_days=21)
    assert activity.earlier is not None and activity.earlier_span is not None
    assert (activity.recent_span[1] - activity.recent_span[0]).days == 20
    weeks_recent = 21 / 7
    weeks_before = ((activity.earlier_span[1] - activity.earlier_span[0]).days + 1) / 7
    total = scored.count("SELECT count(*) FROM events WHERE user_id = ?", [stayer])
    assert activity.recent.sum() * weeks_recent + activity.earlier.sum() * weeks_before == pytest.approx(total)
    assert activity.recent.shape == activity.earlier.shape == (7, 24)


def test_heatmap_without_enough_history_says_so(scored: Store, stayer: str) -> None:
    active_days = scored.count("SELECT max(time)::DATE - min(time)::DATE + 1 FROM events WHERE user_id = ?", [stayer])
    recent_days = active_days - MIN_EARLIER_DAYS + 1  # leaves one day too few before the recent period
    activity = week_activity(scored, stayer, label=LABEL, recent_days=recent_days)
    assert activity.earlier is None and activity.earlier_days == MIN_EARLIER_DAYS - 1
    assert np.isfinite(activity.recent).all()
    assert "too few to compare" in texts(activity_heatmap_svg(scored, stayer, label=LABEL, recent_days=recent_days))


def test_unknown_user_is_a_clear_error_naming_only_the_label(scored: Store) -> None:
    for plot in (risk_timeline_svg, activity_heatmap_svg):
        with pytest.raises(MolehuntError, match=f"{LABEL} has no scored days") as caught:
            plot(scored, "NOBODY01", label=LABEL)
        assert "NOBODY01" not in str(caught.value)


def test_data_uri_round_trips(scored: Store, stayer: str) -> None:
    svg = activity_heatmap_svg(scored, stayer, label=LABEL)
    uri = svg_data_uri(svg)
    assert uri.startswith("data:image/svg+xml;base64,")
    assert base64.b64decode(uri.split(",", 1)[1]).decode() == svg


def test_plots_are_deterministic_and_safe_from_threads(scored: Store, leaver: str, stayer: str) -> None:
    """Threads share rcParams; the render lock keeps every plot as it is drawn alone (text as text, same bytes)."""
    expected = {user: risk_timeline_svg(scored, user, label=LABEL) for user in (leaver, stayer)}
    assert expected[leaver] == risk_timeline_svg(scored, leaver, label=LABEL)
    assert re.search(r"<text[^>]*>[^<]*daily risk", expected[leaver]), "svg.fonttype none keeps text as <text>"
    results: list[bool] = []

    def draw(user: str) -> None:
        cursor = scored.con.cursor()  # a DuckDB connection is not for concurrent use; a cursor per thread
        try:
            results.append(risk_timeline_svg(Store(scored.path, cursor), user, label=LABEL) == expected[user])
        finally:
            cursor.close()

    threads = [threading.Thread(target=draw, args=(user,)) for user in (leaver, stayer) * 3]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [True] * 6
