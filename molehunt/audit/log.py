"""The audit log: an append-only directory of two record files, a Merkle tree over them, and a signing key.

Directory layout (see :mod:`molehunt.audit.framing` for the record format)::

    entries.log       length-prefixed canonical entries (molehunt.audit.entries), entry i is leaf i
    checkpoints.log   length-prefixed canonical signed checkpoints (molehunt.audit.checkpoint)
    frontier.json     the writer's state: Merkle frontier, file ends, latest checkpoint (molehunt.audit.state)

The signing key lives in a separate keys directory (molehunt.audit.keys). An append returns only after
the entries are fsynced, and costs the same whatever the size of the log: the writer keeps the Merkle frontier,
checked cheaply on open against the signed latest checkpoint and rebuilt from the whole log when it is missing
or does not match (a crash mid-burst). The full tree is read only for proofs and :meth:`AuditLog.entry`.

The log checkpoints itself, with no background thread: :meth:`AuditLog.close` signs the entries the writer
appended (so every burst, one ``append_entry`` included, ends covered), and an append signs when the latest
checkpoint is older than :data:`CHECKPOINT_EVERY` (a writer that stays open is covered at least every minute).

After a crash mid-append the entries file ends in an incomplete tail; such a log opens (so it can be verified)
but refuses to append until it is reopened with ``truncate_incomplete_tail=True``, which cuts incomplete tails
off the entries and checkpoints files. The choice is explicit because an unexpected tail might also be evidence
of tampering, and truncating destroys it. A log whose entries, checkpoints or state file are otherwise damaged
never accepts appends (a state file that describes neither the log nor an earlier state of it is kept as
evidence: verify reports it; remove it to have it rebuilt).
"""

from __future__ import annotations

import fcntl
import os
import threading
import time
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from types import TracebackType

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from molehunt.audit import checkpoint as checkpoints
from molehunt.audit import framing, frontier, index, keys, merkle, state, witness
from molehunt.audit.checkpoint import Checkpoint
from molehunt.audit.entries import Entry, NewEntry
from molehunt.audit.errors import AuditError, VerificationError
from molehunt.audit.proofs import ConsistencyProof, InclusionProof
from molehunt.audit.tree import MerkleTree
from molehunt.audit.verify import CHECKPOINTS_FILE, ENTRIES_FILE, Report, read_checkpoints, verify_directory
from molehunt.clock import utc_now_aware

CHECKPOINT_EVERY = timedelta(seconds=60)


