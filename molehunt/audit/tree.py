"""An append-only in-memory Merkle tree that caches complete subtree hashes level by level.

The cache is derived from the leaf hashes, never read from disk, so it cannot hide a change. With it the
root of any size and every proof cost O(log^2 n) hashes at most, well under a millisecond at a million
leaves.
"""

from __future__ import annotations

from collections.abc import Iterable

from molehunt.audit import merkle


class MerkleTree:
    """Leaf hashes plus ``levels[h][j]`` = hash of the perfect subtree of leaves ``[j * 2**h, (j + 1) * 2**h)``."""

    def __init__(self, leaves: Iterable[bytes] = ()) -> None:
        self._levels: list[list[bytes]] = [[]]
        for leaf in leaves:
            self.append(leaf)

    @property
    def size(self) -> int:
        """Number of leaves."""
        return len(self._levels[0])

    def leaf(self, index: int) -> bytes:
        """Return the leaf hash at ``index`` (IndexError outside the tree)."""
        return self._levels[0][index]

    def append(self, leaf: bytes) -> int:
        """Add a leaf hash and return its index."""
        index = self.size
        self._levels[0].append(leaf)
        h, j = 0, index
        while j & 1:
            level = self._levels[h]
            if h + 1 == len(self._levels):
                self._levels.append([])
            self._levels[h + 1].append(merkle.node_hash(level[j - 1], level[j]))
            h, j = h + 1, j >> 1
        return index

    def subtree(self, start: int, end: int) -> bytes:
        """Return MTH(D[start:end]) for a range the RFC recursion produces (``start`` aligned to its width).

        Fails with ValueError for an empty or out-of-range interval.
        """
        if not 0 <= start < end <= self.size:
            raise ValueError(f"no subtree [{start}, {end}) in a tree of size {self.size}")
        pieces: list[bytes] = []
        offset, remaining = start, end - start
        while remaining:
            h = remaining.bit_length() - 1
            if offset % (1 << h):
                return merkle.root(self._levels[0][start:end])  # unaligned: compute plainly
            pieces.append(self._levels[h][offset >> h])
            offset += 1 << h
            remaining -= 1 << h
        result = pieces.pop()
        while pieces:
            result = merkle.node_hash(pieces.pop(), result)
        return result

    def root(self, size: int | None = None) -> bytes:
        """Return the root hash of the first ``size`` leaves (all leaves by default)."""
        size = self.size if size is None else size
        return merkle.EMPTY_ROOT if size == 0 else self.subtree(0, size)

    def inclusion_proof(self, index: int, size: int | None = None) -> list[bytes]:
        """Return the RFC 9162 inclusion proof of leaf ``index`` in the tree of ``size`` leaves."""
        size = self.size if size is None else size
        if size > self.size:
            raise ValueError(f"tree has {self.size} leaves, not {size}")
        return merkle.inclusion_path(index, size, self.subtree)

    def consistency_proof(self, old_size: int, new_size: int | None = None) -> list[bytes]:
        """Return the RFC 9162 consistency proof from ``old_size`` to ``new_size`` leaves."""
        new_size = self.size if new_size is None else new_size
        if new_size > self.size:
            raise ValueError(f"tree has {self.size} leaves, not {new_size}")
        return merkle.consistency_path(old_size, new_size, self.subtree)
