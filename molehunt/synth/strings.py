"""Bulk string building: fixed-width byte matrices and Arrow compute instead of per-row Python.

A column of N strings is built either as an (N, width) uint8 matrix turned into an Arrow string array
without copying per row, or by Arrow's element-wise joins and takes over small vocabularies.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

ALNUM = np.frombuffer(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", dtype=np.uint8)


def fixed_width(mat: np.ndarray) -> pa.Array:
    """(N, W) uint8 ASCII matrix -> Arrow string array of N strings of width W."""
    n, w = mat.shape
    data = np.ascontiguousarray(mat, dtype=np.uint8).tobytes()
    offsets = np.arange(0, (n + 1) * w, w, dtype=np.int32) if w else np.zeros(n + 1, dtype=np.int32)
    return pa.Array.from_buffers(pa.string(), n, [None, pa.py_buffer(offsets), pa.py_buffer(data)])


def ascii_matrix(values: Sequence[str], width: int) -> np.ndarray:
    """Equal-width strings -> (N, width) uint8 matrix (used for user ids and PC names)."""
    blob = "".join(values).encode("ascii")
    if len(blob) != width * len(values):
        raise ValueError(f"all values must be {width} ASCII characters")
    return np.frombuffer(blob, dtype=np.uint8).reshape(len(values), width).copy()


def random_tokens(rng: np.random.Generator, n: int, width: int) -> np.ndarray:
    """(n, width) matrix of random uppercase letters and digits."""
    return ALNUM[rng.integers(0, len(ALNUM), size=(n, width), dtype=np.uint8)]


def event_ids(rng: np.random.Generator, n: int) -> np.ndarray:
    """(n, 24) matrix of CERT ids '{XXXX-XXXXXXXX-XXXXXXXX}'."""
    out = np.empty((n, 24), dtype=np.uint8)
    tok = random_tokens(rng, n, 20)
    out[:, 0] = ord("{")
    out[:, 1:5] = tok[:, 0:4]
    out[:, 5] = ord("-")
    out[:, 6:14] = tok[:, 4:12]
    out[:, 14] = ord("-")
    out[:, 15:23] = tok[:, 12:20]
    out[:, 23] = ord("}")
    return out


def vocab_array(values: Sequence[str]) -> pa.Array:
    """A vocabulary as an Arrow string array to `take` from."""
    return pa.array(list(values), type=pa.string())


def take(values: pa.Array, idx: np.ndarray) -> pa.Array:
    """values[idx] for an integer index array."""
    return pc.take(values, pa.array(np.asarray(idx, dtype=np.int64)))


def join(parts: Sequence[pa.Array | str], sep: str) -> pa.Array:
    """Element-wise join of string arrays (and scalar strings) with `sep`.

    Inputs must hold no nulls (use `optional` for absent parts): pyarrow's null_handling="skip" drops
    rows whose inputs are all null, which would silently misalign columns.
    """
    result: pa.Array = pc.binary_join_element_wise(*parts, sep)
    return result


def constant(value: str, n: int) -> pa.Array:
    """An array of n copies of `value`."""
    out: pa.Array = pa.repeat(pa.scalar(value, type=pa.string()), n)
    return out


def optional(values: pa.Array, present: np.ndarray, prefix: str = "") -> pa.Array:
    """prefix + value where `present`, else the empty string (for list fields like to/cc/attachments)."""
    shown = join([prefix, values], "") if prefix else values
    out: pa.Array = pc.if_else(pa.array(np.asarray(present, dtype=bool)), shown, pa.scalar("", pa.string()))
    return out


def int_strings(values: np.ndarray) -> pa.Array:
    """Integers -> decimal strings."""
    out: pa.Array = pc.cast(pa.array(np.asarray(values, dtype=np.int64)), pa.string())
    return out


def pick(values: Sequence[str] | pa.Array, rng: np.random.Generator, n: int) -> pa.Array:
    """n uniform draws from a vocabulary."""
    arr = values if isinstance(values, pa.Array) else vocab_array(values)
    return take(arr, rng.integers(0, len(arr), size=n))


def words(vocabulary: pa.Array, rng: np.random.Generator, n: int, k: int) -> pa.Array:
    """n space-separated strings of k words drawn from `vocabulary`."""
    return join([pick(vocabulary, rng, n) for _ in range(k)], " ")
