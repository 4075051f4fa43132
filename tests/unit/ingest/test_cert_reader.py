from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from molehunt.errors import InputError
from molehunt.ingest import ingest_cert
from molehunt.ingest.cert_layout import HEADERS, discover
from molehunt.store import Store
from tests.cert_fixtures import ROWS, write_answers, write_cert_dir, write_csv


def events(store: Store, kind: str) -> list[dict[str, Any]]:
    cursor = store.con.execute("SELECT * FROM events WHERE kind = ? ORDER BY file_id, line", [kind])
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


@pytest.mark.parametrize("release", ["r4.2", "r6.2"])
def test_release_is_detected_from_headers(tmp_path: Path, release: str) -> None:
    layout = discover(write_cert_dir(tmp_path, release))
    assert layout.release == release
    assert [f.role for f in layout.files][:2] == ["ldap", "ldap"]  # directory before activity


def test_r42_rows_become_canonical_events(tmp_path: Path, store: Store) -> None:
    report = ingest_cert(store, write_cert_dir(tmp_path, "r4.2"))
    assert report.release == "r4.2"
    assert report.quarantined == 0

    logon = events(store, "logon")
    assert [(e["activity"], e["line"], e["event_id"]) for e in logon] == [("logon", 2, "{L1}"), ("logoff", 3, "{L2}")]
    assert logon[0]["time"] == datetime(2010, 1, 4, 7, 58)
    assert logon[0]["user_id"] == "ALE0001" and logon[0]["host"] == "PC-0001"

    (copy,) = events(store, "file")
    assert (copy["activity"], copy["to_removable"], copy["from_removable"]) == ("copy", True, False)
    assert copy["content_type"] == "pdf" and copy["path"] == "7XC2RWTD.pdf"

    (mail,) = events(store, "email")
    assert mail["recipients"] == ["bob.ray@dtaa.com", "x@gmail.com", "y@corp.com"]
    assert (mail["n_internal"], mail["n_external"]) == (1, 2)
    assert (mail["bytes"], mail["attachment_count"], mail["activity"]) == (20480, 2, "send")
    assert mail["sender"] == "ann.lee@dtaa.com"

    (web,) = events(store, "http")
    assert (web["domain"], web["activity"], web["content_type"]) == ("wikileaks.org", "visit", "exe")
    (device,) = events(store, "device")
    assert device["activity"] == "connect" and device["path"] is None


def test_r62_columns(tmp_path: Path, store: Store) -> None:
    ingest_cert(store, write_cert_dir(tmp_path, "r6.2"))
    copied, opened = events(store, "file")
    assert (copied["activity"], copied["to_removable"], copied["content_type"]) == ("copy", True, "doc")
    assert (opened["activity"], opened["from_removable"], opened["content_type"]) == ("open", True, "zip")
    (mail,) = events(store, "email")
    assert (mail["attachment_count"], mail["attachment_bytes"], mail["n_external"]) == (2, 2000, 1)
    (web,) = events(store, "http")
    assert (web["activity"], web["domain"]) == ("upload", "dropbox.com")
    (device,) = events(store, "device")
    assert device["path"] == "R:\\;R:\\Atlas"
    assert store.con.execute("SELECT path, host FROM decoy_files").fetchall() == [
        ("C:\\Atlas\\specs\\decoy1.doc", "PC-0001")
    ]
    projects = store.con.execute("SELECT projects FROM directory_users WHERE user_id = 'ALE0001'").fetchall()
    assert projects == [(["Atlas", "Borealis"],)]


def test_directory_derives_departures(tmp_path: Path, store: Store) -> None:
    ingest_cert(store, write_cert_dir(tmp_path, "r4.2", months=3))
    rows = store.con.execute(
        "SELECT user_id, first_month, last_month, departed, supervisor FROM directory_users ORDER BY user_id"
    ).fetchall()
    assert [(r[0], str(r[1]), str(r[2]), r[3]) for r in rows] == [
        ("ALE0001", "2010-01-01", "2010-02-01", True),
        ("BRA0002", "2010-01-01", "2010-03-01", False),
    ]
    assert rows[0][4] == "Bob Ray"
    traits = store.con.execute("SELECT openness, neuroticism FROM psychometric").fetchall()
    assert traits == [(40, 40)]


