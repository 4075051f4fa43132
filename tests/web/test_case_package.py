"""A case from an alert to an exported evidence package: several alerts, priority, disposition, timeline, and a
package that `molehunt audit verify-package` accepts offline and that fails once anything in it is changed."""

from __future__ import annotations

import json
import re
from pathlib import Path

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from molehunt.cli import app
from molehunt.config import Home

from .conftest import app_store, audit_entries, csrf_of, first_alert, login

runner = CliRunner()


def _other_alert_day(client: TestClient, pseudonym: str, day: str) -> str:
    """Another scored day of the same person (the case's second alert)."""
    user = client.app.state.web.names  # type: ignore[attr-defined]
    store = app_store(client)
    try:
        rows = store.con.execute("SELECT user_id, day FROM scores ORDER BY score DESC").fetchall()
    finally:
        store.close()
    return next(str(d) for u, d in rows if user.of(u) == pseudonym and str(d) != day)


def test_a_case_holds_alerts_and_exports_a_package_that_verifies_offline(
    app_client: TestClient, web_home: Home, tmp_path: Path
) -> None:
    login(app_client, "analyst")
    page = app_client.get("/alerts").text
    pseudonym, day = first_alert(page)
    token = csrf_of(page)
    opened = app_client.post("/cases", data={"csrf_token": token, "pseudonym": pseudonym, "day": day, "title": "USB"})
    case_url = opened.headers["location"]
    case_id = int(case_url.rsplit("/", 1)[1])
    second = _other_alert_day(app_client, pseudonym, day)
    assert app_client.post(f"{case_url}/alerts", data={"csrf_token": token, "day": second}).status_code == 303
    assert app_client.post(f"{case_url}/alerts", data={"csrf_token": token, "day": "1999-01-01"}).status_code == 400
    facts = {"csrf_token": token, "priority": "high", "disposition": "referred-hr"}
    assert app_client.post(f"{case_url}/facts", data=facts).status_code == 303
    assert (
        app_client.post(f"{case_url}/notes", data={"csrf_token": token, "text": "copied R&D files"}).status_code == 303
    )

    shown = app_client.get(case_url).text
    assert 'data-testid="case-priority">high' in shown and 'data-testid="case-disposition">referred-hr' in shown
    rows = re.findall(r'<tr><td><a href="/alerts/[^/]+/(\d{4}-\d{2}-\d{2})">', shown)
    assert sorted(rows) == sorted([day, second]) and '<svg class="spark"' in shown
    assert not re.search(r"(^|, |; |>)0 [a-z]", shown.split('data-testid="case-alerts"', 1)[1].split("</table>", 1)[0])

    exported = app_client.get(f"{case_url}/evidence.package")
    assert exported.status_code == 200
    assert exported.headers["content-disposition"].endswith(f'molehunt-case-{case_id}-evidence.package.json"')
    package = json.loads(exported.text)
    content = json.loads(package["content"])
    assert [a["day"] for a in content["alerts"]] == sorted([day, second])
    assert content["case"]["priority"] == "high" and content["case"]["subject"] == pseudonym
    assert content["timeline"] and content["events"]
    cited = {json.loads(e["entry"])["action"] for e in package["entries"]}
    assert {"case.open", "case.alert", "case.facts", "case.note", "case.export"} <= cited
    last = audit_entries(web_home)[-1]
    assert last["action"] == "case.export" and last["details"]["content_sha256"] == package["content_sha256"]

    path = tmp_path / "package.json"
    path.write_text(exported.text)
    verified = runner.invoke(app, ["audit", "verify-package", str(path)])
    assert verified.exit_code == 0, verified.output
    path.write_text(exported.text.replace("copied R&D files", "nothing of note"))
    assert runner.invoke(app, ["audit", "verify-package", str(path)]).exit_code == 2


def test_a_viewer_cannot_change_a_case_or_export_it(app_client: TestClient) -> None:
    login(app_client, "analyst")
    page = app_client.get("/alerts").text
    pseudonym, day = first_alert(page)
    opened = app_client.post(
        "/cases", data={"csrf_token": csrf_of(page), "pseudonym": pseudonym, "day": day, "title": "x"}
    )
    case_url = opened.headers["location"]
    login(app_client, "viewer")
    token = csrf_of(app_client.get(case_url).text)
    facts = {"csrf_token": token, "priority": "low", "disposition": "benign-explained"}
    assert app_client.post(f"{case_url}/facts", data=facts).status_code == 403
    assert app_client.get(f"{case_url}/evidence.package").status_code == 403
