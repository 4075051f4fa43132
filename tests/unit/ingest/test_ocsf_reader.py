"""OCSF 1.x JSON lines -> canonical events: every mapped class, every kind of bad line, all-or-nothing files."""

from __future__ import annotations

import json
import shutil
import textwrap
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
import pytest

import molehunt.ingest.load as load
import molehunt.ingest.ocsf as ocsf
from molehunt.errors import InputError
from molehunt.ingest import ingest, ingest_hr, ingest_ocsf
from molehunt.ingest.ocsf_map import BadRecord, Context, map_record
from molehunt.store import Store, open_store
from tests.ocsf_fixtures import (
    EMAIL,
    FILE_TO_USB,
    GOOD,
    HTTP_UPLOAD,
    LOGON,
    USB_CONNECT,
    line,
    ms,
    write_jsonl,
)
from tests.processes import kill_after_first_line

DTAA = ["dtaa.com"]


def events(store: Store) -> list[dict[str, Any]]:
    cursor = store.con.execute("SELECT * FROM events ORDER BY file_id, line")
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def quarantined(store: Store) -> list[tuple[int, str]]:
    return [
        (int(r[0]), str(r[1]))
        for r in store.con.execute("SELECT line, reason FROM quarantine ORDER BY line").fetchall()
    ]


def test_each_class_becomes_its_canonical_event(tmp_path: Path, store: Store) -> None:
    report = ingest_ocsf(store, write_jsonl(tmp_path / "feed.jsonl", [line(r) for r in GOOD]), internal=DTAA)
    (file,) = report.files
    assert (file.rows, file.ingested, file.quarantined) == (len(GOOD), len(GOOD), 0)
    rows = events(store)
    assert [r["line"] for r in rows] == list(range(1, len(GOOD) + 1))
    assert {r["source"] for r in rows} == {"ocsf"} and {r["user_id"] for r in rows} == {"ALE0001"}
    logon, logoff, usb, to_usb, from_usb, moved, mail, upload, download, connect = rows

    assert (logon["kind"], logon["activity"], logon["host"], logon["event_id"]) == (
        "logon",
        "logon",
        "PC-0001",
        "auth-1",
    )
    assert logon["time"] == datetime(2010, 1, 4, 7, 58)
    # user.uid when there is no user.name; timezone_offset gives local time; dst_endpoint names the machine.
    assert (logoff["activity"], logoff["time"], logoff["host"]) == ("logoff", datetime(2010, 1, 4, 17, 2), "PC-0001")

    assert (usb["kind"], usb["activity"], usb["content"]) == ("device", "connect", "SanDisk Cruzer 4C53")

    expected_files = [
        ("write", "E:\\Atlas\\X1.doc", True, False, "doc", 2048),
        ("open", "E:\\notes.zip", False, True, "zip", None),
        ("copy", "E:\\a.pdf", True, False, "pdf", None),
    ]
    got_files = [
        (f["activity"], f["path"], f["to_removable"], f["from_removable"], f["content_type"], f["bytes"])
        for f in (to_usb, from_usb, moved)
    ]
    assert got_files == expected_files

    assert (mail["kind"], mail["activity"], mail["sender"]) == ("email", "send", "ann.lee@dtaa.com")
    assert mail["recipients"] == ["bob.ray@dtaa.com", "x@gmail.com", "y@corp.com"]
    assert (mail["n_internal"], mail["n_external"]) == (1, 2)
    assert (mail["bytes"], mail["attachment_count"], mail["attachment_bytes"]) == (30000, 2, 2000)
    assert (mail["content"], mail["event_id"], mail["host"]) == ("files", "mail-1", "PC-0001")

    assert (upload["activity"], upload["domain"], upload["url"]) == ("upload", "dropbox.com", HTTP_UPLOAD_URL)
    assert upload["host"] == "PC-0001"
    assert (download["activity"], download["domain"], download["content_type"]) == ("download", "wikileaks.org", "exe")
    assert (connect["activity"], connect["url"], connect["domain"]) == ("visit", "https://monster.com", "monster.com")


