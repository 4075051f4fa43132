"""Triage by person: the queue of people with open alerts, its filters and counts, and the alert actions (confirm,
dismiss with a disposition, escalate, assign, status) from the alert page and the person page, audited first.

Each test works on people of its own (chosen by index from the people with alerts), so the order does not matter.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import date

import pytest
from fastapi.testclient import TestClient

from molehunt.config import Home
from molehunt.pseudonyms import Pseudonyms
from molehunt.report.budget import budget_threshold
from molehunt.workbench import alert_view, triage

from .conftest import app_store, audit_entries, csrf_of, login, real_ids

ROW = re.compile(r'<tr data-testid="person-row">(.*?)</tr>', re.S)
PSEUDONYM = r"P-[A-Z2-7]{8}"


def _rows(html: str) -> list[dict[str, str]]:
    """The queue's rows: pseudonym, band, peak, status, assignee, scenarios."""
    found = []
    for row in ROW.findall(html):
        cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        found.append({
            "pseudonym": re.search(rf'href="/users/({PSEUDONYM})"', row)[1],  # type: ignore[index]
            "band": re.search(r'data-testid="band">(\w+)<', row)[1],  # type: ignore[index]
            "peak": float(re.search(r'<span class="score[^"]*">([\d.]+)</span>', row)[1]),  # type: ignore[index]
            "peak_day": re.search(rf'href="/alerts/{PSEUDONYM}/([\d-]+)"', row)[1],  # type: ignore[index]
            "status": re.search(r'data-testid="status">(\w+)<', row)[1],  # type: ignore[index]
            "assignee": re.sub(r"<[^>]+>", "", cells[8]).strip(),
            "scenarios": set(re.findall(r'<span class="tag">([^<]+)</span>', cells[5])),
            "age": int(re.search(r"(\d+) d", cells[9])[1]),  # type: ignore[index]
            "alerts": int(re.match(r"\s*(\d+)", re.sub(r"<[^>]+>", "", cells[6]))[1]),  # type: ignore[index]
        })  # fmt: skip
    return found


def _queue(client: TestClient, **params: object) -> tuple[str, list[dict[str, str]]]:
    response = client.get("/alerts", params=params)
    assert response.status_code == 200, response.text[-500:]
    return response.text, _rows(response.text)


def _all_rows(client: TestClient, **params: object) -> tuple[str, list[dict[str, str]]]:
    """The first page and the rows of every page."""
    first, rows = _queue(client, **params)
    pages = int(re.search(r"Page 1 of (\d+)", first)[1])  # type: ignore[index]
    for page in range(2, pages + 1):
        rows += _queue(client, **params, page=page)[1]
    return first, rows


def _people_with_alerts(client: TestClient) -> list[tuple[str, list[date]]]:
    """(user id, alert days newest first) of everyone with an alert, most alerts first."""
    store = app_store(client)
    try:
        threshold = budget_threshold(store)
        rows = store.con.execute(
            "SELECT user_id, list(day ORDER BY day DESC) FROM scores WHERE score >= ? GROUP BY user_id"
            " ORDER BY count(*) DESC, user_id",
            [threshold],
        ).fetchall()
    finally:
        store.close()
    return [(user, days) for user, days in rows]


def _pseudonym(home: Home, user_id: str) -> str:
    return Pseudonyms.for_keys_dir(home.keys_dir).of(user_id)


def _person(client: TestClient, home: Home, index: int, min_alerts: int = 1) -> tuple[str, str, list[date]]:
    """(user id, pseudonym, alert days) of the index-th person with alerts (most alerts first; each test its own)."""
    found = _people_with_alerts(client)
    assert len(found) > index, f"the scored home has only {len(found)} people with alerts"
    user, days = found[index]
    assert len(days) >= min_alerts, f"person {index} has {len(days)} alerts, fewer than {min_alerts}"
    return user, _pseudonym(home, user), days


