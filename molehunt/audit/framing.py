"""Append-only record files: each record is a 4-byte big-endian length followed by that many bytes.

There is no header, padding or index: every byte belongs to a length or to a record, and a length is
covered by verification because it must agree with the record it frames. A write that stopped early (a
crash mid-append) leaves an *incomplete tail*: fewer than 4 bytes, or a length promising more bytes than
the file holds. A length of zero or above :data:`MAX_RECORD` is corruption, not a torn write.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from molehunt.audit.errors import AuditError

PREFIX = 4
MAX_RECORD = 1 << 20


@dataclass(frozen=True)
class Scan:
    """The records of a file, where they start, and what follows the last readable one.

    ``tail_offset`` is where the unreadable rest begins (file size when clean); ``torn`` says the rest is
    an incomplete write; ``corrupt`` holds a message when a length prefix is impossible.
    """

    records: list[bytes]
    offsets: list[int]
    tail_offset: int
    file_size: int
    corrupt: str | None

    @property
    def torn(self) -> bool:
        """True when bytes follow the last record and they look like an interrupted append."""
        return self.corrupt is None and self.tail_offset < self.file_size

    @property
    def clean(self) -> bool:
        """True when every byte of the file is part of a complete record."""
        return self.tail_offset == self.file_size


def scan(data: bytes) -> Scan:
    """Split ``data`` into records; never fails, the returned :class:`Scan` describes any damage."""
    records: list[bytes] = []
    offsets: list[int] = []
    pos, size = 0, len(data)
    while pos < size:
        if size - pos < PREFIX:
            return Scan(records, offsets, pos, size, None)
        length = int.from_bytes(data[pos : pos + PREFIX], "big")
        if length == 0 or length > MAX_RECORD:
            return Scan(records, offsets, pos, size, f"record {len(records)} at byte {pos} has length {length}")
        if size - pos - PREFIX < length:
            return Scan(records, offsets, pos, size, None)
        offsets.append(pos)
        records.append(data[pos + PREFIX : pos + PREFIX + length])
        pos += PREFIX + length
    return Scan(records, offsets, pos, size, None)


def read(path: Path) -> Scan:
    """Scan the file at ``path``; a missing file is an empty log."""
    try:
        return scan(path.read_bytes())
    except FileNotFoundError:
        return scan(b"")


def frame(payloads: Iterable[bytes]) -> bytes:
    """Return the framed bytes of ``payloads``; AuditError for an empty or oversized record."""
    parts: list[bytes] = []
    for payload in payloads:
        if not 0 < len(payload) <= MAX_RECORD:
            raise AuditError(f"an audit record must have 1..{MAX_RECORD} bytes, not {len(payload)}")
        parts.append(len(payload).to_bytes(PREFIX, "big"))
        parts.append(payload)
    return b"".join(parts)


def append_durably(path: Path, data: bytes) -> None:
    """Append ``data`` to ``path`` and fsync it (and the directory when the file is new) before returning."""
    created = not path.exists()
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        view = memoryview(data)
        while view:
            written = os.write(fd, view)
            view = view[written:]
        os.fsync(fd)
    finally:
        os.close(fd)
    if created:
        fsync_dir(path.parent)


def truncate_durably(path: Path, size: int) -> None:
    """Cut ``path`` to ``size`` bytes and fsync it."""
    fd = os.open(path, os.O_WRONLY)
    try:
        os.ftruncate(fd, size)
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_dir(directory: Path) -> None:
    """Make a file creation in ``directory`` durable."""
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
