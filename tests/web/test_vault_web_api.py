"""The vault's JSON API for scripts: the session cookie is the account, a POST needs the X-CSRF-Token header, and
there is no user parameter to claim someone else."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from molehunt.config import Home
from molehunt.trace.carriers.text import STRIP_MARKS
from molehunt.vault.service import Vault

from .conftest import app_writable, audit_entries, login

PLAN = b"# Hermes relay schedule\nRelay three switches at 04:10.\n"


def _setup(client: TestClient, home: Home, tmp_path: Path) -> tuple[str, str]:
    with app_writable(client) as store:
        vault = Vault(home, store)
        vault.grant("analyst", "SECRET", ["hermes"])
        vault.grant("viewer", "CONFIDENTIAL", ["ares"])
        vault.grant("keeper", "CONFIDENTIAL", ["hermes"])
        plan = tmp_path / "relay.md"
        plan.write_bytes(PLAN)
        secret = vault.add(plan, "SECRET", "hermes", as_user="analyst")
        other = vault.add(plan, "CONFIDENTIAL", "hermes", as_user="keeper")
    return secret, other


def test_api_needs_a_session(app_client: TestClient) -> None:
    app_client.cookies.clear()
    response = app_client.get("/api/vault/documents")
    assert response.status_code == 401 and "sign in" in response.json()["error"]
    assert app_client.get("/api/vault/documents/anything").status_code == 401


def test_api_lists_reads_and_checks_out_as_the_signed_in_account(
    app_client: TestClient, web_home: Home, tmp_path: Path
) -> None:
    secret, other = _setup(app_client, web_home, tmp_path)
    login(app_client, "analyst")
    listed = app_client.get("/api/vault/documents")
    assert listed.status_code == 200
    assert {d["doc_id"]: d["label"] for d in listed.json()}[secret] == "SECRET"

    # A user parameter is ignored: the copy and its audit entry are the signed-in account's.
    read = app_client.get(f"/api/vault/documents/{secret}", params={"as": "viewer", "user": "viewer"})
    assert read.status_code == 200 and "Relay three switches" in read.text.translate(STRIP_MARKS)
    assert read.text != PLAN.decode()  # the copy carries the reader's fingerprint
    last = audit_entries(web_home)[-1]
    assert (last["actor"], last["action"], last["target"]) == ("analyst", "read", secret)

    no_header = app_client.post(f"/api/vault/documents/{secret}/checkout")
    assert no_header.status_code == 403 and "X-CSRF-Token" in no_header.json()["error"]
    wrong = app_client.post(f"/api/vault/documents/{secret}/checkout", headers={"X-CSRF-Token": "guess"})
    assert wrong.status_code == 403

    token = app_client.get("/api/session").json()
    assert token["user"] == "analyst"
    copy = app_client.post(f"/api/vault/documents/{secret}/checkout", headers={"X-CSRF-Token": token["csrf_token"]})
    assert copy.status_code == 200 and copy.headers["x-molehunt-fingerprint"] == "yes"
    entry = audit_entries(web_home)[int(copy.headers["x-molehunt-audit-entry"])]
    assert (entry["actor"], entry["action"], entry["target"]) == ("analyst", "checkout", secret)

    login(app_client, "viewer")  # cleared for another project: refused, as JSON with the reason
    assert secret not in {d["doc_id"] for d in app_client.get("/api/vault/documents").json()}
    denied = app_client.get(f"/api/vault/documents/{other}")
    assert denied.status_code == 403 and "denied" in denied.json()["error"]
    last = audit_entries(web_home)[-1]
    assert (last["actor"], last["action"], last["details"]["decision"]) == ("viewer", "read", "deny")  # type: ignore[index]

    login(app_client, "admin")  # no clearance
    refused = app_client.get("/api/vault/documents")
    assert refused.status_code == 403 and "no vault clearance" in refused.json()["error"]
