"""The readers: each source format, the typed options its reader takes, and the one call that reads it.

A reader is `(store, path, options, progress) -> IngestReport` over its own frozen options model; a caller that
holds options for any source (the CLI, `molehunt watch`) goes through `ingest`, which builds the source's model
and refuses, with the source's own message, an option the source does not take. Built-ins are registered with
`register`, the way a third-party reader would be.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any, Generic, Protocol, TypeVar

from molehunt.errors import InputError
from molehunt.ingest.cert import ingest_cert
from molehunt.ingest.hr import ingest_hr
from molehunt.ingest.ocsf import ingest_ocsf
from molehunt.ingest.report import IngestReport
from molehunt.progress import Progress
from molehunt.store import Store


@dataclass(frozen=True)
class ReadOptions:
    """What every reader takes: strict fails on the first malformed row instead of quarantining it."""

    strict: bool = False


@dataclass(frozen=True)
class CertOptions(ReadOptions):
    """CERT: only the given kinds of files (logon, device, ldap, ...); internal e-mail domains (default: the
    directory's)."""

    only: frozenset[str] | None = None
    internal: tuple[str, ...] | None = None


@dataclass(frozen=True)
class OcsfOptions(ReadOptions):
    """OCSF: internal e-mail domains (default: those of the directory's and HR's addresses)."""

    internal: tuple[str, ...] | None = None


OptionsT = TypeVar("OptionsT", bound=ReadOptions)
OptionsT_contra = TypeVar("OptionsT_contra", bound=ReadOptions, contravariant=True)


class Reader(Protocol[OptionsT_contra]):
    """Turns one source format at path into canonical events in the store."""

    def __call__(
        self, store: Store, path: Path, options: OptionsT_contra, progress: Progress | None, /
    ) -> IngestReport: ...


@dataclass(frozen=True)
class Source(Generic[OptionsT]):
    """A registered source format: its name, its options model, its reader, and what it says to an option that
    belongs to other sources."""

    name: str
    options: type[OptionsT]
    read: Reader[OptionsT]
    refusal: str = ""

    def options_from(
        self, *, strict: bool = False, only: Iterable[str] | None = None, internal: Iterable[str] | None = None
    ) -> OptionsT:
        """This source's options from those a caller holds for any source; InputError for one it does not take."""
        given: dict[str, Any] = {
            "only": frozenset(only) if only else None,
            "internal": tuple(internal) if internal is not None else None,
        }
        takes = {f.name for f in fields(self.options)}
        if any(value is not None and name not in takes for name, value in given.items()):
            raise InputError(self.refusal or f"an option given does not apply to {self.name}")
        return self.options(strict=strict, **{name: value for name, value in given.items() if name in takes})


READERS: dict[str, Source[Any]] = {}


def register(source: Source[Any]) -> None:
    """Make source readable by name (`molehunt ingest --source NAME`, `molehunt watch --source NAME`)."""
    READERS[source.name] = source


def ingest(
    store: Store,
    source: str,
    path: Path,
    *,
    strict: bool = False,
    only: Iterable[str] | None = None,
    internal: Iterable[str] | None = None,
    progress: Progress | None = None,
) -> IngestReport:
    """Ingest path with the reader registered for source.

    InputError for an unknown source and for an option the source does not take (`only` is CERT's; an HR file
    takes neither `only` nor `internal`), before anything is read.
    """
    registered = READERS.get(source)
    if registered is None:
        raise InputError(f"unknown source {source!r}; known sources: {', '.join(sorted(READERS))}")
    options = registered.options_from(strict=strict, only=only, internal=internal)
    return registered.read(store, path, options, progress)


def _optional_list(values: Iterable[str] | None) -> list[str] | None:
    return None if values is None else list(values)


def read_cert(store: Store, path: Path, options: CertOptions, progress: Progress | None, /) -> IngestReport:
    only = set(options.only) if options.only else None
    internal = _optional_list(options.internal)
    return ingest_cert(store, path, strict=options.strict, only=only, internal=internal, progress=progress)


def read_ocsf(store: Store, path: Path, options: OcsfOptions, progress: Progress | None, /) -> IngestReport:
    internal = _optional_list(options.internal)
    return ingest_ocsf(store, path, strict=options.strict, internal=internal, progress=progress)


def read_hr(store: Store, path: Path, options: ReadOptions, progress: Progress | None, /) -> IngestReport:
    return ingest_hr(store, path, strict=options.strict, progress=progress)


register(Source("cert", CertOptions, read_cert))
register(
    Source(
        "ocsf",
        OcsfOptions,
        read_ocsf,
        "--only selects CERT files; an OCSF file is read whole (its classes are in docs/ocsf.md)",
    )
)
register(Source("hr", ReadOptions, read_hr, "--only and --internal-domain apply to other sources, not to an HR file"))
