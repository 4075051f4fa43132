"""The log's Ed25519 signing key: created on first use as a 0600 PEM file in the keys directory.

The key never leaves this module except as a key object; no message includes key material.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from molehunt.audit.errors import AuditError, VerificationError
from molehunt.keyfiles import read_secret

KEY_FILE = "audit-ed25519.pem"


def load_or_create_key(keys_dir: Path, name: str = KEY_FILE) -> Ed25519PrivateKey:
    """Return the signing key ``name`` in ``keys_dir``, creating the directory (0700) and key (0600) if missing.

    Raises AuditError when the key file is readable by group or others, or is not an Ed25519 PEM key.
    """
    path, pem = read_secret(keys_dir, name, _new_pem, AuditError)
    try:
        key = serialization.load_pem_private_key(pem, password=None)
    except ValueError:
        raise AuditError(f"{path}: not a readable PEM private key") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise AuditError(f"{path}: the audit key must be Ed25519")
    return key


def _new_pem() -> bytes:
    return Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def public_bytes(key: Ed25519PublicKey) -> bytes:
    """Return the raw 32-byte public key."""
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def key_id(key: Ed25519PublicKey) -> str:
    """Return the key id: the first 8 bytes of SHA-256(raw public key), in hex."""
    return hashlib.sha256(public_bytes(key)).hexdigest()[:16]


def public_key_from_hex(text: str) -> Ed25519PublicKey:
    """Parse a raw public key in hex; VerificationError if it is not 32 bytes of hex."""
    try:
        raw = bytes.fromhex(text)
        return Ed25519PublicKey.from_public_bytes(raw)
    except ValueError:
        raise VerificationError("public key must be 64 hex digits (a raw Ed25519 key)") from None