HTTP_UPLOAD_URL = "https://www.Dropbox.com/u?x=1"

BAD_LINES: list[tuple[str | bytes, str]] = [
    ("{not json", "invalid JSON: Expecting property name enclosed in double quotes at column 2"),
    (b'{"class_uid": 3002, "user": {"name": "Ren\xe9"}}', "undecodable bytes (not UTF-8), shown as ?"),
    ("", "empty line"),
    ("[1, 2]", "not a JSON object (got array)"),
    (line(LOGON, class_uid=4001), "unknown class_uid 4001 (molehunt reads 3002, 1001, 4009, 4002, 1010"),
    (line(LOGON, class_uid=None), "missing required field class_uid"),
    (line(LOGON, class_uid="3002"), "wrong type: class_uid must be an integer, got string"),
    (line(LOGON, activity_id=None), "missing required field activity_id"),
    (line(LOGON, activity_id=3), "unmapped activity_id 3 for Authentication (3002); mapped: 1 (logon), 2 (logoff)"),
    (line(LOGON, status_id=2), "failed authentication (status_id 2)"),
    (line(LOGON, user=None), "missing required field user.name or user.uid"),
    (line(LOGON, user="ALE0001"), "wrong type: user must be an object, got string"),
    (line(LOGON, time="2010-01-04T07:58:00Z"), "wrong type: time must be an integer, got string"),
    (line(LOGON, time=None), "missing required field time"),
    (line(LOGON, time=1262591880), "time 1262591880 is not milliseconds since 1970 (too small: seconds?)"),
    (line(FILE_TO_USB, file=None), "missing required field file.path (or file.name)"),
    (line(FILE_TO_USB, file={"name": "x.doc", "size": "big"}), "wrong type: file.size must be an integer, got string"),
    (line(FILE_TO_USB, actor=None), "missing required field actor.user.name or actor.user.uid"),
    (line(FILE_TO_USB, activity_id=7), "unmapped activity_id 7 for File System Activity (1001)"),
    (line(EMAIL, email=None), "missing required field email"),
    (line(EMAIL, email={"from": "a@dtaa.com", "to": "b@x.com"}), "wrong type: email.to must be an array of strings"),
    (line(EMAIL, email={"to": ["b@x.com"]}), "missing required field email.from"),
    (line(HTTP_UPLOAD, http_request={"http_method": "POST"}), "missing required field http_request.url.url_string"),
    (line(HTTP_UPLOAD, activity_id=42), "unmapped activity_id 42 for HTTP Activity (4002)"),
    (line(USB_CONNECT, peripheral_device={"name": "MX", "type_id": 3}), "peripheral_device.type_id 3 (Mouse) is not"),
    (line(USB_CONNECT, peripheral_device=None), "missing required field peripheral_device"),
]


def test_every_bad_line_is_quarantined_with_its_reason_and_line(tmp_path: Path, store: Store) -> None:
    lines = [line(LOGON)] + [bad for bad, _ in BAD_LINES] + [line(USB_CONNECT)]
    report = ingest_ocsf(store, write_jsonl(tmp_path / "bad.jsonl", lines))
    (file,) = report.files
    assert (file.rows, file.ingested, file.quarantined) == (len(lines), 2, len(BAD_LINES))
    assert [e["line"] for e in events(store)] == [1, len(lines)]
    got = quarantined(store)
    assert [n for n, _ in got] == list(range(2, len(BAD_LINES) + 2))
    for (number, reason), (_, expected) in zip(got, BAD_LINES, strict=True):
        assert reason.startswith(expected), (number, reason, expected)
    raw = dict(store.con.execute("SELECT line, raw FROM quarantine").fetchall())
    assert raw[2] == "{not json" and raw[3] == '{"class_uid": 3002, "user": {"name": "Ren?"}}'
    assert file.first_problems[0].startswith("line 2: invalid JSON")


