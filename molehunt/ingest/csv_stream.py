"""Stream a large CSV file in bounded memory, keeping the line number of every row and every bad row.

pyarrow's serial reader parses fast and reports rows with the wrong number of fields, with their physical line
number, to a handler; we keep those as bad rows instead of losing them. Bytes that are not UTF-8 are replaced by
"?" (one byte for one, so lines keep their shape) before pyarrow sees them, and their lines are marked, so that
one bad byte costs one quarantined row, never the file. Quoting is off: the CERT format has none, and a stray
quote must not swallow the lines after it.
"""

from __future__ import annotations

import hashlib
import io
import re
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
_ESCAPED = re.compile("[\udc80-\udcff]")


@dataclass(frozen=True)
class BadRow:
    """A row that cannot become a record: its line, why, and the raw text as far as it decodes."""

    line: int | None
    reason: str
    raw: str


def sha256_of(path: Path, on_bytes: Callable[[int], None] | None = None) -> str:
    """Hex SHA-256 of a file's content, read in blocks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(8 << 20):
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
        raise InputError(
            "the file is empty (no header line); remove it, or leave its kind out with --only",
            path=str(path),
            line=1,
        )
    return [field.strip() for field in text.split(",")]


def _complete_utf8(data: bytes) -> int:
    """Length of the longest prefix of data that does not end inside a UTF-8 sequence."""
    for back in range(1, min(3, len(data)) + 1):
        byte = data[-back]
        if byte & 0xC0 == 0x80:
            continue  # a continuation byte: the lead byte is further back
        need = 2 if byte >> 5 == 0b110 else 3 if byte >> 4 == 0b1110 else 4 if byte >> 3 == 0b11110 else 1
        return len(data) - back if need > back else len(data)
    return len(data)


class _CheckedReader(io.RawIOBase):
    """The file as pyarrow reads it: counted (progress), hashed, and with non-UTF-8 bytes replaced by "?".

    `undecodable_lines` collects the 1-based lines where a replacement happened; `sha256` is the digest of the
    bytes as they were on disk, so a file that changes while it is read can be caught.
    """

    def __init__(self, path: Path, on_bytes: Callable[[int], None] | None) -> None:
        self._handle = path.open("rb")
        self._on_bytes = on_bytes
        self._carry = b""
        self._lines_before = 0
        self.sha256 = hashlib.sha256()
        self.undecodable_lines: set[int] = set()

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        raw = self._handle.read(max(len(buffer) - len(self._carry), 1))
        if raw:
            self.sha256.update(raw)
            if self._on_bytes is not None:
                self._on_bytes(len(raw))
        data = self._carry + raw
        cut = _complete_utf8(data) if raw else len(data)  # hold back a sequence split across reads
        data, self._carry = data[:cut], data[cut:]
        data = self._clean(data)
        buffer[: len(data)] = data
        return len(data)

    def _clean(self, data: bytes) -> bytes:
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            text = data.decode("utf-8", errors="surrogateescape")
            newlines_seen, searched = 0, 0
            for match in _ESCAPED.finditer(text):
                newlines_seen += text.count("\n", searched, match.start())
                searched = match.start()
                self.undecodable_lines.add(self._lines_before + newlines_seen + 1)
            data = _ESCAPED.sub("?", text).encode("utf-8")
        self._lines_before += data.count(b"\n")
        return data

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


def _row_reasons(table: pa.Table, columns: list[str], lines: np.ndarray, undecodable: set[int]) -> pa.Array:
    """Why each parsed row is unusable before any field is interpreted (null when it is fine)."""
    reasons: list[str | None] = [None] * table.num_rows
    # An empty line parses as a row of empty fields; a repeated header parses as a row of column names.
    empty = reduce(pc.and_, [pc.equal(pc.binary_length(table[name]), 0) for name in columns])
    header = reduce(pc.and_, [pc.equal(table[name], name) for name in columns])
    for index in np.flatnonzero(empty.to_numpy(zero_copy_only=False)):
        reasons[index] = "empty line"
    for index in np.flatnonzero(header.to_numpy(zero_copy_only=False)):
        reasons[index] = "repeated header line"
    if undecodable:
        for index in np.flatnonzero(np.isin(lines, np.fromiter(undecodable, dtype=np.int64))):
            reasons[index] = "undecodable bytes (not UTF-8), shown as ?"
    return pa.array(reasons, type=pa.string())


class CsvStream:
    """Iterate (rows, bad_rows) per block of a CSV file; `sha256` holds the file's digest once done.

    rows: string columns plus _line and _reason (null when fine); bad_rows: rows with the wrong number of
    fields. The first line is the header and is skipped (the caller has checked it).
    """

    def __init__(
        self,
        path: Path,
        columns: list[str],
        *,
        on_bytes: Callable[[int], None] | None = None,
        block_size: int = BLOCK_SIZE,
    ) -> None:
        self.path = path
        self.columns = columns
        self.on_bytes = on_bytes
        self.block_size = block_size
        self.sha256: str | None = None

    def __iter__(self) -> Iterator[tuple[pa.Table, list[BadRow]]]:
        found: list[tuple[int | None, str, int, int]] = []

        def on_invalid(row: Any) -> str:
            found.append((row.number, row.text, row.expected_columns, row.actual_columns))
            return "skip"

        source = _CheckedReader(self.path, self.on_bytes)
        try:
            reader = self._open(source, on_invalid)
            if reader is None:
                self.sha256 = source.sha256.hexdigest()
                return
            seen_ordinal = 0
            bad_lines = np.empty(0, dtype=np.int64)
            while True:
                batch = self._next(reader)
                new_bad = [BadRow(n, f"expected {exp} fields, found {act}", text) for n, text, exp, act in found]
                known = sorted(b.line for b in new_bad if b.line is not None)
                bad_lines = np.concatenate([bad_lines, np.array(known, dtype=np.int64)])
                found.clear()
                if batch is None:
                    if new_bad:
                        yield self._empty(), new_bad
                    break
                lines = _valid_row_lines(seen_ordinal + 1, batch.num_rows, bad_lines, header_lines=1)
                seen_ordinal += batch.num_rows
                table = pa.Table.from_batches([batch])
                reasons = _row_reasons(table, self.columns, lines, source.undecodable_lines)
                table = table.append_column(LINE_COLUMN, pa.array(lines, type=pa.int64()))
                yield table.append_column(REASON_COLUMN, reasons), new_bad
            self.sha256 = source.sha256.hexdigest()
        finally:
            source.close()

    def _open(self, source: _CheckedReader, on_invalid: Callable[[Any], str]) -> Any:
        try:
            return pacsv.open_csv(
                source,
                read_options=pacsv.ReadOptions(
                    use_threads=False, block_size=self.block_size, skip_rows=1, column_names=self.columns
                ),
                parse_options=pacsv.ParseOptions(
                    quote_char=False,
                    invalid_row_handler=on_invalid,
                    ignore_empty_lines=False,
                    newlines_in_values=False,
                ),
                convert_options=pacsv.ConvertOptions(
                    column_types={name: pa.string() for name in self.columns},
                    strings_can_be_null=False,
                ),
            )
        except pa.ArrowInvalid as exc:
            if "Empty CSV file" in str(exc):
                return None
            raise self._parse_error(exc) from exc

    def _next(self, reader: Any) -> pa.RecordBatch | None:
        try:
            batch: pa.RecordBatch = reader.read_next_batch()
        except StopIteration:
            return None
        except pa.ArrowInvalid as exc:
            raise self._parse_error(exc) from exc
        return batch

    def _parse_error(self, exc: Exception) -> InputError:
        hint = ""
        if "straddling" in str(exc) or "block size" in str(exc):
            hint = f"; a single line is longer than the {self.block_size >> 20} MiB read block: split or fix it"
        return InputError(f"cannot parse as CSV: {exc}{hint}", path=str(self.path))

    def _empty(self) -> pa.Table:
        arrays = [pa.array([], type=pa.string()) for _ in self.columns]
        arrays += [pa.array([], type=pa.int64()), pa.array([], type=pa.string())]
        return pa.Table.from_arrays(arrays, names=[*self.columns, LINE_COLUMN, REASON_COLUMN])


def stream_csv(
    path: Path,
    columns: list[str],
    *,
    on_bytes: Callable[[int], None] | None = None,
    block_size: int = BLOCK_SIZE,
) -> Iterator[tuple[pa.Table, list[BadRow]]]:
    """Shorthand for iterating a CsvStream when the digest is not needed."""
    return iter(CsvStream(path, columns, on_bytes=on_bytes, block_size=block_size))
