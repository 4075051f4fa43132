"""The one clock: UTC wall time without a timezone, as every timestamp in the store is kept.

Code that stamps a record calls `utc_now()` (or `utc_now_aware()` where the zone is written out); a test or a
replay fixes the time with `frozen(at)` instead of patching datetime in each module.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime


def _system() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


_source: list[Callable[[], datetime]] = [_system]


def utc_now() -> datetime:
    """The current UTC time, naive (the store's TIMESTAMP columns carry no zone)."""
    return _source[-1]()


def utc_now_aware() -> datetime:
    """The same instant with its zone, for what is written with one (audit entries, exports, reports)."""
    return utc_now().replace(tzinfo=UTC)


@contextmanager
def frozen(at: datetime) -> Iterator[None]:
    """Within the block, utc_now() returns `at` (naive UTC)."""
    if at.tzinfo is not None:
        raise ValueError("frozen() takes a naive UTC datetime, as the store keeps them")
    _source.append(lambda: at)
    try:
        yield
    finally:
        _source.pop()
