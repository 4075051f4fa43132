from __future__ import annotations

from datetime import datetime

import duckdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from molehunt.events import EVENT_COLUMN_NAMES, Event, EventKind, Provenance, split_domain
from molehunt.ingest.cert_sql import DOMAIN_SQL


def make(**changes: object) -> Event:
    base: dict[str, object] = {
        "source": "test",
        "kind": EventKind.FILE,
        "time": datetime(2010, 1, 4, 9),
        "user_id": "ALE0001",
        "activity": "copy",
        "provenance": Provenance(file_id=3, line=7),
    }
    return Event(**(base | changes))  # type: ignore[arg-type]


def test_row_follows_the_column_order() -> None:
    row = make(path="C:\\a.doc", to_removable=True, recipients=("a@b.com",)).to_row()
    values = dict(zip(EVENT_COLUMN_NAMES, row, strict=True))
    assert values["kind"] == "file" and values["file_id"] == 3 and values["line"] == 7
    assert values["path"] == "C:\\a.doc" and values["to_removable"] is True
    assert values["recipients"] == ["a@b.com"]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"activity": "logon"}, "not a file activity"),
        ({"user_id": ""}, "needs a user"),
        ({"content_type": "mp3"}, "unknown content type"),
    ],
)
def test_invalid_events_are_refused(changes: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        make(**changes)


urls = st.text(alphabet=st.characters(min_codepoint=33, max_codepoint=126), max_size=40)


@settings(max_examples=300, deadline=None)
@given(prefix=st.sampled_from(["", "http://", "https://www.", "ftp://WWW.", "www."]), url=urls)
def test_python_and_sql_domain_extraction_agree(prefix: str, url: str) -> None:
    full = prefix + url
    (sql_domain,) = duckdb.execute(f"SELECT {DOMAIN_SQL} FROM (SELECT ? AS url)", [full]).fetchall()[0]
    assert split_domain(full) == sql_domain


def test_split_domain_examples() -> None:
    assert split_domain("http://www.Example.com:8080/a?b") == "example.com"
    assert split_domain("dropbox.com/upload") == "dropbox.com"
    assert split_domain("https://") is None
