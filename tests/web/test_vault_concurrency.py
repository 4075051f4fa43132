"""Finding 2 of issue 20: many concurrent vault reads on one session through the web app (real threads).

The rate limit holds, no request fails, and every audit entry of a read has its event in the store.
"""

from __future__ import annotations

from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from fastapi.testclient import TestClient

from molehunt.audit import AuditLog
from molehunt.config import Home
from molehunt.store import open_store
from molehunt.vault.service import Vault
from molehunt.web import create_app
from molehunt.workbench.accounts import Role

from .conftest import add_users, login

REQUESTS = 100
LIMIT = 30  # VaultConfig's default: reads + checkouts per user a minute


def _home_with_document(tmp_path: Path) -> tuple[Home, str]:
    home = Home(tmp_path / "home").ensure()
    # About the rate limit: a burst this size would also raise the reader's protection level (issue 18)
    (home.root / "protect.yaml").write_text("burst_reads: 1000\n")
    plan = tmp_path / "plan.md"
    plan.write_bytes(b"# Apollo\nStage two ignition at T+152 s.\n")
    add_users(home, Role.VIEWER)
    with open_store(home.store_path) as store:
        vault = Vault(home, store)
        vault.grant("viewer", "SECRET", ["apollo"])
        doc_id = vault.add(plan, "SECRET", "apollo", as_user="viewer")
    return home, doc_id


def _read_entries(home: Home, doc_id: str) -> Counter[str]:
    with AuditLog.open(home.audit_dir, home.keys_dir) as log:
        entries = [log.entry(i) for i in range(log.size)]
    return Counter(
        str(entry.details["decision"]) for entry in entries if entry.action == "read" and entry.target == doc_id
    )


def test_concurrent_reads_hold_the_rate_limit_and_leave_one_event_per_entry(tmp_path: Path) -> None:
    home, doc_id = _home_with_document(tmp_path)
    with TestClient(create_app(home, warm=0), follow_redirects=False, raise_server_exceptions=False) as client:
        login(client, "viewer")
        with ThreadPoolExecutor(max_workers=32) as pool:
            statuses = Counter(pool.map(lambda _: client.get(f"/vault/{doc_id}").status_code, range(REQUESTS)))
    assert statuses == Counter({200: LIMIT, 403: REQUESTS - LIMIT}), statuses
    entries = _read_entries(home, doc_id)
    assert entries == Counter({"allow": LIMIT, "deny": REQUESTS - LIMIT})
    with open_store(home.store_path) as store:
        events = dict(
            store.con.execute(
                "SELECT content LIKE 'allowed:%', count(*) FROM events WHERE source = 'vault' AND activity = 'read'"
                " AND path = ? GROUP BY ALL",
                [doc_id],
            ).fetchall()
        )
    assert events == {True: LIMIT, False: REQUESTS - LIMIT}
