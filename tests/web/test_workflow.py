"""The analyst's work through the pages: queue, alert, person, reveal, cases, evidence, rules, sources."""

from __future__ import annotations

import csv
import io
import json
import re
import time

from fastapi.testclient import TestClient

from molehunt.config import Home
from molehunt.detect.rules.settings import effective_rules
from molehunt.store import open_store
from molehunt.web import create_app

from .conftest import app_store, app_writable, audit_entries, csrf_of, first_alert, login, real_ids


def test_queue_shows_pseudonyms_not_user_ids(app_client: TestClient, web_home: Home) -> None:
    login(app_client, "viewer")
    page = app_client.get("/alerts").text
    assert re.findall(r"P-[A-Z2-7]{8}", page)
    assert not {uid for uid in real_ids(app_client) if uid in page}


def test_alert_and_person_pages(app_client: TestClient) -> None:
    login(app_client, "viewer")
    pseudonym, day = first_alert(app_client.get("/alerts").text)
    alert = app_client.get(f"/alerts/{pseudonym}/{day}")
    assert alert.status_code == 200 and 'data-testid="alert-reasons"' in alert.text
    person = app_client.get(f"/users/{pseudonym}", params={"day": day}).text
    assert 'data-testid="risk-plot" src="data:image/svg+xml;base64,' in person
    assert 'data-testid="heatmap"' in person and "Peers" in person
    assert 'data-testid="events"' in person and "Reveal identity" not in person  # viewers cannot reveal
    assert app_client.get("/users/P-AAAAAAAA").status_code == 404
    assert app_client.get(f"/alerts/{pseudonym}/1999-01-01").status_code == 404


def test_event_drill_down_pages(app_client: TestClient) -> None:
    login(app_client, "viewer")
    pseudonym, day = first_alert(app_client.get("/alerts").text)
    first = app_client.get(f"/users/{pseudonym}", params={"day": day}).text
    total, pages = map(int, re.search(r"\((\d+)[^;()]*; page 1 of (\d+)\)", first).groups())  # type: ignore[union-attr]
    assert total > 0
    if pages > 1:
        second = app_client.get(f"/users/{pseudonym}", params={"day": day, "page": 2}).text
        assert f"page 2 of {pages}" in second


def test_reveal_needs_a_justification_and_is_audited(app_client: TestClient, web_home: Home) -> None:
    login(app_client, "analyst")
    pseudonym, _ = first_alert(app_client.get("/alerts").text)
    page = app_client.get(f"/users/{pseudonym}").text
    assert 'data-testid="identity"' not in page
    short = app_client.post(f"/users/{pseudonym}/reveal", data={"csrf_token": csrf_of(page), "justification": "why"})
    assert short.status_code == 400
    why = "Case 12: HR asked who copied the files"
    done = app_client.post(f"/users/{pseudonym}/reveal", data={"csrf_token": csrf_of(page), "justification": why})
    assert done.status_code == 303
    shown = app_client.get(f"/users/{pseudonym}").text
    real = re.search(r'data-testid="identity">([^<]+)<', shown)[1]  # type: ignore[index]
    assert real in real_ids(app_client)
    entry = [e for e in audit_entries(web_home) if e["action"] == "reveal"][-1]
    assert (entry["actor"], entry["target"]) == ("analyst", real)
    assert entry["details"] == {"pseudonym": pseudonym, "justification": why}
    login(app_client, "admin")  # another session has not revealed anyone
    assert 'data-testid="identity"' not in app_client.get(f"/users/{pseudonym}").text


