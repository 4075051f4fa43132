"""One OCSF 1.x record (a parsed JSON object) -> one canonical event, or the reason it cannot be one.

Pure functions, no store: `map_record` is what the OCSF reader calls per line, and what docs/ocsf.md documents
field by field. Every value is type-checked where it is read, so a record of the wrong shape fails with a
reason that names the field (`wrong type: file.size must be an integer, got string`), never a KeyError.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from molehunt.events import split_domain
from molehunt.ingest import plausible

AUTHENTICATION = 3002
FILE_SYSTEM_ACTIVITY = 1001
EMAIL_ACTIVITY = 4009
HTTP_ACTIVITY = 4002
PERIPHERAL_ACTIVITY = 1010  # OCSF 1.7+

CLASS_NAMES = {
    AUTHENTICATION: "Authentication",
    FILE_SYSTEM_ACTIVITY: "File System Activity",
    EMAIL_ACTIVITY: "Email Activity",
    HTTP_ACTIVITY: "HTTP Activity",
    PERIPHERAL_ACTIVITY: "Peripheral Activity",
}

# activity_id -> canonical activity, per class (docs/ocsf.md has the table with the OCSF captions).
AUTH_ACTIVITIES = {1: "logon", 2: "logoff"}
FILE_ACTIVITIES = {1: "write", 2: "open", 3: "write", 4: "delete", 5: "copy", 14: "open"}
EMAIL_ACTIVITIES = {1: "send", 2: "view"}
PERIPHERAL_ACTIVITIES = {1: "connect", 2: "disconnect", 5: "disconnect"}
HTTP_UPLOAD_METHODS = frozenset({6, 7, 9})  # POST, PUT, PATCH
HTTP_METHOD_IDS = frozenset(range(1, 10))  # CONNECT .. PATCH; each a request to the site
HTTP_METHOD_NAMES = {"POST": 6, "PUT": 7, "PATCH": 9}

STATUS_FAILURE = 2
DRIVE_REMOVABLE = 1  # file.drive_type_id (OCSF 1.5+): "The drive has removable media"
STORAGE_DEVICE_TYPES = frozenset({0, 1, 99})  # peripheral_device.type_id: Unknown, External Storage, Other
DEVICE_TYPE_NAMES = {2: "Keyboard", 3: "Mouse", 4: "Printer", 7: "Monitor", 9: "Microphone", 10: "Webcam"}

# File extensions -> canonical content types (the same words as the CERT reader's EXTENSION_TYPE_SQL).
EXTENSION_TYPES = {
    "doc": "doc", "docx": "docx", "pdf": "pdf", "jpg": "jpg", "jpeg": "jpg", "exe": "exe", "zip": "zip", "txt": "txt",
}  # fmt: skip

ACTOR = ("actor", "user")
MIN_EPOCH_MS = 10**11  # 1973-03-03: a smaller `time` is almost surely seconds, not milliseconds
_EPOCH = datetime(1970, 1, 1)


class BadRecord(ValueError):
    """The record cannot become an event; the message is the quarantine reason."""


@dataclass(frozen=True)
class Context:
    """What mapping needs from outside the record: internal e-mail domains, known addresses -> users, and the
    latest plausible event time (read from the clock once per ingest)."""

    internal_domains: frozenset[str] = frozenset()
    users_by_email: Mapping[str, str] | None = None
    latest: datetime = field(default_factory=plausible.latest_event)


Path = tuple[str, ...]
Event = dict[str, Any]


def _json_type(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def _get(record: Mapping[str, Any], path: Path) -> Any:
    """The value at a dotted path, None when any part is absent; an intermediate that is no object is an error."""
    if len(path) == 1:  # the hot path of the reader
        return record.get(path[0])
    value: Any = record
    for key in path:
        if type(value) is not dict:
            if value is None:
                return None
            raise _not_an_object(record, path)
        value = value.get(key)
    return value


def _not_an_object(record: Mapping[str, Any], path: Path) -> BadRecord:
    value: Any = record
    for depth, key in enumerate(path):
        if not isinstance(value, dict):
            return BadRecord(f"wrong type: {'.'.join(path[:depth])} must be an object, got {_json_type(value)}")
        value = value.get(key)
    raise AssertionError("unreachable: the path was walked without error")


def _wrong(path: Path, expected: str, value: object) -> BadRecord:
    return BadRecord(f"wrong type: {'.'.join(path)} must be {expected}, got {_json_type(value)}")


def _str(record: Mapping[str, Any], *path: str) -> str | None:
    """A string field, None when absent or empty (after trimming)."""
    value = _get(record, path)
    if value is None:
        return None
    if not isinstance(value, str):
        raise _wrong(path, "a string", value)
    _refuse_surrogate(path, value)
    return value.strip() or None


def _refuse_surrogate(path: Path, value: str) -> None:
    found = plausible.surrogate_in(value)
    if found is not None:
        raise BadRecord(f"{'.'.join(path)} holds {found}, a lone surrogate: not text (UTF-8 cannot encode it)")


def _int(record: Mapping[str, Any], *path: str) -> int | None:
    value = _get(record, path)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise _wrong(path, "an integer", value)
    if not -plausible.MAX_BIGINT - 1 <= value <= plausible.MAX_BIGINT:
        raise BadRecord(f"{'.'.join(path)} {value} is out of range (a 64-bit integer)")
    return value


def _size(record: Mapping[str, Any], *path: str) -> int | None:
    """A size in bytes: an integer from 0 to 2^63 - 1."""
    value = _int(record, *path)
    if value is not None and value < 0:
        raise BadRecord(f"{'.'.join(path)} {value} is negative (a size in bytes)")
    return value


def _uid(record: Mapping[str, Any], *path: str) -> str | None:
    """An identifier: a string, or an integer some producers emit (kept as its decimal text)."""
    value = _get(record, path)
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return _str(record, *path)


def _objects(record: Mapping[str, Any], *path: str) -> list[dict[str, Any]]:
    value = _get(record, path)
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise _wrong(path, "an array of objects", value)
    return value


def _strings(record: Mapping[str, Any], *path: str) -> list[str]:
    value = _get(record, path)
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise _wrong(path, "an array of strings", value)
    for item in value:
        _refuse_surrogate(path, item)
    return [item.strip().lower() for item in value if item.strip()]


def _require(value: str | None, what: str) -> str:
    if value is None:
        raise BadRecord(f"missing required field {what}")
    return value


def event_time(record: Mapping[str, Any]) -> datetime:
    """`time` (ms since 1970 UTC) shifted by `timezone_offset` minutes; else the wall clock of `time_dt`."""
    millis = _int(record, "time")
    if millis is None:
        text = _str(record, "time_dt")
        if text is None:
            raise BadRecord("missing required field time")
        try:
            return datetime.fromisoformat(text).replace(tzinfo=None)
        except ValueError:
            raise BadRecord(f'bad time_dt "{text}" (expected RFC 3339, e.g. 2010-01-04T07:58:00Z)') from None
    if millis < MIN_EPOCH_MS:
        raise BadRecord(f"time {millis} is not milliseconds since 1970 (too small: seconds?)")
    offset = _int(record, "timezone_offset") or 0
    try:
        return _EPOCH + timedelta(milliseconds=millis, minutes=offset)
    except OverflowError:
        raise BadRecord(f"time {millis} is out of range") from None


def _user(record: Mapping[str, Any], *objects: Path) -> str | None:
    """The account: name first (what the directory and HR know), then uid (often a SID), of the first object."""
    for obj in objects:
        found = _str(record, *obj, "name") or _uid(record, *obj, "uid")
        if found:
            return found
    return None


def _host(record: Mapping[str, Any], *endpoints: str) -> str | None:
    for endpoint in endpoints:
        found = _str(record, endpoint, "hostname") or _str(record, endpoint, "name")
        if found:
            return found
    return None


def content_type(name: str | None) -> str | None:
    """Canonical content type from a file name or URL path by its extension; None when unknown."""
    if not name:
        return None
    stem = name.split("?", 1)[0].split("#", 1)[0]
    _, dot, extension = stem.rpartition(".")
    return EXTENSION_TYPES.get(extension.lower()) if dot else None


def _activity(table: Mapping[int, str], activity_id: int, class_uid: int) -> str:
    found = table.get(activity_id)
    if found is None:
        known = ", ".join(f"{k} ({v})" for k, v in sorted(table.items()))
        raise BadRecord(
            f"unmapped activity_id {activity_id} for {CLASS_NAMES[class_uid]} ({class_uid}); mapped: {known}"
        )
    return found


def _authentication(record: Mapping[str, Any], activity_id: int, context: Context) -> Event:
    if _int(record, "status_id") == STATUS_FAILURE:
        raise BadRecord("failed authentication (status_id 2): molehunt models successful logons and logoffs only")
    return {
        "kind": "logon",
        "activity": _activity(AUTH_ACTIVITIES, activity_id, AUTHENTICATION),
        # `user` is the subject that logs on; actor.user the one who asked (usually the same person).
        "user_id": _require(_user(record, ("user",), ACTOR), "user.name or user.uid"),
        "host": _host(record, "device", "dst_endpoint"),
    }


def _on_removable(record: Mapping[str, Any], file: str) -> bool:
    drive = _int(record, file, "drive_type_id")
    return drive == DRIVE_REMOVABLE or (
        drive is None and (_str(record, file, "drive_type") or "").lower() == "removable"
    )


def _file_system(record: Mapping[str, Any], activity_id: int, context: Context) -> Event:
    activity = _activity(FILE_ACTIVITIES, activity_id, FILE_SYSTEM_ACTIVITY)
    source = _require(_str(record, "file", "path") or _str(record, "file", "name"), "file.path (or file.name)")
    source_removable = _on_removable(record, "file")
    path, to_removable, from_removable = source, False, False
    if activity == "copy":  # Rename: a move from `file` to `file_result`, the nearest thing to a copy in OCSF
        path = _str(record, "file_result", "path") or _str(record, "file_result", "name") or source
        to_removable, from_removable = _on_removable(record, "file_result"), source_removable
    elif activity == "write":
        to_removable = source_removable
    elif activity == "open":
        from_removable = source_removable
    name = _str(record, "file", "name") or path
    return {
        "kind": "file",
        "activity": activity,
        "user_id": _require(_user(record, ACTOR), "actor.user.name or actor.user.uid"),
        "host": _host(record, "device"),
        "path": path,
        "to_removable": to_removable,
        "from_removable": from_removable,
        "bytes": _size(record, "file", "size"),
        "content_type": content_type(name) or "other",
    }


def _email(record: Mapping[str, Any], activity_id: int, context: Context) -> Event:
    activity = _activity(EMAIL_ACTIVITIES, activity_id, EMAIL_ACTIVITY)
    if _get(record, ("email",)) is None:
        raise BadRecord("missing required field email")
    sender = _str(record, "email", "from") or _str(record, "from")
    sender = _require(sender.lower() if sender else None, "email.from")
    recipients = [
        *(_strings(record, "email", "to") or _strings(record, "to")),
        *_strings(record, "email", "cc"),
        *_strings(record, "email", "bcc"),
    ]
    internal = [r.rpartition("@")[2] in context.internal_domains for r in recipients]
    user = _user(record, ACTOR)
    if user is None and activity == "send" and context.users_by_email:
        user = context.users_by_email.get(sender)
    files = _objects(record, "email", "files")
    sizes = [_size(f, "size") for f in files]
    known_sizes = [s for s in sizes if s is not None]
    if sum(known_sizes) > plausible.MAX_BIGINT:
        raise BadRecord(f"email.files: the attachment sizes add up to {sum(known_sizes)}, out of range (2^63 - 1)")
    return {
        "kind": "email",
        "activity": activity,
        "user_id": _require(user, f"actor.user.name or actor.user.uid (sender {sender} is no known address)"),
        "host": _host(record, "device", "src_endpoint"),
        "sender": sender,
        "recipients": recipients or None,
        "n_internal": sum(internal),
        "n_external": len(internal) - sum(internal),
        "bytes": _size(record, "email", "size"),
        "attachment_count": len(files),
        "attachment_bytes": sum(known_sizes) if known_sizes else None,
        "content": _str(record, "email", "subject"),
    }


def _url(record: Mapping[str, Any]) -> tuple[str, str | None]:
    text = _str(record, "http_request", "url", "url_string")
    hostname = _str(record, "http_request", "url", "hostname")
    if text is None and hostname is not None:
        scheme = _str(record, "http_request", "url", "scheme") or "http"
        path = _str(record, "http_request", "url", "path") or ""
        query = _str(record, "http_request", "url", "query_string")
        text = f"{scheme}://{hostname}{path}" + (f"?{query}" if query else "")
    url = _require(text, "http_request.url.url_string (or http_request.url.hostname)")
    domain = hostname.lower().removeprefix("www.") if hostname else split_domain(url)
    return url, domain


def _http(record: Mapping[str, Any], activity_id: int, context: Context) -> Event:
    method = activity_id
    if activity_id in (0, 99):  # Unknown / Other: the request line says what it was
        method = HTTP_METHOD_NAMES.get((_str(record, "http_request", "http_method") or "").upper(), 3)
    elif activity_id not in HTTP_METHOD_IDS:
        raise BadRecord(f"unmapped activity_id {activity_id} for HTTP Activity (4002); mapped: 0-9, 99")
    has_file = _get(record, ("file",)) is not None
    activity = "upload" if method in HTTP_UPLOAD_METHODS else "download" if method == 3 and has_file else "visit"
    url, domain = _url(record)
    path = _str(record, "http_request", "url", "path") or url.split("://", 1)[-1].partition("/")[2]
    return {
        "kind": "http",
        "activity": activity,
        "user_id": _require(_user(record, ACTOR), "actor.user.name or actor.user.uid"),
        "host": _host(record, "device", "src_endpoint"),
        "url": url,
        "domain": domain,
        "content_type": content_type(_str(record, "file", "name") or path),
    }


def _peripheral(record: Mapping[str, Any], activity_id: int, context: Context) -> Event:
    activity = _activity(PERIPHERAL_ACTIVITIES, activity_id, PERIPHERAL_ACTIVITY)
    if _get(record, ("peripheral_device",)) is None:
        raise BadRecord("missing required field peripheral_device")
    device_type = _int(record, "peripheral_device", "type_id")
    if device_type is not None and device_type not in STORAGE_DEVICE_TYPES:
        what = DEVICE_TYPE_NAMES.get(device_type, "not storage")
        raise BadRecord(f"peripheral_device.type_id {device_type} ({what}) is not removable storage")
    name = _str(record, "peripheral_device", "name")
    serial = _str(record, "peripheral_device", "serial_number")
    return {
        "kind": "device",
        "activity": activity,
        "user_id": _require(_user(record, ACTOR), "actor.user.name or actor.user.uid"),
        "host": _host(record, "device"),
        "content": " ".join(p for p in (name, serial) if p) or None,
    }


Mapper = Callable[[Mapping[str, Any], int, Context], Event]

MAPPERS: dict[int, Mapper] = {
    AUTHENTICATION: _authentication,
    FILE_SYSTEM_ACTIVITY: _file_system,
    EMAIL_ACTIVITY: _email,
    HTTP_ACTIVITY: _http,
    PERIPHERAL_ACTIVITY: _peripheral,
}


def map_record(record: object, context: Context) -> Event:
    """The canonical event fields of one OCSF record (without provenance); BadRecord says why not.

    >>> map_record({"class_uid": 3002, "activity_id": 1, "time": 1262591880000, "user": {"name": "ALE0001"}},
    ...            Context())["activity"]
    'logon'
    """
    if not isinstance(record, dict):
        raise BadRecord(f"not a JSON object (got {_json_type(record)})")
    class_uid = _int(record, "class_uid")
    if class_uid is None:
        raise BadRecord("missing required field class_uid")
    mapper = MAPPERS.get(class_uid)
    if mapper is None:
        known = ", ".join(str(uid) for uid in CLASS_NAMES)
        raise BadRecord(f"unknown class_uid {class_uid} (molehunt reads {known}; see docs/ocsf.md)")
    activity_id = _int(record, "activity_id")
    if activity_id is None:
        raise BadRecord("missing required field activity_id")
    event = mapper(record, activity_id, context)
    event["time"] = when = event_time(record)
    problem = plausible.time_problem(when, context.latest)
    if problem is not None:
        raise BadRecord(f"time {when.isoformat(sep=' ')} is {problem}")
    event["event_id"] = _uid(record, "metadata", "uid")
    return event


def utc_millis(when: datetime) -> int:
    """Milliseconds since 1970 of a UTC wall-clock time (tests and docs build records with it)."""
    return int(when.replace(tzinfo=UTC).timestamp() * 1000)
