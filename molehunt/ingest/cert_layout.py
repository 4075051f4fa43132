"""What a CERT Insider Threat Test Dataset directory holds, and which release (r4.2 or r6.2) it is.

The release is read from the headers, not from the directory name: files whose header is the same in both
releases (logon, psychometric) do not vote; the others must agree.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from molehunt.errors import InputError
from molehunt.ingest.csv_stream import read_header

RELEASES = ("r4.2", "r6.2")

# role -> release -> exact header
HEADERS: dict[str, dict[str, tuple[str, ...]]] = {
    "logon": {
        "r4.2": ("id", "date", "user", "pc", "activity"),
        "r6.2": ("id", "date", "user", "pc", "activity"),
    },
    "device": {
        "r4.2": ("id", "date", "user", "pc", "activity"),
        "r6.2": ("id", "date", "user", "pc", "file_tree", "activity"),
    },
    "file": {
        "r4.2": ("id", "date", "user", "pc", "filename", "content"),
        "r6.2": (
            "id", "date", "user", "pc", "filename", "activity",
            "to_removable_media", "from_removable_media", "content",
        ),
    },
    "email": {
        "r4.2": ("id", "date", "user", "pc", "to", "cc", "bcc", "from", "size", "attachments", "content"),
        "r6.2": (
            "id", "date", "user", "pc", "to", "cc", "bcc", "from", "activity", "size", "attachments", "content",
        ),
    },
    "http": {
        "r4.2": ("id", "date", "user", "pc", "url", "content"),
        "r6.2": ("id", "date", "user", "pc", "url", "activity", "content"),
    },
    "ldap": {
        "r4.2": (
            "employee_name", "user_id", "email", "role", "business_unit", "functional_unit",
            "department", "team", "supervisor",
        ),
        "r6.2": (
            "employee_name", "user_id", "email", "role", "projects", "business_unit", "functional_unit",
            "department", "team", "supervisor",
        ),
    },
    "psychometric": {
        "r4.2": ("employee_name", "user_id", "O", "C", "E", "A", "N"),
        "r6.2": ("employee_name", "user_id", "O", "C", "E", "A", "N"),
    },
    "decoy": {"r6.2": ("decoy_filename", "pc")},
    "insiders": {
        "r4.2": ("dataset", "scenario", "details", "user", "start", "end"),
        "r6.2": ("dataset", "scenario", "details", "user", "start", "end"),
    },
}  # fmt: skip

ACTIVITY_ROLES = ("logon", "device", "file", "email", "http")
TOP_LEVEL = {f"{role}.csv": role for role in ACTIVITY_ROLES} | {
    "psychometric.csv": "psychometric",
    "decoy_file.csv": "decoy",
}
LDAP_NAME = re.compile(r"^(\d{4})-(\d{2})\.csv$")


@dataclass(frozen=True)
class CertFile:
    """One file of the directory with its role, and (for LDAP) the month it is a snapshot of."""

    path: Path
    role: str
    month: str | None = None


@dataclass(frozen=True)
class CertLayout:
    """The files found in a CERT directory, in ingest order, and its release."""

    root: Path
    release: str
    files: tuple[CertFile, ...]
    answers: Path | None


def release_of(cert_file: CertFile) -> set[str]:
    """Releases whose header for this role matches the file's header exactly; InputError if none."""
    header = tuple(read_header(cert_file.path))
    candidates = {rel for rel, expected in HEADERS[cert_file.role].items() if expected == header}
    if not candidates:
        expected = " or ".join(",".join(h) for h in dict.fromkeys(HEADERS[cert_file.role].values()))
        raise InputError(
            f"unexpected header {','.join(header)!r} for a CERT {cert_file.role} file; expected {expected}",
            path=str(cert_file.path),
            line=1,
        )
    return candidates


def discover(root: Path, *, only: set[str] | None = None) -> CertLayout:
    """Find the CERT files under root, check every header and decide the release.

    Raises InputError when root is missing, holds no CERT file, holds a .csv molehunt does not know, lacks an
    activity file (unless `only` narrows the roles), or mixes headers of two releases.
    """
    if not root.is_dir():
        raise InputError(f"{root} is not a directory: give the folder holding logon.csv, device.csv, ...")
    kinds = set(HEADERS) - {"insiders"}
    wanted = {kind.strip() for kind in only} if only else kinds
    if wanted - kinds:
        raise InputError(f"unknown file kinds {sorted(wanted - kinds)}; known: {', '.join(sorted(kinds))}")

    files: list[CertFile] = []
    unknown: list[str] = []
    for path in sorted(root.glob("*.csv")):
        role = TOP_LEVEL.get(path.name)
        if role is None:
            unknown.append(path.name)
        elif role in wanted:
            files.append(CertFile(path, role))
    ldap_dir = root / "LDAP"
    if ldap_dir.is_dir() and "ldap" in wanted:
        for path in sorted(ldap_dir.glob("*.csv")):
            match = LDAP_NAME.match(path.name)
            if match is None:
                unknown.append(f"LDAP/{path.name}")
            else:
                files.append(CertFile(path, "ldap", month=f"{match[1]}-{match[2]}-01"))
    if unknown:
        raise InputError(
            f"{root}: files molehunt does not know: {', '.join(unknown)}. Expected {', '.join(sorted(TOP_LEVEL))}"
            " and LDAP/YYYY-MM.csv; move other files out of the folder"
        )
    if not files:
        raise InputError(f"{root} holds no CERT files (logon.csv, device.csv, file.csv, email.csv, http.csv)")
    present = {f.role for f in files}
    missing = [role for role in ACTIVITY_ROLES if role in wanted and role not in present]
    if not only and "ldap" not in present:
        missing.append("LDAP/")
    if missing:
        raise InputError(
            f"{root} lacks {', '.join(missing)}; ingest a subset with --only "
            f"{','.join(sorted(present))} if that is intended"
        )

    votes: dict[str, Path] = {}
    possible = set(RELEASES)
    for cert_file in files:
        candidates = release_of(cert_file)
        if len(candidates) == 1:
            votes.setdefault(next(iter(candidates)), cert_file.path)
        possible &= candidates
    if not possible:
        detail = "; ".join(f"{path} is {rel}" for rel, path in sorted(votes.items()))
        raise InputError(f"{root} mixes releases: {detail}")
    # Two candidates remain only when every file reads the same in both releases (logon, psychometric).
    release = min(possible)

    order = {role: rank for rank, role in enumerate(("ldap", "psychometric", "decoy", *ACTIVITY_ROLES))}
    files.sort(key=lambda f: (order[f.role], str(f.path)))
    answers = root / "answers"
    if answers.is_dir() and not (answers / "insiders.csv").is_file():
        raise InputError(f"{answers} has no insiders.csv; add it, or move answers/ out of the folder")
    return CertLayout(root=root, release=release, files=tuple(files), answers=answers if answers.is_dir() else None)
