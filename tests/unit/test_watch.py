"""The pieces of `molehunt watch`: which entries are deliveries, when a delivery is already in the store, which day
scoring starts from, and a loop that stops between cycles and survives a failing one."""

from __future__ import annotations

import threading
from datetime import date, datetime
from pathlib import Path

import pytest

from molehunt.errors import InputError, StoreError
from molehunt.events import EVENT_COLUMN_NAMES, Event, EventKind, Provenance
from molehunt.ingest import READERS, FileReport, IngestReport, ReadOptions, Source
from molehunt.ingest.csv_stream import sha256_of
from molehunt.store import Store
from molehunt.store.files import begin_file, complete_file
from molehunt.watch import (
    Cycle,
    RefusalMemory,
    Refused,
    deliveries,
    describe,
    first_day_to_score,
    is_known,
    watch,
    watch_once,
)


def record(store: Store, path: Path) -> int:
    """Record `path` as a completely ingested file, as a reader would."""
    file_id = begin_file(store.con, path, sha256=sha256_of(path), snapshot="", source="cert", release="r6.2", role="x")
    complete_file(store.con, file_id, 0, 0, 0)
    return file_id


def add_event(store: Store, file_id: int, when: datetime) -> None:
    row = Event("cert", EventKind.LOGON, when, "ANN", "logon", Provenance(file_id, 2), host="PC-1").to_row()
    store.con.execute(f"INSERT INTO events VALUES ({', '.join('?' for _ in EVENT_COLUMN_NAMES)})", row)


def test_deliveries_are_the_visible_entries_in_name_order(tmp_path: Path) -> None:
    for name in ("2010-02-01", "2010-01-01", ".copying", "_parked"):
        (tmp_path / name).mkdir()
    (tmp_path / "hr.csv").write_text("user\n")
    assert [p.name for p in deliveries(tmp_path)] == ["2010-01-01", "2010-02-01", "hr.csv"]
    with pytest.raises(InputError, match="not a folder"):
        deliveries(tmp_path / "missing")


def test_a_delivery_is_known_by_path_and_size_or_by_name_and_content(store: Store, tmp_path: Path) -> None:
    first, second = tmp_path / "d1", tmp_path / "d2"
    for folder in (first, second):
        (folder / "LDAP").mkdir(parents=True)
        (folder / "LDAP" / "2010-01.csv").write_text("same snapshot\n")
    (first / "logon.csv").write_text("day one\n")
    (second / "logon.csv").write_text("day two\n")
    assert not is_known(store, first)
    record(store, first / "logon.csv")
    record(store, first / "LDAP" / "2010-01.csv")
    assert is_known(store, first)
    assert not is_known(store, second)  # its logon.csv is new
    record(store, second / "logon.csv")
    assert is_known(store, second)  # the repeated snapshot has the same name and bytes as one already in
    (second / "LDAP" / "2010-02.csv").write_text("same snapshot\n")
    assert not is_known(store, second)  # same bytes under another month's name: the reader decides
    (first / "logon.csv").write_text("day one, grown\n")
    assert not is_known(store, first)
    assert not is_known(store, tmp_path / "empty-but-missing")


def test_scoring_starts_at_the_first_day_of_new_files_or_after_the_last_scored_day(
    store: Store, tmp_path: Path
) -> None:
    (tmp_path / "a.csv").write_text("a\n")
    (tmp_path / "b.csv").write_text("b\n")
    old, late = record(store, tmp_path / "a.csv"), record(store, tmp_path / "b.csv")
    add_event(store, old, datetime(2010, 1, 4, 9))
    add_event(store, old, datetime(2010, 1, 6, 9))
    assert first_day_to_score(store, new_after_file_id=old) is None  # no scores yet: the caller runs a full scoring
    store.con.execute("CREATE TABLE scores AS SELECT 'ANN' AS user_id, DATE '2010-01-05' AS day")
    assert first_day_to_score(store, new_after_file_id=late) == date(2010, 1, 6)  # never scored
    add_event(store, late, datetime(2010, 1, 2, 9))  # late data for a day scored before
    assert first_day_to_score(store, new_after_file_id=old) == date(2010, 1, 2)


