"""A batch of events of one source, columnar, before ids and dates are attached.

`t` is the event time (simulator seconds), `user`/`pc` index the org's users and PCs, `cols` holds the
source's remaining CSV columns (already strings, in header order) and `insider` the index of the insider
for malicious events (-1 for benign), which is how answers/ is built from exactly the rows written.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pyarrow as pa


@dataclass(frozen=True)
class EventBatch:
    """Columnar events of one source."""

    t: np.ndarray
    user: np.ndarray
    pc: np.ndarray
    cols: tuple[pa.Array, ...]
    insider: np.ndarray

    def __len__(self) -> int:
        return len(self.t)

    @staticmethod
    def of(
        t: np.ndarray,
        user: np.ndarray,
        pc: np.ndarray,
        cols: Sequence[pa.Array],
        insider: np.ndarray | None = None,
    ) -> EventBatch:
        n = len(t)
        for c in cols:
            if len(c) != n:
                raise ValueError(f"column of length {len(c)} in a batch of {n} events")
        return EventBatch(
            t=np.asarray(t, dtype=np.int64),
            user=np.asarray(user, dtype=np.int32),
            pc=np.asarray(pc, dtype=np.int32),
            cols=tuple(cols),
            insider=np.full(n, -1, dtype=np.int32) if insider is None else np.asarray(insider, np.int32),
        )

    def take(self, idx: np.ndarray) -> EventBatch:
        arrow_idx = pa.array(idx.astype(np.int64))
        return EventBatch(
            t=self.t[idx],
            user=self.user[idx],
            pc=self.pc[idx],
            cols=tuple(c.take(arrow_idx) for c in self.cols),
            insider=self.insider[idx],
        )


def concat(batches: Sequence[EventBatch]) -> EventBatch:
    """Concatenate batches of the same source, in order."""
    batches = [b for b in batches if len(b)] or list(batches[:1])
    if len(batches) == 1:
        return batches[0]
    n_cols = len(batches[0].cols)
    return EventBatch(
        t=np.concatenate([b.t for b in batches]),
        user=np.concatenate([b.user for b in batches]),
        pc=np.concatenate([b.pc for b in batches]),
        cols=tuple(pa.concat_arrays([b.cols[i] for b in batches]) for i in range(n_cols)),
        insider=np.concatenate([b.insider for b in batches]),
    )
