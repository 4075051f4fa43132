"""The two-person rule in the dashboard: a person at high is held (told only that it needs approval), an approver
approves on /approvals, and the requester's next read goes through once; nobody decides their own request."""

from __future__ import annotations

import re
from contextlib import closing
from pathlib import Path

from fastapi.testclient import TestClient

from molehunt import opstore
from molehunt.config import Home
from molehunt.protect import Level, set_level
from molehunt.trace.carriers.text import STRIP_MARKS
from molehunt.vault.service import Vault

from .conftest import app_writable, audit_entries, csrf_of, login

PLAN = b"# Athena budget\nLine 7: the reserve moves to Q3.\n"


def _setup(client: TestClient, home: Home, tmp_path: Path) -> str:
    with app_writable(client) as store:
        vault = Vault(home, store)
        vault.grant("viewer", "SECRET", ["athena"])
        vault.grant("analyst", "SECRET", ["athena"], approver=True)
        plan = tmp_path / "budget.md"
        plan.write_bytes(PLAN)
        return vault.add(plan, "SECRET", "athena", as_user="analyst")


def _high(home: Home, user: str) -> None:
    with closing(opstore.connect(home)) as con:
        set_level(con, user, Level.HIGH, ["set by the test"], source="analyst", by="test")


def _held_id(html: str) -> str:
    found = re.search(r'data-testid="held-request">([^<]+)<', html)
    assert found, "the page names no held request"
    return found[1]


def test_held_read_approved_in_the_dashboard_then_delivered_once(
    app_client: TestClient, web_home: Home, tmp_path: Path
) -> None:
    doc = _setup(app_client, web_home, tmp_path)
    _high(web_home, "viewer")
    login(app_client, "viewer")
    held = app_client.get(f"/vault/{doc}")
    assert held.status_code == 202 and "needs a second person" in held.text
    assert "high" not in held.text.lower() and "risk" not in held.text.lower()  # never told why
    request = _held_id(held.text)
    api = app_client.get(f"/api/vault/documents/{doc}")
    assert api.status_code == 202 and api.json()["held"] is True and api.json()["request"] != request
    assert app_client.get("/approvals").status_code == 403  # not an approver

    login(app_client, "analyst")
    page = app_client.get("/approvals")
    assert page.status_code == 200 and request in page.text and "budget.md" in page.text
    pseudonym = app_client.app.state.web.names.of("viewer")  # type: ignore[attr-defined]
    assert pseudonym in page.text
    no_reason = app_client.post(f"/approvals/{request}", data={"csrf_token": csrf_of(page.text), "decision": "approve"})
    assert no_reason.status_code == 400
    done = app_client.post(
        f"/approvals/{request}",
        data={"csrf_token": csrf_of(page.text), "decision": "approve", "reason": "ticket 4411, budget review"},
    )
    assert done.status_code == 303 and request not in app_client.get("/approvals").text
    entry = audit_entries(web_home)[-1]
    assert (entry["actor"], entry["action"], entry["target"]) == ("analyst", "approve", request)
    denied = app_client.post(
        f"/approvals/{api.json()['request']}",
        data={"csrf_token": csrf_of(page.text), "decision": "deny", "reason": "not needed for the review"},
    )
    assert denied.status_code == 303
    assert audit_entries(web_home)[-1]["action"] == "deny"

    login(app_client, "viewer")
    read = app_client.get(f"/vault/{doc}")
    assert read.status_code == 200 and "reserve moves to Q3" in read.text.translate(STRIP_MARKS)
    assert app_client.get(f"/vault/{doc}").status_code == 202  # the approval is used once


def test_an_approver_never_decides_their_own_request(app_client: TestClient, web_home: Home, tmp_path: Path) -> None:
    doc = _setup(app_client, web_home, tmp_path)
    _high(web_home, "analyst")
    login(app_client, "analyst")
    listing = app_client.get("/vault").text
    held = app_client.post(f"/vault/{doc}/checkout", data={"csrf_token": csrf_of(listing)})
    assert held.status_code == 202
    request = _held_id(held.text)
    page = app_client.get("/approvals")
    assert "your own request" in page.text
    refused = app_client.post(
        f"/approvals/{request}", data={"csrf_token": csrf_of(page.text), "decision": "approve", "reason": "myself"}
    )
    assert refused.status_code == 403 and "their own request" in refused.text
    assert app_client.post(f"/vault/{doc}/checkout", data={"csrf_token": csrf_of(listing)}).status_code == 202
