"""A dashboard over a copy of the shared scored store, with one account per role."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import closing, contextmanager

import pytest
from fastapi.testclient import TestClient

from molehunt.config import Home
from molehunt.store import Store
from molehunt.web import create_app
from molehunt.web.context import Web
from molehunt.workbench import ops
from molehunt.workbench.accounts import Role, add_user
from tests.homes import copy_of

PASSWORD = "correct horse battery"


@pytest.fixture(scope="session")
def users_home(scored_home: Home, tmp_path_factory: pytest.TempPathFactory) -> Home:
    """The shared scored home with an account per role, made once a worker (hashing four passwords takes about a
    second): modules copy it rather than add the accounts again, and must not change it."""
    home = copy_of(scored_home, tmp_path_factory.mktemp("users") / "home")
    add_users(home, *Role)
    return home


@pytest.fixture(scope="module")
def web_home(users_home: Home, tmp_path_factory: pytest.TempPathFactory) -> Home:
    return copy_of(users_home, tmp_path_factory.mktemp("web") / "home")


def add_users(home: Home, *roles: Role) -> None:
    """An account per role, named after it, in the home's operational store."""
    with closing(ops.connect(home)) as con:
        for role in roles:
            add_user(con, role.value, role, PASSWORD)


@pytest.fixture(scope="module")
def app_client(web_home: Home) -> Iterator[TestClient]:
    with TestClient(create_app(web_home, warm=0), follow_redirects=False) as client:
        yield client


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "the page has no CSRF token"
    return found[1]


def login(client: TestClient, name: str, password: str = PASSWORD) -> None:
    client.cookies.clear()
    page = client.get("/login")
    response = client.post(
        "/login", data={"username": name, "password": password, "csrf_token": csrf_of(page.text), "next": "/alerts"}
    )
    assert response.status_code == 303, response.text


@pytest.fixture
def as_role(app_client: TestClient) -> Iterator[object]:
    def sign_in(role: str) -> TestClient:
        login(app_client, role)
        return app_client

    yield sign_in
    app_client.cookies.clear()


def audit_entries(home: Home) -> list[dict[str, object]]:
    from molehunt.audit import AuditLog

    with AuditLog.open(home.root / "audit", home.root / "keys") as log:
        return [log.entry(i).to_json() for i in range(log.size)]


def first_alert(html: str) -> tuple[str, str]:
    found = re.search(r'href="/alerts/(P-[A-Z2-7]{8})/(\d{4}-\d{2}-\d{2})"', html)
    assert found, "no alert on the page"
    return found[1], found[2]


def app_store(client: TestClient) -> Store:
    """A read-only store over the snapshot the app's pages read (writes: app_writable)."""
    store: Store = client.app.state.web.cursor()  # type: ignore[attr-defined]
    return store


@contextmanager
def app_writable(client: TestClient) -> Iterator[Store]:
    """The analytics store opened read-write as the app's own actions open it, published afterwards so the pages
    (which read the published snapshot) see what the test wrote."""
    web: Web = client.app.state.web  # type: ignore[attr-defined]
    with web.writable() as store:
        yield store
        web.publish(store)


def real_ids(client: TestClient) -> set[str]:
    store = app_store(client)
    try:
        return {row[0] for row in store.con.execute("SELECT DISTINCT user_id FROM scores").fetchall()}
    finally:
        store.close()
