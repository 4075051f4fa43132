"""Data sources: what was ingested, and the quarantined rows of each file."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from molehunt.web.context import Ctx, NotFound, analyst, viewer
from molehunt.workbench import sources

router = APIRouter()


@router.get("/sources")
def source_list(ctx: Annotated[Ctx, Depends(viewer)]) -> Response:
    files = sources.visible_files(ctx.store, ctx.me.role)
    return ctx.render("sources.html", files=files.shown, hidden=files.hidden)


@router.get("/sources/{file_id}/quarantine")
def quarantine(ctx: Annotated[Ctx, Depends(analyst)], file_id: int, page: Annotated[int, Query(ge=1)] = 1) -> Response:
    found = sources.quarantine_page(ctx.store, ctx.me.role, file_id, page)
    if found is None:
        raise NotFound(f"no ingested file {file_id}")
    return ctx.render(
        "quarantine.html", path=found.path, file_id=file_id, rows=found.rows, total=found.total, page=found.page,
        pages=found.pages,
    )  # fmt: skip
