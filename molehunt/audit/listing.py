"""Listing the log: entries newest first, filtered by action, actor and day, a page at a time, each with whether a
signed checkpoint covers it; and the log's verification state, re-read only when the files changed.

Read through :class:`~molehunt.audit.log.AuditLog` (``size``, ``entry``, ``latest_checkpoint``) with an open that
signs nothing. Pages are keyed by entry index (``before``), so a page costs the entries it walks past, not the
whole log, and appends between two pages do not shift them.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Protocol, TypeVar

from molehunt.audit.entries import Entry
from molehunt.audit.errors import AuditError
from molehunt.audit.log import AuditLog, open_waiting
from molehunt.audit.verify import CHECKPOINTS_FILE, ENTRIES_FILE, Report, verify_directory


@dataclass(frozen=True)
class Filter:
    """Which entries to list: exact action and actor, entries from a UTC day on (any when None)."""

    action: str | None = None
    actor: str | None = None
    since: date | None = None

    def admits(self, entry: Entry) -> bool:
        return (
            (self.action is None or entry.action == self.action)
            and (self.actor is None or entry.actor == self.actor)
            and (self.since is None or entry.time[:10] >= self.since.isoformat())
        )


@dataclass(frozen=True)
class Listed:
    """One entry and whether the latest signed checkpoint covers it."""

    entry: Entry
    covered: bool


@dataclass(frozen=True)
class Page:
    """Entries of one page (newest first); ``older`` is the ``before`` of the next page, None on the last."""

    entries: tuple[Listed, ...]
    size: int  # entries in the log
    covered_size: int  # entries under the latest checkpoint
    older: int | None


@contextmanager
def reading(directory: Path, keys_dir: Path) -> Iterator[AuditLog]:
    """The log opened to read (signing nothing on close), waiting up to two seconds while a writer appends.

    AuditError when there is no log at ``directory`` or it stays busy.
    """
    if not (directory / ENTRIES_FILE).exists():
        raise AuditError(f"no audit log at {directory}")
    with open_waiting(directory, keys_dir, checkpoint_on_close=False) as log:
        yield log


class Folded(Protocol):
    """A state built from the log's first ``size`` entries; ``last`` is the canonical bytes of entry size-1."""

    size: int
    last: bytes


F = TypeVar("F", bound=Folded)


def fold_new(log: AuditLog, known: F | None, fresh: Callable[[], F], step: Callable[[F, Entry], None]) -> F:
    """Bring `known` up to the end of `log`, folding in only the entries appended since it was built (a reader that
    keeps a state per process reads each entry once); start from `fresh()` when there is none, or when the log is
    shorter or its entry size-1 changed (it was replaced: read it again)."""
    if known is None or known.size > log.size or (known.size and log.entry(known.size - 1).canonical != known.last):
        known = fresh()
    for index in range(known.size, log.size):
        entry = log.entry(index)
        step(known, entry)
        known.last = entry.canonical
    known.size = log.size
    return known


def list_entries(log: AuditLog, where: Filter = Filter(), *, limit: int = 50, before: int | None = None) -> Page:
    """Up to ``limit`` entries matching ``where`` with an index below ``before`` (default: all), newest first.

    ValueError for a limit below 1 or a negative ``before``.
    """
    if limit < 1:
        raise ValueError("limit must be at least 1")
    if before is not None and before < 0:
        raise ValueError("before must not be negative")
    latest = log.latest_checkpoint
    covered = 0 if latest is None else latest.tree_size
    found: list[Listed] = []
    seq = min(log.size, log.size if before is None else before) - 1
    while seq >= 0 and len(found) <= limit:  # one more than shown: whether an "older" page leads anywhere
        entry = log.entry(seq)
        if where.admits(entry):
            found.append(Listed(entry, seq < covered))
        seq -= 1
    older = found[limit - 1].entry.seq if len(found) > limit else None
    return Page(tuple(found[:limit]), log.size, covered, older)


_verified: dict[tuple[Path, tuple[int, ...]], Report] = {}
_verified_lock = threading.Lock()


def verification(directory: Path, log: AuditLog) -> Report:
    """The log's whole verification (see :func:`verify_directory`), recomputed only when either file changed since
    the last call in this process (a dashboard shows it on every page view; it re-reads the whole log)."""
    key = (directory, _signature(directory))
    with _verified_lock:
        found = _verified.get(key)
    if found is None:
        found = verify_directory(directory, log.public_key)
        with _verified_lock:
            _verified.clear()  # only the latest state is worth keeping
            _verified[key] = found
    return found


def _signature(directory: Path) -> tuple[int, ...]:
    stats = [(directory / name).stat() for name in (ENTRIES_FILE, CHECKPOINTS_FILE) if (directory / name).exists()]
    return tuple(n for s in stats for n in (s.st_size, s.st_mtime_ns, s.st_ino))


def shown_with(person: Callable[[str], str], listed: Listed) -> dict[str, object]:
    """An entry as a listing shows it: index, time, actor, action, target (people through ``person``), covered."""
    entry = listed.entry
    return {
        "index": entry.seq,
        "time": entry.time,
        "actor": person(entry.actor),
        "action": entry.action,
        "target": person(entry.target),
        "covered": listed.covered,
    }
