"""The analyst report: an offline HTML file of the top suspects with their plots, and the plots themselves.

>>> analyst_report(home, top=10)  # doctest: +SKIP
PosixPath('.../molehunt-data/report.html')
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from molehunt.audit import NewEntry, append_entry
from molehunt.audit.entries import JsonValue
from molehunt.config import Home
from molehunt.errors import MolehuntError
from molehunt.pseudonyms import Pseudonyms
from molehunt.report.html import collect, render, write_html, write_report
from molehunt.report.plots import activity_heatmap_svg, risk_timeline_svg, svg_data_uri
from molehunt.store import open_store

REPORT_FILE = "report.html"

__all__ = [
    "REPORT_FILE",
    "Reveal",
    "activity_heatmap_svg",
    "analyst_report",
    "risk_timeline_svg",
    "svg_data_uri",
    "write_report",
]


@dataclass(frozen=True)
class Reveal:
    """Who asks to see real user ids instead of pseudonyms, and why (both go to the audit log)."""

    actor: str
    reason: str

    def __post_init__(self) -> None:
        if not self.reason.strip():
            raise MolehuntError("showing real user ids needs a reason, which goes to the audit log")


def analyst_report(
    home: Home, out: Path | None = None, *, top: int = 10, reveal: Reveal | None = None, release: str | None = None
) -> Path:
    """Write the report of the home's store (read-only) to `out` (default HOME/report.html) and return its path.

    With `reveal`, people appear by real user id, and an audit entry (action "reveal", target "report") naming
    them is appended before anything is written; without it, by pseudonym. MolehuntError when there is no store
    or nothing is scored, AuditError when the audit log cannot take the entry.
    """
    if top < 1:
        raise MolehuntError(f"a report needs at least one user, not top={top}")
    path = out if out is not None else home.root / REPORT_FILE
    pseudonyms = Pseudonyms.for_keys_dir(home.root / "keys")
    with open_store(home.store_path, read_only=True) as store:
        content = collect(store, pseudonyms=pseudonyms, top=top, names=reveal is not None, release=release)
    if reveal is not None:
        details: dict[str, JsonValue] = {
            "reason": reveal.reason,
            "out": str(path.resolve()),
            "users": list(content.user_ids),
        }
        append_entry(home.root / "audit", home.root / "keys", NewEntry(reveal.actor, "reveal", "report", details))
    return write_html(path, render(content))
