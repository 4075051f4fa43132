"""A crash between a read's audit entry and its event: the next vault operation adds the missing event."""

from __future__ import annotations

from pathlib import Path

import pytest

from molehunt.config import Home
from molehunt.store import open_store
from molehunt.vault import records
from molehunt.vault.service import Vault


def _events(vault: Vault) -> list[tuple[int, str]]:
    rows = vault.store.con.execute(
        "SELECT line, content FROM events WHERE source = 'vault' AND activity = 'read' ORDER BY line"
    ).fetchall()
    return [(int(line), str(content)) for line, content in rows]


def test_an_entry_left_without_its_event_is_repaired_by_the_next_operation(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("MOLEHUNT_VAULT_KEY", raising=False)
    home = Home(tmp_path / "home").ensure()
    plan = tmp_path / "plan.md"
    plan.write_bytes(b"# Apollo\nThe window opens at dawn.\n")
    with open_store(home.store_path) as store:
        vault = Vault(home, store)
        vault.grant("alice", "SECRET", ["apollo"])
        doc_id = vault.add(plan, "SECRET", "apollo", as_user="alice")

        def crash(*_: object) -> None:
            raise KeyboardInterrupt  # the process dies after the append, before the event's transaction

        with monkeypatch.context() as patch:
            patch.setattr(records, "in_transaction", crash)
            with pytest.raises(KeyboardInterrupt):
                vault.read(doc_id, as_user="alice")
        assert (home.root / "vault" / records.PENDING_FILE).exists()
        assert _events(vault) == []

        vault.ls(as_user="alice")  # any next operation repairs first
        repaired = _events(vault)
        assert len(repaired) == 1 and repaired[0][1].startswith("allowed: ")
        assert not (home.root / "vault" / records.PENDING_FILE).exists()
        vault.read(doc_id, as_user="alice")
        assert len(_events(vault)) == 2
