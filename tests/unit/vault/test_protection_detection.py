"""The detector reads the vault's holds: a held read is the `vault_held` feature (not a read) and fires the
built-in rule vault-held, through the real events, features and rules."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import closing
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from molehunt.config import Home
from molehunt.detect.rules import builtin_rules, match_rules
from molehunt.features.baselines import build_baselines
from molehunt.features.user_day import build_user_day
from molehunt.opstore import connect
from molehunt.protect import Level, set_level
from molehunt.store import Store, open_store
from molehunt.vault import Vault, VaultConfig
from molehunt.vault.errors import VaultDenied, VaultHeld


@pytest.fixture
def apollo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Store, Vault, str]]:
    """A SECRET Apollo plan that bob wrote; ann reads at protection level high; carol approves."""
    monkeypatch.delenv("MOLEHUNT_VAULT_KEY", raising=False)
    home = Home(tmp_path / "home").ensure()
    plan = tmp_path / "plan.md"
    plan.write_text("# Apollo launch plan\n")
    moments = iter(datetime(2026, 3, 2, 10, tzinfo=UTC) + timedelta(seconds=i) for i in range(100))
    with open_store(home.store_path) as store:
        vault = Vault(home, store, VaultConfig(), clock=lambda: next(moments))
        for user in ("ann", "bob"):
            vault.grant(user, "SECRET", ["apollo"])
        vault.grant("carol", "SECRET", ["apollo"], approver=True)
        doc_id = vault.add(plan, "SECRET", "apollo", as_user="bob")
        with closing(connect(home)) as con:
            set_level(con, "ann", Level.HIGH, ["test"], source="analyst", by="test")
        yield store, vault, doc_id


def test_a_held_read_is_counted_and_alerts(apollo: tuple[Store, Vault, str]) -> None:
    store, vault, doc_id = apollo
    vault.read(doc_id, as_user="bob")
    for _ in range(2):
        with pytest.raises(VaultHeld):
            vault.read(doc_id, as_user="ann")
    for user in ("ann", "bob"):
        store.con.execute(
            "INSERT INTO directory_snapshots (month, user_id, email, role, projects, department, file_id, line)"
            " VALUES (?, ?, ?, 'Engineer', ['apollo'], 'Eng', 1, 2)",
            [date(2026, 3, 1), user, f"{user}@corp.com"],
        )
    build_user_day(store)
    build_baselines(store)
    rows = store.con.execute(
        "SELECT user_id, vault_reads, vault_held FROM user_day_features WHERE day = ? AND user_id <> 'vault-admin'"
        " ORDER BY user_id",
        [date(2026, 3, 2)],
    ).fetchall()
    assert rows == [("ann", 0, 2), ("bob", 1, 0)]
    rule = [r for r in builtin_rules() if r.id == "vault-held"]
    found = match_rules(store.con, rule)
    assert [(m.user_id, m.day, m.level.value, m.explanation) for m in found] == [
        ("ann", date(2026, 3, 2), "medium", "2 vault request(s) held for approval")
    ]


def test_an_approvers_decisions_are_the_requesters_events_and_a_refusal_alerts(
    apollo: tuple[Store, Vault, str],
) -> None:
    store, vault, doc_id = apollo
    held = []
    for action in (vault.read, vault.read, vault.read):
        with pytest.raises(VaultHeld) as caught:
            action(doc_id, as_user="ann")
        held.append(caught.value.request_id)
    vault.approve(held[0], by="carol", reason="needed for the review")
    vault.deny(held[1], by="carol", reason="not her project this month")
    with pytest.raises(VaultDenied):
        vault.approve(held[2], by="ann", reason="approving my own")  # refused: her own request
    kinds = store.con.execute(
        "SELECT user_id, activity, content FROM events WHERE activity IN ('approve', 'deny') ORDER BY time"
    ).fetchall()
    assert kinds == [
        ("ann", "approve", "approved: read by a second person"),
        ("ann", "deny", "refused: read by a second person"),
        ("ann", "approve", "denied: not an approver"),
    ]
    build_user_day(store)
    build_baselines(store)
    row = store.con.execute(
        "SELECT vault_held, vault_refused, vault_approved, vault_denied FROM user_day_features WHERE user_id = 'ann'"
    ).fetchall()
    assert row == [(3, 1, 1, 1)]
    carol = store.count("SELECT count(*) FROM events WHERE user_id = 'carol' AND activity IN ('approve', 'deny')")
    assert carol == 0  # the approver's decisions are in the audit log, not counted against her
    found = match_rules(store.con, [r for r in builtin_rules() if r.id == "vault-refused"])
    assert [(m.user_id, m.level.value, m.explanation) for m in found] == [
        ("ann", "high", "1 held vault request(s) refused by a second person")
    ]
