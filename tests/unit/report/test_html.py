"""The offline report: self-contained, pseudonymous by default, the evaluation only where there are labels."""

from __future__ import annotations

import base64
import re
import xml.etree.ElementTree as ET
from dataclasses import replace
from pathlib import Path

import pytest

from molehunt.config import Home
from molehunt.detect.alerts import top_suspects
from molehunt.errors import MolehuntError
from molehunt.pseudonyms import Pseudonyms
from molehunt.report.html import collect, render, write_report
from molehunt.store import Store, open_store
from tests.homes import copy_of

TOP = 3
PSEUDONYMS = Pseudonyms(b"k" * 32)  # a test key: the shared home's keys stay untouched


@pytest.fixture(scope="module")
def top_ids(scored: Store) -> list[str]:
    return [alert.user_id for alert in top_suspects(scored, TOP)]


@pytest.fixture(scope="module")
def report(scored: Store, tmp_path_factory: pytest.TempPathFactory) -> str:
    out = write_report(scored, tmp_path_factory.mktemp("report") / "r.html", pseudonyms=PSEUDONYMS, top=TOP)
    assert out.stat().st_mode & 0o077 == 0  # readable by its owner only
    return out.read_text()


def images(html: str) -> list[tuple[str, str]]:
    """(alt, decoded SVG) of every <img>."""
    found = re.findall(r'<img src="data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)" alt="([^"]+)">', html)
    return [(alt, base64.b64decode(data).decode()) for data, alt in found]


def test_report_is_self_contained(report: str) -> None:
    for external in ("http:", "https:", "//cdn", "<script", "<link", "@import", "url("):
        assert external not in report.lower()
    assert "default-src 'none'" in report  # and the page itself forbids fetching anything
    assert report.count("<img ") == len(images(report)) == 2 * TOP  # every image is an embedded SVG
    for alt, svg in images(report):
        assert alt and ET.fromstring(svg).tag.endswith("svg")


def test_report_shows_pseudonyms_not_ids(report: str, top_ids: list[str]) -> None:
    for user_id in top_ids:
        assert PSEUDONYMS.of(user_id) in report
        assert user_id not in report
        assert all(user_id not in svg for _, svg in images(report))
    assert report.count('<section class="person"') == TOP
    assert "pseudonymized" in report


def test_names_show_real_ids(scored: Store, tmp_path: Path, top_ids: list[str]) -> None:
    html = write_report(scored, tmp_path / "named.html", pseudonyms=PSEUDONYMS, top=TOP, names=True).read_text()
    for user_id in top_ids:
        assert user_id in html
        assert PSEUDONYMS.of(user_id) not in html
    assert "real identities shown" in html


def test_evaluation_table_with_labels(report: str) -> None:
    assert "user-level ROC AUC" in report and "user-day ROC AUC" in report
    assert "top 1% of user-days" in report and "top 5% of user-days" in report
    assert "No labels" not in report


def test_no_labels_no_evaluation(scored_home: Home, tmp_path: Path, top_ids: list[str]) -> None:
    home = copy_of(scored_home, tmp_path / "home")
    with open_store(home.store_path) as store:
        store.con.execute("DELETE FROM answers_insiders")
        content = collect(store, pseudonyms=PSEUDONYMS, top=TOP)
        html = render(content)
    assert content.evaluation is None
    assert "No labels in this store" in html
    assert "ROC AUC" not in html and "insiders" not in html
    assert [p.alert.user_id for p in content.people] == top_ids  # labels never change who is on top


def test_names_from_the_data_are_escaped(scored: Store) -> None:
    content = collect(scored, pseudonyms=PSEUDONYMS, top=1)
    hostile = replace(content, people=(replace(content.people[0], name='<img src=x onerror="alert(1)">'),))
    html = render(hostile)
    assert "<img src=x" not in html and "&lt;img src=x onerror=" in html


def test_evaluation_names_people_as_the_report_does(scored: Store) -> None:
    pseudonymous = collect(scored, pseudonyms=PSEUDONYMS, top=1)
    assert pseudonymous.evaluation is not None
    delays = [metric for metric, _ in pseudonymous.evaluation if "first in a day's top 5" in metric]
    assert delays and all(metric.startswith("P-") for metric in delays)
    # user_ids are exactly the people shown, so a reveal audits everyone it showed
    shown = {metric.split(" ")[0] for metric in delays} | {pseudonymous.people[0].name}
    assert {PSEUDONYMS.of(user_id) for user_id in pseudonymous.user_ids} == shown


def test_nothing_scored_is_a_clear_error(store: Store, tmp_path: Path) -> None:
    with pytest.raises(MolehuntError, match="run `molehunt score`"):
        write_report(store, tmp_path / "r.html", pseudonyms=PSEUDONYMS)
    assert not (tmp_path / "r.html").exists()
