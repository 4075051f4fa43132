"""Evidence packages: a case's content bound to the audit log, checkable offline by anyone with the file.

A package is one JSON document:

    {"format": FORMAT,
     "content": "<the evidence as JSON text>",          (kept as text: its exact bytes are what is hashed)
     "content_sha256": "<hex>",
     "public_key": "<the log's Ed25519 public key, hex>",
     "key_id": "<its id, as checkpoints name it>",
     "export": <the index of the audit entry that recorded this export>,
     "entries": [{"index", "entry": <the entry's canonical JSON text>, "proof": <RFC 9162 inclusion proof>}, ...]}

The export's own audit entry carries content_sha256 in its details, and every entry (the export and each recorded
action the package cites) comes with an inclusion proof under a signed checkpoint. So the content cannot change,
nor an action be added, dropped or altered, without a proof failing; and the log itself keeps the record that the
package was made. `verify_package` checks all of it with the public key in the file; compare `key_id` with the
organization's published audit key (`molehunt audit checkpoint --export`) to know whose log it is.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from molehunt.audit import keys
from molehunt.audit.entries import Entry
from molehunt.audit.errors import VerificationError
from molehunt.audit.log import AuditLog
from molehunt.audit.proofs import InclusionProof

FORMAT = "molehunt-evidence-package/1"
EXPORT_DIGEST = "content_sha256"  # the details field of the export entry that binds the content


def content_digest(content: str) -> str:
    return hashlib.sha256(content.encode("utf-8")).hexdigest()


def assemble(log: AuditLog, content: str, cited: Sequence[int], export: int) -> dict[str, Any]:
    """The package of `content` whose export was recorded as entry `export` (its details carrying the digest),
    citing the entries `cited`; every one must be covered by a checkpoint (appends sign one when they close)."""
    indexes = sorted(set(cited) | {export})
    entries = []
    for index in indexes:
        entry = log.entry(index)
        entries.append({"index": index, "entry": entry.canonical.decode("utf-8"), "proof": log.prove(index).to_json()})
    return {
        "format": FORMAT,
        "content": content,
        "content_sha256": content_digest(content),
        "public_key": keys.public_bytes(log.public_key).hex(),
        "key_id": keys.key_id(log.public_key),
        "export": export,
        "entries": entries,
    }


@dataclass(frozen=True)
class PackageReport:
    ok: bool
    key_id: str = ""
    entries: int = 0
    problems: tuple[str, ...] = field(default_factory=tuple)
    actions: tuple[str, ...] = ()  # "index action target by actor at time", for the reader


def verify_package(raw: bytes) -> PackageReport:
    """Check a package file's bytes: format, content digest, every entry's canonical form and inclusion proof under
    a checkpoint signed by the package's key, and that the export entry carries the content's digest."""
    try:
        data = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        return PackageReport(False, problems=(f"not a JSON document: {exc}",))
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        return PackageReport(False, problems=(f"not a {FORMAT} document",))
    problems: list[str] = []
    content, digest = data.get("content"), data.get("content_sha256")
    if not isinstance(content, str) or not isinstance(digest, str):
        return PackageReport(False, problems=("content or content_sha256 missing",))
    if content_digest(content) != digest:
        problems.append("the content does not match content_sha256: it was changed after export")
    try:
        public = keys.public_key_from_hex(str(data.get("public_key", "")))
    except (ValueError, VerificationError) as exc:
        return PackageReport(False, problems=(f"bad public key: {exc}",))
    key_id = keys.key_id(public)
    if data.get("key_id") != key_id:
        problems.append("key_id does not name the package's public key")
    listed = data.get("entries")
    if not isinstance(listed, list) or not listed:
        return PackageReport(False, key_id, problems=("no audit entries in the package",))
    actions: list[str] = []
    exported: Entry | None = None
    for item in listed:
        try:
            index = int(item["index"])
            entry = Entry.from_bytes(str(item["entry"]).encode("utf-8"), expected_seq=index)
            proof = InclusionProof.from_json(item["proof"])
            if proof.leaf_index != index:
                raise VerificationError(f"the proof is for entry {proof.leaf_index}")
            proof.verify(public, entry.canonical)
        except (KeyError, TypeError, ValueError, VerificationError) as exc:
            problems.append(f"entry {item.get('index') if isinstance(item, dict) else '?'}: {exc}")
            continue
        actions.append(f"{index} {entry.action} {entry.target} by {entry.actor} at {entry.time}")
        if index == data.get("export"):
            exported = entry
    if exported is None:
        problems.append("the export's own audit entry is missing or does not verify")
    elif exported.details.get(EXPORT_DIGEST) != digest:
        problems.append("the export's audit entry records another content digest")
    return PackageReport(not problems, key_id, len(listed), tuple(problems), tuple(actions))
