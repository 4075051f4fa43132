"""Published snapshots of the analytics store, for a dashboard that runs beside the pipeline.

DuckDB lets one process write a file while nobody else opens it, and an ingest or scoring run holds the store for
minutes. So the dashboard never opens the store itself: at the end of each run the pipeline *publishes* it
(CHECKPOINT, then a copy taken while the run still holds the writer's lock) as `HOME/published/<n>.duckdb`, and
names the newest in `HOME/published/CURRENT` (replaced atomically). Readers open the snapshot CURRENT names,
read-only, and look again when CURRENT changes; older snapshots are unlinked (an open one stays readable until
its last reader closes it: POSIX keeps unlinked files alive while open).

>>> publish(store)  # doctest: +SKIP   (at the end of ingest, score, a watch cycle, the demo, vault/rule admin)
3
>>> snapshots = Snapshots(home.store_path)  # doctest: +SKIP
>>> with snapshots.connect() as view: ...  # doctest: +SKIP   (a read-only Store over the newest snapshot)
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from molehunt.errors import StoreError
from molehunt.outputs import write_private
from molehunt.store.db import Store, open_store
from molehunt.store.schema import MIGRATIONS, SCHEMA_VERSION

FOLDER = "published"
CURRENT = "CURRENT"
OPEN_TRIES = 5  # times a reader looks at CURRENT again when the snapshot it named was unlinked before it opened
# Readers share one DuckDB instance per snapshot; every connection to it must use the same configuration.
_READ_CONFIG: dict[str, str | bool | int | float | list[str]] = {
    "memory_limit": "1GB",
    "preserve_insertion_order": False,
}


def _snapshot_path(store_path: Path, generation: int) -> Path:
    return store_path.parent / FOLDER / f"{generation}.duckdb"


def _written_at(path: Path) -> datetime:
    return datetime.fromtimestamp(path.stat().st_mtime, UTC)


def _open_snapshot(path: Path) -> duckdb.DuckDBPyConnection:
    """A read-only connection to a published snapshot (duckdb.Error when it is gone or unreadable)."""
    con = duckdb.connect(str(path), read_only=True, config=_READ_CONFIG)
    con.execute("SET enable_progress_bar = false")  # DuckDB's own bar would write into pages and --json output
    return con


_SNAPSHOT = re.compile(r"(\d+)\.duckdb(\.wal)?")


class StoreBusy(StoreError):
    """A pipeline run holds the store; a dashboard action that must write it waited and gave up."""


BUSY = "the store is busy with an ingest or scoring run; try again when it finishes"


def open_briefly(store_path: Path, *, wait: float = 3.0) -> Store:
    """The store opened read-write for one short action of a long-running process (a dashboard's vault read or
    rule change), trying again for up to `wait` seconds while another process holds it; StoreBusy after that.
    Close it as soon as the action is done: while it is open, a pipeline command cannot start."""
    try:
        return open_store(store_path, wait=wait)
    except StoreError as exc:
        if exc.busy:
            raise StoreBusy(BUSY) from exc
        raise


def open_reading(store_path: Path, *, wait: float = 2.0) -> tuple[Store, int | None]:
    """(the store opened read-only, None), or while a pipeline run holds it for more than `wait` seconds, (a
    read-only store over the newest published snapshot, its generation): a read-only command never fails because
    an ingest or scoring run is going; it shows what was last published, and should say so. StoreError when the
    store is busy and nothing is published, or for any other reason it cannot be read."""
    try:
        return open_store(store_path, read_only=True, wait=wait), None
    except StoreError as exc:
        if not exc.busy or (generation := current_generation(store_path)) is None:
            raise
        path = _snapshot_path(store_path, generation)
        try:
            con = _open_snapshot(path)
            written_at = _written_at(path)
        except (duckdb.Error, OSError):
            raise exc from None
        return Store(store_path, con, written_at), generation


def published_dir(store_path: Path) -> Path:
    """HOME/published for the store at HOME/molehunt.duckdb (created 0700)."""
    folder = store_path.parent / FOLDER
    folder.mkdir(mode=0o700, exist_ok=True)
    return folder


def publish(store: Store) -> int:
    """Publish `store` (open read-write by this process, so no one else writes it): checkpoint, copy, name it in
    CURRENT, unlink older snapshots. Returns the new generation. StoreError when the copy cannot be written."""
    store.con.execute("CHECKPOINT")
    return _copy(store.path)


def publish_readable(store_path: Path) -> int | None:
    """Publish the store at `store_path` without writing it (a home from before publishing existed): copied under
    a read-only open, whose shared lock keeps writers out meanwhile. None when there is no store or a run holds it.
    """
    if not store_path.exists():
        return None
    try:
        held = open_store(store_path, read_only=True)
    except StoreError:
        return None
    try:
        return _copy(store_path)  # a WAL left behind is copied too: the read-only open of the copy replays it
    finally:
        held.close()


def _copy(store_path: Path) -> int:
    try:
        folder = published_dir(store_path)
        with _publishing(folder):
            generation = 1 + max([current_generation(store_path) or 0, *_generations(folder)])
            target = _snapshot_path(store_path, generation)
            try:
                for source, copy in ((store_path, target), (_wal(store_path), _wal(target))):
                    if source.exists():
                        _copy_private(source, copy)
                write_private(folder / CURRENT, f"{generation}\n")
            except BaseException:
                for leftover in (target, _wal(target)):
                    leftover.unlink(missing_ok=True)
                raise
            for old in folder.iterdir():
                found = _SNAPSHOT.fullmatch(old.name)
                if found and int(found[1]) < generation:
                    old.unlink(missing_ok=True)
            return generation
    except OSError as exc:
        where = store_path.parent / FOLDER
        raise StoreError(f"cannot publish the store to {where}: {exc.strerror or exc}") from exc


def _copy_private(source: Path, target: Path) -> None:
    """Copy via a temporary file created 0600 (copyfile keeps an existing file's mode) and renamed when whole."""
    temporary = target.with_name(f".{target.name}.tmp")
    temporary.unlink(missing_ok=True)
    os.close(os.open(temporary, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    try:
        shutil.copyfile(source, temporary)  # sendfile on Linux: about disk speed
        with temporary.open("rb+") as written:
            os.fsync(written.fileno())
        os.replace(temporary, target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


@contextlib.contextmanager
def _publishing(folder: Path) -> Iterator[None]:
    """One publisher at a time per home (two servers starting on an old home may both publish)."""
    fd = os.open(folder / ".lock", os.O_CREAT | os.O_RDWR, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def _wal(path: Path) -> Path:
    return path.with_name(path.name + ".wal")


def _generations(folder: Path) -> list[int]:
    return [int(found[1]) for p in folder.iterdir() if (found := _SNAPSHOT.fullmatch(p.name))]


def current_generation(store_path: Path) -> int | None:
    """The generation CURRENT names, or None when nothing is published (or CURRENT is unreadable)."""
    try:
        text = (store_path.parent / FOLDER / CURRENT).read_text(encoding="utf-8").strip()
    except OSError:
        return None
    return int(text) if text.isdigit() else None


@dataclass(frozen=True)
class Snapshot:
    """One published generation, held open (the anchor keeps its DuckDB instance and cache alive for readers)."""

    generation: int | None  # None: nothing published, an empty in-memory store
    path: Path | None
    anchor: duckdb.DuckDBPyConnection
    written_at: datetime  # the file's modification time, read while it is surely there (the epoch when empty)


class Snapshots:
    """The newest published snapshot of a store, reopened when CURRENT changes (a stat per call: cheap).

    Thread-safe: requests of a server call `connect()` at once. Nothing published yet gives an empty store with the
    current schema, so pages say there is nothing to show.
    """

    def __init__(self, store_path: Path) -> None:
        self.store_path = store_path
        self._lock = threading.Lock()
        self._seen: tuple[int, int] | None = None  # CURRENT's (inode, mtime): os.replace makes a new inode
        self._current = _empty()

    @property
    def generation(self) -> int | None:
        """The generation the last `connect()` or `refresh()` saw."""
        return self._current.generation

    def refresh(self) -> Snapshot:
        """The newest snapshot, opening it if CURRENT changed since the last call."""
        with self._lock:
            snapshot, old = self._swap()
        _retire(old)
        return snapshot

    def connect(self) -> Store:
        """A read-only Store over the newest snapshot, on its own connection: one per request or thread (close it).
        Its `path` is the analytics store's, so code finding the home from it keeps working."""
        with self._lock:  # connect before another thread can retire this snapshot's anchor
            snapshot, old = self._swap()
            con = snapshot.anchor.cursor() if snapshot.path is None else _open_snapshot(snapshot.path)
        _retire(old)
        return Store(self.store_path, con, snapshot.written_at)

    def _swap(self) -> tuple[Snapshot, Snapshot | None]:
        """(the current snapshot, the one it replaced if CURRENT changed); call with the lock held."""
        for _ in range(OPEN_TRIES):
            marker = self._marker()
            if marker == self._seen:
                return self._current, None
            opened = self._open_newest()
            if opened is not None:
                old, self._current, self._seen = self._current, opened, marker
                return opened, old
            # Unlinked between reading CURRENT and opening it: a newer one is named by now. Look again at once, or a
            # reader that has nothing yet would get the empty store, and say there is nothing to show.
        return self._current, None  # CURRENT keeps naming what cannot be opened: keep what we have, look next time

    def close(self) -> None:
        with self._lock:
            _retire(self._current)

    def _marker(self) -> tuple[int, int] | None:
        try:
            found = (self.store_path.parent / FOLDER / CURRENT).stat()
        except OSError:
            return None
        return (found.st_ino, found.st_mtime_ns)

    def _open_newest(self) -> Snapshot | None:
        generation = current_generation(self.store_path)
        if generation is None:
            return _empty() if self._current.generation is not None else None
        path = _snapshot_path(self.store_path, generation)
        try:
            anchor = _open_snapshot(path)
            written_at = _written_at(path)
        except (duckdb.Error, OSError):
            return None  # replaced and unlinked between reading CURRENT and opening: the next call sees the new one
        version = anchor.execute("SELECT max(version) FROM schema_version").fetchall()[0][0]
        if version != SCHEMA_VERSION:  # published by another molehunt: wait for this one's next run to publish
            anchor.close()
            return _empty() if self._current.generation is not None else None
        return Snapshot(generation, path, anchor, written_at)


def _retire(snapshot: Snapshot | None) -> None:
    """Let a replaced snapshot go. A file's readers hold their own connections, so its anchor closes at once; the
    empty store's readers are cursors of its anchor, which closing would cut off: it is left to the collector."""
    if snapshot is not None and snapshot.path is not None:
        snapshot.anchor.close()


def _empty() -> Snapshot:
    """An in-memory store with the current schema and no rows."""
    con = duckdb.connect(":memory:")
    for _, statements in MIGRATIONS:
        for statement in statements:
            con.execute(statement)
    return Snapshot(None, None, con, datetime.fromtimestamp(0, UTC))
