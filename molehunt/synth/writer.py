"""Streaming, time-sorted CSV writer for one activity file.

Events arrive one simulated day at a time but may spill past midnight (night shifts, late disconnects),
so the writer keeps a carry of not-yet-due events, sorts what is due by time (stable, so ties keep the
deterministic order of arrival) and appends it. Ids and dates are built as fixed-width bytes; each line is
joined by Arrow. Malicious lines are kept, verbatim, for answers/.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

import numpy as np
import pyarrow as pa

from molehunt.synth import strings
from molehunt.synth.batch import EventBatch, concat
from molehunt.synth.dates import DAY


@dataclass(frozen=True)
class Tables:
    """Fixed-width byte tables shared by all writers."""

    day_prefix: np.ndarray  # (days + 2, 11) 'MM/DD/YYYY '
    times: np.ndarray  # (86400, 8) 'HH:MM:SS'
    users: np.ndarray  # (n_users, 7)
    pcs: np.ndarray  # (n_pcs, 7)


@dataclass
class MaliciousLine:
    """A written malicious row: when, whose, which source and the line as written (no newline)."""

    t: int
    insider: int
    source: str
    line: str


@dataclass
class SourceWriter:
    """Appends time-sorted rows of one source to its CSV file."""

    source: str
    path: Path
    header: tuple[str, ...]
    tables: Tables
    rows: int = 0
    malicious: list[MaliciousLine] = field(default_factory=list)
    _pending: list[EventBatch] = field(default_factory=list)
    _carry: EventBatch | None = None
    _fh: BinaryIO | None = None

    def open(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._fh = self.path.open("wb")
        self._fh.write((",".join(self.header) + "\n").encode("ascii"))

    def push(self, batch: EventBatch) -> None:
        if len(batch):
            self._pending.append(batch)

    def flush(self, until_t: int, rng: np.random.Generator, final: bool = False) -> None:
        """Write every pending event with t < until_t in time order; keep the rest unless `final`."""
        batches = ([self._carry] if self._carry is not None else []) + self._pending
        self._pending = []
        self._carry = None
        if not batches:
            return
        merged = concat(batches)
        order = np.argsort(merged.t, kind="stable")
        t_sorted = merged.t[order]
        cut = int(np.searchsorted(t_sorted, until_t, side="left"))
        if cut < len(order) and not final:
            self._carry = merged.take(order[cut:])
        if cut:
            self._write(merged.take(order[:cut]), rng)

    def _write(self, batch: EventBatch, rng: np.random.Generator) -> None:
        n = len(batch)
        day = batch.t // DAY
        sec = batch.t % DAY
        prefix = np.empty((n, 24 + 1 + 19 + 1 + 7 + 1 + 7), dtype=np.uint8)
        prefix[:, 0:24] = strings.event_ids(rng, n)
        prefix[:, 24] = ord(",")
        prefix[:, 25:36] = self.tables.day_prefix[day]
        prefix[:, 36:44] = self.tables.times[sec]
        prefix[:, 44] = ord(",")
        prefix[:, 45:52] = self.tables.users[batch.user]
        prefix[:, 52] = ord(",")
        prefix[:, 53:60] = self.tables.pcs[batch.pc]
        lines = strings.join([strings.fixed_width(prefix), *batch.cols], ",")
        if lines.null_count:
            raise ValueError(f"{self.source}: a column held a null value")
        bad = np.flatnonzero(batch.insider >= 0)
        if len(bad):
            picked = lines.take(pa.array(bad)).to_pylist()
            for i, line in zip(bad.tolist(), picked, strict=True):
                self.malicious.append(MaliciousLine(int(batch.t[i]), int(batch.insider[i]), self.source, line))
        text = strings.join([lines, ""], "\n")
        offsets = np.frombuffer(text.buffers()[1], dtype=np.int32, count=n + 1, offset=text.offset * 4)
        data = text.buffers()[2]
        assert self._fh is not None
        self._fh.write(memoryview(data)[int(offsets[0]) : int(offsets[-1])])
        self.rows += n

    def close(self) -> None:
        if self._fh is not None:
            self._fh.close()
            self._fh = None
