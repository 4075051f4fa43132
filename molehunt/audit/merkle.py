"""RFC 6962 / RFC 9162 Merkle tree hashing, proofs and their verification, as pure functions.

Hashes are raw 32-byte SHA-256 digests. A tree of ``n`` leaves splits at ``k``, the largest power of two
smaller than ``n`` (RFC 9162 §2.1.1). Proof generation is written once over a ``subtree`` callable that
returns MTH(D[start:end]); :func:`inclusion_proof` and :func:`consistency_proof` feed it from a plain list
of leaf hashes, :class:`molehunt.audit.tree.MerkleTree` from its cached levels.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence

from molehunt.audit.errors import VerificationError

__all__ = [
    "EMPTY_ROOT",
    "HASH_SIZE",
    "VerificationError",
    "consistency_path",
    "consistency_proof",
    "inclusion_path",
    "inclusion_proof",
    "leaf_hash",
    "node_hash",
    "root",
    "verify_consistency",
    "verify_inclusion",
]

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()

SubtreeRoot = Callable[[int, int], bytes]


def leaf_hash(data: bytes) -> bytes:
    """Return SHA-256(0x00 || data), the RFC 6962 leaf hash."""
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """Return SHA-256(0x01 || left || right), the RFC 6962 interior node hash."""
    return hashlib.sha256(b"\x01" + left + right).digest()


def split(n: int) -> int:
    """Return the largest power of two smaller than ``n`` (``n`` >= 2)."""
    return 1 << ((n - 1).bit_length() - 1)


def root(leaves: Sequence[bytes]) -> bytes:
    """Return MTH of a list of leaf hashes; the empty tree's root is SHA-256 of the empty string.

    Hashing level by level, carrying an unpaired last node up unchanged, gives the same root as the RFC's
    split at the largest power of two.
    """
    if not leaves:
        return EMPTY_ROOT
    level = list(leaves)
    while len(level) > 1:
        paired = [node_hash(level[i], level[i + 1]) for i in range(0, len(level) - 1, 2)]
        if len(level) % 2:
            paired.append(level[-1])
        level = paired
    return level[0]


def inclusion_path(index: int, size: int, subtree: SubtreeRoot) -> list[bytes]:
    """Return PATH(index, D[0:size]) (RFC 9162 §2.1.3.1), leaf-side sibling first.

    Fails with ValueError unless ``0 <= index < size``.
    """
    if not 0 <= index < size:
        raise ValueError(f"leaf index {index} is outside a tree of size {size}")
    path: list[bytes] = []
    start, end = 0, size
    # Walk from the root down, collecting siblings; the RFC lists them from the leaf up.
    while end - start > 1:
        k = split(end - start)
        if index - start < k:
            path.append(subtree(start + k, end))
            end = start + k
        else:
            path.append(subtree(start, start + k))
            start += k
    path.reverse()
    return path


def consistency_path(old_size: int, new_size: int, subtree: SubtreeRoot) -> list[bytes]:
    """Return PROOF(old_size, D[0:new_size]) (RFC 9162 §2.1.4.1); empty when old_size is 0 or new_size.

    Fails with ValueError unless ``0 <= old_size <= new_size``.
    """
    if not 0 <= old_size <= new_size:
        raise ValueError(f"no consistency proof from size {old_size} to size {new_size}")
    if old_size in (0, new_size):
        return []
    path: list[bytes] = []
    start, end, complete = 0, new_size, True
    m = old_size
    while m != end - start:
        k = split(end - start)
        if m <= k:
            path.append(subtree(start + k, end))
            end = start + k
        else:
            path.append(subtree(start, start + k))
            m -= k
            start += k
            complete = False
    if not complete:
        path.append(subtree(start, end))
    path.reverse()
    return path


def _naive_subtree(leaves: Sequence[bytes]) -> SubtreeRoot:
    return lambda start, end: root(leaves[start:end])


def inclusion_proof(leaves: Sequence[bytes], index: int) -> list[bytes]:
    """Return the inclusion proof of leaf ``index`` in the tree of all ``leaves`` (leaf hashes)."""
    return inclusion_path(index, len(leaves), _naive_subtree(leaves))


def consistency_proof(leaves: Sequence[bytes], old_size: int) -> list[bytes]:
    """Return the consistency proof from the first ``old_size`` leaves to all ``leaves`` (leaf hashes)."""
    return consistency_path(old_size, len(leaves), _naive_subtree(leaves))


def _check_hashes(*hashes: bytes) -> None:
    for h in hashes:
        if len(h) != HASH_SIZE:
            raise VerificationError(f"a hash has {len(h)} bytes, expected {HASH_SIZE}")


def verify_inclusion(leaf: bytes, index: int, size: int, path: Sequence[bytes], expected_root: bytes) -> None:
    """Check that leaf hash ``leaf`` sits at ``index`` of the tree of ``size`` with ``expected_root``.

    RFC 9162 §2.1.3.2. Raises VerificationError when ``index >= size``, the path is too short or too long,
    or the computed root differs.
    """
    _check_hashes(leaf, expected_root, *path)
    if not 0 <= index < size:
        raise VerificationError(f"leaf index {index} is outside a tree of size {size}")
    fn, sn, r = index, size - 1, leaf
    for p in path:
        if sn == 0:
            raise VerificationError("inclusion proof is longer than the tree is deep")
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise VerificationError("inclusion proof is shorter than the tree is deep")
    if r != expected_root:
        raise VerificationError(f"inclusion proof for leaf {index} does not lead to the root of size {size}")


def verify_consistency(old_size: int, new_size: int, old_root: bytes, new_root: bytes, path: Sequence[bytes]) -> None:
    """Check that the tree of ``new_size`` with ``new_root`` extends the tree of ``old_size`` with ``old_root``.

    RFC 9162 §2.1.4.2. Equal sizes need equal roots and an empty proof; any tree extends the empty tree.
    Raises VerificationError when the sizes are out of order, the proof has the wrong length (including
    an empty proof between different sizes), or either computed root differs.
    """
    _check_hashes(old_root, new_root, *path)
    if not 0 <= old_size <= new_size:
        raise VerificationError(f"size {new_size} cannot extend size {old_size}")
    if old_size == new_size:
        if path:
            raise VerificationError("consistency proof between equal sizes must be empty")
        if old_root != new_root:
            raise VerificationError(f"two different roots for the same size {old_size}")
        return
    if old_size == 0:
        if path:
            raise VerificationError("consistency proof from the empty tree must be empty")
        return
    if not path:
        raise VerificationError(f"empty consistency proof from size {old_size} to size {new_size}")
    nodes = list(path)
    if old_size & (old_size - 1) == 0:
        nodes.insert(0, old_root)
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = nodes[0]
    for c in nodes[1:]:
        if sn == 0:
            raise VerificationError("consistency proof is longer than the trees need")
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise VerificationError("consistency proof is shorter than the trees need")
    if fr != old_root:
        raise VerificationError(f"consistency proof does not lead to the root of size {old_size}")
    if sr != new_root:
        raise VerificationError(f"consistency proof does not lead to the root of size {new_size}")
