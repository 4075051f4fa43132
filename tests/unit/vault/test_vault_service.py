"""The vault's operations: decisions with reasons, encryption at rest, checkout, decoys, rate limit, records."""

from __future__ import annotations

import json
import stat
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from molehunt.audit import AuditLog, verify_directory
from molehunt.config import Home
from molehunt.store import Store, open_store
from molehunt.trace.carriers.text import STRIP_MARKS
from molehunt.vault import Vault, VaultConfig, VaultDenied, VaultError, VaultIntegrityError
from tests.unit.vault.conftest import Clock

PLAN = b"# Apollo launch plan\nThe window opens at dawn.\n"


@pytest.fixture
def vault_store(home: Home) -> Iterator[Store]:
    with open_store(home.store_path) as store:
        yield store


@pytest.fixture
def vault(home: Home, vault_store: Store, clock: Clock, monkeypatch: pytest.MonkeyPatch) -> Vault:
    monkeypatch.delenv("MOLEHUNT_VAULT_KEY", raising=False)
    made = Vault(home, vault_store, VaultConfig(rate_limit=5, rate_window=60), clock=clock)
    made.grant("alice", "SECRET:CRYPTO", ["apollo"])
    made.grant("bob", "CONFIDENTIAL", ["apollo"])
    made.grant("carol", "TOP SECRET:CRYPTO", ["gemini"])
    return made


@pytest.fixture
def plan(tmp_path: Path) -> Path:
    path = tmp_path / "plan.md"
    path.write_bytes(PLAN)
    return path


def audit_entries(home: Home) -> list[dict[str, object]]:
    with AuditLog.open(home.root / "audit", home.root / "keys") as log:
        return [
            {"actor": e.actor, "action": e.action, "target": e.target, **dict(e.details)}
            for e in (log.entry(i) for i in range(log.size))
        ]


def vault_events(store: Store) -> list[tuple[object, ...]]:
    return store.con.execute(
        "SELECT user_id, activity, path, content, line, content_type FROM events WHERE source = 'vault' ORDER BY line"
    ).fetchall()


def test_allowed_read_returns_the_readers_fingerprinted_copy(vault: Vault, plan: Path) -> None:
    doc_id = vault.add(plan, "SECRET:CRYPTO", "apollo", as_user="alice")
    copy = vault.read(doc_id, as_user="alice")
    assert copy != PLAN and unmarked(copy) == PLAN  # the same text, with the reader's invisible marks
    assert vault.read(doc_id, as_user="alice") == copy  # the same reader always gets the same copy


@pytest.mark.parametrize(
    ("user", "reason"),
    [
        ("bob", "missing-compartments, no-read-up"),  # CONFIDENTIAL, no CRYPTO
        ("carol", "need-to-know"),  # cleared above, but not in apollo
        ("mallory", "no-clearance"),  # never granted
    ],
)
def test_denied_reads_carry_the_deciding_policies(vault: Vault, plan: Path, user: str, reason: str) -> None:
    doc_id = vault.add(plan, "SECRET:CRYPTO", "apollo", as_user="alice")
    with pytest.raises(VaultDenied) as denied:
        vault.read(doc_id, as_user=user)
    assert denied.value.reason == reason
    assert denied.value.action == "read"
    assert str(denied.value) == f"read {doc_id} denied: {reason}"


def test_unknown_document_is_denied_and_recorded(vault: Vault, vault_store: Store) -> None:
    with pytest.raises(VaultDenied, match="no such document"):
        vault.read("doc-nope", as_user="alice")
    assert vault_events(vault_store)[-1][:4] == ("alice", "read", "doc-nope", "denied: no such document")


def test_ls_shows_only_readable_documents(vault: Vault, plan: Path) -> None:
    secret = vault.add(plan, "SECRET:CRYPTO", "apollo", as_user="alice")
    confidential = vault.add(plan, "CONFIDENTIAL", "apollo", as_user="bob")
    gemini = vault.add(plan, "TOP SECRET", "gemini", as_user="carol")
    assert {d.doc_id for d in vault.ls(as_user="alice")} == {secret, confidential}
    assert {d.doc_id for d in vault.ls(as_user="bob")} == {confidential}
    assert {d.doc_id for d in vault.ls(as_user="carol")} == {gemini}
    assert vault.ls(as_user="mallory") == []


def test_write_down_is_refused(vault: Vault, plan: Path, vault_store: Store) -> None:
    with pytest.raises(VaultDenied, match="no-write-down"):
        vault.add(plan, "CONFIDENTIAL", "apollo", as_user="alice")  # SECRET writer, lower label
    with pytest.raises(VaultDenied, match="writer-not-in-project"):
        vault.add(plan, "TOP SECRET", "gemini", as_user="alice")
    assert vault_store.count("SELECT count(*) FROM vault_documents") == 0
    assert not any((vault.blobs).glob("*")) if vault.blobs.exists() else True
    # Writing up is allowed: the writer may not read it back.
    doc_id = vault.add(plan, "TOP SECRET", "apollo", as_user="alice")
    with pytest.raises(VaultDenied, match="no-read-up"):
        vault.read(doc_id, as_user="alice")


