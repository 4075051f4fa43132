"""Daily operation: ingest each new delivery that lands in a folder, then score only the days it brought.

A *delivery* is one entry of the watched folder: a sub-folder (a CERT directory, a folder of OCSF JSON lines) or
a file (an OCSF or HR file), taken in name order; names starting with "." or "_" are ignored, so a delivery can be
copied under a hidden name and renamed into place when complete. State lives in the store: a delivery whose files
are all in `ingested_files` (same path and size, or same name and content hash) is not read again, and the days
to score follow from the events: the days of the events this cycle brought, and any day after the last scored
one. Nothing scored yet, or a model fitted by a molehunt with other features, means a full run. Rerunning a cycle
with nothing new does nothing.

>>> with open_store(path) as store:  # doctest: +SKIP
...     cycle = watch_once(store, Path("/data/incoming"))
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from pathlib import Path

import duckdb

from molehunt.detect.alerts import has_scores
from molehunt.detect.models import model_is_current
from molehunt.errors import InputError, MolehuntError
from molehunt.ingest import IngestReport, ingest
from molehunt.ingest.csv_stream import sha256_of
from molehunt.progress import Progress
from molehunt.score import ScoreRun, score_store
from molehunt.store import Store, publish
from molehunt.store.publish import current_generation

DEFAULT_INTERVAL = 300.0  # seconds between two looks at the folder


@dataclass(frozen=True)
class Refused:
    """A delivery the reader refused as a whole (its rows are not in the store); the cycle went on without it."""

    path: str
    reason: str


@dataclass(frozen=True)
class Cycle:
    """What one look at the folder did."""

    ingested: tuple[IngestReport, ...] = ()
    refused: tuple[Refused, ...] = ()
    known: int = 0  # deliveries already in the store, not read again
    scored_from: date | None = None  # first day (re)scored; None when nothing was scored
    full: bool = False  # a full scoring (nothing had been scored before)
    run: ScoreRun | None = None
    scored_until: date | None = None  # the last scored day after the cycle

    @property
    def idle(self) -> bool:
        """Nothing new: nothing ingested, refused or scored."""
        return not self.ingested and not self.refused and self.run is None


def deliveries(folder: Path) -> list[Path]:
    """The deliveries in `folder`, in name order; InputError when it is not a folder."""
    if not folder.is_dir():
        raise InputError(f"{folder} is not a folder: give the folder that deliveries are copied into")
    return sorted(p for p in folder.iterdir() if not p.name.startswith((".", "_")))


def _files(delivery: Path) -> Iterator[Path]:
    if delivery.is_file():
        yield delivery
        return
    for path in sorted(delivery.rglob("*")):
        if path.is_file() and not any(part.startswith((".", "_")) for part in path.relative_to(delivery).parts):
            yield path


def is_known(store: Store, delivery: Path) -> bool:
    """True when every file of the delivery is in the store already, so it need not be read again.

    A file counts as in when a complete ingested file has its resolved path and size (no read needed), or its
    name and content hash (the same bytes delivered again under another folder, such as a monthly directory
    snapshot repeated in every delivery). An empty delivery is not known: the reader decides what it is.
    """
    files = list(_files(delivery))
    if not files:
        return False
    for path in files:
        by_path = store.count(
            "SELECT count(*) FROM ingested_files WHERE path = ? AND size_bytes = ? AND status = 'complete'",
            [str(path.resolve()), path.stat().st_size],
        )
        if by_path:
            continue
        by_content = store.count(
            "SELECT count(*) FROM ingested_files"
            " WHERE content_sha256 = ? AND ends_with(path, ?) AND status = 'complete'",
            [sha256_of(path), f"/{path.name}"],
        )
        if not by_content:
            return False
    return True


def _last_file_id(store: Store) -> int:
    return store.count("SELECT coalesce(max(file_id), 0) FROM ingested_files")


def _scored_until(store: Store) -> date | None:
    if not has_scores(store):
        return None
    last = store.scalar("SELECT max(day) FROM scores")
    return last if isinstance(last, date) else None


def first_day_to_score(store: Store, new_after_file_id: int) -> date | None:
    """The first day that needs scoring: the earliest day of the events of files after `new_after_file_id`, or of
    any event after the last scored day; None when there is none."""
    until = _scored_until(store)
    after = until + timedelta(days=1) if until is not None else None
    first = store.scalar(
        "SELECT min(CAST(time AS DATE)) FROM events WHERE file_id > $file_id OR time >= $after",
        {"file_id": new_after_file_id, "after": after},
    )
    return first if isinstance(first, date) else None


def watch_once(
    store: Store,
    folder: Path,
    *,
    source: str = "cert",
    progress: Progress | None = None,
    skip: Callable[[Path], bool] | None = None,
) -> Cycle:
    """Ingest every new delivery in `folder` with the `source` reader, then score the days that need it.

    A delivery the reader refuses (InputError: an unknown file, a bad header, events that repeat earlier ones), or
    on which it fails (a bug: any other exception; the file being written is rolled back), is reported in
    `Cycle.refused` and the others go on; bad rows inside a file are quarantined by the reader as in
    `molehunt ingest`. `skip(delivery)` lets a long-running watch pass over deliveries it saw refused and that have
    not changed since. Scores only when something needs it: a full run when nothing was scored before (or no model
    is stored, or it was fitted on other feature definitions: after an upgrade), else
    `score_store(since=first day to score)`.
    """
    before = _last_file_id(store)
    ingested: list[IngestReport] = []
    refused: list[Refused] = []
    known = 0
    for delivery in deliveries(folder):
        if skip is not None and skip(delivery):
            continue
        if is_known(store, delivery):
            known += 1
            continue
        try:
            report = ingest(store, source, delivery, progress=progress)
        except InputError as exc:
            refused.append(Refused(str(delivery), _printable(str(exc))))
            continue
        except duckdb.InterruptException:
            raise  # Ctrl-C inside a query stops the watch (the file being written was rolled back)
        except Exception as exc:  # one delivery, never the watch: its file was rolled back
            # A reader should quarantine what it cannot read; if one fails anyway, the data must not blind detection
            # of every later delivery, so the failure is reported like a refusal and the cycle goes on.
            reason = f"the reader failed ({type(exc).__name__}: {exc}); nothing of it is in the store; please report it"
            refused.append(Refused(str(delivery), _printable(reason)))
            continue
        if all(f.skipped for f in report.files):
            known += 1
        else:
            ingested.append(report)
    done = _score_new_days(store, before, progress, Cycle(tuple(ingested), tuple(refused), known))
    if done.ingested or done.run is not None or current_generation(store.path) is None:
        publish(store)  # the dashboard sees the cycle's events and scores from now on
    return done


def _score_new_days(store: Store, before: int, progress: Progress | None, cycle: Cycle) -> Cycle:
    first = first_day_to_score(store, before)
    if store.count("SELECT count(*) FROM events") == 0 or (first is None and _scored_until(store) is not None):
        return replace(cycle, scored_until=_scored_until(store))
    full = not has_scores(store) or not model_is_current(store)
    run = score_store(store, progress=progress, since=None if full else first)
    return replace(cycle, scored_from=None if full else first, full=full, run=run, scored_until=_scored_until(store))


def _printable(text: str) -> str:
    """One line that any output can encode: line breaks as spaces, lone surrogates as \\udcXX."""
    return " ".join(text.encode("utf-8", "backslashreplace").decode("utf-8").split())


@dataclass
class RefusalMemory:
    """Deliveries seen refused, by their files' names, sizes and modification times: a long-running watch tries a
    refused delivery again only once something in it changed (a copy completed, a file fixed)."""

    seen: dict[str, tuple[tuple[str, int, int], ...]] = field(default_factory=dict)

    @staticmethod
    def fingerprint(delivery: Path) -> tuple[tuple[str, int, int], ...]:
        return tuple((str(p), p.stat().st_size, p.stat().st_mtime_ns) for p in _files(delivery))

    def remember(self, cycle: Cycle) -> None:
        for refusal in cycle.refused:
            self.seen[refusal.path] = self.fingerprint(Path(refusal.path))

    def unchanged(self, delivery: Path) -> bool:
        return self.seen.get(str(delivery)) == self.fingerprint(delivery)


def watch(
    open_cycle: Callable[[Callable[[Path], bool]], Cycle],
    *,
    interval: float = DEFAULT_INTERVAL,
    stop: threading.Event | None = None,
    on_cycle: Callable[[Cycle], None] | None = None,
    on_error: Callable[[MolehuntError], None] | None = None,
) -> None:
    """Run cycles every `interval` seconds until `stop` is set (checked between cycles, and while waiting).

    `open_cycle(skip)` runs one cycle (opening the store for it, so other commands can use the store between
    cycles). A MolehuntError in a cycle (the store busy, say) goes to `on_error` and the next cycle tries again.
    """
    if interval <= 0:
        raise MolehuntError(f"the interval must be positive, not {interval}")
    stopping = stop or threading.Event()
    memory = RefusalMemory()
    while not stopping.is_set():
        try:
            cycle = open_cycle(memory.unchanged)
        except MolehuntError as exc:
            if on_error is None:
                raise
            on_error(exc)
        else:
            memory.remember(cycle)
            if on_cycle is not None:
                on_cycle(cycle)
        stopping.wait(interval)


def describe(cycle: Cycle, folder: Path) -> list[str]:
    """The cycle in a few plain lines: each delivery ingested or refused, what was scored, or that nothing was new."""
    lines = []
    for report in cycle.ingested:
        new = [f for f in report.files if not f.skipped]
        quarantined = f", {report.quarantined:,} rows quarantined (`molehunt quarantine`)" if report.quarantined else ""
        lines.append(f"ingested {report.root}: {len(new)} new files, {report.ingested:,} rows{quarantined}")
    lines.extend(f"refused {_printable(r.path)}: {r.reason}" for r in cycle.refused)
    if cycle.run is not None:
        what = "scored all days (a full run)" if cycle.full else f"scored the days from {cycle.scored_from}"
        lines.append(f"{what}: {cycle.run.user_days:,} user-days, {cycle.run.rule_hits:,} rule hits")
    if cycle.idle:
        until = f"; scored up to {cycle.scored_until}" if cycle.scored_until else ""
        lines.append(f"nothing new in {folder} ({cycle.known} deliveries already in the store{until})")
    elif cycle.run is None and cycle.scored_until is not None:
        lines.append(f"no new days to score (scored up to {cycle.scored_until})")
    if cycle.refused:
        count = len(cycle.refused)
        lines.append(
            f"{count} {'delivery' if count == 1 else 'deliveries'} refused, nothing of them in the store; the cycle "
            "went on with the others, and a refused delivery is tried again once it changes (with --once: each run)"
        )
    return lines


@contextmanager
def stop_on_interrupt(announce: Callable[[], None]) -> Iterator[threading.Event]:
    """An event that the first Ctrl-C sets (after calling `announce`), so a loop stops between cycles; a second
    Ctrl-C interrupts at once (KeyboardInterrupt: the file being ingested is rolled back). Main thread only."""
    stop = threading.Event()

    def first(signum: int, frame: object) -> None:
        stop.set()
        signal.signal(signal.SIGINT, signal.default_int_handler)
        announce()

    previous = signal.signal(signal.SIGINT, first)
    try:
        yield stop
    finally:
        signal.signal(signal.SIGINT, previous)
