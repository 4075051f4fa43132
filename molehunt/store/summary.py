"""What the store holds: events per kind and time span, people, quarantine, ground truth."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from molehunt.store.db import Store


@dataclass(frozen=True)
class KindSummary:
    kind: str
    events: int
    users: int
    first: datetime | None
    last: datetime | None


@dataclass(frozen=True)
class StoreSummary:
    files: int
    events: int
    quarantined: int
    kinds: tuple[KindSummary, ...]
    directory_users: int
    departed_users: int
    months: int
    decoys: int
    insiders: int
    labelled_events: int

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        for kind in data["kinds"]:
            for key in ("first", "last"):
                kind[key] = kind[key].isoformat() if kind[key] else None
        return data


def summarize(store: Store) -> StoreSummary:
    """Counts over the whole store (one pass over events, grouped by kind)."""
    kinds = tuple(
        KindSummary(str(kind), int(n), int(users), first, last)
        for kind, n, users, first, last in store.con.execute(
            "SELECT kind, count(*), count(DISTINCT user_id), min(time), max(time) FROM events "
            "GROUP BY kind ORDER BY kind"
        ).fetchall()
    )
    return StoreSummary(
        files=store.count("SELECT count(*) FROM ingested_files"),
        events=sum(k.events for k in kinds),
        quarantined=store.count("SELECT count(*) FROM quarantine"),
        kinds=kinds,
        directory_users=store.count("SELECT count(*) FROM directory_users"),
        departed_users=store.count("SELECT count(*) FROM directory_users WHERE departed"),
        months=store.count("SELECT count(DISTINCT month) FROM directory_snapshots"),
        decoys=store.count("SELECT count(*) FROM decoy_files"),
        insiders=store.count("SELECT count(DISTINCT user_id) FROM answers_insiders"),
        labelled_events=store.count("SELECT count(*) FROM labelled_events"),
    )


def quarantined_rows(
    store: Store, *, limit: int = 50, path: str | None = None, file_id: int | None = None, offset: int = 0
) -> list[dict[str, Any]]:
    """Quarantined rows with the file they came from, oldest file first (parameterized filters by path or file)."""
    rows = store.con.execute(
        "SELECT f.path, q.line, q.reason, q.raw FROM quarantine q JOIN ingested_files f USING (file_id) "
        "WHERE (?::VARCHAR IS NULL OR f.path = ?) AND (?::INTEGER IS NULL OR q.file_id = ?) "
        "ORDER BY q.file_id, q.line LIMIT ? OFFSET ?",
        [path, path, file_id, file_id, limit, offset],
    ).fetchall()
    return [{"path": p, "line": line, "reason": reason, "raw": raw} for p, line, reason, raw in rows]


INGESTED_FILE_COLUMNS = ("file_id", "path", "source", "release", "role", "size_bytes", "rows_read", "rows_ingested",
                         "rows_quarantined", "ingested_at", "status")  # fmt: skip


def ingested_files(store: Store) -> list[dict[str, Any]]:
    """Every ingested file with its counts, in the order ingested."""
    rows = store.con.execute(
        f"SELECT {', '.join(INGESTED_FILE_COLUMNS)} FROM ingested_files ORDER BY file_id"  # noqa: S608 (literal names)
    ).fetchall()
    return [dict(zip(INGESTED_FILE_COLUMNS, row, strict=True)) for row in rows]