def test_documents_are_encrypted_at_rest(vault: Vault, plan: Path, home: Home) -> None:
    doc_id = vault.add(plan, "SECRET", "apollo", as_user="alice")
    blob = (vault.blobs / doc_id).read_bytes()
    assert b"launch" not in blob and b"Apollo" not in blob
    assert stat.S_IMODE((vault.blobs / doc_id).stat().st_mode) == 0o600
    key_file = home.root / "keys" / "vault.key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600 and len(key_file.read_bytes()) == 32
    key = key_file.read_bytes()
    assert key.hex() not in (home.root / "audit" / "entries.log").read_bytes().decode("utf-8", "replace")


@pytest.mark.parametrize("position", [0, 5, 20, -1])
def test_a_flipped_byte_fails_decryption(vault: Vault, plan: Path, position: int, vault_store: Store) -> None:
    doc_id = vault.add(plan, "SECRET", "apollo", as_user="alice")
    path = vault.blobs / doc_id
    blob = bytearray(path.read_bytes())
    blob[position] ^= 0x01
    path.write_bytes(bytes(blob))
    with pytest.raises(VaultIntegrityError, match=f"document {doc_id}"):
        vault.read(doc_id, as_user="alice")
    assert vault_events(vault_store)[-1][3] == "denied: integrity check failed"


def test_a_blob_moved_to_another_document_fails(vault: Vault, plan: Path) -> None:
    first = vault.add(plan, "SECRET", "apollo", as_user="alice")
    second = vault.add(plan, "SECRET", "apollo", as_user="alice")
    (vault.blobs / second).write_bytes((vault.blobs / first).read_bytes())
    with pytest.raises(VaultIntegrityError, match="failed authentication"):
        vault.read(second, as_user="alice")


