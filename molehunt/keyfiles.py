"""Secret files under the home's keys/ directory: created once, private to the owner, checked on every read.

Used by the audit log (its Ed25519 signing key) and the vault (its AES key). Secrets never appear in messages.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from pathlib import Path

from molehunt.errors import MolehuntError


def read_secret(
    keys_dir: Path, name: str, generate: Callable[[], bytes], error: type[MolehuntError] = MolehuntError
) -> tuple[Path, bytes]:
    """The bytes of keys_dir/name, created from generate() with mode 0600 (directory 0700) if missing.

    Raises `error` when the file can be read by group or others (with the chmod that fixes it).
    """
    keys_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    path = keys_dir / name
    if not path.exists():
        _create(path, generate())
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        raise error(f"{path}: key file mode is {mode:o}; run `chmod 600 {path}` and retry")
    return path, path.read_bytes()


def _create(path: Path, secret: bytes) -> None:
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return  # another process created it first; use theirs
    try:
        os.write(fd, secret)
        os.fsync(fd)
    finally:
        os.close(fd)
