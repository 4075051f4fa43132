"""The analyst's key path in a real browser: headless Chromium, driven by Playwright, against `molehunt serve`.

Uses Debian's Chromium (`make test` installs it; Playwright cannot download a browser of its own here). Each step
leaves a full-page screenshot in test-artifacts/browser/ for a person to look at.
"""

from __future__ import annotations

import csv
import io
import ipaddress
import json
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from playwright.sync_api import ConsoleMessage, Error, Page, Request, expect, sync_playwright

from molehunt.audit import AuditLog
from molehunt.config import Home
from molehunt.pseudonyms import Pseudonyms
from tests.homes import copy_of

pytestmark = pytest.mark.slow

CHROMIUM = Path("/usr/bin/chromium")
# No background traffic: this machine's network is closed, and the test checks that every request stays on loopback.
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
]  # fmt: skip
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "browser"
MOLEHUNT = Path(sys.executable).parent / "molehunt"  # the console script beside the venv's interpreter
PASSWORD = "correct horse battery staple"
PSEUDONYM = r"P-[A-Z2-7]{8}"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _wait_until_up(server: subprocess.Popen[bytes], url: str, log: Path, seconds: float = 20.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"`molehunt serve` exited with {server.returncode}:\n{log.read_text()}")
        try:
            if httpx.get(url, timeout=1.0).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    pytest.fail(f"`molehunt serve` did not answer {url} within {seconds:.0f} s:\n{log.read_text()}")


