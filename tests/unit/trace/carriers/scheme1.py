"""The text carrier bound to scheme 1: the first copies' layer, which must stay readable exactly as it was."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from molehunt.trace.carriers import text
from molehunt.trace.carriers.text import Layout


def layout(original: str) -> Layout:
    return text.layout(original, scheme=1)


def offsets(original: str) -> tuple[int, ...]:
    return text.offsets(original, scheme=1)


def embed(original: str, symbols: Sequence[int] | npt.NDArray[np.integer]) -> str:
    return text.embed(original, symbols, scheme=1)


def extract(original: str, leaked: str) -> npt.NDArray[np.int64]:
    return text.extract(original, leaked, scheme=1)


def normalize(copy: str) -> str:
    return text.normalize(copy, scheme=1)
