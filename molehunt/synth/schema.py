"""CSV headers of every file, per release, exactly as the CERT releases spell them."""

from __future__ import annotations

SOURCES = ("logon", "device", "file", "email", "http")
PREFIX = ("id", "date", "user", "pc")

_HEADERS: dict[tuple[str, str], tuple[str, ...]] = {
    ("logon", "r4.2"): (*PREFIX, "activity"),
    ("logon", "r6.2"): (*PREFIX, "activity"),
    ("device", "r4.2"): (*PREFIX, "activity"),
    ("device", "r6.2"): (*PREFIX, "file_tree", "activity"),
    ("file", "r4.2"): (*PREFIX, "filename", "content"),
    ("file", "r6.2"): (
        *PREFIX, "filename", "activity", "to_removable_media", "from_removable_media", "content",
    ),
    ("email", "r4.2"): (*PREFIX, "to", "cc", "bcc", "from", "size", "attachments", "content"),
    ("email", "r6.2"): (*PREFIX, "to", "cc", "bcc", "from", "activity", "size", "attachments", "content"),
    ("http", "r4.2"): (*PREFIX, "url", "content"),
    ("http", "r6.2"): (*PREFIX, "url", "activity", "content"),
}  # fmt: skip

LDAP_R4 = ("employee_name", "user_id", "email", "role", "business_unit", "functional_unit", "department",
           "team", "supervisor")  # fmt: skip
LDAP_R6 = ("employee_name", "user_id", "email", "role", "projects", "business_unit", "functional_unit",
           "department", "team", "supervisor")  # fmt: skip
PSYCHOMETRIC = ("employee_name", "user_id", "O", "C", "E", "A", "N")
DECOY = ("decoy_filename", "pc")
INSIDERS = ("dataset", "scenario", "details", "user", "start", "end")


def header(source: str, release: str) -> tuple[str, ...]:
    """The header of an activity file; raises KeyError for an unknown source or release."""
    return _HEADERS[(source, release)]


def extra_columns(source: str, release: str) -> tuple[str, ...]:
    """The columns after id,date,user,pc (what an EventBatch carries in `cols`)."""
    return header(source, release)[len(PREFIX) :]
