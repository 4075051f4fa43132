"""Cases: open from an alert, assign, change status, add notes, export the evidence."""

from __future__ import annotations

import json
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Form
from fastapi.responses import RedirectResponse, Response

from molehunt.web.context import Ctx, NotFound, analyst, analyst_form, viewer
from molehunt.workbench import cases, trail
from molehunt.workbench.accounts import list_users
from molehunt.workbench.cases import Case, Status

router = APIRouter()


def _case(ctx: Ctx, case_id: int) -> Case:
    found = cases.get_case(ctx.store, case_id)
    if found is None:
        raise NotFound(f"no case {case_id}")
    return found


@router.get("/cases")
def case_list(ctx: Annotated[Ctx, Depends(viewer)], status: Status | None = None) -> Response:
    return ctx.render("cases.html", cases=cases.list_cases(ctx.store, status), status=status, statuses=list(Status))


@router.post("/cases")
def open_case(
    ctx: Annotated[Ctx, Depends(analyst_form)],
    pseudonym: Annotated[str, Form(max_length=32)],
    day: Annotated[date, Form()],
    title: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    user_id = ctx.user_of(pseudonym)
    trail.record(ctx.home, ctx.me.name, "case.open", user_id, {"day": day.isoformat(), "title": title})
    case_id = cases.open_case(ctx.store, user_id, day, title, ctx.me.name)
    return RedirectResponse(f"/cases/{case_id}", status_code=303)


@router.get("/cases/{case_id}")
def case_page(ctx: Annotated[Ctx, Depends(viewer)], case_id: int) -> Response:
    found = _case(ctx, case_id)
    return ctx.render(
        "case.html", case=found, pseudonym=ctx.web.names.of(found.user_id), statuses=list(Status),
        accounts=list_users(ctx.store),
    )  # fmt: skip


@router.post("/cases/{case_id}/assign")
def assign(
    ctx: Annotated[Ctx, Depends(analyst_form)], case_id: int, assignee: Annotated[str, Form(max_length=64)]
) -> Response:
    _case(ctx, case_id)
    trail.record(ctx.home, ctx.me.name, "case.assign", f"case:{case_id}", {"assignee": assignee})
    cases.assign(ctx.store, case_id, assignee)
    return RedirectResponse(f"/cases/{case_id}", status_code=303)


@router.post("/cases/{case_id}/status")
def set_status(ctx: Annotated[Ctx, Depends(analyst_form)], case_id: int, status: Annotated[Status, Form()]) -> Response:
    _case(ctx, case_id)
    trail.record(ctx.home, ctx.me.name, "case.status", f"case:{case_id}", {"status": status.value})
    cases.set_status(ctx.store, case_id, status)
    return RedirectResponse(f"/cases/{case_id}", status_code=303)


@router.post("/cases/{case_id}/notes")
def add_note(
    ctx: Annotated[Ctx, Depends(analyst_form)], case_id: int, text: Annotated[str, Form(max_length=10000)]
) -> Response:
    _case(ctx, case_id)
    trail.record(ctx.home, ctx.me.name, "case.note", f"case:{case_id}", {"text": text.strip()})
    cases.add_note(ctx.store, case_id, ctx.me.name, text)
    return RedirectResponse(f"/cases/{case_id}", status_code=303)


@router.get("/cases/{case_id}/evidence.{fmt}")
def export(ctx: Annotated[Ctx, Depends(analyst)], case_id: int, fmt: str) -> Response:
    if fmt not in ("csv", "json"):
        raise NotFound("evidence is exported as .csv or .json")
    found = _case(ctx, case_id)
    data = cases.evidence(ctx.store, case_id, ctx.person(found.user_id))
    for event in data["events"]:
        event["recipients"] = ctx.mask(event["recipients"], found.user_id)
    trail.record(
        ctx.home, ctx.me.name, "case.export", f"case:{case_id}", {"format": fmt, "events": len(data["events"])}
    )
    name = f"molehunt-case-{case_id}-evidence.{fmt}"
    body = cases.evidence_csv(data) if fmt == "csv" else json.dumps(data, indent=2, default=str)
    media = "text/csv" if fmt == "csv" else "application/json"
    return Response(body, media_type=media, headers={"Content-Disposition": f'attachment; filename="{name}"'})
