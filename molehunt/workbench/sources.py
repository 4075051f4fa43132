"""Data sources as the analyst sees them: every ingested file and its quarantined rows, with ground truth kept
from everyone but admins."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from molehunt.store import Store
from molehunt.store.summary import ingested_files, quarantined_rows
from molehunt.workbench.accounts import Role
from molehunt.workbench.paging import page_bounds

# Ground-truth files (answers/) name the insiders by user id in their file names and rows: admins only.
GROUND_TRUTH_ROLES = frozenset({"insiders", "answers"})
QUARANTINE_PAGE = 100


@dataclass(frozen=True)
class Files:
    shown: list[dict[str, Any]]  # molehunt.store.summary.INGESTED_FILE_COLUMNS
    hidden: int  # ground-truth files the role may not see


@dataclass(frozen=True)
class QuarantinePage:
    file_id: int
    path: str
    rows: list[dict[str, Any]]  # path, line, reason, raw
    total: int
    page: int
    pages: int


def may_see(role: Role, file: dict[str, Any]) -> bool:
    """Whether `role` may see this ingested file (its name, counts and quarantined rows)."""
    return file["role"] not in GROUND_TRUTH_ROLES or role.allows(Role.ADMIN)


def visible_files(store: Store, role: Role) -> Files:
    """The ingested files `role` may see, and how many are hidden from it."""
    files = ingested_files(store)
    shown = [file for file in files if may_see(role, file)]
    return Files(shown, len(files) - len(shown))


def quarantine_page(store: Store, role: Role, file_id: int, page: int = 1) -> QuarantinePage | None:
    """One page of the file's quarantined rows; None when there is no such file or `role` may not see it."""
    file = next((f for f in ingested_files(store) if f["file_id"] == file_id), None)
    if file is None or not may_see(role, file):
        return None
    total = store.count("SELECT count(*) FROM quarantine WHERE file_id = ?", [file_id])
    page, pages = page_bounds(total, page, QUARANTINE_PAGE)
    rows = quarantined_rows(store, limit=QUARANTINE_PAGE, file_id=file_id, offset=(page - 1) * QUARANTINE_PAGE)
    return QuarantinePage(file_id, file["path"], rows, total, page, pages)
