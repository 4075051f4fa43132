"""Run a producer (the CSV parser) one step ahead in a thread, so parsing overlaps the store's work.

pyarrow's parser and DuckDB both release the GIL, so on two cores the two halves of ingest run side by side.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator
from typing import TypeVar

T = TypeVar("T")

_DONE = object()


def prefetch(source: Iterator[T], depth: int = 1) -> Iterator[T]:
    """Yield source's items in order while the next `depth` are being produced in a background thread.

    An exception in the producer (KeyboardInterrupt included) is re-raised in the consumer. If the consumer
    stops early (error, Ctrl-C, break), the producer is told to stop and its thread ends.
    """
    slots: queue.Queue[object] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def put(item: object) -> bool:
        while not stop.is_set():
            try:
                slots.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for item in source:
                if not put(item):
                    return
            put(_DONE)
        except BaseException as exc:  # handed to the consumer, who decides
            put(exc)

    worker = threading.Thread(target=produce, name="molehunt-prefetch", daemon=True)
    worker.start()
    try:
        while True:
            item = slots.get()
            if item is _DONE:
                return
            if isinstance(item, BaseException):
                raise item
            yield item  # type: ignore[misc]
    finally:
        stop.set()
        worker.join(timeout=5)