def test_the_queue_lists_each_person_once_with_band_counts_and_no_real_ids(app_client: TestClient) -> None:
    login(app_client, "viewer")
    page, rows = _all_rows(app_client, min_score=0)  # everyone scored, so every band shows
    assert rows and len({r["pseudonym"] for r in rows}) == len(rows)
    total = int(re.search(r"(\d+) (?:person|people) with open alerts", page)[1])  # type: ignore[index]
    assert total == len(rows)
    counts = {b: int(n) for b, n in re.findall(r'data-testid="band-count-(\w+)"[^>]*>\w+ <strong>(\d+)</strong>', page)}
    assert counts == {b.value: Counter(r["band"] for r in rows)[b.value] for b in triage.Band}
    per_scenario = Counter(tag for r in rows for tag in r["scenarios"])
    shown_counts = re.findall(r'data-testid="scenario-count"[^>]*>([^<]+) <strong>(\d+)</strong>', page)
    assert {k.strip(): int(v) for k, v in shown_counts} == dict(per_scenario)
    assert len({r["band"] for r in rows}) > 1, "every person in one band: the bands do not tell scores apart"
    assert not {uid for uid in real_ids(app_client) if uid in page}
    assert page.count('<svg class="spark"') == min(len(rows), 50)  # one trend per person on the page, inline
    assert "<script" not in page and "style=" not in page  # nothing the Content Security Policy would block


def test_bands_follow_the_score(app_client: TestClient) -> None:
    login(app_client, "viewer")
    _, rows = _all_rows(app_client, min_score=0)
    order = list(triage.Band)
    by_peak = sorted(rows, key=lambda r: -r["peak"])
    ranks = [order.index(triage.Band(r["band"])) for r in by_peak]
    assert ranks == sorted(ranks), "a higher peak has a lower band"


def test_filters_and_sorts(app_client: TestClient) -> None:
    login(app_client, "viewer")
    _, everyone = _all_rows(app_client, min_score=0)
    assert [r["peak"] for r in everyone] == sorted((r["peak"] for r in everyone), reverse=True)
    for band in {r["band"] for r in everyone}:
        _, rows = _all_rows(app_client, min_score=0, band=band)
        assert rows and {r["band"] for r in rows} == {band}
        assert {r["pseudonym"] for r in rows} == {r["pseudonym"] for r in everyone if r["band"] == band}
    tag = sorted({t for r in everyone for t in r["scenarios"]})[0]
    _, tagged = _all_rows(app_client, min_score=0, scenario=tag)
    assert tagged and all(tag in r["scenarios"] for r in tagged)
    _, by_age = _all_rows(app_client, min_score=0, sort="age")
    assert [r["age"] for r in by_age] == sorted((r["age"] for r in by_age), reverse=True)
    _, by_count = _all_rows(app_client, min_score=0, sort="alerts")
    assert [r["alerts"] for r in by_count] == sorted((r["alerts"] for r in by_count), reverse=True)
    day = everyone[0]["peak_day"]
    _, window = _queue(app_client, min_score=0, since=day, until=day)
    assert window and all(r["peak_day"] == day for r in window)  # only that day's alerts count
    _, blank = _queue(app_client, since="", until="", band="", status="", scenario="", assignee="", min_score="")
    _, plain = _queue(app_client)
    assert blank == plain  # blank fields are unset


def test_confirm_then_dismiss_with_a_disposition_from_the_alert_page(app_client: TestClient, web_home: Home) -> None:
    user_id, pseudonym, days = _person(app_client, web_home, 0, min_alerts=2)
    login(app_client, "analyst")
    page = app_client.get(f"/alerts/{pseudonym}/{days[0]}").text
    token = csrf_of(page)
    confirmed = app_client.post(f"/alerts/{pseudonym}/{days[0]}/confirm", data={"csrf_token": token, "note": "real"})
    assert confirmed.status_code == 303
    entry = audit_entries(web_home)[-1]
    assert (entry["actor"], entry["action"], entry["target"]) == ("analyst", "alert.confirm", user_id)
    shown = app_client.get(f"/alerts/{pseudonym}/{days[0]}").text
    assert re.search(r'data-testid="alert-state">confirmed', shown)
    assert re.search(r'data-testid="person-status">triaged<', shown)  # a new person becomes triaged

    refused = app_client.post("/alerts/dismiss", data={"csrf_token": token, "alert": f"{pseudonym}|{days[1]}",
                                                       "disposition": "other", "note": " "})  # fmt: skip
    assert refused.status_code == 400 and "note" in refused.text
    before = {r["pseudonym"]: r["alerts"] for r in _queue(app_client)[1]}[pseudonym]
    done = app_client.post("/alerts/dismiss", data={
        "csrf_token": token, "alert": f"{pseudonym}|{days[1]}", "disposition": "benign-explained",
        "note": "approved handover", "back": f"/alerts/{pseudonym}/{days[1]}",
    })  # fmt: skip
    assert done.status_code == 303 and done.headers["location"] == f"/alerts/{pseudonym}/{days[1]}"
    entry = audit_entries(web_home)[-1]
    assert entry["action"] == "alert.dismiss" and entry["actor"] == "analyst"
    assert entry["details"]["disposition"] == "benign-explained"  # type: ignore[index]
    assert entry["details"]["alerts"] == [f"{user_id}|{days[1]}"]  # type: ignore[index]
    after = {r["pseudonym"]: r["alerts"] for r in _queue(app_client)[1]}[pseudonym]
    assert after == before - 1
    person = app_client.get(f"/users/{pseudonym}").text
    assert "dismissed: benign-explained" in person and "approved handover" in person


