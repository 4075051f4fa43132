"""The FastAPI application: state, error pages, security headers, routes."""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from molehunt.config import Home
from molehunt.errors import MolehuntError
from molehunt.pseudonyms import Pseudonyms
from molehunt.store import Snapshots, StoreBusy, publish_readable
from molehunt.store.publish import current_generation
from molehunt.vault.errors import VaultDenied
from molehunt.web.context import Forbidden, LoginRequired, NotFound, Web
from molehunt.web.routes import alerts, api, approvals, auth, cases, people, rules, search, sources, vault
from molehunt.web.routes import audit as audit_log
from molehunt.web.security import SecurityHeaders, trusted_proxies

STATIC = Path(__file__).parent / "static"


def create_app(home: Home, *, warm: int = 0, proxies: tuple[str, ...] = ()) -> FastAPI:
    """The dashboard over `home`: pages read the newest snapshot the pipeline published (molehunt.store.publish), so
    the server never holds the analytics store and any number of pipeline and CLI runs go on beside it.

    `warm`: how many of the riskiest people get their plots drawn in a background thread at start-up
    (`molehunt serve` asks for 1000). `proxies`: the addresses or networks (see security.trusted_proxies) whose
    X-Forwarded-For / X-Forwarded-Proto are believed; from anyone else, and by default, they are ignored, so the
    sign-in limit and the audit log see the real peer address.
    """

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        store_path = home.ensure().store_path
        if current_generation(store_path) is None:
            publish_readable(store_path)  # a home from before publishing: unless a run holds the store right now
        snapshots = Snapshots(store_path)
        try:
            web = Web(home, snapshots, Pseudonyms.for_keys_dir(home.keys_dir))
            web.learn_people()
            app.state.web = web
            stop = threading.Event()
            warmer = threading.Thread(target=people.warm_plots, args=(web, warm, stop), name="warm-plots", daemon=True)
            warmer.start()
            try:
                yield
            finally:
                stop.set()
                warmer.join()
        finally:
            snapshots.close()

    # No interactive API docs: every route is a page for a logged-in person, not a public API.
    app = FastAPI(title="molehunt", lifespan=lifespan, docs_url=None, redoc_url=None, openapi_url=None)
    app.add_middleware(SecurityHeaders)
    if proxies:
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=list(trusted_proxies(proxies)))
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    for module in (auth, alerts, people, search, cases, rules, sources, vault, approvals, api):
        app.include_router(module.router)
    app.include_router(audit_log.router)

    @app.exception_handler(LoginRequired)
    async def login_first(request: Request, exc: LoginRequired) -> Response:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303)

    @app.exception_handler(api.ApiError)
    async def api_error(request: Request, exc: api.ApiError) -> Response:
        return _error(request, exc.status, exc.message)

    @app.exception_handler(Forbidden)
    async def forbidden(request: Request, exc: Forbidden) -> Response:
        return _error(request, 403, exc.message)

    @app.exception_handler(NotFound)
    async def not_found(request: Request, exc: NotFound) -> Response:
        return _error(request, 404, exc.message)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        return _error(request, exc.status_code, str(exc.detail))

    @app.exception_handler(RequestValidationError)
    async def bad_request(request: Request, exc: RequestValidationError) -> Response:
        problems = "; ".join(f"{'.'.join(map(str, e['loc'][1:]))}: {e['msg']}" for e in exc.errors())
        return _error(request, 400, f"the request is not valid ({problems})")

    @app.exception_handler(StoreBusy)
    async def busy(request: Request, exc: StoreBusy) -> Response:
        return _error(request, 503, str(exc), headers={"Retry-After": "30"})

    @app.exception_handler(VaultDenied)
    async def denied(request: Request, exc: VaultDenied) -> Response:
        return _error(request, 403, str(exc))

    @app.exception_handler(MolehuntError)
    async def refused(request: Request, exc: MolehuntError) -> Response:
        return _error(request, 400, str(exc))

    return app


def _error(request: Request, status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    if request.url.path.startswith("/api/"):  # scripts get JSON, not a page
        return JSONResponse({"error": message}, status_code=status, headers=headers)
    web: Web = request.app.state.web
    return web.templates.TemplateResponse(
        request, "error.html", {"status": status, "message": message, "me": None, "csrf": ""}, status_code=status,
        headers=headers,
    )  # fmt: skip
