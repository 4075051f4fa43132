from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from molehunt.config import Home
from molehunt.store import Store, open_store


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with open_store(tmp_path / "home" / "molehunt.duckdb") as opened:
        yield opened


@pytest.fixture(scope="session")
def scored_home(tmp_path_factory: pytest.TempPathFactory) -> Home:
    """A home with a small simulated organization (its CERT files and its HR export) ingested and scored (shared;
    tests must not change it)."""
    from molehunt.ingest import ingest_cert
    from molehunt.ingest.hr import ingest_hr
    from molehunt.score import score_store
    from molehunt.synth import SynthConfig, generate
    from molehunt.synth.hr import HR_FILE

    root = tmp_path_factory.mktemp("scored")
    config = SynthConfig(users=60, days=90, seed=7, release="r6.2")
    generate(config, root / "data")
    home = Home(root / "home").ensure()
    with open_store(home.store_path) as opened:
        ingest_cert(opened, root / "data")
        ingest_hr(opened, root / "data" / HR_FILE)
        score_store(opened)
    return home
