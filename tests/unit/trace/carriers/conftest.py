"""A 10,000-word document, two recipients' copies of it, and helpers that say where each position lives."""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest

from molehunt.trace.carriers.text import STRIP_MARKS, Layout, embed, extract, layout, normalize, offsets
from tests.unit.trace.carriers.prose import document

TEXTS = Path(__file__).parent / "texts"  # verbatim copies of Debian's /usr/share/common-licenses files


def licence(name: str) -> str:
    """One of the licence texts in TEXTS ("GPL-3", "MPL-2.0", "Apache-2.0")."""
    return (TEXTS / name).read_text(encoding="utf-8")


@dataclass(frozen=True)
class Marked:
    original: str
    shape: Layout
    a: npt.NDArray[np.int64]  # recipient A's codeword
    b: npt.NDArray[np.int64]
    copy_a: str
    copy_b: str
    paragraph: npt.NDArray[np.int64]  # the original paragraph ("\n\n"-separated block) of each position


def codeword(shape: Layout, seed: int) -> npt.NDArray[np.int64]:
    rng = np.random.default_rng(seed)
    return np.array([rng.integers(q) for q in shape.alphabet], dtype=np.int64)


def assert_round_trips(text: str, seed: int, scheme: int) -> None:
    """A random codeword embedded in ``text`` reads back whole, normalizes away, and its robust part survives
    stripping the fragile marks (which then read -1)."""
    shape = layout(text, scheme)
    symbols = codeword(shape, seed)
    copy = embed(text, symbols, scheme)
    assert np.array_equal(extract(text, copy, scheme), symbols)
    assert normalize(copy, scheme) == normalize(text, scheme)
    retyped = extract(text, copy.translate(STRIP_MARKS), scheme)
    assert np.array_equal(retyped[: shape.robust], symbols[: shape.robust])
    assert (retyped[shape.robust :] == -1).all()


def paragraph_of_positions(text: str, scheme: int = 1) -> npt.NDArray[np.int64]:
    starts, at = [], 0
    for block in text.split("\n\n"):
        starts.append(at)
        at += len(block) + 2
    return np.array([bisect_right(starts, offset) - 1 for offset in offsets(text, scheme)], dtype=np.int64)


@pytest.fixture(scope="session")
def marked() -> Marked:
    """Two scheme-1 copies (the scheme the first copies were issued with)."""
    original = document(10_000, seed=7)
    shape = layout(original, scheme=1)
    a, b = codeword(shape, 1), codeword(shape, 2)
    copy_a, copy_b = embed(original, a, scheme=1), embed(original, b, scheme=1)
    return Marked(original, shape, a, b, copy_a, copy_b, paragraph_of_positions(original, scheme=1))
