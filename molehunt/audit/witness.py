"""Witnessing: a second home (or machine) checks that a log only grows, cosigns what it checked and keeps a copy.

A witness takes the log's latest checkpoint either from an exported file (``audit checkpoint --export``, which
carries RFC 9162 consistency proofs from earlier sizes) or by reading the log's directory itself (a full verify
of a snapshot, then a consistency proof it computes from the entries). Either way it requires:

* the log's public key to be the one it pinned the first time (trust on first use, the key id is printed);
* the new checkpoint to extend the one it witnessed before: a smaller size is a rollback, the same size with
  another root a fork, a larger size needs a consistency proof from exactly the old size and root.

Then it cosigns with its own Ed25519 key (``HOME/keys/witness-ed25519.pem``) and keeps the cosigned checkpoint in
``HOME/witness/<log key id>.json``. ``audit verify --against`` accepts that file or the witness home itself, so a
log rolled back to before the witnessed checkpoint fails verification.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import tempfile
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from molehunt.audit import checkpoint as checkpoints
from molehunt.audit import framing, keys, merkle, state
from molehunt.audit.checkpoint import Checkpoint, load_export
from molehunt.audit.entries import TIME_RE, canonical_json, format_time
from molehunt.audit.errors import AuditError, VerificationError
from molehunt.audit.index import INDEX_FILE
from molehunt.audit.proofs import ConsistencyProof
from molehunt.audit.tree import MerkleTree
from molehunt.audit.verify import CHECKPOINTS_FILE, ENTRIES_FILE, read_checkpoints, verify_directory
from molehunt.clock import utc_now_aware

WITNESS_DIR = "witness"
WITNESS_KEY_FILE = "witness-ed25519.pem"
DOMAIN = b"molehunt audit cosignature v1\n"
_BUSY_RETRIES = 40  # x 50 ms, as for appends


@dataclass(frozen=True)
class Cosigned:
    """A checkpoint of the log with ``log_public_key`` as a witness checked it, and the witness's signature."""

    checkpoint: Checkpoint
    log_public_key: str
    witness_public_key: str
    time: str
    signature: bytes

    def signed_message(self) -> bytes:
        """Return the bytes the witness's signature covers."""
        body = {"checkpoint": self.checkpoint.to_json(), "log_public_key": self.log_public_key, "time": self.time}
        return DOMAIN + canonical_json(body)

    def to_json(self) -> dict[str, Any]:
        """Return the JSON kept in the witness's copy file."""
        return {
            "checkpoint": self.checkpoint.to_json(),
            "log_public_key": self.log_public_key,
            "witness_public_key": self.witness_public_key,
            "time": self.time,
            "signature": self.signature.hex(),
        }

    @classmethod
    def from_json(cls, obj: Any, where: Path) -> Cosigned:
        """Parse and check both signatures; VerificationError names ``where`` and the failed check."""
        fields = {"checkpoint", "log_public_key", "witness_public_key", "time", "signature"}
        if not isinstance(obj, dict) or set(obj) != fields:
            raise VerificationError(f"{where}: a witness copy must have exactly the fields {sorted(fields)}")
        try:
            signed = Checkpoint.from_json(obj["checkpoint"])
            log_key = keys.public_key_from_hex(str(obj["log_public_key"]))
            witness_key = keys.public_key_from_hex(str(obj["witness_public_key"]))
            if not isinstance(obj["time"], str) or not TIME_RE.fullmatch(obj["time"]):
                raise VerificationError("time is not YYYY-MM-DDTHH:MM:SS.ffffffZ")
            copy = cls(signed, obj["log_public_key"], obj["witness_public_key"], obj["time"], _sig(obj["signature"]))
            checkpoints.verify(signed, log_key)
            witness_key.verify(copy.signature, copy.signed_message())
        except VerificationError as exc:
            raise VerificationError(f"{where}: {exc}") from None
        except InvalidSignature:
            raise VerificationError(f"{where}: the witness's cosignature does not verify") from None
        return copy


def _sig(value: Any) -> bytes:
    if not isinstance(value, str) or len(value) != 128:
        raise VerificationError("signature is not 64 bytes of hex")
    try:
        return bytes.fromhex(value)
    except ValueError:
        raise VerificationError("signature is not 64 bytes of hex") from None


@dataclass(frozen=True)
class Witnessed:
    """The outcome of :func:`witness`: what was cosigned, what was witnessed before, where the copy is."""

    cosigned: Cosigned
    previous: Checkpoint | None
    proof_hashes: int
    copy: Path


def copy_path(witness_dir: Path, log_key_id: str) -> Path:
    """Where a witness keeps its copy for the log with ``log_key_id``."""
    return witness_dir / f"{log_key_id}.json"


