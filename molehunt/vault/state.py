"""Authorization state bound to the audit log: each clearance and each document label as the log last recorded it.

The store's ``vault_subjects`` and ``vault_documents`` rows are what decisions read, but anyone who can write the
store could change them; the audit log is what cannot change unnoticed. Every grant entry carries the clearance
and projects it gives, every revoke says the clearance is gone, every add (or decoy) entry carries the document's
label and project, so the log alone says what the state must be. Before a decision the vault compares the rows
it is about to use with that logged state (:func:`mismatch`) and refuses a request resting on a row that differs
("store tampered"); :func:`verify` compares every row, for `molehunt vault verify`.

The logged state is read through the audit log's public API (open, size, entry) and kept per process, growing by
the entries appended since the last look, so a decision reads only the new entries.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from molehunt.audit import Entry
from molehunt.audit.entries import JsonValue
from molehunt.audit.listing import fold_new
from molehunt.config import Home
from molehunt.vault.errors import VaultError
from molehunt.vault.labels import Label, Levels, parse_compartments
from molehunt.vault.records import open_log


@dataclass(frozen=True)
class Clearance:
    """A subject's clearance label and projects, as stored or as logged."""

    label: Label
    projects: frozenset[str]
    approver: bool = False  # may approve others' held requests (two-person rule)


@dataclass(frozen=True)
class Placement:
    """A document's label, project and whether it is a decoy, as stored or as logged."""

    label: Label
    project: str
    decoy: bool


@dataclass
class Logged:
    """The state the first ``size`` entries of the log establish; values are (entry index, state)."""

    size: int = 0
    last: bytes = b""  # canonical bytes of entry size-1: if they change, the log was replaced and is read again
    subjects: dict[str, tuple[int, Clearance | None]] = field(default_factory=dict)
    documents: dict[str, tuple[int, Placement | None]] = field(default_factory=dict)


_cache: dict[tuple[Path, tuple[str, ...]], Logged] = {}
_cache_lock = threading.Lock()


def logged_state(home: Home, levels: Levels) -> Logged:
    """The state the home's audit log establishes now (AuditError when the log cannot be opened)."""
    key = (home.audit_dir.resolve(), levels.names)
    with _cache_lock, open_log(home) as log:
        known = fold_new(log, _cache.get(key), Logged, lambda state, entry: _fold(state, entry, levels))
        _cache[key] = known
        return known


def _fold(state: Logged, entry: Entry, levels: Levels) -> None:
    details = entry.details
    if details.get("decision") != "allow":
        return
    if entry.action == "grant":
        state.subjects[entry.target] = (
            entry.seq,
            _clearance(details.get("clearance"), details.get("projects"), levels, details.get("approver") is True),
        )
    elif entry.action == "revoke":
        state.subjects[entry.target] = (entry.seq, None)
    elif entry.action in {"add", "decoy"}:
        state.documents[entry.target] = (entry.seq, _placement(details, entry.action == "decoy", levels))


def _clearance(label: object, projects: object, levels: Levels, approver: bool = False) -> Clearance | None:
    if not isinstance(label, str) or not isinstance(projects, list):
        return None
    try:
        return Clearance(Label.parse(label, levels), parse_compartments(str(p) for p in projects), approver)
    except VaultError:
        return None


def _placement(details: Mapping[str, JsonValue], decoy: bool, levels: Levels) -> Placement | None:
    label, project = details.get("label"), details.get("project")
    if not isinstance(label, str) or not isinstance(project, str):
        return None
    try:
        return Placement(Label.parse(label, levels), project, decoy)
    except VaultError:
        return None


def subject_mismatch(logged: Logged, user: str, stored: Clearance | None) -> str | None:
    """Why the stored clearance of ``user`` is not the logged one, or None when they agree."""
    seq, want = logged.subjects.get(user, (None, None))
    if stored == want:
        return None
    if seq is None:
        return f"the clearance of {user} has no audit entry"
    if want is None:
        return f"the clearance of {user} differs from audit entry {seq} (revoked there)"
    if stored is None:
        return f"the clearance of {user} granted in audit entry {seq} is missing from the store"
    approver = " approver" if want.approver else ""
    return (
        f"the clearance of {user} differs from audit entry {seq}"
        f" ({want.label} {','.join(sorted(want.projects))}{approver})"
    )


def document_mismatch(logged: Logged, doc_id: str, stored: Placement | None) -> str | None:
    """Why the stored label of ``doc_id`` is not the logged one, or None when they agree."""
    seq, want = logged.documents.get(doc_id, (None, None))
    if stored == want:
        return None
    if seq is None:
        return f"document {doc_id} has no audit entry"
    if want is None:
        return f"document {doc_id}: audit entry {seq} does not say its label"
    if stored is None:
        return f"document {doc_id} added in audit entry {seq} is missing from the store"
    return f"the label of {doc_id} differs from audit entry {seq} ({want.label} in {want.project})"


def verify(logged: Logged, subjects: dict[str, Clearance], documents: dict[str, Placement]) -> list[str]:
    """Every disagreement between the stored rows and the logged state, subjects first, each in sorted order."""
    users = sorted(set(subjects) | {user for user, (_, state) in logged.subjects.items() if state is not None})
    docs = sorted(set(documents) | {doc for doc, (_, state) in logged.documents.items() if state is not None})
    found = [subject_mismatch(logged, user, subjects.get(user)) for user in users]
    found += [document_mismatch(logged, doc, documents.get(doc)) for doc in docs]
    return [problem for problem in found if problem is not None]
