"""The audit log: an append-only directory of two record files, a Merkle tree over them, and a signing key.

Directory layout (see :mod:`molehunt.audit.framing` for the record format)::

    entries.log       length-prefixed canonical entries (molehunt.audit.entries), entry i is leaf i
    checkpoints.log   length-prefixed canonical signed checkpoints (molehunt.audit.checkpoint)

The signing key lives in a separate keys directory (molehunt.audit.keys). An append returns only after
the entries are fsynced. After a crash mid-append the entries file ends in an incomplete tail; such a
log opens (so it can be verified) but refuses to append until it is reopened with
``truncate_incomplete_tail=True``, which cuts incomplete tails off the entries and checkpoints files.
The choice is explicit because an unexpected tail might also be evidence of tampering, and truncating
destroys it. A log whose entries or checkpoints are otherwise damaged never accepts appends.
"""

from __future__ import annotations

import fcntl
import os
import threading
import time
from collections.abc import Iterable
from pathlib import Path
from types import TracebackType

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from molehunt.audit import checkpoint as checkpoints
from molehunt.audit import framing, keys, merkle
from molehunt.audit.checkpoint import Checkpoint
from molehunt.audit.entries import Entry, NewEntry
from molehunt.audit.errors import AuditError, VerificationError
from molehunt.audit.proofs import ConsistencyProof, InclusionProof
from molehunt.audit.tree import MerkleTree
from molehunt.audit.verify import CHECKPOINTS_FILE, ENTRIES_FILE, Report, read_checkpoints, verify_directory


