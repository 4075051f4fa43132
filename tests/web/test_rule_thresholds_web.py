"""Finding 7 of issue 20 through the dashboard: a threshold of nan or inf is refused with a clear message."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from molehunt.config import Home
from molehunt.detect.rules.settings import load_settings
from molehunt.web import create_app
from molehunt.workbench.accounts import Role

from .conftest import add_users, app_store, csrf_of, login

KEY = "bulk.vault_checkouts|gte"


@pytest.mark.parametrize("typed", ["nan", "inf", "-Infinity", "1e308"])
def test_the_rules_page_refuses_a_threshold_that_is_not_finite_or_in_range(tmp_path: Path, typed: str) -> None:
    home = Home(tmp_path / "home").ensure()
    add_users(home, Role.ADMIN)
    with TestClient(create_app(home, warm=0), follow_redirects=False) as client:
        login(client, "admin")
        token = csrf_of(client.get("/rules").text)
        answer = client.post(
            "/rules/vault-bulk-checkout", data={"csrf_token": token, "enabled": "on", f"t:{KEY}": typed}
        )
        assert answer.status_code == 400
        assert f"{KEY}: " in answer.text and ("not a finite number" in answer.text or "outside" in answer.text)
        store = app_store(client)
        try:
            assert load_settings(store) == {}
        finally:
            store.close()
