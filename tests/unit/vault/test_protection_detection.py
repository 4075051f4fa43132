"""The detector reads the vault's holds: a held read is the `vault_held` feature (not a read) and fires the
built-in rule vault-held, through the real events, features and rules."""

from __future__ import annotations

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
from molehunt.store import open_store
from molehunt.vault import Vault, VaultConfig
from molehunt.vault.errors import VaultHeld


def test_a_held_read_is_counted_and_alerts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MOLEHUNT_VAULT_KEY", raising=False)
    home = Home(tmp_path / "home").ensure()
    plan = tmp_path / "plan.md"
    plan.write_text("# Apollo launch plan\n")
    moments = iter(datetime(2026, 3, 2, 10, tzinfo=UTC) + timedelta(seconds=i) for i in range(100))
    with open_store(home.store_path) as store:
        vault = Vault(home, store, VaultConfig(), clock=lambda: next(moments))
        for user in ("ann", "bob"):
            vault.grant(user, "SECRET", ["apollo"])
        doc_id = vault.add(plan, "SECRET", "apollo", as_user="bob")
        with closing(connect(home)) as con:
            set_level(con, "ann", Level.HIGH, ["test"], source="analyst", by="test")
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
