"""Finding 5a of issue 20: clearances and labels changed in the store, not through the vault, are refused and reported.

Every grant, revoke and add is an audit entry carrying the new state; each decision compares the rows it uses
with what the log recorded, and `Vault.verify` compares them all.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from molehunt.audit import AuditLog
from molehunt.config import Home
from molehunt.store import open_store
from molehunt.trace.carriers.text import STRIP_MARKS
from molehunt.vault import Vault, VaultDenied
from molehunt.vault.service import TAMPERED

SECRET_PLAN = b"# Crypto plan\nKey rotation every 90 days.\n"


@pytest.fixture
def vault(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Vault]:
    monkeypatch.delenv("MOLEHUNT_VAULT_KEY", raising=False)
    home = Home(tmp_path / "home").ensure()
    with open_store(home.store_path) as store:
        made = Vault(home, store)
        made.grant("viewer", "CONFIDENTIAL", ["apollo"])
        made.grant("carol", "TOP SECRET:CRYPTO", ["apollo"])
        yield made


@pytest.fixture
def top_secret(vault: Vault, tmp_path: Path) -> str:
    plan = tmp_path / "plan.md"
    plan.write_bytes(SECRET_PLAN)
    return vault.add(plan, "TOP SECRET:CRYPTO", "apollo", as_user="carol")


def _last_entry(vault: Vault) -> dict[str, object]:
    with AuditLog.open(vault.home.audit_dir, vault.home.keys_dir) as log:
        return log.entry(log.size - 1).to_json()


def test_a_label_lowered_in_the_store_is_refused_and_reported(vault: Vault, top_secret: str) -> None:
    with pytest.raises(VaultDenied, match="no-read-up"):
        vault.read(top_secret, as_user="viewer")
    assert vault.verify() == []
    vault.store.con.execute(
        "UPDATE vault_documents SET level = 'CONFIDENTIAL', compartments = [] WHERE doc_id = ?", [top_secret]
    )
    with pytest.raises(VaultDenied) as refused:
        vault.read(top_secret, as_user="viewer")
    assert refused.value.reason.startswith(f"{TAMPERED}: the label of {top_secret} differs from audit entry")
    last = _last_entry(vault)
    assert last["action"] == "read" and last["details"]["decision"] == "deny"  # type: ignore[index]
    assert str(last["details"]["reason"]).startswith(TAMPERED)  # type: ignore[index]
    assert [info.doc_id for info in vault.ls(as_user="carol")] == []  # withheld from everyone, even its owner
    problems = vault.verify()
    assert len(problems) == 1 and top_secret in problems[0] and "TOP SECRET:CRYPTO" in problems[0]


def test_a_clearance_raised_in_the_store_is_refused(vault: Vault, top_secret: str) -> None:
    vault.store.con.execute(
        "UPDATE vault_subjects SET level = 'TOP SECRET', compartments = ['CRYPTO'] WHERE user_id = 'viewer'"
    )
    with pytest.raises(VaultDenied, match=f"{TAMPERED}: the clearance of viewer differs from audit entry 0"):
        vault.read(top_secret, as_user="viewer")
    with pytest.raises(VaultDenied, match=TAMPERED):
        vault.ls(as_user="viewer")
    assert vault.verify() == ["the clearance of viewer differs from audit entry 0 (CONFIDENTIAL apollo)"]


def test_a_revoked_clearance_restored_in_the_store_is_refused(vault: Vault, top_secret: str) -> None:
    row = vault.store.con.execute("SELECT * FROM vault_subjects WHERE user_id = 'carol'").fetchall()[0]
    vault.revoke("carol")
    vault.store.con.execute("INSERT INTO vault_subjects VALUES (?, ?, ?, ?, ?)", list(row))
    with pytest.raises(VaultDenied, match=f"{TAMPERED}: the clearance of carol differs .* \\(revoked there\\)"):
        vault.read(top_secret, as_user="carol")


def test_rows_with_no_entry_at_all_are_refused(vault: Vault, top_secret: str) -> None:
    vault.store.con.execute(
        "INSERT INTO vault_subjects VALUES ('mallory', 'TOP SECRET', ['CRYPTO'], ['apollo'], now())"
    )
    with pytest.raises(VaultDenied, match=f"{TAMPERED}: the clearance of mallory has no audit entry"):
        vault.read(top_secret, as_user="mallory")
    assert vault.verify() == ["the clearance of mallory has no audit entry"]


def test_the_honest_path_still_reads(vault: Vault, top_secret: str) -> None:
    vault.grant("viewer", "TOP SECRET:CRYPTO", ["apollo"])  # a real upgrade goes through the log
    assert "Key rotation" in vault.read(top_secret, as_user="viewer").decode().translate(STRIP_MARKS)
    assert vault.verify() == []


def test_vault_verify_command_exits_1_on_a_tampered_store(vault: Vault, top_secret: str) -> None:
    from typer.testing import CliRunner

    from molehunt.cli import app

    home, runner = vault.home, CliRunner()
    vault.store.close()  # the command opens the store itself
    ok = runner.invoke(app, ["--home", str(home.root), "vault", "verify"])
    assert ok.exit_code == 0 and ok.output.startswith("ok:"), ok.output
    with open_store(home.store_path) as store:
        store.con.execute("UPDATE vault_documents SET project = 'zeus' WHERE doc_id = ?", [top_secret])
    found = runner.invoke(app, ["--home", str(home.root), "vault", "verify"])
    assert found.exit_code == 1
    assert found.output.strip() == f"store tampered: the label of {top_secret} differs from audit entry 2 " + (
        "(TOP SECRET:CRYPTO in apollo)"
    )
