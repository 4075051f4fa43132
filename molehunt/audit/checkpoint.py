"""Signed checkpoints (tree size, root hash, time) and the file a witness keeps.

A checkpoint's canonical bytes are the canonical JSON (see :mod:`molehunt.audit.entries`) of
``{"key_id", "root_hash", "signature", "time", "tree_size"}`` with hashes and signature in lowercase hex.
The Ed25519 signature covers ``b"molehunt audit checkpoint v1\\n"`` followed by the canonical JSON of the
same object without ``signature``.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from molehunt.audit import keys
from molehunt.audit.entries import TIME_RE, canonical_json, format_time
from molehunt.audit.errors import VerificationError
from molehunt.audit.framing import fsync_dir
from molehunt.clock import utc_now_aware

DOMAIN = b"molehunt audit checkpoint v1\n"
_FIELDS = ("key_id", "root_hash", "signature", "time", "tree_size")
_HEX_RE = {"key_id": re.compile(r"[0-9a-f]{16}"), "root_hash": re.compile(r"[0-9a-f]{64}")}


@dataclass(frozen=True)
class Checkpoint:
    """A signed statement that the log had ``tree_size`` entries with root ``root_hash`` at ``time``."""

    tree_size: int
    root_hash: bytes
    time: str
    key_id: str
    signature: bytes

    def signed_message(self) -> bytes:
        """Return the bytes the signature covers."""
        body = {"key_id": self.key_id, "root_hash": self.root_hash.hex(), "time": self.time}
        return DOMAIN + canonical_json({**body, "tree_size": self.tree_size})

    def to_json(self) -> dict[str, Any]:
        """Return the checkpoint as a JSON-ready dict (the shape stored, exported and shown in proofs)."""
        return {
            "key_id": self.key_id,
            "root_hash": self.root_hash.hex(),
            "signature": self.signature.hex(),
            "time": self.time,
            "tree_size": self.tree_size,
        }

    def to_bytes(self) -> bytes:
        """Return the canonical bytes stored in the checkpoints file."""
        return canonical_json(self.to_json())

    @classmethod
    def from_json(cls, obj: Any) -> Checkpoint:
        """Parse the dict form; VerificationError names the field that is missing or malformed."""
        if not isinstance(obj, dict) or tuple(sorted(obj)) != _FIELDS:
            raise VerificationError(f"a checkpoint must be an object with exactly the fields {_FIELDS}")
        size = obj["tree_size"]
        if type(size) is not int or size < 0:
            raise VerificationError(f"checkpoint tree_size {size!r} is not a non-negative integer")
        for name, pattern in _HEX_RE.items():
            if not isinstance(obj[name], str) or not pattern.fullmatch(obj[name]):
                raise VerificationError(f"checkpoint {name} is not lowercase hex of the right length")
        signature, time = obj["signature"], obj["time"]
        if not isinstance(signature, str) or not re.fullmatch(r"[0-9a-f]{128}", signature):
            raise VerificationError("checkpoint signature is not 64 bytes of lowercase hex")
        if not isinstance(time, str) or not TIME_RE.fullmatch(time):
            raise VerificationError(f"checkpoint time {time!r} is not YYYY-MM-DDTHH:MM:SS.ffffffZ")
        return cls(size, bytes.fromhex(obj["root_hash"]), time, obj["key_id"], bytes.fromhex(signature))

    @classmethod
    def from_bytes(cls, data: bytes) -> Checkpoint:
        """Parse stored bytes; VerificationError unless they are valid and exactly canonical."""
        try:
            checkpoint = cls.from_json(json.loads(data.decode("utf-8")))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise VerificationError(f"checkpoint is not UTF-8 JSON: {exc}") from None
        if checkpoint.to_bytes() != data:
            raise VerificationError("checkpoint is not in canonical form")
        return checkpoint


def sign(key: Ed25519PrivateKey, tree_size: int, root_hash: bytes, time: datetime | None = None) -> Checkpoint:
    """Sign a checkpoint of ``tree_size`` entries with ``root_hash`` at ``time`` (now by default)."""
    moment = format_time(time if time is not None else utc_now_aware())
    unsigned = Checkpoint(tree_size, root_hash, moment, keys.key_id(key.public_key()), b"")
    return Checkpoint(tree_size, root_hash, moment, unsigned.key_id, key.sign(unsigned.signed_message()))


def verify(checkpoint: Checkpoint, public_key: Ed25519PublicKey) -> None:
    """Check the checkpoint's signature; VerificationError for another key's checkpoint or a bad signature."""
    if checkpoint.key_id != keys.key_id(public_key):
        raise VerificationError(f"checkpoint was signed by key {checkpoint.key_id}, not {keys.key_id(public_key)}")
    try:
        public_key.verify(checkpoint.signature, checkpoint.signed_message())
    except InvalidSignature:
        raise VerificationError(f"checkpoint of size {checkpoint.tree_size} has a bad signature") from None


@dataclass(frozen=True)
class Exported:
    """A checkpoint file for a witness: the checkpoint and the log's public key (raw, hex).

    A witness should pin the public key the first time and compare it afterwards; the copy in the file
    only says which key the log claims.
    """

    checkpoint: Checkpoint
    public_key: str


def export(checkpoint: Checkpoint, public_key: Ed25519PublicKey, path: Path) -> None:
    """Verify ``checkpoint`` and write it to ``path`` for a witness (atomically, replacing any old file)."""
    verify(checkpoint, public_key)
    text = json.dumps({"checkpoint": checkpoint.to_json(), "public_key": keys.public_bytes(public_key).hex()}, indent=2)
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with open(fd, "w", encoding="utf-8") as handle:
        handle.write(text + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    tmp.replace(path)
    fsync_dir(path.parent)


def load_export(path: Path, public_key: Ed25519PublicKey | None = None) -> Exported:
    """Read a witness file and verify its signature with ``public_key`` (the pinned key) or, failing that,
    the key the file names. Raises VerificationError for a malformed file or a bad signature.
    """
    try:
        obj = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise VerificationError(f"{path}: cannot read the checkpoint file: {exc}") from None
    if not isinstance(obj, dict) or not isinstance(obj.get("public_key"), str):
        raise VerificationError(f"{path}: expected an object with checkpoint and public_key")
    checkpoint = Checkpoint.from_json(obj.get("checkpoint"))
    named = keys.public_key_from_hex(obj["public_key"])
    verify(checkpoint, public_key if public_key is not None else named)
    return Exported(checkpoint, obj["public_key"])