def test_case_lifecycle_and_evidence_export(app_client: TestClient, web_home: Home) -> None:
    login(app_client, "analyst")
    page = app_client.get("/alerts").text
    pseudonym, day = first_alert(page)
    token = csrf_of(page)
    opened = app_client.post("/cases", data={"csrf_token": token, "pseudonym": pseudonym, "day": day, "title": "USB"})
    assert opened.status_code == 303
    case_url = opened.headers["location"]
    case_id = int(case_url.rsplit("/", 1)[1])
    assert app_client.post(f"{case_url}/assign", data={"csrf_token": token, "assignee": "admin"}).status_code == 303
    assert (
        app_client.post(f"{case_url}/status", data={"csrf_token": token, "status": "investigating"}).status_code == 303
    )
    assert app_client.post(f"{case_url}/notes", data={"csrf_token": token, "text": "=HYPERLINK(1)"}).status_code == 303
    assert app_client.post(f"{case_url}/assign", data={"csrf_token": token, "assignee": "nobody"}).status_code == 400
    lost = app_client.post(f"{case_url}/status", data={"csrf_token": token, "status": "lost"})
    assert lost.status_code == 400 and "status" in lost.text and "<html" in lost.text
    shown = app_client.get(case_url).text
    assert 'data-testid="case-status">investigating' in shown and "=HYPERLINK(1)" in shown and pseudonym in shown
    listed = app_client.get("/cases", params={"status": "investigating"}).text
    assert case_url in listed
    data = app_client.get(f"{case_url}/evidence.json")
    assert data.headers["content-disposition"].endswith(f'molehunt-case-{case_id}-evidence.json"')
    evidence = json.loads(data.text)
    assert evidence["case"]["subject"] == pseudonym and evidence["case"]["assignee"] == "admin"
    assert evidence["events"] and all(e["source_file"] and e["line"] for e in evidence["events"])
    assert not {uid for uid in real_ids(app_client) if uid in data.text.replace(pseudonym, "")} - {"admin"}
    rows = list(csv.reader(io.StringIO(app_client.get(f"{case_url}/evidence.csv").text)))
    assert rows[0][0] == "# case" and rows[1][0] == "time" and len(rows) == 2 + len(evidence["events"])
    actions = [e["action"] for e in audit_entries(web_home) if e["target"] in (f"case:{case_id}",)]
    assert actions[:3] == ["case.assign", "case.status", "case.note"] and "case.export" in actions


def test_admin_changes_a_rule_and_scoring_would_use_it(app_client: TestClient, web_home: Home) -> None:
    login(app_client, "admin")
    page = app_client.get("/rules").text
    assert page.count('data-testid="rule"') >= 10
    token = csrf_of(page)
    key = "t:burst.cloud_uploads|gte"
    bad = app_client.post("/rules/cloud-upload-burst", data={"csrf_token": token, key: "lots"})
    assert bad.status_code == 400
    done = app_client.post("/rules/cloud-upload-burst", data={"csrf_token": token, key: "7"})  # enabled box unticked
    assert done.status_code == 303
    assert "(shipped: 3)" in app_client.get("/rules").text
    entry = [e for e in audit_entries(web_home) if e["action"] == "rule.change"][-1]
    assert entry["target"] == "cloud-upload-burst" and entry["details"]["enabled"] is False  # type: ignore[index]
    store = app_store(app_client)  # the snapshot published after the change: what the pages read
    rule = next(r for r in effective_rules(store) if r.id == "cloud-upload-burst")
    assert rule.enabled is False
    assert rule.selections[0].alternatives[0][0].value == 7
    store.close()
    again = app_client.post("/rules/cloud-upload-burst", data={"csrf_token": token, "enabled": "on", key: "3"})
    assert again.status_code == 303
    with open_store(web_home.store_path, read_only=True) as scoring:  # and what the next scoring run reads
        assert next(r for r in effective_rules(scoring) if r.id == "cloud-upload-burst").enabled


def test_sources_and_quarantine(app_client: TestClient) -> None:
    with app_writable(app_client) as store:
        con = store.con
        file_id = con.execute("SELECT min(file_id) FROM ingested_files").fetchall()[0][0]
        con.execute("INSERT INTO quarantine VALUES (?, 7, 'bad date', 'x,<script>alert(1)</script>')", [file_id])
        con.execute("UPDATE ingested_files SET rows_quarantined = rows_quarantined + 1 WHERE file_id = ?", [file_id])
    login(app_client, "analyst")
    listed = app_client.get("/sources").text
    assert f'href="/sources/{file_id}/quarantine"' in listed
    shown = app_client.get(f"/sources/{file_id}/quarantine").text
    assert "bad date" in shown and "&lt;script&gt;" in shown and "<script>" not in shown
    assert app_client.get("/sources/99999/quarantine").status_code == 404


