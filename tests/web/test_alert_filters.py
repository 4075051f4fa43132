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


def test_the_filter_form_as_the_browser_submits_it_answers_200(app_client: TestClient) -> None:
    login(app_client, "viewer")
    form = _filter_form(app_client.get("/alerts").text)
    assert {"since", "until"} <= form.fields.keys()
    sent = _query(form.defaults, form.checkboxes)
    assert ("since", "") in sent and ("until", "") in sent  # the defaults that answered 400
    page = app_client.get("/alerts", params=sent)
    assert page.status_code == 200, page.text
    assert "<nav" in page.text  # the full page, navigation included
    assert re.search(r"alerts? with score", page.text)


def test_every_filter_combination_answers_200(app_client: TestClient) -> None:
    login(app_client, "viewer")
    form = _filter_form(app_client.get("/alerts").text)
    names = sorted(form.fields)
    failed = []
    for combo in itertools.product(*(form.fields[name] for name in names)):
        sent = _query(dict(zip(names, combo, strict=True)), form.checkboxes)
        response = app_client.get("/alerts", params=sent)
        if response.status_code != 200:
            failed.append((sent, response.status_code))
    assert not failed, failed[:5]


def test_a_blank_date_means_unset_but_a_bad_one_is_still_refused(app_client: TestClient) -> None:
    login(app_client, "viewer")
    unset = app_client.get("/alerts", params={"min_score": "0"}).text
    blank = app_client.get("/alerts", params={"min_score": "0", "since": "", "until": " "}).text
    count = re.compile(r"(\d+) alerts? with score")
    assert count.search(unset) and count.search(unset)[1] == count.search(blank)[1]  # type: ignore[index]
    bad = app_client.get("/alerts", params={"since": "yesterday"})
    assert bad.status_code == 400 and "since" in bad.text
