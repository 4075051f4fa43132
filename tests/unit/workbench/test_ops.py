"""An older home kept accounts, sessions, reveals, dismissals and cases in the analytics store: the first use of the
operational store moves them there once, and they keep working (sign in, the live session, the case and its notes)."""

from __future__ import annotations

import hashlib
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from contextlib import closing
from datetime import date, datetime, timedelta
from pathlib import Path

import duckdb
import pytest
from argon2 import PasswordHasher
from typer.testing import CliRunner

from molehunt.cli import app
from molehunt.clock import utc_now
from molehunt.config import Home
from molehunt.errors import StoreError
from molehunt.pseudonyms import Pseudonyms
from molehunt.store import Store, open_store
from molehunt.store.publish import Snapshots
from molehunt.workbench import cases, identities, ops, queue
from molehunt.workbench.accounts import Role, authenticate, list_users, remove_user
from molehunt.workbench.sessions import session_for

PASSWORD = "correct horse battery staple"
TOKEN = "an-old-session-token-from-before-the-upgrade"
DAY = date(2010, 7, 1)


def old_home(root: Path) -> Home:
    """A home as an older molehunt left it: the workbench's rows in the DuckDB store's own tables."""
    home = Home(root).ensure()
    now = utc_now().replace(microsecond=0)
    digest = hashlib.sha256(TOKEN.encode()).hexdigest()
    with open_store(home.store_path) as store, store.transaction() as con:
        con.execute("INSERT INTO web_users VALUES ('alice', 'analyst', ?, ?)", [PasswordHasher().hash(PASSWORD), now])
        con.execute(
            "INSERT INTO web_users VALUES ('carol', 'viewer', ?, ?)", ["!" + PasswordHasher().hash(PASSWORD), now]
        )
        con.execute(
            "INSERT INTO web_sessions VALUES (?, 'alice', 'csrf', ?, ?)", [digest, now, now + timedelta(hours=8)]
        )
        con.execute("INSERT INTO web_sessions VALUES ('gone', 'nobody', 'csrf', ?, ?)", [now, now + timedelta(hours=8)])
        con.execute("INSERT INTO web_reveals VALUES (?, 'ACM2278', ?)", [digest, now])
        con.execute("INSERT INTO web_reveals VALUES (?, 'ACM2278', ?)", [digest, now])  # no key there: a repeat
        con.execute("INSERT INTO alert_dismissals VALUES ('ACM2278', ?, 'approved handover', 'alice', ?)", [DAY, now])
        con.execute(
            "INSERT INTO cases VALUES (7, 'USB copies', 'BXK0001', ?, 'investigating', 'alice', 'alice', ?, ?)",
            [DAY, now - timedelta(days=1), now],
        )
        con.execute("INSERT INTO case_notes VALUES (7, 'alice', 'first', ?)", [now - timedelta(hours=2)])
        con.execute("INSERT INTO case_notes VALUES (7, 'alice', 'second', ?)", [now - timedelta(hours=1)])
    return home


@pytest.fixture
def home(tmp_path: Path) -> Home:
    return old_home(tmp_path / "home")


@pytest.fixture
def con(home: Home) -> Iterator[sqlite3.Connection]:
    with closing(ops.connect(home)) as opened:  # the analytics store is opened read-only for the move
        yield opened


def test_the_first_use_moves_accounts_sessions_reveals_dismissals_and_cases(
    home: Home, con: sqlite3.Connection
) -> None:
    assert [(a.name, a.role, a.disabled) for a in list_users(con)] == [
        ("alice", Role.ANALYST, False),
        ("carol", Role.VIEWER, True),
    ]
    assert authenticate(con, "alice", PASSWORD) is not None and authenticate(con, "carol", PASSWORD) is None
    session = session_for(con, TOKEN)
    assert session is not None and (session.name, session.role, session.csrf_token) == ("alice", Role.ANALYST, "csrf")
    assert con.execute("SELECT count(*) FROM web_sessions").fetchone() == (1,)  # the orphan stayed behind
    names = Pseudonyms.for_keys_dir(home.keys_dir)
    assert identities.for_session(con, names, {}, session).revealed == frozenset({"ACM2278"})
    assert queue.dismissal(con, "ACM2278", DAY) == "approved handover"
    case = cases.get_case(con, 7)
    assert case is not None and (case.title, case.user_id, case.day, case.status) == (
        "USB copies", "BXK0001", DAY, cases.Status.INVESTIGATING,
    )  # fmt: skip
    assert [n.text for n in case.notes] == ["first", "second"] and isinstance(case.opened_at, datetime)
    assert cases.open_case(con, "BXK0001", DAY, "", "alice") == 8  # new cases number on from the old ones


def test_the_move_happens_once(home: Home, con: sqlite3.Connection) -> None:
    remove_user(con, "carol")
    with closing(ops.connect(home)) as again:
        assert [a.name for a in list_users(again)] == ["alice"]  # not copied back
        assert again.execute("SELECT rows FROM imports").fetchall() == [(9,)]
        with open_store(home.store_path, read_only=True) as store:
            assert ops.import_legacy(again, store) is None
    assert len(cases.get_case(con, 7).notes) == 2  # type: ignore[union-attr]


def test_the_cli_lists_the_moved_accounts_of_an_old_home(home: Home) -> None:
    result = CliRunner().invoke(app, ["--home", str(home.root), "user", "ls"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == ["alice\tanalyst", "carol\tviewer\tdisabled"]


def test_a_new_home_never_needs_the_analytics_store(tmp_path: Path) -> None:
    home = Home(tmp_path / "home")
    with closing(ops.connect(home)) as con:
        assert list_users(con) == [] and ops.imported(con)
    assert not home.store_path.exists()


HOLDER = """
import sys
from pathlib import Path
from molehunt.store import open_store
with open_store(Path(sys.argv[1])):
    print("holding", flush=True)
    sys.stdin.read()  # until the test closes our stdin
"""


def test_a_store_held_by_another_process_postpones_the_move_with_a_clear_error(home: Home) -> None:
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(home.store_path)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "holding\n"
        with pytest.raises(StoreError, match=r"move once from the store to workbench\.sqlite .* is using the store"):
            ops.connect(home)
    finally:
        holder.communicate("", timeout=60)
    with closing(ops.connect(home)) as con:  # once it is free, the move happens
        assert [a.name for a in list_users(con)] == ["alice", "carol"]


def test_an_empty_snapshot_does_not_mark_the_move_done(home: Home) -> None:
    # A dashboard started on an older home before anything is published reads an empty in-memory snapshot: the
    # move must wait for the real store instead of being recorded as done with nothing moved.
    bare = Store(home.store_path, duckdb.connect(":memory:"))
    with closing(ops.connect(home, bare)) as first:
        assert not ops.imported(first) and list_users(first) == []
    empty = Snapshots(home.store_path).connect()  # what the dashboard reads while nothing is published
    try:
        assert empty.count("SELECT count(*) FROM web_users") == 0  # the legacy tables exist, empty
        with closing(ops.connect(home, empty)) as second:
            assert not ops.imported(second)
    finally:
        empty.close()
    with closing(ops.connect(home)) as later:
        assert ops.imported(later) and [a.name for a in list_users(later)] == ["alice", "carol"]