def test_plots_of_the_riskiest_people_are_drawn_at_start_up(web_home: Home) -> None:
    with TestClient(create_app(web_home, warm=3)) as client:
        web = client.app.state.web  # type: ignore[attr-defined]
        for _ in range(200):
            if len(web._plots) >= 6:
                break
            time.sleep(0.05)
        assert {kind for kind, _ in web._plots} == {"timeline", "heatmap"}
        assert len({user for _, user in web._plots}) == 3


def test_ground_truth_files_are_for_admins_only(app_client: TestClient) -> None:
    login(app_client, "analyst")
    listed = app_client.get("/sources").text
    assert "answers/" not in listed.split("ground-truth file")[0] and "shown to admins only" in listed
    store = app_store(app_client)
    truth = store.con.execute("SELECT min(file_id) FROM ingested_files WHERE role = 'answers'").fetchall()[0][0]
    store.close()
    assert app_client.get(f"/sources/{truth}/quarantine").status_code == 404
    login(app_client, "admin")
    assert "answers/" in app_client.get("/sources").text
    assert app_client.get(f"/sources/{truth}/quarantine").status_code == 200


def test_unknown_pages_and_bad_queries_get_an_html_error_page(app_client: TestClient) -> None:
    login(app_client, "viewer")
    missing = app_client.get("/no/such/page")
    assert missing.status_code == 404 and "<html" in missing.text and "detail" not in missing.text
    bad = app_client.get("/alerts", params={"since": "yesterday"})
    assert bad.status_code == 400 and "since" in bad.text


def test_mail_addresses_are_pseudonymized_until_the_subject_is_revealed(app_client: TestClient) -> None:
    login(app_client, "analyst")
    store = app_store(app_client)
    emails = {row[0].lower() for row in store.con.execute("SELECT email FROM directory_users").fetchall()}
    user_id, day = store.con.execute(
        "SELECT e.user_id, CAST(e.time AS DATE) FROM events e WHERE e.kind = 'email' AND e.n_external > 0"
        " ORDER BY e.time LIMIT 1"
    ).fetchall()[0]
    pseudonym = app_client.app.state.web.names.of(user_id)  # type: ignore[attr-defined]
    store.close()
    page = app_client.get("/alerts").text
    case = app_client.post("/cases", data={"csrf_token": csrf_of(page), "pseudonym": pseudonym, "day": str(day)})
    export = app_client.get(f"{case.headers['location']}/evidence.json").json()
    sent = [r for e in export["events"] for r in e["recipients"]]
    assert sent and not {r.lower() for r in sent} & emails
    assert any(r.startswith("addr-") for r in sent)
    person = app_client.get(f"/users/{pseudonym}")
    app_client.post(
        f"/users/{pseudonym}/reveal", data={"csrf_token": csrf_of(person.text), "justification": "case evidence review"}
    )
    revealed = app_client.get(f"{case.headers['location']}/evidence.json").json()
    assert not any(r.startswith("addr-") for e in revealed["events"] for r in e["recipients"])


def test_the_person_page_shows_hr_events_to_analysts_and_counts_them_for_viewers(app_client: TestClient) -> None:
    store = app_store(app_client)
    try:  # someone the shared organization's HR export records an adverse event for
        user, event = store.con.execute(
            "SELECT user_id, event FROM hr_events WHERE regexp_matches(event, 'grievance|plan|warning|demotion|denied')"
            " ORDER BY user_id LIMIT 1"
        ).fetchall()[0]
    finally:
        store.close()
    pseudonym = app_client.app.state.web.names.of(user)  # type: ignore[attr-defined]
    login(app_client, "analyst")
    shown = re.search(r'data-testid="hr-events">(.*?)</dd>', app_client.get(f"/users/{pseudonym}").text)
    assert shown and event in shown[1] and "adverse" in shown[1]
    login(app_client, "viewer")
    counted = re.search(r'data-testid="hr-events">(.*?)</dd>', app_client.get(f"/users/{pseudonym}").text)
    assert counted and event not in counted[1]
    assert re.search(r"[1-9]\d* adverse of \d+ \(shown to analysts\)", counted[1])
