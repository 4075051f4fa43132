"""The audit log in view (admins): entries newest first with filters, a page at a time, and the log's verification.

People among actors and targets appear as everywhere else on the dashboard: by pseudonym unless this session
revealed them. Blank filter fields (what the form sends by default) mean "any".
"""

from __future__ import annotations

from datetime import date
from functools import cache
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from molehunt.audit.errors import VerificationError
from molehunt.audit.listing import Filter, list_entries, reading, shown_with, verification
from molehunt.errors import MolehuntError
from molehunt.pseudonyms import PREFIX, Pseudonyms
from molehunt.web.context import Ctx, needs
from molehunt.workbench.accounts import Role

router = APIRouter()
admin = needs(Role.ADMIN)
PAGE = 50


@cache
def _fresh(keys_dir: Path) -> Pseudonyms:
    """The home's pseudonyms on an object of their own: naming an actor here teaches the app's object nothing, so
    whether the app knows someone (a person it learnt from the store) stays a real test."""
    return Pseudonyms.for_keys_dir(keys_dir)


def _day(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        raise MolehuntError(f"{value!r} is not a day; use YYYY-MM-DD") from None


@router.get("/audit")
def audit_log(
    ctx: Annotated[Ctx, Depends(admin)],
    action: str | None = None,
    actor: str | None = None,
    since: str | None = None,
    before: Annotated[int | None, Query(ge=0)] = None,
) -> Response:
    home, names = ctx.home, ctx.web.names
    wanted_actor = (names.resolve(actor) or actor) if actor and actor.startswith(PREFIX) else actor or None
    where = Filter(action or None, wanted_actor, _day(since))
    shown: dict[str, Any] = {"where": where, "shown_actor": actor or "", "page": None, "report": None, "rows": []}
    shown["unlisted"] = None
    if not (home.audit_dir / "entries.log").exists():
        return ctx.render("audit.html", **shown)
    with reading(home.audit_dir, home.keys_dir) as log:
        shown["report"] = verification(home.audit_dir, log)
        try:
            page = list_entries(log, where, limit=PAGE, before=before)
        except VerificationError as exc:  # a damaged entry: the verification above says where
            return ctx.render("audit.html", **(shown | {"unlisted": str(exc)}))
    fresh = _fresh(home.keys_dir)

    def person(value: str) -> str:
        return ctx.shown.person(value) if names.resolve(fresh.of(value)) == value else value

    rows = [shown_with(person, listed) for listed in page.entries]
    return ctx.render("audit.html", **(shown | {"page": page, "rows": rows}))
