"""A person's page (risk timeline, indicators against baselines, events, peers) and revealing who they are."""

from __future__ import annotations

import threading
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Query
from fastapi.responses import RedirectResponse, Response

from molehunt.detect.alerts import has_scores, top_suspects
from molehunt.errors import MolehuntError
from molehunt.report.plots import activity_heatmap_svg, risk_timeline_svg, svg_data_uri
from molehunt.store import Store
from molehunt.web.context import Ctx, NotFound, Web, analyst_form, viewer
from molehunt.workbench import people, trail

router = APIRouter()
MIN_JUSTIFICATION = 10


@router.get("/users/{pseudonym}")
def person_page(
    ctx: Annotated[Ctx, Depends(viewer)],
    pseudonym: str,
    day: date | None = None,
    page: Annotated[int, Query(ge=1)] = 1,
) -> Response:
    user_id = ctx.user_of(pseudonym)
    found = people.profile(ctx.store, user_id)
    if found is None:
        raise NotFound(f"nothing is known of {pseudonym}")
    focus = day or found.peak_day
    plots = _plots(ctx.web, ctx.store, user_id) if found.active_days else {}
    peer_rows = people.peers(ctx.store, user_id)
    return ctx.render(
        "person.html", profile=found, pseudonym=pseudonym, focus=focus, plots=plots,
        indicators=people.indicators(ctx.store, user_id, focus) if focus else [],
        events=people.events(ctx.store, user_id, focus, page), peers=peer_rows, user_id=user_id,
        mask=ctx.mask, revealed=user_id in ctx.revealed,
    )  # fmt: skip


def _plots(web: Web, store: Store, user_id: str) -> dict[str, str]:
    label = web.names.of(user_id)
    return {
        "timeline": web.plot("timeline", user_id, lambda: svg_data_uri(risk_timeline_svg(store, user_id, label=label))),
        "heatmap": web.plot(
            "heatmap", user_id, lambda: svg_data_uri(activity_heatmap_svg(store, user_id, label=label))
        ),
    }


def warm_plots(web: Web, limit: int, stop: threading.Event) -> int:
    """Draw the plots of the `limit` people with the highest peak risk ahead of time (the ones analysts open
    first from the queue); returns how many were drawn. Runs in a background thread at start-up."""
    store = web.cursor()
    drawn = 0
    try:
        if not has_scores(store):
            return 0
        for suspect in top_suspects(store, limit):
            if stop.is_set():
                break
            _plots(web, store, suspect.user_id)
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
    user_id = ctx.user_of(pseudonym)
    why = justification.strip()
    if len(why) < MIN_JUSTIFICATION:
        raise MolehuntError(f"write why you need this identity (at least {MIN_JUSTIFICATION} characters)")
    # The audit entry comes first: no entry, no reveal.
    trail.record(ctx.home, ctx.me.name, "reveal", user_id, {"pseudonym": pseudonym, "justification": why})
    ctx.store.con.execute("INSERT INTO web_reveals VALUES (?, ?, now()::TIMESTAMP)", [ctx.me.token_sha256, user_id])
    return RedirectResponse(f"/users/{pseudonym}" + (f"?day={day.isoformat()}" if day else ""), status_code=303)
