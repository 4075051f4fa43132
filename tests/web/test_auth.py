"""Sign-in, sessions, CSRF, rate limit, headers and role checks on every route."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from molehunt.config import Home
from molehunt.web.security import CONTENT_SECURITY_POLICY

from .conftest import PASSWORD, audit_entries, csrf_of, login

PAGES = ["/alerts", "/cases", "/rules", "/sources", "/cases/1", "/users/P-AAAAAAAA", "/sources/1/quarantine",
         "/alerts/P-AAAAAAAA/2010-01-04", "/cases/1/evidence.csv", "/"]  # fmt: skip
FORMS = ["/alerts/dismiss", "/users/P-AAAAAAAA/reveal", "/cases", "/cases/1/assign", "/cases/1/status",
         "/cases/1/notes", "/rules/decoy-touched", "/logout"]  # fmt: skip


@pytest.mark.parametrize("path", PAGES)
def test_pages_need_a_session(app_client: TestClient, path: str) -> None:
    app_client.cookies.clear()
    response = app_client.get(path)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login") or path == "/"


@pytest.mark.parametrize("path", FORMS)
def test_forms_need_a_session(app_client: TestClient, path: str) -> None:
    app_client.cookies.clear()
    response = app_client.post(path, data={"csrf_token": "x"})
    assert response.status_code == 303 and response.headers["location"].startswith("/login")


@pytest.mark.parametrize("path", [p for p in FORMS if p != "/logout"])
def test_forms_refuse_a_missing_or_wrong_csrf_token(app_client: TestClient, path: str) -> None:
    login(app_client, "admin")
    for data in ({}, {"csrf_token": "forged"}):
        response = app_client.post(path, data=data)
        assert response.status_code == 403, (path, response.status_code)
        assert "security token" in response.text


def test_login_sets_a_strict_http_only_cookie_and_logout_ends_it(app_client: TestClient) -> None:
    app_client.cookies.clear()
    page = app_client.get("/login")
    response = app_client.post(
        "/login", data={"username": "viewer", "password": PASSWORD, "csrf_token": csrf_of(page.text)}
    )
    assert response.status_code == 303
    cookie = next(h for h in response.headers.get_list("set-cookie") if h.startswith("molehunt_session="))
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie
    home = app_client.get("/alerts")
    assert home.status_code == 200
    token = app_client.cookies.get("molehunt_session")
    assert app_client.post("/logout", data={"csrf_token": csrf_of(home.text)}).status_code == 303
    app_client.cookies.set("molehunt_session", token or "")
    assert app_client.get("/alerts").status_code == 303  # the old token no longer works


def test_login_form_needs_its_csrf_token(app_client: TestClient) -> None:
    app_client.cookies.clear()
    app_client.get("/login")
    response = app_client.post("/login", data={"username": "viewer", "password": PASSWORD, "csrf_token": "nope"})
    assert response.status_code == 403


def test_wrong_password_is_refused_logged_and_rate_limited(app_client: TestClient, web_home: Home) -> None:
    app_client.cookies.clear()
    codes = []
    for _ in range(6):
        page = app_client.get("/login")
        codes.append(
            app_client.post(
                "/login", data={"username": "analyst", "password": "wrong password!", "csrf_token": csrf_of(page.text)}
            ).status_code
        )
    assert codes == [401] * 5 + [429]
    page = app_client.get("/login")
    right = app_client.post(
        "/login", data={"username": "analyst", "password": PASSWORD, "csrf_token": csrf_of(page.text)}
    )
    assert right.status_code == 429  # still locked for this account, even with the right password
    assert sum(1 for e in audit_entries(web_home) if e["action"] == "login.failed" and e["actor"] == "analyst") == 5
    app_client.app.state.web.limiter._failures.clear()  # type: ignore[attr-defined]


def test_login_never_redirects_off_site(app_client: TestClient) -> None:
    app_client.cookies.clear()
    page = app_client.get("/login")
    response = app_client.post(
        "/login",
        data={"username": "viewer", "password": PASSWORD, "csrf_token": csrf_of(page.text), "next": "//evil.example/x"},
    )
    assert response.headers["location"] == "/alerts"


def test_security_headers_on_every_page(app_client: TestClient) -> None:
    login(app_client, "viewer")
    for path in ("/login", "/alerts", "/rules", "/sources"):
        headers = app_client.get(path).headers
        assert headers["content-security-policy"] == CONTENT_SECURITY_POLICY
        assert "script-src" not in CONTENT_SECURITY_POLICY and "default-src 'none'" in CONTENT_SECURITY_POLICY
        assert headers["x-frame-options"] == "DENY" and headers["x-content-type-options"] == "nosniff"
        assert headers["cache-control"] == "no-store"


def test_no_api_docs_are_exposed(app_client: TestClient) -> None:
    for path in ("/docs", "/redoc", "/openapi.json"):
        assert app_client.get(path).status_code == 404


@pytest.mark.parametrize(
    ("role", "path", "allowed"),
    [
        ("viewer", "/users/{p}/reveal", False),
        ("viewer", "/alerts/dismiss", False),
        ("viewer", "/cases", False),
        ("analyst", "/rules/decoy-touched", False),
        ("viewer", "/rules/decoy-touched", False),
    ],
)
def test_roles_are_checked(app_client: TestClient, role: str, path: str, allowed: bool) -> None:
    login(app_client, role)
    page = app_client.get("/alerts")
    response = app_client.post(path.format(p="P-AAAAAAAA"), data={"csrf_token": csrf_of(page.text)})
    assert (response.status_code != 403) is allowed
    assert "role" in response.text


def test_viewer_may_not_export_evidence_or_read_quarantine(app_client: TestClient) -> None:
    login(app_client, "viewer")
    assert app_client.get("/cases/1/evidence.json").status_code == 403
    assert app_client.get("/sources/1/quarantine").status_code == 403
