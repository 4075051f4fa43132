"""The one door for files written for people (scores, reports, exports, evidence): atomic, private (0600), and
formula-safe where tabular. It sits at the bottom of the layers (docs/architecture.md) so every writer can use it."""

from __future__ import annotations

import csv
import io
import os
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

PRIVATE_UMASK = 0o077


def private_umask() -> None:
    """From now on this process creates files readable by the owner only (0600) and folders 0700, whatever the
    umask it was started with: also what molehunt does not write itself (DuckDB's WAL and spill files, the
    simulator's CSVs). The umask is only ever narrowed, never set to 0 in between (threads may be creating files)."""
    os.umask(os.umask(PRIVATE_UMASK) | PRIVATE_UMASK)


def write_private(out: Path, text: str) -> Path:
    """Write text atomically and readable by the owner only (what molehunt writes says who is suspected of what).

    The file appears whole or not at all; a reader never sees half of it, and an error leaves no temporary file.
    """
    out.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{out.name}.", dir=out.parent)  # created with mode 0600
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        os.replace(temporary, out)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return out


def defuse(row: list[Any]) -> list[Any]:
    """Neutralize spreadsheet formulas (CSV injection) in a CSV row: a text starting with =, +, -, @, tab or CR
    gets a quote prefix. Every CSV molehunt writes from data passes its rows through here.

    >>> defuse(["=HYPERLINK(1)", 3, "plain"])
    ["'=HYPERLINK(1)", 3, 'plain']
    """
    return [f"'{v}" if isinstance(v, str) and v[:1] in ("=", "+", "-", "@", "\t", "\r") else v for v in row]


def csv_text(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """A CSV document (header, then rows) with every row passed through `defuse`."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    for row in rows:
        writer.writerow(defuse(list(row)))
    return buffer.getvalue()


def write_private_csv(out: Path, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> Path:
    """`csv_text` written through `write_private`."""
    return write_private(out, csv_text(header, rows))
