"""Inclusion and consistency proofs as JSON documents a third party can check with the log's public key.

Inclusion proof shape: ``{"leaf_index", "tree_size", "leaf_hash", "audit_path": [hex, ...], "root_hash",
"checkpoint": {...}}``. Consistency proof shape: ``{"old_size", "old_root", "new_size", "new_root",
"consistency_path": [hex, ...], "checkpoint": {...}}`` where ``checkpoint`` signs the new tree.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from molehunt.audit import checkpoint as checkpoints
from molehunt.audit import merkle
from molehunt.audit.checkpoint import Checkpoint
from molehunt.audit.errors import VerificationError


def _hex(value: Any, what: str) -> bytes:
    if not isinstance(value, str) or len(value) != 2 * merkle.HASH_SIZE:
        raise VerificationError(f"{what} must be {2 * merkle.HASH_SIZE} hex digits")
    try:
        return bytes.fromhex(value)
    except ValueError:
        raise VerificationError(f"{what} is not hex") from None


def _int(value: Any, what: str) -> int:
    if type(value) is not int or value < 0:
        raise VerificationError(f"{what} must be a non-negative integer")
    return value


def _path(value: Any, what: str) -> tuple[bytes, ...]:
    if not isinstance(value, list):
        raise VerificationError(f"{what} must be a list of hex hashes")
    return tuple(_hex(item, f"{what}[{i}]") for i, item in enumerate(value))


def _object(obj: Any, fields: set[str]) -> dict[str, Any]:
    if not isinstance(obj, dict) or set(obj) != fields:
        raise VerificationError(f"a proof must be an object with exactly the fields {sorted(fields)}")
    return obj


@dataclass(frozen=True)
class InclusionProof:
    """Proof that the leaf with ``leaf_hash`` is entry ``leaf_index`` of the tree signed by ``checkpoint``."""

    leaf_index: int
    leaf_hash: bytes
    audit_path: tuple[bytes, ...]
    checkpoint: Checkpoint

    def to_json(self) -> dict[str, Any]:
        """Return the JSON document (``tree_size`` and ``root_hash`` repeat the checkpoint's)."""
        return {
            "leaf_index": self.leaf_index,
            "tree_size": self.checkpoint.tree_size,
            "leaf_hash": self.leaf_hash.hex(),
            "audit_path": [h.hex() for h in self.audit_path],
            "root_hash": self.checkpoint.root_hash.hex(),
            "checkpoint": self.checkpoint.to_json(),
        }

    @classmethod
    def from_json(cls, obj: Any) -> InclusionProof:
        """Parse the JSON document; VerificationError if malformed or if its sizes or roots disagree."""
        fields = {"leaf_index", "tree_size", "leaf_hash", "audit_path", "root_hash", "checkpoint"}
        data = _object(obj, fields)
        signed = Checkpoint.from_json(data["checkpoint"])
        if _int(data["tree_size"], "tree_size") != signed.tree_size:
            raise VerificationError("proof tree_size differs from its checkpoint's")
        if _hex(data["root_hash"], "root_hash") != signed.root_hash:
            raise VerificationError("proof root_hash differs from its checkpoint's")
        return cls(
            _int(data["leaf_index"], "leaf_index"),
            _hex(data["leaf_hash"], "leaf_hash"),
            _path(data["audit_path"], "audit_path"),
            signed,
        )

    def verify(self, public_key: Ed25519PublicKey, entry: bytes | None = None) -> None:
        """Check the checkpoint signature, the path, and (if given) that ``entry`` bytes hash to the leaf.

        Raises VerificationError naming the first check that fails.
        """
        checkpoints.verify(self.checkpoint, public_key)
        if entry is not None and merkle.leaf_hash(entry) != self.leaf_hash:
            raise VerificationError(f"entry bytes do not hash to the leaf hash of entry {self.leaf_index}")
        merkle.verify_inclusion(
            self.leaf_hash, self.leaf_index, self.checkpoint.tree_size, self.audit_path, self.checkpoint.root_hash
        )


@dataclass(frozen=True)
class ConsistencyProof:
    """Proof that the tree signed by ``checkpoint`` extends the tree of ``old_size`` with ``old_root``."""

    old_size: int
    old_root: bytes
    consistency_path: tuple[bytes, ...]
    checkpoint: Checkpoint

    def to_json(self) -> dict[str, Any]:
        """Return the JSON document."""
        return {
            "old_size": self.old_size,
            "old_root": self.old_root.hex(),
            "new_size": self.checkpoint.tree_size,
            "new_root": self.checkpoint.root_hash.hex(),
            "consistency_path": [h.hex() for h in self.consistency_path],
            "checkpoint": self.checkpoint.to_json(),
        }

    @classmethod
    def from_json(cls, obj: Any) -> ConsistencyProof:
        """Parse the JSON document; VerificationError if malformed or if its new size or root disagree."""
        fields = {"old_size", "old_root", "new_size", "new_root", "consistency_path", "checkpoint"}
        data = _object(obj, fields)
        signed = Checkpoint.from_json(data["checkpoint"])
        if _int(data["new_size"], "new_size") != signed.tree_size:
            raise VerificationError("proof new_size differs from its checkpoint's")
        if _hex(data["new_root"], "new_root") != signed.root_hash:
            raise VerificationError("proof new_root differs from its checkpoint's")
        return cls(
            _int(data["old_size"], "old_size"),
            _hex(data["old_root"], "old_root"),
            _path(data["consistency_path"], "consistency_path"),
            signed,
        )

    def verify(self, public_key: Ed25519PublicKey, witnessed: Checkpoint | None = None) -> None:
        """Check the signature and the path; with ``witnessed``, also that it is the old tree proven.

        Raises VerificationError naming the first check that fails.
        """
        checkpoints.verify(self.checkpoint, public_key)
        if witnessed is not None:
            checkpoints.verify(witnessed, public_key)
            if (witnessed.tree_size, witnessed.root_hash) != (self.old_size, self.old_root):
                raise VerificationError("the proof starts from a different tree than the witnessed checkpoint")
        merkle.verify_consistency(
            self.old_size, self.checkpoint.tree_size, self.old_root, self.checkpoint.root_hash, self.consistency_path
        )