BAD_LOGON = [
    "{L1},01/04/2010 07:58:00,ALE0001,PC-0001,Logon",  # line 2: fine
    "{L2},01/04/2010 08:00:00,ALE0001,PC-0001",  # 3: missing field
    "{L3},13/45/2010 08:00:00,ALE0001,PC-0001,Logoff",  # 4: bad date
    "{L4},01/04/2010 09:00:00,ALE0001,PC-0001,Logoff,extra",  # 5: extra field
    "",  # 6: empty line
    "{L6},01/04/2010 09:30:00,ALE0001,PC-0001,Lagon",  # 7: unknown activity
    "{L7},01/04/2010 10:00:00,,PC-0001,Logon",  # 8: missing user
    "{L8},01/04/2010 17:00:00,ALE0001,PC-0001,Logoff",  # 9: fine
    "{L9},01/04/2010 18:0",  # 10: truncated last row, as circulating extracts are
]


def test_bad_rows_are_quarantined_with_line_and_reason(tmp_path: Path, store: Store) -> None:
    report = ingest_cert(store, write_cert_dir(tmp_path, "r4.2", {"logon": BAD_LOGON}))
    (logon_report,) = [f for f in report.files if f.role == "logon"]
    assert (logon_report.rows, logon_report.ingested, logon_report.quarantined) == (9, 2, 7)
    assert [e["line"] for e in events(store, "logon")] == [2, 9]
    reasons = dict(store.con.execute("SELECT line, reason FROM quarantine ORDER BY line").fetchall())
    assert set(reasons) == {3, 4, 5, 6, 7, 8, 10}
    assert reasons[3] == "expected 5 fields, found 4"
    assert reasons[4].startswith('bad date "13/45/2010 08:00:00"')
    assert reasons[5] == "expected 5 fields, found 6"
    assert reasons[6] == "empty line"
    assert reasons[7] == 'unknown activity "Lagon"'
    assert reasons[8] == "missing user"
    assert reasons[10] == "expected 5 fields, found 2"
    raw = store.con.execute("SELECT raw FROM quarantine WHERE line = 7").fetchall()
    assert raw == [("{L6},01/04/2010 09:30:00,ALE0001,PC-0001,Lagon",)]


@pytest.mark.parametrize(
    ("kind", "row", "reason"),
    [
        ("file", "{F9},01/04/2010 09:01:00,ALE0001,PC-0001,C:\\a.doc,File Copy,Yes,False,x", "bad flag"),
        ("email", "{E9},01/04/2010 10:00:00,ALE0001,PC-0001,a@b.com,,,c@dtaa.com,Send,12x,,", "bad size"),
        ("email", "{E9},01/04/2010 10:00:00,ALE0001,PC-0001,a@b.com,,,c@dtaa.com,Send,12,C:\\a.pdf,", "attachments"),
        ("http", "{H9},01/04/2010 11:00:00,ALE0001,PC-0001,http://a.com,WWW Browse,x", "unknown activity"),
    ],
)
def test_r62_value_checks(tmp_path: Path, store: Store, kind: str, row: str, reason: str) -> None:
    report = ingest_cert(store, write_cert_dir(tmp_path, "r6.2", {kind: [*ROWS["r6.2"][kind], row]}))
    (file_report,) = [f for f in report.files if f.role == kind]
    assert file_report.quarantined == 1
    (found,) = store.con.execute("SELECT reason FROM quarantine").fetchall()
    assert reason in found[0]


def test_undecodable_bytes_are_quarantined(tmp_path: Path, store: Store) -> None:
    root = write_cert_dir(tmp_path, "r4.2")
    with (root / "http.csv").open("ab") as handle:
        handle.write(b"{H2},01/04/2010 11:00:00,ALE0001,PC-0001,http://a.com/\xff\xfe,words\n")
    ingest_cert(store, root)
    (reason, line) = store.con.execute("SELECT reason, line FROM quarantine").fetchall()[0]
    assert "not UTF-8" in reason and line == 3
    assert len(events(store, "http")) == 1


def test_strict_fails_on_first_bad_row_and_keeps_nothing_of_that_file(tmp_path: Path, store: Store) -> None:
    root = write_cert_dir(tmp_path, "r4.2", {"logon": BAD_LOGON})
    with pytest.raises(InputError, match=r"logon\.csv:3: expected 5 fields, found 4"):
        ingest_cert(store, root, strict=True)
    assert store.scalar("SELECT count(*) FROM events WHERE kind = 'logon'") == 0
    assert store.scalar("SELECT count(*) FROM quarantine") == 0
    assert store.scalar("SELECT count(*) FROM ingested_files WHERE role = 'logon'") == 0


