"""Every file has the exact CERT header and every row parses."""

from __future__ import annotations

import re
from datetime import datetime

from synth_support import Dataset

from molehunt.synth.schema import LDAP_R4, LDAP_R6, header

ID = re.compile(r"^\{[A-Z0-9]{4}-[A-Z0-9]{8}-[A-Z0-9]{8}\}$")
DATE = re.compile(r"^\d\d/\d\d/\d{4} \d\d:\d\d:\d\d$")
USER = re.compile(r"^[A-Z]{3}\d{4}$")
PC = re.compile(r"^PC-\d{4}$")
MAGIC = re.compile(r"^(D0-CF-11-E0-A1-B1-1A-E1|25-50-44-46-2D|50-4B-03-04-14|FF-D8|EF-BB-BF|4D-5A)( [a-z]+)*$")
ATTACH = re.compile(r"^(C:\\[^;()]+\(\d+\))(;C:\\[^;()]+\(\d+\))*$")
ADDRESSES = re.compile(r"^[A-Za-z0-9.\-]+@[a-z0-9.\-]+(;[A-Za-z0-9.\-]+@[a-z0-9.\-]+)*$")
ACTIVITY = {
    "logon": {"Logon", "Logoff"},
    "device": {"Connect", "Disconnect"},
    "file": {"File Open", "File Write", "File Copy", "File Delete"},
    "email": {"Send", "View"},
    "http": {"WWW Visit", "WWW Download", "WWW Upload"},
}
SOURCES = ("logon", "device", "file", "email", "http")


def _when(text: str) -> datetime:
    return datetime.strptime(text, "%m/%d/%Y %H:%M:%S")


def test_headers_are_exact(dataset: Dataset) -> None:
    release = dataset.cfg.release
    for source in SOURCES:
        assert dataset.lines(f"{source}.csv")[0] == ",".join(header(source, release))
    expected = LDAP_R6 if release == "r6.2" else LDAP_R4
    for month in (dataset.root / "LDAP").glob("*.csv"):
        assert month.read_text().split("\n")[0] == ",".join(expected)
    assert (dataset.root / "decoy_file.csv").exists() == (release == "r6.2")
    assert dataset.lines("answers/insiders.csv")[0] == "dataset,scenario,details,user,start,end"


def test_r6_device_and_file_headers_differ_from_r4() -> None:
    assert header("device", "r6.2") == ("id", "date", "user", "pc", "file_tree", "activity")
    assert header("file", "r4.2") == ("id", "date", "user", "pc", "filename", "content")
    assert "activity" in header("email", "r6.2") and "activity" not in header("email", "r4.2")


def test_every_row_parses(dataset: Dataset) -> None:
    r6 = dataset.cfg.release == "r6.2"
    for source in SOURCES:
        cols = header(source, dataset.cfg.release)
        lines = dataset.lines(f"{source}.csv")[1:]
        assert lines, source
        ids: set[str] = set()
        previous = datetime.min
        for line in lines:
            fields = line.split(",")
            assert len(fields) == len(cols), line
            row = dict(zip(cols, fields, strict=True))
            assert ID.match(row["id"]) and row["id"] not in ids, line
            ids.add(row["id"])
            assert DATE.match(row["date"]), line
            when = _when(row["date"])
            assert when >= previous, f"{source} not sorted at {line}"
            previous = when
            assert USER.match(row["user"]) and PC.match(row["pc"]), line
            assert '"' not in line
            if "activity" in row:
                assert row["activity"] in ACTIVITY[source], line
            if source == "file":
                assert MAGIC.match(row["content"]), line
                if r6:
                    assert row["to_removable_media"] in ("True", "False")
                    assert row["from_removable_media"] in ("True", "False")
                    assert row["filename"].startswith(("C:\\", "R:\\")), line
                    if row["to_removable_media"] == "True":
                        assert row["filename"].startswith("R:\\")
                else:
                    assert re.match(r"^[A-Z0-9]{8}\.[a-z]+$", row["filename"]), line
            if source == "email":
                assert ADDRESSES.match(row["to"]) and ADDRESSES.match(row["from"]), line
                assert row["cc"] == "" or ADDRESSES.match(row["cc"]), line
                assert row["size"].isdigit()
                if r6:
                    assert row["attachments"] == "" or ATTACH.match(row["attachments"]), line
                else:
                    assert row["attachments"].isdigit()
            if source == "http":
                assert re.match(r"^http://[a-z0-9][a-z0-9.\-]*\.[a-z]+/[^/]", row["url"]), line
            if source == "device" and r6:
                tree = row["file_tree"]
                assert (tree == "") == (row["activity"] == "Disconnect"), line
                assert tree == "" or all(p.startswith("R:\\") for p in tree.split(";"))


def test_ldap_and_psychometric_rows(dataset: Dataset) -> None:
    months = dataset.ldap()
    assert len(months) == 2  # 45 days from 4 Jan 2010 touch January and February
    for rows in months.values():
        names = {r["employee_name"] for r in rows}
        tops = [r for r in rows if r["supervisor"] == ""]
        assert len(tops) == 1
        assert all(r["supervisor"] in names for r in rows if r["supervisor"])
        assert all(USER.match(r["user_id"]) for r in rows)
        assert all(r["user_id"][:3] == "".join(p[0] for p in r["employee_name"].split()).upper() for r in rows)
        assert all(r["email"].endswith("@dtaa.com") for r in rows)
    psycho = dataset.rows("psychometric.csv")
    assert len(psycho) == dataset.cfg.users
    assert all(10 <= int(r[k]) <= 50 for r in psycho for k in "OCEAN")


def test_answers_index_format(dataset: Dataset) -> None:
    unpadded = re.compile(r"^[1-9]\d?/[1-9]\d?/\d{4} [12]?\d:\d\d:\d\d$")
    for row in dataset.rows("answers/insiders.csv"):
        assert row["dataset"] == dataset.cfg.dataset
        assert row["details"] == f"r{row['dataset']}-{row['scenario']}-{row['user']}.csv"
        assert unpadded.match(row["start"]) and unpadded.match(row["end"]), row
        assert (dataset.root / f"answers/r{row['dataset']}-{row['scenario']}" / row["details"]).exists()


def test_counts_match_files(dataset: Dataset) -> None:
    for rel, n in dataset.result.counts.items():
        text = (dataset.root / rel).read_text()
        lines = text.count("\n") - (0 if rel.startswith("answers/r") else 1)
        assert lines == n, rel