def test_key_from_the_environment(vault: Vault, plan: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MOLEHUNT_VAULT_KEY", "11" * 32)
    doc_id = vault.add(plan, "SECRET", "apollo", as_user="alice")
    assert unmarked(vault.read(doc_id, as_user="alice")) == PLAN
    monkeypatch.setenv("MOLEHUNT_VAULT_KEY", "22" * 32)
    with pytest.raises(VaultIntegrityError):
        vault.read(doc_id, as_user="alice")
    monkeypatch.setenv("MOLEHUNT_VAULT_KEY", "not hex")
    with pytest.raises(VaultError, match="64 hex digits"):
        vault.read(doc_id, as_user="alice")


def test_checkout_writes_a_copy_and_records_the_recipient(vault: Vault, plan: Path, tmp_path: Path,
                                                          vault_store: Store) -> None:  # fmt: skip
    doc_id = vault.add(plan, "CONFIDENTIAL", "apollo", as_user="bob")
    out = tmp_path / "copy.md"
    done = vault.checkout(doc_id, for_user="alice", out_path=out)
    assert unmarked(out.read_bytes()) == PLAN and done.fingerprinted
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert done.recipient == "alice"
    row = vault_store.con.execute("SELECT doc_id, recipient, out_path, audit_seq FROM vault_checkouts").fetchall()
    assert row == [(doc_id, "alice", str(out), done.audit_seq)]
    assert audit_entries(vault.home)[done.audit_seq]["recipient"] == "alice"
    with pytest.raises(VaultError, match="exists"):
        vault.checkout(doc_id, for_user="alice", out_path=out)
    with pytest.raises(VaultDenied, match="need-to-know"):
        vault.checkout(doc_id, for_user="carol", out_path=tmp_path / "carol.md")
    assert not (tmp_path / "carol.md").exists()


def test_decoys_are_believable_and_every_touch_is_recorded(vault: Vault, vault_store: Store, tmp_path: Path) -> None:
    ids = vault.plant_decoys("apollo", 3, seed=7)
    assert len(set(ids)) == 3
    flagged = vault_store.count("SELECT count(*) FROM vault_documents WHERE decoy")
    assert flagged == 3
    listed = vault.ls(as_user="alice")
    assert {d.doc_id for d in listed} == set(ids)  # indistinguishable from project documents
    assert all(d.title.startswith("APOLLO ") and d.title.endswith(".md") for d in listed)
    text = unmarked(vault.read(ids[0], as_user="carol")).decode()  # not in apollo, still allowed: it is a tripwire
    assert text.startswith("# APOLLO ") and "Distribution: apollo" in text
    vault.checkout(ids[1], for_user="bob", out_path=tmp_path / "d.md")
    touches = vault_store.con.execute(
        "SELECT user_id, activity, path, content FROM events WHERE content LIKE 'decoy touch:%' ORDER BY line"
    ).fetchall()
    assert touches == [
        ("carol", "read", ids[0], "decoy touch: allowed: decoy-tripwire"),
        ("bob", "checkout", ids[1], "decoy touch: allowed: cleared-with-need-to-know, decoy-tripwire"),
    ]
    planted = vault_store.count("SELECT count(*) FROM events WHERE activity = 'decoy' AND user_id = 'vault-admin'")
    assert planted == 3
    checkouts = [e for e in audit_entries(vault.home) if e["action"] == "checkout"]
    assert checkouts[-1]["decoy"] is True  # (the touch also raised bob's protection level: a later entry)


def test_rate_limit_per_user(vault: Vault, plan: Path, clock: Clock, vault_store: Store) -> None:
    doc_id = vault.add(plan, "CONFIDENTIAL", "apollo", as_user="bob")
    for _ in range(5):
        vault.read(doc_id, as_user="bob")
    with pytest.raises(VaultDenied, match=r"rate limit \(5 reads/checkouts per 60 s\)"):
        vault.read(doc_id, as_user="bob")
    vault.read(doc_id, as_user="alice")  # per user
    clock.now += timedelta(seconds=61)
    assert unmarked(vault.read(doc_id, as_user="bob")) == PLAN  # the window slid
    assert vault_store.count("SELECT count(*) FROM events WHERE content LIKE 'denied: rate limit%'") == 1


def test_every_operation_is_audited_and_becomes_an_event(vault: Vault, plan: Path, home: Home, tmp_path: Path,
                                                         vault_store: Store) -> None:  # fmt: skip
    doc_id = vault.add(plan, "SECRET:CRYPTO", "apollo", as_user="alice")
    vault.read(doc_id, as_user="alice")
    with pytest.raises(VaultDenied):
        vault.read(doc_id, as_user="bob")
    vault.checkout(doc_id, for_user="alice", out_path=tmp_path / "c.md")
    with pytest.raises(VaultDenied):
        vault.checkout(doc_id, for_user="carol", out_path=tmp_path / "x.md")
    with pytest.raises(VaultDenied):
        vault.add(plan, "UNCLASSIFIED", "apollo", as_user="alice")
    vault.ls(as_user="bob")
    vault.revoke("bob")
    with pytest.raises(VaultDenied, match="not granted"):
        vault.revoke("bob")
    [decoy] = vault.plant_decoys("apollo", 1, seed=1)

    entries = audit_entries(home)
    assert verify_directory(home.root / "audit", AuditLog.open(home.root / "audit", home.root / "keys").public_key).ok
    got = [(e["actor"], e["action"], e["decision"]) for e in entries]
    assert got == [
        ("vault-admin", "grant", "allow"),
        ("vault-admin", "grant", "allow"),
        ("vault-admin", "grant", "allow"),
        ("alice", "add", "allow"),
        ("alice", "read", "allow"),
        ("bob", "read", "deny"),
        ("alice", "checkout", "allow"),
        ("carol", "checkout", "deny"),
        ("alice", "add", "deny"),
        ("bob", "list", "allow"),
        ("vault-admin", "revoke", "allow"),
        ("vault-admin", "revoke", "deny"),
        ("vault-admin", "decoy", "allow"),
    ]
    assert entries[5]["reason"] == "missing-compartments, no-read-up"

    events = vault_events(vault_store)
    # ls has no vault activity in the event model: audited only. Every other entry is one event, line = its index.
    assert [e[4] for e in events] == [i for i, e in enumerate(entries) if e["action"] != "list"]
    assert events[4] == ("alice", "read", doc_id, "allowed: cleared-with-need-to-know", 4, "txt")
    assert events[5][:4] == ("bob", "read", doc_id, "denied: missing-compartments, no-read-up")
    assert events[8][:2] == ("alice", "add") and events[8][3] == "denied: no-write-down"
    assert events[-1][:3] == ("vault-admin", "decoy", decoy)
    files = vault_store.con.execute(
        "SELECT f.file_id, f.role, f.path, f.status, f.rows_ingested FROM ingested_files f"
    ).fetchall()
    assert files == [(1, "vault", str((home.root / "audit" / "entries.log").resolve()), "complete", len(events))]
    assert vault_store.count("SELECT count(DISTINCT file_id) FROM events") == 1
    assert all(isinstance(json.dumps(e), str) for e in entries)


def unmarked(copy: bytes) -> bytes:
    """A copy without its invisible fingerprint marks (these short texts offer no visible variant)."""
    return copy.decode().translate(STRIP_MARKS).encode()
