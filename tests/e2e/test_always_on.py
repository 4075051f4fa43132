"""Always on (issue 17): a real `molehunt serve` answers every page while a real `molehunt ingest` of a new delivery
and `molehunt score --since` run beside it, `molehunt status` and `molehunt alerts` work meanwhile, and the new
day's alerts are in the queue when the run is done. Page latencies are printed; the 1 s target is measured by
bench/web.py, not asserted here (this machine is shared)."""

from __future__ import annotations

import json
import re
import statistics
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import httpx
import pytest

from molehunt.config import Home
from tests.e2e.test_browser import MOLEHUNT, PASSWORD, serving
from tests.e2e.test_cli_watch import cut

pytestmark = pytest.mark.slow

NEW_DAY = date(2010, 4, 1)  # the shared organization runs to 2010-04-03: the home starts without the last 3 days
PERSON = re.compile(r'href="/users/(P-[A-Z2-7]{8})"')


def molehunt(home: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [MOLEHUNT, "--home", str(home), *args], input=stdin, text=True, capture_output=True, timeout=900
    )


def ok(done: subprocess.CompletedProcess[str]) -> str:
    command = " ".join(map(str, done.args))
    assert done.returncode == 0, f"{command} exited {done.returncode}:\n{done.stdout}{done.stderr}"
    return done.stdout


@dataclass
class Load:
    """A signed-in analyst loading pages one after another until told to stop."""

    base: str
    pages: list[str]
    timings: list[tuple[float, str, int, float]] = field(default_factory=list)  # (start, path, status, seconds)
    failures: list[str] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)

    def run(self) -> None:
        with httpx.Client(base_url=self.base, timeout=30.0, follow_redirects=False) as client:
            sign_in(client)
            while not self.stop.is_set():
                for path in self.pages:
                    started = time.monotonic()
                    try:
                        status = client.get(path).status_code
                    except httpx.HTTPError as exc:
                        self.failures.append(f"{path}: {type(exc).__name__}: {exc}")
                        continue
                    self.timings.append((started, path, status, time.monotonic() - started))
                    if status != 200:
                        self.failures.append(f"{path}: HTTP {status}")

    def during(self, start: float, end: float) -> int:
        return sum(1 for began, *_ in self.timings if start <= began <= end)


def sign_in(client: httpx.Client) -> None:
    page = client.get("/login").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token, "the login page has no CSRF token"
    done = client.post(
        "/login", data={"username": "analyst", "password": PASSWORD, "csrf_token": token[1], "next": "/alerts"}
    )
    assert done.status_code == 303, done.text


@pytest.fixture
def served(scored_home: Home, tmp_path: Path) -> Iterator[tuple[str, Path, Path]]:
    """(base URL, home, the new delivery) of a `molehunt serve` over a home scored up to the day before NEW_DAY."""
    data = scored_home.root.parent / "data"  # the CERT files the shared fixture generated
    home = tmp_path / "home"
    first = cut(data, tmp_path / "incoming" / "first", None, date.fromordinal(NEW_DAY.toordinal() - 1))
    new = cut(data, tmp_path / "incoming" / "new", NEW_DAY, None)
    ok(molehunt(home, "ingest", str(first)))
    ok(molehunt(home, "score", "--out", str(tmp_path / "scores.csv")))
    ok(molehunt(home, "user", "add", "analyst", "--role", "analyst", "--password-stdin", stdin=f"{PASSWORD}\n"))
    log = tmp_path / "serve.log"
    with serving(home, log) as (base, server):
        yield base, home, new
        assert server.poll() is None, f"the server stopped:\n{log.read_text()}"


def _new_day_people(client: httpx.Client) -> set[str]:
    page = client.get("/alerts", params={"since": NEW_DAY.isoformat(), "min_score": "0"})
    assert page.status_code == 200, page.text
    return set(PERSON.findall(page.text))


def test_pages_keep_answering_while_a_delivery_is_ingested_and_scored(served: tuple[str, Path, Path]) -> None:
    base, home, new = served
    with httpx.Client(base_url=base, timeout=30.0) as client:
        sign_in(client)
        queue = client.get("/alerts").text
        people = PERSON.findall(queue)
        assert people, "the queue shows nobody before the run"
        assert not _new_day_people(client), "the new days are in the queue before they were delivered"
    load = Load(base, ["/alerts", f"/users/{people[0]}", "/cases", "/rules", "/sources"])
    loader = threading.Thread(target=load.run, name="page-load")
    loader.start()
    try:
        time.sleep(1.0)
        began = time.monotonic()
        ingested = ok(molehunt(home, "ingest", str(new), "--json"))
        ingest_window = (began, time.monotonic())
        status = ok(molehunt(home, "status"))
        began = time.monotonic()
        scored = ok(molehunt(home, "score", "--since", NEW_DAY.isoformat(), "--out", str(home / "scores.csv")))
        score_window = (began, time.monotonic())
        shown = json.loads(ok(molehunt(home, "alerts", "--day", "2010-04-03", "--json")))
        time.sleep(1.0)
    finally:
        load.stop.set()
        loader.join(timeout=60)
    times = sorted(seconds for *_, seconds in load.timings)
    print(
        f"\n{len(times)} page loads: p50 {statistics.median(times):.3f} s, "
        f"p95 {times[int(0.95 * (len(times) - 1))]:.3f} s, max {times[-1]:.3f} s; "
        f"{load.during(*ingest_window)} during the ingest, {load.during(*score_window)} during the scoring"
    )
    slowest = sorted(load.timings, key=lambda t: -t[3])[:3]
    print("slowest:", ", ".join(f"{path} {seconds:.3f} s" for _, path, _, seconds in slowest))
    assert not load.failures, load.failures[:5]
    assert load.during(*ingest_window) > 0 and load.during(*score_window) > 0  # the load ran beside both
    assert json.loads(ingested)["totals"]["ingested"] > 0
    assert "events" in status.lower()
    assert "Scored" in scored
    assert shown["day"] == "2010-04-03" and shown["alerts"]
    with httpx.Client(base_url=base, timeout=30.0) as client:
        sign_in(client)
        assert _new_day_people(client), "the new days' alerts are not in the queue after the run"
