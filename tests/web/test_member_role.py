"""A member (someone who only uses the vault) signs in to the vault and sees nothing of detection: least privilege
for the people the vault serves."""

from __future__ import annotations

from fastapi.testclient import TestClient

from molehunt.config import Home
from molehunt.vault.service import Vault

from .conftest import app_writable, login


def test_a_member_gets_the_vault_and_nothing_of_detection(app_client: TestClient, web_home: Home) -> None:
    app_client.cookies.clear()
    login(app_client, "member")
    start = app_client.get("/", follow_redirects=False)
    assert start.status_code == 303 and start.headers["location"] == "/vault"
    vault = app_client.get("/vault")
    assert vault.status_code == 200
    assert 'data-testid="nav-alerts"' not in vault.text and 'data-testid="nav-search"' not in vault.text
    for page in ("/alerts", "/users", "/cases", "/rules", "/sources", "/search?q=PC", "/audit"):
        assert app_client.get(page).status_code == 403, page
    assert app_client.get("/api/vault/documents").status_code == 403  # no clearance yet: the vault's own refusal
    with app_writable(app_client) as store:
        Vault(web_home, store).grant("member", "CONFIDENTIAL", ["apollo"])
    listed = app_client.get("/api/vault/documents")
    assert listed.status_code == 200 and isinstance(listed.json(), list)
