"""The audit log end to end: entries, checkpoints, proofs, keys, torn tails, witnesses."""

from __future__ import annotations

import json
import stat
from datetime import UTC, datetime
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from molehunt.audit import AuditError, AuditLog, InclusionProof, NewEntry, VerificationError, load_export, merkle
from molehunt.audit import checkpoint as checkpoints
from molehunt.audit.checkpoint import Checkpoint
from molehunt.audit.entries import Entry
from molehunt.audit.index import INDEX_FILE
from molehunt.audit.keys import KEY_FILE
from molehunt.audit.proofs import ConsistencyProof
from molehunt.audit.state import STATE_FILE
from molehunt.audit.verify import CHECKPOINTS_FILE, ENTRIES_FILE

T0 = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


def new(i: int) -> NewEntry:
    return NewEntry(actor=f"user{i % 3}", action="read", target=f"doc-{i}", details={"n": i}, time=T0)


def make_log(home: Path, n: int) -> AuditLog:
    log = AuditLog.open(home / "audit", home / "keys")
    log.append_many(new(i) for i in range(n))
    return log


def test_canonical_bytes_are_documented_json() -> None:
    entry = Entry.create(0, NewEntry("alice", "read", "doc-1", {"b": [1, "é"], "a": None}, T0))
    assert (
        entry.canonical
        == (
            '{"action":"read","actor":"alice","details":{"a":null,"b":[1,"é"]},"seq":0,'
            '"target":"doc-1","time":"2026-01-02T03:04:05.000000Z"}'
        ).encode()
    )
    assert Entry.from_bytes(entry.canonical, expected_seq=0) == entry
    with pytest.raises(VerificationError, match="seq"):
        Entry.from_bytes(entry.canonical, expected_seq=1)
    with pytest.raises(VerificationError, match="canonical"):
        Entry.from_bytes(json.dumps(entry.to_json()).encode(), expected_seq=0)


@pytest.mark.parametrize("details", [{"x": 1.5}, {"x": 2**60}, {"x": "\ud800"}])
def test_values_without_a_canonical_form_are_refused(details: dict[str, object]) -> None:
    with pytest.raises((ValueError, UnicodeEncodeError)):
        Entry.create(0, NewEntry("a", "b", "c", details, T0))  # type: ignore[arg-type]


def test_append_checkpoint_prove_verify(tmp_path: Path) -> None:
    with make_log(tmp_path, 5) as log:
        assert log.append(new(5)) == 5
        signed = log.checkpoint()
        assert (signed.tree_size, log.size) == (6, 6)
        proof = log.prove(3)
        document = json.loads(json.dumps(proof.to_json()))
        assert set(document) == {"leaf_index", "tree_size", "leaf_hash", "audit_path", "root_hash", "checkpoint"}
        parsed = InclusionProof.from_json(document)
        parsed.verify(log.public_key, entry=log.entry(3).canonical)
        with pytest.raises(VerificationError):
            parsed.verify(log.public_key, entry=log.entry(4).canonical)
        log.append(new(6))
        with pytest.raises(AuditError, match="not covered"):
            log.prove(6)
        report = log.verify()
        assert report.ok and report.verified_size == 6 and report.uncovered == 1


def test_third_party_recomputes_the_leaf_hash(tmp_path: Path) -> None:
    with make_log(tmp_path, 3) as log:
        log.checkpoint()
        data = (tmp_path / "audit" / ENTRIES_FILE).read_bytes()
        length = int.from_bytes(data[:4], "big")
        assert log.prove(0).leaf_hash == merkle.leaf_hash(data[4 : 4 + length])


def test_reopen_keeps_state_and_proofs_are_fast_enough(tmp_path: Path) -> None:
    make_log(tmp_path, 40).close()
    with AuditLog.open(tmp_path / "audit", tmp_path / "keys") as log:
        assert log.size == 40 and log.damage is None
        log.checkpoint()
        log.prove(39).verify(log.public_key)


def test_second_writer_is_refused(tmp_path: Path) -> None:
    with make_log(tmp_path, 1), pytest.raises(AuditError, match="another process"):
        AuditLog.open(tmp_path / "audit", tmp_path / "keys")