def test_same_files_twice_change_nothing(tmp_path: Path, store: Store) -> None:
    root = write_cert_dir(tmp_path, "r6.2", {"logon": BAD_LOGON})
    write_answers(root, "r6.2", ["logon," + BAD_LOGON[0]])
    first = ingest_cert(store, root)
    snapshot = {t: store.scalar(f"SELECT count(*) FROM {t}") for t in ("events", "quarantine", "ingested_files")}
    second = ingest_cert(store, root)
    assert all(f.skipped for f in second.files)
    assert (second.rows, second.ingested, second.quarantined) == (0, 0, 0)
    assert {t: store.scalar(f"SELECT count(*) FROM {t}") for t in snapshot} == snapshot
    assert first.ingested > 0
    # The same bytes under another name are recognised too.
    copy = tmp_path / "copy"
    write_cert_dir(copy, "r6.2", {"logon": BAD_LOGON})
    assert all(f.skipped for f in ingest_cert(store, copy).files)


def test_overlapping_re_export_is_refused_but_new_events_are_taken(tmp_path: Path, store: Store) -> None:
    root = write_cert_dir(tmp_path, "r4.2")
    ingest_cert(store, root)
    # The same events again with one more appended (a grown or re-encoded export): refused, nothing added.
    write_csv(
        root / "logon.csv",
        HEADERS["logon"]["r4.2"],
        [*ROWS["r4.2"]["logon"], "{L3},01/05/2010 08:00:00,ALE0001,PC-0001,Logon"],
    )
    before = store.scalar("SELECT count(*) FROM events")
    with pytest.raises(InputError, match=r"repeat events already ingested from .*logon\.csv"):
        ingest_cert(store, root)
    assert store.scalar("SELECT count(*) FROM events") == before
    # A file with only new events (next month's export) is ingested.
    write_csv(root / "logon.csv", HEADERS["logon"]["r4.2"], ["{L3},02/01/2010 08:00:00,ALE0001,PC-0001,Logon"])
    report = ingest_cert(store, root)
    (logon,) = [f for f in report.files if f.role == "logon"]
    assert not logon.skipped and logon.ingested == 1


