"""Finding 7 of issue 20: a blob that is a directory, unreadable or truncated is a clear, audited error."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from molehunt.audit import AuditLog
from molehunt.config import Home
from molehunt.store import open_store
from molehunt.vault import Vault, VaultIntegrityError


@pytest.fixture
def vault(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Vault]:
    monkeypatch.delenv("MOLEHUNT_VAULT_KEY", raising=False)
    home = Home(tmp_path / "home").ensure()
    with open_store(home.store_path) as store:
        made = Vault(home, store)
        made.grant("alice", "SECRET", ["apollo"])
        yield made


def _directory(blob: Path) -> None:
    blob.unlink()
    blob.mkdir()


def _truncated(blob: Path) -> None:
    blob.write_bytes(blob.read_bytes()[:10])


def _unreadable(blob: Path) -> None:
    if os.geteuid() == 0:  # root reads a file of mode 0: a symbolic link to itself cannot be opened by anyone
        blob.unlink()
        blob.symlink_to(blob.name)
    else:
        blob.chmod(0)


UNREADABLE = "Too many levels of symbolic links" if os.geteuid() == 0 else "Permission denied"


# damage: (how, what the error says, the reason the audit entry records)
DAMAGE: dict[str, tuple[Callable[[Path], None], str, str]] = {
    "directory": (_directory, "is not a file", "blob is not a file"),
    "truncated": (_truncated, "not a vault blob", "integrity check failed"),
    "unreadable": (_unreadable, "cannot be read", f"blob cannot be read ({UNREADABLE})"),
}


@pytest.mark.parametrize("damage", sorted(DAMAGE))
def test_a_damaged_blob_is_a_clear_audited_error(vault: Vault, tmp_path: Path, damage: str) -> None:
    plan = tmp_path / "plan.md"
    plan.write_bytes(b"# Apollo\nThe window opens at dawn.\n")
    doc_id = vault.add(plan, "SECRET", "apollo", as_user="alice")
    spoil, says, reason = DAMAGE[damage]
    spoil(vault.blobs / doc_id)
    for attempt in (
        lambda: vault.read(doc_id, as_user="alice"),
        lambda: vault.checkout(doc_id, for_user="alice", out_path=tmp_path / "copy.md"),
        lambda: vault.original(doc_id),
    ):
        with pytest.raises(VaultIntegrityError, match=f"document {doc_id}: .*{says}"):
            attempt()
    with AuditLog.open(vault.home.audit_dir, vault.home.keys_dir) as log:
        last = log.entry(log.size - 1).to_json()  # the checkout's refusal (original() is not a request)
    assert last["action"] == "checkout" and last["details"]["decision"] == "deny"  # type: ignore[index]
    assert last["details"]["reason"] == reason  # type: ignore[index]
    assert not (tmp_path / "copy.md").exists()
