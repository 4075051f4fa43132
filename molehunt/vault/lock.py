"""One vault operation at a time per home, across the threads of a server and separate CLI processes.

A vault operation is a decision, the rate count it rests on, the audit entry and the event: they must be one
step, or concurrent requests all see the same count (the limit breaks) and race on the store (conflicts). The lock
is an ``fcntl`` lock on ``HOME/vault/lock`` (processes) behind a per-home thread lock (threads of one process share
a file description table, and taking turns in-process first keeps the file lock fair). It is re-entrant per
thread, so a CLI command can hold it around opening the store while the operation inside takes it again.
"""

from __future__ import annotations

import fcntl
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from molehunt.vault.errors import VaultError

LOCK_FILE = "lock"
WAIT_SECONDS = 60.0  # a queue of 100 reads takes a few seconds; beyond a minute something is stuck
_POLL_SECONDS = 0.01

_guard = threading.Lock()
_thread_locks: dict[Path, threading.Lock] = {}
_held = threading.local()


def vault_dir(root: Path) -> Path:
    """HOME/vault, created private."""
    path = root / "vault"
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


@contextmanager
def home_lock(root: Path, *, wait: float = WAIT_SECONDS) -> Iterator[None]:
    """Hold the vault lock of the home at ``root``; VaultError when it stays busy for ``wait`` seconds."""
    key = root.resolve()
    depths: dict[Path, int] = _held.__dict__.setdefault("depths", {})
    if depths.get(key, 0):
        depths[key] += 1
        try:
            yield
        finally:
            depths[key] -= 1
        return
    with _guard:
        in_process = _thread_locks.setdefault(key, threading.Lock())
    if not in_process.acquire(timeout=wait):
        raise VaultError(f"the vault of {root} stayed busy for {wait:.0f} s; try again")
    try:
        fd = _lock_file(key, wait)
        depths[key] = 1
        try:
            yield
        finally:
            depths[key] = 0
            os.close(fd)  # closing the descriptor releases the fcntl lock
    finally:
        in_process.release()


def _lock_file(root: Path, wait: float) -> int:
    path = vault_dir(root) / LOCK_FILE
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    deadline = time.monotonic() + wait
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return fd
        except BlockingIOError:
            if time.monotonic() >= deadline:
                os.close(fd)
                busy = f"the vault of {root} stayed busy for {wait:.0f} s (held through {path}); try again"
                raise VaultError(busy) from None
            time.sleep(_POLL_SECONDS)
