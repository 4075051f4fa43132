"""Cases: open from an alert, add alerts, assign, set status, priority and disposition, add notes, export the
evidence (CSV, JSON, or a package bound to the audit log)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Form
from fastapi.responses import RedirectResponse, Response

from molehunt.web.context import Ctx, NotFound, analyst, analyst_form, viewer
from molehunt.workbench import alert_view, cases
from molehunt.workbench.accounts import list_users
from molehunt.workbench.actions import EvidenceFormat
from molehunt.workbench.cases import Case, Disposition, Priority, Status
from molehunt.workbench.triage import score_bands, sparkline

router = APIRouter()


def _case(ctx: Ctx, case_id: int) -> Case:
    with ctx.ops() as con:
        found = cases.get_case(con, case_id)
    if found is None:
        raise NotFound(f"no case {case_id}")
    return found


@router.get("/cases")
def case_list(ctx: Annotated[Ctx, Depends(viewer)], status: Status | None = None) -> Response:
    with ctx.ops() as con:
        found = cases.list_cases(con, status)
    return ctx.render("cases.html", cases=found, status=status, statuses=list(Status))


@router.post("/cases")
def open_case(
    ctx: Annotated[Ctx, Depends(analyst_form)],
    pseudonym: Annotated[str, Form(max_length=32)],
    day: Annotated[date, Form()],
    title: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    case_id = ctx.bench.open_case(ctx.user_of(pseudonym), day, title, by=ctx.me.name)
    return RedirectResponse(f"/cases/{case_id}", status_code=303)


@router.get("/cases/{case_id}")
def case_page(ctx: Annotated[Ctx, Depends(viewer)], case_id: int) -> Response:
    found = _case(ctx, case_id)
    with ctx.ops() as con:
        accounts = list_users(con)
    days = sorted(day for _, day in found.alerts)
    alerts = [(day, cases.alert_facts(ctx.store, found.user_id, day)) for day in days]
    for _, facts in alerts:  # as on the alert page: no reason that states a zero
        facts["shown_reasons"] = alert_view.shown_reasons(facts["reasons"] or "")
    scores = cases.timeline(ctx.store, found.user_id, days[0], days[-1])
    bands = score_bands(ctx.store)
    trend = sparkline(tuple(score for _, score in scores), bands.critical, bands.medium, width=480, height=60)
    return ctx.render(
        "case.html", case=found, pseudonym=ctx.web.names.of(found.user_id), statuses=list(Status), accounts=accounts,
        alerts=alerts, trend=trend, span=(scores[0][0], scores[-1][0]) if scores else None,
        priorities=list(Priority), dispositions=list(Disposition),
    )  # fmt: skip


@router.post("/cases/{case_id}/alerts")
def add_alert(ctx: Annotated[Ctx, Depends(analyst_form)], case_id: int, day: Annotated[date, Form()]) -> Response:
    found = _case(ctx, case_id)
    ctx.bench.add_alert(case_id, found.user_id, day, by=ctx.me.name)
    return RedirectResponse(f"/cases/{case_id}", status_code=303)


@router.post("/cases/{case_id}/facts")
def set_facts(
    ctx: Annotated[Ctx, Depends(analyst_form)],
    case_id: int,
    priority: Annotated[Priority, Form()],
    disposition: Annotated[Disposition, Form()],
) -> Response:
    _case(ctx, case_id)
    ctx.bench.set_facts(case_id, priority=priority, disposition=disposition, by=ctx.me.name)
    return RedirectResponse(f"/cases/{case_id}", status_code=303)


@router.post("/cases/{case_id}/assign")
def assign(
    ctx: Annotated[Ctx, Depends(analyst_form)], case_id: int, assignee: Annotated[str, Form(max_length=64)]
) -> Response:
    _case(ctx, case_id)
    ctx.bench.assign(case_id, assignee, by=ctx.me.name)
    return RedirectResponse(f"/cases/{case_id}", status_code=303)


@router.post("/cases/{case_id}/status")
def set_status(ctx: Annotated[Ctx, Depends(analyst_form)], case_id: int, status: Annotated[Status, Form()]) -> Response:
    _case(ctx, case_id)
    ctx.bench.set_status(case_id, status, by=ctx.me.name)
    return RedirectResponse(f"/cases/{case_id}", status_code=303)


@router.post("/cases/{case_id}/notes")
def add_note(
    ctx: Annotated[Ctx, Depends(analyst_form)], case_id: int, text: Annotated[str, Form(max_length=10000)]
) -> Response:
    _case(ctx, case_id)
    ctx.bench.add_note(case_id, text, by=ctx.me.name)
    return RedirectResponse(f"/cases/{case_id}", status_code=303)


@router.get("/cases/{case_id}/evidence.{fmt}")
def export(ctx: Annotated[Ctx, Depends(analyst)], case_id: int, fmt: str) -> Response:
    if fmt not in {f.value for f in EvidenceFormat}:
        raise NotFound("evidence is exported as .csv, .json or .package")
    _case(ctx, case_id)
    done = ctx.bench.export_evidence(case_id, EvidenceFormat(fmt), ctx.shown, by=ctx.me.name)
    headers = {"Content-Disposition": f'attachment; filename="{done.name}"'}
    return Response(done.body, media_type=done.media_type, headers=headers)
