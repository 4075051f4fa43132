"""What every route gets: the app-wide state, a per-request store cursor, the caller's session, and role checks."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from molehunt.config import Home
from molehunt.pseudonyms import Pseudonyms
from molehunt.store import Snapshots, Store, StoreBusy, open_briefly, publish
from molehunt.web.security import LoginLimiter
from molehunt.workbench import identities
from molehunt.workbench.accounts import Role
from molehunt.workbench.actions import Workbench
from molehunt.workbench.identities import Identities
from molehunt.workbench.ops import connect as connect_ops
from molehunt.workbench.sessions import Session, session_for

COOKIE = "molehunt_session"
TEMPLATES = Path(__file__).parent / "templates"


class LoginRequired(Exception):
    """No live session: the page redirects to the login form."""


class Forbidden(Exception):
    """The caller's role may not do this, or the form's CSRF token is missing or wrong."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _replace_page(params: Any, page: int) -> str:
    """The query string of the current page with another page number (for pager links)."""
    kept = [(key, value) for key, value in params.multi_items() if key != "page"]
    return urlencode([*kept, ("page", str(page))])


def _templates() -> Jinja2Templates:
    templates = Jinja2Templates(directory=str(TEMPLATES))
    templates.env.filters["replace_page"] = _replace_page
    return templates


@dataclass
class Web:
    """App-wide state, built once at start-up. It holds no connection to the analytics store: requests read the
    newest published snapshot (`cursor`), and the few actions that write the store open it briefly (`writable`)."""

    home: Home
    snapshots: Snapshots
    names: Pseudonyms
    limiter: LoginLimiter = field(default_factory=LoginLimiter)
    templates: Jinja2Templates = field(default_factory=lambda: _templates())
    emails: dict[str, str] = field(default_factory=dict)  # directory e-mail address -> user id
    # Rendered plots by (kind, user id), for the snapshot generation they were drawn from: a new generation (new
    # scores) drops them. The bound keeps memory flat (about 40 KiB a plot, so at most about 160 MiB).
    _plots: OrderedDict[tuple[str, str], str] = field(default_factory=OrderedDict)
    _plots_lock: threading.Lock = field(default_factory=threading.Lock)
    _generation: int | None = None  # of the snapshot the plots and `emails` come from
    _learnt_at: float = 0.0
    _writing: threading.Lock = field(default_factory=threading.Lock)

    def cursor(self) -> Store:
        """A read-only store over the newest published snapshot, on its own connection: one per request or thread
        (close it when done). The first one of a new generation drops the plots and re-reads who is known."""
        store = self.snapshots.connect()
        if self.snapshots.generation != self._generation:
            self._new_generation(store)
        return store

    def _new_generation(self, store: Store) -> None:
        with self._plots_lock:
            if self.snapshots.generation == self._generation:
                return  # another request got here first
            self._generation = self.snapshots.generation
            self._plots.clear()
        self._learn(store)

    @contextmanager
    def writable(self, wait: float = 3.0) -> Iterator[Store]:
        """The analytics store, read-write, for one short action (a vault read, a rule change), one at a time in
        this process. StoreBusy (503) when a pipeline run keeps it for `wait` seconds: the one place a page
        waits for the pipeline, by design (docs/operations.md, Always on)."""
        # Actions of this server take turns (as vault operations do anyway); only another process holding the store
        # is "busy". A queue of a hundred vault reads takes seconds, so the turn is waited for longer.
        if not self._writing.acquire(timeout=60.0):
            raise StoreBusy("the dashboard is busy with other vault reads or rule changes; try again")
        try:
            with open_briefly(self.home.store_path, wait=wait) as store:
                yield store
        finally:
            self._writing.release()

    def publish(self, store: Store) -> None:
        """Publish after a dashboard action changed what pages show (a rule change), from `writable`'s store."""
        publish(store)

    def plot(self, kind: str, user_id: str, draw: Callable[[], str], keep: int = 4096) -> str:
        """The cached plot, drawing it (outside the lock) when missing."""
        with self._plots_lock:
            generation = self._generation
            found = self._plots.get((kind, user_id))
            if found is not None:
                self._plots.move_to_end((kind, user_id))
                return found
        drawn = draw()
        with self._plots_lock:
            if generation == self._generation:  # not drawn from a snapshot replaced meanwhile
                self._plots[(kind, user_id)] = drawn
            while len(self._plots) > keep:
                self._plots.popitem(last=False)
        return drawn

    def relearn_due(self, every: float = 60.0) -> bool:
        """Whether an unknown pseudonym may trigger re-reading who is known (at most once a minute: it scans)."""
        return time.monotonic() - self._learnt_at > every

    def learn_people(self) -> None:
        """Re-read who is known, so people added since start-up (e.g. vault users) resolve."""
        before = self._learnt_at
        cursor = self.cursor()
        try:
            if self._learnt_at == before:  # else opening a new generation just did
                self._learn(cursor)
        finally:
            cursor.close()

    def _learn(self, store: Store) -> None:
        self._learnt_at = time.monotonic()
        self.emails = identities.learn(store, self.names)