def read_copy(path: Path) -> Cosigned | None:
    """The witness's copy at ``path``, None when there is none; VerificationError when it does not verify."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise VerificationError(f"{path}: cannot read the witness copy: {exc}") from None
    try:
        obj = json.loads(text)
    except json.JSONDecodeError as exc:
        raise VerificationError(f"{path}: line {exc.lineno}: not JSON: {exc.msg}") from None
    return Cosigned.from_json(obj, path)


def witness(source: Path, witness_dir: Path, keys_dir: Path) -> Witnessed:
    """Witness the latest checkpoint of the log at ``source`` (an exported file, a home or an audit directory).

    Raises VerificationError when the log's key is not the pinned one, its checkpoint does not verify, it does
    not extend the checkpoint witnessed before (rollback, fork, bad or missing consistency proof) or, read from a
    directory, the log itself does not verify; AuditError when ``source`` is neither a file nor a log.
    """
    tree: MerkleTree | None = None
    if source.is_dir():
        public_hex, latest, tree = _from_directory(source)
    elif source.is_file():
        exported = load_export(source)
        public_hex, latest = exported.public_key, exported.checkpoint
    else:
        raise AuditError(f"{source}: no such file or directory")
    log_key = keys.public_key_from_hex(public_hex)
    witness_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    path = copy_path(witness_dir, latest.key_id)
    before = read_copy(path)
    previous = None if before is None else before.checkpoint
    if before is not None and before.log_public_key != public_hex:
        raise VerificationError(f"{source}: the log's public key differs from the one pinned in {path}")
    if tree is None:
        proofs: tuple[ConsistencyProof, ...] = tuple(_export_proofs(source))
    elif previous is not None and previous.tree_size <= latest.tree_size:
        # computed here from the entries the witness read itself, not taken from the log's side
        old = previous.tree_size
        proofs = (ConsistencyProof(old, tree.root(old), tuple(tree.consistency_proof(old, latest.tree_size)), latest),)
    else:
        proofs = ()
    used = _check_extends(previous, latest, proofs, log_key, source)
    key = keys.load_or_create_key(keys_dir, WITNESS_KEY_FILE)
    cosigned = _cosign(key, latest, public_hex)
    _write_private(path, json.dumps(cosigned.to_json(), indent=2) + "\n")
    return Witnessed(cosigned, previous, used, path)


def _check_extends(
    previous: Checkpoint | None,
    latest: Checkpoint,
    proofs: Iterable[ConsistencyProof],
    log_key: Ed25519PublicKey,
    source: Path,
) -> int:
    """Check that ``latest`` extends ``previous``; return the number of hashes in the proof used."""
    checkpoints.verify(latest, log_key)
    if previous is None:
        return 0
    if latest.tree_size < previous.tree_size:
        raise VerificationError(
            f"{source}: rollback: the log's latest checkpoint has {latest.tree_size} entries, this witness"
            f" cosigned {previous.tree_size}"
        )
    if latest.tree_size == previous.tree_size:
        if latest.root_hash != previous.root_hash:
            raise VerificationError(f"{source}: fork: two different roots for {latest.tree_size} entries")
        return 0
    for proof in proofs:
        if proof.old_size != previous.tree_size or proof.checkpoint.to_bytes() != latest.to_bytes():
            continue
        if proof.old_root != previous.root_hash:
            raise VerificationError(
                f"{source}: the log does not extend the witnessed checkpoint: its first {previous.tree_size}"
                " entries have another root than the one witnessed (history rewritten)"
            )
        try:
            proof.verify(log_key, previous)
        except VerificationError as exc:
            raise VerificationError(f"{source}: the log does not extend the witnessed checkpoint: {exc}") from None
        return len(proof.consistency_path)
    raise VerificationError(
        f"{source}: no consistency proof from size {previous.tree_size} (the checkpoint this witness holds);"
        f" export with --since {previous.tree_size}, or witness from the log's directory"
    )


def _cosign(key: Ed25519PrivateKey, latest: Checkpoint, log_public_key: str) -> Cosigned:
    moment = format_time(utc_now_aware())
    public = keys.public_bytes(key.public_key()).hex()
    unsigned = Cosigned(latest, log_public_key, public, moment, b"")
    return Cosigned(latest, log_public_key, public, moment, key.sign(unsigned.signed_message()))


def _write_private(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.write(fd, text.encode())
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp, path)
    framing.fsync_dir(path.parent)


def _audit_dir(source: Path) -> Path:
    for candidate in (source, source / "audit"):
        if (candidate / ENTRIES_FILE).is_file():
            return candidate
    raise AuditError(f"{source}: no audit log here (expected {ENTRIES_FILE} in it or in its audit/ folder)")


@contextmanager
def _snapshot(audit_dir: Path) -> Iterator[Path]:
    """Copy the log's files under a shared lock (no writer mid-append), then read the copy at leisure."""
    fd = os.open(audit_dir / ENTRIES_FILE, os.O_RDONLY)
    try:
        for attempt in range(_BUSY_RETRIES + 1):
            try:
                fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if attempt == _BUSY_RETRIES:
                    raise AuditError(f"{audit_dir}: the audit log stayed busy; retry") from None
                time.sleep(0.05)
        with tempfile.TemporaryDirectory(prefix="witness-") as tmp:
            for name in (ENTRIES_FILE, CHECKPOINTS_FILE, state.STATE_FILE, INDEX_FILE):
                if (audit_dir / name).exists():
                    shutil.copyfile(audit_dir / name, Path(tmp) / name)
            fcntl.flock(fd, fcntl.LOCK_UN)
            yield Path(tmp)
    finally:
        os.close(fd)


