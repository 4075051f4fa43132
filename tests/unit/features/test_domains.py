"""The shipped domain lists and a home's own additions to them."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pytest

from molehunt.errors import InputError
from molehunt.features.domains import CATEGORIES, DOMAIN_RE, DomainLists, shipped_categories

# Floors just under the counts shipped (job 424, cloud 842, leak 55, hacking 505, webmail 235): a list that shrinks
# by more than a few entries is a mistake, not a refresh.
FLOORS = {"job": 400, "cloud": 800, "leak": 50, "hacking": 480, "webmail": 220}


def category_of(lists: DomainLists, domain: str) -> str | None:
    """The web category of `domain` as the features join it: itself, or its parent one or two labels up."""
    rows = dict(lists.category_rows())
    parts = domain.split(".")
    return next((rows[".".join(parts[i:])] for i in range(3) if ".".join(parts[i:]) in rows), None)


def shipped_lines(category: str) -> list[str]:
    text = resources.files("molehunt.features").joinpath(f"domain_lists/{category}.txt").read_text(encoding="utf-8")
    return [line for line in text.splitlines() if line and not line.startswith("#")]


@pytest.mark.parametrize("category", CATEGORIES)
def test_each_shipped_list_is_large_sorted_unique_and_valid(category: str) -> None:
    lines = shipped_lines(category)
    assert len(lines) >= FLOORS[category]
    assert lines == sorted(set(lines))  # sorted, no duplicates
    assert all(DOMAIN_RE.fullmatch(d) and d == d.lower().strip() for d in lines)
    assert shipped_categories()[category] == tuple(lines)


def test_sources_are_shipped_beside_the_lists() -> None:
    sources = resources.files("molehunt.features").joinpath("domain_lists/SOURCES.md").read_text(encoding="utf-8")
    for category in CATEGORIES:
        assert f"{category}.txt" in sources
    assert "CC BY-SA 4.0" in sources


def test_default_lists_are_the_shipped_ones() -> None:
    assert dict(DomainLists().categories) == dict(shipped_categories())


@pytest.mark.parametrize(
    ("domain", "category"),
    [
        ("ardamax.com", "hacking"),  # a commercial keylogger vendor
        ("www.refog.com", "hacking"),
        ("mspy.com", "hacking"),  # stalkerware (Echap indicators)
        ("pastebin.com", "leak"),
        ("justpaste.it", "leak"),
        ("wikileaks.org", "leak"),
        ("rapidgator.net", "cloud"),
        ("www.dropbox.com", "cloud"),
        ("drive.google.com", "cloud"),
        ("jobs.indeed.com", "job"),  # a subdomain matches its listed parent
        ("www.totaljobs.com", "job"),
        ("icloud.com", "cloud"),  # cloud and webmail: the more telling category wins for web traffic
        ("gmail.com", "webmail"),
        ("news.com", None),
        ("google.com", None),
    ],
)
def test_known_domains_are_categorized(domain: str, category: str | None) -> None:
    assert category_of(DomainLists(), domain) == category


def test_webmail_holds_personal_mail_providers() -> None:
    webmail = set(DomainLists().categories["webmail"])
    assert {"gmail.com", "yahoo.com", "hotmail.com", "gmx.de", "mail.ru", "laposte.net"} <= webmail
    assert not {"example.com", "test.com", "facebook.com"} & webmail


def test_home_without_lists_gets_the_shipped_ones(tmp_path: Path) -> None:
    assert dict(DomainLists.for_home(tmp_path).categories) == dict(shipped_categories())


def test_home_yaml_and_txt_files_extend(tmp_path: Path) -> None:
    (tmp_path / "domains.yaml").write_text("job: [Careers.Example.org]\nhacking: [evil-tools.example]\n")
    (tmp_path / "domains").mkdir()
    (tmp_path / "domains" / "leak.txt").write_text("# our own\nleaks.example.net  # a note\n\nPaste.Example.com\n")
    lists = DomainLists.for_home(tmp_path)
    assert category_of(lists, "www.careers.example.org") == "job"
    assert category_of(lists, "evil-tools.example") == "hacking"
    assert category_of(lists, "leaks.example.net") == "leak"
    assert category_of(lists, "paste.example.com") == "leak"
    assert category_of(lists, "pastebin.com") == "leak"  # the shipped entries stay
    assert len(lists.categories["cloud"]) == len(shipped_categories()["cloud"])


def test_home_yaml_can_replace(tmp_path: Path) -> None:
    (tmp_path / "domains.yaml").write_text("replace: true\nwebmail: [mail.example.org]\n")
    lists = DomainLists.for_home(tmp_path)
    assert lists.categories["webmail"] == ("mail.example.org",)
    assert lists.categories["hacking"] == ()


def test_from_file_extends_the_shipped_lists(tmp_path: Path) -> None:
    path = tmp_path / "lists.yaml"
    path.write_text("cloud: [files.example.org]\n")
    lists = DomainLists.from_file(path)
    assert "files.example.org" in lists.categories["cloud"]
    assert set(shipped_categories()["cloud"]) <= set(lists.categories["cloud"])


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("domains.yaml", "job: [ok.example.com\n", "cannot read domain lists"),
        ("domains.yaml", "- just a list\n", "expected a mapping"),
        ("domains.yaml", "gaming: [x.example.com]\n", "unknown categories"),
        ("domains.yaml", "job: x.example.com\n", "expected a list"),
        ("domains.yaml", "job: ['not a domain']\n", "not domain names"),
        ("domains/leak.txt", "ok.example.com\nhttp://bad.example.com/x\n", "is not a domain name"),
        ("domains/gaming.txt", "x.example.com\n", "unknown category"),
    ],
)
def test_a_bad_home_file_is_an_input_error_naming_it(tmp_path: Path, name: str, text: str, message: str) -> None:
    path = tmp_path / name
    path.parent.mkdir(exist_ok=True)
    path.write_text(text)
    with pytest.raises(InputError, match=message) as caught:
        DomainLists.for_home(tmp_path)
    assert str(path) in str(caught.value)
    if name.endswith(".txt") and "gaming" not in name:
        assert caught.value.line == 2
