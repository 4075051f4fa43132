"""The person page's evidence explorer: a chosen range and kinds, the events the fired rules count first and
marked, and pivots from a host, file or domain to who else touched it."""

from __future__ import annotations

import re
from datetime import date, timedelta

from fastapi.testclient import TestClient

from .conftest import first_alert, login

ROW = re.compile(r"<tr( class=\"trigger\"[^>]*)?><td>(\d{4}-\d{2}-\d{2}) [\d:]+</td><td>(\w+)</td>")


def _rows(html: str) -> list[tuple[bool, str, str]]:
    return [(bool(m[1]), m[2], m[3]) for m in ROW.finditer(html)]


def _total(html: str) -> int:
    found = re.search(r'<span class="muted">\((\d+)', html[html.index('id="events"') :])
    assert found
    return int(found[1])


def test_a_range_and_kinds_show_only_those_events_with_the_counted_ones_first(app_client: TestClient) -> None:
    login(app_client, "analyst")
    pseudonym, day = first_alert(app_client.get("/alerts").text)
    alert_day = date.fromisoformat(day)
    start = (alert_day - timedelta(days=6)).isoformat()
    page = app_client.get(f"/users/{pseudonym}", params={"day": day, "from": start, "to": day})
    assert page.status_code == 200
    rows = _rows(page.text)
    assert rows and all(start <= d <= day for _, d, _ in rows)
    one_day = app_client.get(f"/users/{pseudonym}", params={"day": day})
    assert _total(page.text) > _total(one_day.text) > 0  # the week holds more than its last day
    assert f"Events {start} to {day}" in page.text
    flags = [t for t, _, _ in rows]
    assert any(flags) and flags == sorted(flags, reverse=True)  # counted events first
    only = app_client.get(f"/users/{pseudonym}", params={"day": day, "from": start, "to": day, "kind": ["logon"]})
    assert {k for _, _, k in _rows(only.text)} == {"logon"}
    assert 'value="logon" checked' in only.text and 'value="http" checked' not in only.text


def test_blank_or_odd_fields_answer_a_page_and_pivots_lead_to_search(app_client: TestClient) -> None:
    login(app_client, "viewer")
    pseudonym, day = first_alert(app_client.get("/alerts").text)
    blank = app_client.get(f"/users/{pseudonym}", params={"day": day, "from": "", "to": "", "kind": ["nonsense"]})
    assert blank.status_code == 200 and _rows(blank.text)
    reversed_range = app_client.get(f"/users/{pseudonym}", params={"day": day, "from": day, "to": "2000-01-01"})
    assert reversed_range.status_code == 200
    pivot = re.search(r'href="(/search\?q=[^"]+)" title="who else (?:used this host|touched it)"', blank.text)
    assert pivot, "no pivot link on the events"
    found = app_client.get(pivot[1].replace("&amp;", "&"))
    assert found.status_code == 200 and "/users/P-" in found.text
