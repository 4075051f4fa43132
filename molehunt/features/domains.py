"""Web and mail domain categories: shipped lists that an organization can extend or replace.

The shipped lists are `domain_lists/<category>.txt` beside this module (sources and licences in
`domain_lists/SOURCES.md`). A domain matches a listed one when it is equal to it or a subdomain of it
(jobs.example.com matches example.com). The lists are of real, public services; nothing here is specific to the
simulator.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path

import yaml

from molehunt.errors import InputError

CATEGORIES = ("job", "cloud", "leak", "hacking", "webmail")
WEB_PRIORITY = ("leak", "hacking", "cloud", "job", "webmail")
HOME_YAML = "domains.yaml"
HOME_LISTS = "domains"
_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
DOMAIN_RE = re.compile(rf"(?=.{{1,253}}$)(?:{_LABEL}\.)+[a-z](?:[a-z0-9-]{{0,61}}[a-z0-9])")


def parse_list(text: str, path: str) -> tuple[str, ...]:
    """The domains of a list file: one a line, lower-cased; `#` starts a comment; blank lines are skipped."""
    domains: list[str] = []
    for number, line in enumerate(text.splitlines(), start=1):
        domain = line.split("#", 1)[0].strip().lower()
        if domain and not DOMAIN_RE.fullmatch(domain):
            raise InputError(
                f"{domain!r} is not a domain name (one domain a line, # for comments)", path=path, line=number
            )
        if domain:
            domains.append(domain)
    return tuple(dict.fromkeys(domains))


@cache
def shipped_categories() -> Mapping[str, tuple[str, ...]]:
    """Category -> domains as shipped in `domain_lists/` (read once)."""
    folder = resources.files("molehunt.features").joinpath("domain_lists")
    return {
        c: parse_list(folder.joinpath(f"{c}.txt").read_text(encoding="utf-8"), f"domain_lists/{c}.txt")
        for c in CATEGORIES
    }


def _merge(base: Mapping[str, tuple[str, ...]], extra: Mapping[str, Iterable[str]]) -> dict[str, tuple[str, ...]]:
    return {c: tuple(dict.fromkeys([*base.get(c, ()), *extra.get(c, ())])) for c in CATEGORIES}


def _read_yaml(path: Path, base: Mapping[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
    """`base` extended (or with `replace: true`, replaced) by the YAML mapping category: [domains] at `path`."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise InputError(f"cannot read domain lists: {exc}", path=str(path)) from exc
    if not isinstance(data, dict):
        raise InputError("expected a mapping of category: [domains]", path=str(path))
    replace = bool(data.pop("replace", False))
    unknown = set(data) - set(CATEGORIES)
    if unknown:
        names = sorted(map(str, unknown))
        raise InputError(f"unknown categories {names}; known: {', '.join(CATEGORIES)}", path=str(path))
    extra: dict[str, list[str]] = {}
    for category, domains in data.items():
        if not isinstance(domains, list) or not all(isinstance(d, str) for d in domains):
            raise InputError(f"{category}: expected a list of domain names", path=str(path))
        extra[category] = [d.strip().lower() for d in domains]
        bad = [d for d in extra[category] if not DOMAIN_RE.fullmatch(d)]
        if bad:
            raise InputError(f"{category}: not domain names: {', '.join(map(repr, bad))}", path=str(path))
    return _merge({} if replace else base, extra)


@dataclass(frozen=True)
class DomainLists:
    """Category -> domains. `from_file` reads a YAML mapping that extends (or with replace: true, replaces);
    `for_home` adds a home's own lists to the shipped ones."""

    categories: Mapping[str, tuple[str, ...]] = field(default_factory=lambda: dict(shipped_categories()))

    def rows(self) -> list[tuple[str, str]]:
        """(domain, category) pairs, lower case, sorted (a domain may sit in several categories)."""
        return sorted({(d.lower().strip(), c) for c, domains in self.categories.items() for d in domains})

    def category_rows(self) -> list[tuple[str, str]]:
        """One category per domain for web traffic, the most telling first (icloud.com is cloud and webmail)."""
        chosen: dict[str, str] = {}
        for domain, category in sorted(self.rows(), key=lambda row: WEB_PRIORITY.index(row[1])):
            chosen.setdefault(domain, category)
        return sorted(chosen.items())

    @classmethod
    def from_file(cls, path: Path) -> DomainLists:
        """The shipped lists extended (or with `replace: true`, replaced) by the YAML file at `path`."""
        return cls(_read_yaml(path, shipped_categories()))

    @classmethod
    def for_home(cls, home_dir: Path) -> DomainLists:
        """The shipped lists, extended by HOME/domains.yaml (as `from_file`) and HOME/domains/<category>.txt
        (one domain a line, # for comments), each when present."""
        lists = dict(shipped_categories())
        yaml_path = home_dir / HOME_YAML
        if yaml_path.is_file():
            lists = _read_yaml(yaml_path, lists)
        folder = home_dir / HOME_LISTS
        if folder.is_dir():
            for path in sorted(folder.glob("*.txt")):
                if path.stem not in CATEGORIES:
                    raise InputError(f"unknown category {path.stem!r}; known: {', '.join(CATEGORIES)}", path=str(path))
                try:
                    text = path.read_text(encoding="utf-8")
                except (OSError, UnicodeDecodeError) as exc:
                    raise InputError(f"cannot read domain list: {exc}", path=str(path)) from exc
                lists = _merge(lists, {path.stem: parse_list(text, str(path))})
        return cls(lists)
