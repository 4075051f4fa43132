"""Response headers for every page, and the login rate limit."""

from __future__ import annotations

import ipaddress
import threading
import time
from collections import deque
from dataclasses import dataclass

from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint
from starlette.requests import Request
from starlette.responses import Response

from molehunt.errors import MolehuntError

# No script runs on any page, so scripts are refused outright; plots are SVG images embedded as data: URIs.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)
HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}


class SecurityHeaders(BaseHTTPMiddleware):
    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        response = await call_next(request)
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
        if not request.url.path.startswith("/static/"):
            response.headers["Cache-Control"] = "no-store"  # pages hold names and evidence: never cache them
        if request.url.scheme == "https":
            response.headers["Strict-Transport-Security"] = "max-age=31536000"
        return response


# Sign-in limits (docs/security.md). Per account: a few free failures, then a wait that doubles up to a cap, so a
# guesser is slowed at once but the rightful user is never locked out for long. Per real peer address: a window
# count, which stops one address spraying many names without touching analysts elsewhere.
FREE_FAILURES = 3
BASE_DELAY = 1.0  # seconds, after the first failure past the free ones
MAX_DELAY = 60.0
ADDRESS_FAILURES = 10
ADDRESS_WINDOW = 300.0
FORGET_AFTER = 900.0  # an account quiet this long past its wait starts afresh (yesterday's typos cost nothing)
_MAX_TRACKED = 10_000  # accounts and addresses remembered at once; expired ones are dropped beyond this


@dataclass
class _Backoff:
    failures: int = 0
    until: float = 0.0  # no attempt before this (time.monotonic)


class LoginLimiter:
    """Exponential backoff per account name (capped at MAX_DELAY) and a failure window per client address.

    `admit` counts an attempt before the password is checked (as a failure, until `succeeded` says otherwise), so
    concurrent guesses cannot all slip through before the first one fails.
    """

    def __init__(self) -> None:
        self._accounts: dict[str, _Backoff] = {}
        self._addresses: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def wait(self, name: str, client: str) -> float:
        """Seconds until `name` may be tried from `client` (0 when allowed now)."""
        with self._lock:
            return self._wait(name.lower(), client, time.monotonic())

    def admit(self, name: str, client: str) -> float:
        """0 and the attempt is counted, or the seconds to wait (nothing counted)."""
        now = time.monotonic()
        with self._lock:
            key = name.lower()
            wait = self._wait(key, client, now)
            if wait > 0:
                return wait
            if len(self._accounts) + len(self._addresses) > _MAX_TRACKED:
                self._forget_expired(now)
            backoff = self._accounts.setdefault(key, _Backoff())
            if backoff.failures and now - backoff.until > FORGET_AFTER:
                backoff.failures = 0
            backoff.failures += 1
            past_free = backoff.failures - FREE_FAILURES
            backoff.until = now + (min(BASE_DELAY * 2**past_free, MAX_DELAY) if past_free >= 0 else 0.0)
            self._addresses.setdefault(client, deque()).append(now)
            return 0.0

    def succeeded(self, name: str, client: str) -> None:
        """The admitted attempt was right: the account starts afresh and the address gets its attempt back."""
        with self._lock:
            self._accounts.pop(name.lower(), None)
            times = self._addresses.get(client)
            if times:
                times.pop()

    def _wait(self, key: str, client: str, now: float) -> float:
        backoff = self._accounts.get(key)
        waits = [backoff.until - now if backoff else 0.0]
        times = self._addresses.get(client)
        while times and now - times[0] >= ADDRESS_WINDOW:
            times.popleft()
        if times and len(times) >= ADDRESS_FAILURES:
            waits.append(ADDRESS_WINDOW - (now - times[0]))
        return max(0.0, *waits)

    def _forget_expired(self, now: float) -> None:
        self._accounts = {k: b for k, b in self._accounts.items() if now - b.until <= FORGET_AFTER}
        self._addresses = {a: t for a, t in self._addresses.items() if t and now - t[-1] < ADDRESS_WINDOW}


def trusted_proxies(values: list[str] | tuple[str, ...]) -> tuple[str, ...]:
    """The addresses or networks (``10.0.0.5``, ``10.0.0.0/24``, ``::1``) whose X-Forwarded-For is believed.

    MolehuntError naming a value that is neither (a host name would be compared as text and silently never match).
    """
    for value in values:
        try:
            ipaddress.ip_network(value, strict=False)
        except ValueError:
            raise MolehuntError(f"--trusted-proxy {value!r} is not an IP address or network (e.g. 10.0.0.5)") from None
    return tuple(values)