@dataclass
class Ctx:
    """One request: its store cursor (own transactions), the session and whom it may see by name."""

    request: Request
    web: Web
    store: Store
    session: Session | None
    shown: Identities

    @property
    def home(self) -> Home:
        return self.web.home

    @property
    def me(self) -> Session:
        assert self.session is not None  # guarded by needs()
        return self.session

    @property
    def bench(self) -> Workbench:
        """The audit-first actions over this request's store (each opens its own operational store connection)."""
        return Workbench(self.web.home, self.store)

    @contextmanager
    def ops(self) -> Iterator[sqlite3.Connection]:
        """The operational store (accounts, sessions, dismissals, cases) for one use: a new connection each time,
        since FastAPI may run a request's dependencies and its route on different threads."""
        con = connect_ops(self.web.home, self.store)
        try:
            yield con
        finally:
            con.close()

    def user_of(self, pseudonym: str) -> str:
        found = self.web.names.resolve(pseudonym)
        if found is None and self.web.relearn_due():
            self.web.learn_people()
            found = self.web.names.resolve(pseudonym)
        if found is None:
            raise NotFound(f"no person {pseudonym}")
        return found

    def render(self, template: str, status_code: int = 200, **values: Any) -> HTMLResponse:
        values |= {
            "me": self.session, "csrf": self.session.csrf_token if self.session else "", "person": self.shown.person,
            "names_of": self.web.names.of,
        }  # fmt: skip
        return self.web.templates.TemplateResponse(self.request, template, values, status_code=status_code)


def _web(request: Request) -> Web:
    web: Web = request.app.state.web
    return web


def context(request: Request) -> Iterator[Ctx]:
    web = _web(request)
    store = web.cursor()
    try:
        con = connect_ops(web.home, store)
        try:
            session = session_for(con, request.cookies.get(COOKIE))
            shown = identities.for_session(con, web.names, web.emails, session)
        finally:
            con.close()
        yield Ctx(request, web, store, session, shown)
    finally:
        store.close()


def needs(role: Role, *, form: bool = False) -> Callable[..., Awaitable[Ctx]]:
    """A dependency: a logged-in caller of at least `role`; with form=True also a valid CSRF token."""

    async def check(request: Request, ctx: Ctx = Depends(context)) -> Ctx:  # noqa: B008 - FastAPI's idiom
        if ctx.session is None:
            raise LoginRequired
        if not ctx.session.role.allows(role):
            raise Forbidden(f"this needs the {role.value} role; you are {ctx.session.role.value}")
        if form:
            sent = (await request.form()).get("csrf_token")
            if not isinstance(sent, str) or not ctx.session.csrf_ok(sent):
                raise Forbidden("the form's security token is missing or stale: reload the page and try again")
        return ctx

    return check


member = needs(Role.MEMBER)  # any signed-in account: the vault as oneself, approvals
member_form = needs(Role.MEMBER, form=True)
viewer = needs(Role.VIEWER)
analyst = needs(Role.ANALYST)
analyst_form = needs(Role.ANALYST, form=True)
admin_form = needs(Role.ADMIN, form=True)
viewer_form = needs(Role.VIEWER, form=True)