class AuditLog:
    """An open audit log. Use :meth:`open`; one writer at a time (an exclusive lock is held until close)."""

    def __init__(self, directory: Path, key: Ed25519PrivateKey, current: state.State, lock_fd: int) -> None:
        self.directory = directory
        self.checkpoint_on_close = True
        self._key = key
        self._state = current  # size, frontier and file ends as of now (saved to disk at each checkpoint)
        self._frontier = list(current.frontier)
        self._damage: str | None = None
        self._lock_fd = lock_fd
        self._tree: MerkleTree | None = None  # the full tree, read from disk only when a proof or entry needs it
        self._offsets: list[int] = []

    @classmethod
    def open(
        cls,
        directory: Path,
        keys_dir: Path,
        *,
        truncate_incomplete_tail: bool = False,
        checkpoint_on_close: bool = True,
    ) -> AuditLog:
        """Open (creating if needed) the log in ``directory`` with the key in ``keys_dir``.

        ``checkpoint_on_close=False`` is for readers (verify, showing an entry): closing then signs nothing, so
        entries a crash left uncovered stay reported as such. Raises AuditError when another process holds the log
        open, the key is unusable, or ``truncate_incomplete_tail`` is asked for a tail that is not an incomplete
        write.
        """
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        key = keys.load_or_create_key(keys_dir)
        entries_path = directory / ENTRIES_FILE
        lock_fd = os.open(entries_path, os.O_RDONLY | os.O_CREAT, 0o600)
        try:
            fcntl.flock(lock_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(lock_fd)
            raise AuditError(f"{directory}: the audit log is open in another process") from None
        try:
            log = cls._load(directory, key, lock_fd, truncate_incomplete_tail)
            log.checkpoint_on_close = checkpoint_on_close
            return log
        except BaseException:
            os.close(lock_fd)
            raise

    @classmethod
    def _load(cls, directory: Path, key: Ed25519PrivateKey, lock_fd: int, truncate: bool) -> AuditLog:
        entries_path, checkpoints_path = directory / ENTRIES_FILE, directory / CHECKPOINTS_FILE
        public = key.public_key()
        saved: state.State | None = None
        unreadable: str | None = None
        try:
            saved = state.load(directory)
        except VerificationError as exc:
            unreadable = str(exc)
        if (
            not truncate
            and saved is not None
            and state.matches_tail(directory, saved, public, entries_path, checkpoints_path)
            and index.count(directory) == saved.size
            and (saved.size == 0 or index.offset(directory, saved.size - 1) == saved.last_offset)
        ):
            return cls(directory, key, saved, lock_fd)
        if truncate:
            for path in (entries_path, checkpoints_path):
                torn = framing.read(path)
                if torn.torn:
                    framing.truncate_durably(path, torn.tail_offset)
        return cls._rebuild(directory, key, lock_fd, saved, unreadable)

    @classmethod
    def _rebuild(
        cls, directory: Path, key: Ed25519PrivateKey, lock_fd: int, saved: state.State | None, unreadable: str | None
    ) -> AuditLog:
        """Read the whole log (no state, or one that does not match the files' ends) and derive the state."""
        entries_path = directory / ENTRIES_FILE
        public = key.public_key()
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
        cp_scan = framing.read(directory / CHECKPOINTS_FILE)
        signed, problems = read_checkpoints(directory, public)
        if problems and damage is None:
            damage = problems[0].message
        if signed and damage is None:
            latest = signed[-1]
            if latest.tree_size > tree.size or tree.root(latest.tree_size) != latest.root_hash:
                damage = f"the entries do not match the latest checkpoint (size {latest.tree_size}); run verify"
        if damage is None and unreadable is not None:
            damage = f"{unreadable}; run verify, then remove it to have it rebuilt"
        if damage is None and saved is not None:
            wrong = state.disagreement(saved, public, tree, scan, cp_scan, signed)
            if wrong is not None:
                damage = f"{wrong}; run verify, then remove it to have it rebuilt"
        if damage is None:
            wrong = index.disagreement(directory, scan.offsets)
            if wrong is not None:
                damage = f"{wrong}; run verify, then remove it to have it rebuilt"
            elif index.count(directory) != len(scan.offsets):
                index.rewrite(directory, scan.offsets)  # short after a crash: complete it
        public_hex = keys.public_bytes(public).hex()
        current = state.of_tree(tree, scan, cp_scan, signed[-1] if signed else None, public_hex)
        log = cls(directory, key, current, lock_fd)
        log._tree, log._offsets, log._damage = tree, list(scan.offsets), damage
        if damage is None and signed and signed[-1].tree_size == tree.size:
            state.save(directory, current)  # the next open is cheap again
        return log

    def close(self) -> None:
        """Sign the entries not covered yet (the end of this writer's burst), then release the lock.

        The object must not be used afterwards. A damaged log, or one opened with ``checkpoint_on_close=False``,
        is closed without signing.
        """
        if self._lock_fd < 0:
            return
        try:
            if self.checkpoint_on_close and self._damage is None and self.uncovered:
                self.checkpoint()
        finally:
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
        return self._state.size

    @property
    def uncovered(self) -> int:
        """Entries after the latest checkpoint."""
        latest = self._state.latest
        return self.size - (0 if latest is None else latest.tree_size)

    @property
    def public_key(self) -> Ed25519PublicKey:
        """The key that verifies this log's checkpoints."""
        return self._key.public_key()

    @property
    def latest_checkpoint(self) -> Checkpoint | None:
        """The newest checkpoint, or None before the first."""
        return self._state.latest

    @property
    def damage(self) -> str | None:
        """Why appends are refused, or None for a healthy log."""
        return self._damage

    def append(self, new: NewEntry) -> int:
        """Append one entry durably and return its index. See :meth:`append_many` for failures."""
        return self.append_many([new])[0]

    def append_many(self, news: Iterable[NewEntry]) -> list[int]:
        """Append entries with one write and one fsync; return their indexes.

        Costs O(entries appended), not O(log size). Signs a checkpoint too when the latest is older than
        :data:`CHECKPOINT_EVERY` (or there is none). Raises AuditError if the log is damaged (see :attr:`damage`)
        and ValueError for an entry that cannot be encoded; nothing is written then. An OSError during the write
        leaves the log marked damaged.
        """
        if self._damage is not None:
            raise AuditError(f"refusing to append: {self._damage}")
        start = self.size
        made = [Entry.create(start + i, new) for i, new in enumerate(news)]
        data = framing.frame(entry.canonical for entry in made)
        position, size, last_offset, last_leaf = self._state.entries_bytes, start, None, None
        offsets = []
        try:
            framing.append_durably(self.directory / ENTRIES_FILE, data)
            for entry in made:
                offsets.append(position)
                position += framing.PREFIX + len(entry.canonical)
            index.append(self.directory, offsets)
        except OSError as exc:
            self._damage = f"an append failed ({exc}); reopen the log"
            raise
        for entry, offset in zip(made, offsets, strict=True):
            leaf = merkle.leaf_hash(entry.canonical)
            frontier.append(self._frontier, size, leaf)
            if self._tree is not None:
                self._tree.append(leaf)
                self._offsets.append(offset)
            last_offset, last_leaf = offset, leaf
            size += 1
        if made:
            self._state = state.State(
                size,
                tuple(self._frontier),
                position,
                last_offset,
                last_leaf,
                self._state.checkpoints,
                self._state.checkpoints_bytes,
                self._state.latest,
                self._state.public_key,
            )
            if self._checkpoint_due():
                self.checkpoint()
        return list(range(start, self.size))

    def _checkpoint_due(self) -> bool:
        latest = self._state.latest
        if latest is None:
            return True
        signed_at = datetime.strptime(latest.time, "%Y-%m-%dT%H:%M:%S.%f%z")
        return utc_now_aware() - signed_at >= CHECKPOINT_EVERY

    def _full_tree(self) -> MerkleTree:
        """The whole tree, read from disk once; VerificationError when the entries no longer give the frontier."""
        if self._tree is None:
            scan = framing.read(self.directory / ENTRIES_FILE)
            tree = MerkleTree(merkle.leaf_hash(record) for record in scan.records[: self.size])
            if tree.size != self.size or tree.root() != frontier.root(self._frontier):
                raise VerificationError("the entries on disk differ from the ones this log signed; run verify")
            self._tree, self._offsets = tree, scan.offsets[: self.size]
        return self._tree

    def entry(self, seq: int) -> Entry:
        """Read entry ``seq`` back from disk (two small reads through ``entries.idx``).

        Raises IndexError outside the log and VerificationError when the bytes found there are not entry ``seq``
        or, once the full tree has been read (by a proof), not the ones it hashed. Only verify proves an entry.
        """
        if not 0 <= seq < self.size:
            raise IndexError(f"no entry {seq} in a log of {self.size}")
        position = index.offset(self.directory, seq) if self._tree is None else None
        if position is None:
            self._full_tree()
            position = self._offsets[seq]
        with open(self.directory / ENTRIES_FILE, "rb") as handle:
            handle.seek(position)
            length = int.from_bytes(handle.read(framing.PREFIX), "big")
            data = handle.read(min(length, framing.MAX_RECORD))
        if self._tree is not None and merkle.leaf_hash(data) != self._tree.leaf(seq):
            raise VerificationError(f"entry {seq} changed on disk since the log was read")
        return Entry.from_bytes(data, expected_seq=seq)

    def checkpoint(self) -> Checkpoint:
        """Sign the current tree, append the checkpoint durably, save the state and return the checkpoint.

        Raises AuditError if the log is damaged.
        """
        if self._damage is not None:
            raise AuditError(f"refusing to checkpoint: {self._damage}")
        signed = checkpoints.sign(self._key, self.size, frontier.root(self._frontier))
        record = framing.frame([signed.to_bytes()])
        framing.append_durably(self.directory / CHECKPOINTS_FILE, record)
        old = self._state
        self._state = state.State(
            old.size,
            old.frontier,
            old.entries_bytes,
            old.last_offset,
            old.last_leaf,
            old.checkpoints + 1,
            old.checkpoints_bytes + len(record),
            signed,
            keys.public_bytes(self.public_key).hex(),
        )
        state.save(self.directory, self._state)
        return signed

    def prove(self, index: int) -> InclusionProof:
        """Return the inclusion proof of entry ``index`` under the latest checkpoint.

        Raises AuditError when the entry is not covered by a checkpoint yet (call :meth:`checkpoint`).
        """
        latest = self.latest_checkpoint
        if latest is None or not 0 <= index < latest.tree_size:
            covered = 0 if latest is None else latest.tree_size
            raise AuditError(f"entry {index} is not covered by a checkpoint ({covered} entries are); checkpoint first")
        tree = self._full_tree()
        path = tree.inclusion_proof(index, latest.tree_size)
        return InclusionProof(index, tree.leaf(index), tuple(path), latest)

    def prove_consistency(self, witnessed: Checkpoint) -> ConsistencyProof:
        """Return a proof that the latest checkpoint extends ``witnessed``.

        Raises VerificationError when ``witnessed`` is not a valid checkpoint of this log's key, and AuditError
        when it is newer than the latest checkpoint.
        """
        checkpoints.verify(witnessed, self.public_key)
        latest = self.latest_checkpoint
        if latest is None or witnessed.tree_size > latest.tree_size:
            raise AuditError("the witnessed checkpoint is newer than this log's latest checkpoint")
        path = self._full_tree().consistency_proof(witnessed.tree_size, latest.tree_size)
        return ConsistencyProof(witnessed.tree_size, witnessed.root_hash, tuple(path), latest)

    def export_checkpoint(self, path: Path, since: Iterable[int] = ()) -> Checkpoint:
        """Write the latest checkpoint to ``path`` for a witness, with consistency proofs from each size in
        ``since`` and from an earlier export at ``path`` (see :func:`molehunt.audit.witness.export`).

        Raises AuditError when there is no checkpoint yet or a size is beyond it.
        """
        latest = self.latest_checkpoint
        if latest is None:
            raise AuditError("no checkpoint to export; call checkpoint() first")
        witness.export(latest, self.public_key, self._full_tree(), path, since)
        return latest

    def verify(self, against: Checkpoint | None = None) -> Report:
        """Re-read the files and verify everything (see :func:`molehunt.audit.verify.verify_directory`)."""
        return verify_directory(self.directory, self.public_key, against)


_APPEND_LOCK = threading.Lock()
_BUSY_RETRIES = 40  # x 50 ms: how long to wait for another process's append to finish


def append_entry(directory: Path, keys_dir: Path, entry: NewEntry) -> int:
    """Open the log, append one entry durably, close it; returns the entry's index (see append_entries)."""
    return append_entries(directory, keys_dir, [entry])[0]


def append_entries(directory: Path, keys_dir: Path, entries: Sequence[NewEntry]) -> list[int]:
    """Open the log, append the entries with one write and one fsync, close it (signing one checkpoint over them);
    returns their indexes.

    Threads of one process take turns (the log allows one open writer), and a log held by another process is
    retried for about two seconds before AuditError is raised.
    """
    with _APPEND_LOCK, open_waiting(directory, keys_dir) as log:
        return log.append_many(entries)


def open_waiting(directory: Path, keys_dir: Path, *, checkpoint_on_close: bool = True) -> AuditLog:
    """AuditLog.open, tried again for about two seconds while another process holds the log (an append holds it
    for milliseconds); AuditError after that, or at once for any other reason."""
    for attempt in range(_BUSY_RETRIES + 1):
        try:
            return AuditLog.open(directory, keys_dir, checkpoint_on_close=checkpoint_on_close)
        except AuditError as exc:
            if "open in another process" not in str(exc) or attempt == _BUSY_RETRIES:
                raise
            time.sleep(0.05)
    raise AssertionError("unreachable")
