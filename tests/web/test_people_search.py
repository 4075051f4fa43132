"""The people index (GET /users) and the search box (GET /search): pseudonyms only, real ids found only by those
allowed to reveal and then audited, files, hosts and domains with who touched them, vault documents the searcher may
see."""

from __future__ import annotations

import re
from pathlib import Path

from fastapi.testclient import TestClient

from molehunt.config import Home
from molehunt.vault.service import Vault

from .conftest import app_store, app_writable, audit_entries, login, real_ids

PSEUDONYM = r"P-[A-Z2-7]{8}"


def _index(client: TestClient, **params: object) -> tuple[str, list[list[str]]]:
    """The page and its rows as cell texts."""
    response = client.get("/users", params=params)
    assert response.status_code == 200, response.text[-500:]
    rows = []
    for row in re.findall(r'<tr data-testid="people-row">(.*?)</tr>', response.text, re.S):
        rows.append([re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)])
    return response.text, rows


def _everyone(client: TestClient, sort: str) -> list[list[str]]:
    first, rows = _index(client, sort=sort)
    pages = int(re.search(r"Page 1 of (\d+)", first)[1])  # type: ignore[index]
    for page in range(2, pages + 1):
        rows += _index(client, sort=sort, page=page)[1]
    return rows


def test_the_people_index_sorts_pages_and_shows_no_real_ids(app_client: TestClient) -> None:
    login(app_client, "viewer")
    page, first = _index(app_client)
    assert 'data-testid="nav-people"' in page and 'data-testid="nav-search"' in page
    everyone = _everyone(app_client, "pseudonym")
    known = real_ids(app_client)
    assert len(everyone) >= len(known) and all(re.fullmatch(PSEUDONYM, row[0]) for row in everyone)
    assert [row[0] for row in everyone] == sorted(row[0] for row in everyone)
    assert len(first) == min(50, len(everyone))  # paged
    assert not {uid for uid in known if uid in page}
    risk = [float(row[3]) for row in _everyone(app_client, "risk") if row[3] != "—"]
    assert risk and risk == sorted(risk, reverse=True)
    leaving = [row[4] for row in _everyone(app_client, "leaving")]
    dated = [day for day in leaving if day != "—"]
    assert dated and dated == sorted(dated) and leaving[: len(dated)] == dated  # soonest first, the rest after
    departments = [row[1] for row in _everyone(app_client, "department")]
    assert departments == sorted(departments, key=lambda d: (d == "—", d))
    assert app_client.get("/users", params={"sort": "salary"}).status_code == 400


def test_a_viewer_finds_people_by_pseudonym_but_not_by_real_id(app_client: TestClient, web_home: Home) -> None:
    login(app_client, "viewer")
    user_id = sorted(real_ids(app_client))[0]
    pseudonym = app_client.app.state.web.names.of(user_id)  # type: ignore[attr-defined]
    found = app_client.get("/search", params={"q": pseudonym[2:7].lower()}).text  # a prefix, any case, no "P-"
    assert f'href="/users/{pseudonym}"' in found
    entries = len(audit_entries(web_home))
    by_id = app_client.get("/search", params={"q": user_id}).text
    assert 'data-testid="people-results"' not in by_id and "by real user id" not in by_id
    assert len(audit_entries(web_home)) == entries  # nothing to record: nothing was found


def test_an_analyst_finds_a_real_id_and_the_match_is_audited(app_client: TestClient, web_home: Home) -> None:
    login(app_client, "analyst")
    user_id = sorted(real_ids(app_client))[1]
    pseudonym = app_client.app.state.web.names.of(user_id)  # type: ignore[attr-defined]
    page = app_client.get("/search", params={"q": user_id.lower()}).text
    assert f'href="/users/{pseudonym}"' in page and "by real user id; recorded" in page
    entry = audit_entries(web_home)[-1]
    assert (entry["actor"], entry["action"], entry["target"]) == ("analyst", "search.identity", user_id)
    assert entry["details"] == {"query": user_id.lower()}
    partial = app_client.get("/search", params={"q": user_id[:4]}).text  # real ids match whole, never by prefix
    assert "by real user id" not in partial


