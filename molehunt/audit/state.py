"""The writer's state beside the log (``frontier.json``): what lets an append skip re-reading the whole log.

It holds the Merkle frontier (:mod:`molehunt.audit.frontier`) of the entries, where the entries and checkpoints
files end, the last entry's offset and leaf hash, the latest checkpoint and the log's public key, as canonical
JSON. The writer rewrites it after each checkpoint and checks it cheaply on open (:func:`matches_tail`: file sizes,
the last records, and the frontier's root against the signed latest checkpoint); anything else makes the writer
rebuild it from the log. Verification never relies on it: it recomputes everything from the entries and then
requires the file to describe the log or an earlier state of it (a crash can leave it behind, never ahead), so a
changed byte in it is reported like one in the entries.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from molehunt.audit import checkpoint as checkpoints
from molehunt.audit import framing, frontier, keys, merkle
from molehunt.audit.checkpoint import Checkpoint
from molehunt.audit.entries import canonical_json
from molehunt.audit.errors import VerificationError
from molehunt.audit.tree import MerkleTree

STATE_FILE = "frontier.json"
VERSION = 1
_FIELDS = (
    "checkpoints",
    "checkpoints_bytes",
    "entries_bytes",
    "frontier",
    "last_leaf",
    "last_offset",
    "latest",
    "public_key",
    "size",
    "version",
)
_HASH = re.compile(r"[0-9a-f]{64}")


@dataclass(frozen=True)
class State:
    """The log as its writer last left it after a checkpoint: ``size`` entries ending at byte ``entries_bytes``."""

    size: int
    frontier: tuple[bytes, ...]
    entries_bytes: int
    last_offset: int | None
    last_leaf: bytes | None
    checkpoints: int
    checkpoints_bytes: int
    latest: Checkpoint | None
    public_key: str

    def to_bytes(self) -> bytes:
        """Return the canonical JSON stored in ``frontier.json``."""
        return canonical_json(
            {
                "checkpoints": self.checkpoints,
                "checkpoints_bytes": self.checkpoints_bytes,
                "entries_bytes": self.entries_bytes,
                "frontier": [node.hex() for node in self.frontier],
                "last_leaf": None if self.last_leaf is None else self.last_leaf.hex(),
                "last_offset": self.last_offset,
                "latest": None if self.latest is None else self.latest.to_json(),
                "public_key": self.public_key,
                "size": self.size,
                "version": VERSION,
            }
        )

    @classmethod
    def from_bytes(cls, data: bytes) -> State:
        """Parse the stored bytes; VerificationError unless they are canonical and self-consistent."""
        try:
            obj = json.loads(data.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise VerificationError(f"{STATE_FILE} is not UTF-8 JSON: {exc}") from None
        if not isinstance(obj, dict) or tuple(sorted(obj)) != _FIELDS or obj["version"] != VERSION:
            raise VerificationError(f"{STATE_FILE} must be a version {VERSION} object with the fields {_FIELDS}")
        size, offset = _count(obj["size"], "size"), obj["last_offset"]
        nodes = obj["frontier"]
        if not isinstance(nodes, list) or len(nodes) != size.bit_count():
            raise VerificationError(f"{STATE_FILE}: a tree of {size} entries has {size.bit_count()} frontier nodes")
        empty = size == 0
        if (offset is None) != empty or (obj["last_leaf"] is None) != empty:
            raise VerificationError(f"{STATE_FILE}: last_offset and last_leaf must be null exactly when size is 0")
        state = cls(
            size,
            tuple(_hash(node, "frontier") for node in nodes),
            _count(obj["entries_bytes"], "entries_bytes"),
            None if offset is None else _count(offset, "last_offset"),
            None if obj["last_leaf"] is None else _hash(obj["last_leaf"], "last_leaf"),
            _count(obj["checkpoints"], "checkpoints"),
            _count(obj["checkpoints_bytes"], "checkpoints_bytes"),
            None if obj["latest"] is None else Checkpoint.from_json(obj["latest"]),
            obj["public_key"] if isinstance(obj["public_key"], str) else "",
        )
        if state.to_bytes() != data:
            raise VerificationError(f"{STATE_FILE} is not in canonical form")
        return state


def _count(value: Any, name: str) -> int:
    if type(value) is not int or value < 0:
        raise VerificationError(f"{STATE_FILE}: {name} {value!r} is not a non-negative integer")
    return value


def _hash(value: Any, name: str) -> bytes:
    if not isinstance(value, str) or not _HASH.fullmatch(value):
        raise VerificationError(f"{STATE_FILE}: {name} holds something that is not a lowercase hex SHA-256")
    return bytes.fromhex(value)


def load(directory: Path) -> State | None:
    """Return the stored state, None when there is none; VerificationError when it cannot be parsed."""
    try:
        data = (directory / STATE_FILE).read_bytes()
    except FileNotFoundError:
        return None
    return State.from_bytes(data)


def save(directory: Path, state: State) -> None:
    """Replace the state atomically (0600, fsynced): a reader sees the old file or the new one, never a mix."""
    path = directory / STATE_FILE
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.write(fd, state.to_bytes())
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp, path)  # no directory fsync: a lost rename leaves the older state, which only costs a rebuild


def _read_at(path: Path, offset: int, length: int) -> bytes:
    with open(path, "rb") as handle:
        handle.seek(offset)
        return handle.read(length)


def matches_tail(directory: Path, state: State, key: Ed25519PublicKey, entries: Path, checkpoints_path: Path) -> bool:
    """The cheap check on open: True when the files end where the state says, with the records it names, and the
    frontier's root is the one the (signature-checked) latest checkpoint signed. Reads a few hundred bytes."""
    try:
        if entries.stat().st_size != state.entries_bytes or checkpoints_path.stat().st_size != state.checkpoints_bytes:
            return False
    except FileNotFoundError:
        return False
    if state.public_key != keys.public_bytes(key).hex() or state.latest is None:
        return False
    latest = state.latest
    if latest.tree_size != state.size or frontier.root(state.frontier) != latest.root_hash:
        return False  # entries the state's checkpoint does not cover: only a full read can vouch for the frontier
    try:
        checkpoints.verify(latest, key)
    except VerificationError:
        return False
    record = latest.to_bytes()
    framed = framing.frame([record])
    if _read_at(checkpoints_path, state.checkpoints_bytes - len(framed), len(framed)) != framed:
        return False
    if state.last_offset is None or state.last_leaf is None:
        return state.size == 0 and state.entries_bytes == 0
    tail = _read_at(entries, state.last_offset, state.entries_bytes - state.last_offset)
    if len(tail) < framing.PREFIX or int.from_bytes(tail[: framing.PREFIX], "big") != len(tail) - framing.PREFIX:
        return False
    return merkle.leaf_hash(tail[framing.PREFIX :]) == state.last_leaf