def test_describe_says_what_a_cycle_did(tmp_path: Path) -> None:
    idle = Cycle(known=3, scored_until=date(2010, 4, 3))
    assert idle.idle
    assert describe(idle, tmp_path) == [
        f"nothing new in {tmp_path} (3 deliveries already in the store; scored up to 2010-04-03)"
    ]
    refused = Cycle(refused=(Refused("in/x", "in/x lacks device.csv"),), scored_until=date(2010, 4, 3))
    assert describe(refused, tmp_path) == [
        "refused in/x: in/x lacks device.csv",
        "no new days to score (scored up to 2010-04-03)",
        "1 delivery refused, nothing of them in the store; the cycle went on with the others, and a refused delivery "
        "is tried again once it changes (with --once: each run)",
    ]


def test_the_loop_stops_between_cycles_and_outlives_a_failing_one(tmp_path: Path) -> None:
    stop, seen, errors = threading.Event(), [], []
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "logon.csv").write_text("x\n")

    def cycle(skip: object) -> Cycle:
        seen.append(skip)
        if len(seen) == 1:
            raise StoreError("the store is in use by another process")
        if len(seen) == 3:
            stop.set()
        return Cycle(refused=(Refused(str(broken), "bad header"),))

    watch(cycle, interval=0.01, stop=stop, on_cycle=lambda c: None, on_error=errors.append)
    assert len(seen) == 3 and [str(e) for e in errors] == ["the store is in use by another process"]
    memory = RefusalMemory()
    memory.remember(Cycle(refused=(Refused(str(broken), "bad header"),)))
    assert memory.unchanged(broken)
    (broken / "logon.csv").write_text("id,date,user,pc,activity\n")
    assert not memory.unchanged(broken)  # fixed: tried again
    with pytest.raises(StoreError):
        watch(lambda skip: (_ for _ in ()).throw(StoreError("busy")), interval=1, stop=threading.Event())


def test_a_delivery_that_breaks_its_reader_is_refused_and_the_next_one_ingested(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whatever a reader raises for one delivery (here what a poisoned OCSF record once raised), the cycle reports
    it refused, says so, and goes on to the next delivery (issue 20, finding 1)."""
    incoming = tmp_path / "incoming"
    incoming.mkdir()
    for name in ("a-poisoned.jsonl", "b-clean.jsonl", "c-broken.jsonl"):
        (incoming / name).write_text("{}\n")
    read: list[str] = []

    def reader(store: Store, path: Path, options: ReadOptions, progress: object, /) -> IngestReport:
        read.append(path.name)
        if path.name.startswith("a"):
            raise OverflowError("Python int too large to convert to C long")
        if path.name.startswith("c"):
            raise UnicodeEncodeError("utf-8", "E:\\secret\udc80.doc", 9, 10, "surrogates not allowed")
        return IngestReport("boom", str(path), None, (FileReport(str(path), "x", 1, 1, 0),))

    monkeypatch.setitem(READERS, "boom", Source("boom", ReadOptions, reader))
    cycle = watch_once(store, incoming, source="boom")
    assert read == ["a-poisoned.jsonl", "b-clean.jsonl", "c-broken.jsonl"]
    assert [Path(r.root).name for r in cycle.ingested] == ["b-clean.jsonl"]
    assert [Path(r.path).name for r in cycle.refused] == ["a-poisoned.jsonl", "c-broken.jsonl"]
    assert "OverflowError" in cycle.refused[0].reason and "\\udc80" in cycle.refused[1].reason
    said = describe(cycle, incoming)
    assert said[-1].startswith("2 deliveries refused") and "went on" in said[-1]
    assert all(line.isprintable() for line in said)
