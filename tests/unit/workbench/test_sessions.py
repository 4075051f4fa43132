"""Sessions in the operational store: eight hours, then gone; ended with their account; a reset ends them too."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import closing
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from molehunt.clock import frozen
from molehunt.config import Home
from molehunt.pseudonyms import Pseudonyms
from molehunt.workbench import identities, ops
from molehunt.workbench.accounts import Role, add_user, disable_user, remove_user
from molehunt.workbench.sessions import SESSION_HOURS, end_session, session_for, start_session

PASSWORD = "correct horse battery staple"
START = datetime(2011, 3, 4, 9, 0, 0)  # whole seconds: the stamps without and with microseconds must still order


@pytest.fixture
def con(tmp_path: Path) -> Iterator[sqlite3.Connection]:
    with closing(ops.connect(Home(tmp_path / "home"))) as opened:
        add_user(opened, "alice", Role.ANALYST, PASSWORD)
        yield opened


def test_a_session_lasts_eight_hours_and_is_swept_after(con: sqlite3.Connection) -> None:
    with frozen(START):
        token = start_session(con, "alice")
    with frozen(START + timedelta(hours=SESSION_HOURS) - timedelta(microseconds=1)):
        assert session_for(con, token) is not None
    with frozen(START + timedelta(hours=SESSION_HOURS)):
        assert session_for(con, token) is None
    with frozen(START + timedelta(hours=SESSION_HOURS, microseconds=1)):
        start_session(con, "alice")  # a new sign-in sweeps the expired session
    assert con.execute("SELECT count(*) FROM web_sessions").fetchone() == (1,)


def test_ending_a_session_disabling_removing_or_resetting_the_account_ends_it(
    tmp_path: Path, con: sqlite3.Connection
) -> None:
    names = Pseudonyms.for_keys_dir(tmp_path / "keys")
    token = start_session(con, "alice")
    session = session_for(con, token)
    assert session is not None
    identities.remember(con, session, "ACM2278")
    assert identities.for_session(con, names, {}, session).shows("ACM2278")
    end_session(con, token)
    assert session_for(con, token) is None and not identities.for_session(con, names, {}, session).shows("ACM2278")
    identities.remember(con, session, "ACM2278")  # too late: the session is gone, nothing is remembered
    assert con.execute("SELECT count(*) FROM web_reveals").fetchone() == (0,)
    for end in (
        lambda: disable_user(con, "alice"),
        lambda: add_user(con, "alice", Role.VIEWER, PASSWORD, replace=True),
        lambda: remove_user(con, "alice"),
    ):
        add_user(con, "alice", Role.ANALYST, PASSWORD, replace=True)
        token = start_session(con, "alice")
        found = session_for(con, token)
        assert found is not None
        identities.remember(con, found, "ACM2278")
        end()
        assert session_for(con, token) is None
        assert con.execute("SELECT count(*) FROM web_reveals").fetchone() == (0,)