def test_dismissing_every_alert_from_the_person_page_empties_their_queue_row(
    app_client: TestClient, web_home: Home
) -> None:
    _, pseudonym, days = _person(app_client, web_home, 1)
    login(app_client, "analyst")
    page = app_client.get(f"/users/{pseudonym}").text
    assert 'data-testid="dismiss-selected"' in page
    assert pseudonym in {r["pseudonym"] for r in _queue(app_client)[1]}
    done = app_client.post("/alerts/dismiss", data={
        "csrf_token": csrf_of(page), "alert": [f"{pseudonym}|{d}" for d in days], "disposition": "false-positive",
    })  # fmt: skip
    assert done.status_code == 303
    assert pseudonym not in {r["pseudonym"] for r in _queue(app_client, status="")[1]}
    person = app_client.get(f"/users/{pseudonym}").text
    assert person.count("dismissed: false-positive") == len(days)


def test_escalate_opens_a_case_and_marks_the_person(app_client: TestClient, web_home: Home) -> None:
    user_id, pseudonym, days = _person(app_client, web_home, 2)
    login(app_client, "analyst")
    page = app_client.get(f"/alerts/{pseudonym}/{days[0]}").text
    done = app_client.post(
        f"/alerts/{pseudonym}/{days[0]}/escalate", data={"csrf_token": csrf_of(page), "title": "USB before leaving"}
    )
    assert done.status_code == 303 and re.fullmatch(r"/cases/\d+", done.headers["location"])
    case_id = int(done.headers["location"].rsplit("/", 1)[1])
    actions = [(e["action"], e["target"]) for e in audit_entries(web_home)[-2:]]
    assert actions == [("case.open", user_id), ("person.escalate", user_id)]
    assert "USB before leaving" in app_client.get(f"/cases/{case_id}").text
    row = {r["pseudonym"]: r for r in _queue(app_client, status="escalated")[1]}[pseudonym]
    assert row["status"] == "escalated"
    assert f'href="/cases/{case_id}"' in app_client.get(f"/users/{pseudonym}").text


def test_assign_and_filter_by_assignee_then_close(app_client: TestClient, web_home: Home) -> None:
    user_id, pseudonym, _ = _person(app_client, web_home, 3)
    login(app_client, "analyst")
    page = app_client.get(f"/users/{pseudonym}").text
    token = csrf_of(page)
    assert (
        app_client.post(f"/users/{pseudonym}/assign", data={"csrf_token": token, "assignee": "nobody-here"}).status_code
        == 400
    )
    done = app_client.post(f"/users/{pseudonym}/assign", data={"csrf_token": token, "assignee": "admin"})
    assert done.status_code == 303
    assert audit_entries(web_home)[-1]["details"] == {"assignee": "admin"}
    _, mine = _all_rows(app_client, assignee="admin", min_score=0)
    assert pseudonym in {r["pseudonym"] for r in mine} and {r["assignee"] for r in mine} == {"admin"}
    _, unassigned = _all_rows(app_client, assignee="-", min_score=0)
    assert pseudonym not in {r["pseudonym"] for r in unassigned}

    closed = app_client.post(f"/users/{pseudonym}/status", data={"csrf_token": token, "status": "closed"})
    assert closed.status_code == 303
    entry = audit_entries(web_home)[-1]
    assert (entry["action"], entry["target"], entry["details"]) == ("person.status", user_id, {"status": "closed"})
    assert pseudonym not in {r["pseudonym"] for r in _all_rows(app_client, min_score=0)[1]}  # open people only
    assert pseudonym in {r["pseudonym"] for r in _all_rows(app_client, min_score=0, status="closed")[1]}


