"""Data sources: what was ingested, and the quarantined rows of each file."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from molehunt.web.context import Ctx, NotFound, analyst, viewer
from molehunt.workbench.accounts import Role

router = APIRouter()
# Ground-truth files (answers/) name the insiders by user id in their file names and rows: admins only.
GROUND_TRUTH_ROLES = frozenset({"insiders", "answers"})
QUARANTINE_PAGE = 100


@router.get("/sources")
def source_list(ctx: Annotated[Ctx, Depends(viewer)]) -> Response:
    rows = ctx.store.con.execute(
        "SELECT file_id, path, source, release, role, size_bytes, rows_read, rows_ingested, rows_quarantined,"
        " ingested_at, status FROM ingested_files ORDER BY file_id"
    ).fetchall()
    names = ("file_id", "path", "source", "release", "role", "size_bytes", "rows_read", "rows_ingested",
             "rows_quarantined", "ingested_at", "status")  # fmt: skip
    files = [dict(zip(names, row, strict=True)) for row in rows]
    shown = [f for f in files if f["role"] not in GROUND_TRUTH_ROLES or ctx.me.role.allows(Role.ADMIN)]
    return ctx.render("sources.html", files=shown, hidden=len(files) - len(shown))


@router.get("/sources/{file_id}/quarantine")
def quarantine(ctx: Annotated[Ctx, Depends(analyst)], file_id: int, page: Annotated[int, Query(ge=1)] = 1) -> Response:
    found = ctx.store.con.execute("SELECT path, role FROM ingested_files WHERE file_id = ?", [file_id])
    file = found.fetchall()
    if not file or (file[0][1] in GROUND_TRUTH_ROLES and not ctx.me.role.allows(Role.ADMIN)):
        raise NotFound(f"no ingested file {file_id}")
    total = ctx.store.count("SELECT count(*) FROM quarantine WHERE file_id = ?", [file_id])
    pages = max(1, -(-total // QUARANTINE_PAGE))
    page = min(page, pages)
    rows = ctx.store.con.execute(
        "SELECT line, reason, raw FROM quarantine WHERE file_id = ? ORDER BY line LIMIT ? OFFSET ?",
        [file_id, QUARANTINE_PAGE, (page - 1) * QUARANTINE_PAGE],
    ).fetchall()
    return ctx.render(
        "quarantine.html", path=file[0][0], file_id=file_id, rows=rows, total=total, page=page, pages=pages
    )
