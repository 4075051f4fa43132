"""One local Spark for every Spark test of this folder (it takes 10-30 s to start on 2 cores)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from molehunt.config import Home
from molehunt.engine.lake import export_parquet
from molehunt.store import open_store


@pytest.fixture(scope="session")
def spark_engine(scored_home: Home, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """A started SparkEngine (local[2]) reading a Parquet lake of the shared scored organization."""
    from molehunt.engine.spark import SparkEngine, SparkSettings

    root = tmp_path_factory.mktemp("spark-lake")
    with open_store(scored_home.store_path, read_only=True) as reference:
        lake = export_parquet(reference, root / "lake")
    with SparkEngine(SparkSettings(lake=lake.root)) as spark:
        yield spark
