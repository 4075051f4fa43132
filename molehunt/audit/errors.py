"""The audit log's two errors: one for operations that cannot proceed, one for failed verification."""

from __future__ import annotations

from molehunt.errors import MolehuntError


class AuditError(MolehuntError):
    """The audit log cannot do what was asked: a damaged tail, a bad key file, an entry too large."""


class VerificationError(AuditError):
    """A proof, signature, checkpoint or log does not verify. The message says which check failed."""
