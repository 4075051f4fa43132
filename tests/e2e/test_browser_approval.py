"""The two-person rule in a real browser (headless Chromium against `molehunt serve`): a person at high asks for a
SECRET document and is held, told only that it needs approval; an approver signs in and approves it on /approvals;
the requester then gets the copy. Screenshots go to test-artifacts/browser-approval/."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from molehunt import opstore
from molehunt.audit import AuditLog
from molehunt.config import Home
from molehunt.protect import Level, set_level
from molehunt.trace.carriers.text import STRIP_MARKS
from tests.e2e.test_browser import CHROMIUM_ARGS, MOLEHUNT, chromium, serving  # noqa: F401
from tests.homes import copy_of

pytestmark = pytest.mark.slow

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "browser-approval"
PASSWORD = "correct horse battery staple"
SECRET_TEXT = "Orion ground station moves to site B on 3 March."


def _molehunt(home: Home, *args: str, stdin: str = "") -> str:
    done = subprocess.run([MOLEHUNT, "--home", home.root, *args], input=stdin, text=True, capture_output=True)
    assert done.returncode == 0, f"`molehunt {' '.join(args)}` failed:\n{done.stdout}{done.stderr}"
    return done.stdout


@pytest.fixture
def served(chromium: Path, scored_home: Home, tmp_path: Path) -> Iterator[tuple[str, Home, str]]:  # noqa: F811
    """(base URL, home, SECRET doc id) of a `molehunt serve` with a requester at high and an approver."""
    home = copy_of(scored_home, tmp_path / "home")
    for name in ("requester", "approver"):
        _molehunt(home, "user", "add", name, "--role", "viewer", "--password-stdin", stdin=f"{PASSWORD}\n")
    _molehunt(home, "vault", "grant", "requester", "--clearance", "SECRET", "--projects", "orion")
    _molehunt(home, "vault", "grant", "approver", "--clearance", "SECRET", "--projects", "orion", "--approver")
    plan = tmp_path / "orion-plan.md"
    plan.write_text(f"# Orion\n{SECRET_TEXT}\n")
    doc = _molehunt(home, "vault", "add", str(plan), "--label", "SECRET", "--project", "orion", "--as", "approver")
    with closing(opstore.connect(home)) as con:
        set_level(con, "requester", Level.HIGH, ["set for the test"], source="analyst", by="test")
    with serving(home.root, tmp_path / "serve.log") as (base, _):
        yield base, home, doc.strip().splitlines()[-1]


def _sign_in(browser: Browser, base: str, name: str) -> Page:
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    page.set_default_timeout(10_000)
    page.goto(f"{base}/login")
    page.fill("input[name=username]", name)
    page.fill("input[name=password]", PASSWORD)
    page.click("[data-testid=login]")
    expect(page).to_have_url(f"{base}/alerts")
    return page


def test_approver_approves_a_held_request_in_chromium(chromium: Path, served: tuple[str, Home, str]) -> None:  # noqa: F811
    base, home, doc = served
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_ARGS)
        try:
            requester = _sign_in(browser, base, "requester")
            requester.click("[data-testid=nav-vault]")
            requester.click(f'a[href="/vault/{doc}"]')
            held = requester.locator("[data-testid=vault-held]")
            expect(held).to_contain_text("needs a second person's approval")
            assert not re.search(r"high|risk|level", held.inner_text(), re.I), "the person is told why"
            request = requester.locator("[data-testid=held-request]").inner_text()
            requester.screenshot(path=ARTIFACTS / "01-held.png", full_page=True)

            approver = _sign_in(browser, base, "approver")
            approver.click("[data-testid=nav-approvals]")
            row = approver.locator(f"[data-testid=approval-row][data-request='{request}']")
            expect(row).to_contain_text("orion-plan.md")
            row.locator("[data-testid=approval-reason]").fill("Orion review, ticket 812")
            approver.screenshot(path=ARTIFACTS / "02-approvals.png", full_page=True)
            row.locator("[data-testid=approve]").click()
            expect(approver).to_have_url(f"{base}/approvals")
            expect(approver.locator(f"[data-request='{request}']")).to_have_count(0)

            requester.goto(f"{base}/vault/{doc}")
            expect(requester.locator("pre.document")).to_be_visible()
            assert SECRET_TEXT in requester.locator("pre.document").inner_text().translate(STRIP_MARKS)
            requester.screenshot(path=ARTIFACTS / "03-delivered.png", full_page=True)
        finally:
            browser.close()

    with AuditLog.open(home.audit_dir, home.keys_dir) as log:
        entries = [log.entry(i).to_json() for i in range(log.size)]
    steps = [(e["actor"], e["action"], e["target"]) for e in entries]
    held_at = steps.index(("requester", "read", doc))
    assert ("approver", "approve", request) in steps[held_at:]
    assert steps[-1] == ("requester", "read", doc)
    assert entries[-1]["details"]["decision"] == "allow"  # type: ignore[index]
