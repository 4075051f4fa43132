"""The one door for files written for people (reports, exports, evidence): atomic, private (0600), and
formula-safe where tabular."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any


def write_html(out: Path, html: str) -> Path:
    """Write atomically and readable by the owner only (the report says who is suspected of what)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{out.name}.", dir=out.parent)  # created with mode 0600
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(html)
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
