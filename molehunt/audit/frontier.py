"""The Merkle frontier (compact range [0, n)): the roots of the perfect subtrees that make up a tree of n leaves.

A tree of ``n`` leaves is, left to right, one perfect subtree per set bit of ``n``, largest first; keeping their
roots is enough to append a leaf in amortized O(1) hashes and to compute the RFC 9162 root in O(log n), without
the leaves themselves. This is what lets an append stay constant-time whatever the size of the log.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from molehunt.audit import merkle


def append(nodes: list[bytes], size: int, leaf: bytes) -> None:
    """Add ``leaf`` to the frontier ``nodes`` of a tree of ``size`` leaves, in place (merging equal subtrees)."""
    node, n = leaf, size
    while n & 1:  # each trailing one bit is a subtree of the new leaf's height: merge with it
        node = merkle.node_hash(nodes.pop(), node)
        n >>= 1
    nodes.append(node)


def extend(nodes: Sequence[bytes], size: int, leaves: Iterable[bytes]) -> tuple[list[bytes], int]:
    """Return the frontier and size after appending ``leaves``; the input is not changed."""
    out = list(nodes)
    for leaf in leaves:
        append(out, size, leaf)
        size += 1
    return out, size


def root(nodes: Sequence[bytes]) -> bytes:
    """Return MTH of the tree the frontier describes (the empty tree's root for no nodes)."""
    if not nodes:
        return merkle.EMPTY_ROOT
    result = nodes[-1]
    for node in reversed(nodes[:-1]):
        result = merkle.node_hash(node, result)
    return result


def of(leaves: Iterable[bytes]) -> tuple[list[bytes], int]:
    """Return the frontier and size of the tree over ``leaves`` (leaf hashes)."""
    return extend([], 0, leaves)
