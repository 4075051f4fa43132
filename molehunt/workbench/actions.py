"""The analyst's actions that must be provable later: each appends its audit entry first, as Vault does.

A `Workbench` over a home's store checks what it is asked, appends the audit entry (who, what, on whom, with
what details) to the tamper-evident log, and only then changes the state or hands anything out. When the log
cannot take the entry (AuditError), nothing happens. Accounts, sessions, reveals, dismissals and cases are written
to the operational store (HOME/workbench.sqlite, one connection per action unless one is given); alerts, events
and rule settings are read from (and rule settings written to) the analytics `store`.

>>> bench = Workbench(home, store)  # doctest: +SKIP
>>> bench.dismiss([("ACM2278", date(2010, 7, 1))], "approved handover", by="alice")
1
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from molehunt.audit import NewEntry, append_entry
from molehunt.audit.entries import Entry, JsonValue
from molehunt.audit.listing import reading
from molehunt.audit.package import EXPORT_DIGEST, assemble, content_digest
from molehunt.config import Home
from molehunt.detect.rules.settings import RuleSetting, check_setting, logged_text, save_setting
from molehunt.errors import MolehuntError
from molehunt.protect import Level, Protection, set_level
from molehunt.store import Store
from molehunt.workbench import accounts, cases, identities, ops, queue
from molehunt.workbench.accounts import authenticate
from molehunt.workbench.cases import Disposition, Priority, Status
from molehunt.workbench.identities import Identities
from molehunt.workbench.sessions import Session, start_session


class EvidenceFormat(StrEnum):
    CSV = "csv"
    JSON = "json"
    PACKAGE = "package"  # JSON bound to the audit log, checkable offline (molehunt.audit.package)


@dataclass(frozen=True)
class EvidenceFile:
    name: str  # molehunt-case-N-evidence.csv
    media_type: str
    body: str


@dataclass(frozen=True)
class Workbench:
    """Audit-first actions on `store`, recorded in `home`'s audit log (HOME/audit, keys in HOME/keys). `store` may
    be None for the account actions, which need only the operational store (`molehunt user disable|remove`)."""

    home: Home
    store: Store | None
    # The operational store connection to use (same thread only); None: each action opens and closes its own.
    ops: sqlite3.Connection | None = field(default=None, compare=False)

    @property
    def analytics(self) -> Store:
        """The analytics store; MolehuntError when this Workbench was made without one."""
        if self.store is None:
            raise MolehuntError("this action needs the analytics store")
        return self.store

    @contextmanager
    def opened(self) -> Iterator[sqlite3.Connection]:
        """The operational store for one action (see molehunt.workbench.ops.connect)."""
        if self.ops is not None:
            yield self.ops
            return
        con = ops.connect(self.home, self.store)
        try:
            yield con
        finally:
            con.close()

    def record(self, actor: str, action: str, target: str, details: dict[str, JsonValue]) -> int:
        """Append one entry durably; returns its index. AuditError when the log is damaged or stays busy."""
        entry = NewEntry(actor, action, target, details)
        return append_entry(self.home.audit_dir, self.home.keys_dir, entry)

    def sign_in(self, name: str, password: str, *, client: str) -> str | None:
        """A new session's token when the password matches, else None; either outcome is recorded first."""
        with self.opened() as con:
            account = authenticate(con, name, password)
            if account is None:
                # A name that is no account may be a password typed in the wrong field: it never enters the log.
                known = accounts.find_account(con, name)
                reason = "unknown account" if known is None else "disabled" if known.disabled else "wrong password"
                actor = known.name if known else "unknown account"
                self.record(actor, "login.failed", "web", {"client": client, "reason": reason})
                return None
            self.record(account.name, "login", "web", {"client": client, "role": account.role.value})
            return start_session(con, account.name)

    def add_user(self, name: str, role: accounts.Role, password: str, *, replace: bool, by: str) -> accounts.Account:
        """Create (or with replace, reset) an account, recorded as user.add or user.reset with the role (never the
        password); AccountError for a bad name, a short password or an existing name without replace."""
        with self.opened() as con:

            def record(existed: bool) -> None:
                self.record(by, "user.reset" if existed else "user.add", name, {"role": role.value})

            return accounts.add_user(con, name, role, password, replace=replace, record=record)

    def disable_user(self, name: str, *, by: str) -> None:
        """Refuse `name`'s sign-ins and end their sessions; AccountError when there is no such account."""
        with self.opened() as con:
            accounts.require_account(con, name)
            self.record(by, "user.disable", name, {})
            accounts.disable_user(con, name)

    def remove_user(self, name: str, *, by: str) -> None:
        """Delete `name`'s account and end their sessions; AccountError when there is no such account."""
        with self.opened() as con:
            accounts.require_account(con, name)
            self.record(by, "user.remove", name, {})
            accounts.remove_user(con, name)

    def reveal(self, session: Session, user_id: str, pseudonym: str, justification: str) -> int:
        """Show `user_id`'s real id to `session` (only): the justification (see identities.MIN_JUSTIFICATION) and
        the pseudonym go to the audit log first; returns the entry's index."""
        why = identities.justification(justification)
        with self.opened() as con:
            seq = self.record(session.name, "reveal", user_id, {"pseudonym": pseudonym, "justification": why})
            identities.remember(con, session, user_id)
        return seq

    def dismiss(self, keys: list[tuple[str, date]], reason: str, *, by: str) -> int:
        """Dismiss these alerts (user id, day) with a reason; returns how many."""
        why = reason.strip()
        if not why:
            raise MolehuntError("say why these alerts are dismissed")
        alerts: list[JsonValue] = [f"{user}|{day.isoformat()}" for user, day in keys]
        with self.opened() as con:
            self.record(by, "alert.dismiss", "alerts", {"reason": why, "alerts": alerts})
            return queue.dismiss(con, keys, why, by)

    def open_case(self, user_id: str, day: date, title: str, *, by: str) -> int:
        """Open a case from the alert (user, day); returns its id. CaseError when there is no such alert."""
        cases.require_alert(self.analytics, user_id, day)
        with self.opened() as con:
            self.record(by, "case.open", user_id, {"day": day.isoformat(), "title": title})
            return cases.open_case(con, user_id, day, title, by)

    def assign(self, case_id: int, assignee: str, *, by: str) -> None:
        with self.opened() as con:
            cases.require_assignee(con, case_id, assignee)
            self.record(by, "case.assign", f"case:{case_id}", {"assignee": assignee})
            cases.assign(con, case_id, assignee)

    def set_status(self, case_id: int, status: Status, *, by: str) -> None:
        with self.opened() as con:
            cases.require(con, case_id)
            self.record(by, "case.status", f"case:{case_id}", {"status": status.value})
            cases.set_status(con, case_id, status)

    def add_note(self, case_id: int, text: str, *, by: str) -> None:
        with self.opened() as con:
            cases.require(con, case_id)
            self.record(by, "case.note", f"case:{case_id}", {"text": cases.note_text(text)})
            cases.add_note(con, case_id, by, text)

    def add_alert(self, case_id: int, user_id: str, day: date, *, by: str) -> bool:
        """Add the alert (user, day) to the case; False when it is there already. CaseError when there is no such
        alert or it is another person's."""
        cases.require_alert(self.analytics, user_id, day)
        with self.opened() as con:
            case = cases.require(con, case_id)
            if user_id != case.user_id:
                raise cases.CaseError("a case is about one person: open a case for the other person's alert")
            if (user_id, day) in case.alerts:
                return False
            self.record(by, "case.alert", f"case:{case_id}", {"day": day.isoformat()})
            return cases.add_alert(con, case_id, user_id, day, by)

    def set_facts(
        self, case_id: int, *, priority: Priority | None = None, disposition: Disposition | None = None, by: str
    ) -> None:
        """Set the case's priority and/or disposition."""
        details: dict[str, JsonValue] = {}
        if priority is not None:
            details["priority"] = priority.value
        if disposition is not None:
            details["disposition"] = disposition.value
        if not details:
            raise cases.CaseError("nothing to change: give a priority or a disposition")
        with self.opened() as con:
            cases.require(con, case_id)
            self.record(by, "case.facts", f"case:{case_id}", details)
            cases.set_facts(con, case_id, priority=priority, disposition=disposition)

    def export_evidence(self, case_id: int, fmt: EvidenceFormat, shown: Identities, *, by: str) -> EvidenceFile:
        """The case's evidence as `shown` may see it (people and e-mail recipients masked unless revealed). A
        package also carries the audit entries of the case's history and of this export with their inclusion
        proofs; the export's entry records the content's SHA-256, so the file proves itself offline."""
        with self.opened() as con:
            case = cases.require(con, case_id)
            data = cases.evidence(con, self.analytics, case_id, shown.person(case.user_id))
        for event in data["events"]:
            event["recipients"] = shown.mask(event["recipients"], case.user_id)
        details: dict[str, JsonValue] = {"format": fmt.value, "events": len(data["events"])}
        if fmt is EvidenceFormat.PACKAGE:
            content = json.dumps(data, indent=2, default=str, sort_keys=True)
            details[EXPORT_DIGEST] = content_digest(content)
            export = self.record(by, "case.export", f"case:{case_id}", details)
            with reading(self.home.audit_dir, self.home.keys_dir) as log:
                cited = [i for i in range(export) if _about(log.entry(i), case)]
                package = assemble(log, content, cited, export)
            name = f"molehunt-case-{case_id}-evidence.package.json"
            return EvidenceFile(name, "application/json", json.dumps(package, indent=1))
        self.record(by, "case.export", f"case:{case_id}", details)
        name = f"molehunt-case-{case_id}-evidence.{fmt.value}"
        if fmt is EvidenceFormat.CSV:
            return EvidenceFile(name, "text/csv", cases.evidence_csv(data))
        return EvidenceFile(name, "application/json", json.dumps(data, indent=2, default=str))

    def change_rule(self, rule_id: str, enabled: bool, values: dict[str, float], *, by: str) -> RuleSetting:
        """Switch a rule on or off and move its thresholds, for the next scoring run. RuleSettingError when the
        rule or a threshold is unknown or out of range."""
        setting = check_setting(rule_id, enabled, values, by)
        changed: dict[str, JsonValue] = {key: logged_text(value) for key, value in setting.thresholds.items()}
        self.record(by, "rule.change", rule_id, {"enabled": setting.enabled, "thresholds": changed})
        save_setting(self.analytics, rule_id, setting)
        return setting

    def set_protection(self, user: str, level: Level, reason: str, *, by: str) -> Protection:
        """Set or lift `user`'s protection level as an analyst, with a reason (audit entry protect.change first);
        it stands until the next analyst change or a higher raise by the vault's own events. MolehuntError when the
        reason is blank."""
        why = reason.strip()
        if not why:
            raise MolehuntError("say why this protection level is set (--reason TEXT)")
        details: dict[str, JsonValue] = {"level": level.value, "reasons": [why], "source": "analyst"}
        with self.opened() as con:
            self.record(by, "protect.change", user, details)
            return set_level(con, user, level, [why], source="analyst", by=by)


def _about(entry: Entry, case: cases.Case) -> bool:
    """Whether an audit entry is part of the case's history: its opening, and every action on the case."""
    if entry.target == f"case:{case.case_id}":
        return True
    return (
        entry.action == "case.open"
        and entry.target == case.user_id
        and entry.details.get("day") == case.day.isoformat()
    )