def frontier_at(tree: MerkleTree, size: int) -> tuple[bytes, ...]:
    """Return the frontier of the first ``size`` leaves of ``tree`` (each perfect subtree is cached there)."""
    nodes, start = [], 0
    for bit in reversed(range(size.bit_length())):
        if size >> bit & 1:
            nodes.append(tree.subtree(start, start + (1 << bit)))
            start += 1 << bit
    return tuple(nodes)


def ahead(state: State, entries: int, checkpoint_count: int) -> str | None:
    """Why ``state`` is ahead of a log of ``entries`` entries and ``checkpoint_count`` checkpoints, or None."""
    if state.size > entries or state.checkpoints > checkpoint_count:
        return (
            f"{STATE_FILE} records {state.size} entries and {state.checkpoints} checkpoints, the log has"
            f" {entries} and {checkpoint_count}: it was truncated or rolled back"
        )
    return None


def disagreement(
    state: State,
    key: Ed25519PublicKey,
    tree: MerkleTree,
    entries: framing.Scan,
    checkpoint_records: framing.Scan,
    signed: list[Checkpoint],
) -> str | None:
    """Why ``state`` describes neither the log read from disk nor an earlier state of it, or None when it does.

    ``signed`` are the checkpoints that parsed and verified, in file order. A state ahead of the log (more entries
    or checkpoints than are present) means the log was truncated or rolled back.
    """
    if state.public_key != keys.public_bytes(key).hex():
        return f"{STATE_FILE} names another public key than this log's"
    behind = ahead(state, tree.size, len(checkpoint_records.records))
    if behind is not None:
        return behind
    if state.frontier != frontier_at(tree, state.size):
        return f"{STATE_FILE}: the frontier of {state.size} entries differs from the one the entries give"
    ends = [*entries.offsets, entries.tail_offset]
    if state.entries_bytes != ends[state.size]:
        return f"{STATE_FILE}: entries_bytes {state.entries_bytes} is not where entry {state.size} starts"
    if state.size and (state.last_offset != ends[state.size - 1] or state.last_leaf != tree.leaf(state.size - 1)):
        return f"{STATE_FILE}: the last entry it names is not entry {state.size - 1}"
    cp_ends = [*checkpoint_records.offsets, checkpoint_records.tail_offset]
    if state.checkpoints_bytes != cp_ends[state.checkpoints]:
        return f"{STATE_FILE}: checkpoints_bytes {state.checkpoints_bytes} is not the end of its checkpoints"
    wanted = None if state.checkpoints == 0 else checkpoint_records.records[state.checkpoints - 1]
    if (None if state.latest is None else state.latest.to_bytes()) != wanted:
        return f"{STATE_FILE}: its latest checkpoint is not checkpoint {state.checkpoints - 1} of the log"
    if state.latest is not None and state.checkpoints > len(signed):
        return f"{STATE_FILE}: its latest checkpoint is not a valid checkpoint of the log"
    return None


def of_tree(
    tree: MerkleTree, entries: framing.Scan, checkpoint_records: framing.Scan, latest: Checkpoint | None, public: str
) -> State:
    """Return the state of a log read whole from disk (its records complete and clean)."""
    size = tree.size
    return State(
        size,
        frontier_at(tree, size),
        entries.tail_offset,
        entries.offsets[-1] if size else None,
        tree.leaf(size - 1) if size else None,
        len(checkpoint_records.records),
        checkpoint_records.tail_offset,
        latest,
        public,
    )
