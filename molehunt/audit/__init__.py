"""Tamper-evident audit log: RFC 9162 Merkle tree over append-only files, Ed25519-signed checkpoints.

>>> with AuditLog.open(home / "audit", home / "keys") as log:  # doctest: +SKIP
...     index = log.append(NewEntry(actor="alice", action="read", target="doc-1"))
...     log.checkpoint()
...     proof = log.prove(index).to_json()
...     assert log.verify().ok
"""

from molehunt.audit.checkpoint import Checkpoint, Exported, export, load_export
from molehunt.audit.entries import Entry, NewEntry
from molehunt.audit.errors import AuditError, VerificationError
from molehunt.audit.log import AuditLog, append_entries, append_entry
from molehunt.audit.proofs import ConsistencyProof, InclusionProof
from molehunt.audit.verify import Problem, Report, verify_directory

__all__ = [
    "AuditError",
    "AuditLog",
    "Checkpoint",
    "ConsistencyProof",
    "Entry",
    "Exported",
    "InclusionProof",
    "NewEntry",
    "Problem",
    "Report",
    "VerificationError",
    "append_entries",
    "append_entry",
    "export",
    "load_export",
    "verify_directory",
]
