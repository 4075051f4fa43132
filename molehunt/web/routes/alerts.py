"""The alert queue and one alert."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Query
from fastapi.responses import RedirectResponse, Response
from pydantic import BeforeValidator

from molehunt.web.context import Ctx, NotFound, analyst_form, viewer
from molehunt.workbench import people, queue
from molehunt.workbench.queue import QueueFilter, Sort
from molehunt.workbench.rules import current_rules

router = APIRouter()


def _blank_is_unset(value: object) -> object:
    """An empty form field (the filter form sends `since=&until=` by default) means the filter is not set."""
    return None if isinstance(value, str) and not value.strip() else value


Day = Annotated[date | None, BeforeValidator(_blank_is_unset)]
Number = Annotated[float | None, BeforeValidator(_blank_is_unset)]


@router.get("/alerts")
def alert_queue(
    ctx: Annotated[Ctx, Depends(viewer)],
    scenario: Annotated[str | None, Query(max_length=64)] = None,  # blank: any (see below)
    min_score: Number = None,
    since: Day = None,
    until: Day = None,
    sort: Sort = Sort.SCORE,
    page: Annotated[int, Query(ge=1)] = 1,
    dismissed: bool = False,
) -> Response:
    if not queue.scored(ctx.store):
        return ctx.render("empty.html", what="Nothing is scored yet: run `molehunt score` (or `molehunt demo`).")
    rules = current_rules(ctx.store)
    wanted = QueueFilter(scenario or None, min_score, since, until, sort, page, dismissed)
    found = queue.alert_queue(ctx.store, wanted, rules)
    return ctx.render("alerts.html", page=found, wanted=wanted, scenarios=queue.scenario_rules(rules), sorts=list(Sort))


@router.post("/alerts/dismiss")
def dismiss(
    ctx: Annotated[Ctx, Depends(analyst_form)],
    reason: Annotated[str, Form(max_length=500)] = "",
    alert: Annotated[list[str] | None, Form()] = None,
) -> Response:
    keys = []
    for item in alert or []:
        pseudonym, _, day = item.partition("|")
        keys.append((ctx.user_of(pseudonym), date.fromisoformat(day)))
    if not keys:
        return RedirectResponse("/alerts", status_code=303)
    ctx.bench.dismiss(keys, reason, by=ctx.me.name)
    return RedirectResponse("/alerts", status_code=303)


@router.get("/alerts/{pseudonym}/{day}")
def one_alert(ctx: Annotated[Ctx, Depends(viewer)], pseudonym: str, day: date) -> Response:
    user_id = ctx.user_of(pseudonym)
    found = queue.alert(ctx.store, user_id, day)
    if found is None:
        raise NotFound(f"no alert for {pseudonym} on {day.isoformat()}")
    rules = {rule.id: rule for rule in current_rules(ctx.store)}
    return ctx.render(
        "alert.html", alert=found, pseudonym=pseudonym, rules=rules,
        indicators=[i for i in people.indicators(ctx.store, user_id, day) if i.value][:12],
    )  # fmt: skip
