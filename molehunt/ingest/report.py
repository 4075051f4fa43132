"""What an ingest did, file by file: rows read = rows ingested + rows quarantined (duplicates among them)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class FileReport:
    """One file's outcome. `skipped` means its content was ingested before (same SHA-256), so nothing changed."""

    path: str
    role: str
    rows: int
    ingested: int
    quarantined: int
    skipped: bool = False
    first_problems: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()  # about the file as a whole, not a row (rows go to quarantine)
    duplicates: int = 0  # of the quarantined rows: those repeating an earlier row of the file (its id, its user)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["first_problems"] = list(self.first_problems)
        data["warnings"] = list(self.warnings)
        return data


@dataclass(frozen=True)
class IngestReport:
    """The whole run: source, detected release and per-file reports in ingest order."""

    source: str
    root: str
    release: str | None
    files: tuple[FileReport, ...] = field(default_factory=tuple)

    @property
    def rows(self) -> int:
        return sum(f.rows for f in self.files)

    @property
    def ingested(self) -> int:
        return sum(f.ingested for f in self.files)

    @property
    def quarantined(self) -> int:
        return sum(f.quarantined for f in self.files)

    @property
    def duplicates(self) -> int:
        return sum(f.duplicates for f in self.files)

    def to_json(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "root": self.root,
            "release": self.release,
            "files": [f.to_json() for f in self.files],
            "totals": {
                "rows": self.rows,
                "ingested": self.ingested,
                "quarantined": self.quarantined,
                "duplicates": self.duplicates,
            },
        }
