"""Data sources: what was ingested, and the quarantined rows of each file."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from molehunt.web.context import Ctx, NotFound, analyst, viewer

router = APIRouter()
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
    return ctx.render("sources.html", files=files)


@router.get("/sources/{file_id}/quarantine")
def quarantine(ctx: Annotated[Ctx, Depends(analyst)], file_id: int, page: Annotated[int, Query(ge=1)] = 1) -> Response:
    found = ctx.store.con.execute("SELECT path, rows_quarantined FROM ingested_files WHERE file_id = ?", [file_id])
    file = found.fetchall()
    if not file:
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