def test_file_changing_while_read_is_refused(tmp_path: Path, store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    root = write_cert_dir(tmp_path, "r4.2")
    # The first pass (hash) saw other bytes than the second (parse): as when a copy is still being written.
    monkeypatch.setattr("molehunt.ingest.load.sha256_of", lambda path, on_bytes=None: "0" * 64)
    with pytest.raises(InputError, match="changed while it was being read"):
        ingest_cert(store, root)
    assert store.scalar("SELECT count(*) FROM events") == 0


def test_answers_label_events_by_id_not_position(tmp_path: Path, store: Store) -> None:
    root = write_cert_dir(tmp_path, "r4.2")
    write_answers(
        root,
        "r4.2",
        [
            "logon," + ROWS["r4.2"]["logon"][0],
            "http,{H1},01/04/2010 11:00:00,ALE0001,PC-0001,http://www.WikiLeaks.org/upload/a.exe,EXTRA,leak",
        ],
    )
    ingest_cert(store, root)
    insiders = store.con.execute(
        "SELECT dataset, scenario, user_id, start_time, end_time FROM answers_insiders WHERE dataset = 'r4.2'"
    )
    assert insiders.fetchall() == [("r4.2", 2, "ALE0001", datetime(2010, 1, 4, 7, 58), datetime(2010, 1, 4, 11, 0))]
    labelled = store.con.execute("SELECT kind, event_id, line FROM labelled_events ORDER BY kind").fetchall()
    assert labelled == [("http", "{H1}", 2), ("logon", "{L1}", 2)]


def test_missing_per_insider_file_is_a_warning_and_the_insider_stays(tmp_path: Path, store: Store) -> None:
    root = write_cert_dir(tmp_path, "r4.2")
    write_answers(root, "r4.2", [])
    (root / "answers" / "r4.2-2" / "r4.2-2-ALE0001.csv").unlink()
    report = ingest_cert(store, root)
    (insiders,) = [f for f in report.files if f.role == "insiders"]
    assert (insiders.rows, insiders.ingested, insiders.quarantined) == (2, 2, 0)
    assert "not found" in insiders.warnings[0]
    users = store.con.execute("SELECT dataset, user_id FROM answers_insiders ORDER BY dataset").fetchall()
    assert users == [("r1", "ZZZ"), ("r4.2", "ALE0001")]


def test_empty_or_all_bad_per_insider_files(tmp_path: Path, store: Store) -> None:
    root = write_cert_dir(tmp_path, "r4.2")
    write_answers(root, "r4.2", ["", "nonsense"])
    report = ingest_cert(store, root)
    (details,) = [f for f in report.files if f.role == "answers"]
    assert (details.rows, details.ingested, details.quarantined) == (2, 0, 2)
    assert store.scalar("SELECT count(*) FROM answers_events") == 0


def test_answers_of_other_releases_only(tmp_path: Path, store: Store) -> None:
    root = write_cert_dir(tmp_path, "r4.2")
    write_answers(root, "r6.2", [])  # insiders.csv names r6.2 and r1 insiders, none of r4.2
    report = ingest_cert(store, root)
    assert [f.role for f in report.files if f.role in {"insiders", "answers"}] == ["insiders"]
    assert store.scalar("SELECT count(*) FROM answers_insiders WHERE dataset = 'r4.2'") == 0


def test_answers_details_must_be_a_plain_file_name(tmp_path: Path, store: Store) -> None:
    root = write_cert_dir(tmp_path, "r4.2")
    write_csv(
        root / "answers" / "insiders.csv",
        HEADERS["insiders"]["r4.2"],
        ["4.2,1,../../logon.csv,ALE0001,1/4/2010 7:58:00,1/4/2010 11:00:00"],
    )
    report = ingest_cert(store, root)
    (insiders,) = [f for f in report.files if f.role == "insiders"]
    assert insiders.quarantined == 1
    assert "not a plain .csv file name" in str(store.scalar("SELECT reason FROM quarantine"))


def test_labels_do_not_cross_releases(tmp_path: Path, store: Store) -> None:
    old = write_cert_dir(tmp_path / "r42", "r4.2")
    write_answers(old, "r4.2", ["logon," + ROWS["r4.2"]["logon"][0]])
    new = write_cert_dir(tmp_path / "r62", "r6.2", {"logon": ["{L1},03/04/2010 07:58:00,BRA0002,PC-0009,Logon"]})
    ingest_cert(store, old)
    ingest_cert(store, new)  # same event id {L1} in another release
    labelled = store.con.execute("SELECT dataset, user_id, time FROM labelled_events").fetchall()
    assert labelled == [("r4.2", "ALE0001", datetime(2010, 1, 4, 7, 58))]


def test_bom_quotes_and_repeated_header(tmp_path: Path, store: Store) -> None:
    root = write_cert_dir(tmp_path, "r4.2")
    (root / "logon.csv").write_bytes(
        b"\xef\xbb\xbfid,date,user,pc,activity\n"
        b'{L1},01/04/2010 07:58:00,ALE0001,"PC-0001,Logon\n'  # 2: a stray quote must not swallow line 3
        b"{L2},01/04/2010 07:59:00,ALE0001,PC-0001,Logon\n"  # 3
        b"id,date,user,pc,activity\n"  # 4: a header repeated mid-file (concatenated exports)
        b"{L3},01/04/2010 08:00:00,ALE\xcb,PC\n"  # 5: short row cut inside a multi-byte character
    )
    report = ingest_cert(store, root)
    (logon,) = [f for f in report.files if f.role == "logon"]
    assert (logon.rows, logon.ingested, logon.quarantined) == (4, 2, 2)
    rows = store.con.execute("SELECT line, event_id, host FROM events WHERE kind = 'logon' ORDER BY line").fetchall()
    assert rows == [(2, "{L1}", '"PC-0001'), (3, "{L2}", "PC-0001")]
    reasons = store.con.execute("SELECT line, reason, raw FROM quarantine ORDER BY line").fetchall()
    assert reasons[0][:2] == (4, "repeated header line")
    assert reasons[1][0] == 5 and reasons[1][1] == "expected 5 fields, found 4" and "ALE?" in reasons[1][2]


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        (lambda root: (root / "email.csv").unlink(), r"lacks email"),
        (lambda root: (root / "notes.csv").write_text("a,b\n"), r"does not know: notes\.csv"),
        (lambda root: (root / "LDAP" / "jan.csv").write_text("a\n"), r"LDAP/jan\.csv"),
        (lambda root: (root / "logon.csv").write_text("when,who\n"), r"unexpected header 'when,who'"),
        (
            lambda root: write_csv(root / "http.csv", HEADERS["http"]["r6.2"], []),
            r"mixes releases",
        ),
    ],
)
def test_layout_errors_name_the_problem(tmp_path: Path, store: Store, setup: Any, message: str) -> None:
    root = write_cert_dir(tmp_path, "r4.2")
    setup(root)
    with pytest.raises(InputError, match=message):
        ingest_cert(store, root)
    assert store.scalar("SELECT count(*) FROM ingested_files") == 0


def test_only_ingests_a_subset(tmp_path: Path, store: Store) -> None:
    root = write_cert_dir(tmp_path, "r4.2")
    (root / "email.csv").unlink()
    report = ingest_cert(store, root, only={"logon", "ldap"})
    assert {f.role for f in report.files} == {"logon", "ldap"}


def test_missing_directory(tmp_path: Path, store: Store) -> None:
    with pytest.raises(InputError, match="is not a directory"):
        ingest_cert(store, tmp_path / "nope")
