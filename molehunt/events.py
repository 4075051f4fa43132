"""The canonical event: the one schema every reader produces and every feature reads.

Loosely modelled on OCSF (time, actor, device, activity, and the object each activity class needs), flattened
into one wide row so the store can keep every source in a single columnar table. Provenance (the source file and
line an event came from) travels with every event so an analyst can always go back to the raw record.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any


class EventKind(StrEnum):
    """The activity class of an event (OCSF: Authentication, Device, File System, Email, HTTP, Vault)."""

    LOGON = "logon"
    DEVICE = "device"
    FILE = "file"
    EMAIL = "email"
    HTTP = "http"
    VAULT = "vault"


# The activities each kind may carry; readers map their own vocabulary onto these words.
ACTIVITIES: dict[EventKind, frozenset[str]] = {
    EventKind.LOGON: frozenset({"logon", "logoff"}),
    EventKind.DEVICE: frozenset({"connect", "disconnect"}),
    EventKind.FILE: frozenset({"open", "write", "copy", "delete"}),
    EventKind.EMAIL: frozenset({"send", "view"}),
    EventKind.HTTP: frozenset({"visit", "download", "upload"}),
    EventKind.VAULT: frozenset(
        {"read", "checkout", "print", "export", "add", "grant", "revoke", "decoy", "approve", "deny"}
    ),
}

# Content types recognised from file signatures or extensions; anything else is "other".
CONTENT_TYPES = frozenset({"doc", "docx", "pdf", "jpg", "exe", "zip", "txt", "other"})

# (column, DuckDB type, meaning): the single source of the store's events table and of Event.to_row().
EVENT_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("source", "VARCHAR", "reader that produced the event (cert, ocsf, vault)"),
    ("file_id", "INTEGER", "provenance: ingested_files.file_id of the source file"),
    ("line", "BIGINT", "provenance: 1-based line of the record in that file (header is line 1)"),
    ("event_id", "VARCHAR", "the source's own id of the record (unique within one source file)"),
    ("kind", "VARCHAR", "EventKind"),
    ("time", "TIMESTAMP", "when it happened (source-local time, no zone)"),
    ("user_id", "VARCHAR", "acting account"),
    ("host", "VARCHAR", "machine the activity happened on"),
    ("activity", "VARCHAR", "one of ACTIVITIES[kind]"),
    ("path", "VARCHAR", "file path (file), file tree (device), document id (vault)"),
    ("to_removable", "BOOLEAN", "file written/copied to removable media"),
    ("from_removable", "BOOLEAN", "file read/copied from removable media"),
    ("url", "VARCHAR", "full URL (http)"),
    ("domain", "VARCHAR", "host part of the URL, lower case, without a leading www."),
    ("sender", "VARCHAR", "e-mail sender address"),
    ("recipients", "VARCHAR[]", "all e-mail recipients (to, cc, bcc), lower case"),
    ("n_internal", "INTEGER", "recipients in an internal domain"),
    ("n_external", "INTEGER", "recipients outside the internal domains"),
    ("bytes", "BIGINT", "size of the message or object in bytes"),
    ("attachment_count", "INTEGER", "number of e-mail attachments"),
    ("attachment_bytes", "BIGINT", "total bytes of e-mail attachments, when the source says"),
    ("content_type", "VARCHAR", "one of CONTENT_TYPES, from the file signature or extension"),
    ("content", "VARCHAR", "keywords of the content, as the source gives them"),
)

EVENT_COLUMN_NAMES: tuple[str, ...] = tuple(name for name, _, _ in EVENT_COLUMNS)


@dataclass(frozen=True)
class Provenance:
    """Where an event was read: the ingested file's id and the 1-based line in it."""

    file_id: int
    line: int


@dataclass(frozen=True)
class Event:
    """One canonical event. Row-wise readers build these; bulk readers produce the same columns in SQL."""

    source: str
    kind: EventKind
    time: datetime
    user_id: str
    activity: str
    provenance: Provenance
    event_id: str | None = None
    host: str | None = None
    path: str | None = None
    to_removable: bool | None = None
    from_removable: bool | None = None
    url: str | None = None
    domain: str | None = None
    sender: str | None = None
    recipients: tuple[str, ...] = field(default_factory=tuple)
    n_internal: int | None = None
    n_external: int | None = None
    bytes: int | None = None
    attachment_count: int | None = None
    attachment_bytes: int | None = None
    content_type: str | None = None
    content: str | None = None

    def __post_init__(self) -> None:
        if self.activity not in ACTIVITIES[self.kind]:
            allowed = ", ".join(sorted(ACTIVITIES[self.kind]))
            raise ValueError(f"activity {self.activity!r} is not a {self.kind} activity (one of: {allowed})")
        if not self.user_id:
            raise ValueError("an event needs a user")
        if self.content_type is not None and self.content_type not in CONTENT_TYPES:
            raise ValueError(f"unknown content type {self.content_type!r}")

    def to_row(self) -> tuple[Any, ...]:
        """The event as a tuple in EVENT_COLUMNS order, ready for the store."""
        values: dict[str, Any] = {
            name: getattr(self, name)
            for name in EVENT_COLUMN_NAMES
            if name not in {"file_id", "line", "recipients", "kind"}
        }
        values["kind"] = str(self.kind)
        values["file_id"] = self.provenance.file_id
        values["line"] = self.provenance.line
        values["recipients"] = list(self.recipients) or None
        return tuple(values[name] for name in EVENT_COLUMN_NAMES)


def split_domain(url: str) -> str | None:
    """The host of a URL, lower case, without scheme, port or a leading "www.".

    >>> split_domain("http://www.Example.com:8080/a?b")
    'example.com'
    """
    match = _HOST.match(url)
    host = match.group(1).lower().removeprefix("www.") if match else ""
    return host or None


# The same pattern as the SQL in molehunt.ingest.cert_sql.DOMAIN_SQL (a property test keeps them equal).
_HOST = re.compile(r"^(?:[^:/?#]*://)?([^/?#:]*)")
