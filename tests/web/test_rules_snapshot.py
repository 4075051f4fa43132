"""Rule pages read a published snapshot, which may predate the latest rule change (logged, saved, then published):
in that window the pages show the snapshot's settings, not "store tampered"; a setting changed in the store behind
the log's back is still refused."""

from __future__ import annotations

import time

from fastapi.testclient import TestClient

from molehunt.config import Home
from molehunt.web.context import Web
from molehunt.workbench.actions import Workbench
from molehunt.workbench.rules import current_rules

from .conftest import app_writable, login

KEY = "burst.cloud_uploads|gte"


def test_a_change_not_yet_published_leaves_the_pages_working(app_client: TestClient, web_home: Home) -> None:
    login(app_client, "admin")
    assert app_client.get("/rules").status_code == 200
    web: Web = app_client.app.state.web  # type: ignore[attr-defined]
    time.sleep(0.05)  # the change is logged after the current snapshot was written
    with web.writable() as store:  # the window: logged and saved, not yet published
        Workbench(web_home, store).change_rule("cloud-upload-burst", True, {KEY: 11.0}, by="admin")
        page = app_client.get("/rules")
        assert page.status_code == 200 and "store tampered" not in page.text
        web.publish(store)
    after = app_client.get("/rules").text
    assert "store tampered" not in after and 'value="11' in after


def test_a_setting_changed_behind_the_logs_back_is_still_refused(app_client: TestClient) -> None:
    login(app_client, "admin")
    web: Web = app_client.app.state.web  # type: ignore[attr-defined]
    with app_writable(app_client) as store:  # an audited change first (this test may run alone), then published
        Workbench(web.home, store).change_rule("cloud-upload-burst", True, {KEY: 11.0}, by="admin")
    assert "store tampered" not in app_client.get("/rules").text
    with app_writable(app_client) as store:
        store.con.execute("UPDATE rule_settings SET thresholds = '{\"burst.cloud_uploads|gte\": 999.0}'")
    page = app_client.get("/rules")
    assert "store tampered" in page.text
    with app_writable(app_client) as store:  # put the logged value back for the other tests
        store.con.execute("UPDATE rule_settings SET thresholds = '{\"burst.cloud_uploads|gte\": 11.0}'")
    assert "store tampered" not in app_client.get("/rules").text


def test_a_request_whose_snapshot_was_replaced_meanwhile_still_reads_the_rules(app_client: TestClient) -> None:
    # A page opened on one generation while the pipeline publishes the next (which unlinks the old file): the
    # request's rules are still compared with the log as of its own snapshot, whose file is gone by then.
    web: Web = app_client.app.state.web  # type: ignore[attr-defined]
    store = web.cursor()
    try:
        with web.writable() as writable:
            web.publish(writable)
        assert current_rules(store)
    finally:
        store.close()