def test_files_hosts_and_domains_name_who_touched_them(app_client: TestClient) -> None:
    store = app_store(app_client)
    try:
        host, host_people = store.con.execute(
            "SELECT host, count(DISTINCT user_id) FROM events WHERE host IS NOT NULL GROUP BY host ORDER BY 2 DESC"
            " LIMIT 1"
        ).fetchall()[0]
        domain, domain_events = store.con.execute(
            "SELECT domain, count(*) FROM events WHERE domain IS NOT NULL GROUP BY domain ORDER BY 2 LIMIT 1"
        ).fetchall()[0]
        path = store.con.execute("SELECT path FROM events WHERE path IS NOT NULL ORDER BY path LIMIT 1").fetchall()[0][
            0
        ]
    finally:
        store.close()
    login(app_client, "viewer")
    page = app_client.get("/search", params={"q": host.lower()}).text
    hosts = re.search(r'data-testid="host-results">(.*?)</table>', page, re.S)[1]  # type: ignore[index]
    row = re.search(rf"<td class=\"path\">{re.escape(host)}</td>(.*?)</tr>", hosts, re.S)[1]  # type: ignore[index]
    assert re.findall(r'<td class="num">(\d+)</td>', row)[1] == str(host_people)
    assert re.search(rf'href="/users/{PSEUDONYM}"', row)
    page = app_client.get("/search", params={"q": domain.upper()}).text
    domains = re.search(r'data-testid="domain-results">(.*?)</table>', page, re.S)[1]  # type: ignore[index]
    row = re.search(rf"<td class=\"path\">{re.escape(domain)}</td>(.*?)</tr>", domains, re.S)[1]  # type: ignore[index]
    assert re.findall(r'<td class="num">(\d+)</td>', row)[0] == str(domain_events)
    name = path.replace("\\", "/").rsplit("/", 1)[-1]
    page = app_client.get("/search", params={"q": name}).text
    assert 'data-testid="file-results"' in page and name in page


def test_queries_that_are_too_short_or_odd_answer_a_page(app_client: TestClient) -> None:
    login(app_client, "viewer")
    assert app_client.get("/search").status_code == 200
    short = app_client.get("/search", params={"q": "x"})
    assert short.status_code == 200 and "at least 2 characters" in short.text
    for odd in ["%", "_'; DROP TABLE events; --", "a\\b", "zzzz-nothing-like-it"]:
        page = app_client.get("/search", params={"q": odd})
        assert page.status_code == 200
    assert 'data-testid="no-results"' in app_client.get("/search", params={"q": "zzzz-nothing-like-it"}).text
    assert app_client.get("/search", params={"q": "x" * 600}).status_code == 400


def test_vault_documents_are_found_only_when_the_searcher_may_see_them(
    app_client: TestClient, web_home: Home, tmp_path: Path
) -> None:
    with app_writable(app_client) as store:
        vault = Vault(web_home, store)
        vault.grant("analyst", "SECRET", ["apollo"])
        vault.grant("keeper", "TOP SECRET", ["apollo"])
        for name, label, writer in [
            ("Apollo launch plan.md", "SECRET", "analyst"), ("Apollo crypto keys.md", "TOP SECRET", "keeper"),
        ]:  # fmt: skip
            (tmp_path / name).write_bytes(b"# " + name.encode() + b"\n")
            vault.add(tmp_path / name, label, "apollo", as_user=writer)
    login(app_client, "analyst")
    page = app_client.get("/search", params={"q": "apollo"}).text
    docs = re.search(r'data-testid="document-results">(.*?)</ul>', page, re.S)[1]  # type: ignore[index]
    assert "Apollo launch plan" in docs and "Apollo crypto keys" not in page
    login(app_client, "viewer")  # no clearance: no document
    assert "Apollo launch plan" not in app_client.get("/search", params={"q": "apollo"}).text
