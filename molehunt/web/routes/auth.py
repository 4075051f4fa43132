"""Log in and out. The login form is protected from CSRF by a double-submit token (there is no session yet)."""

from __future__ import annotations

import hmac
import secrets
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from molehunt.web.context import COOKIE, Ctx, Forbidden, context, member_form
from molehunt.workbench.accounts import Role
from molehunt.workbench.sessions import SESSION_HOURS, end_session

router = APIRouter()
LOGIN_COOKIE = "molehunt_login"


def _safe_next(target: str | None) -> str:
    """Only a path on this site (never //host or a scheme), so the login cannot redirect elsewhere."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/alerts"


def _cookie(response: Response, request: Request, name: str, value: str, max_age: int) -> None:
    secure = request.url.scheme == "https"
    response.set_cookie(name, value, max_age=max_age, httponly=True, samesite="strict", secure=secure, path="/")


@router.get("/")
def home(ctx: Annotated[Ctx, Depends(context)]) -> RedirectResponse:
    return RedirectResponse(_start(ctx), status_code=303)


def _start(ctx: Ctx) -> str:
    """Where a signed-in account starts: the vault for members (they see nothing of detection), else the queue."""
    return "/vault" if ctx.session is not None and ctx.session.role is Role.MEMBER else "/alerts"


def _login_page(ctx: Ctx, next_page: str, error: str = "", status: int = 200) -> Response:
    token = secrets.token_urlsafe(32)
    page = ctx.render("login.html", status, login_csrf=token, next=next_page, error=error)
    _cookie(page, ctx.request, LOGIN_COOKIE, token, 1800)
    return page


@router.get("/login")
def login_form(ctx: Annotated[Ctx, Depends(context)], next: str | None = None) -> Response:
    if ctx.session is not None:
        return RedirectResponse(_safe_next(next) if next else _start(ctx), status_code=303)
    return _login_page(ctx, _safe_next(next))


@router.post("/login")
def login(
    ctx: Annotated[Ctx, Depends(context)],
    username: Annotated[str, Form(max_length=64)],
    password: Annotated[str, Form(max_length=1024)],
    csrf_token: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "",
) -> Response:
    expected = ctx.request.cookies.get(LOGIN_COOKIE, "")
    if not expected or not hmac.compare_digest(expected.encode(), csrf_token.encode()):
        raise Forbidden("the login form expired: reload the page and sign in again")
    client = ctx.request.client.host if ctx.request.client else "unknown"
    wait = ctx.web.limiter.admit(username, client)
    if wait > 0:
        return _login_page(ctx, _safe_next(next), f"Too many failed sign-ins: try again in {int(wait) + 1} s.", 429)
    token = ctx.bench.sign_in(username, password, client=client)
    if token is None:
        return _login_page(ctx, _safe_next(next), "Wrong user name or password.", 401)
    ctx.web.limiter.succeeded(username, client)
    response = RedirectResponse(_safe_next(next) if next else "/", status_code=303)
    _cookie(response, ctx.request, COOKIE, token, SESSION_HOURS * 3600)
    response.delete_cookie(LOGIN_COOKIE, path="/")
    return response


@router.post("/logout")
def logout(ctx: Annotated[Ctx, Depends(member_form)]) -> Response:
    with ctx.ops() as con:
        end_session(con, ctx.request.cookies.get(COOKIE))
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(COOKIE, path="/")
    return response
