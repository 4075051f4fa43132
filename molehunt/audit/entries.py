"""The audit entry model and its canonical bytes, which are what the Merkle tree hashes.

Canonical bytes of an entry are the UTF-8 encoding of a JSON object with exactly the keys
``action, actor, details, seq, target, time``, keys sorted by code point at every depth, no whitespace,
non-ASCII characters written as themselves, the escapes Python's ``json.dumps`` uses (``\\"``, ``\\\\``,
``\\n``, ``\\r``, ``\\t``, ``\\b``, ``\\f``, ``\\u00XX`` for other control characters). ``seq`` is the
entry's zero-based index in the log, ``time`` is UTC as ``YYYY-MM-DDTHH:MM:SS.ffffffZ``; ``details`` is a
JSON object whose values are strings, booleans, null, integers of magnitude below 2**53, lists and
objects (no floats: their text form is not canonical). A third party recomputes the leaf hash as
``SHA-256(0x00 || canonical bytes)``; for example ``{"action":"read","actor":"alice","details":{},
"seq":0,"target":"doc-1","time":"2026-01-02T03:04:05.000000Z"}``.
"""

from __future__ import annotations

import json
import re
import types
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from molehunt.audit.errors import VerificationError
from molehunt.clock import utc_now_aware

JsonValue = str | int | bool | None | list["JsonValue"] | dict[str, "JsonValue"]

FIELDS = ("action", "actor", "details", "seq", "target", "time")
MAX_SAFE_INT = 2**53
TIME_RE = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z")
_TIME_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"


def canonical_json(value: Any) -> bytes:
    """Return the canonical UTF-8 JSON of ``value``; ValueError for floats, big integers or lone surrogates."""
    _check_json(value, "value")
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode()


def _check_json(value: Any, where: str) -> None:
    if value is None or isinstance(value, str | bool):
        return
    if isinstance(value, int):
        if abs(value) >= MAX_SAFE_INT:
            raise ValueError(f"{where}: integer {value} is too large to be read back exactly everywhere")
        return
    if isinstance(value, list):
        for i, item in enumerate(value):
            _check_json(item, f"{where}[{i}]")
        return
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise ValueError(f"{where}: key {key!r} is not a string")
            _check_json(item, f"{where}.{key}")
        return
    raise ValueError(f"{where}: {type(value).__name__} is not allowed in an audit entry (use str or int)")


def format_time(moment: datetime) -> str:
    """Return ``moment`` as the entry time format; naive datetimes are rejected (ValueError)."""
    if moment.tzinfo is None:
        raise ValueError("audit times must be timezone-aware")
    return moment.astimezone(UTC).strftime(_TIME_FORMAT)


@dataclass(frozen=True)
class NewEntry:
    """What a caller asks to log; the log assigns ``seq`` and, when ``time`` is None, the current time."""

    actor: str
    action: str
    target: str
    details: Mapping[str, JsonValue] = field(default_factory=dict)
    time: datetime | None = None


@dataclass(frozen=True)
class Entry:
    """One logged entry. Construct with :meth:`create` or :meth:`from_bytes`, which validate."""

    seq: int
    time: str
    actor: str
    action: str
    target: str
    details: Mapping[str, JsonValue]
    canonical: bytes = field(repr=False, compare=False)

    @classmethod
    def create(cls, seq: int, new: NewEntry) -> Entry:
        """Build the entry for ``new`` at index ``seq``; ValueError names the field that is not allowed."""
        moment = new.time if new.time is not None else utc_now_aware()
        body = {
            "seq": seq,
            "time": format_time(moment),
            "actor": new.actor,
            "action": new.action,
            "target": new.target,
            "details": dict(new.details),
        }
        data = canonical_json(body)
        try:
            return cls.from_bytes(data, expected_seq=seq)
        except VerificationError as exc:
            raise ValueError(str(exc)) from None

    @classmethod
    def from_bytes(cls, data: bytes, *, expected_seq: int) -> Entry:
        """Parse canonical bytes; VerificationError unless they are exactly canonical and ``seq`` matches."""
        try:
            body = json.loads(data.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise VerificationError(f"entry {expected_seq} is not UTF-8 JSON: {exc}") from None
        if not isinstance(body, dict) or tuple(sorted(body)) != FIELDS:
            raise VerificationError(f"entry {expected_seq} must be an object with exactly the fields {FIELDS}")
        seq, time = body["seq"], body["time"]
        if type(seq) is not int or seq != expected_seq:
            raise VerificationError(f"entry {expected_seq} carries seq {seq!r}")
        if not isinstance(time, str) or not TIME_RE.fullmatch(time):
            raise VerificationError(f"entry {expected_seq} has time {time!r}, expected YYYY-MM-DDTHH:MM:SS.ffffffZ")
        for name in ("actor", "action", "target"):
            if not isinstance(body[name], str):
                raise VerificationError(f"entry {expected_seq}: {name} must be a string")
        if not isinstance(body["details"], dict):
            raise VerificationError(f"entry {expected_seq}: details must be an object")
        try:
            again = canonical_json(body)
        except (ValueError, UnicodeEncodeError) as exc:
            raise VerificationError(f"entry {expected_seq}: {exc}") from None
        if again != data:
            raise VerificationError(f"entry {expected_seq} is not in canonical form")
        details = types.MappingProxyType(body["details"])
        return cls(seq, time, body["actor"], body["action"], body["target"], details, data)

    def to_json(self) -> dict[str, JsonValue]:
        """Return the entry as a fresh JSON-ready dict (the object its canonical bytes encode)."""
        parsed: dict[str, JsonValue] = json.loads(self.canonical)
        return parsed