def test_viewers_read_but_cannot_triage_and_forms_need_the_token(app_client: TestClient, web_home: Home) -> None:
    _, pseudonym, days = _person(app_client, web_home, 5)
    login(app_client, "viewer")
    page = app_client.get(f"/alerts/{pseudonym}/{days[0]}").text
    assert 'data-testid="confirm"' not in page and 'data-testid="escalate"' not in page
    token = csrf_of(page)  # the sign-out form's
    for url, data in [
        (f"/alerts/{pseudonym}/{days[0]}/confirm", {}),
        ("/alerts/dismiss", {"alert": f"{pseudonym}|{days[0]}", "disposition": "duplicate"}),
        (f"/alerts/{pseudonym}/{days[0]}/escalate", {}),
        (f"/users/{pseudonym}/assign", {"assignee": "viewer"}),
        (f"/users/{pseudonym}/status", {"status": "closed"}),
    ]:
        assert app_client.post(url, data={"csrf_token": token, **data}).status_code == 403, url
    login(app_client, "analyst")
    entries = len(audit_entries(web_home))
    stale = app_client.post(f"/alerts/{pseudonym}/{days[0]}/confirm", data={"csrf_token": "forged"})
    assert stale.status_code == 403 and len(audit_entries(web_home)) == entries
    elsewhere = app_client.post(
        "/alerts/dismiss",
        data={"csrf_token": csrf_of(app_client.get("/alerts").text), "alert": f"{pseudonym}|{days[0]}",
              "disposition": "duplicate", "back": "//evil.example/x"},
    )  # fmt: skip
    assert elsewhere.headers["location"] == "/alerts"  # a form never sends the browser to another site


def test_the_alert_page_hides_zero_reasons_and_lists_triggering_events_first(app_client: TestClient) -> None:
    store = app_store(app_client)
    try:
        found = store.con.execute(
            "SELECT user_id, day, reasons FROM scores WHERE reasons LIKE '%, 0 cloud uploads%' ORDER BY score DESC"
            " LIMIT 1"
        ).fetchall()
    finally:
        store.close()
    if not found:
        pytest.fail("the scored home has no alert whose reasons state a zero count")
    user_id, day, raw = found[0]
    login(app_client, "viewer")
    page = app_client.get(f"/alerts/{_pseudonym_of(app_client, user_id)}/{day}").text
    reasons = re.search(r'data-testid="alert-reasons">(.*?)</ul>', page, re.S)[1]  # type: ignore[index]
    assert "0 cloud uploads" in raw and "0 cloud uploads" not in reasons
    assert not re.search(r"(?<![\d.(])0 [a-z]", re.sub(r"\([^)]*\)", "", reasons)), reasons
    rows = re.findall(r"<tr( class=\"trigger\")?[^>]*><td class=\"nowrap\">\d\d:", page)
    flags = [bool(cls) for cls in rows]
    assert flags and flags[0], "no triggering event listed"
    assert flags == sorted(flags, reverse=True), "a triggering event after an ordinary one"


def _pseudonym_of(client: TestClient, user_id: str) -> str:
    pseudonym: str = client.app.state.web.names.of(user_id)  # type: ignore[attr-defined]
    return pseudonym


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("18 files to removable media (18.0x their median), 0 cloud uploads, 0 attachments to personal mail, 2 days"
         " before their last day", ["18 files to removable media (18.0x their median), 2 days before their last day"]),
        ("154 files in 7 days, 32x the usual high (theirs 0, peers' 0)",
         ["154 files in 7 days, 32x the usual high (theirs 0, peers' 0)"]),
        ("0 cloud uploads, 0 attachments to personal mail; 3 upload(s) to leak sites", ["3 upload(s) to leak sites"]),
        ("10 events (0 after-hours events today)", ["10 events (0 after-hours events today)"]),
        ("", []),
    ],
)  # fmt: skip
def test_shown_reasons_drop_zero_counts_only(raw: str, shown: list[str]) -> None:
    assert alert_view.shown_reasons(raw) == shown


def test_a_closed_person_comes_back_with_a_later_alert(app_client: TestClient, web_home: Home) -> None:
    user_id, pseudonym, days = _person(app_client, web_home, 4, min_alerts=2)
    store = app_store(app_client)
    try:
        desk = triage.TriageDesk(web_home, store)
        desk.set_status(user_id, triage.Status.CLOSED, by="analyst")
        login(app_client, "viewer")
        assert pseudonym not in {r["pseudonym"] for r in _all_rows(app_client, min_score=0)[1]}
        from contextlib import closing

        from molehunt.workbench import ops

        with closing(ops.connect(web_home)) as con:  # as if closed before the newest alert arrived
            con.execute("UPDATE triage_people SET seen_through = ? WHERE user_id = ?", [str(days[-1]), user_id])
        rows = {r["pseudonym"]: r for r in _all_rows(app_client, min_score=0)[1]}
        assert rows[pseudonym]["status"] == "new"
    finally:
        store.close()
