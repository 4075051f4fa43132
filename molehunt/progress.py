"""How long work reports progress without the library knowing about terminals."""

from __future__ import annotations

from typing import Protocol


class Progress(Protocol):
    """A sink for progress: one task at a time, measured in units the caller chooses (bytes, rows, days)."""

    def begin(self, label: str, total: int, unit: str = "bytes") -> None: ...

    def advance(self, amount: int) -> None: ...

    def end(self) -> None: ...


class NoProgress:
    """Progress that goes nowhere (library use, tests)."""

    def begin(self, label: str, total: int, unit: str = "bytes") -> None:
        return None

    def advance(self, amount: int) -> None:
        return None

    def end(self) -> None:
        return None
