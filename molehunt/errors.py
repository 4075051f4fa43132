"""One base error type; every message says what went wrong and what to do next."""

from __future__ import annotations


class MolehuntError(Exception):
    """Base class of every error molehunt raises on purpose."""


class InputError(MolehuntError):
    """Input that cannot be read: a missing file, an unknown format, a malformed row under --strict."""

    def __init__(self, message: str, *, path: str | None = None, line: int | None = None) -> None:
        where = path if line is None else f"{path}:{line}"
        super().__init__(f"{where}: {message}" if where else message)
        self.path = path
        self.line = line


class StoreError(MolehuntError):
    """The store cannot be opened or is not in a state molehunt understands."""

    busy: bool = False  # another process holds the store (it may let go soon)
