"""SynthConfig validation and the public API surface."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from molehunt.synth import SynthConfig


@given(users=st.integers(-5, 19))
def test_too_few_users_is_a_clear_error(users: int) -> None:
    with pytest.raises(ValueError, match="users must be >= 20"):
        SynthConfig(users=users)


@given(days=st.integers(-5, 29))
def test_too_few_days_is_a_clear_error(days: int) -> None:
    with pytest.raises(ValueError, match="days must be >= 30"):
        SynthConfig(days=days)


@given(release=st.text(max_size=6).filter(lambda r: r not in ("r4.2", "r6.2")))
def test_unknown_release_is_rejected(release: str) -> None:
    with pytest.raises(ValueError, match="release must be one of"):
        SynthConfig(release=release)


@pytest.mark.parametrize("scenarios", [(0,), (8,), (1, 1)])
def test_bad_scenarios_are_rejected(scenarios: tuple[int, ...]) -> None:
    with pytest.raises(ValueError, match="scenarios"):
        SynthConfig(scenarios=scenarios)


@given(users=st.integers(20, 5000), days=st.integers(30, 800), release=st.sampled_from(["r4.2", "r6.2"]))
def test_valid_configs_construct(users: int, days: int, release: str) -> None:
    cfg = SynthConfig(users=users, days=days, seed=7, release=release, start=date(2010, 1, 4))
    assert cfg.dataset == release[1:]


def test_config_is_frozen() -> None:
    cfg = SynthConfig()
    with pytest.raises(dataclasses.FrozenInstanceError):
        cfg.users = 5  # type: ignore[misc]
