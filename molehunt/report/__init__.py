"""The analyst report: an offline HTML file of the top suspects with their plots, and the plots themselves.

>>> analyst_report(home, top=10)  # doctest: +SKIP
PosixPath('.../molehunt-data/report.html')
"""

from __future__ import annotations

from pathlib import Path

from molehunt.config import Home
from molehunt.errors import MolehuntError
from molehunt.outputs import write_private
from molehunt.pseudonyms import Pseudonyms
from molehunt.report.html import collect, render, write_report
from molehunt.report.plots import activity_heatmap_svg, risk_timeline_svg, svg_data_uri
from molehunt.report.reveal import Reveal, record_reveal
from molehunt.store import open_store

REPORT_FILE = "report.html"

__all__ = [
    "REPORT_FILE",
    "Reveal",
    "activity_heatmap_svg",
    "analyst_report",
    "record_reveal",
    "risk_timeline_svg",
    "svg_data_uri",
    "write_report",
]


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
    pseudonyms = Pseudonyms.for_keys_dir(home.keys_dir)
    with open_store(home.store_path, read_only=True) as store:
        content = collect(store, pseudonyms=pseudonyms, top=top, names=reveal is not None, release=release)
    if reveal is not None:
        record_reveal(home, reveal, "report", path, content.user_ids)
    return write_private(path, render(content))
