"""Stable pseudonyms for people in analyst views: a keyed hash of the user id, so names stay hidden by default.

The key (home/keys/pseudonym.key) never leaves the machine; without it a pseudonym cannot be linked back to a user
by hashing guessed ids. Revealing a pseudonym goes through the web app or report, which record who asked and why.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from collections.abc import Iterable
from pathlib import Path

from molehunt.keyfiles import read_secret

KEY_FILE = "pseudonym.key"
PREFIX = "P-"
_LENGTH = 8  # base32 characters: 40 bits, collision-free in practice for organizations of up to ~100k people


class Pseudonyms:
    """Maps user ids to pseudonyms and, for ids it has seen, back."""

    def __init__(self, key: bytes) -> None:
        if len(key) < 16:
            raise ValueError("the pseudonym key must be at least 16 bytes")
        self._key = key
        self._known: dict[str, str] = {}

    @classmethod
    def for_keys_dir(cls, keys_dir: Path) -> Pseudonyms:
        """The pseudonyms of one home (key created on first use)."""
        _, key = read_secret(keys_dir, KEY_FILE, lambda: secrets.token_bytes(32))
        return cls(key)

    def of(self, user_id: str) -> str:
        """The pseudonym of `user_id`, e.g. P-K7QX2M4A (same id and key, same pseudonym)."""
        digest = hmac.new(self._key, user_id.encode(), hashlib.sha256).digest()
        name = PREFIX + base64.b32encode(digest).decode()[:_LENGTH]
        self._known[name] = user_id
        return name

    def learn(self, user_ids: Iterable[str]) -> None:
        """Remember these ids so their pseudonyms can be resolved back."""
        for user_id in user_ids:
            self.of(user_id)

    def resolve(self, pseudonym: str) -> str | None:
        """The user id behind a pseudonym seen or learnt before, else None."""
        return self._known.get(pseudonym)