def test_strict_stops_at_the_first_bad_line_and_keeps_nothing(tmp_path: Path, store: Store) -> None:
    path = write_jsonl(tmp_path / "bad.jsonl", [line(LOGON), line(LOGON, time="noon"), "{"])
    with pytest.raises(InputError, match=r"bad\.jsonl:2: wrong type: time must be an integer, got string"):
        ingest_ocsf(store, path, strict=True)
    assert store.count("SELECT count(*) FROM events") == 0
    assert store.count("SELECT count(*) FROM ingested_files") == 0


def test_same_content_twice_changes_nothing(tmp_path: Path, store: Store) -> None:
    first = write_jsonl(tmp_path / "a" / "feed.jsonl", [line(r) for r in GOOD] + ["{"])
    ingest_ocsf(store, first)
    before = [store.count(f"SELECT count(*) FROM {t}") for t in ("events", "quarantine", "ingested_files")]
    copy = tmp_path / "b" / "renamed.ndjson"
    copy.parent.mkdir()
    shutil.copy(first, copy)
    for again in (first, copy, tmp_path):  # the file, a copy under another name, the folder holding both
        report = ingest_ocsf(store, again)
        assert all(f.skipped and f.rows == 0 for f in report.files)
    after = [store.count(f"SELECT count(*) FROM {t}") for t in ("events", "quarantine", "ingested_files")]
    assert after == before


def test_a_file_repeating_ingested_event_uids_is_refused(tmp_path: Path, store: Store) -> None:
    ingest_ocsf(store, write_jsonl(tmp_path / "day1.jsonl", [line(LOGON)]))
    grown = write_jsonl(tmp_path / "day1-again.jsonl", [line(LOGON), line(USB_CONNECT)])
    with pytest.raises(InputError, match=r"repeat events already ingested from .*day1\.jsonl"):
        ingest_ocsf(store, grown)
    assert store.count("SELECT count(*) FROM events") == 1


def test_folder_reads_every_jsonl_file_in_order(tmp_path: Path, store: Store) -> None:
    write_jsonl(tmp_path / "feed" / "b.jsonl", [line(USB_CONNECT)])
    write_jsonl(tmp_path / "feed" / "a" / "x.ndjson", [line(LOGON)])
    (tmp_path / "feed" / "notes.txt").write_text("not a feed")
    report = ingest_ocsf(store, tmp_path / "feed")
    assert [Path(f.path).name for f in report.files] == ["x.ndjson", "b.jsonl"]
    with pytest.raises(InputError, match="no OCSF JSON-lines file"):
        ingest_ocsf(store, _empty(tmp_path))
    with pytest.raises(InputError, match="--only selects CERT files"):
        ingest(store, "ocsf", tmp_path / "feed", only={"logon"})


def _empty(tmp_path: Path) -> Path:
    (tmp_path / "empty").mkdir()
    return tmp_path / "empty"


def test_mail_without_actor_is_attributed_through_known_addresses(tmp_path: Path, store: Store) -> None:
    hr = tmp_path / "hr.csv"
    hr.write_text("user,email,department,role\nALE0001,Ann.Lee@dtaa.com,Engineering,Engineer\n")
    ingest_hr(store, hr)
    no_actor = line(EMAIL, actor=None)
    stranger = line(EMAIL, actor=None, email={"from": "eve@elsewhere.org", "to": ["a@b.com"]})
    ingest_ocsf(store, write_jsonl(tmp_path / "mail.jsonl", [no_actor, stranger]))
    (mail,) = events(store)
    assert mail["user_id"] == "ALE0001" and (mail["n_internal"], mail["n_external"]) == (1, 2)  # HR's domain
    assert quarantined(store) == [
        (2, "missing required field actor.user.name or actor.user.uid (sender eve@elsewhere.org is no known address)")
    ]


