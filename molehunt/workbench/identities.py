"""Who may see a revealed name: the one place this is decided.

People appear as pseudonyms everywhere the workbench shows them (pages, e-mail recipients, evidence exports). An
analyst may reveal one person with a written justification; the audit log takes who, when, whom and why before the
name is shown (molehunt.workbench.actions.Workbench.reveal), and only the session that asked sees it. Signing out
forgets the session's reveals (molehunt.workbench.sessions.end_session). Reveals are kept in the operational store
(HOME/workbench.sqlite) with the session they belong to.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass, field

from molehunt.clock import utc_now
from molehunt.errors import MolehuntError
from molehunt.opstore import ensure_schema
from molehunt.pseudonyms import Pseudonyms
from molehunt.store import Store
from molehunt.workbench import accounts, people
from molehunt.workbench.sessions import Session

MIN_JUSTIFICATION = 10

TABLES = (
    # Each reveal is also an audit log entry with the justification; a row lives as long as its session.
    """CREATE TABLE IF NOT EXISTS web_reveals (
        token_sha256 TEXT NOT NULL REFERENCES web_sessions (token_sha256) ON DELETE CASCADE,
        user_id TEXT NOT NULL,
        revealed_at TEXT NOT NULL,
        PRIMARY KEY (token_sha256, user_id)
    )""",
)


def schema(con: sqlite3.Connection) -> None:
    accounts.schema(con)  # reveals reference sessions
    ensure_schema(con, "identities", TABLES)


@dataclass(frozen=True)
class Identities:
    """How one session sees people: by pseudonym, except the people it revealed.

    `emails` maps each directory e-mail address (lower case) to its owner's user id (see `learn`).
    """

    names: Pseudonyms
    emails: Mapping[str, str] = field(default_factory=dict)
    revealed: frozenset[str] = frozenset()

    def shows(self, user_id: str) -> bool:
        """Whether this session may see the person's real user id."""
        return user_id in self.revealed

    def person(self, user_id: str) -> str:
        """How a person is named: the pseudonym, or "user-id (pseudonym)" once this session revealed them."""
        pseudonym = self.names.of(user_id)
        return f"{user_id} ({pseudonym})" if self.shows(user_id) else pseudonym

    def mask(self, addresses: list[str] | None, subject: str) -> list[str]:
        """E-mail addresses as they may be shown: an employee's as their pseudonym unless revealed; any other
        (personal webmail often carries a name) with its local part pseudonymized unless `subject` is revealed."""
        shown = []
        for address in addresses or []:
            user_id = self.emails.get(address.strip().lower())
            if user_id is not None:
                shown.append(address if self.shows(user_id) else self.names.of(user_id))
            elif self.shows(subject) or "@" not in address:
                shown.append(address)
            else:
                local, _, domain = address.rpartition("@")
                shown.append(f"addr-{self.names.of('mail:' + local.lower())[2:].lower()}@{domain}")
        return shown


def learn(store: Store, names: Pseudonyms) -> dict[str, str]:
    """Teach `names` everyone known (so their pseudonyms resolve back); returns directory e-mail -> user id."""
    names.learn(people.known_users(store))
    return people.directory_emails(store)


def for_session(
    con: sqlite3.Connection, names: Pseudonyms, emails: Mapping[str, str], session: Session | None
) -> Identities:
    """What `session` may see: the people it revealed (nobody without a session); `con` is the operational store."""
    if session is None:
        return Identities(names, emails)
    schema(con)
    rows = con.execute("SELECT user_id FROM web_reveals WHERE token_sha256 = ?", (session.token_sha256,))
    return Identities(names, emails, frozenset(row[0] for row in rows.fetchall()))


def justification(text: str) -> str:
    """The stripped justification; MolehuntError when it is shorter than MIN_JUSTIFICATION characters."""
    why = text.strip()
    if len(why) < MIN_JUSTIFICATION:
        raise MolehuntError(f"write why you need this identity (at least {MIN_JUSTIFICATION} characters)")
    return why


def remember(con: sqlite3.Connection, session: Session, user_id: str) -> None:
    """Show `user_id` to `session` from now on. Record the reveal in the audit log first (Workbench.reveal does).
    A session that ended meanwhile reveals nothing (its row is gone, so the reference fails and is ignored)."""
    schema(con)
    try:
        con.execute(
            "INSERT OR IGNORE INTO web_reveals VALUES (?, ?, ?)",
            (session.token_sha256, user_id, accounts.stamp(utc_now())),
        )
    except sqlite3.IntegrityError:  # the session ended between the check and now: nothing to remember
        return
