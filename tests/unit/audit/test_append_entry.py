"""append_entry: the one-shot append used by the vault and the web app's worker threads."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from molehunt.audit import AuditLog, NewEntry, append_entry


def test_threads_take_turns_and_every_entry_lands(tmp_path: Path) -> None:
    audit, keys = tmp_path / "audit", tmp_path / "keys"

    def one(i: int) -> int:
        return append_entry(audit, keys, NewEntry(f"user{i}", "reveal", "x", {"n": i}))

    with ThreadPoolExecutor(max_workers=8) as pool:
        indexes = list(pool.map(one, range(40)))
    assert sorted(indexes) == list(range(40))
    with AuditLog.open(audit, keys) as log:
        assert log.size == 40
        assert {log.entry(i).actor for i in range(40)} == {f"user{i}" for i in range(40)}
        log.checkpoint()
        assert log.verify().ok
