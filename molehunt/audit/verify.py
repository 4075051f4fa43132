"""Whole-log verification: re-read both files from disk and check every byte against the checkpoints.

What is checked, in order: the entries file's framing (an incomplete tail is reported, never counted),
each entry's canonical form and ``seq``, each checkpoint's framing, canonical form and signature, that
checkpoint sizes never shrink and never exceed the entries present, that each checkpoint's root equals
the root recomputed from the entries, that the writer's state file (``frontier.json``, when present) describes
the log or an earlier state of it, and, given a witnessed checkpoint, an RFC 9162 consistency proof from it to
the latest checkpoint. Entries after the latest checkpoint are only structurally checked (reported as
``uncovered``; the log signs them at the end of each write burst, so at rest there are none). Rolling the whole
directory back to an earlier state is detectable only against a witnessed checkpoint
(:mod:`molehunt.audit.witness`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from molehunt.audit import checkpoint as checkpoints
from molehunt.audit import framing, index, merkle, state
from molehunt.audit.checkpoint import Checkpoint
from molehunt.audit.entries import Entry
from molehunt.audit.errors import VerificationError
from molehunt.audit.tree import MerkleTree

ENTRIES_FILE = "entries.log"
CHECKPOINTS_FILE = "checkpoints.log"


@dataclass(frozen=True)
class Problem:
    """One failed check. ``first_entry`` is the first entry the failure leaves unproven, if it concerns entries."""

    kind: str
    message: str
    first_entry: int | None = None


@dataclass(frozen=True)
class Report:
    """The outcome of :func:`verify_directory`.

    ``verified_size`` entries are proven by the largest checkpoint whose root matched; ``uncovered`` entries
    follow it. ``first_bad_entry`` is the first entry not proven intact: exact when the damage is in one
    entry's bytes or framing, otherwise the start of the smallest checkpoint interval that disagrees (the
    damage lies in ``[first_bad_entry, next checkpoint size)``).
    """

    entries: int
    checkpoints: int
    verified_size: int
    tail_bytes: int
    problems: tuple[Problem, ...]

    @property
    def ok(self) -> bool:
        """True when no check failed (uncovered entries alone do not fail verification)."""
        return not self.problems

    @property
    def uncovered(self) -> int:
        """Entries after the largest verified checkpoint."""
        return self.entries - self.verified_size

    @property
    def first_bad_entry(self) -> int | None:
        """The first entry not proven intact, or None when no problem concerns entries."""
        firsts = [p.first_entry for p in self.problems if p.first_entry is not None]
        return min(firsts) if firsts else None


def scan_entries(directory: Path) -> tuple[framing.Scan, list[Problem]]:
    """Read the entries file; return its scan and the framing problems found."""
    scan = framing.read(directory / ENTRIES_FILE)
    problems: list[Problem] = []
    n = len(scan.records)
    if scan.corrupt is not None:
        problems.append(Problem("framing", f"{ENTRIES_FILE}: {scan.corrupt}", n))
    elif scan.torn:
        tail = scan.file_size - scan.tail_offset
        problems.append(
            Problem("incomplete-tail", f"{ENTRIES_FILE}: {tail} bytes after entry {n - 1} are an incomplete write", n)
        )
    return scan, problems


def read_checkpoints(directory: Path, public_key: Ed25519PublicKey) -> tuple[list[Checkpoint], list[Problem]]:
    """Read and signature-check the checkpoints file; stop at the first damaged checkpoint."""
    return _checkpoints_of(framing.read(directory / CHECKPOINTS_FILE), public_key)


def _checkpoints_of(scan: framing.Scan, public_key: Ed25519PublicKey) -> tuple[list[Checkpoint], list[Problem]]:
    found: list[Checkpoint] = []
    problems: list[Problem] = []
    for i, data in enumerate(scan.records):
        try:
            signed = Checkpoint.from_bytes(data)
            checkpoints.verify(signed, public_key)
        except VerificationError as exc:
            problems.append(Problem("checkpoint", f"{CHECKPOINTS_FILE} record {i}: {exc}"))
            return found, problems
        found.append(signed)
    if scan.corrupt is not None:
        problems.append(Problem("checkpoint", f"{CHECKPOINTS_FILE}: {scan.corrupt}"))
    elif scan.torn:
        problems.append(Problem("checkpoint", f"{CHECKPOINTS_FILE}: incomplete write after record {len(found)}"))
    return found, problems


def verify_directory(directory: Path, public_key: Ed25519PublicKey, against: Checkpoint | None = None) -> Report:
    """Verify the log in ``directory`` with the log's ``public_key``, optionally against a witnessed checkpoint.

    Never raises for damage: every failed check becomes a :class:`Problem` in the report.
    """
    scan, problems = scan_entries(directory)
    tree = MerkleTree(merkle.leaf_hash(record) for record in scan.records)
    for i, record in enumerate(scan.records):
        try:
            Entry.from_bytes(record, expected_seq=i)
        except VerificationError as exc:
            problems.append(Problem("entry", str(exc), i))
            break  # later entries are unproven anyway; the first is the one to name
    cp_scan = framing.read(directory / CHECKPOINTS_FILE)
    signed, checkpoint_problems = _checkpoints_of(cp_scan, public_key)
    problems += checkpoint_problems
    verified = _check_roots(tree, signed, problems)
    _check_state(directory, public_key, tree, scan, cp_scan, signed, problems)
    if against is not None:
        _check_witness(tree, against, signed, public_key, problems)
    tail = scan.file_size - scan.tail_offset
    return Report(tree.size, len(signed), verified, tail, tuple(problems))


def _check_roots(tree: MerkleTree, signed: list[Checkpoint], problems: list[Problem]) -> int:
    verified, previous = 0, 0
    for i, cp in enumerate(signed):
        if cp.tree_size < previous:
            problems.append(Problem("checkpoint", f"checkpoint {i} shrinks the log to {cp.tree_size} entries"))
            continue
        previous = cp.tree_size
        if cp.tree_size > tree.size:
            message = f"checkpoint {i} covers {cp.tree_size} entries but only {tree.size} are present"
            problems.append(Problem("missing-entries", message, tree.size))
        elif tree.root(cp.tree_size) != cp.root_hash:
            message = f"entries {verified}..{cp.tree_size - 1} do not match checkpoint {i} (size {cp.tree_size})"
            problems.append(Problem("root-mismatch", message, verified))
        else:
            verified = max(verified, cp.tree_size)
    return verified


def _check_state(
    directory: Path,
    key: Ed25519PublicKey,
    tree: MerkleTree,
    scan: framing.Scan,
    cp_scan: framing.Scan,
    signed: list[Checkpoint],
    problems: list[Problem],
) -> None:
    if not problems:
        wrong_index = index.disagreement(directory, scan.offsets)
        if wrong_index is not None:
            problems.append(Problem("state", wrong_index))
    try:
        saved = state.load(directory)
    except VerificationError as exc:
        problems.append(Problem("state", str(exc)))
        return
    if saved is None:
        return
    if problems:  # the state then differs from the damaged files anyway: only say if it remembers a longer log
        wrong = state.ahead(saved, tree.size, len(cp_scan.records))
    else:
        wrong = state.disagreement(saved, key, tree, scan, cp_scan, signed)
    if wrong is not None:
        problems.append(Problem("state", wrong))


def _check_witness(
    tree: MerkleTree, witnessed: Checkpoint, signed: list[Checkpoint], key: Ed25519PublicKey, problems: list[Problem]
) -> None:
    try:
        checkpoints.verify(witnessed, key)
    except VerificationError as exc:
        problems.append(Problem("witness", f"witnessed checkpoint: {exc}"))
        return
    if witnessed.tree_size > tree.size:
        message = f"witnessed checkpoint covers {witnessed.tree_size} entries but only {tree.size} are present"
        problems.append(Problem("witness", message, tree.size))
        return
    latest = signed[-1] if signed else None
    new_size = (
        latest.tree_size if latest is not None and witnessed.tree_size <= latest.tree_size <= tree.size else tree.size
    )
    try:
        proof = tree.consistency_proof(witnessed.tree_size, new_size)
        merkle.verify_consistency(witnessed.tree_size, new_size, witnessed.root_hash, tree.root(new_size), proof)
    except VerificationError as exc:
        problems.append(Problem("witness", f"the log does not extend the witnessed checkpoint: {exc}", 0))
