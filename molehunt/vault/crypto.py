"""Documents at rest: AES-256-GCM, one random nonce per blob, the document id bound as associated data.

Blob format: ``MHV1`` magic, 12-byte nonce, ciphertext with the 16-byte tag. The key comes from the environment
(``MOLEHUNT_VAULT_KEY``, 64 hex digits) or from ``keys/vault.key`` (32 random bytes, created 0600 on first use).
The key never leaves this module except as bytes handed to AESGCM, and no message includes it.
"""

from __future__ import annotations

import os
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from molehunt.keyfiles import read_secret
from molehunt.vault.errors import VaultError, VaultIntegrityError

KEY_ENV = "MOLEHUNT_VAULT_KEY"
KEY_FILE = "vault.key"
KEY_BYTES = 32
NONCE_BYTES = 12
MAGIC = b"MHV1"


def load_or_create_key(keys_dir: Path) -> bytes:
    """The vault key from $MOLEHUNT_VAULT_KEY, else ``keys_dir/vault.key`` (created 0600 when missing).

    Raises VaultError when the variable is not 64 hex digits, or the file has the wrong size or a mode that lets
    group or others read it.
    """
    from_env = os.environ.get(KEY_ENV)
    if from_env is not None:
        try:
            key = bytes.fromhex(from_env.strip())
        except ValueError:
            raise VaultError(f"${KEY_ENV} must be {KEY_BYTES * 2} hex digits") from None
        if len(key) != KEY_BYTES:
            raise VaultError(f"${KEY_ENV} must be {KEY_BYTES * 2} hex digits")
        return key
    path, key = read_secret(keys_dir, KEY_FILE, lambda: os.urandom(KEY_BYTES), VaultError)
    if len(key) != KEY_BYTES:
        raise VaultError(f"{path}: a vault key is {KEY_BYTES} bytes, this file has {len(key)}")
    return key


def _associated_data(doc_id: str) -> bytes:
    return MAGIC + b"\x00" + doc_id.encode()


def seal(key: bytes, doc_id: str, plaintext: bytes) -> bytes:
    """Encrypt ``plaintext`` for document ``doc_id``; the blob opens only under the same key and id."""
    nonce = os.urandom(NONCE_BYTES)
    return MAGIC + nonce + AESGCM(key).encrypt(nonce, plaintext, _associated_data(doc_id))


def open_blob(key: bytes, doc_id: str, blob: bytes) -> bytes:
    """Decrypt a blob made by :func:`seal`; VaultIntegrityError when it was altered, moved or the key differs."""
    if len(blob) < len(MAGIC) + NONCE_BYTES + 16 or not blob.startswith(MAGIC):
        raise VaultIntegrityError(f"document {doc_id}: the stored blob is not a vault blob (truncated or replaced)")
    nonce = blob[len(MAGIC) : len(MAGIC) + NONCE_BYTES]
    try:
        return AESGCM(key).decrypt(nonce, blob[len(MAGIC) + NONCE_BYTES :], _associated_data(doc_id))
    except InvalidTag:
        raise VaultIntegrityError(
            f"document {doc_id}: the stored blob failed authentication (altered, moved from another document, "
            "or encrypted under another key)"
        ) from None
