"""What the vault's unit tests share: a home, its store and a clock that moves a millisecond per look."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from molehunt.config import Home
from molehunt.store import Store, open_store


class Clock:
    """The vault's clock for a test: each call is a millisecond after the previous one."""

    def __init__(self, start: datetime = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)) -> None:
        self.now = start

    def __call__(self) -> datetime:
        self.now += timedelta(milliseconds=1)
        return self.now


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Home:
    monkeypatch.delenv("MOLEHUNT_VAULT_KEY", raising=False)  # the key file in the home, never the environment's
    return Home(tmp_path / "home").ensure()


@pytest.fixture
def store(home: Home) -> Iterator[Store]:
    with open_store(home.store_path) as opened:
        yield opened


@pytest.fixture
def clock() -> Clock:
    return Clock()
