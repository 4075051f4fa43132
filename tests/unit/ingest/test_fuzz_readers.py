"""Property-based fuzzing of every reader (CERT, OCSF, HR): whatever the bytes and values, no exception but a
refusal (InputError) escapes, rows read = ingested + quarantined, the store gains exactly what the report says, and
a refused file leaves the store as it was (issue 20, finding 1). One small store per reader, shared by its examples.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from molehunt.errors import InputError
from molehunt.ingest import IngestReport, ingest_cert, ingest_hr, ingest_ocsf
from molehunt.ingest.cert_layout import HEADERS
from molehunt.store import Store, open_store
from tests.cert_fixtures import ROWS
from tests.ocsf_fixtures import GOOD

FUZZ = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
_names = itertools.count()

# What breaks readers: lone surrogates, NUL and other controls, separators, quotes, escapes, odd line breaks.
NASTY = ["\udc80", "\ud800", "\udfff", "\x00", "\x1b]52;c;eA==\x07", "\u202e", "\r", "\n", "\r\n", ",", ";", '"', "\\",
         "\x85", "\u2028", "\ufeff", "\ufffd", "é", "\U0001d518", "()", "(1)", "0x10", "1.5", "-0", "NaN"]  # fmt: skip
text = st.lists(st.one_of(st.sampled_from(NASTY), st.text(max_size=6)), max_size=6).map("".join)
HUGE = [2**31, 2**63 - 1, 2**63, -(2**63) - 1, 2**64, 10**23, 10**300, -1]
numbers = st.one_of(st.sampled_from(HUGE), st.integers(), st.floats(allow_nan=True, allow_infinity=True))
json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), numbers, text),
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(text, inner, max_size=3)),
    max_leaves=8,
)


def _leaves(value: object, path: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    """The paths of a record's scalar fields (arrays of objects: their first element's)."""
    if isinstance(value, dict):
        for key, inner in value.items():
            yield from _leaves(inner, (*path, key))
    else:
        yield path


def _get(record: dict[str, Any], path: tuple[str, ...]) -> object:
    value: Any = record
    for key in path:
        value = value[key]
    return value


def _set(record: dict[str, Any], path: tuple[str, ...], value: object) -> dict[str, Any]:
    record = json.loads(json.dumps(record))
    target = record
    for key in path[:-1]:
        if not isinstance(target.get(key), dict):
            target[key] = {}
        target = target[key]
    target[path[-1]] = value
    return record


def _encode(record: object, how: str) -> bytes:
    if how == "ascii":
        return json.dumps(record).encode()
    raw = json.dumps(record, ensure_ascii=False)
    if how == "utf-16":
        return raw.encode("utf-16", "surrogatepass")
    if how == "latin-1":
        return raw.encode("latin-1", "replace")
    return raw.encode("utf-8", "surrogatepass")  # a lone surrogate as CESU bytes: not UTF-8


@st.composite
def ocsf_line(draw: st.DrawFn) -> bytes:
    kind = draw(st.sampled_from(["mutated", "mutated", "mutated", "bytes", "nested"]))
    if kind == "bytes":
        return draw(st.binary(max_size=40))
    if kind == "nested":
        depth = draw(st.integers(1, 100_000))
        return b'{"class_uid": 3002, "user": ' + b"[" * depth + b"]" * draw(st.sampled_from([0, depth])) + b"}"
    record = draw(st.sampled_from(GOOD))
    for _ in range(draw(st.integers(1, 2))):  # a field the record's class reads, so the value gets used
        path = draw(st.sampled_from(sorted(_leaves(record))))
        # Mostly a hostile value of the field's own type, so that it passes the type check and is used.
        same_type = text if isinstance(_get(record, path), str) else st.one_of(st.sampled_from(HUGE), st.integers())
        record = _set(record, path, draw(st.one_of(same_type, same_type, same_type, json_values)))
    return _encode(record, draw(st.sampled_from(["ascii"] * 6 + ["utf-8", "latin-1", "utf-16"])))


def counts(store: Store) -> tuple[int, ...]:
    return tuple(
        store.count(f"SELECT count(*) FROM {table}")
        for table in ("events", "quarantine", "ingested_files", "hr_people", "directory_snapshots", "psychometric")
    )


def check(store: Store, run: Any) -> IngestReport | None:
    """Run one ingest: it is refused whole (InputError, store unchanged) or every row is accounted for."""
    before = counts(store)
    try:
        report: IngestReport = run()
    except InputError as exc:
        assert str(exc)
        assert counts(store) == before
        return None
    for file in report.files:
        assert file.rows == file.ingested + file.quarantined, file
        assert 0 <= file.duplicates <= file.quarantined
    after = counts(store)
    stored = (after[0] - before[0]) + sum(after[3:]) - sum(before[3:])
    assert stored == report.ingested
    assert after[1] - before[1] == report.quarantined
    assert store.count("SELECT count(*) FROM ingested_files WHERE status <> 'complete'") == 0
    # Nothing silently wrong was stored: no implausible time, no negative size (molehunt.ingest.plausible).
    wrong = store.count(
        "SELECT count(*) FROM events WHERE time < TIMESTAMP '1990-01-01' OR time > now()::TIMESTAMP + INTERVAL 366 DAY"
        " OR bytes < 0 OR attachment_bytes < 0"
    )
    assert wrong == 0
    return report


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Store, Path]]:
    root = tmp_path_factory.mktemp("fuzz")
    with open_store(root / "home" / "molehunt.duckdb") as store:
        yield store, root


@FUZZ
@given(lines=st.lists(ocsf_line(), min_size=1, max_size=8), trailing_newline=st.booleans())
def test_ocsf_reader_accounts_for_every_line(
    shared: tuple[Store, Path], lines: list[bytes], trailing_newline: bool
) -> None:
    store, root = shared
    path = root / f"feed-{next(_names)}.jsonl"
    path.write_bytes(b"\n".join(lines) + (b"\n" if trailing_newline else b""))
    report = check(store, lambda: ingest_ocsf(store, path))
    if report is not None and not report.files[0].skipped:
        data = path.read_bytes()
        assert report.rows == data.count(b"\n") + (0 if data.endswith(b"\n") or not data else 1)


CERT_VALUES = ["01/04/10 1:2:3", "01/01/0001 00:00:00", "12/31/9999 23:59:59", "0x10", "1.5", "-5", str(10**23),
               "C:\\a.pdf(0x10)", f"C:\\a.pdf({10**23})", f"a({2**62});b({2**62})"]  # fmt: skip
cert_field = st.one_of(text, st.sampled_from(CERT_VALUES))


@st.composite
def cert_row(draw: st.DrawFn, role: str) -> bytes:
    """A good r6.2 row with one or two fields made hostile, or now and then plain bytes."""
    if draw(st.integers(0, 9)) == 0:
        return draw(st.binary(max_size=60)).replace(b"\n", b" ")
    fields = ROWS["r6.2"][role][0].split(",")
    fields[0] = f"{{X{next(_names)}}}"  # a fresh id: a repeat of an earlier example's would refuse the file
    for _ in range(draw(st.integers(1, 2))):
        fields[draw(st.integers(0, len(fields) - 1))] = draw(cert_field)
    return _encode_text(",".join(fields), draw(st.sampled_from(["utf-8"] * 4 + ["latin-1", "utf-16"])))


def _encode_text(value: str, how: str) -> bytes:
    """Mixed encodings: UTF-8 with lone surrogates as CESU bytes, Latin-1, or UTF-16 (NULs between letters)."""
    if how == "latin-1":
        return value.encode("latin-1", "replace")
    return value.encode(how, "surrogatepass")


@settings(FUZZ, max_examples=20)
@given(
    logon=st.lists(cert_row("logon"), max_size=6),
    email=st.lists(cert_row("email"), max_size=6),
)
def test_cert_reader_accounts_for_every_row(shared: tuple[Store, Path], logon: list[bytes], email: list[bytes]) -> None:
    store, root = shared
    folder = root / f"cert-{next(_names)}"
    folder.mkdir()
    for role, rows in (("logon", logon), ("email", email)):
        header = ",".join(HEADERS[role]["r6.2"]).encode()
        (folder / f"{role}.csv").write_bytes(b"\n".join([header, *(r.replace(b"\n", b"") for r in rows)]) + b"\n")
    for role in ("logon", "email"):  # one file per ingest: a refusal is of that file alone
        check(store, lambda role=role: ingest_cert(store, folder, only={role}, internal=["dtaa.com"]))


hr_field = st.one_of(text, st.sampled_from(["2009-01-01", "0001-01-01", "9999-12-31", "2010-02-02 grievance", "A1"]))


@FUZZ
@given(
    rows=st.lists(
        st.one_of(
            st.lists(hr_field, min_size=3, max_size=5).map(lambda f: ",".join(f).encode("utf-8", "surrogatepass")),
            st.binary(max_size=40),
            st.just(b'"' + b"x" * 140_000 + b'",2009-01-01,'),  # over the csv module's field limit
        ),
        max_size=6,
    )
)
def test_hr_reader_accounts_for_every_row(shared: tuple[Store, Path], rows: list[bytes]) -> None:
    store, root = shared
    path = root / f"hr-{next(_names)}.csv"
    path.write_bytes(b"\n".join([b"user,hire_date,events,last_day", *rows]) + b"\n")
    check(store, lambda: ingest_hr(store, path))