def test_mapping_is_a_pure_function_of_the_record() -> None:
    context = Context(frozenset({"dtaa.com"}))
    assert map_record(json.loads(line(LOGON)), context) == map_record(json.loads(line(LOGON)), context)
    record = json.loads(line(LOGON, time=None, time_dt="2010-01-04T07:58:00-05:00"))
    assert map_record(record, context)["time"] == datetime(2010, 1, 4, 7, 58)  # the wall clock as written
    with pytest.raises(BadRecord, match="bad time_dt"):
        map_record(json.loads(line(LOGON, time=None, time_dt="yesterday")), context)
    other = json.loads(line(HTTP_UPLOAD, activity_id=99))
    other["http_request"]["http_method"] = "put"
    assert map_record(other, context)["activity"] == "upload"
    assert ms(2010, 1, 4) == 1262563200000


# ---- all of a file or none of it -------------------------------------------------------------------------


def many_lines(count: int) -> list[str]:
    base = json.loads(line(USB_CONNECT))
    return [json.dumps(base | {"time": base["time"] + n * 1000, "metadata": {"uid": f"u{n}"}}) for n in range(count)]


def test_an_error_mid_file_leaves_the_store_as_it_was(
    tmp_path: Path, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    ingest_ocsf(store, write_jsonl(tmp_path / "before.jsonl", [line(LOGON), "{"]))
    before = [store.count(f"SELECT count(*) FROM {t}") for t in ("events", "quarantine", "ingested_files")]
    monkeypatch.setattr(load, "CHECKPOINT_ROWS", 1_000)
    monkeypatch.setattr(ocsf, "CHUNK_LINES", 500)
    commit_chunk = load.FileWriter.checkpoint
    chunks: list[int] = []

    def checkpoint_then_ctrl_c(self: load.FileWriter) -> None:
        commit_chunk(self)
        chunks.append(self.file_id)
        if len(chunks) == 3:
            raise KeyboardInterrupt

    monkeypatch.setattr(load.FileWriter, "checkpoint", checkpoint_then_ctrl_c)
    big = write_jsonl(tmp_path / "big.jsonl", many_lines(10_000))
    with pytest.raises(KeyboardInterrupt):
        ingest_ocsf(store, big)
    assert len(chunks) == 3  # three chunks had been committed as a pending file, then removed
    after = [store.count(f"SELECT count(*) FROM {t}") for t in ("events", "quarantine", "ingested_files")]
    assert after == before

    monkeypatch.setattr(load.FileWriter, "checkpoint", commit_chunk)
    report = ingest_ocsf(store, big)
    assert (report.files[0].ingested, store.count("SELECT count(*) FROM events")) == (10_000, 10_001)


CHILD = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    import molehunt.ingest.load as load
    import molehunt.ingest.ocsf as ocsf
    from molehunt.ingest import ingest_ocsf
    from molehunt.store import open_store

    load.CHECKPOINT_ROWS = 1_000
    ocsf.CHUNK_LINES = 500
    commit_chunk = load.FileWriter.checkpoint
    chunks = 0

    def checkpoint_then_stall(self):  # after three committed chunks, wait to be killed
        global chunks
        commit_chunk(self)
        chunks += 1
        if chunks == 3:
            print("MID", flush=True)
            time.sleep(120)

    load.FileWriter.checkpoint = checkpoint_then_stall
    with open_store(Path(sys.argv[1])) as store:
        ingest_ocsf(store, Path(sys.argv[2]))
    """
)


@pytest.mark.slow
def test_killed_mid_file_leaves_store_as_before(tmp_path: Path) -> None:
    store_path = tmp_path / "home" / "molehunt.duckdb"
    with open_store(store_path) as store:
        ingest_ocsf(store, write_jsonl(tmp_path / "before.jsonl", [line(LOGON)]))
    big = write_jsonl(tmp_path / "big.jsonl", many_lines(10_000))
    assert kill_after_first_line(CHILD, str(store_path), str(big)) == "MID"
    raw = duckdb.connect(str(store_path), read_only=True)
    assert raw.execute("SELECT count(*) FROM events").fetchall()[0][0] > 1_000  # committed chunks of a pending file
    raw.close()
    with open_store(store_path) as store:  # the next open removes them before anything reads
        assert store.count("SELECT count(*) FROM events") == 1
        assert store.count("SELECT count(*) FROM ingested_files") == 1
