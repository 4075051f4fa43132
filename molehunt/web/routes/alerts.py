"""The alert queue by person, one alert, and the triage actions on alerts (confirm, dismiss, escalate)."""

from __future__ import annotations

from datetime import date
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Query
from fastapi.responses import RedirectResponse, Response
from pydantic import BeforeValidator

from molehunt.web.context import Ctx, NotFound, analyst_form, viewer
from molehunt.workbench import alert_view, people, queue, triage
from molehunt.workbench.accounts import list_users
from molehunt.workbench.rules import current_rules
from molehunt.workbench.triage import Band, Disposition, PersonSort, Status, TriageDesk, TriageFilter

router = APIRouter()


def _blank_is_unset(value: object) -> object:
    """An empty form field (the filter form sends `since=&until=` by default) means the filter is not set."""
    return None if isinstance(value, str) and not value.strip() else value


Day = Annotated[date | None, BeforeValidator(_blank_is_unset)]
Number = Annotated[float | None, BeforeValidator(_blank_is_unset)]
Text = Annotated[str | None, Query(max_length=64)]  # blank: unset (see alert_queue)


def back_to(target: str | None, default: str) -> str:
    """Where a form returns to: a path of this site only (never another host), else `default`."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return default


@router.get("/alerts")
def alert_queue(
    ctx: Annotated[Ctx, Depends(viewer)],
    band: Annotated[Band | None, BeforeValidator(_blank_is_unset)] = None,
    status: Annotated[Status | None, BeforeValidator(_blank_is_unset)] = None,
    scenario: Text = None,
    assignee: Text = None,
    since: Day = None,
    until: Day = None,
    min_score: Number = None,
    sort: Annotated[PersonSort, BeforeValidator(lambda v: v or PersonSort.PEAK)] = PersonSort.PEAK,
    page: Annotated[int, Query(ge=1)] = 1,
) -> Response:
    if not queue.scored(ctx.store):
        return ctx.render("empty.html", what="Nothing is scored yet: run `molehunt score` (or `molehunt demo`).")
    rules = current_rules(ctx.store)
    wanted = TriageFilter(band, status, scenario or None, assignee or None, since, until, min_score, sort, page)
    with ctx.ops() as con:
        found = triage.person_queue(ctx.store, con, wanted, rules)
        accounts = list_users(con)
    top = max((row.peak for row in found.rows), default=found.bands.critical)

    def spark(row: triage.PersonRow) -> str:
        return alert_view.sparkline(row.trend, top, found.threshold)

    return ctx.render(
        "alerts.html", queue=found, wanted=wanted, scenarios=queue.scenario_rules(rules), sorts=list(PersonSort),
        bands=list(Band), statuses=list(Status), accounts=accounts, dispositions=list(Disposition),
        spark=spark, link=lambda **changed: _link(ctx, changed),
    )  # fmt: skip


def _link(ctx: Ctx, changed: dict[str, str]) -> str:
    """The current query with some fields changed ("" removes one), blank fields dropped (they mean unset), back on
    page 1 (for the count links)."""
    kept = [(k, v) for k, v in ctx.request.query_params.multi_items() if k not in changed and k != "page" and v.strip()]
    return urlencode(kept + [(k, v) for k, v in changed.items() if v])


def _keys(ctx: Ctx, alerts: list[str] | None) -> list[tuple[str, date]]:
    """Form values "PSEUDONYM|DAY" as (user id, day)."""
    keys = []
    for item in alerts or []:
        pseudonym, _, day = item.partition("|")
        try:
            keys.append((ctx.user_of(pseudonym), date.fromisoformat(day)))
        except ValueError:
            raise NotFound(f"no alert {item!r}") from None
    return keys


@router.post("/alerts/dismiss")
def dismiss(
    ctx: Annotated[Ctx, Depends(analyst_form)],
    disposition: Annotated[Disposition, Form()] = Disposition.OTHER,
    note: Annotated[str, Form(max_length=2000)] = "",
    reason: Annotated[str, Form(max_length=500)] = "",  # the older form's field: a note with the disposition 'other'
    alert: Annotated[list[str] | None, Form()] = None,
    back: Annotated[str | None, Form(max_length=500)] = None,
) -> Response:
    keys = _keys(ctx, alert)
    if keys:
        with ctx.ops() as con:
            TriageDesk(ctx.home, ctx.store, con).dismiss(keys, disposition, note or reason, by=ctx.me.name)
    return RedirectResponse(back_to(back, "/alerts"), status_code=303)


def _alert_key(ctx: Ctx, pseudonym: str, day: date) -> str:
    user_id = ctx.user_of(pseudonym)
    if not triage.is_scored(ctx.store, user_id, day):
        raise NotFound(f"no alert for {pseudonym} on {day.isoformat()}")
    return user_id


@router.post("/alerts/{pseudonym}/{day}/confirm")
def confirm(
    ctx: Annotated[Ctx, Depends(analyst_form)], pseudonym: str, day: date,
    note: Annotated[str, Form(max_length=2000)] = "", back: Annotated[str | None, Form(max_length=500)] = None,
) -> Response:  # fmt: skip
    user_id = _alert_key(ctx, pseudonym, day)
    with ctx.ops() as con:
        TriageDesk(ctx.home, ctx.store, con).confirm(user_id, day, note, by=ctx.me.name)
    return RedirectResponse(back_to(back, f"/alerts/{pseudonym}/{day.isoformat()}"), status_code=303)


@router.post("/alerts/{pseudonym}/{day}/escalate")
def escalate(
    ctx: Annotated[Ctx, Depends(analyst_form)], pseudonym: str, day: date,
    title: Annotated[str, Form(max_length=200)] = "",
) -> Response:  # fmt: skip
    """Open a case from the alert (the cases' own action) and mark the person escalated to it."""
    user_id = _alert_key(ctx, pseudonym, day)
    case_id = ctx.bench.open_case(user_id, day, title, by=ctx.me.name)
    with ctx.ops() as con:
        TriageDesk(ctx.home, ctx.store, con).escalated(user_id, case_id, by=ctx.me.name)
    return RedirectResponse(f"/cases/{case_id}", status_code=303)


@router.get("/alerts/{pseudonym}/{day}")
def one_alert(ctx: Annotated[Ctx, Depends(viewer)], pseudonym: str, day: date) -> Response:
    user_id = ctx.user_of(pseudonym)
    with ctx.ops() as con:
        found = queue.alert(ctx.store, con, user_id, day)
        if found is None:
            raise NotFound(f"no alert for {pseudonym} on {day.isoformat()}")
        state = triage.person_triage(ctx.store, con, user_id)
        accounts = list_users(con)
    rules = {rule.id: rule for rule in current_rules(ctx.store)}
    fired = [rules[rid] for rid in found.rules if rid in rules]
    this = next((a for a in state.alerts if a.day == day), None)
    return ctx.render(
        "alert.html", alert=found, pseudonym=pseudonym, rules=rules, reasons=alert_view.shown_reasons(found.reasons),
        indicators=[i for i in people.indicators(ctx.store, user_id, day) if i.value][:12],
        events=people.day_events(ctx.store, user_id, day, alert_view.trigger_filter(fired)), user_id=user_id,
        mask=ctx.shown.mask, triage=state, this=this, band=state.bands.of(found.score), accounts=accounts,
        dispositions=list(Disposition), statuses=list(Status),
    )  # fmt: skip
