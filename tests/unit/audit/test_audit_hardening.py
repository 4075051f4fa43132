"""Finding 4 of issue 20: a log in its ordinary state (made by normal appends, nothing signed by hand) is fully
protected by a plain verify, and an append does not re-read the log."""

from __future__ import annotations

import json
import multiprocessing
import random
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from molehunt.audit import AuditLog, NewEntry, append_entry, framing
from molehunt.audit.entries import Entry
from molehunt.audit.framing import frame, scan
from molehunt.audit.verify import CHECKPOINTS_FILE, ENTRIES_FILE
from molehunt.clock import frozen

T0 = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
N = 6


def new(i: int, actor: str = "user") -> NewEntry:
    return NewEntry(f"{actor}{i}", "read", f"doc-{i}", {"n": i}, T0)


def ordinary(home: Path, n: int = N) -> Path:
    """A log as the vault and the dashboard leave it: one append_entry per request, nothing else."""
    for i in range(n):
        append_entry(home / "audit", home / "keys", new(i))
    return home / "audit"


def verify_ok(home: Path) -> bool:
    with AuditLog.open(home / "audit", home / "keys") as log:
        return log.verify().ok


def _records(audit: Path) -> list[bytes]:
    return scan((audit / ENTRIES_FILE).read_bytes()).records


def _forge_last(records: list[bytes]) -> list[bytes]:
    i = len(records) - 1
    return [*records[:i], Entry.create(i, new(i, actor="mallory")).canonical]  # canonical and plausible


def _swap_last_two(records: list[bytes]) -> list[bytes]:
    return [*records[:-2], records[-1], records[-2]]


def _renumbered(records: list[bytes]) -> list[bytes]:
    """The records re-encoded with seq 0, 1, ... so each is canonical at its new place (a careful forger)."""
    out = []
    for i, data in enumerate(records):
        body = Entry.from_bytes(data, expected_seq=int(json.loads(data)["seq"]))
        moment = datetime.strptime(body.time, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)
        out.append(
            Entry.create(i, NewEntry(body.actor, body.action, body.target, dict(body.details), moment)).canonical
        )
    return out


EDITS: dict[str, Callable[[list[bytes]], list[bytes]]] = {
    "change the last entry": _forge_last,
    "swap the last two": _swap_last_two,
    "swap the last two, renumbered": lambda records: _renumbered(_swap_last_two(records)),
    "delete the last": lambda records: records[:-1],
    "delete one in the middle": lambda records: records[:2] + records[3:],
    "delete one in the middle, renumbered": lambda records: _renumbered(records[:2] + records[3:]),
}


@pytest.mark.parametrize("edit", sorted(EDITS))
def test_edits_to_an_ordinary_log_are_caught_by_plain_verify(tmp_path: Path, edit: str) -> None:
    audit = ordinary(tmp_path)
    assert verify_ok(tmp_path)
    (audit / ENTRIES_FILE).write_bytes(frame(EDITS[edit](_records(audit))))
    assert not verify_ok(tmp_path)


def test_every_byte_flip_in_an_ordinary_log_is_caught(tmp_path: Path) -> None:
    audit = ordinary(tmp_path, 4)
    with AuditLog.open(audit, tmp_path / "keys") as log:
        assert log.verify().ok and log.verify().uncovered == 0
        files = sorted(p for p in audit.iterdir() if p.is_file())
        assert {ENTRIES_FILE, CHECKPOINTS_FILE} <= {p.name for p in files}
        rng = random.Random(4)
        for path in files:
            original = path.read_bytes()
            for i in range(len(original)):
                for flip in (0x01, rng.randrange(1, 256)):
                    path.write_bytes(original[:i] + bytes([original[i] ^ flip]) + original[i + 1 :])
                    assert not log.verify().ok, (path.name, i, flip)
            path.write_bytes(original)
        assert log.verify().ok


def test_an_append_reads_only_the_end_of_the_log(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ordinary(tmp_path, 50)

    def whole_file_read(path: Path) -> framing.Scan:
        raise AssertionError(f"an append re-read all of {path}")

    monkeypatch.setattr(framing, "read", whole_file_read)
    assert append_entry(tmp_path / "audit", tmp_path / "keys", new(50)) == 50
    with AuditLog.open(tmp_path / "audit", tmp_path / "keys") as log:  # reading one entry back is cheap too
        assert [log.entry(i).actor for i in (50, 7)] == ["user50", "user7"]
    monkeypatch.undo()
    with AuditLog.open(tmp_path / "audit", tmp_path / "keys") as log:
        report = log.verify()
        assert report.ok and report.entries == 51 and report.uncovered == 0


def test_a_long_open_writer_checkpoints_at_least_every_minute(tmp_path: Path) -> None:
    start = datetime(2026, 3, 1, 12, 0, 0)
    with AuditLog.open(tmp_path / "audit", tmp_path / "keys") as log:
        with frozen(start):
            log.append(new(0))
            first = log.latest_checkpoint
        with frozen(start + timedelta(seconds=30)):
            log.append(new(1))
            assert log.latest_checkpoint == first  # a burst does not sign each entry
        with frozen(start + timedelta(seconds=61)):
            log.append(new(2))
            latest = log.latest_checkpoint
            assert latest is not None and latest.tree_size == 3


def _append_from_a_process(args: tuple[Path, int]) -> list[int]:
    home, worker = args
    return [append_entry(home / "audit", home / "keys", new(worker * 100 + i)) for i in range(5)]


def test_processes_appending_at_once_take_turns_and_leave_the_log_covered(tmp_path: Path) -> None:
    ordinary(tmp_path, 1)  # the key exists before the processes start
    with ProcessPoolExecutor(max_workers=3, mp_context=multiprocessing.get_context("fork")) as pool:
        indexes = [i for got in pool.map(_append_from_a_process, [(tmp_path, w) for w in range(3)]) for i in got]
    assert sorted(indexes) == list(range(1, 16))  # within append_entry's 2 s wait for a busy log
    with AuditLog.open(tmp_path / "audit", tmp_path / "keys") as log:
        report = log.verify()
        assert report.ok and report.entries == 16 and report.uncovered == 0
