"""``entries.idx``: where each entry's record starts in ``entries.log``, 8 bytes big-endian per entry.

It lets :meth:`molehunt.audit.AuditLog.entry` read entry ``i`` with two small reads instead of a scan of the whole
log. It is written after the entries (not fsynced: a crash can leave it short, and the writer completes it from
the log on the next open); it is never trusted for verification, which requires it to list the true offsets of
the first entries, so a changed byte in it is reported.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

INDEX_FILE = "entries.idx"
WIDTH = 8


def encode(offsets: Sequence[int]) -> bytes:
    """Return the index bytes of ``offsets``."""
    return b"".join(offset.to_bytes(WIDTH, "big") for offset in offsets)


def append(directory: Path, offsets: Sequence[int]) -> None:
    """Add ``offsets`` at the end of the index."""
    fd = os.open(directory / INDEX_FILE, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        view = memoryview(encode(offsets))
        while view:
            view = view[os.write(fd, view) :]
    finally:
        os.close(fd)


def rewrite(directory: Path, offsets: Sequence[int]) -> None:
    """Replace the index atomically with ``offsets``."""
    path = directory / INDEX_FILE
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.write(fd, encode(offsets))
    finally:
        os.close(fd)
    os.replace(tmp, path)


def count(directory: Path) -> int:
    """Number of whole offsets in the index (0 when there is none)."""
    try:
        return (directory / INDEX_FILE).stat().st_size // WIDTH
    except FileNotFoundError:
        return 0


def offset(directory: Path, index: int) -> int | None:
    """The recorded offset of entry ``index``, or None when the index does not reach it."""
    try:
        with open(directory / INDEX_FILE, "rb") as handle:
            handle.seek(index * WIDTH)
            raw = handle.read(WIDTH)
    except FileNotFoundError:
        return None
    return int.from_bytes(raw, "big") if len(raw) == WIDTH else None


def disagreement(directory: Path, offsets: Sequence[int]) -> str | None:
    """Why the index is not the start of ``offsets`` (the true ones, read from the log), or None when it is."""
    try:
        data = (directory / INDEX_FILE).read_bytes()
    except FileNotFoundError:
        return None
    if len(data) % WIDTH:
        return f"{INDEX_FILE} has {len(data)} bytes, not a multiple of {WIDTH}"
    n = len(data) // WIDTH
    if n > len(offsets):
        return f"{INDEX_FILE} lists {n} entries, the log has {len(offsets)}: it was truncated or rolled back"
    if data != encode(offsets[:n]):
        first = next(i for i in range(n) if data[i * WIDTH : (i + 1) * WIDTH] != encode([offsets[i]]))
        return f"{INDEX_FILE}: the offset of entry {first} is wrong"
    return None
