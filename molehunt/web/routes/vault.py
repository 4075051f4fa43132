"""The vault through the dashboard: list what the caller may see, read, and check out a personal copy.

The signed-in account name is the vault subject; the vault's own policy (clearance, need-to-know, rate limit,
two-person rule) decides, and every request, allowed, refused or held, is in the audit log and the event store.
A held request answers a page saying it needs approval, and nothing about why.
"""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import APIRouter, Depends, Form
from fastapi.responses import Response

from molehunt.vault.errors import VaultHeld
from molehunt.vault.service import Checkout, DocumentInfo, Vault
from molehunt.web.context import Ctx, member, member_form

router = APIRouter()
_TEXT_TYPES = {"txt"}
_SUFFIXES = {"txt": ".txt", "pdf": ".pdf", "doc": ".doc", "docx": ".docx", "jpg": ".jpg", "zip": ".zip", "exe": ".exe"}


def media_of(info: DocumentInfo | None, *, pdf: bool) -> str:
    if pdf:
        return "application/pdf"
    return "text/plain; charset=utf-8" if info and info.content_type in _TEXT_TYPES else "application/octet-stream"


def send_copy(done: Checkout, data: bytes, info: DocumentInfo | None, *, pdf: bool) -> Response:
    """A checked-out copy as a download, with its audit entry and whether it carries a fingerprint."""
    suffix = ".pdf" if pdf else _SUFFIXES.get(info.content_type if info else "", ".bin")
    safe = re.sub(r"[^A-Za-z0-9._-]", "_", done.doc_id)
    headers = {
        "Content-Disposition": f'attachment; filename="{safe}-{done.recipient}{suffix}"',
        "X-Molehunt-Audit-Entry": str(done.audit_seq),
        "X-Molehunt-Fingerprint": "yes" if done.fingerprinted else "no",
    }
    return Response(data, media_type="application/pdf" if pdf else "application/octet-stream", headers=headers)


def _held(ctx: Ctx, doc_id: str, action: str, request_id: str) -> Response:
    return ctx.render("vault_held.html", status_code=202, doc_id=doc_id, action=action, request_id=request_id)


@router.get("/vault")
def documents(ctx: Annotated[Ctx, Depends(member)]) -> Response:
    # Every vault operation, listing included, is recorded in the store: it is opened read-write for the moment
    # (503 while a pipeline run holds it: see Web.writable).
    with ctx.web.writable() as store:
        vault = Vault(ctx.home, store)
        subject = vault.subject(ctx.me.name)
        shown = vault.ls(as_user=ctx.me.name) if subject is not None else []
    return ctx.render("vault.html", documents=shown, subject=subject)


@router.get("/vault/{doc_id}")
def read(ctx: Annotated[Ctx, Depends(member)], doc_id: str) -> Response:
    with ctx.web.writable() as store:
        vault = Vault(ctx.home, store)
        try:
            data = vault.read(doc_id, as_user=ctx.me.name)  # VaultDenied -> 403 page with the reason
        except VaultHeld as exc:
            return _held(ctx, doc_id, "read", exc.request_id)
        info = vault.describe(doc_id)
    assert info is not None  # the read succeeded
    text = data.decode("utf-8", "replace") if info.content_type in _TEXT_TYPES else None
    return ctx.render("document.html", doc=info, text=text, size=len(data))


@router.post("/vault/{doc_id}/checkout")
def checkout(ctx: Annotated[Ctx, Depends(member_form)], doc_id: str, pdf: Annotated[bool, Form()] = False) -> Response:
    with ctx.web.writable() as store:
        vault = Vault(ctx.home, store)
        try:
            done, data = vault.checkout_copy(doc_id, for_user=ctx.me.name, delivered_to="web download", pdf=pdf)
        except VaultHeld as exc:
            return _held(ctx, doc_id, "checkout", exc.request_id)
        info = vault.describe(doc_id)
    return send_copy(done, data, info, pdf=pdf)