def test_key_is_created_0600_and_loose_permissions_are_refused(tmp_path: Path) -> None:
    make_log(tmp_path, 1).close()
    key_path = tmp_path / "keys" / KEY_FILE
    assert stat.S_IMODE(key_path.stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "keys").stat().st_mode) == 0o700
    key_path.chmod(0o644)
    with pytest.raises(AuditError, match="chmod 600"):
        AuditLog.open(tmp_path / "audit", tmp_path / "keys")


def test_torn_tail_is_reported_and_blocks_appends_until_truncated(tmp_path: Path) -> None:
    make_log(tmp_path, 4).close()
    path = tmp_path / "audit" / ENTRIES_FILE
    whole = path.read_bytes()
    with AuditLog.open(tmp_path / "audit", tmp_path / "keys") as log:
        log.checkpoint()
    with path.open("ab") as handle:
        handle.write(len(whole).to_bytes(4, "big") + b'{"action"')  # a crash mid-append
    with AuditLog.open(tmp_path / "audit", tmp_path / "keys") as log:
        assert log.size == 4 and log.damage is not None
        report = log.verify()
        assert not report.ok and report.tail_bytes == 13 and report.verified_size == 4
        assert [p.kind for p in report.problems] == ["incomplete-tail"] and report.first_bad_entry == 4
        with pytest.raises(AuditError, match="truncate_incomplete_tail"):
            log.append(new(4))
    with AuditLog.open(tmp_path / "audit", tmp_path / "keys", truncate_incomplete_tail=True) as log:
        assert path.read_bytes() == whole
        log.append(new(4))
        log.checkpoint()
        assert log.verify().ok


def test_signature_tampering_and_wrong_key_are_rejected(tmp_path: Path) -> None:
    with make_log(tmp_path, 3) as log:
        signed = log.checkpoint()
        other = Ed25519PrivateKey.generate().public_key()
        with pytest.raises(VerificationError, match="signed by key"):
            checkpoints.verify(signed, other)
        forged = Checkpoint(signed.tree_size, signed.root_hash, signed.time, signed.key_id, bytes(64))
        with pytest.raises(VerificationError, match="bad signature"):
            checkpoints.verify(forged, log.public_key)
        resized = Checkpoint(2, signed.root_hash, signed.time, signed.key_id, signed.signature)
        with pytest.raises(VerificationError, match="bad signature"):
            checkpoints.verify(resized, log.public_key)
        document = log.prove(1).to_json()
        document["checkpoint"]["signature"] = "00" * 64
        with pytest.raises(VerificationError):
            InclusionProof.from_json(document).verify(log.public_key)
        assert not log.verify(against=forged).ok


def test_checkpoint_file_byte_changes_are_detected(tmp_path: Path) -> None:
    make_log(tmp_path, 3).close()
    with AuditLog.open(tmp_path / "audit", tmp_path / "keys") as log:
        log.checkpoint()
    path = tmp_path / "audit" / CHECKPOINTS_FILE
    original = path.read_bytes()
    with AuditLog.open(tmp_path / "audit", tmp_path / "keys") as log:
        for i in range(len(original)):
            path.write_bytes(original[:i] + bytes([original[i] ^ 0x01]) + original[i + 1 :])
            assert not log.verify().ok, i


def test_witness_flow(tmp_path: Path) -> None:
    witness_file = tmp_path / "witness.json"
    with make_log(tmp_path, 7) as log:
        log.checkpoint()
        log.export_checkpoint(witness_file)
        pinned = log.public_key
        log.append_many(new(i) for i in range(7, 20))
        log.checkpoint()
        witnessed = load_export(witness_file, pinned).checkpoint
        assert witnessed.tree_size == 7
        assert log.verify(against=witnessed).ok
        proof = ConsistencyProof.from_json(json.loads(json.dumps(log.prove_consistency(witnessed).to_json())))
        proof.verify(pinned, witnessed)


