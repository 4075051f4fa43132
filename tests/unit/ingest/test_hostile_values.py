"""Values an attacker or a broken exporter can put in a row: each becomes a quarantined row with a reason (never a
traceback, never a silently wrong value), and the rest of the file is ingested (issue 20, findings 1 and 7)."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest

from molehunt.errors import InputError
from molehunt.ingest import ingest_cert, ingest_hr, ingest_ocsf
from molehunt.ingest.cert_layout import HEADERS
from molehunt.store import Store
from tests.cert_fixtures import ROWS, write_cert_dir, write_csv
from tests.ocsf_fixtures import EMAIL, FILE_TO_USB, LOGON, USB_CONNECT, line, ms, write_jsonl


def reasons(store: Store) -> dict[int, str]:
    rows = store.con.execute("SELECT line, reason FROM quarantine ORDER BY file_id, line").fetchall()
    return {int(number): str(reason) for number, reason in rows}


def test_ocsf_lone_surrogate_and_huge_sizes_are_quarantined_and_the_rest_ingested(tmp_path: Path, store: Store) -> None:
    surrogate = json.dumps(FILE_TO_USB | {"file": FILE_TO_USB["file"] | {"path": "E:\\secret\udc80.doc"}})
    assert "\\udc80" in surrogate  # as a producer writes it: valid JSON, a lone surrogate once decoded
    huge = line(FILE_TO_USB, file=FILE_TO_USB["file"] | {"size": 2**63})
    attachments = line(EMAIL, email=EMAIL["email"] | {"files": [{"name": "a", "size": 2**62}] * 2})
    negative = line(FILE_TO_USB, file=FILE_TO_USB["file"] | {"size": -1})
    lines = [line(LOGON), surrogate, huge, attachments, negative, line(USB_CONNECT)]
    report = ingest_ocsf(store, write_jsonl(tmp_path / "feed.jsonl", lines), internal=["dtaa.com"])
    (file,) = report.files
    assert (file.rows, file.ingested, file.quarantined) == (6, 2, 4)
    found = reasons(store)
    assert sorted(found) == [2, 3, 4, 5]
    assert "file.path" in found[2] and "U+DC80" in found[2]
    assert "file.size" in found[3] and "out of range" in found[3]
    assert "attachment" in found[4] and "out of range" in found[4]
    assert "file.size" in found[5] and "negative" in found[5]
    assert store.count("SELECT count(*) FROM events") == 2


@pytest.mark.parametrize(
    ("stamp", "why"),
    [
        ("01/04/10 1:2:3", "year 0010"),
        ("01/01/0001 00:00:00", "year 0001"),
        ("12/31/9999 23:59:59", "year 9999"),
        ("01/01/1989 23:59:59", "before 1990"),
    ],
)
def test_cert_dates_outside_the_plausible_range_are_quarantined(
    tmp_path: Path, store: Store, stamp: str, why: str
) -> None:
    logon = [*ROWS["r4.2"]["logon"], f"{{L9}},{stamp},ALE0001,PC-0001,Logon"]
    report = ingest_cert(store, write_cert_dir(tmp_path, "r4.2", {"logon": logon}))
    (file,) = [f for f in report.files if f.role == "logon"]
    assert (file.ingested, file.quarantined) == (2, 1), why
    (reason,) = store.con.execute("SELECT reason FROM quarantine").fetchone() or ()
    assert "plausible range" in reason and stamp in reason


def test_ocsf_times_outside_the_plausible_range_are_quarantined(tmp_path: Path, store: Store) -> None:
    lines = [
        line(LOGON, time=None, time_dt="0001-01-01T00:00:00Z"),
        line(LOGON, time=None, time_dt="9999-12-31T23:59:59Z"),
        line(LOGON, time=ms(2400, 1, 1)),
        line(LOGON),
    ]
    report = ingest_ocsf(store, write_jsonl(tmp_path / "feed.jsonl", lines))
    assert (report.ingested, report.quarantined) == (1, 3)
    assert all("plausible range" in reason for reason in reasons(store).values())


@pytest.mark.parametrize("size", ["0x10", "1.5", "1e3", "+5", " 5", "-0", "100000000000000000000000", "٣"])
def test_cert_sizes_must_be_plain_decimal_integers(tmp_path: Path, store: Store, size: str) -> None:
    good = ROWS["r6.2"]["email"][0]
    fields = good.split(",")
    fields[9] = size  # size
    sized = ",".join(fields)
    fields[9] = "30000"
    fields[10] = f"C:\\a.pdf({size})"  # one attachment of that size
    attached = ",".join(fields).replace("{E1}", "{E2}")
    report = ingest_cert(store, write_cert_dir(tmp_path, "r6.2", {"email": [sized, attached]}))
    (file,) = [f for f in report.files if f.role == "email"]
    assert (file.ingested, file.quarantined) == (0, 2)
    assert store.count("SELECT count(*) FROM events WHERE kind = 'email'") == 0


def test_cert_attachment_counts_and_sums_must_fit(tmp_path: Path, store: Store) -> None:
    r42 = ROWS["r4.2"]["email"][0]
    counts = [
        r42.replace(",2,meeting", f",{n},meeting").replace("{E1}", f"{{E{i}}}")
        for i, n in enumerate(["0x2", "2.0", "99999999999"])
    ]
    report = ingest_cert(store, write_cert_dir(tmp_path / "a", "r4.2", {"email": counts}))
    assert [(f.ingested, f.quarantined) for f in report.files if f.role == "email"] == [(0, 3)]
    big = 2**62
    r62 = ROWS["r6.2"]["email"][0].replace("(1200);C:\\b (v2).doc(800)", f"({big});C:\\b.doc({big})")
    report = ingest_cert(store, write_cert_dir(tmp_path / "b", "r6.2", {"email": [r62]}))
    assert [(f.ingested, f.quarantined) for f in report.files if f.role == "email"] == [(0, 1)]


def test_duplicate_rows_within_a_file_are_quarantined_and_counted(tmp_path: Path, store: Store) -> None:
    first = ROWS["r4.2"]["logon"][0]
    logon = [first, ROWS["r4.2"]["logon"][1], first, first.replace("07:58", "08:58")]
    report = ingest_cert(store, write_cert_dir(tmp_path, "r4.2", {"logon": logon}))
    (file,) = [f for f in report.files if f.role == "logon"]
    assert (file.rows, file.ingested, file.quarantined, file.duplicates) == (4, 2, 2, 2)
    assert report.to_json()["totals"]["duplicates"] == 2
    assert reasons(store) == {4: "duplicate of line 2 (same id {L1})", 5: "duplicate of line 2 (same id {L1})"}
    assert store.count("SELECT count(*) FROM events WHERE kind = 'logon'") == 2

    feed = [line(LOGON), line(USB_CONNECT), line(LOGON)]  # OCSF: the same metadata.uid twice
    (ocsf,) = ingest_ocsf(store, write_jsonl(tmp_path / "feed.jsonl", feed)).files
    assert (ocsf.ingested, ocsf.quarantined, ocsf.duplicates) == (2, 1, 1)


@pytest.mark.parametrize("where", ["top", "end"])
def test_a_replayed_event_anywhere_in_the_file_refuses_it(tmp_path: Path, store: Store, where: str) -> None:
    ingest_ocsf(store, write_jsonl(tmp_path / "day1.jsonl", [line(LOGON)]))
    new = [line(LOGON, metadata={"uid": f"new-{i}"}, time=ms(2010, 1, 5) + i) for i in range(2500)]
    replayed = [line(LOGON), *new] if where == "top" else [*new, line(LOGON)]
    with pytest.raises(InputError, match=r"repeat events already ingested from .*day1\.jsonl"):
        ingest_ocsf(store, write_jsonl(tmp_path / "day2.jsonl", replayed))
    assert store.count("SELECT count(*) FROM events") == 1

    root = write_cert_dir(tmp_path / "cert", "r4.2")
    ingest_cert(store, root)
    rows = [f"{{N{i}}},01/05/2010 08:00:00,ALE0001,PC-0001,Logon" for i in range(2500)]
    old = ROWS["r4.2"]["logon"][0]
    write_csv(root / "logon.csv", HEADERS["logon"]["r4.2"], [old, *rows] if where == "top" else [*rows, old])
    before = store.count("SELECT count(*) FROM events")
    with pytest.raises(InputError, match=r"repeat events already ingested from .*logon\.csv"):
        ingest_cert(store, root)
    assert store.count("SELECT count(*) FROM events") == before


def test_hr_dates_outside_the_plausible_range_are_quarantined(tmp_path: Path, store: Store) -> None:
    header = "user,hire_date,last_day"
    rows = ["A1,0001-01-01,", "A2,2009-01-01,9999-12-31", "A3,2009-01-01,2010-03-31", "A3,1985-06-01,"]
    path = tmp_path / "hr.csv"
    path.write_text(header + "\n" + "\n".join(rows) + "\n")
    (file,) = ingest_hr(store, path).files
    assert (file.ingested, file.quarantined, file.duplicates) == (1, 3, 1)  # a hire in 1985 is plausible
    found = reasons(store)
    assert "plausible range" in found[2] and "plausible range" in found[3]
    assert found[5] == "user A3 is already on line 4 of this file"


def test_the_plausible_range_follows_the_clock(tmp_path: Path, store: Store) -> None:
    from molehunt.clock import frozen

    feed = [line(LOGON)]  # 2010-01-04: in the future when the clock says 2005
    with frozen(datetime(2005, 1, 1)):
        report = ingest_ocsf(store, write_jsonl(tmp_path / "feed.jsonl", feed))
    assert (report.ingested, report.quarantined) == (0, 1)
