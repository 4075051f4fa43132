"""Sign-in, sessions, CSRF, rate limit, headers and role checks on every route."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from molehunt.config import Home
from molehunt.web import security
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


class _Clock:
    """time.monotonic as the sign-in limiter sees it, moved by hand (no test sleeps)."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(app_client: TestClient, monkeypatch: pytest.MonkeyPatch) -> Iterator[_Clock]:
    fake = _Clock()
    monkeypatch.setattr(security.time, "monotonic", fake)
    app_client.app.state.web.limiter = security.LoginLimiter()  # type: ignore[attr-defined]
    app_client.cookies.clear()
    yield fake
    app_client.app.state.web.limiter = security.LoginLimiter()  # type: ignore[attr-defined]
    app_client.cookies.clear()


def _try(client: TestClient, name: str, password: str) -> int:
    client.cookies.clear()
    page = client.get("/login")
    response = client.post("/login", data={"username": name, "password": password, "csrf_token": csrf_of(page.text)})
    return response.status_code


def test_wrong_passwords_slow_the_account_down_but_never_lock_out_its_owner(
    app_client: TestClient, web_home: Home, clock: _Clock
) -> None:
    codes = [_try(app_client, "analyst", "wrong password!") for _ in range(6)]
    assert codes[:3] == [401] * 3 and codes[-1] == 429  # a guesser is slowed down at once
    assert _try(app_client, "analyst", PASSWORD) == 429  # even the right password waits out the backoff
    assert _try(app_client, "viewer", PASSWORD) == 303  # other accounts from the same address are not locked out
    clock.now += security.MAX_DELAY
    assert _try(app_client, "analyst", PASSWORD) == 303  # the owner signs in after at most the cap
    failed = [e for e in audit_entries(web_home) if e["action"] == "login.failed" and e["actor"] == "analyst"]
    assert len(failed) == codes.count(401)  # refused attempts never reached the password check


def test_the_backoff_doubles_up_to_its_cap(clock: _Clock) -> None:
    limiter, waits = security.LoginLimiter(), []
    for i in range(10):
        wait = limiter.wait("someone", f"10.0.0.{i}")
        waits.append(wait)
        clock.now += wait
        assert limiter.admit("someone", f"10.0.0.{i}") == 0
    free, base = security.FREE_FAILURES, security.BASE_DELAY
    assert waits == [0.0] * free + [min(base * 2**k, security.MAX_DELAY) for k in range(10 - free)]
    assert waits[-1] == security.MAX_DELAY
    clock.now += security.MAX_DELAY + security.FORGET_AFTER + 1
    assert limiter.admit("someone", "10.0.0.10") == 0
    assert limiter.wait("someone", "10.0.0.10") == 0  # a quiet account starts afresh: the failure was free again
    for _ in range(security.FREE_FAILURES):
        limiter.admit("someone", "10.0.0.10")
    assert limiter.wait("someone", "10.0.0.10") > 0
    limiter.succeeded("someone", "10.0.0.10")
    assert limiter.wait("someone", "10.0.0.10") == 0  # the right password resets the account's backoff


def test_many_accounts_tried_from_one_address_are_limited_per_address(app_client: TestClient, clock: _Clock) -> None:
    codes = [_try(app_client, f"nobody{i}", "wrong password!") for i in range(security.ADDRESS_FAILURES + 1)]
    assert codes == [401] * security.ADDRESS_FAILURES + [429]
    clock.now += security.ADDRESS_WINDOW
    assert _try(app_client, "viewer", PASSWORD) == 303


def test_a_password_typed_as_the_name_stays_out_of_the_log(
    app_client: TestClient, web_home: Home, clock: _Clock
) -> None:
    secret = "Tr0ub4dor-and-3"
    assert _try(app_client, secret, PASSWORD) == 401
    entries = audit_entries(web_home)
    assert secret not in json.dumps(entries)
    assert entries[-1]["action"] == "login.failed" and entries[-1]["actor"] == "unknown account"


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
