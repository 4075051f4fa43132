"""RFC 6962 / 9162 Merkle hashing and proofs: published vectors, a naive reference, known verifier bugs."""

from __future__ import annotations

import hashlib

import pytest

from molehunt.audit import merkle
from molehunt.audit.merkle import VerificationError
from molehunt.audit.tree import MerkleTree

# certificate-transparency / transparency-dev test data: the leaves and the root for each size 0..8.
CT_LEAVES = [
    bytes.fromhex(h)
    for h in ["", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f"]
]
CT_ROOTS = [
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]
CT_INCLUSION = {
    (0, 8): [
        "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
    ],
    (5, 8): [
        "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    ],
}
CT_HASHES = [merkle.leaf_hash(leaf) for leaf in CT_LEAVES]


# An independent transcription of the RFC 9162 §2.1 definitions, recursion and all, used as the reference.
def _h(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def _k(n: int) -> int:
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def naive_mth(d: list[bytes]) -> bytes:
    if not d:
        return _h(b"")
    if len(d) == 1:
        return _h(b"\x00" + d[0])
    k = _k(len(d))
    return _h(b"\x01" + naive_mth(d[:k]) + naive_mth(d[k:]))


def naive_path(m: int, d: list[bytes]) -> list[bytes]:
    if len(d) == 1:
        return []
    k = _k(len(d))
    if m < k:
        return [*naive_path(m, d[:k]), naive_mth(d[k:])]
    return [*naive_path(m - k, d[k:]), naive_mth(d[:k])]


def naive_subproof(m: int, d: list[bytes], b: bool) -> list[bytes]:
    if m == len(d):
        return [] if b else [naive_mth(d)]
    k = _k(len(d))
    if m <= k:
        return [*naive_subproof(m, d[:k], b), naive_mth(d[k:])]
    return [*naive_subproof(m - k, d[k:], False), naive_mth(d[:k])]


DATA = [f"entry {i}".encode() for i in range(33)]
HASHES = [merkle.leaf_hash(d) for d in DATA]
TREE = MerkleTree(HASHES)


def test_published_roots_for_sizes_0_to_8() -> None:
    for n in range(9):
        assert merkle.root(CT_HASHES[:n]).hex() == CT_ROOTS[n]
        assert MerkleTree(CT_HASHES[:n]).root().hex() == CT_ROOTS[n]
        assert naive_mth(CT_LEAVES[:n]).hex() == CT_ROOTS[n]


def test_published_inclusion_proofs() -> None:
    tree = MerkleTree(CT_HASHES)
    for (index, size), expected in CT_INCLUSION.items():
        path = tree.inclusion_proof(index, size)
        assert [p.hex() for p in path] == expected
        merkle.verify_inclusion(CT_HASHES[index], index, size, path, bytes.fromhex(CT_ROOTS[size]))


def test_leaf_and_node_hash_prefixes() -> None:
    assert merkle.leaf_hash(b"") == _h(b"\x00")
    assert merkle.node_hash(b"a" * 32, b"b" * 32) == _h(b"\x01" + b"a" * 32 + b"b" * 32)


@pytest.mark.parametrize("size", range(1, 34))
def test_inclusion_round_trip_matches_the_rfc_definition(size: int) -> None:
    root = TREE.root(size)
    assert root == naive_mth(DATA[:size]) == merkle.root(HASHES[:size])
    for index in range(size):
        path = TREE.inclusion_proof(index, size)
        assert path == naive_path(index, DATA[:size]) == merkle.inclusion_proof(HASHES[:size], index)
        merkle.verify_inclusion(HASHES[index], index, size, path, root)
        with pytest.raises(VerificationError):
            merkle.verify_inclusion(HASHES[index], index, size, [*path, root], root)
        if path:
            with pytest.raises(VerificationError):
                merkle.verify_inclusion(HASHES[index], index, size, path[:-1], root)
            with pytest.raises(VerificationError):
                merkle.verify_inclusion(HASHES[index], index ^ 1 if index ^ 1 < size else index - 1, size, path, root)


@pytest.mark.parametrize("new", range(1, 34))
def test_consistency_round_trip_matches_the_rfc_definition(new: int) -> None:
    new_root = TREE.root(new)
    for old in range(1, new + 1):
        old_root = TREE.root(old)
        path = TREE.consistency_proof(old, new)
        expected = [] if old == new else naive_subproof(old, DATA[:new], True)
        assert path == expected == merkle.consistency_proof(HASHES[:new], old)
        merkle.verify_consistency(old, new, old_root, new_root, path)
        if old < new:
            with pytest.raises(VerificationError):
                merkle.verify_consistency(old, new, new_root, new_root, path)
            with pytest.raises(VerificationError):
                merkle.verify_consistency(old, new, old_root, old_root, path)
            for i in range(len(path)):
                bad = list(path)
                bad[i] = _h(bad[i])
                with pytest.raises(VerificationError):
                    merkle.verify_consistency(old, new, old_root, new_root, bad)


def test_consistency_proof_rejected_for_any_other_second_size() -> None:
    """Known bug: verifiers that accept a proof for the wrong second size.

    Each size is paired with its own root, as a signed checkpoint pairs them. (A root claimed for a size it
    does not belong to can verify when both tree shapes fold alike; a signer never signs such a pair.)
    """
    for old in range(1, 33):
        for new in range(old + 1, 34):
            path = TREE.consistency_proof(old, new)
            for other in range(old, 34):
                if other != new:
                    with pytest.raises(VerificationError):
                        merkle.verify_consistency(old, other, TREE.root(old), TREE.root(other), path)


def test_inclusion_proof_for_index_at_or_past_size_is_rejected() -> None:
    """Known bug: accepting a leaf index >= tree size (e.g. the last leaf's proof reused one index later)."""
    for size in range(1, 34):
        root = TREE.root(size)
        path = TREE.inclusion_proof(size - 1, size)
        for index in (size, size + 1, 2 * size):
            with pytest.raises(VerificationError, match="outside"):
                merkle.verify_inclusion(HASHES[size - 1], index, size, path, root)
        with pytest.raises(ValueError, match="outside"):
            TREE.inclusion_proof(size, size)


def test_empty_consistency_proof_from_size_1_to_size_2_is_rejected() -> None:
    """Known bug: an empty proof accepted between different sizes."""
    with pytest.raises(VerificationError, match="empty"):
        merkle.verify_consistency(1, 2, TREE.root(1), TREE.root(2), [])
    with pytest.raises(VerificationError):
        merkle.verify_consistency(1, 2, TREE.root(1), TREE.root(1), [])


def test_edge_sizes() -> None:
    merkle.verify_inclusion(HASHES[0], 0, 1, [], TREE.root(1))
    with pytest.raises(VerificationError):
        merkle.verify_inclusion(HASHES[0], 0, 0, [], merkle.EMPTY_ROOT)
    merkle.verify_consistency(0, 5, merkle.EMPTY_ROOT, TREE.root(5), [])
    merkle.verify_consistency(3, 3, TREE.root(3), TREE.root(3), [])
    with pytest.raises(VerificationError):
        merkle.verify_consistency(3, 3, TREE.root(3), TREE.root(4), [])
    with pytest.raises(VerificationError):
        merkle.verify_consistency(4, 3, TREE.root(4), TREE.root(3), TREE.consistency_proof(3, 4))
    with pytest.raises(VerificationError, match="bytes"):
        merkle.verify_inclusion(HASHES[0][:31], 0, 1, [], TREE.root(1))