def test_rewritten_history_resigned_fails_against_the_witness(tmp_path: Path) -> None:
    witness_file = tmp_path / "witness.json"
    with make_log(tmp_path, 7) as log:
        log.checkpoint()
        log.export_checkpoint(witness_file)
        pinned = log.public_key
    # The key holder rewrites entry 2 and re-signs a fresh history from scratch.
    (tmp_path / "audit" / ENTRIES_FILE).unlink()
    (tmp_path / "audit" / CHECKPOINTS_FILE).unlink()
    with AuditLog.open(tmp_path / "audit", tmp_path / "keys") as log:
        assert log.damage is not None and "rolled back" in log.damage  # the state file remembers 7 entries
    (tmp_path / "audit" / STATE_FILE).unlink()  # ... so a careful insider removes it and the index too
    (tmp_path / "audit" / INDEX_FILE).unlink()
    with AuditLog.open(tmp_path / "audit", tmp_path / "keys") as log:
        log.append_many(new(i) if i != 2 else NewEntry("mallory", "nothing", "doc-2", {}, T0) for i in range(12))
        log.checkpoint()
        assert log.verify().ok  # locally consistent: only the witness can tell
        witnessed = load_export(witness_file, pinned).checkpoint
        report = log.verify(against=witnessed)
        assert not report.ok and [p.kind for p in report.problems] == ["witness"]
        with pytest.raises(VerificationError):
            log.prove_consistency(witnessed).verify(pinned, witnessed)


def test_rollback_below_the_witness_is_detected(tmp_path: Path) -> None:
    with make_log(tmp_path, 9) as log:
        witnessed = log.checkpoint()
    path = tmp_path / "audit" / ENTRIES_FILE
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with AuditLog.open(tmp_path / "audit", tmp_path / "keys") as log:
        report = log.verify(against=witnessed)
        assert not report.ok and "witness" in {p.kind for p in report.problems}


def test_export_file_with_another_pinned_key_is_rejected(tmp_path: Path) -> None:
    with make_log(tmp_path, 2) as log:
        log.checkpoint()
        log.export_checkpoint(tmp_path / "w.json")
    with pytest.raises(VerificationError):
        load_export(tmp_path / "w.json", Ed25519PrivateKey.generate().public_key())


def test_torn_checkpoint_write_is_truncated_on_request(tmp_path: Path) -> None:
    with make_log(tmp_path, 2) as log:
        log.checkpoint()
    path = tmp_path / "audit" / CHECKPOINTS_FILE
    whole = path.read_bytes()
    path.write_bytes(whole + whole[:30])
    with AuditLog.open(tmp_path / "audit", tmp_path / "keys") as log:
        assert log.damage is not None and not log.verify().ok
    with AuditLog.open(tmp_path / "audit", tmp_path / "keys", truncate_incomplete_tail=True) as log:
        assert path.read_bytes() == whole and log.damage is None and log.verify().ok


def test_a_tampered_log_is_never_laundered_by_later_checkpoints(tmp_path: Path) -> None:
    # Open is cheap, so an edit in the middle is not seen there; the writer keeps signing the history it wrote
    # (its frontier), so verify still names the edit after more appends, and no proof is built from edited bytes.
    with make_log(tmp_path, 3) as log:
        log.checkpoint()
    path = tmp_path / "audit" / ENTRIES_FILE
    path.write_bytes(path.read_bytes().replace(b"user1", b"user9"))
    with AuditLog.open(tmp_path / "audit", tmp_path / "keys") as log:
        log.append(new(3))
        log.checkpoint()
        report = log.verify()
        assert {p.kind for p in report.problems} == {"root-mismatch"} and report.first_bad_entry == 0
        with pytest.raises(VerificationError, match="differ"):
            log.prove(0)


def test_a_tampered_last_entry_refuses_appends(tmp_path: Path) -> None:
    with make_log(tmp_path, 3) as log:
        log.checkpoint()
    path = tmp_path / "audit" / ENTRIES_FILE
    path.write_bytes(path.read_bytes().replace(b"user2", b"user9"))
    with AuditLog.open(tmp_path / "audit", tmp_path / "keys") as log:
        assert log.damage is not None
        with pytest.raises(AuditError, match="refusing"):
            log.append(new(3))
        report = log.verify()
        assert {p.kind for p in report.problems} == {"root-mismatch"} and report.first_bad_entry == 0
