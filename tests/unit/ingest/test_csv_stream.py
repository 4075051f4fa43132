from __future__ import annotations

from pathlib import Path

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from molehunt.ingest.csv_stream import _valid_row_lines, read_header, stream_csv

COLUMNS = ["id", "a", "b"]

line_kinds = st.sampled_from(["good", "short", "long", "empty", "badbytes", "badshort", "quote", "utf8", "header"])


def render(kind: str, n: int) -> bytes:
    return {
        "good": f"r{n},x{n},y{n}".encode(),
        "short": f"r{n},x{n}".encode(),
        "long": f"r{n},x,y,z".encode(),
        "empty": b"",
        "badbytes": f"r{n},\xff{n},y".encode("latin-1"),
        "badshort": f"r{n},\xcb".encode("latin-1"),  # cut inside a multi-byte character, and short
        "quote": f'r{n},"x{n},y'.encode(),  # a stray quote: one row, never a multi-line field
        "utf8": f"r{n},é{n},日本".encode(),  # multi-byte characters, split across tiny read blocks
        "header": b"id,a,b",
    }[kind]


@settings(max_examples=60, deadline=None)
@given(kinds=st.lists(line_kinds, min_size=0, max_size=60), block=st.sampled_from([32, 64, 1 << 20]))
def test_every_line_is_accounted_for_once_with_its_number(tmp_path_factory, kinds: list[str], block: int) -> None:
    path = Path(tmp_path_factory.mktemp("csv")) / "f.csv"
    body = b"".join(render(kind, n) + b"\n" for n, kind in enumerate(kinds))
    path.write_bytes(b"id,a,b\n" + body)

    seen: dict[int, str] = {}
    for table, bad in stream_csv(path, COLUMNS, block_size=block):
        for row in table.to_pylist():
            assert row["_line"] not in seen
            seen[row["_line"]] = row["_reason"] or "ok:" + row["id"]
        for bad_row in bad:
            assert bad_row.line not in seen
            seen[bad_row.line] = bad_row.reason

    assert sorted(seen) == list(range(2, len(kinds) + 2))
    for n, kind in enumerate(kinds):
        outcome = seen[n + 2]
        expected = {
            "good": f"ok:r{n}",
            "quote": f"ok:r{n}",
            "utf8": f"ok:r{n}",
            "short": "expected 3 fields, found 2",
            "badshort": "expected 3 fields, found 2",
            "long": "expected 3 fields, found 4",
            "empty": "empty line",
            "header": "repeated header line",
            "badbytes": "undecodable bytes (not UTF-8), shown as ?",
        }[kind]
        assert outcome == expected


def test_values_survive_tiny_read_blocks(tmp_path: Path) -> None:
    path = tmp_path / "f.csv"
    path.write_bytes("id,a,b\nr1,é日本,ü\nr2,x,y\n".encode())
    rows = [row for table, _ in stream_csv(path, COLUMNS, block_size=16) for row in table.to_pylist()]
    assert [(r["a"], r["b"], r["_reason"]) for r in rows] == [("é日本", "ü", None), ("x", "y", None)]


def test_valid_row_lines_skip_bad_lines() -> None:
    # header on line 1, bad rows on lines 3 and 4: valid rows 1, 2, 3 sit on lines 2, 5, 6
    lines = _valid_row_lines(1, 3, np.array([3, 4]), header_lines=1)
    assert lines.tolist() == [2, 5, 6]


def test_header_only_file_yields_nothing(tmp_path: Path) -> None:
    path = tmp_path / "f.csv"
    path.write_text("id,a,b\n")
    assert [t.num_rows for t, _ in stream_csv(path, COLUMNS)] in ([], [0])
    assert read_header(path) == COLUMNS


def test_crlf_line_ends(tmp_path: Path) -> None:
    path = tmp_path / "f.csv"
    path.write_bytes(b"id,a,b\r\nr1,x,y\r\nr2,x\r\n")
    rows = [row for table, _ in stream_csv(path, COLUMNS) for row in table.to_pylist()]
    assert [(r["id"], r["b"], r["_line"]) for r in rows] == [("r1", "y", 2)]
