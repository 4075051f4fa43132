"""Small generated datasets shared by the synth tests (generated once per test session)."""

from __future__ import annotations

import pytest
from synth_support import SMALL, Dataset

from molehunt.synth import SynthConfig, generate


@pytest.fixture(scope="session", params=["r4.2", "r6.2"])
def dataset(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Dataset:
    cfg = SynthConfig(release=request.param, **SMALL)  # type: ignore[arg-type]
    root = tmp_path_factory.mktemp(request.param)
    return Dataset(cfg, generate(cfg, root), root)


@pytest.fixture(scope="session")
def r6(tmp_path_factory: pytest.TempPathFactory) -> Dataset:
    cfg = SynthConfig(release="r6.2", **SMALL)  # type: ignore[arg-type]
    root = tmp_path_factory.mktemp("r6only")
    return Dataset(cfg, generate(cfg, root), root)


@pytest.fixture(scope="session")
def long_r4(tmp_path_factory: pytest.TempPathFactory) -> Dataset:
    """Three months, so departures fall before the last LDAP month."""
    cfg = SynthConfig(users=60, days=100, seed=5, release="r4.2")
    root = tmp_path_factory.mktemp("long")
    return Dataset(cfg, generate(cfg, root), root)