class AuditLog:
    """An open audit log. Use :meth:`open`; one writer at a time (an exclusive lock is held until close)."""

    def __init__(
        self,
        directory: Path,
        key: Ed25519PrivateKey,
        tree: MerkleTree,
        offsets: list[int],
        signed: list[Checkpoint],
        damage: str | None,
        lock_fd: int,
    ) -> None:
        self.directory = directory
        self._key = key
        self._tree = tree
        self._offsets = offsets
        self._checkpoints = signed
        self._damage = damage
        self._lock_fd = lock_fd

    @classmethod
    def open(cls, directory: Path, keys_dir: Path, *, truncate_incomplete_tail: bool = False) -> AuditLog:
        """Open (creating if needed) the log in ``directory`` with the key in ``keys_dir``.

        Raises AuditError when another process holds the log open, the key is unusable, or
        ``truncate_incomplete_tail`` is asked for a tail that is not an incomplete write.
        """
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        key = keys.load_or_create_key(keys_dir)
        entries_path = directory / ENTRIES_FILE
        lock_fd = os.open(entries_path, os.O_RDONLY | os.O_CREAT, 0o644)
        try:
            fcntl.flock(lock_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(lock_fd)
            raise AuditError(f"{directory}: the audit log is open in another process") from None
        try:
            return cls._load(directory, key, lock_fd, truncate_incomplete_tail)
        except BaseException:
            os.close(lock_fd)
            raise

    @classmethod
    def _load(cls, directory: Path, key: Ed25519PrivateKey, lock_fd: int, truncate: bool) -> AuditLog:
        entries_path = directory / ENTRIES_FILE
        if truncate:
            for path in (entries_path, directory / CHECKPOINTS_FILE):
                torn = framing.read(path)
                if torn.torn:
                    framing.truncate_durably(path, torn.tail_offset)
        scan = framing.read(entries_path)
        damage: str | None = None
        if scan.corrupt is not None:
            damage = f"{entries_path}: {scan.corrupt}"
        elif scan.torn:
            damage = (
                f"{entries_path} ends in an incomplete write of {scan.file_size - scan.tail_offset} bytes;"
                " verify the log, then reopen with truncate_incomplete_tail=True to drop it"
            )
        tree = MerkleTree(merkle.leaf_hash(record) for record in scan.records)
        signed, problems = read_checkpoints(directory, key.public_key())
        if problems and damage is None:
            damage = problems[0].message
        if signed and damage is None:
            latest = signed[-1]
            if latest.tree_size > tree.size or tree.root(latest.tree_size) != latest.root_hash:
                damage = f"the entries do not match the latest checkpoint (size {latest.tree_size}); run verify"
        return cls(directory, key, tree, scan.offsets, signed, damage, lock_fd)

    def close(self) -> None:
        """Release the lock; the object must not be used afterwards."""
        if self._lock_fd >= 0:
            os.close(self._lock_fd)
            self._lock_fd = -1

    def __enter__(self) -> AuditLog:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, value: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()

    @property
    def size(self) -> int:
        """Number of complete entries."""
        return self._tree.size

    @property
    def public_key(self) -> Ed25519PublicKey:
        """The key that verifies this log's checkpoints."""
        return self._key.public_key()

    @property
    def latest_checkpoint(self) -> Checkpoint | None:
        """The newest checkpoint, or None before the first."""
        return self._checkpoints[-1] if self._checkpoints else None

    @property
    def damage(self) -> str | None:
        """Why appends are refused, or None for a healthy log."""
        return self._damage

    def append(self, new: NewEntry) -> int:
        """Append one entry durably and return its index. See :meth:`append_many` for failures."""
        return self.append_many([new])[0]

    def append_many(self, news: Iterable[NewEntry]) -> list[int]:
        """Append entries with one write and one fsync; return their indexes.

        Raises AuditError if the log is damaged (see :attr:`damage`) and ValueError for an entry that cannot
        be encoded; nothing is written then. An OSError during the write leaves the log marked damaged.
        """
        if self._damage is not None:
            raise AuditError(f"refusing to append: {self._damage}")
        start = self.size
        made = [Entry.create(start + i, new) for i, new in enumerate(news)]
        data = framing.frame(entry.canonical for entry in made)
        position = os.fstat(self._lock_fd).st_size
        try:
            framing.append_durably(self.directory / ENTRIES_FILE, data)
        except OSError as exc:
            self._damage = f"an append failed ({exc}); reopen the log"
            raise
        for entry in made:
            self._offsets.append(position)
            position += framing.PREFIX + len(entry.canonical)
            self._tree.append(merkle.leaf_hash(entry.canonical))
        return list(range(start, self.size))

    def entry(self, index: int) -> Entry:
        """Read entry ``index`` back from disk; IndexError outside the log, VerificationError if it changed."""
        if not 0 <= index < self.size:
            raise IndexError(f"no entry {index} in a log of {self.size}")
        with open(self.directory / ENTRIES_FILE, "rb") as handle:
            handle.seek(self._offsets[index])
            length = int.from_bytes(handle.read(framing.PREFIX), "big")
            data = handle.read(length)
        if merkle.leaf_hash(data) != self._tree.leaf(index):
            raise VerificationError(f"entry {index} changed on disk since the log was opened")
        return Entry.from_bytes(data, expected_seq=index)

    def checkpoint(self) -> Checkpoint:
        """Sign the current tree, append the checkpoint durably and return it; AuditError if damaged."""
        if self._damage is not None:
            raise AuditError(f"refusing to checkpoint: {self._damage}")
        signed = checkpoints.sign(self._key, self.size, self._tree.root())
        framing.append_durably(self.directory / CHECKPOINTS_FILE, framing.frame([signed.to_bytes()]))
        self._checkpoints.append(signed)
        return signed

    def prove(self, index: int) -> InclusionProof:
        """Return the inclusion proof of entry ``index`` under the latest checkpoint.

        Raises AuditError when the entry is not covered by a checkpoint yet (call :meth:`checkpoint`).
        """
        latest = self.latest_checkpoint
        if latest is None or not 0 <= index < latest.tree_size:
            covered = 0 if latest is None else latest.tree_size
            raise AuditError(f"entry {index} is not covered by a checkpoint ({covered} entries are); checkpoint first")
        path = self._tree.inclusion_proof(index, latest.tree_size)
        return InclusionProof(index, self._tree.leaf(index), tuple(path), latest)

    def prove_consistency(self, witnessed: Checkpoint) -> ConsistencyProof:
        """Return a proof that the latest checkpoint extends ``witnessed``.

        Raises VerificationError when ``witnessed`` is not a valid checkpoint of this log's key, and AuditError
        when it is newer than the latest checkpoint.
        """
        checkpoints.verify(witnessed, self.public_key)
        latest = self.latest_checkpoint
        if latest is None or witnessed.tree_size > latest.tree_size:
            raise AuditError("the witnessed checkpoint is newer than this log's latest checkpoint")
        path = self._tree.consistency_proof(witnessed.tree_size, latest.tree_size)
        return ConsistencyProof(witnessed.tree_size, witnessed.root_hash, tuple(path), latest)

    def export_checkpoint(self, path: Path) -> Checkpoint:
        """Write the latest checkpoint to ``path`` for a witness; AuditError when there is none yet."""
        latest = self.latest_checkpoint
        if latest is None:
            raise AuditError("no checkpoint to export; call checkpoint() first")
        checkpoints.export(latest, self.public_key, path)
        return latest

    def verify(self, against: Checkpoint | None = None) -> Report:
        """Re-read the files and verify everything (see :func:`molehunt.audit.verify.verify_directory`)."""
        return verify_directory(self.directory, self.public_key, against)


_APPEND_LOCK = threading.Lock()
_BUSY_RETRIES = 40  # x 50 ms: how long to wait for another process's append to finish


def append_entry(directory: Path, keys_dir: Path, entry: NewEntry) -> int:
    """Open the log, append one entry durably, close it; returns the entry's index.

    Threads of one process take turns (the log allows one open writer), and a log held by another process is
    retried for about two seconds before AuditError is raised.
    """
    with _APPEND_LOCK:
        for attempt in range(_BUSY_RETRIES + 1):
            try:
                log = AuditLog.open(directory, keys_dir)
            except AuditError as exc:
                if "open in another process" not in str(exc) or attempt == _BUSY_RETRIES:
                    raise
                time.sleep(0.05)
                continue
            with log:
                return log.append(entry)
    raise AssertionError("unreachable")
