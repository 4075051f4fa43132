"""The Parquet lake: the storage convention an engine other than the embedded store reads (docs/engines.md).

    LAKE/events/day=YYYY-MM-DD/*.parquet   the store's events, hive-partitioned by calendar day
    LAKE/<table>.parquet                   each side table the features read (SIDE_TABLES), views materialized
    LAKE/molehunt-lake.json                a marker (format version, event count): a lake is only ever replaced
                                           where this marker says one was written

Timestamps are written without a zone (Parquet isAdjustedToUTC=false), so every engine reads them as the same
wall-clock time (Spark as TIMESTAMP_NTZ).
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path

from molehunt.errors import MolehuntError
from molehunt.store import Store

MARKER = "molehunt-lake.json"
FORMAT_VERSION = 1
# What the feature stages read besides events (molehunt.features.user_day.STAGES); a view is materialized, and
# a table this store's schema lacks is skipped.
SIDE_TABLES = (
    "directory_snapshots", "directory_users", "decoy_files", "hr_users", "hr_user_events", "ingested_files",
)  # fmt: skip


@dataclass(frozen=True)
class Lake:
    """A written lake: its root, the event count and the side tables it holds."""

    root: Path
    events: int
    tables: tuple[str, ...]

    @property
    def events_path(self) -> Path:
        return self.root / "events"

    def table_path(self, table: str) -> Path:
        return self.root / f"{table}.parquet"


def export_parquet(store: Store, out: Path) -> Lake:
    """Write the store's events (partitioned by day) and the side tables as Parquet under `out`; returns the lake.

    Raises MolehuntError when `out` is a non-empty directory that is not a molehunt lake (nothing is replaced
    then); an existing lake at `out` is replaced whole.
    """
    if out.exists() and any(out.iterdir()) and not (out / MARKER).is_file():
        raise MolehuntError(f"{out} is not empty and holds no molehunt lake: choose a new or empty directory")
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    present = {
        name
        for (name,) in store.con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main'"
        ).fetchall()
    }
    events = store.con.sql("SELECT *, CAST(time AS DATE) AS day FROM events")
    events.write_parquet(str(out / "events"), partition_by=["day"], compression="zstd")
    tables = tuple(name for name in SIDE_TABLES if name in present)
    for name in tables:
        store.con.table(name).write_parquet(str(out / f"{name}.parquet"), compression="zstd")
    count = store.count("SELECT count(*) FROM events")
    (out / MARKER).write_text(json.dumps({"format": FORMAT_VERSION, "events": count, "tables": list(tables)}) + "\n")
    return Lake(out, count, tables)


def open_lake(root: Path) -> Lake:
    """The lake written at `root`; MolehuntError when there is none."""
    try:
        meta = json.loads((root / MARKER).read_text())
    except (OSError, ValueError) as exc:
        raise MolehuntError(
            f"no molehunt lake at {root}: write one with `molehunt export-parquet --out {root}`"
        ) from exc
    if meta.get("format") != FORMAT_VERSION:
        raise MolehuntError(f"{root}: lake format {meta.get('format')} is not {FORMAT_VERSION}; export it again")
    return Lake(root, int(meta["events"]), tuple(meta["tables"]))
