"""Trace a leaked copy: find the vault document, read the fingerprint, score every recipient, accuse within a bound.

The population is everyone the vault handed a copy of that document (allowed reads and checkouts); the
false-accusation bound is over that population. Every trace is an audit log entry. This is the vault's side of
tracing: molehunt.trace holds the codes and carriers and knows nothing of the vault, the store or the audit log.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from molehunt.audit import NewEntry, append_entry
from molehunt.audit.entries import JsonValue
from molehunt.errors import MolehuntError
from molehunt.trace.carriers.pdf import pdf_text
from molehunt.trace.carriers.text import extract, layout, normalize
from molehunt.trace.code import Accusation, accuse
from molehunt.trace.marking import DESIGN_EPS, code_for
from molehunt.vault import crypto
from molehunt.vault.service import Vault

SHINGLE = 5  # words per shingle when matching a leak to a document by content
MIN_CONTAINMENT = 0.3  # share of the leak's shingles that must come from the document


class TraceError(MolehuntError):
    """The leak cannot be traced as asked (unreadable file, no matching document)."""


@dataclass(frozen=True)
class Trace:
    doc_id: str
    title: str
    matched_by: str
    positions: int
    recipients: int
    accusation: Accusation
    audit_seq: int

    def to_json(self) -> dict[str, Any]:
        found = self.accusation
        return {
            "doc_id": self.doc_id, "title": self.title, "matched_by": self.matched_by,
            "positions": self.positions, "positions_read": found.positions_read, "recipients": self.recipients,
            # No finite threshold when too little is readable: JSON has no infinity, so null.
            "threshold": found.threshold if math.isfinite(found.threshold) else None, "eps": found.eps_target,
            "false_accusation_bound": found.false_accusation_bound, "enough": found.enough, "note": found.note,
            "accused": [{"user": user, "score": score} for user, score in found.accused],
            "scores": [{"user": user, "score": score} for user, score in found.scores],
            "audit_entry": self.audit_seq,
        }  # fmt: skip


def read_leak(path: Path) -> tuple[str, str]:
    """The text of a leaked file (PDF through text extraction, anything else as UTF-8 with bad bytes replaced) and
    the SHA-256 of its bytes."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise TraceError(f"cannot read {path}: {exc.strerror}") from None
    digest = hashlib.sha256(data).hexdigest()
    return (pdf_text(data) if data.startswith(b"%PDF") else data.decode("utf-8", errors="replace")), digest


def _shingles(text: str) -> set[int]:
    words = normalize(text).lower().split()
    return {hash(tuple(words[i : i + SHINGLE])) for i in range(max(0, len(words) - SHINGLE + 1))}


def match_document(vault: Vault, leaked: str) -> tuple[str, str]:
    """The id of the vault text document the leak was taken from, and how it was matched."""
    wanted = _shingles(leaked)
    if not wanted:
        raise TraceError("the leaked file holds too little text to match a document; name it with --doc")
    best, best_share = None, 0.0
    for info in vault.text_documents():
        _, data = vault.original(info.doc_id)
        share = len(wanted & _shingles(data.decode("utf-8", errors="replace"))) / len(wanted)
        if share > best_share:
            best, best_share = info.doc_id, share
    if best is None or best_share < MIN_CONTAINMENT:
        raise TraceError("no vault document matches the leaked text; name it with --doc if you know which it is")
    return best, f"content ({best_share:.0%} of the leak's 5-word runs)"


def trace_leak(vault: Vault, leaked_file: Path, *, doc_id: str | None, actor: str, eps: float = DESIGN_EPS) -> Trace:
    """Trace `leaked_file` (text or PDF) against a vault document and record the trace in the audit log."""
    if not 0 < eps < 1:
        raise TraceError("the false-accusation bound must be between 0 and 1")
    leaked, digest = read_leak(leaked_file)
    found_id, how = (doc_id, "--doc") if doc_id else match_document(vault, leaked)
    info, data = vault.original(found_id)
    original = data.decode("utf-8", errors="replace")
    shape = layout(original)
    observed = np.asarray(extract(original, leaked))
    recipients = vault.recipients(found_id)
    if not recipients:
        raise TraceError(f"nobody was ever handed a copy of {found_id}: there is no recipient to trace")
    key = crypto.load_or_create_key(vault.keys_dir)
    result = accuse(code_for(key, found_id, shape), observed, recipients, eps)
    details: dict[str, JsonValue] = {
        "file": str(leaked_file), "sha256": digest,
        "matched_by": how, "positions_read": result.positions_read, "recipients": len(recipients),
        "accused": [user for user, _ in result.accused], "bound": f"{result.false_accusation_bound:.3g}",
    }  # fmt: skip
    seq = append_entry(vault.audit_dir, vault.keys_dir, NewEntry(actor, "trace", found_id, details))
    return Trace(found_id, info.title, how, len(shape.alphabet), len(recipients), result, seq)
