from __future__ import annotations

from collections.abc import Iterator

import pytest

from molehunt.config import Home
from molehunt.store import Store, open_store


@pytest.fixture(scope="module")
def scored(scored_home: Home) -> Iterator[Store]:
    """The shared scored store, read-only."""
    with open_store(scored_home.store_path, read_only=True) as opened:
        yield opened


@pytest.fixture(scope="module")
def leaver(scored: Store) -> str:
    """An insider who leaves (the departure is known from user_day, never from the answers)."""
    found = scored.scalar(
        "SELECT min(user_id) FROM answers_insiders WHERE user_id IN "
        "(SELECT user_id FROM user_day WHERE days_to_departure IS NOT NULL) "
        "AND user_id IN (SELECT user_id FROM scores WHERE len(rules) > 0)"
    )
    assert isinstance(found, str)
    return found


@pytest.fixture(scope="module")
def stayer(scored: Store) -> str:
    """Someone who stays all along and has at least 60 scored days."""
    found = scored.scalar(
        "SELECT user_id FROM scores WHERE user_id NOT IN "
        "(SELECT user_id FROM user_day WHERE days_to_departure IS NOT NULL) "
        "GROUP BY user_id HAVING count(*) >= 60 ORDER BY user_id LIMIT 1"
    )
    assert isinstance(found, str)
    return found
