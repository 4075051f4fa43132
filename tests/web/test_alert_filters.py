"""The alert queue's filter form: what a browser sends, blank fields included, always answers 200 (issue 17)."""

from __future__ import annotations

import itertools
import re
from html.parser import HTMLParser

from fastapi.testclient import TestClient

from .conftest import login


class _FilterForm(HTMLParser):
    """The GET form of /alerts: each field's name with the value a browser sends by default and the values it can
    take (a select's options; a text, number or date field: blank and one valid value)."""

    def __init__(self) -> None:
        super().__init__()
        self.fields: dict[str, list[str]] = {}
        self.defaults: dict[str, str] = {}
        self.checkboxes: set[str] = set()
        self.inputs: list[str] = []  # the free fields (not selects), in page order
        self._in_form = False
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {key: value or "" for key, value in attrs}
        if tag == "form" and a.get("method", "").lower() == "get" and a.get("action") == "/alerts":
            self._in_form = True
        if not self._in_form:
            return
        if tag == "select":
            self._select = a["name"]
            self.fields[a["name"]] = []
        elif tag == "option" and self._select:
            self.fields[self._select].append(a.get("value", ""))
            if "selected" in a or self._select not in self.defaults:
                self.defaults[self._select] = a.get("value", "")
        elif tag == "input" and a.get("name"):
            self._input(a)

    def _input(self, a: dict[str, str]) -> None:
        name, kind = a["name"], a.get("type", "text")
        self.inputs.append(name)
        if kind == "checkbox":
            self.checkboxes.add(name)
            self.fields[name] = ["", a.get("value", "on")]  # "" here: the box is not sent
            if "checked" in a:
                self.defaults[name] = a.get("value", "on")
            return
        example = {"date": "2010-01-15", "number": "0"}.get(kind, "x")
        self.fields[name] = ["", example]
        self.defaults[name] = a.get("value", "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        elif tag == "form":
            self._in_form = False


def _filter_form(html: str) -> _FilterForm:
    form = _FilterForm()
    form.feed(html)
    assert form.fields, "the queue has no filter form"
    return form


def _query(values: dict[str, str], checkboxes: set[str]) -> list[tuple[str, str]]:
    # A browser sends every text field (blank ones as `name=`) and a checkbox only when ticked.
    return [(k, v) for k, v in values.items() if k not in checkboxes or v]


def _page(client: TestClient, params: list[tuple[str, str]]) -> str:
    response = client.get("/alerts", params=params)
    assert response.status_code == 200, (params, response.text[-600:])
    # the page's own links carry its query back (pager): compare what it shows, not how it was asked
    shown = re.sub(r'href="\?[^"]*"', 'href="?"', response.text)
    return re.sub(r'name="csrf_token" value="[^"]*"', "", shown)


def test_the_filter_form_as_the_browser_submits_it_answers_200(app_client: TestClient) -> None:
    login(app_client, "viewer")
    form = _filter_form(app_client.get("/alerts").text)
    assert {"since", "until"} <= form.fields.keys()
    sent = _query(form.defaults, form.checkboxes)
    assert ("since", "") in sent and ("until", "") in sent  # the defaults that answered 400
    page = _page(app_client, sent)
    assert "<nav" in page  # the full page, navigation included
    # a blank field means the filter is unset: the same page as without it
    assert page == _page(app_client, [(k, v) for k, v in sent if v])


def test_the_form_submitted_as_it_comes_shows_the_queue_it_came_from(app_client: TestClient) -> None:
    # The score field once held the alert budget rounded to 0.1: rounded up, it dropped the person just above it.
    login(app_client, "viewer")
    first = app_client.get("/alerts").text
    form = _filter_form(first)
    assert form.defaults["min_score"] == ""  # unset: the alert budget, shown as the placeholder
    people = re.findall(r'data-testid="person-link"[^>]*>([^<]+)<', first)
    assert people
    again = _page(app_client, _query(form.defaults, form.checkboxes))
    assert re.findall(r'data-testid="person-link"[^>]*>([^<]+)<', again) == people
    chosen = _page(app_client, [("min_score", "12.5")])
    assert 'name="min_score" type="number" step="any" min="0" value="12.5"' in chosen


def _some(values: list[str]) -> list[str]:
    return values if len(values) <= 4 else [values[0], values[1], values[-2], values[-1]]


def test_every_filter_combination_answers_200(app_client: TestClient) -> None:
    """Every pair of fields over each one's values (blank and set; a select's first, second and last two options),
    the others as the form sends them, and every blank/set mix of the free (non-select) fields together."""
    login(app_client, "viewer")
    form = _filter_form(app_client.get("/alerts").text)
    names = sorted(form.fields)
    tried: set[tuple[tuple[str, str], ...]] = set()
    for first, second in itertools.combinations(names, 2):
        for a, b in itertools.product(_some(form.fields[first]), _some(form.fields[second])):
            tried.add(tuple(sorted((form.defaults | {first: a, second: b}).items())))
    free = form.inputs
    for mix in itertools.product(*(form.fields[name] for name in free)):
        tried.add(tuple(sorted((form.defaults | dict(zip(free, mix, strict=True))).items())))
    for combo in sorted(tried):
        _page(app_client, _query(dict(combo), form.checkboxes))
    assert len(tried) > 50


def test_a_blank_date_means_unset_but_a_bad_one_is_still_refused(app_client: TestClient) -> None:
    login(app_client, "viewer")
    unset = _page(app_client, [("min_score", "0")])
    assert _page(app_client, [("min_score", "0"), ("since", ""), ("until", " ")]) == unset
    assert _page(app_client, [("min_score", ""), ("since", "")]) == _page(app_client, [])
    bad = app_client.get("/alerts", params={"since": "yesterday"})
    assert bad.status_code == 400 and "since" in bad.text


def test_dates_at_the_edge_of_the_calendar_answer_a_page(app_client: TestClient) -> None:
    login(app_client, "analyst")
    for params in ({"until": "0001-01-05"}, {"since": "0001-01-01", "until": "0001-01-31"}, {"since": "9999-12-31"}):
        assert app_client.get("/alerts", params=params).status_code == 200, params
