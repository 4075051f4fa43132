"""GET /audit (admins): entries newest first with filters and pages, people by pseudonym until revealed, and the
log's verification state: uncovered entries counted, a tampered log shown as failed (issue 17)."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient

from molehunt.audit import AuditLog, NewEntry, append_entry
from molehunt.audit.entries import Entry
from molehunt.audit.framing import frame
from molehunt.audit.verify import ENTRIES_FILE
from molehunt.config import Home
from molehunt.pseudonyms import Pseudonyms
from molehunt.web import create_app
from tests.homes import copy_of
from tests.web.conftest import csrf_of, login, real_ids

T0 = datetime(2026, 1, 2, 9, tzinfo=UTC)
ROW = re.compile(
    r'<tr data-testid="audit-row">\s*<td class="num">(\d+)</td><td class="nowrap">([^<]*)</td><td>([^<]*)</td>'
    r'\s*<td>([^<]*)</td><td class="wrap">([^<]*)</td>'
)


@pytest.fixture
def home(users_home: Home, tmp_path_factory: pytest.TempPathFactory) -> Home:
    return copy_of(users_home, tmp_path_factory.mktemp("audit-page") / "home")


@pytest.fixture
def client(home: Home) -> Iterator[TestClient]:
    with TestClient(create_app(home, warm=0), follow_redirects=False) as made:
        yield made


def rows(page: str) -> list[tuple[int, str, str, str, str]]:
    return [(int(i), t, html.unescape(a), html.unescape(x), html.unescape(g)) for i, t, a, x, g in ROW.findall(page)]


def record(home: Home, actor: str, action: str, target: str) -> int:
    return append_entry(home.audit_dir, home.keys_dir, NewEntry(actor, action, target, {}, T0))


def test_only_admins_see_it_and_the_nav_links_it_for_them(client: TestClient) -> None:
    for role in ("viewer", "analyst"):
        login(client, role)
        assert client.get("/audit").status_code == 403
        assert 'href="/audit"' not in client.get("/alerts").text
    login(client, "admin")
    assert client.get("/audit").status_code == 200
    assert 'href="/audit"' in client.get("/alerts").text


def test_entries_newest_first_with_filters_and_a_verified_log(client: TestClient, home: Home) -> None:
    login(client, "admin")
    record(home, "alice", "vault.read", "doc-1")
    last = record(home, "alice", "rule.change", "mass-email-unusual-account")
    page = client.get("/audit").text
    listed = rows(page)
    assert [r[0] for r in listed] == sorted((r[0] for r in listed), reverse=True) and listed[0][0] == last
    assert listed[0][2:] == ("alice", "rule.change", "mass-email-unusual-account")
    assert 'data-testid="audit-verified">verified<' in page
    assert re.search(r'data-testid="audit-uncovered">0<', page)
    assert {r[3] for r in rows(client.get("/audit?action=vault.read").text)} == {"vault.read"}
    logins = rows(client.get("/audit?action=login&actor=admin").text)
    assert logins and {(r[2], r[3]) for r in logins} == {("admin", "login")}
    assert rows(client.get("/audit?action=&actor=&since=").text) == rows(client.get("/audit").text)  # blank = any
    assert rows(client.get("/audit?since=2999-01-01").text) == []
    assert 'data-testid="audit-none"' in client.get("/audit?action=no.such").text
    bad = client.get("/audit?since=2010-13-45")
    assert bad.status_code == 400 and "is not a day; use YYYY-MM-DD" in bad.text


def test_people_are_pseudonyms_until_this_session_reveals_them(client: TestClient, home: Home) -> None:
    person = sorted(real_ids(client))[0]
    alias = Pseudonyms.for_keys_dir(home.keys_dir).of(person)
    seq = record(home, person, "vault.read", "doc-9")
    login(client, "admin")
    found = [r for r in rows(client.get("/audit").text) if r[0] == seq]
    assert found and found[0][2] == alias
    assert person not in client.get("/audit").text
    assert [r[0] for r in rows(client.get(f"/audit?actor={alias}").text)] == [seq]  # filter by pseudonym
    page = client.get(f"/users/{alias}").text
    why = "Audit review: who read doc-9 on 2 January"
    done = client.post(f"/users/{alias}/reveal", data={"csrf_token": csrf_of(page), "justification": why})
    assert done.status_code == 303
    shown = rows(client.get("/audit").text)
    assert next(r for r in shown if r[0] == seq)[2] == f"{person} ({alias})"
    assert next(r for r in shown if r[3] == "reveal")[4] == f"{person} ({alias})"  # the reveal's target too


def test_pages_go_back_by_index(client: TestClient, home: Home) -> None:
    with AuditLog.open(home.audit_dir, home.keys_dir) as log:
        log.append_many([NewEntry("bulk", "bulk.test", f"t-{i}", {}, T0) for i in range(70)])
    login(client, "admin")
    first = client.get("/audit?action=bulk.test").text
    older = re.search(r'href="(/audit\?[^"]*before=(\d+))" data-testid="older"', html.unescape(first))
    assert older and [r[4] for r in rows(first)] == [f"t-{i}" for i in range(69, 19, -1)]
    second = client.get(older[1]).text
    assert [r[4] for r in rows(second)] == [f"t-{i}" for i in range(19, -1, -1)]
    assert 'data-testid="older"' not in second and 'data-testid="newest"' in second


def test_an_unsigned_entry_is_counted_and_a_tampered_log_fails(client: TestClient, home: Home) -> None:
    login(client, "admin")
    seq = record(home, "alice", "vault.read", "doc-1")
    with (home.audit_dir / ENTRIES_FILE).open("ab") as handle:  # a crash between an entry and its checkpoint
        handle.write(frame([Entry.create(seq + 1, NewEntry("bob", "vault.read", "doc-2", {}, T0)).canonical]))
    page = client.get("/audit").text
    assert re.search(r'data-testid="audit-uncovered">1<', page) and 'data-testid="audit-verified">verified<' in page
    assert rows(page)[0][:1] == (seq + 1,) and "not yet" in page
    data = bytearray((home.audit_dir / ENTRIES_FILE).read_bytes())
    data[len(data) // 2] ^= 0x01  # one bit of an entry the checkpoints cover
    (home.audit_dir / ENTRIES_FILE).write_bytes(bytes(data))
    page = client.get("/audit")
    assert page.status_code == 200, page.text
    assert 'data-testid="audit-verified">verification failed<' in page.text
    assert 'data-testid="audit-problems"' in page.text
