"""The Parquet lake: events partitioned by day plus the side tables, written only where a lake may be."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from molehunt.config import Home
from molehunt.engine.lake import MARKER, export_parquet, open_lake
from molehunt.errors import MolehuntError
from molehunt.store import open_store


@pytest.mark.slow
def test_export_holds_every_event_by_day(scored_home: Home, tmp_path: Path) -> None:
    with open_store(scored_home.store_path, read_only=True) as store:
        lake = export_parquet(store, tmp_path / "lake")
        days = store.count("SELECT count(DISTINCT CAST(time AS DATE)) FROM events")
        assert lake.events == store.count("SELECT count(*) FROM events") > 0
    assert {"directory_users", "decoy_files"} <= set(lake.tables)
    assert len(list(lake.events_path.glob("day=*"))) == days
    read = duckdb.sql(f"SELECT count(*) FROM read_parquet('{lake.events_path}/*/*.parquet', hive_partitioning=true)")
    assert read.fetchall() == [(lake.events,)]
    assert open_lake(lake.root) == lake
    with open_store(scored_home.store_path, read_only=True) as store:
        assert export_parquet(store, lake.root) == lake  # a lake is replaced whole


def test_refuses_a_directory_that_is_not_a_lake(scored_home: Home, tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("keep me")
    with open_store(scored_home.store_path, read_only=True) as store, pytest.raises(MolehuntError, match="not empty"):
        export_parquet(store, tmp_path)
    assert (tmp_path / "notes.txt").read_text() == "keep me"
    assert not (tmp_path / MARKER).exists()
    with pytest.raises(MolehuntError, match="no molehunt lake"):
        open_lake(tmp_path)