def _from_directory(source: Path) -> tuple[str, Checkpoint, MerkleTree]:
    """Verify a snapshot of the log in full; return its public key, latest checkpoint and tree."""
    audit_dir = _audit_dir(source)
    with _snapshot(audit_dir) as copy:
        try:
            saved = state.load(copy)
        except VerificationError as exc:
            raise VerificationError(f"{audit_dir}: {exc}") from None
        if saved is None or saved.latest is None:
            raise AuditError(f"{audit_dir}: the log has no {state.STATE_FILE} or no checkpoint yet; append or open it")
        log_key = keys.public_key_from_hex(saved.public_key)
        report = verify_directory(copy, log_key)
        if not report.ok:
            raise VerificationError(f"{audit_dir}: the log does not verify: {report.problems[0].message}")
        records = framing.read(copy / ENTRIES_FILE).records
        tree = MerkleTree(merkle.leaf_hash(record) for record in records)
        latest = read_checkpoints(copy, log_key)[0][-1]
    return saved.public_key, latest, tree


def _export_proofs(path: Path) -> Iterator[ConsistencyProof]:
    try:
        obj = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise VerificationError(f"{path}: cannot read the checkpoint file: {exc}") from None
    found = obj.get("proofs", []) if isinstance(obj, dict) else []
    if not isinstance(found, list):
        raise VerificationError(f"{path}: proofs must be a list")
    for i, item in enumerate(found):
        try:
            yield ConsistencyProof.from_json(item)
        except VerificationError as exc:
            raise VerificationError(f"{path}: proofs[{i}]: {exc}") from None


def export(
    latest: Checkpoint, public_key: Ed25519PublicKey, tree: MerkleTree, path: Path, since: Iterable[int]
) -> None:
    """Write ``latest`` for a witness with consistency proofs from each size in ``since`` and from the checkpoint
    of an earlier export of this log at ``path`` (so a witness that took every export can always check the next).

    Raises AuditError for a size beyond ``latest``.
    """
    sizes = set(since)
    try:
        earlier = load_export(path, public_key).checkpoint
    except VerificationError:
        earlier = None  # nothing there, or another log's: nothing to carry on from
    if earlier is not None and earlier.tree_size <= latest.tree_size:
        sizes.add(earlier.tree_size)
    proofs = []
    for size in sorted(sizes):
        if not 0 <= size <= latest.tree_size:
            raise AuditError(f"--since {size}: the latest checkpoint covers {latest.tree_size} entries")
        path_hashes = tuple(tree.consistency_proof(size, latest.tree_size))
        proofs.append(ConsistencyProof(size, tree.root(size), path_hashes, latest).to_json())
    checkpoints.verify(latest, public_key)
    document = {"checkpoint": latest.to_json(), "public_key": keys.public_bytes(public_key).hex(), "proofs": proofs}
    _write_private(path, json.dumps(document, indent=2) + "\n")


def load_witnessed(path: Path, log_public_key: Ed25519PublicKey) -> Checkpoint:
    """The checkpoint to verify against, from an exported file, a witness's copy, or a witness home / its
    ``witness`` folder (the copy for this log's key). VerificationError when it cannot be read or does not verify.
    """
    key_id = keys.key_id(log_public_key)
    if path.is_dir():
        for folder in (path / WITNESS_DIR, path):
            copy = read_copy(copy_path(folder, key_id))
            if copy is not None:
                return copy.checkpoint
        raise VerificationError(f"{path}: this witness holds no checkpoint of the log with key {key_id}")
    try:
        obj = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise VerificationError(f"{path}: cannot read the checkpoint file: {exc}") from None
    if isinstance(obj, dict) and "witness_public_key" in obj:
        return Cosigned.from_json(obj, path).checkpoint
    return load_export(path).checkpoint
