"""The person page's protection section: analysts see the level, its reasons and since, and set or lift it with a
reason (audited first); viewers and the person themselves never see it."""

from __future__ import annotations

from contextlib import closing

from fastapi.testclient import TestClient

from molehunt import opstore
from molehunt.config import Home
from molehunt.protect import Level, level_of
from molehunt.workbench.accounts import Role, add_user

from .conftest import PASSWORD, audit_entries, csrf_of, login, real_ids


def test_analyst_sets_and_lifts_a_level_with_a_reason(app_client: TestClient, web_home: Home) -> None:
    user = sorted(real_ids(app_client))[0]
    pseudonym = app_client.app.state.web.names.of(user)  # type: ignore[attr-defined]
    login(app_client, "analyst")
    page = app_client.get(f"/users/{pseudonym}")
    assert 'data-testid="protection-level">none<' in page.text
    token = csrf_of(page.text)
    assert app_client.post(f"/users/{pseudonym}/protection", data={"level": "high"}).status_code == 403  # no token
    blank = app_client.post(f"/users/{pseudonym}/protection", data={"csrf_token": token, "level": "high"})
    assert blank.status_code == 400
    bogus = {"csrf_token": token, "level": "extreme", "reason": "no such level"}
    assert app_client.post(f"/users/{pseudonym}/protection", data=bogus).status_code == 400

    reason = "copied the Orion plans to a USB stick (case 12)"
    done = app_client.post(
        f"/users/{pseudonym}/protection", data={"csrf_token": token, "level": "high", "reason": reason}
    )
    assert done.status_code == 303
    entry = audit_entries(web_home)[-1]
    assert (entry["actor"], entry["action"], entry["target"]) == ("analyst", "protect.change", user)
    assert entry["details"] == {"level": "high", "reasons": [reason], "source": "analyst"}
    shown = app_client.get(f"/users/{pseudonym}").text
    assert 'data-testid="protection-level">high<' in shown and reason in shown and "set by analyst" in shown

    login(app_client, "viewer")
    assert 'data-testid="person-protection"' not in app_client.get(f"/users/{pseudonym}").text
    login(app_client, "analyst")  # a new session, a new token
    token = csrf_of(app_client.get(f"/users/{pseudonym}").text)
    lift = {"csrf_token": token, "level": "none", "reason": "case 12 closed: the stick was returned"}
    assert app_client.post(f"/users/{pseudonym}/protection", data=lift).status_code == 303
    with closing(opstore.connect(web_home)) as con:
        assert level_of(con, user).level is Level.NONE


def test_nobody_sees_or_sets_their_own_level(app_client: TestClient, web_home: Home) -> None:
    user = sorted(real_ids(app_client))[1]
    pseudonym = app_client.app.state.web.names.of(user)  # type: ignore[attr-defined]
    with closing(opstore.connect(web_home)) as con:
        add_user(con, user, Role.ANALYST, PASSWORD)  # the person has a dashboard account of their own
    login(app_client, user)
    page = app_client.get(f"/users/{pseudonym}")
    assert page.status_code == 200 and 'data-testid="person-protection"' not in page.text
    own = {"csrf_token": csrf_of(page.text), "level": "none", "reason": "lifting my own level"}
    refused = app_client.post(f"/users/{pseudonym}/protection", data=own)
    assert refused.status_code == 403 and "their own protection level" in refused.text
    assert audit_entries(web_home)[-1]["action"] != "protect.change"
