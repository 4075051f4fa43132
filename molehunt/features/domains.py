"""Web and mail domain categories: shipped defaults that an organization can extend or replace.

A domain matches a listed one when it is equal to it or a subdomain of it (jobs.example.com matches example.com).
The lists are deliberately of real, widely known services; nothing here is specific to the simulator.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from molehunt.errors import InputError

DEFAULT_CATEGORIES: dict[str, tuple[str, ...]] = {
    "job": (
        "monster.com", "indeed.com", "careerbuilder.com", "linkedin.com", "simplyhired.com", "glassdoor.com",
        "dice.com", "hotjobs.yahoo.com", "ziprecruiter.com", "jobs.com", "usajobs.gov", "snagajob.com",
        "theladders.com", "hired.com", "stepstone.com", "reed.co.uk", "seek.com.au", "naukri.com",
    ),
    "cloud": (
        "dropbox.com", "drive.google.com", "docs.google.com", "box.com", "onedrive.live.com", "skydrive.live.com",
        "mediafire.com", "4shared.com", "mega.nz", "mega.co.nz", "wetransfer.com", "sendspace.com", "icloud.com",
        "yousendit.com", "hightail.com", "rapidshare.com", "zippyshare.com", "pcloud.com", "sugarsync.com",
    ),
    "leak": ("wikileaks.org", "cryptome.org", "pastebin.com", "leaksource.info", "ddosecrets.com", "publeaks.nl"),
    "hacking": (
        "actualkeylogger.com", "refog.com", "spyrix.com", "keylogger.org", "softactivity.com", "hackforums.net",
        "spytech-web.com", "award-soft.com", "bestxsoftware.com", "elitekeylogger.com", "exploit-db.com",
        "hak5.org", "kali.org", "metasploit.com",
    ),
    "webmail": (
        "gmail.com", "googlemail.com", "yahoo.com", "hotmail.com", "outlook.com", "live.com", "msn.com",
        "aol.com", "comcast.net", "verizon.net", "att.net", "juno.com", "earthlink.net", "cox.net",
        "icloud.com", "me.com", "mail.com", "gmx.com", "gmx.net", "protonmail.com", "proton.me", "yandex.com",
        "zoho.com", "qq.com", "163.com", "web.de",
    ),
}  # fmt: skip

CATEGORIES = tuple(DEFAULT_CATEGORIES)
WEB_PRIORITY = ("leak", "hacking", "cloud", "job", "webmail")


@dataclass(frozen=True)
class DomainLists:
    """Category -> domains. `from_file` reads a YAML mapping that extends (or with replace: true, replaces)."""

    categories: Mapping[str, tuple[str, ...]] = field(default_factory=lambda: dict(DEFAULT_CATEGORIES))

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
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError) as exc:
            raise InputError(f"cannot read domain lists: {exc}", path=str(path)) from exc
        if not isinstance(data, dict):
            raise InputError("expected a mapping of category: [domains]", path=str(path))
        replace = bool(data.pop("replace", False))
        unknown = set(data) - set(CATEGORIES)
        if unknown:
            raise InputError(f"unknown categories {sorted(unknown)}; known: {', '.join(CATEGORIES)}", path=str(path))
        merged = {c: () if replace else DEFAULT_CATEGORIES[c] for c in CATEGORIES}
        for category, domains in data.items():
            if not isinstance(domains, list) or not all(isinstance(d, str) for d in domains):
                raise InputError(f"{category}: expected a list of domain names", path=str(path))
            merged[category] = tuple(dict.fromkeys([*merged[category], *domains]))
        return cls(merged)
