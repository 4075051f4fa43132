"""Witnessing as a library: pinning, consistency from exported proofs, the cosigned copy and what it refuses."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from molehunt.audit import AuditLog, NewEntry, VerificationError
from molehunt.audit.witness import WITNESS_DIR, load_witnessed, read_copy, witness

T0 = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


def grow(home: Path, count: int, export: Path | None = None, since: tuple[int, ...] = ()) -> None:
    with AuditLog.open(home / "audit", home / "keys") as log:
        log.append_many(NewEntry("a", "read", f"doc-{i}", {"i": i}, T0) for i in range(count))
        log.checkpoint()
        if export is not None:
            log.export_checkpoint(export, since)


def test_a_missed_export_needs_a_proof_from_the_witnessed_size(tmp_path: Path) -> None:
    log, w = tmp_path / "log", tmp_path / "w"
    grow(log, 3, tmp_path / "first.json")
    first = witness(tmp_path / "first.json", w / WITNESS_DIR, w / "keys")
    assert first.previous is None and first.cosigned.checkpoint.tree_size == 3
    grow(log, 5, tmp_path / "second.json")  # a new file: it carries no proof from size 3
    with pytest.raises(VerificationError, match="--since 3"):
        witness(tmp_path / "second.json", w / WITNESS_DIR, w / "keys")
    grow(log, 1, tmp_path / "third.json", since=(3,))
    done = witness(tmp_path / "third.json", w / WITNESS_DIR, w / "keys")
    assert done.previous is not None and done.previous.tree_size == 3 and done.proof_hashes > 0
    copy = read_copy(done.copy)
    assert copy is not None and copy.checkpoint.tree_size == 9


def test_a_forged_proof_in_an_export_is_refused(tmp_path: Path) -> None:
    log, w = tmp_path / "log", tmp_path / "w"
    grow(log, 3, tmp_path / "cp.json")
    witness(tmp_path / "cp.json", w / WITNESS_DIR, w / "keys")
    grow(log, 4, tmp_path / "cp.json")
    document = json.loads((tmp_path / "cp.json").read_text())
    document["proofs"][0]["consistency_path"][0] = "00" * 32
    (tmp_path / "cp.json").write_text(json.dumps(document))
    with pytest.raises(VerificationError, match="does not extend"):
        witness(tmp_path / "cp.json", w / WITNESS_DIR, w / "keys")


def test_the_cosignature_covers_the_copy(tmp_path: Path) -> None:
    log, w = tmp_path / "log", tmp_path / "w"
    grow(log, 2, tmp_path / "cp.json")
    done = witness(tmp_path / "cp.json", w / WITNESS_DIR, w / "keys")
    with AuditLog.open(log / "audit", log / "keys") as opened:
        key = opened.public_key
    assert load_witnessed(w, key).tree_size == 2
    document = json.loads(done.copy.read_text())
    document["time"] = "2030-01-01T00:00:00.000000Z"  # the log's checkpoint still verifies; the cosignature not
    done.copy.write_text(json.dumps(document))
    with pytest.raises(VerificationError, match="cosignature"):
        load_witnessed(w, key)