@contextmanager
def serving(
    home: Path, log: Path, *options: str, seconds: float = 20.0
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """(base URL, process) of a real `molehunt serve` on a free loopback port, its output in `log`; stopped after."""
    port = _free_port()
    with log.open("wb") as out:
        server = subprocess.Popen(
            [MOLEHUNT, "--home", str(home), "serve", "--host", "127.0.0.1", "--port", str(port), *options],
            stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
        )  # fmt: skip
    try:
        base = f"http://127.0.0.1:{port}"
        _wait_until_up(server, f"{base}/login", log, seconds)
        yield base, server
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


@pytest.fixture(scope="session")
def chromium() -> Path:
    """Debian's Chromium; a missing browser fails the test (never skips it), before anything is built."""
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make test`, which installs Debian's chromium for this test")
    return CHROMIUM


@pytest.fixture
def served(chromium: Path, scored_home: Home, tmp_path: Path) -> Iterator[tuple[str, Home]]:
    """(base URL, home) of a `molehunt serve` over a copy of the scored home, with an analyst account."""
    home = copy_of(scored_home, tmp_path / "home")
    added = subprocess.run(
        [MOLEHUNT, "--home", home.root, "user", "add", "analyst", "--role", "analyst", "--password-stdin"],
        input=f"{PASSWORD}\n", text=True, capture_output=True,
    )  # fmt: skip
    assert added.returncode == 0, f"`molehunt user add` failed:\n{added.stdout}{added.stderr}"
    with serving(home.root, tmp_path / "serve.log") as (base, _):
        yield base, home


def _is_loopback(url: str) -> bool:
    parts = urlsplit(url)
    if parts.scheme in ("data", "blob", "about"):
        return True  # no network: the risk plots are data: URIs
    host = parts.hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def test_analyst_works_an_alert_in_chromium(chromium: Path, served: tuple[str, Home]) -> None:
    base, home = served
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for stale in ARTIFACTS.iterdir():
        stale.unlink()
    shots: list[Path] = []
    messages: list[str] = []
    requests: list[str] = []

    def snap(page: Page, name: str) -> None:
        shot = ARTIFACTS / f"{len(shots) + 1:02d}-{name}.png"
        page.screenshot(path=shot, full_page=True)
        shots.append(shot)

    def on_console(message: ConsoleMessage) -> None:
        messages.append(f"console {message.type}: {message.text} ({page.url})")

    def on_page_error(error: Error) -> None:
        messages.append(f"page error: {error} ({page.url})")

    def on_request(request: Request) -> None:
        requests.append(request.url)

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(accept_downloads=True, viewport={"width": 1280, "height": 900})
            context.set_default_timeout(10_000)
            page = context.new_page()
            page.on("console", on_console)
            page.on("pageerror", on_page_error)
            page.on("request", on_request)

            page.goto(f"{base}/alerts")  # not signed in: sent to the login page, which comes back here after
            expect(page).to_have_url(re.compile(r"/login\?next="))
            page.fill("input[name=username]", "analyst")
            page.fill("input[name=password]", PASSWORD)
            page.click("[data-testid=login]")
            expect(page).to_have_url(f"{base}/alerts")
            expect(page.locator("[data-testid=person-row]").first).to_be_visible()
            people = page.locator("[data-testid=person-link]").all_inner_texts()
            assert len(people) == len(set(people)), "a person is listed twice in the queue"
            snap(page, "alerts")

            page.click("[data-testid=filter]")  # the form as it comes: blank dates, every select at its default
            expect(page).to_have_url(re.compile(r"/alerts\?.*since=&until="))
            expect(page.locator("[data-testid=nav-alerts]")).to_be_visible()
            # to_have_text waits for the whole list: the page may still be arriving when its URL has changed
            expect(page.locator("[data-testid=person-link]")).to_have_text(people)
            page.select_option("select[name=sort]", "alerts")
            page.click("[data-testid=filter]")
            expect(page).to_have_url(re.compile(r"sort=alerts"))
            page.wait_for_load_state()
            counts = [
                int(t.split()[0])
                for t in page.locator("[data-testid=person-row] td.num:nth-child(7)").all_inner_texts()
            ]
            assert counts == sorted(counts, reverse=True), "sorting by alerts did not sort"
            snap(page, "filtered")

            page.locator("[data-testid=person-row]").first.locator("[data-testid=alert-link]").click()
            expect(page).to_have_url(re.compile(rf"/alerts/{PSEUDONYM}/\d{{4}}-\d{{2}}-\d{{2}}$"))
            alert_url = page.url
            pseudonym = alert_url.rsplit("/", 2)[1]
            expect(page.locator("[data-testid=alert-reasons]")).to_be_visible()
            expect(page.locator("[data-testid=trigger-event]").first).to_be_visible()
            assert not re.search(r"(^|, )0 [a-z]", page.locator("[data-testid=alert-reasons]").inner_text(), re.M)
            snap(page, "alert")

            page.click("[data-testid=user-link]")
            expect(page).to_have_url(re.compile(rf"/users/{pseudonym}\?day="))
            plot = page.locator("img[data-testid=risk-plot]")
            expect(plot).to_have_js_property("complete", True)
            assert plot.evaluate("img => img.naturalWidth") > 0, "the risk plot did not load"
            snap(page, "person")
            # the evidence explorer: a week of logons only, the events the rules count first
            explore = page.locator("[data-testid=event-filter]")
            day = explore.locator("input[name=to]").input_value()
            week_before = time.strftime(
                "%Y-%m-%d", time.gmtime(time.mktime(time.strptime(day, "%Y-%m-%d")) - 6 * 86400)
            )
            explore.locator("input[name=from]").fill(week_before)
            explore.locator("input[value=logon]").check()
            with page.expect_navigation():  # read the filtered page, not the one being left
                explore.locator("[data-testid=filter-events]").click()
            page.wait_for_load_state()
            kinds = page.locator("[data-testid=events] tbody tr td:nth-child(2)").all_inner_texts()
            assert kinds and set(kinds) == {"logon"}, kinds
            page.go_back()

            page.fill("textarea[name=justification]", "Browser test: checking the reveal path end to end")
            page.click("[data-testid=reveal]")
            identity = page.locator("[data-testid=identity]")
            expect(identity).to_be_visible()
            real = identity.inner_text().strip()
            assert Pseudonyms.for_keys_dir(home.root / "keys").of(real) == pseudonym, "revealed the wrong person"
            snap(page, "revealed")

            oldest = page.locator("[data-testid=person-alert]").last
            day = oldest.locator("a").first.inner_text().strip()
            oldest.locator("input[type=checkbox]").check()
            page.select_option("[data-testid=person-triage] select[name=disposition]", "false-positive")
            page.fill("[data-testid=person-triage] input[name=note]", "browser test: a known backup job")
            page.click("[data-testid=dismiss-selected]")
            expect(page).to_have_url(re.compile(rf"/users/{pseudonym}#alerts$"))
            dismissed = page.locator("[data-testid=person-alert]", has_text=day)
            expect(dismissed.locator("[data-testid=alert-state]")).to_contain_text("dismissed: false-positive")
            snap(page, "dismissed")

            page.fill("[data-testid=nav-search]", pseudonym[2:6].lower())
            page.press("[data-testid=nav-search]", "Enter")
            expect(page).to_have_url(re.compile(r"/search\?q="))
            expect(page.locator("[data-testid=people-results]")).to_contain_text(pseudonym)
            snap(page, "search")
            page.fill("[data-testid=search-input]", real)  # an analyst may search by real id: recorded
            page.click("[data-testid=search-button]")
            expect(page.locator("[data-testid=people-results]")).to_contain_text("by real user id")

            page.click("[data-testid=nav-people]")
            expect(page.locator("[data-testid=people-row]").first).to_be_visible()
            page.click("[data-testid=sort-risk]")
            expect(page.locator("[data-testid=sorted-by]")).to_contain_text("Peak risk")
            snap(page, "people")

            page.goto(alert_url)
            page.click("[data-testid=escalate]")
            expect(page).to_have_url(re.compile(r"/cases/\d+$"))
            case_id = int(page.url.rsplit("/", 1)[1])
            expect(page.locator("[data-testid=case-status]")).to_have_text("open")
            snap(page, "case")
            page.goto(f"{base}/alerts?status=escalated")
            expect(page.locator("[data-testid=person-row]", has_text=pseudonym)).to_contain_text("escalated")

            page.goto(f"{base}/cases/{case_id}")
            with page.expect_download() as as_json:
                page.click("[data-testid=export-json]")
            download = as_json.value
            assert download.suggested_filename == f"molehunt-case-{case_id}-evidence.json"
            evidence = json.loads(download.path().read_text())
            assert evidence["case"]["id"] == case_id and pseudonym in evidence["case"]["subject"]
            assert evidence["events"], "the evidence has no events"
            with page.expect_download() as as_csv:
                page.click("[data-testid=export-csv]")
            rows = list(csv.reader(io.StringIO(as_csv.value.path().read_text())))
            assert rows[0][:2] == ["# case", str(case_id)] and rows[1][0] == "time"
            assert len(rows) == 2 + len(evidence["events"])
            page.select_option("select[name=priority]", "high")
            page.select_option("select[name=disposition]", "referred-hr")
            page.click("[data-testid=set-facts]")
            expect(page.locator("[data-testid=case-disposition]")).to_have_text("referred-hr")
            expect(page.locator("[data-testid=case-alerts] tbody tr")).to_have_count(1)
            with page.expect_download() as as_package:
                page.click("[data-testid=export-package]")
            package = as_package.value
            assert package.suggested_filename == f"molehunt-case-{case_id}-evidence.package.json"
            checked = subprocess.run(
                [str(MOLEHUNT), "audit", "verify-package", str(package.path())], capture_output=True, text=True
            )
            assert checked.returncode == 0 and "case.facts" in checked.stdout, checked.stdout + checked.stderr
            snap(page, "exported")
        finally:
            browser.close()

    assert [shot.name for shot in shots] == [
        "01-alerts.png", "02-filtered.png", "03-alert.png", "04-person.png", "05-revealed.png", "06-dismissed.png",
        "07-search.png", "08-people.png", "09-case.png", "10-exported.png",
    ]  # fmt: skip
    with AuditLog.open(home.root / "audit", home.root / "keys") as log:
        actions = [log.entry(i).action for i in range(log.size)]
    for action in ("alert.dismiss", "search.identity", "case.open", "person.escalate"):
        assert action in actions, f"no {action} entry in the audit log"
    for shot in shots:
        assert shot.is_file() and shot.stat().st_size > 0, f"{shot} is missing or empty"
    csp = [m for m in messages if re.search(r"content[ -]security[ -]policy", m, re.I)]
    assert not csp, "the page broke its Content Security Policy:\n" + "\n".join(csp)
    errors = [m for m in messages if m.startswith("page error")]
    assert not errors, "\n".join(errors)
    elsewhere = [url for url in requests if not _is_loopback(url)]
    assert not elsewhere, f"requests left the machine: {elsewhere}"
