"""Property tests: any change to the entries file is caught by verify, and the first bad entry is bounded."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from hypothesis import given, settings
from hypothesis import strategies as st

from molehunt.audit import AuditLog, NewEntry, Report, verify_directory
from molehunt.audit.checkpoint import Checkpoint
from molehunt.audit.entries import Entry
from molehunt.audit.framing import frame, scan
from molehunt.audit.verify import CHECKPOINTS_FILE, ENTRIES_FILE

T0 = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
N, EARLY = 8, 5
FAST = settings(max_examples=150, deadline=None)


@dataclass(frozen=True)
class Fixture:
    entries: bytes
    checkpoints: bytes
    records: list[bytes]
    offsets: list[int]
    key: Ed25519PublicKey
    early: Checkpoint


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Fixture]:
    home = tmp_path_factory.mktemp("tamper")
    with AuditLog.open(home / "audit", home / "keys") as log:
        log.append_many(NewEntry(f"u{i}", "read", f"doc-{i}", {"i": i}, T0) for i in range(EARLY))
        early = log.checkpoint()
        log.append_many(NewEntry(f"u{i}", "read", f"doc-{i}", {"i": i}, T0) for i in range(EARLY, N))
        log.checkpoint()
        key = log.public_key
    entries = (home / "audit" / ENTRIES_FILE).read_bytes()
    parsed = scan(entries)
    yield Fixture(entries, (home / "audit" / CHECKPOINTS_FILE).read_bytes(), parsed.records, parsed.offsets, key, early)


def check(base: Fixture, entries: bytes, against: Checkpoint | None = None) -> Report:
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        (directory / ENTRIES_FILE).write_bytes(entries)
        (directory / CHECKPOINTS_FILE).write_bytes(base.checkpoints)
        return verify_directory(directory, base.key, against)


def test_untouched_log_verifies(base: Fixture) -> None:
    report = check(base, base.entries, base.early)
    assert report.ok and report.verified_size == N and report.first_bad_entry is None


def entry_of_byte(base: Fixture, position: int) -> int:
    return max(i for i, offset in enumerate(base.offsets) if offset <= position)


@FAST
@given(data=st.data())
def test_any_single_byte_change_is_detected(base: Fixture, data: st.DataObject) -> None:
    position = data.draw(st.integers(0, len(base.entries) - 1))
    flip = data.draw(st.integers(1, 255))
    tampered = bytearray(base.entries)
    tampered[position] ^= flip
    report = check(base, bytes(tampered))
    assert not report.ok
    bad, first = entry_of_byte(base, position), report.first_bad_entry
    assert first is not None and first <= bad
    if bad >= EARLY:
        assert first >= EARLY  # the earlier checkpoint still proves the entries before it
    assert not check(base, bytes(tampered), base.early).ok


@FAST
@given(data=st.data())
def test_deleting_reordering_or_duplicating_entries_is_detected(base: Fixture, data: st.DataObject) -> None:
    records = list(base.records)
    i = data.draw(st.integers(0, N - 1))
    action = data.draw(st.sampled_from(["delete", "swap", "duplicate"]))
    if action == "delete":
        del records[i]
    elif action == "swap":
        j = data.draw(st.integers(0, N - 1).filter(lambda j: j != i))
        records[i], records[j] = records[j], records[i]
    else:
        records.insert(i, records[i])
        i += 1  # the copy sits at i + 1; entries up to i are intact
    report = check(base, frame(records))
    assert not report.ok and report.first_bad_entry is not None and report.first_bad_entry <= i


@FAST
@given(cut=st.integers(0, 10_000))
def test_truncation_is_detected(base: Fixture, cut: int) -> None:
    cut %= len(base.entries)
    report = check(base, base.entries[:cut])
    assert not report.ok
    assert not check(base, base.entries[:cut], base.early).ok or cut >= base.offsets[EARLY]


@FAST
@given(start=st.integers(0, N - 1), actor=st.text(min_size=1, max_size=8))
def test_rewritten_tail_is_detected(base: Fixture, start: int, actor: str) -> None:
    rewritten = [Entry.create(i, NewEntry(actor + "!", "read", f"doc-{i}", {"i": i}, T0)) for i in range(start, N)]
    entries = frame([*base.records[:start], *(e.canonical for e in rewritten)])
    report = check(base, entries)
    assert not report.ok and report.first_bad_entry is not None and report.first_bad_entry <= start
    if start < EARLY:
        assert not check(base, entries, base.early).ok
