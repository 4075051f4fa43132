"""Data sources: what was ingested, and the quarantined rows of each file."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from molehunt.store.summary import ingested_files, quarantined_rows
from molehunt.web.context import Ctx, NotFound, analyst, viewer
from molehunt.workbench.accounts import Role
from molehunt.workbench.paging import page_bounds

router = APIRouter()
# Ground-truth files (answers/) name the insiders by user id in their file names and rows: admins only.
GROUND_TRUTH_ROLES = frozenset({"insiders", "answers"})
QUARANTINE_PAGE = 100


@router.get("/sources")
def source_list(ctx: Annotated[Ctx, Depends(viewer)]) -> Response:
    files = ingested_files(ctx.store)
    shown = [f for f in files if f["role"] not in GROUND_TRUTH_ROLES or ctx.me.role.allows(Role.ADMIN)]
    return ctx.render("sources.html", files=shown, hidden=len(files) - len(shown))


@router.get("/sources/{file_id}/quarantine")
def quarantine(ctx: Annotated[Ctx, Depends(analyst)], file_id: int, page: Annotated[int, Query(ge=1)] = 1) -> Response:
    file = next((f for f in ingested_files(ctx.store) if f["file_id"] == file_id), None)
    if file is None or (file["role"] in GROUND_TRUTH_ROLES and not ctx.me.role.allows(Role.ADMIN)):
        raise NotFound(f"no ingested file {file_id}")
    total = ctx.store.count("SELECT count(*) FROM quarantine WHERE file_id = ?", [file_id])
    page, pages = page_bounds(total, page, QUARANTINE_PAGE)
    rows = quarantined_rows(ctx.store, limit=QUARANTINE_PAGE, file_id=file_id, offset=(page - 1) * QUARANTINE_PAGE)
    return ctx.render(
        "quarantine.html", path=file["path"], file_id=file_id, rows=rows, total=total, page=page, pages=pages
    )
