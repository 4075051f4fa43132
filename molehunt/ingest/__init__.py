"""Readers: each turns one source format into canonical events in the store.

A reader is a function `(store, path, *, strict, progress) -> IngestReport`; built-ins register here the way
a third-party reader would.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from molehunt.errors import InputError
from molehunt.ingest.cert import ingest_cert
from molehunt.ingest.hr import ingest_hr
from molehunt.ingest.ocsf import ingest_ocsf
from molehunt.ingest.report import FileReport, IngestReport
from molehunt.store import Store

Reader = Callable[..., IngestReport]

READERS: dict[str, Reader] = {"cert": ingest_cert, "ocsf": ingest_ocsf, "hr": ingest_hr}


def ingest(store: Store, source: str, path: Path, **options: Any) -> IngestReport:
    """Ingest path with the reader registered for source; InputError for an unknown source."""
    reader = READERS.get(source)
    if reader is None:
        raise InputError(f"unknown source {source!r}; known sources: {', '.join(sorted(READERS))}")
    return reader(store, path, **options)


__all__ = ["READERS", "FileReport", "IngestReport", "ingest", "ingest_cert", "ingest_hr", "ingest_ocsf"]
