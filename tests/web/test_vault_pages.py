"""The vault through the dashboard: the account name is the vault subject and the vault's policy decides."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from molehunt.config import Home
from molehunt.trace.carriers.text import STRIP_MARKS
from molehunt.vault.service import Vault

from .conftest import app_writable, audit_entries, csrf_of, login

PLAN = b"# Apollo launch plan\nStage two ignition at T+152 s.\n"


def _setup(client: TestClient, home: Home, tmp_path: Path) -> tuple[str, str]:
    with app_writable(client) as store:
        vault = Vault(home, store)
        vault.grant("analyst", "SECRET", ["apollo"])
        vault.grant("viewer", "CONFIDENTIAL", ["zeus"])
        vault.grant("keeper", "CONFIDENTIAL", ["apollo"])
        plan = tmp_path / "plan.md"
        plan.write_bytes(PLAN)
        allowed = vault.add(plan, "SECRET", "apollo", as_user="analyst")
        hidden = vault.add(plan, "CONFIDENTIAL", "apollo", as_user="keeper")
    return allowed, hidden


def test_list_read_checkout_and_denial(app_client: TestClient, web_home: Home, tmp_path: Path) -> None:
    allowed, hidden = _setup(app_client, web_home, tmp_path)
    login(app_client, "analyst")
    listing = app_client.get("/vault").text
    assert f'href="/vault/{allowed}"' in listing
    read = app_client.get(f"/vault/{allowed}")
    assert read.status_code == 200 and "Stage two ignition" in read.text.translate(STRIP_MARKS)
    copy = app_client.post(f"/vault/{allowed}/checkout", data={"csrf_token": csrf_of(listing)})
    assert copy.status_code == 200 and copy.headers["x-molehunt-fingerprint"] == "yes"
    assert "attachment" in copy.headers["content-disposition"]
    entry = audit_entries(web_home)[int(copy.headers["x-molehunt-audit-entry"])]
    assert (entry["actor"], entry["action"], entry["target"]) == ("analyst", "checkout", allowed)
    with app_writable(app_client) as store:  # a checkout reaches the published snapshot with the next run
        rows = store.con.execute("SELECT recipient, out_path FROM vault_checkouts WHERE doc_id = ?", [allowed])
        assert rows.fetchall() == [("analyst", "web download")]

    login(app_client, "viewer")  # cleared for another project only
    listing = app_client.get("/vault").text
    assert allowed not in listing and hidden not in listing
    denied = app_client.get(f"/vault/{hidden}")
    assert denied.status_code == 403 and "denied" in denied.text
    last = audit_entries(web_home)[-1]
    assert (last["actor"], last["action"], last["details"]["decision"]) == ("viewer", "read", "deny")  # type: ignore[index]
    assert app_client.post(f"/vault/{hidden}/checkout", data={}).status_code == 403  # no CSRF token

    login(app_client, "admin")  # no clearance at all
    assert "has no vault clearance" in app_client.get("/vault").text
