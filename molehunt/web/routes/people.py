"""The people index, a person's page (triage, risk timeline, indicators against baselines, events, peers), revealing
who they are, and the person's triage (assignee, status)."""

from __future__ import annotations

import functools
import threading
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Query
from fastapi.responses import RedirectResponse, Response

from molehunt.protect import Level, level_of
from molehunt.store import Store
from molehunt.web.context import Ctx, Forbidden, NotFound, Web, analyst_form, viewer
from molehunt.web.routes.alerts import Day, back_to
from molehunt.workbench import alert_view, people, plots, triage
from molehunt.workbench.accounts import Role, list_users
from molehunt.workbench.people import IndexSort
from molehunt.workbench.rules import current_rules
from molehunt.workbench.triage import Disposition, Status, TriageDesk

router = APIRouter()


@router.get("/users")
def people_index(
    ctx: Annotated[Ctx, Depends(viewer)], sort: IndexSort = IndexSort.PSEUDONYM, page: Annotated[int, Query(ge=1)] = 1
) -> Response:
    found = people.people_index(ctx.store, ctx.web.names.of, sort, page)
    return ctx.render("users.html", index=found, sort=sort, sorts=list(IndexSort))


@router.get("/users/{pseudonym}")
def person_page(
    ctx: Annotated[Ctx, Depends(viewer)],
    pseudonym: str,
    day: Day = None,
    page: Annotated[int, Query(ge=1)] = 1,
    start: Annotated[Day, Query(alias="from")] = None,
    end: Annotated[Day, Query(alias="to")] = None,
    kind: Annotated[list[str] | None, Query(max_length=len(people.EVENT_KINDS))] = None,
) -> Response:
    user_id = ctx.user_of(pseudonym)
    found = people.profile(ctx.store, user_id)
    if found is None:
        raise NotFound(f"nothing is known of {pseudonym}")
    focus = day or found.peak_day
    explored = None
    if focus:
        first, last = start or focus, end or start or focus
        known = {rule.id: rule for rule in current_rules(ctx.store)}
        fired = [
            known[r] for r in people.fired_rules(ctx.store, user_id, min(first, last), max(first, last)) if r in known
        ]
        explored = people.explore(
            ctx.store, user_id, first, last, tuple(kind or ()), alert_view.trigger_filter(fired), page
        )
    drawn = _plots(ctx.web, ctx.store, user_id) if found.active_days else {}
    peer_rows = people.peers(ctx.store, user_id)
    with ctx.ops() as con:
        state = triage.person_triage(ctx.store, con, user_id) if found.active_days else None
        accounts = list_users(con)
        # Analysts only, and never on one's own page: a person is not told their level.
        shows_level = ctx.me.role.allows(Role.ANALYST) and ctx.me.name != user_id
        protection = level_of(con, user_id) if shows_level else None
    return ctx.render(
        "person.html", profile=found, pseudonym=pseudonym, focus=focus, plots=drawn,
        indicators=people.indicators(ctx.store, user_id, focus) if focus else [],
        events=explored, kinds=people.EVENT_KINDS, peers=peer_rows, user_id=user_id,
        mask=ctx.shown.mask, revealed=ctx.shown.shows(user_id), triage=state, accounts=accounts,
        dispositions=list(Disposition), statuses=list(Status), protection=protection, levels=list(Level),
    )  # fmt: skip


def _plots(web: Web, store: Store, user_id: str) -> dict[str, str]:
    """The person's plots, drawn once and kept for the server's lifetime."""
    label = web.names.of(user_id)
    return {
        kind: web.plot(kind, user_id, functools.partial(draw, store, user_id, label))
        for kind, draw in plots.PERSON_PLOTS.items()
    }


def warm_plots(web: Web, limit: int, stop: threading.Event) -> int:
    """Draw the plots of the `limit` riskiest people ahead of time (the ones analysts open first from the queue);
    returns how many were drawn. Runs in a background thread at start-up."""
    store = web.cursor()
    drawn = 0
    try:
        for user_id in plots.riskiest(store, limit):
            if stop.is_set():
                break
            _plots(web, store, user_id)
            drawn += 1
    finally:
        store.close()
    return drawn


@router.post("/users/{pseudonym}/reveal")
def reveal(
    ctx: Annotated[Ctx, Depends(analyst_form)],
    pseudonym: str,
    justification: Annotated[str, Form(max_length=2000)] = "",
    day: Annotated[date | None, Form()] = None,
) -> Response:
    ctx.bench.reveal(ctx.me, ctx.user_of(pseudonym), pseudonym, justification)
    return RedirectResponse(f"/users/{pseudonym}" + (f"?day={day.isoformat()}" if day else ""), status_code=303)


@router.post("/users/{pseudonym}/assign")
def assign(
    ctx: Annotated[Ctx, Depends(analyst_form)],
    pseudonym: str,
    assignee: Annotated[str, Form(max_length=64)] = "",
    back: Annotated[str | None, Form(max_length=500)] = None,
) -> Response:
    user_id = ctx.user_of(pseudonym)
    with ctx.ops() as con:
        names = {a.name for a in list_users(con) if not a.disabled}
        TriageDesk(ctx.home, ctx.store, con).assign(user_id, assignee, names, by=ctx.me.name)
    return RedirectResponse(back_to(back, f"/users/{pseudonym}"), status_code=303)


@router.post("/users/{pseudonym}/status")
def set_status(
    ctx: Annotated[Ctx, Depends(analyst_form)],
    pseudonym: str,
    status: Annotated[Status, Form()],
    back: Annotated[str | None, Form(max_length=500)] = None,
) -> Response:
    user_id = ctx.user_of(pseudonym)
    with ctx.ops() as con:
        TriageDesk(ctx.home, ctx.store, con).set_status(user_id, status, by=ctx.me.name)
    return RedirectResponse(back_to(back, f"/users/{pseudonym}"), status_code=303)


@router.post("/users/{pseudonym}/protection")
def set_protection(
    ctx: Annotated[Ctx, Depends(analyst_form)],
    pseudonym: str,
    level: Annotated[Level, Form()],
    reason: Annotated[str, Form(min_length=3, max_length=2000)],
) -> Response:
    user_id = ctx.user_of(pseudonym)
    if user_id == ctx.me.name:
        raise Forbidden("nobody sets their own protection level")
    ctx.bench.set_protection(user_id, level, reason, by=ctx.me.name)  # audit entry protect.change first
    return RedirectResponse(f"/users/{pseudonym}#protection", status_code=303)
