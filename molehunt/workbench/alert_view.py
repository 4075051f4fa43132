"""How an alert is shown: its reasons without the counts that did not happen, the events its rules count (to mark
and list them first), and a person's risk trend as a small inline chart."""

from __future__ import annotations

import re
from collections.abc import Iterable

from molehunt.detect.rules import Rule

_ZERO = re.compile(r"^0(\.0+)?(%|x)?\s")  # "0 cloud uploads", "0.0x ..." : a count that did not happen


def shown_reasons(reasons: str) -> list[str]:
    """The reasons as shown: one per clause, without the fragments that state a zero ("0 cloud uploads"), which
    the rule's explanation template prints whatever happened. Text in parentheses is kept whole."""
    shown = []
    for clause in reasons.split("; "):
        kept = [part for part in _top_level_parts(clause) if not _ZERO.match(part.strip())]
        text = ", ".join(part.strip() for part in kept).strip(" ,")
        if text:
            shown.append(text)
    return shown


def _top_level_parts(clause: str) -> list[str]:
    """The clause split at ", " outside parentheses."""
    parts, depth, start = [], 0, 0
    for i, char in enumerate(clause):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth == 0 and clause.startswith(", ", i):
            parts.append(clause[start:i])
            start = i + 2
    parts.append(clause[start:])
    return parts


# The events each feature counts, as SQL over the events table (a fixed text per feature, never from a request);
# features of every kind (events, after-hours or weekend events) name none. Web categories (cloud, leak, job sites)
# need the domain lists, so the web features name the requests of the kind that counts (uploads, downloads, visits).
_SEND = "kind = 'email' AND activity = 'send'"
FEATURE_EVENTS: dict[str, str] = {
    "logons": "kind = 'logon'", "new_hosts": "kind = 'logon'", "other_user_hosts": "kind = 'logon'",
    "usb_connects": "kind = 'device' AND activity = 'connect'",
    "files_to_removable": "kind = 'file' AND to_removable", "files_from_removable": "kind = 'file' AND from_removable",
    "files_opened": "kind = 'file' AND activity = 'open'", "files_outside_projects": "kind = 'file'",
    "decoy_touches": "(kind = 'vault' AND content LIKE 'decoy touch%') OR (kind = 'file' AND lower(path) IN"
                     " (SELECT lower(path) FROM decoy_files))",
    "emails_sent": _SEND, "recipients_sent": _SEND, "foreign_sender_emails": _SEND,
    "external_recipients": f"{_SEND} AND n_external > 0", "personal_recipients": f"{_SEND} AND n_external > 0",
    "attachments_out": f"{_SEND} AND n_external > 0 AND attachment_count > 0",
    "personal_attachments": f"{_SEND} AND n_external > 0 AND attachment_count > 0",
    "self_attachments": f"{_SEND} AND n_external > 0 AND attachment_count > 0",
    "attachment_bytes_out": f"{_SEND} AND n_external > 0 AND attachment_count > 0",
    "cloud_uploads": "kind = 'http' AND activity = 'upload'", "leak_uploads": "kind = 'http' AND activity = 'upload'",
    "exe_downloads": "kind = 'http' AND content_type = 'exe'",
    "hacking_downloads": "kind = 'http' AND activity <> 'upload'",
    "job_site_visits": "kind = 'http' AND activity = 'visit'",
    "cloud_visits": "kind = 'http'", "leak_visits": "kind = 'http'",
    "vault_reads": "kind = 'vault' AND activity = 'read'",
    "vault_checkouts": "kind = 'vault' AND activity = 'checkout'",
    "vault_denied": "kind = 'vault' AND content LIKE 'denied%'",
    "vault_held": "kind = 'vault' AND content LIKE '%held:%'",
    "vault_refused": "kind = 'vault' AND activity = 'deny' AND content LIKE 'refused:%'",
}  # fmt: skip


def trigger_filter(rules: Iterable[Rule]) -> str:
    """SQL (over `events`) true for the events the features these rules test are counted from; "false" for none.
    Built only from FEATURE_EVENTS, so it may be placed in a query as it is."""
    found: set[str] = set()
    for rule in rules:
        for selection in rule.selections:
            for alternative in selection.alternatives:
                for test in alternative:
                    predicate = FEATURE_EVENTS.get(test.field.split("__")[0])
                    if predicate is not None:
                        found.add(f"({predicate})")
    return " OR ".join(sorted(found)) or "false"


def sparkline(values: tuple[float, ...], top: float, threshold: float, width: int = 120, height: int = 26) -> str:
    """An inline SVG polyline of `values` scaled to `top` with the alert threshold dashed (numbers only, so the
    markup is safe to embed; no script or style, so it passes the dashboard's Content Security Policy)."""
    if not values:
        return ""
    top = max(top, max(values), 1e-9)
    step = width / max(len(values) - 1, 1)

    def y(value: float) -> float:
        return round(height - 2 - (height - 4) * min(value, top) / top, 1)

    points = " ".join(f"{round(i * step, 1)},{y(v)}" for i, v in enumerate(values))
    line = y(threshold)
    return (
        f'<svg class="spark" width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img"'
        f' aria-label="daily risk over the last {len(values)} days">'
        f'<line x1="0" y1="{line}" x2="{width}" y2="{line}" stroke="#d0d5dd" stroke-dasharray="3 3"/>'
        f'<polyline points="{points}" fill="none" stroke="#1f4e8c" stroke-width="1.5"/>'
        f'<circle cx="{round((len(values) - 1) * step, 1)}" cy="{y(values[-1])}" r="2" fill="#b42318"/></svg>'
    )
