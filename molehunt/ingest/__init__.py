"""Readers: each turns one source format into canonical events in the store.

A reader is a `Reader`: `(store, path, options, progress) -> IngestReport` over its source's own typed options
(`CertOptions`, `OcsfOptions`, `ReadOptions`); built-ins are registered in molehunt.ingest.registry the way a
third-party reader would be, and `ingest` reads any registered source by name.
"""

from __future__ import annotations

from molehunt.ingest.cert import ingest_cert
from molehunt.ingest.hr import ingest_hr
from molehunt.ingest.ocsf import ingest_ocsf
from molehunt.ingest.registry import (
    READERS,
    CertOptions,
    OcsfOptions,
    Reader,
    ReadOptions,
    Source,
    ingest,
    register,
)
from molehunt.ingest.report import FileReport, IngestReport

__all__ = [
    "READERS",
    "CertOptions",
    "FileReport",
    "IngestReport",
    "OcsfOptions",
    "ReadOptions",
    "Reader",
    "Source",
    "ingest",
    "ingest_cert",
    "ingest_hr",
    "ingest_ocsf",
    "register",
]
