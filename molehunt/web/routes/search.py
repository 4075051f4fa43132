"""One search box over people, files, hosts, web domains and vault documents."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from molehunt.errors import MolehuntError
from molehunt.store import StoreBusy
from molehunt.vault.service import DocumentInfo, Vault
from molehunt.web.context import Ctx, viewer
from molehunt.workbench import search
from molehunt.workbench.accounts import Role
from molehunt.workbench.search import SearchError

router = APIRouter()
VAULT_WAIT = 0.5  # seconds a search waits for the store to list vault documents (a page answers within a second)


@router.get("/search")
def search_page(ctx: Annotated[Ctx, Depends(viewer)], q: Annotated[str, Query(max_length=500)] = "") -> Response:
    may_reveal = ctx.me.role.allows(Role.ANALYST)  # the roles that may reveal an identity
    if not q.strip():
        return ctx.render("search.html", query="", results=None, problem=None, may_reveal=may_reveal)
    try:
        docs, vault_problem = _visible_documents(ctx)
        found = search.search(ctx.store, ctx.web.names, q, may_reveal=may_reveal, documents=docs)
    except SearchError as exc:
        return ctx.render("search.html", query=q, results=None, problem=str(exc), may_reveal=may_reveal)
    for user_id in found.by_real_id:  # recorded before the page names who it is
        ctx.bench.record(ctx.me.name, "search.identity", user_id, {"query": found.query})
    return ctx.render("search.html", query=q, results=found, problem=vault_problem, may_reveal=may_reveal)


def _visible_documents(ctx: Ctx) -> tuple[list[DocumentInfo], str | None]:
    """The vault documents the caller may see, listed by the vault as its page does (its policy decides, and the
    listing is recorded, so the store is opened read-write for it); a caller without clearance lists nothing. While a
    pipeline run holds the store the rest of the search still answers at once, saying documents were left out."""
    if Vault(ctx.home, ctx.store).subject(ctx.me.name) is None:  # from the snapshot: no clearance, no documents
        return [], None
    try:
        with ctx.web.writable(wait=VAULT_WAIT) as store:
            return Vault(ctx.home, store).ls(as_user=ctx.me.name), None
    except StoreBusy:
        return [], "vault documents are not searched while an ingest or scoring run holds the store; try again later"
    except MolehuntError as exc:
        return [], f"vault documents are not searched now: {exc}"
