"""Analyst actions that must be provable later (identity reveals, case actions, rule changes, sign-ins) go to the
tamper-evident audit log, the same one that records every vault request."""

from __future__ import annotations

from molehunt.audit import NewEntry, append_entry
from molehunt.audit.entries import JsonValue
from molehunt.config import Home


def record(home: Home, actor: str, action: str, target: str, details: dict[str, JsonValue]) -> int:
    """Append one entry durably; returns its index. Raises AuditError when the log is damaged or stays busy."""
    return append_entry(home.root / "audit", home.root / "keys", NewEntry(actor, action, target, details))
