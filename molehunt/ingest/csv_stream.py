"""Stream a large CSV file in bounded memory, keeping the line number of every row and every bad row.

pyarrow's serial reader parses fast and reports rows with the wrong number of fields, with their physical line
number, to a handler; we keep those as bad rows instead of losing them. Values are read as bytes so that
undecodable bytes become a bad row with a reason rather than an exception that stops the file.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import reduce
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from molehunt.errors import InputError

BLOCK_SIZE = 32 << 20
LINE_COLUMN = "_line"
REASON_COLUMN = "_reason"


@dataclass(frozen=True)
class BadRow:
    """A row that cannot become a record: its line, why, and the raw text as far as it decodes."""

    line: int | None
    reason: str
    raw: str


def sha256_of(path: Path, on_bytes: Callable[[int], None] | None = None) -> str:
    """Hex SHA-256 of a file's content, read in 8 MiB blocks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(BLOCK_SIZE):
            digest.update(block)
            if on_bytes is not None:
                on_bytes(len(block))
    return digest.hexdigest()


def read_header(path: Path) -> list[str]:
    """The header fields of a CSV file (first line), or an InputError naming the file."""
    with path.open("rb") as handle:
        first = handle.readline(1 << 16)
    try:
        text = first.decode("utf-8-sig").rstrip("\r\n")
    except UnicodeDecodeError as exc:
        raise InputError("the header is not UTF-8 text", path=str(path), line=1) from exc
    if not text:
        raise InputError("the file is empty (no header line)", path=str(path), line=1)
    return [field.strip() for field in text.split(",")]


class _CountingReader(io.RawIOBase):
    """A read-only file wrapper that reports bytes read, so progress follows the parser."""

    def __init__(self, path: Path, on_bytes: Callable[[int], None] | None) -> None:
        self._handle = path.open("rb")
        self._on_bytes = on_bytes

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        count = self._handle.readinto(buffer)
        if count and self._on_bytes is not None:
            self._on_bytes(count)
        return count or 0

    def close(self) -> None:
        self._handle.close()
        super().close()


def _valid_row_lines(first_ordinal: int, count: int, bad_lines: np.ndarray, header_lines: int) -> np.ndarray:
    """Physical line of valid rows first_ordinal .. first_ordinal+count-1 (1-based among valid rows).

    Every physical line after the header is either a valid row or a bad row. With bad lines r_1 < r_2 < ...,
    t_i = r_i - header_lines - i valid rows precede bad row i, so valid row k sits on line
    k + header_lines + #{i : t_i < k}.
    """
    ordinals = np.arange(first_ordinal, first_ordinal + count, dtype=np.int64)
    if bad_lines.size == 0:
        return ordinals + header_lines
    preceding = bad_lines - header_lines - np.arange(1, bad_lines.size + 1, dtype=np.int64)
    return ordinals + header_lines + np.searchsorted(preceding, ordinals, side="left")


def _decode_column(column: pa.Array, name: str, reasons: list[str | None]) -> pa.Array:
    """Binary -> UTF-8 string; rows that do not decode get a reason and a replacement-char value."""
    try:
        return column.cast(pa.string())
    except pa.ArrowInvalid:
        decoded: list[str | None] = []
        for index, value in enumerate(column.to_pylist()):
            if value is None:
                decoded.append(None)
                continue
            try:
                decoded.append(value.decode("utf-8"))
            except UnicodeDecodeError:
                decoded.append(value.decode("utf-8", errors="replace"))
                if reasons[index] is None:
                    reasons[index] = f"undecodable bytes (not UTF-8) in field {name!r}"
        return pa.array(decoded, type=pa.string())


def stream_csv(
    path: Path,
    columns: list[str],
    *,
    on_bytes: Callable[[int], None] | None = None,
    block_size: int = BLOCK_SIZE,
) -> Iterator[tuple[pa.Table, list[BadRow]]]:
    """Yield (rows, bad_rows) per block: rows as string columns plus _line and _reason (null when fine).

    The first line is the header and is skipped (the caller has checked it). Rows with the wrong number of
    fields come back as BadRow; empty lines and undecodable bytes come back as rows with a _reason set.
    """
    found: list[tuple[int | None, str, int, int]] = []

    def on_invalid(row: Any) -> str:
        found.append((row.number, row.text, row.expected_columns, row.actual_columns))
        return "skip"

    reader_file = _CountingReader(path, on_bytes)
    try:
        reader = pacsv.open_csv(
            reader_file,
            read_options=pacsv.ReadOptions(use_threads=False, block_size=block_size, skip_rows=1, column_names=columns),
            parse_options=pacsv.ParseOptions(
                invalid_row_handler=on_invalid, ignore_empty_lines=False, newlines_in_values=False
            ),
            convert_options=pacsv.ConvertOptions(
                column_types={name: pa.binary() for name in columns},
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except pa.ArrowInvalid as exc:
        reader_file.close()
        if "Empty CSV file" in str(exc):
            return
        raise InputError(f"cannot parse as CSV: {exc}", path=str(path)) from exc

    seen_ordinal = 0
    reported = 0
    bad_lines = np.empty(0, dtype=np.int64)
    try:
        while True:
            try:
                batch = reader.read_next_batch()
            except StopIteration:
                break
            except pa.ArrowInvalid as exc:
                raise InputError(f"cannot parse as CSV: {exc}", path=str(path)) from exc
            if len(found) != bad_lines.size:
                bad_lines = np.sort(np.array([n for n, *_ in found if n is not None], dtype=np.int64))
            new_bad = [
                BadRow(line=n, reason=f"expected {exp} fields, found {act}", raw=text)
                for n, text, exp, act in found[reported:]
            ]
            reported = len(found)
            count = batch.num_rows
            lines = _valid_row_lines(seen_ordinal + 1, count, bad_lines, header_lines=1)
            seen_ordinal += count
            reasons: list[str | None] = [None] * count
            decoded = [_decode_column(batch.column(i), name, reasons) for i, name in enumerate(columns)]
            # An empty line parses as a row of empty fields; it is kept as a bad row, not silently skipped.
            empty = reduce(pc.and_, [pc.equal(pc.binary_length(array), 0) for array in decoded])
            for index in np.flatnonzero(empty.to_numpy(zero_copy_only=False)):
                reasons[index] = reasons[index] or "empty line"
            table = pa.Table.from_arrays(
                [*decoded, pa.array(lines, type=pa.int64()), pa.array(reasons, type=pa.string())],
                names=[*columns, LINE_COLUMN, REASON_COLUMN],
            )
            yield table, new_bad
        if reported < len(found):
            yield (
                pa.Table.from_arrays(
                    [pa.array([], type=pa.string()) for _ in columns]
                    + [pa.array([], type=pa.int64()), pa.array([], type=pa.string())],
                    names=[*columns, LINE_COLUMN, REASON_COLUMN],
                ),
                [
                    BadRow(line=n, reason=f"expected {exp} fields, found {act}", raw=text)
                    for n, text, exp, act in found[reported:]
                ],
            )
    finally:
        reader_file.close()
