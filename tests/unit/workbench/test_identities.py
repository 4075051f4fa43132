"""Who may see a revealed name: only the session that revealed the person, after the audit log took the entry."""

from __future__ import annotations

import sqlite3

import pytest

from molehunt.config import Home
from molehunt.errors import MolehuntError
from molehunt.pseudonyms import Pseudonyms
from molehunt.store import Store
from molehunt.workbench import identities
from molehunt.workbench.actions import Workbench
from molehunt.workbench.identities import Identities
from molehunt.workbench.sessions import end_session, session_for, start_session

from .conftest import audit_entries, sign_in


@pytest.fixture
def names(home: Home) -> Pseudonyms:
    return Pseudonyms.for_keys_dir(home.root / "keys")


def someone_with_mail(store: Store) -> tuple[str, str]:
    user_id, email = store.con.execute(
        "SELECT user_id, email FROM directory_users WHERE email LIKE '%@%' ORDER BY user_id LIMIT 1"
    ).fetchall()[0]
    return user_id, email


def test_people_are_pseudonyms_until_revealed(names: Pseudonyms) -> None:
    shown = Identities(names, {"jo.doe@dtaa.com": "JD0001"})
    assert shown.person("JD0001") == names.of("JD0001") and not shown.shows("JD0001")
    assert shown.mask(["Jo.Doe@dtaa.com"], "XY0002") == [names.of("JD0001")]
    outside = shown.mask(["jane.smith@gmail.com", "undisclosed"], "XY0002")
    assert outside[0].startswith("addr-") and outside[0].endswith("@gmail.com") and "jane" not in outside[0]
    assert outside[1] == "undisclosed"
    revealed = Identities(names, {"jo.doe@dtaa.com": "JD0001"}, frozenset({"JD0001", "XY0002"}))
    assert revealed.person("JD0001") == f"JD0001 ({names.of('JD0001')})"
    assert revealed.mask(["Jo.Doe@dtaa.com", "jane.smith@gmail.com"], "XY0002") == [
        "Jo.Doe@dtaa.com",
        "jane.smith@gmail.com",
    ]


def test_learn_resolves_pseudonyms_and_knows_directory_mail(home: Home, store: Store) -> None:
    names = Pseudonyms.for_keys_dir(home.root / "keys")
    user_id, email = someone_with_mail(store)
    emails = identities.learn(store, names)
    assert names.resolve(names.of(user_id)) == user_id and emails[email.lower()] == user_id


def test_a_reveal_is_audited_first_and_shown_to_that_session_only(
    home: Home, store: Store, ops: sqlite3.Connection, names: Pseudonyms
) -> None:
    user_id, _ = someone_with_mail(store)
    analyst, other = sign_in(ops, "analyst"), sign_in(ops, "admin")
    bench = Workbench(home, store)
    with pytest.raises(MolehuntError, match="at least 10 characters"):
        bench.reveal(analyst, user_id, names.of(user_id), "  too short ")
    assert not identities.for_session(ops, names, {}, analyst).shows(user_id)
    seq = bench.reveal(analyst, user_id, names.of(user_id), "  HR case 7: who copied the plans  ")
    entry = audit_entries(home)[seq]
    assert (entry["actor"], entry["action"], entry["target"]) == ("analyst", "reveal", user_id)
    assert entry["details"] == {"pseudonym": names.of(user_id), "justification": "HR case 7: who copied the plans"}
    assert identities.for_session(ops, names, {}, analyst).person(user_id).startswith(user_id)
    assert not identities.for_session(ops, names, {}, other).shows(user_id)
    assert identities.for_session(ops, names, {}, None).revealed == frozenset()


def test_signing_out_forgets_the_sessions_reveals(
    home: Home, store: Store, ops: sqlite3.Connection, names: Pseudonyms
) -> None:
    user_id, _ = someone_with_mail(store)
    token = start_session(ops, "analyst")
    session = session_for(ops, token)
    assert session is not None
    Workbench(home, store).reveal(session, user_id, names.of(user_id), "needed for the evidence file")
    assert identities.for_session(ops, names, {}, session).shows(user_id)
    end_session(ops, token)
    assert not identities.for_session(ops, names, {}, session).shows(user_id)
