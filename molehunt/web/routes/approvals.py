"""The two-person rule in the dashboard: an approver (a vault subject granted with --approver) sees the pending
held requests and approves or denies each with a reason. The vault decides and audits (Vault.approve / deny): an
approver never decides their own request. Requesters are shown by pseudonym."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form
from fastapi.responses import RedirectResponse, Response

from molehunt.vault import protection
from molehunt.vault.service import Vault
from molehunt.web.context import Ctx, Forbidden, member, member_form

router = APIRouter()


def _approver(ctx: Ctx) -> None:
    with ctx.ops() as con:
        if ctx.me.name not in protection.approvers(con):
            raise Forbidden("this needs the approver capability (molehunt vault grant NAME ... --approver)")


@router.get("/approvals")
def pending(ctx: Annotated[Ctx, Depends(member)]) -> Response:
    _approver(ctx)
    vault = Vault(ctx.home, ctx.store)  # titles from the published snapshot; not an access to any document
    requests = vault.requests(state="pending")
    titles = {r.doc_id: (found.title if (found := vault.describe(r.doc_id)) else r.doc_id) for r in requests}
    return ctx.render("approvals.html", requests=requests, titles=titles)


@router.post("/approvals/{request_id}")
def decide(
    ctx: Annotated[Ctx, Depends(member_form)],
    request_id: str,
    decision: Annotated[str, Form(pattern="^(approve|deny)$")],
    reason: Annotated[str, Form(min_length=3, max_length=2000)],
) -> Response:
    _approver(ctx)
    with ctx.web.writable() as store:  # VaultDenied (own request, not pending, ...) -> 403 page with the reason
        vault = Vault(ctx.home, store)
        settle = vault.approve if decision == "approve" else vault.deny
        settle(request_id, by=ctx.me.name, reason=reason)
    return RedirectResponse("/approvals", status_code=303)
