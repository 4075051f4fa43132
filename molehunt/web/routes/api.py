"""A small JSON API over the vault for scripts, as the signed-in account (docs/vault-web.md).

Authentication is the dashboard's own session cookie (sign in with POST /login, as the browser does); a POST also
carries the session's CSRF token in the X-CSRF-Token header (GET /api/session gives it). There is no user name
parameter anywhere: the account is the vault subject. Errors are JSON {"error": ...} with the status.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response

from molehunt.vault.errors import VaultHeld
from molehunt.vault.service import DocumentInfo, Vault
from molehunt.web.context import Ctx, context
from molehunt.web.routes.vault import media_of, send_copy

router = APIRouter(prefix="/api")
CSRF_HEADER = "X-CSRF-Token"


class ApiError(Exception):
    """Answered as JSON {"error": message} with `status` (see app.py)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def _signed_in(ctx: Annotated[Ctx, Depends(context)]) -> Ctx:
    if ctx.session is None:
        raise ApiError(401, "sign in first (POST /login); the API uses the dashboard's session cookie")
    return ctx


def _signed_in_post(request: Request, ctx: Annotated[Ctx, Depends(_signed_in)]) -> Ctx:
    if not ctx.me.csrf_ok(request.headers.get(CSRF_HEADER)):
        raise ApiError(403, f"the {CSRF_HEADER} header is missing or stale: GET /api/session for the current one")
    return ctx


def _document(info: DocumentInfo) -> dict[str, object]:
    return {"doc_id": info.doc_id, "title": info.title, "label": str(info.label), "project": info.project,
            "content_type": info.content_type, "size": info.size, "added_at": info.added_at.isoformat()}  # fmt: skip


def _held(exc: VaultHeld) -> JSONResponse:
    return JSONResponse({"held": True, "request": exc.request_id}, status_code=202)


@router.get("/session")
def session(ctx: Annotated[Ctx, Depends(_signed_in)]) -> dict[str, str]:
    return {"user": ctx.me.name, "csrf_token": ctx.me.csrf_token}


@router.get("/vault/documents")
def documents(ctx: Annotated[Ctx, Depends(_signed_in)]) -> Response:
    with ctx.web.writable() as store:  # listing is audited too
        vault = Vault(ctx.home, store)
        if vault.subject(ctx.me.name) is None:
            return JSONResponse({"error": f"{ctx.me.name} has no vault clearance"}, status_code=403)
        shown = vault.ls(as_user=ctx.me.name)  # VaultDenied -> 403 {"error": ...} (app.py)
    return JSONResponse([_document(info) for info in shown])


@router.get("/vault/documents/{doc_id}")
def read(ctx: Annotated[Ctx, Depends(_signed_in)], doc_id: str) -> Response:
    with ctx.web.writable() as store:
        vault = Vault(ctx.home, store)
        try:
            data = vault.read(doc_id, as_user=ctx.me.name)
        except VaultHeld as exc:
            return _held(exc)
        info = vault.describe(doc_id)
    return Response(data, media_type=media_of(info, pdf=False))


@router.post("/vault/documents/{doc_id}/checkout")
def checkout(ctx: Annotated[Ctx, Depends(_signed_in_post)], doc_id: str, pdf: bool = False) -> Response:
    with ctx.web.writable() as store:
        vault = Vault(ctx.home, store)
        try:
            done, data = vault.checkout_copy(doc_id, for_user=ctx.me.name, delivered_to="api download", pdf=pdf)
        except VaultHeld as exc:
            return _held(exc)
        info = vault.describe(doc_id)
    return send_copy(done, data, info, pdf=pdf)
