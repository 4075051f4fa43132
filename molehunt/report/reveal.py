"""Showing real user ids instead of pseudonyms: who asked and why, recorded in the audit log before anything is
written. Shared by every output that can name people (the HTML report, the SIEM export)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from molehunt.audit import NewEntry, append_entry
from molehunt.audit.entries import JsonValue
from molehunt.config import Home
from molehunt.errors import MolehuntError


@dataclass(frozen=True)
class Reveal:
    """Who asks to see real user ids instead of pseudonyms, and why (both go to the audit log)."""

    actor: str
    reason: str

    def __post_init__(self) -> None:
        if not self.reason.strip():
            raise MolehuntError("showing real user ids needs a reason, which goes to the audit log")


def record_reveal(home: Home, reveal: Reveal, target: str, out: Path | None, user_ids: Iterable[str]) -> int:
    """Append the audit entry (action "reveal") naming the output (None: the terminal) and every user id it shows;
    returns its index.

    Call it before the output is written, so no file names people without a record. AuditError when the log
    cannot take the entry.
    """
    shown: list[JsonValue] = list(user_ids)
    where = str(out.resolve()) if out is not None else "terminal"
    details: dict[str, JsonValue] = {"reason": reveal.reason, "out": where, "users": shown}
    return append_entry(home.audit_dir, home.keys_dir, NewEntry(reveal.actor, "reveal", target, details))
